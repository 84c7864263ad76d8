package senders

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func prefixes(t testing.TB, ss ...string) []netip.Prefix {
	t.Helper()
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []string
		wantErr string
	}{
		{"text with comments", "# Pipedrive\n185.29.244.0/22\n\n2a03:6b40::/32\n", []string{"185.29.244.0/22", "2a03:6b40::/32"}, ""},
		{"text with a lone address", "192.0.2.7\n", []string{"192.0.2.7/32"}, ""},
		{"text, unmasked and duplicated", "192.0.2.9/24\n192.0.2.0/24\n", []string{"192.0.2.0/24"}, ""},
		{"JSON, flat list", `["198.51.100.0/24","2001:db8::/48"]`, []string{"198.51.100.0/24", "2001:db8::/48"}, ""},
		{"JSON, nested objects with other strings", `{"syncToken":"1700000000","createDate":"2026-01-01","prefixes":[{"ip_prefix":"203.0.113.0/24","region":"eu"}],"ipv6_prefixes":[{"ipv6_prefix":"2001:db8:1::/48"}]}`, []string{"203.0.113.0/24", "2001:db8:1::/48"}, ""},
		{"JSON, sorted v4 before v6", `{"v6":["2001:db8::/32"],"v4":["203.0.113.0/24","192.0.2.0/24"]}`, []string{"192.0.2.0/24", "203.0.113.0/24", "2001:db8::/32"}, ""},
		{"an HTML error page", "<html><body>503 Service Unavailable</body></html>", nil, "line 1 is not an IP range"},
		{"empty", "", nil, "no IP range"},
		{"JSON with no range", `{"prefixes":[]}`, nil, "no IP range"},
		{"broken JSON", `{"prefixes":["192.0.2.0/24"`, nil, "not JSON"},
		{"everything is no sender range", "0.0.0.0/0\n", nil, "line 1 is not an IP range"},
		{"JSON everything is ignored", `["0.0.0.0/0","::/0","192.0.2.0/24"]`, []string{"192.0.2.0/24"}, ""},
		{"a mapped IPv4 prefix is refused", "::ffff:192.0.2.0/120\n", nil, "line 1 is not an IP range"},
		{"a zoned address is refused", "fe80::1%eth0\n", nil, "line 1 is not an IP range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.body))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := prefixes(t, tt.want...); !slices.Equal(got, want) {
				t.Errorf("Parse() = %v, want %v", got, want)
			}
		})
	}
}

func TestContains(t *testing.T) {
	l := List{Prefixes: prefixes(t, "185.29.244.0/22", "2a03:6b40::/32")}
	tests := []struct {
		addr string
		want bool
	}{
		{"185.29.244.1", true},
		{"185.29.247.255", true},
		{"185.29.248.0", false},
		{"::ffff:185.29.244.9", true}, // IPv4-mapped, as a dual-stack socket reports it
		{"2a03:6b40:1::5", true},
		{"2a03:6b41::5", false},
		{"10.0.0.1", false},
	}
	for _, tt := range tests {
		if got := l.Contains(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Contains(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestPlausible(t *testing.T) {
	four := prefixes(t, "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
	tests := []struct {
		name    string
		last    []netip.Prefix
		next    []netip.Prefix
		wantErr bool
	}{
		{"first list", nil, four[:1], false},
		{"the same", four, four, false},
		{"grown", four[:2], four, false},
		{"shrunk to half", four, four[:2], false},
		{"shrunk by more than half", four, four[:1], true},
		{"empty", four, nil, true},
	}
	for _, tt := range tests {
		if err := Plausible(tt.last, tt.next); (err != nil) != tt.wantErr {
			t.Errorf("%s: Plausible() = %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestListRoundTrip(t *testing.T) {
	checked := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	l := List{Prefixes: prefixes(t, "192.0.2.0/24", "2001:db8::/32"), Source: DefaultURL, Checked: checked}
	got, err := Decode(l.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Prefixes, l.Prefixes) || got.Source != l.Source || !got.Checked.Equal(checked) {
		t.Errorf("Decode(Encode()) = %+v, want %+v", got, l)
	}
	if !strings.Contains(l.Encode(), `"192.0.2.0/24"`) {
		t.Errorf("stored form %s does not list the prefixes as CIDR strings", l.Encode())
	}
	if _, err := Decode("not json"); err == nil {
		t.Error("Decode of garbage succeeded")
	}
}

func TestStale(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		checked time.Time
		want    bool
	}{
		{time.Time{}, true},
		{now.Add(-StaleAfter), false},
		{now.Add(-StaleAfter - time.Second), true},
		{now.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		if got := (List{Checked: tt.checked}).Stale(now); got != tt.want {
			t.Errorf("Stale with checked %v = %v, want %v", tt.checked, got, tt.want)
		}
	}
	if StaleAfter != 168*time.Hour {
		t.Errorf("StaleAfter = %v, want a week", StaleAfter)
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want Mode
		err  bool
	}{
		{"", Monitor, false},
		{"off", Off, false},
		{"MONITOR", Monitor, false},
		{" enforce ", Enforce, false},
		{"block", "", true},
	}
	for _, tt := range tests {
		got, err := ParseMode(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseMode(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestCheck(t *testing.T) {
	stored := List{Prefixes: prefixes(t, "185.29.244.0/22", "2a03:6b40::/32"), Checked: time.Now()}.Encode()
	unreadable := errors.New("SSM is down")
	tests := []struct {
		name       string
		stored     string
		loadErr    error
		source     string
		want       Verdict
		wantReason string
	}{
		{"IPv4 inside", stored, nil, "185.29.245.10", Inside, ""},
		{"IPv6 inside", stored, nil, "2a03:6b40::7", Inside, ""},
		{"IPv4 outside", stored, nil, "203.0.113.9", Outside, ""},
		{"IPv6 outside", stored, nil, "2001:db8::1", Outside, ""},
		{"no source address", stored, nil, "", Unknown, "no_source_ip"},
		{"a source that is no address", stored, nil, "example.com", Unknown, "no_source_ip"},
		{"no list yet", List{}.Encode(), nil, "203.0.113.9", Unknown, "no_ranges_yet"},
		{"list unreadable", "", unreadable, "203.0.113.9", Unknown, "ranges_unreadable"},
		{"list garbled", "{", nil, "203.0.113.9", Unknown, "ranges_unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Mode: Monitor, Load: func(context.Context) (string, error) { return tt.stored, tt.loadErr }}
			got, reason := c.Check(context.Background(), tt.source)
			if got != tt.want || reason != tt.wantReason {
				t.Errorf("Check(%q) = %v, %q; want %v, %q", tt.source, got, reason, tt.want, tt.wantReason)
			}
		})
	}
}

// TestCheckFollowsTheStoredList: a refreshed list takes effect without a restart.
func TestCheckFollowsTheStoredList(t *testing.T) {
	stored := List{Prefixes: prefixes(t, "192.0.2.0/24")}.Encode()
	c := &Checker{Mode: Enforce, Load: func(context.Context) (string, error) { return stored, nil }}
	if v, _ := c.Check(context.Background(), "198.51.100.1"); v != Outside {
		t.Fatalf("before the refresh: %v", v)
	}
	stored = List{Prefixes: prefixes(t, "192.0.2.0/24", "198.51.100.0/24")}.Encode()
	if v, _ := c.Check(context.Background(), "198.51.100.1"); v != Inside {
		t.Fatalf("after the refresh: %v, want Inside", v)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("192.0.2.0/24\n2001:db8::/32\n"))
	f.Add([]byte(`{"prefixes":[{"ip_prefix":"203.0.113.0/24"}]}`))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := Parse(body)
		if err != nil {
			return
		}
		if len(got) == 0 {
			t.Fatal("Parse succeeded with no range")
		}
		for i, p := range got {
			if !p.IsValid() || p.Bits() == 0 || p != p.Masked() || p.Addr().Is4In6() {
				t.Fatalf("Parse returned %v", p)
			}
			if i > 0 && got[i-1].Compare(p) >= 0 {
				t.Fatalf("Parse returned %v: not sorted and unique", got)
			}
		}
		if _, err := Decode(List{Prefixes: got}.Encode()); err != nil {
			t.Fatalf("the stored form of %v does not decode: %v", got, err)
		}
	})
}
