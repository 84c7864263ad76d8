package receiver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdalocal"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
)

// storedRanges is the list the watchdog would have stored: one IPv4 and one IPv6 range.
var storedRanges = senders.List{Prefixes: []netip.Prefix{
	netip.MustParsePrefix("185.166.140.0/22"), netip.MustParsePrefix("2a03:6b40::/32"),
}}.Encode()

// TestSenderCheck sends deliveries through the Lambda adapter from inside and outside
// the ranges, over IPv4 and IPv6, as API Gateway's sourceIp carries them, in each mode.
func TestSenderCheck(t *testing.T) {
	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	unreadable := errors.New("SSM is down")
	tests := []struct {
		name       string
		mode       senders.Mode
		stored     string
		loadErr    error
		source     string
		status     int
		wantReason string // of the sender-check record; "" for none
	}{
		{"monitor, IPv4 inside", senders.Monitor, storedRanges, nil, "185.166.142.10", 200, ""},
		{"monitor, IPv6 inside", senders.Monitor, storedRanges, nil, "2a03:6b40::10", 200, ""},
		{"monitor, IPv4 outside: logged, still received", senders.Monitor, storedRanges, nil, "203.0.113.7", 200, "outside_ranges"},
		{"monitor, IPv6 outside: logged, still received", senders.Monitor, storedRanges, nil, "2001:db8::7", 200, "outside_ranges"},
		{"enforce, IPv4 inside", senders.Enforce, storedRanges, nil, "185.166.142.10", 200, ""},
		{"enforce, IPv6 inside", senders.Enforce, storedRanges, nil, "2a03:6b40::10", 200, ""},
		{"enforce, IPv4 outside: refused", senders.Enforce, storedRanges, nil, "203.0.113.7", 403, "outside_ranges"},
		{"enforce, IPv6 outside: refused", senders.Enforce, storedRanges, nil, "2001:db8::7", 403, "outside_ranges"},
		{"off: nothing checked", senders.Off, storedRanges, nil, "203.0.113.7", 200, ""},
		{"enforce without a list yet: let through, said", senders.Enforce, senders.List{}.Encode(), nil, "203.0.113.7", 200, "no_ranges_yet"},
		{"enforce with SSM down: let through, said", senders.Enforce, "", unreadable, "203.0.113.7", 200, "ranges_unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logtest.Buffer{}
			checker := &senders.Checker{Mode: tt.mode, Load: func(context.Context) (string, error) { return tt.stored, tt.loadErr }}
			h := New(slog.New(slog.NewJSONHandler(logs, nil)), Config{Credentials: static, Senders: checker})
			ev, err := lambdalocal.GatewayEvent(deal.Body, basic(testUser, testPassword), false)
			if err != nil {
				t.Fatal(err)
			}
			ev.RequestContext.HTTP.SourceIP = tt.source
			resp, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.status, resp.Body)
			}
			var check, delivered []map[string]any
			for _, r := range logs.Records(t) {
				switch r["msg"] {
				case MsgSenderCheck:
					check = append(check, r)
				case "pipedrive webhook":
					delivered = append(delivered, r)
				}
			}
			if tt.wantReason == "" {
				if len(check) != 0 {
					t.Errorf("sender-check records %v, want none", check)
				}
			} else {
				if len(check) != 1 || check[0]["reason"] != tt.wantReason || check[0]["level"] != "WARN" {
					t.Fatalf("sender-check records %v, want one WARN with reason %s", check, tt.wantReason)
				}
				if tt.wantReason == "outside_ranges" && (check[0]["source_ip"] != tt.source || check[0]["sender_check"] != string(tt.mode)) {
					t.Errorf("record %v does not name the source and the mode", check[0])
				}
			}
			if want := tt.status == 200; (len(delivered) == 1) != want {
				t.Errorf("%d delivery records, want logged %v", len(delivered), want)
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

// TestSenderCheckSaysAnOutageOnce: a list that stays unreadable is said once, not per
// delivery, and its return is said too.
func TestSenderCheckSaysAnOutageOnce(t *testing.T) {
	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	logs := &logtest.Buffer{}
	loadErr := errors.New("SSM is down")
	checker := &senders.Checker{Mode: senders.Monitor, Load: func(context.Context) (string, error) { return storedRanges, loadErr }}
	h := New(slog.New(slog.NewJSONHandler(logs, nil)), Config{Senders: checker})
	send := func() {
		ev, _ := lambdalocal.GatewayEvent(deal.Body, "", false)
		ev.RequestContext.HTTP.SourceIP = "185.166.142.10"
		if resp, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), ev); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%v %v", resp, err)
		}
	}
	for range 3 {
		send()
	}
	loadErr = nil
	send()
	send()
	var reasons []string
	for _, r := range logs.Records(t) {
		if r["msg"] == MsgSenderCheck {
			reasons = append(reasons, r["reason"].(string))
		}
	}
	if got := strings.Join(reasons, ","); got != "ranges_unreadable,ranges_available" {
		t.Errorf("sender-check reasons %s, want ranges_unreadable,ranges_available", got)
	}
}

// TestSenderCheckLocally: without API Gateway there is no source address; a checker
// in a local server that is not off sees none and lets the request through.
func TestSenderCheckLocally(t *testing.T) {
	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	logs := &logtest.Buffer{}
	checker := &senders.Checker{Mode: senders.Enforce, Load: func(context.Context) (string, error) { return storedRanges, nil }}
	h := &harness{handler: New(slog.New(slog.NewJSONHandler(logs, nil)), Config{Credentials: static, Senders: checker}), logs: logs}
	assertReceived(t, h.do(post(strings.NewReader(string(deal.Body)))))
	if !strings.Contains(logs.String(), `"reason":"no_source_ip"`) {
		t.Errorf("logs %s", logs)
	}
}
