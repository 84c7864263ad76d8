package secrets

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

// TestChooseCredentials: one choice for the receiver, the tool and the watchdog. A
// half-set pair is an error everywhere (the watchdog read one as "none" before).
func TestChooseCredentials(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		flag    string
		want    CredentialChoice
		wantErr error
		desc    string
	}{
		{"parameter", map[string]string{"WEBHOOK_AUTH_PARAMETER": "/p", "WEBHOOK_AUTH_USER": "u", "WEBHOOK_AUTH_PASSWORD": "pw"}, "", CredentialChoice{Parameter: "/p"}, nil, "SSM parameter /p"},
		{"a flag's parameter wins", map[string]string{"WEBHOOK_AUTH_PARAMETER": "/p"}, "/flag", CredentialChoice{Parameter: "/flag"}, nil, "SSM parameter /flag"},
		{"a pair", map[string]string{"WEBHOOK_AUTH_USER": "u", "WEBHOOK_AUTH_PASSWORD": "pw"}, "", CredentialChoice{Pair: Credentials{User: "u", Password: "pw"}}, nil, "WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD"},
		{"none", nil, "", CredentialChoice{}, ErrNotConfigured, ""},
		{"a user alone", map[string]string{"WEBHOOK_AUTH_USER": "u"}, "", CredentialChoice{}, ErrHalfPair, ""},
		{"a password alone", map[string]string{"WEBHOOK_AUTH_PASSWORD": "pw"}, "", CredentialChoice{}, ErrHalfPair, ""},
		{"a user with a colon", map[string]string{"WEBHOOK_AUTH_USER": "u:x", "WEBHOOK_AUTH_PASSWORD": "pw"}, "", CredentialChoice{}, ErrHalfPair, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseCredentials(func(k string) string { return tt.env[k] }, tt.flag)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Fatalf("ChooseCredentials = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
			if err == nil && got.String() != tt.desc {
				t.Errorf("String() = %q, want %q", got.String(), tt.desc)
			}
		})
	}
}

// TestCredentialSourceReadPolicy: the receiver's policy caches the parameter; the
// tool's and the watchdog's read it afresh, so a rotation is seen at once.
func TestCredentialSourceReadPolicy(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{"/app/auth": "pipedrive:one"})
	defer srv.Close()
	client := newTestClient(t, srv)
	choice := CredentialChoice{Parameter: "/app/auth"}
	cached := choice.Source(client, ReadPolicy{TTL: time.Hour, Grace: DefaultGrace})
	fresh := choice.Source(client, ReadPolicy{Fresh: true, Timeout: time.Second, Attempts: 2})
	ctx := context.Background()
	for _, src := range []CredentialSource{cached, fresh} {
		if c, err := src.Credentials(ctx); err != nil || c.Password != "one" {
			t.Fatalf("first read: %+v, %v", c, err)
		}
	}
	srv.Set("/app/auth", "pipedrive:two")
	if c, _ := cached.Credentials(ctx); c.Password != "one" {
		t.Errorf("the cached source read %q within its TTL", c.Password)
	}
	if c, _ := fresh.Credentials(ctx); c.Password != "two" {
		t.Errorf("the fresh source read %q after a rotation, want two", c.Password)
	}
	// Verify: the fresh source knows the new password at once (the cached one
	// re-reads on a mismatch at most once a second: TestParameterCachesAndRotates).
	if ok, err := fresh.Verify(ctx, "pipedrive", "two"); err != nil || !ok {
		t.Errorf("fresh: the new password refused: %v", err)
	}
	if ok, _ := cached.Verify(ctx, "pipedrive", "one"); !ok {
		t.Error("cached: the rotated-out password refused within the grace")
	}
	if ok, _ := fresh.Verify(ctx, "pipedrive", "one"); ok {
		t.Error("fresh, no grace: the rotated-out password accepted")
	}
	pair := CredentialChoice{Pair: Credentials{User: "u", Password: "pw"}}.Source(client, ReadPolicy{})
	if c, err := pair.Credentials(ctx); err != nil || c != (Credentials{User: "u", Password: "pw"}) {
		t.Errorf("a pair's source: %+v, %v", c, err)
	}
}
