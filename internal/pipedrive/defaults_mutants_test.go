package pipedrive

import (
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// The tests in this file kill mutants that make mutate found alive or unrun in
// internal/pipedrive: the client's defaults, which the other tests replace with
// short ones, and two conditions of tagless switches (gremlins#298: only make
// mutate's blind-spot pass tests them). Each names the mutations it catches.

// TestDefaultBackoff: retry n waits between half and all of 500 ms doubled n-1
// times, at random (mutants: 500*time.Millisecond as 500/…, n-1 as n+1, d/2 as
// d*2 before the sum and inside rand.N, the sum as a difference).
func TestDefaultBackoff(t *testing.T) {
	c, err := NewClient(Config{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for n, full := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 4: 4 * time.Second} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := c.Backoff(n)
			if d < full/2 || d > full {
				t.Fatalf("Backoff(%d) = %s, want %s to %s", n, d, full/2, full)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("Backoff(%d) is always %v: no jitter", n, seen)
		}
	}
}

// TestClientDefaults: a lost create is looked for 30 s, a match younger than 2
// minutes is taken for another registration's, and a request is tried 4 times
// (mutants: 30*time.Second as 30/…, 2*time.Minute as 2/…).
func TestClientDefaults(t *testing.T) {
	c, err := NewClient(Config{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Settle != 30*time.Second || c.InFlight != 2*time.Minute || c.Retries != 3 {
		t.Errorf("settle %s, in flight %s, retries %d; want 30s, 2m0s, 3", c.Settle, c.InFlight, c.Retries)
	}
}

// TestEvery2xxDeliveryIsHealthy: a webhook whose last delivery got any 2xx, 299
// included, is healthy; 300 is not (mutant: `*w.LastHTTPStatus > 299` as `>=`).
func TestEvery2xxDeliveryIsHealthy(t *testing.T) {
	for status, want := range map[int]string{
		200: "", 204: "", 299: "",
		199: "failing: its last delivery got HTTP 199", 300: "failing: its last delivery got HTTP 300",
	} {
		w := Webhook{IsActive: true, LastHTTPStatus: &status}
		if got := w.Problem(""); got != want {
			t.Errorf("last delivery %d: problem %q, want %q", status, got, want)
		}
	}
}

// TestSubscriptionURLSchemes: an http or https URL is accepted, any other scheme
// is not (mutant: `u.Scheme != "http"` negated in Subscription.Validate).
func TestSubscriptionURLSchemes(t *testing.T) {
	for url, ok := range map[string]bool{
		"https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive": true,
		"http://localhost:8080/webhooks/pipedrive":                              true,
		"ftp://example.com/hook":                                                false,
		"wss://example.com/hook":                                                false,
	} {
		s := Subscription{URL: url, EventAction: "*", EventObject: "deal", Version: webhook.V2}
		if err := s.Validate(); (err == nil) != ok {
			t.Errorf("%s: %v, want ok %v", url, err, ok)
		}
	}
}
