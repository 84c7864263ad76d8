package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// The receiver's bootstrap, run by AWS's Runtime Interface Emulator: the event is
// answered 200 {"received":true}, and the function logs the event's record.
func TestInvokeUnderTheEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap and the emulator")
	}
	env := map[string]string{"WEBHOOK_AUTH_USER": "pipedrive", "WEBHOOK_AUTH_PASSWORD": "invoke-pw-1"}
	t.Setenv("WEBHOOK_AUTH_USER", env["WEBHOOK_AUTH_USER"])
	t.Setenv("WEBHOOK_AUTH_PASSWORD", env["WEBHOOK_AUTH_PASSWORD"])
	var out strings.Builder
	payload := filepath.Join(pipedrivetest.FixtureDir(), "v2", "deal-change.json")
	if err := run(context.Background(), []string{"invoke", payload}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	i := strings.Index(text, "==> response\n")
	j := strings.Index(text, "==> log records\n")
	if i < 0 || j < i {
		t.Fatalf("output:\n%s", text)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(text[i+len("==> response\n"):j]), &resp); err != nil || resp.StatusCode != http.StatusOK || strings.TrimSpace(resp.Body) != `{"received":true}` {
		t.Errorf("response %+v (%v):\n%s", resp, err, text)
	}
	if !strings.Contains(text[j:], `"msg":"pipedrive webhook"`) || !strings.Contains(text[j:], `"dedup_key"`) || !strings.Contains(text[j:], `"lambda_request_id"`) {
		t.Errorf("no event record:\n%s", text[j:])
	}
	if strings.Contains(text, "invoke-pw-1") {
		t.Error("printed the password")
	}
}

// Without a payload, invoke says how it is used, on stderr, as a command line it
// cannot take (exit 2). Before, the usage went nowhere: cli.Parse leaves the
// flag set writing to io.Discard once the flags are parsed.
func TestInvokeWithoutAPayload(t *testing.T) {
	var out, errOut strings.Builder
	err := run(context.Background(), []string{"invoke"}, func(string) string { return "" }, &out, &errOut)
	var usage *cli.UsageError
	if !errors.As(err, &usage) || !strings.Contains(errOut.String(), "usage: invoke PAYLOAD.json") || out.Len() != 0 {
		t.Errorf("no payload: %v; stderr %q; stdout %q", err, errOut.String(), out.String())
	}
}
