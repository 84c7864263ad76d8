package secrets

import (
	"context"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

// The tests in this file kill mutants that gremlins (make mutate) found alive in
// this package: each names the mutation it catches.

// TestCacheAndRefreshEndAtTheirInstant: at exactly TTL after a read the value is
// read again, and at exactly minInterval a refresh reads again (mutants: `< p.TTL`
// and `< minInterval` as `<=`). The clock is on whole seconds, which SSM's
// LastModifiedDate keeps exactly.
func TestCacheAndRefreshEndAtTheirInstant(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{"/app/auth": "pipedrive:one"})
	defer srv.Close()
	now := time.Unix(1_000_000, 0)
	p := &Parameter{Client: newTestClient(t, srv), Name: "/app/auth", TTL: time.Minute, now: func() time.Time { return now }}
	ctx := context.Background()
	if v, err := p.Value(ctx); err != nil || v != "pipedrive:one" {
		t.Fatalf("first read: %q, %v", v, err)
	}
	srv.Set("/app/auth", "pipedrive:two")
	now = now.Add(time.Minute)
	if v, err := p.Value(ctx); err != nil || v != "pipedrive:two" || srv.Calls() != 2 {
		t.Errorf("at exactly the TTL: %q, %v after %d calls; want a new read", v, err, srv.Calls())
	}
	srv.Set("/app/auth", "pipedrive:three")
	now = now.Add(time.Second)
	if !p.Refresh(ctx, time.Second) || srv.Calls() != 3 {
		t.Errorf("a refresh at exactly minInterval did not read again (%d calls)", srv.Calls())
	}
}

// TestGraceEndsAtItsInstant: the previous version is accepted until exactly grace
// after the change, not at it (mutant: `>= grace` as `>`).
func TestGraceEndsAtItsInstant(t *testing.T) {
	srv := ssmtest.NewServer(nil)
	defer srv.Close()
	rotated := time.Unix(1_000_000, 0)
	srv.SetAt("/app/auth", "pipedrive:old-password", rotated.Add(-time.Hour))
	srv.SetAt("/app/auth", "pipedrive:new-password", rotated)
	for after, want := range map[time.Duration]bool{time.Minute - time.Second: true, time.Minute: false} {
		now := rotated.Add(after)
		src := NewParameterCredentials(newTestClient(t, srv), "/app/auth", time.Minute, nil)
		src.Grace, src.now = time.Minute, func() time.Time { return now }
		if ok, err := src.Verify(context.Background(), "pipedrive", "old-password"); ok != want || err != nil {
			t.Errorf("%s after the change: old password %v, %v; want %v", after, ok, err, want)
		}
	}
}

// TestZeroGraceIsAllowed: WEBHOOK_AUTH_GRACE=0 turns the grace off; it is no error
// (mutant: `d < 0` as `d <= 0`).
func TestZeroGraceIsAllowed(t *testing.T) {
	src, _, err := CredentialsFromEnv(func(k string) string {
		return map[string]string{"WEBHOOK_AUTH_PARAMETER": "/a", "WEBHOOK_AUTH_GRACE": "0s"}[k]
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pc := src.(*ParameterCredentials); pc.Grace != 0 {
		t.Errorf("grace %s, want 0", pc.Grace)
	}
}

// TestRetryWaitsASecond: a failed read is tried again after a second (mutant:
// `time.Duration(n) * time.Second` as `/`, no wait).
func TestRetryWaitsASecond(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{"/app/token": "t0ken-value"})
	defer srv.Close()
	srv.Fail(true)
	p := &Parameter{Client: newTestClient(t, srv), Name: "/app/token", Timeout: time.Second, Attempts: 2}
	begin := time.Now()
	if _, err := p.Value(context.Background()); err == nil {
		t.Fatal("read succeeded against a failing SSM")
	}
	if took := time.Since(begin); took < time.Second || srv.Calls() != 2 {
		t.Errorf("2 attempts in %s (%d calls); want a 1 s wait between them", took, srv.Calls())
	}
}
