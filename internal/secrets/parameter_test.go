package secrets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

// A rotation loses no delivery: the new password is accepted at once (a mismatch
// re-reads the parameter instead of waiting out the cache), and the old one for a
// grace period, on every instance, including one that never saw the old value.
func TestVerifyAcrossARotation(t *testing.T) {
	srv := ssmtest.NewServer(nil)
	defer srv.Close()
	start := time.Now()
	srv.SetAt("/app/auth", "pipedrive:old-password", start.Add(-24*time.Hour))
	now := start
	newSource := func() *ParameterCredentials {
		src := NewParameterCredentials(newTestClient(t, srv), "/app/auth", 5*time.Minute, nil)
		src.now = func() time.Time { return now }
		return src
	}
	warm, ctx := newSource(), context.Background()
	verify := func(src *ParameterCredentials, password string, want bool) {
		t.Helper()
		ok, err := src.Verify(ctx, "pipedrive", password)
		if err != nil || ok != want {
			t.Fatalf("at +%s, Verify(%q) = %v, %v; want %v", now.Sub(start), password, ok, err, want)
		}
	}
	verify(warm, "old-password", true)
	verify(warm, "wrong", false)

	// The apply writes the new password; Pipedrive's new webhook sends it at once,
	// while the old webhook (and its retries) still send the old one.
	now = now.Add(time.Minute)
	srv.SetAt("/app/auth", "pipedrive:new-password", now)
	now = now.Add(2 * time.Second)
	verify(warm, "new-password", true) // within the 5-minute cache: re-read on mismatch
	verify(warm, "old-password", true) // grace
	cold := newSource()
	verify(cold, "old-password", true) // a new instance reads the previous version
	verify(cold, "new-password", true)

	calls := srv.Calls()
	for range 50 {
		verify(warm, "guess", false)
	}
	if got := srv.Calls() - calls; got > 1 {
		t.Errorf("50 wrong passwords made %d SSM reads; want at most 1 per MinRefresh", got)
	}

	now = now.Add(DefaultGrace)
	verify(warm, "old-password", false) // the grace is over
	verify(warm, "new-password", true)
	verify(newSource(), "old-password", false)
}

// A stalled SSM costs a bounded wait, tried again a bounded number of times, each
// retry announced.
func TestParameterReadIsBounded(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{"/app/token": "t0ken-value"})
	defer srv.Close()
	srv.Stall(time.Minute)
	var retries []string
	p := &Parameter{Client: newTestClient(t, srv), Name: "/app/token", Timeout: 200 * time.Millisecond, Attempts: 2,
		OnRetry: func(err error, wait time.Duration) { retries = append(retries, err.Error()) }}
	begin := time.Now()
	_, err := p.Value(context.Background())
	if took := time.Since(begin); err == nil || took > 3*time.Second {
		t.Fatalf("Value = %v after %s; want an error within 3 s", err, took)
	}
	if !strings.Contains(err.Error(), "no answer within 200ms") || !strings.Contains(err.Error(), "/app/token") {
		t.Errorf("error %q does not say what timed out", err)
	}
	if len(retries) != 1 {
		t.Errorf("retries announced: %q; want 1", retries)
	}
	srv.Stall(0)
	if v, err := p.Value(context.Background()); err != nil || v != "t0ken-value" {
		t.Errorf("after the stall: %q, %v", v, err)
	}
}
