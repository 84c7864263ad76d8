package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdalocal"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdatest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

const (
	testUser     = "pipedrive"
	testPassword = "a-test-password-0f9d"
)

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestRunLocalServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &logtest.Buffer{}
	env := map[string]string{"WEBHOOK_AUTH_USER": testUser, "WEBHOOK_AUTH_PASSWORD": testPassword}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"receiver", "-addr", "127.0.0.1:0"}, envFunc(env), out, io.Discard) }()

	var listening struct{ Addr string }
	_ = json.Unmarshal([]byte(out.WaitFor(t, `"msg":"listening"`)), &listening)
	base := "http://" + listening.Addr

	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/pipedrive", bytes.NewReader(deal.Body))
	req.SetBasicAuth(testUser, testPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != `{"received":true}` {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	health, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	health.Body.Close()
	if health.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %s", health.Status)
	}
	out.WaitFor(t, `"msg":"pipedrive webhook"`)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop after its context ended")
	}
	out.WaitFor(t, `"msg":"stopped"`)
	if strings.Contains(out.String(), testPassword) {
		t.Errorf("the password is in the output:\n%s", out)
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad max body", nil, map[string]string{"MAX_BODY_BYTES": "lots"}, "MAX_BODY_BYTES"},
		{"negative max body", nil, map[string]string{"MAX_BODY_BYTES": "-1"}, "MAX_BODY_BYTES"},
		{"bad log level", nil, map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"half the credentials", nil, map[string]string{"WEBHOOK_AUTH_USER": "u"}, "WEBHOOK_AUTH_PASSWORD"},
		{"unknown flag", []string{"-port", "1"}, nil, "-port"},
		{"address in use or invalid", []string{"-addr", "256.0.0.1:99999"}, nil, "256.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &logtest.Buffer{}
			err := run(context.Background(), append([]string{"receiver"}, tt.args...), envFunc(tt.env), out, io.Discard)
			if err == nil || !strings.Contains(err.Error()+out.String(), tt.want) {
				t.Errorf("run = %v (output %q); want an error about %s", err, out, tt.want)
			}
		})
	}
}

// TestBootstrapProcess runs the built bootstrap against a local Lambda Runtime API
// and a local SSM, as Lambda would run it: credentials from an SSM SecureString,
// events from API Gateway, answers back through the Runtime API.
func TestBootstrapProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bootstrap binary")
	}
	bin := lambdatest.BuildBootstrap(t, "./lambda/receiver")
	ssm := ssmtest.NewServer(map[string]string{"/pipedrive-webhooks/sandbox/webhook-auth": testUser + ":" + testPassword})
	defer ssm.Close()

	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	v1, _ := pipedrivetest.GetFixture("v1/deal-updated")
	auth := "Basic " + basicToken(testUser, testPassword)
	var evs [][]byte
	for _, e := range []struct {
		body []byte
		auth string
		b64  bool
	}{{deal.Body, auth, false}, {v1.Body, auth, true}, {deal.Body, "", false}, {[]byte("{oops"), auth, false}} {
		ev, err := lambdalocal.GatewayEvent(e.body, e.auth, e.b64)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(ev)
		evs = append(evs, raw)
	}
	rt := lambdalocal.NewRuntime(evs...)
	defer rt.Close()

	cmd := exec.Command(bin)
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + rt.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=pipedrive-webhook", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/pipedrive-webhook",
		"WEBHOOK_AUTH_PARAMETER=/pipedrive-webhooks/sandbox/webhook-auth",
		"HOME=" + t.TempDir(),
	}
	for k, v := range ssm.Env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout := &logtest.Buffer{}
	cmd.Stdout, cmd.Stderr = stdout, stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	wantStatus := []int{200, 200, 401, 200}
	for i, want := range wantStatus {
		select {
		case res := <-rt.Results:
			var resp events.APIGatewayV2HTTPResponse
			if res.Error || json.Unmarshal(res.Body, &resp) != nil {
				t.Fatalf("invocation %d: error %s", i+1, res.Body)
			}
			if resp.StatusCode != want {
				t.Errorf("invocation %d: status %d, want %d (%s)", i+1, resp.StatusCode, want, resp.Body)
			}
			if want == 200 && strings.TrimSpace(resp.Body) != `{"received":true}` {
				t.Errorf("invocation %d: body %q", i+1, resp.Body)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no answer to invocation %d; output:\n%s", i+1, stdout)
		}
	}
	// The process's output reaches the buffer through a pipe, possibly after its
	// answer reached the Runtime API: wait for each record rather than look once.
	for _, want := range []string{
		`"msg":"receiver started","mode":"lambda","auth":"SSM parameter /pipedrive-webhooks/sandbox/webhook-auth"`,
		`"msg":"pipedrive webhook","request_id":"JKJaXmPLvHcESHA="`,
		`"version":"1.0","action":"change","raw_action":"updated"`,
		`"reason":"missing_credentials"`,
		`"kind":"invalid_json"`,
	} {
		stdout.WaitFor(t, want)
	}
	logs := stdout.String()
	if strings.Contains(logs, testPassword) || strings.Contains(logs, basicToken(testUser, testPassword)) {
		t.Errorf("a secret is in the logs:\n%s", logs)
	}
	if ssm.Calls() != 1 {
		t.Errorf("%d SSM calls for 4 invocations, want 1 (cached)", ssm.Calls())
	}
	if p := ssm.Problems(); len(p) > 0 {
		t.Errorf("SSM requests: %v", p)
	}
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Errorf("a log line is not JSON: %s", sc.Text())
		}
	}
}

func basicToken(user, password string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, password)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// A password rotation loses no delivery, end to end: the receiver runs as it does
// in Lambda (credentials from an SSM parameter, cached for 5 minutes), the
// parameter is rotated, and deliveries carrying the old password (the old
// webhook, Pipedrive's retries) and the new one (the new webhook) keep arriving.
// Every one is answered 200; a wrong password still gets 401.
func TestRotationLosesNoDelivery(t *testing.T) {
	const param = "/pdw-test/webhook-auth"
	ssm := ssmtest.NewServer(map[string]string{param: testUser + ":old-password-1"})
	defer ssm.Close()
	env := ssm.Env()
	env["WEBHOOK_AUTH_PARAMETER"] = param
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &logtest.Buffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"receiver", "-addr", "127.0.0.1:0"}, envFunc(env), out, io.Discard) }()
	var listening struct{ Addr string }
	_ = json.Unmarshal([]byte(out.WaitFor(t, `"msg":"listening"`)), &listening)
	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	deliver := func(password string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+listening.Addr+"/webhooks/pipedrive", bytes.NewReader(deal.Body))
		req.SetBasicAuth(testUser, password)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := deliver("old-password-1"); got != http.StatusOK {
		t.Fatalf("before the rotation: %d", got)
	}
	ssm.Set(param, testUser+":new-password-2") // the apply writes the new password,
	time.Sleep(1100 * time.Millisecond)        // then registers the new webhook
	for i := range 20 {
		for _, pw := range []string{"new-password-2", "old-password-1"} {
			if got := deliver(pw); got != http.StatusOK {
				t.Fatalf("delivery %d with the %s password: %d, want 200", i, pw, got)
			}
		}
	}
	if got := deliver("guessed"); got != http.StatusUnauthorized {
		t.Errorf("a wrong password: %d, want 401", got)
	}
	if strings.Contains(out.String(), "password-") {
		t.Error("a password reached the log")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

func TestHelpExitsZeroAndListsTheEnvironment(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"receiver", "-h"}, envFunc(nil), &out, io.Discard)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h = %v, want flag.ErrHelp (main exits 0 on it)", err)
	}
	for _, want := range []string{"-addr", "LISTEN_ADDR", "MAX_BODY_BYTES", "LOG_LEVEL", "WEBHOOK_AUTH_PARAMETER", "WEBHOOK_AUTH_TTL", "WEBHOOK_AUTH_GRACE", "WEBHOOK_AUTH_USER"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h does not mention %s:\n%s", want, out.String())
		}
	}
}

// An oversized body is answered 200 even to a client that asked for
// "Connection: close": the receiver reads (a bounded amount of) it first, so the
// client never meets a reset while it is still sending.
func TestOversizedBodyOnConnectionClose(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &logtest.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"receiver", "-addr", "127.0.0.1:0", "-max-body-bytes", "1024"}, envFunc(nil), out, io.Discard)
	}()
	var listening struct{ Addr string }
	_ = json.Unmarshal([]byte(out.WaitFor(t, `"msg":"listening"`)), &listening)
	body := bytes.Repeat([]byte("x"), 2<<20)
	for i := range 10 {
		req, _ := http.NewRequest(http.MethodPost, "http://"+listening.Addr+"/webhooks/pipedrive", bytes.NewReader(body))
		req.Close = true
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	out.WaitFor(t, `"kind":"body_too_large"`)
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestSenderCheckConfiguration(t *testing.T) {
	tests := []struct {
		name     string
		inLambda bool
		env      map[string]string
		wantMode string // "" for no checker
		wantDesc string
		wantErr  string
	}{
		{"local: off whatever is asked", false, map[string]string{"SENDER_CHECK": "enforce", "SENDER_RANGES_PARAMETER": "/p"}, "", "off: locally there is no source address to check", ""},
		{"lambda default: monitor", true, map[string]string{"SENDER_RANGES_PARAMETER": "/p"}, "monitor", "monitor: SSM parameter /p", ""},
		{"lambda enforce", true, map[string]string{"SENDER_CHECK": "enforce", "SENDER_RANGES_PARAMETER": "/p"}, "enforce", "enforce: SSM parameter /p", ""},
		{"lambda off", true, map[string]string{"SENDER_CHECK": "off", "SENDER_RANGES_PARAMETER": "/p"}, "", "off", ""},
		{"lambda without a parameter", true, nil, "", "off: no SENDER_RANGES_PARAMETER", ""},
		{"enforce asked without a parameter", true, map[string]string{"SENDER_CHECK": "enforce"}, "", "", "SENDER_CHECK=enforce needs SENDER_RANGES_PARAMETER"},
		{"a mode that does not exist", true, map[string]string{"SENDER_CHECK": "block"}, "", "", `sender check "block"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, desc, err := senderCheck(tt.inLambda, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if desc != tt.wantDesc {
				t.Errorf("description %q, want %q", desc, tt.wantDesc)
			}
			if got := ""; c != nil {
				got = string(c.Mode)
				if got != tt.wantMode {
					t.Errorf("mode %q, want %q", got, tt.wantMode)
				}
			} else if tt.wantMode != "" {
				t.Errorf("no checker, want mode %q", tt.wantMode)
			}
		})
	}
}
