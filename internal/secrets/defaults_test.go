package secrets

import (
	"context"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

// TestDefaultsAreTheDocumentedOnes pins, with literals, the defaults README
// documents (WEBHOOK_AUTH_TTL 5m, WEBHOOK_AUTH_GRACE 15m). The rotation test
// advanced its clock by DefaultGrace itself, so any value passed. Tried:
// DefaultGrace = time.Hour, and the TTL default 10*time.Minute; each now fails a
// row here.
func TestDefaultsAreTheDocumentedOnes(t *testing.T) {
	if DefaultGrace != 15*time.Minute {
		t.Errorf("DefaultGrace = %s, want 15m (README: WEBHOOK_AUTH_GRACE)", DefaultGrace)
	}
	src, _, err := CredentialsFromEnv(func(k string) string {
		return map[string]string{"WEBHOOK_AUTH_PARAMETER": "/app/auth"}[k]
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pc, ok := src.(*ParameterCredentials)
	if !ok {
		t.Fatalf("source %T, want *ParameterCredentials", src)
	}
	if pc.TTL != 5*time.Minute || pc.Grace != 15*time.Minute || pc.Name != "/app/auth" {
		t.Errorf("TTL %s, grace %s, name %q; want 5m, 15m, /app/auth", pc.TTL, pc.Grace, pc.Name)
	}
}

// TestDefaultGraceEndsAtFifteenMinutes: with the default grace, the previous
// password is accepted 14m59s after the rotation and refused at 15m, on a clock
// advanced by literals, not by DefaultGrace.
func TestDefaultGraceEndsAtFifteenMinutes(t *testing.T) {
	srv := ssmtest.NewServer(nil)
	defer srv.Close()
	rotated := time.Now()
	srv.SetAt("/app/auth", "pipedrive:old-password", rotated.Add(-24*time.Hour))
	srv.SetAt("/app/auth", "pipedrive:new-password", rotated)
	for _, tt := range []struct {
		after time.Duration
		want  bool
	}{
		{time.Second, true},
		{14*time.Minute + 59*time.Second, true},
		{15 * time.Minute, false},
		{time.Hour, false},
	} {
		now := rotated.Add(tt.after)
		src := NewParameterCredentials(newTestClient(t, srv), "/app/auth", 5*time.Minute, nil)
		src.now = func() time.Time { return now }
		if ok, err := src.Verify(context.Background(), "pipedrive", "old-password"); ok != tt.want || err != nil {
			t.Errorf("%s after the rotation: old password accepted = %v, %v; want %v", tt.after, ok, err, tt.want)
		}
	}
}
