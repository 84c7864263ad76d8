// Package senders knows the addresses Pipedrive delivers webhooks from: the ranges it
// publishes, their stored form, and the check a delivery's source address meets.
//
// Basic auth is Pipedrive's only proof of a delivery (it signs nothing), so the source
// address is a second factor. Pipedrive publishes its ranges as a JSON and a text file
// in its pipedrive/ip-ranges repository and advises fetching them on a schedule
// rather than hard-coding them; the watchdog does (Refresh), the receiver reads what
// it stored (Checker).
package senders

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// DefaultURL is Pipedrive's published list of webhook source ranges (JSON).
const DefaultURL = "https://raw.githubusercontent.com/pipedrive/ip-ranges/master/ip-ranges.json"

// StaleAfter is how old the last good refresh may get before the list is stale and
// an alarm says so: a week, as the stack's runbook promises.
const StaleAfter = 7 * 24 * time.Hour

// Mode is what the receiver does with a delivery from outside the ranges.
type Mode string

// The modes of the source check.
const (
	// Off checks nothing (and locally, where there is no source address, it is off).
	Off Mode = "off"
	// Monitor logs and counts a delivery from outside the ranges and still answers 200.
	Monitor Mode = "monitor"
	// Enforce answers 403: only a delivery that is not Pipedrive's can meet it.
	Enforce Mode = "enforce"
)

// ParseMode reads a mode; "" is Monitor, the default.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return Monitor, nil
	case Off, Monitor, Enforce:
		return m, nil
	}
	return "", fmt.Errorf("sender check %q: want off, monitor or enforce", s)
}

// List is the stored form of the ranges: the prefixes, where they came from and
// when they were last confirmed against the published file.
type List struct {
	Prefixes []netip.Prefix `json:"prefixes"`
	Source   string         `json:"source,omitempty"`
	// Checked is when the published file last gave a plausible list (the same
	// list or a new one): the list's age, for the staleness alarm.
	Checked time.Time `json:"checked,omitzero"`
}

// Contains reports whether addr lies in one of the prefixes. An IPv4 address
// written as IPv4-mapped IPv6 (::ffff:192.0.2.1) is compared as IPv4.
func (l List) Contains(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range l.Prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Stale reports whether the list was last confirmed longer than StaleAfter before now
// (or never).
func (l List) Stale(now time.Time) bool { return stale(l.Checked, now) }

func stale(checked, now time.Time) bool {
	return checked.IsZero() || now.Sub(checked) > StaleAfter
}

// Encode is the stored form: compact JSON, well within an SSM standard parameter's
// 4 KB for the few dozen ranges Pipedrive publishes.
func (l List) Encode() string {
	b, _ := json.Marshal(l) // a struct of strings and a time: cannot fail
	return string(b)
}

// Decode reads a stored list. An empty value, or an empty list, is the placeholder
// a new stack starts with: no list yet.
func Decode(s string) (List, error) {
	var l List
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return List{}, fmt.Errorf("stored sender ranges: %w", err)
	}
	return l, nil
}

// ErrNoRanges is a published file with no range in it.
var ErrNoRanges = errors.New("no IP range in it")

// Parse reads a published list. Pipedrive publishes it as JSON and as text; the JSON's
// layout is not documented, so every string in it that is an address or a CIDR
// prefix counts, wherever it stands, and every other string is ignored. Text is one
// address or prefix a line; blank lines and lines starting with # are skipped, and
// any other line is an error (a text file that is not a list, an HTML error page,
// must not pass as an empty one). Prefixes come back masked, sorted and unique.
func Parse(body []byte) ([]netip.Prefix, error) {
	body = bytes.TrimSpace(body)
	var out []netip.Prefix
	if len(body) > 0 && (body[0] == '{' || body[0] == '[') {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, fmt.Errorf("published ranges: not JSON: %w", err)
		}
		walk(v, func(s string) {
			if p, ok := parsePrefix(s); ok {
				out = append(out, p)
			}
		})
	} else {
		sc := bufio.NewScanner(bytes.NewReader(body))
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			p, ok := parsePrefix(line)
			if !ok {
				return nil, fmt.Errorf("published ranges: line %d is not an IP range", n)
			}
			out = append(out, p)
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("published ranges: %w", err)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("published ranges: %w", ErrNoRanges)
	}
	slices.SortFunc(out, netip.Prefix.Compare)
	return slices.Compact(out), nil
}

func walk(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			walk(e, f)
		}
	case map[string]any:
		for _, e := range v {
			walk(e, f)
		}
	}
}

// parsePrefix reads "192.0.2.0/24", "2001:db8::/32" or a lone address (a /32 or /128).
// A prefix that matches everything (/0) is never a sender range.
func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		p = p.Masked()
		if p.Addr().Is4In6() {
			return netip.Prefix{}, false
		}
		return p, p.Bits() > 0
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// Plausible refuses a new list that cannot be a true one: empty, or shrunk to less
// than half of the last good list (a truncated download, a file that moved). A
// list that grows, or changes within that bound, passes.
func Plausible(last, next []netip.Prefix) error {
	switch {
	case len(next) == 0:
		return ErrNoRanges
	case 2*len(next) < len(last):
		return fmt.Errorf("%d ranges where the last good list had %d: shrunk by more than half", len(next), len(last))
	}
	return nil
}
