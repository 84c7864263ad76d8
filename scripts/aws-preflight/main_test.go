package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// isolate empties the AWS settings of the environment and points instance metadata
// at a server that never answers.
func isolate(t *testing.T) {
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(stalled.Close)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_REGION"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", stalled.URL)
}

func TestNoCredentialsFailsFast(t *testing.T) {
	isolate(t)
	begin := time.Now()
	err := run(context.Background(), new(strings.Builder))
	if err == nil || !strings.Contains(err.Error(), "AWS_PROFILE") || time.Since(begin) > 4*time.Second {
		t.Errorf("run = %v after %s; want a fast error naming AWS_PROFILE", err, time.Since(begin))
	}
}

// A profile in ~/.aws counts, as it does for Terraform's provider.
func TestAProfileCounts(t *testing.T) {
	isolate(t)
	creds := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(creds, []byte("[sandbox]\naws_access_key_id = AKIDTEST\naws_secret_access_key = not-a-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_PROFILE", "sandbox")
	var out strings.Builder
	if err := run(context.Background(), &out); err != nil || !strings.Contains(out.String(), "SharedConfigCredentials") {
		t.Errorf("run = %v, said %q", err, out.String())
	}
	if strings.Contains(out.String(), "not-a-secret") {
		t.Error("printed the secret key")
	}
}
