package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
)

// engine writes a stand-in for terraform that checks its arguments, prints
// stdout and stderr, and exits with code; it returns the TF value naming it.
func engine(t *testing.T, stdout, stderr string, code int) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\n" +
		`[ "$*" = "-chdir=terraform/environments/sandbox output -json stack" ] || { echo "unexpected arguments: $*" >&2; exit 9; }` + "\n" +
		"cat '" + filepath.Join(dir, "stdout") + "'; cat '" + filepath.Join(dir, "stderr") + "' >&2; exit " + string(rune('0'+code)) + "\n"
	path := filepath.Join(dir, "tf")
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil { // #nosec G306 -- a test's stand-in, run by the test
		t.Fatal(err)
	}
	return path
}

const deployed = `{
  "webhook_url": "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive",
  "webhook_registration": "{\"url\":\"https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive\",\"name\":\"a \\u0026 b\"}",
  "log_retention_in_days": 14,
  "watchdog_function_name": null,
  "receiver": { "webhook_url": "elsewhere", "masked": [ "a", "b" ] }
}
`

func TestStackOutput(t *testing.T) {
	tests := []struct {
		name, stdout, stderr string
		code                 int
		output               string
		want                 string // printed
		wantErr              string // the whole error, "" for none
	}{
		{name: "a string as it is", stdout: deployed, output: "webhook_url",
			want: "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive\n"},
		{name: "a JSON string decoded once, as -raw prints it", stdout: deployed, output: "webhook_registration",
			want: `{"url":"https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive","name":"a \u0026 b"}` + "\n"},
		{name: "a number as JSON", stdout: deployed, output: "log_retention_in_days", want: "14\n"},
		{name: "an object as compact JSON, not its namesake inside", stdout: deployed, output: "receiver",
			want: `{"webhook_url":"elsewhere","masked":["a","b"]}` + "\n"},
		{name: "null", stdout: deployed, output: "watchdog_function_name",
			wantErr: "sandbox has no watchdog_function_name (null): see the webhook-stack module's README for when it is set"},
		{name: "a name the stack does not have", stdout: deployed, output: "webhook",
			wantErr: "the stack has no output webhook; it has log_retention_in_days, receiver, watchdog_function_name, webhook_registration, webhook_url"},
		{name: "not deployed", stderr: "Error: Output \"stack\" not found\n", code: 1, output: "webhook_url",
			wantErr: "sandbox has no output stack: deploy it first (or, deployed before its outputs became one, apply it again), with make apply ENV=sandbox"},
		{name: "the engine fails otherwise", stderr: "Error: Failed to load state: AccessDenied\n", code: 1, output: "webhook_url",
			wantErr: "output -json stack: exit status 1\nError: Failed to load state: AccessDenied"},
		{name: "not JSON", stdout: "Warning: something\n", output: "webhook_url",
			wantErr: "sandbox has no output stack: deploy it first (or, deployed before its outputs became one, apply it again), with make apply ENV=sandbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := engine(t, tt.stdout, tt.stderr, tt.code)
			var out, errOut strings.Builder
			err := run(context.Background(), []string{"stack-output", "terraform/environments/sandbox", tt.output},
				func(k string) string { return map[string]string{"TF": tf}[k] }, &out, &errOut)
			got := ""
			if err != nil {
				got = strings.TrimPrefix(err.Error(), tf+" ")
			}
			if got != tt.wantErr {
				t.Errorf("error %q\nwant %q", got, tt.wantErr)
			}
			if out.String() != tt.want {
				t.Errorf("printed %q, want %q", out.String(), tt.want)
			}
		})
	}
}

func TestStackOutputUsage(t *testing.T) {
	var out, errOut strings.Builder
	err := run(context.Background(), []string{"stack-output", "terraform/environments/sandbox"}, func(string) string { return "" }, &out, &errOut)
	var usage *cli.UsageError
	if !errors.As(err, &usage) || !strings.Contains(errOut.String(), "usage: stack-output DIR NAME") || out.Len() != 0 {
		t.Errorf("one argument: %v, stderr %q, stdout %q", err, errOut.String(), out.String())
	}
}
