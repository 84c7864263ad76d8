package main

import (
	"context"
	"fmt"
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
	err := checkCredentials(context.Background(), new(strings.Builder))
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
	if err := checkCredentials(context.Background(), &out); err != nil || !strings.Contains(out.String(), "SharedConfigCredentials") {
		t.Errorf("run = %v, said %q", err, out.String())
	}
	if strings.Contains(out.String(), "not-a-secret") {
		t.Error("printed the secret key")
	}
}

// Before production's cut-over: the watchdog reads the seed's token parameter with
// ssm:GetParameter alone only when aws/ssm encrypts it; with a key of its own, the
// root must be given that key (api_token_kms_key_arn). Asked of a local SSM that
// answers DescribeParameters; the value is never read. (No such check before
// issue 21.)
func TestTokenParameterKey(t *testing.T) {
	const arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, tc := range []struct {
		name, typ, keyID, given string
		ok                      bool
		says                    string
	}{
		{"aws/ssm", "SecureString", "alias/aws/ssm", "", true, "aws/ssm"},
		{"own key, none given", "SecureString", "1234abcd-12ab-34cd-56ef-1234567890ab", "", false, "api_token_kms_key_arn"},
		{"own key, given", "SecureString", "1234abcd-12ab-34cd-56ef-1234567890ab", arn, true, arn},
		{"own key by ARN, given", "SecureString", arn, arn, true, arn},
		{"own key, another given", "SecureString", arn, "arn:aws:kms:us-east-1:123456789012:key/other", false, "but api_token_kms_key_arn is"},
		{"alias of its own", "SecureString", "alias/pipedrive", arn, false, "describe-key"},
		{"not secure", "String", "", "", false, "not a SecureString"},
		{"missing", "", "", "", false, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			ssm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Amz-Target") != "AmazonSSM.DescribeParameters" {
					http.Error(w, `{"__type":"AccessDeniedException"}`, http.StatusBadRequest)
					return
				}
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				if tc.typ == "" {
					_, _ = w.Write([]byte(`{"Parameters":[]}`))
					return
				}
				_, _ = fmt.Fprintf(w, `{"Parameters":[{"Name":"/dissertation-editor/pipedrive/api-token","Type":%q,"KeyId":%q}]}`, tc.typ, tc.keyID)
			}))
			defer ssm.Close()
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
			t.Setenv("AWS_ENDPOINT_URL_SSM", ssm.URL)
			var out strings.Builder
			err := checkTokenKey(context.Background(), &out, "us-east-1", "/dissertation-editor/pipedrive/api-token", tc.given)
			said := out.String()
			if err != nil {
				said = err.Error()
			}
			if (err == nil) != tc.ok || !strings.Contains(said, tc.says) {
				t.Errorf("ok %v, said %q; want ok %v, saying %q", err == nil, said, tc.ok, tc.says)
			}
		})
	}
}
