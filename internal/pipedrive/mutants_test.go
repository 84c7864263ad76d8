package pipedrive

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// The tests in this file kill mutants that gremlins (make mutate) found alive in
// this package: each names the mutation it catches.

// TestDefaultRequestTimeout: a client without a Timeout gives up after 15 s, as
// README says (mutant: 15*time.Second as 15/time.Second, i.e. no timeout).
func TestDefaultRequestTimeout(t *testing.T) {
	c, err := NewClient(Config{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if c.http.Timeout != 15*time.Second {
		t.Errorf("timeout %s, want 15s", c.http.Timeout)
	}
}

// TestRetryableStatuses: 429, 408 and every 5xx are worth another attempt; other
// answers are final (mutants: each comparison negated, `>= 500` as `> 500`).
func TestRetryableStatuses(t *testing.T) {
	for status, want := range map[int]bool{
		429: true, 408: true, 500: true, 502: true, 503: true, 599: true,
		400: false, 401: false, 403: false, 404: false, 409: false, 410: false, 499: false,
	} {
		if got := (&APIError{Status: status}).retryable(); got != want {
			t.Errorf("status %d: retryable %v, want %v", status, got, want)
		}
	}
}

// TestRetryableByMethod: a network error or an unusable answer is retried for a
// list or a delete, never for a create, which may have landed (mutant: `method !=
// http.MethodPost` negated).
func TestRetryableByMethod(t *testing.T) {
	netErr := errors.New("connection reset by peer")
	for _, tt := range []struct {
		method string
		err    error
		want   bool
	}{
		{http.MethodGet, netErr, true},
		{http.MethodDelete, netErr, true},
		{http.MethodPost, netErr, false},
		{http.MethodPost, &APIError{Status: 429}, true},
		{http.MethodPost, &APIError{Status: 503}, false},
		{http.MethodGet, &APIError{Status: 503}, true},
		{http.MethodGet, errRedirect, false},
		{http.MethodGet, errRefused, false},
	} {
		if got := retryable(tt.method, tt.err); got != tt.want {
			t.Errorf("retryable(%s, %v) = %v, want %v", tt.method, tt.err, got, tt.want)
		}
	}
}

// TestRedirectsStayOnTheOrigin: a redirect within the API's origin is followed; one
// to another scheme, host or port is refused (mutants: the scheme and the host
// comparisons negated).
func TestRedirectsStayOnTheOrigin(t *testing.T) {
	c, err := NewClient(Config{BaseURL: "https://api.example.com/v1", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	c.Before = boundRequests(nil)
	for _, tt := range []struct {
		to      string
		refused bool
	}{
		{"https://api.example.com/v1/webhooks?page=2", false},
		{"http://api.example.com/v1/webhooks", true},
		{"https://evil.example.com/v1/webhooks", true},
		{"https://api.example.com:8443/v1/webhooks", true},
	} {
		u, _ := url.Parse(tt.to)
		err := c.checkRedirect(&http.Request{URL: u}, nil)
		if refused := errors.Is(err, errRedirect); refused != tt.refused {
			t.Errorf("redirect to %s: %v, want refused %v", tt.to, err, tt.refused)
		}
	}
}

// TestProgressCountsAttempts: each retry is announced with its number and the
// total (mutant: `c.Retries+1` as `c.Retries-1`).
func TestProgressCountsAttempts(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls < 3 {
			http.Error(w, `{"success":false,"error":"busy"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success":true,"data":[]}`))
	}))
	defer srv.Close()
	var lines []string
	c, err := NewClient(Config{BaseURL: srv.URL, Token: "t", Progress: func(l string) { lines = append(lines, l) }})
	if err != nil {
		t.Fatal(err)
	}
	// 149ms is announced rounded to a tenth of a second (mutant: 100*time.Millisecond
	// as 100/time.Millisecond, no rounding).
	c.Backoff = func(int) time.Duration { return 149 * time.Millisecond }
	if _, err := c.ListWebhooks(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "; attempt 2 of 4 in 100ms") || !strings.HasSuffix(lines[1], "; attempt 3 of 4 in 100ms") {
		t.Errorf("progress %q, want attempts 2 and 3 of 4, in 100ms", lines)
	}
}

// TestEvery2xxIsAnAnswer: any 2xx carries the answer, 299 included; 300 is no
// answer (mutant: `StatusCode > 299` as `>= 299`).
func TestEvery2xxIsAnAnswer(t *testing.T) {
	for _, tt := range []struct {
		status int
		ok     bool
	}{{200, true}, {201, true}, {299, true}, {300, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(`{"success":true,"data":[]}`))
		}))
		c, err := NewClient(Config{BaseURL: srv.URL, Token: "t"})
		if err != nil {
			t.Fatal(err)
		}
		c.Retries = 0
		_, err = c.ListWebhooks(context.Background())
		srv.Close()
		if (err == nil) != tt.ok {
			t.Errorf("status %d: error %v, want ok %v", tt.status, err, tt.ok)
		}
	}
}

// TestRedirectsAreFollowedThreeTimes: a fourth redirect is refused, even within
// the origin (mutant: `len(via) >= 3` as `> 3`).
func TestRedirectsAreFollowedThreeTimes(t *testing.T) {
	c, err := NewClient(Config{BaseURL: "https://api.example.com/v1", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://api.example.com/v1/webhooks")
	for via, refused := range map[int]bool{0: false, 2: false, 3: true, 4: true} {
		err := c.checkRedirect(&http.Request{URL: u}, make([]*http.Request, via))
		if errors.Is(err, errRedirect) != refused {
			t.Errorf("after %d redirects: %v, want refused %v", via, err, refused)
		}
	}
}

// TestRetryAfter: Pipedrive's Retry-After in seconds, capped at a week (the check's
// deadline decides whether to wait that long: issue 20); nothing
// usable is no wait (mutants: `err == nil` and `s > 0` negated; `s > 0` as `>= 0` is
// equivalent: 0 s is no wait either way).
func TestRetryAfter(t *testing.T) {
	for h, want := range map[string]time.Duration{
		"1": time.Second, " 5 ": 5 * time.Second, "600": 10 * time.Minute, "3600": time.Hour, "9999999": 7 * 24 * time.Hour,
		"0": 0, "-3": 0, "": 0, "soon": 0, "Wed, 21 Oct 2026 07:28:00 GMT": 0,
	} {
		if got := retryAfter(h); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", h, got, want)
		}
	}
}

// TestRegistrationValidate: the subscription is checked, then the name, 1 to 255
// characters (mutants: the subscription's `err != nil` negated, `len(r.Name) > 255`
// as `>= 255`).
func TestRegistrationValidate(t *testing.T) {
	good := Subscription{URL: "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive", EventAction: "*", EventObject: "deal", Version: webhook.V2}
	bad := good
	bad.URL = "not a url"
	for _, tt := range []struct {
		name string
		reg  Registration
		ok   bool
	}{
		{"valid", Registration{Subscription: good, Name: "pipedrive-webhooks"}, true},
		{"255 characters", Registration{Subscription: good, Name: strings.Repeat("n", 255)}, true},
		{"256 characters", Registration{Subscription: good, Name: strings.Repeat("n", 256)}, false},
		{"no name", Registration{Subscription: good}, false},
		{"bad subscription", Registration{Subscription: bad, Name: "pipedrive-webhooks"}, false},
	} {
		if err := tt.reg.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
