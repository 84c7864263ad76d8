package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdalocal"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdatest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
)

const (
	token     = "0123456789abcdef0123456789abcdef01234567"
	password  = "watchdog-main-password-3c9a"
	stackURL  = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
	tokenName = "/pdw-test/api-token"
	authName  = "/pdw-test/webhook-auth"
)

// stackEnv is the environment Terraform gives the function, pointed at local
// stand-ins of Pipedrive and SSM.
func stackEnv(t *testing.T) (map[string]string, *pipedrivetest.Server, *ssmtest.Server) {
	t.Helper()
	pd, err := pipedrivetest.NewServer(token)
	if err != nil {
		t.Fatal(err)
	}
	ssm := ssmtest.NewServer(map[string]string{tokenName: token, authName: "pipedrive:" + password})
	t.Cleanup(func() {
		pd.Close()
		ssm.Close()
		if p := append(pd.Problems(), ssm.Problems()...); len(p) > 0 {
			t.Errorf("requests off the APIs' specs: %v", p)
		}
	})
	env := ssm.Env()
	env["WEBHOOK_REGISTRATION"] = registrationJSON(t, pd, nil)
	return env, pd, ssm
}

// registrationJSON is the stack's registration as Terraform encodes it, pointed at
// pd, with change applied to it first.
func registrationJSON(t *testing.T, pd *pipedrivetest.Server, change func(map[string]any)) string {
	t.Helper()
	v := map[string]any{
		"url": stackURL, "name": "pipedrive-webhooks-sandbox",
		"subscriptions": []map[string]any{{"event_object": "deal", "event_action": "*", "version": "2.0"}},
		"user_id":       0, "auth_parameter": authName, "auth_version": 1, "token_parameter": tokenName,
		"region": nil, "api_url": pd.APIURL(),
	}
	if change != nil {
		change(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func noSecrets(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{token, password} {
		for i := 0; i+12 <= len(s); i++ { // nor any 12-character piece of one
			if strings.Contains(out, s[i:i+12]) {
				t.Errorf("a secret, or %q of one, is in the output:\n%s", s[i:i+12], out)
				break
			}
		}
	}
}

func TestRunOnce(t *testing.T) {
	env, pd, _ := stackEnv(t)
	out := &logtest.Buffer{}
	if err := run(context.Background(), []string{"watchdog"}, func(k string) string { return env[k] }, out, io.Discard); err != nil {
		t.Fatalf("a missing webhook, repaired: %v\n%s", err, out)
	}
	hooks := pd.Webhooks()
	if len(hooks) != 1 || hooks[0].SubscriptionURL != stackURL || *hooks[0].HTTPAuthPassword != password {
		t.Fatalf("webhooks %+v", hooks)
	}
	pd.SetActive(hooks[0].ID, false, 0)
	err := run(context.Background(), []string{"watchdog"}, func(k string) string { return env[k] }, out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unhealthy: inactive") {
		t.Errorf("an inactive webhook: %v", err)
	}
	out.WaitFor(t, `"status":"reregistered"`)
	out.WaitFor(t, `"status":"unhealthy"`)
	noSecrets(t, out.String())
}

func TestConfigurationErrors(t *testing.T) {
	full, pd, _ := stackEnv(t)
	reg := func(change func(map[string]any)) map[string]string {
		return map[string]string{"WEBHOOK_REGISTRATION": registrationJSON(t, pd, change)}
	}
	noAuth := func(v map[string]any) { delete(v, "auth_parameter") }
	tests := []struct {
		name  string
		unset []string
		set   map[string]string
		want  string
	}{
		{"no registration", []string{"WEBHOOK_REGISTRATION"}, nil, "WEBHOOK_REGISTRATION is not set"},
		{"not JSON", nil, map[string]string{"WEBHOOK_REGISTRATION": "url=https://x"}, "WEBHOOK_REGISTRATION: registration: not a registration's JSON"},
		// The eight variables of before are no registration's fields.
		{"an unknown field", nil, reg(func(v map[string]any) { v["event_object"] = "deal" }), `unknown field "event_object"`},
		{"bad URL", nil, reg(func(v map[string]any) { v["url"] = "ftp://x" }), "not an absolute http(s) URL"},
		{"bad object", nil, reg(func(v map[string]any) { v["subscriptions"] = []map[string]string{{"event_object": "deals"}} }), `event object "deals"`},
		{"overlapping subscriptions", nil, reg(func(v map[string]any) {
			v["subscriptions"] = []map[string]string{{"event_object": "*"}, {"event_object": "deal", "event_action": "change"}}
		}), "subscriptions[1] (change.deal (v2.0)) overlaps subscriptions[0] (*.* (v2.0))"},
		{"no credentials", nil, reg(noAuth), "no basic-auth credentials"},
		// Failed before: a half-set pair read as "no credentials" (issue 19).
		{"a user without a password", nil, map[string]string{"WEBHOOK_REGISTRATION": registrationJSON(t, pd, noAuth), "WEBHOOK_AUTH_USER": "pipedrive"}, "set both WEBHOOK_AUTH_USER (no colon) and WEBHOOK_AUTH_PASSWORD, or neither"},
		{"a user with a colon", nil, map[string]string{"WEBHOOK_REGISTRATION": registrationJSON(t, pd, noAuth), "WEBHOOK_AUTH_USER": "pipe:drive", "WEBHOOK_AUTH_PASSWORD": "x"}, "set both WEBHOOK_AUTH_USER (no colon)"},
		{"bad log level", nil, map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range full {
				env[k] = v
			}
			for _, k := range tt.unset {
				delete(env, k)
			}
			for k, v := range tt.set {
				env[k] = v
			}
			err := run(context.Background(), []string{"watchdog"}, func(k string) string { return env[k] }, &logtest.Buffer{}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want an error about %s", err, tt.want)
			}
		})
	}
}

// The registration Terraform gives the function holds every subscription: one
// run checks (here: registers) each, and a run that finds one unhealthy says
// which. Only the registration's parameters are read: nothing else tells the
// watchdog where they are.
func TestRunChecksEverySubscription(t *testing.T) {
	env, pd, _ := stackEnv(t)
	env["WEBHOOK_REGISTRATION"] = registrationJSON(t, pd, func(v map[string]any) {
		v["subscriptions"] = []map[string]string{{"event_object": "deal"}, {"event_object": "person", "event_action": "create"}}
	})
	out := &logtest.Buffer{}
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"watchdog"}, getenv, out, io.Discard); err != nil {
		t.Fatalf("two missing webhooks, repaired: %v\n%s", err, out)
	}
	hooks := pd.Webhooks()
	if len(hooks) != 2 || hooks[0].EventObject == hooks[1].EventObject {
		t.Fatalf("webhooks %+v; want one per subscription", hooks)
	}
	for _, h := range hooks {
		if h.EventObject == "person" {
			pd.SetActive(h.ID, false, 0)
		}
	}
	err := run(context.Background(), []string{"watchdog"}, getenv, out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "create.person (v2.0)") || strings.Contains(err.Error(), "*.deal") {
		t.Errorf("one inactive webhook among two: %v; want it named, alone", err)
	}
	var checks int
	for _, r := range out.Records(t) {
		if r["msg"] == watchdog.MsgCheck {
			checks++
		}
	}
	if checks != 4 {
		t.Errorf("%d check records for 2 runs of 2 subscriptions, want 4", checks)
	}
	noSecrets(t, out.String())
}

// TestBootstrapProcess runs the built bootstrap as Lambda runs it, with two
// scheduled invocations: the first finds the webhook gone and registers it again,
// the second finds it healthy. Both parameters are read on each.
func TestBootstrapProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bootstrap binary")
	}
	bin := lambdatest.BuildBootstrap(t, "./lambda/watchdog")
	env, pd, ssm := stackEnv(t)
	// What EventBridge Scheduler sends: the schedule's input.
	event := []byte(`{"source":"schedule"}`)
	rt := lambdalocal.NewRuntime(event, event)
	defer rt.Close()
	cmd := exec.Command(bin)
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + rt.Addr(), "AWS_LAMBDA_FUNCTION_NAME=pdw-watchdog", "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &logtest.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	for i, want := range []string{watchdog.StatusReRegistered, watchdog.StatusHealthy} {
		select {
		case res := <-rt.Results:
			var rs []watchdog.Report
			if res.Error || json.Unmarshal(res.Body, &rs) != nil || len(rs) != 1 || rs[0].Status != want || rs[0].Webhook == nil {
				t.Fatalf("invocation %d: %s, want status %s", i+1, res.Body, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no answer to invocation %d; output:\n%s", i+1, out)
		}
	}
	out.WaitFor(t, `"msg":"webhook check","status":"healthy"`)
	if n := len(pd.Webhooks()); n != 1 {
		t.Errorf("%d webhooks, want 1", n)
	}
	if ssm.Calls() != 4 {
		t.Errorf("%d SSM reads for 2 checks, want 4: the token and credentials are read afresh", ssm.Calls())
	}
	noSecrets(t, out.String())
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Errorf("a log line is not JSON: %s", sc.Text())
		}
	}
}

// Run locally, -deadline bounds the check: with Pipedrive asking to retry in an
// hour, it reports unknown at once and writes its record. Failed before: there was
// no deadline, and the check waited a minute per retry.
func TestRunLocallyHasADeadline(t *testing.T) {
	env, pd, _ := stackEnv(t)
	for range 4 {
		pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: 429, RetryAfter: "3600"})
	}
	out := &logtest.Buffer{}
	begin := time.Now()
	err := run(context.Background(), []string{"watchdog", "-deadline", "20s"}, func(k string) string { return env[k] }, out, io.Discard)
	if took := time.Since(begin); err == nil || !strings.Contains(err.Error(), "unknown") || took > 5*time.Second {
		t.Errorf("after %s: %v; want unknown at once", took, err)
	}
	out.WaitFor(t, `"status":"unknown"`)
	noSecrets(t, out.String())
}

// WEBHOOK_PAUSE_PARAMETER pauses the checks; its deletion (a destroy) stops them
// registering anything. Failed before: the variable was not read.
func TestPauseParameter(t *testing.T) {
	env, pd, ssm := stackEnv(t)
	env["WEBHOOK_PAUSE_PARAMETER"] = "/pdw-test/watchdog-pause"
	ssm.Set("/pdw-test/watchdog-pause", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	out := &logtest.Buffer{}
	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"watchdog"}, getenv, out, io.Discard); err == nil || !strings.Contains(err.Error(), "paused until") {
		t.Errorf("paused: %v", err)
	}
	ssm.Delete("/pdw-test/watchdog-pause")
	if err := run(context.Background(), []string{"watchdog"}, getenv, out, io.Discard); err == nil || !strings.Contains(err.Error(), "being destroyed") {
		t.Errorf("destroyed: %v", err)
	}
	if len(pd.Webhooks()) != 0 {
		t.Errorf("registered %+v while paused", pd.Webhooks())
	}
	out.WaitFor(t, `"status":"paused"`)
	noSecrets(t, out.String())
}

// TestRunKeepsTheSenderRanges: with SENDER_RANGES_PARAMETER, a run checks the
// webhook and then stores Pipedrive's published ranges, one record each.
func TestRunKeepsTheSenderRanges(t *testing.T) {
	env, _, ssm := stackEnv(t)
	pub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"prefixes":["185.166.140.0/22","2a03:6b40::/32"]}`))
	}))
	defer pub.Close()
	env["SENDER_RANGES_PARAMETER"], env["SENDER_RANGES_URL"] = "/pdw-test/sender-ranges", pub.URL
	ssm.Set("/pdw-test/sender-ranges", `{"prefixes":[]}`)
	out := &logtest.Buffer{}
	if err := run(context.Background(), []string{"watchdog"}, func(k string) string { return env[k] }, out, io.Discard); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var msgs []string
	for _, r := range out.Records(t) {
		msgs = append(msgs, r["msg"].(string))
		if r["msg"] == "sender ranges" && (r["status"] != "refreshed" || r["stale"] != false) {
			t.Errorf("record %v", r)
		}
	}
	if got := strings.Join(msgs, ","); !strings.HasSuffix(got, "webhook check,sender ranges") {
		t.Errorf("records %s: want the check, then the ranges", got)
	}
	if v, _ := ssm.Value("/pdw-test/sender-ranges"); !strings.Contains(v, `"2a03:6b40::/32"`) {
		t.Errorf("stored ranges %s", v)
	}
	noSecrets(t, out.String())
}
