package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

const (
	token     = "pd-token-7f3a9c1e5b"
	authParam = "/pipedrive-webhooks/sandbox/webhook-auth"
	authUser  = "pipedrive"
	authPass  = "basic-auth-pw-91d2"
	hookURL   = "https://jwfqmc0638.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
)

type harness struct {
	t   *testing.T
	pd  *pipedrivetest.Server
	ssm *ssmtest.Server
	env map[string]string
	// regions are the regions SSM clients were made for.
	regions []string
	// stdin, when set, is the next run's standard input.
	stdin io.Reader
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	pd, err := pipedrivetest.NewServer(token)
	if err != nil {
		t.Fatal(err)
	}
	ssm := ssmtest.NewServer(map[string]string{
		DefaultTokenParameter: token,
		authParam:             authUser + ":" + authPass,
	})
	h := &harness{t: t, pd: pd, ssm: ssm, env: ssm.Env()}
	h.env["PIPEDRIVE_API_URL"] = pd.APIURL()
	h.env["PIPEDRIVE_API_TOKEN"] = token
	h.env["WEBHOOK_AUTH_PARAMETER"] = authParam
	t.Cleanup(func() {
		for _, p := range append(pd.Problems(), ssm.Problems()...) {
			t.Errorf("server saw: %s", p)
		}
		for _, r := range pd.Requests() {
			if r.Header.Get("x-api-token") == "" {
				t.Errorf("%s %s without the token header", r.Method, r.Path)
			}
		}
		pd.Close()
		ssm.Close()
	})
	return h
}

type result struct {
	stdout, stderr string
	err            error
	code           int // the exit status main would return
}

// run runs the program and checks that no secret reached its output or errors.
func (h *harness) run(args ...string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	e := env{
		getenv: func(k string) string { return h.env[k] },
		stdin:  h.stdin,
		stdout: &stdout, stderr: &stderr,
		newSSM: func(_ context.Context, region string) (secrets.GetParameterAPI, error) {
			h.regions = append(h.regions, region)
			return secrets.NewSSMClient(func(k string) string { return h.env[k] })
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, append([]string{"pipedrive-webhook"}, args...), e)
	r := result{stdout: stdout.String(), stderr: stderr.String(), err: err}
	if err != nil {
		r.code = exitCode(err, &stderr)
		r.stderr = stderr.String()
	}
	all := r.stdout + r.stderr
	if err != nil {
		all += err.Error()
	}
	for _, secret := range []string{token, authPass} {
		for i := 0; i+12 <= len(secret); i++ { // nor any 12-character piece of one
			if strings.Contains(all, secret[i:i+12]) {
				h.t.Errorf("%v printed a secret, or %q of one:\n%s", args, secret[i:i+12], all)
				break
			}
		}
	}
	return r
}

func (h *harness) ok(args ...string) result {
	h.t.Helper()
	r := h.run(args...)
	if r.err != nil {
		h.t.Fatalf("%v: %v\nstderr: %s", args, r.err, r.stderr)
	}
	return r
}

func (h *harness) fails(want string, args ...string) result {
	h.t.Helper()
	r := h.run(args...)
	if r.err == nil || !strings.Contains(r.err.Error(), want) {
		h.t.Fatalf("%v: error %v, want one containing %q\nstderr: %s", args, r.err, want, r.stderr)
	}
	return r
}

func TestRegisterCreatesOnceWithBasicAuth(t *testing.T) {
	h := newHarness(t)
	first := h.ok("register", "--url", hookURL)
	second := h.ok("register", "--url", hookURL)
	hooks := h.pd.Webhooks()
	if len(hooks) != 1 {
		t.Fatalf("%d webhooks after two registers, want 1", len(hooks))
	}
	w := hooks[0]
	if strings.TrimSpace(first.stdout) != jsonID(w.ID) || first.stdout != second.stdout {
		t.Errorf("printed %q then %q, want the id %d twice", first.stdout, second.stdout, w.ID)
	}
	if w.SubscriptionURL != hookURL || w.EventAction != "*" || w.EventObject != "deal" || w.Version != "2.0" ||
		w.Name != "pipedrive-webhooks" || w.HTTPAuthUser == nil || *w.HTTPAuthUser != authUser ||
		w.HTTPAuthPassword == nil || *w.HTTPAuthPassword != authPass {
		t.Errorf("registered %+v", w)
	}
	if !strings.Contains(second.stderr, "already delivers") {
		t.Errorf("second register said %q", second.stderr)
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }

func TestRegisterReadsTheTokenFromSSM(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "PIPEDRIVE_API_TOKEN")
	h.ok("register", "--url", hookURL, "--event-object", "person", "--event-action", "change", "--output", "json")
	if hooks := h.pd.Webhooks(); len(hooks) != 1 || hooks[0].EventObject != "person" || hooks[0].EventAction != "change" {
		t.Errorf("webhooks %+v", hooks)
	}
	h.fails("ParameterNotFound", "list", "--token-parameter", "/no/such/parameter")
}

func TestRegisterCredentialSources(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "WEBHOOK_AUTH_PARAMETER")
	h.fails("--no-auth", "register", "--url", hookURL)
	h.env["WEBHOOK_AUTH_USER"], h.env["WEBHOOK_AUTH_PASSWORD"] = "envuser", authPass
	h.ok("register", "--url", hookURL)
	h.ok("register", "--url", hookURL+"?noauth", "--no-auth")
	h.fails("ParameterNotFound", "register", "--url", hookURL+"?other", "--auth-parameter", "/missing")
	hooks := h.pd.Webhooks()
	if len(hooks) != 2 || *hooks[0].HTTPAuthUser != "envuser" || hooks[1].HTTPAuthUser != nil {
		t.Errorf("webhooks %+v", hooks)
	}
}

func TestRegisterReplaceAndRotate(t *testing.T) {
	h := newHarness(t)
	old := h.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://old.example.com/webhooks/pipedrive", EventAction: "*", EventObject: "deal", Version: "2.0", Name: "old"})
	r := h.ok("register", "--url", hookURL, "--replace-id", jsonID(old.ID), "--output", "json")
	var res pipedrive.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || !res.Created || len(res.Deleted) != 1 || res.Deleted[0] != old.ID {
		t.Fatalf("output %q (%v)", r.stdout, err)
	}
	// Rotation: new credentials reach Pipedrive only through a new webhook.
	h.ssm.Set(authParam, authUser+":rotated-pw-55")
	h.ok("register", "--url", hookURL, "--rotate")
	hooks := h.pd.Webhooks()
	if len(hooks) != 1 || hooks[0].ID == res.ID || *hooks[0].HTTPAuthPassword != "rotated-pw-55" {
		t.Errorf("after rotation: %+v", hooks)
	}
}

func TestListAndDelete(t *testing.T) {
	h := newHarness(t)
	r := h.ok("list")
	if !strings.Contains(r.stdout, "ID") || !strings.Contains(r.stderr, "no webhooks") {
		t.Errorf("empty list: %q %q", r.stdout, r.stderr)
	}
	h.ok("register", "--url", hookURL)
	h.ok("register", "--url", hookURL, "--event-object", "person")
	other := h.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://elsewhere.example.com/hook", EventAction: "added", EventObject: "deal", Version: "1.0"})

	r = h.ok("list")
	for _, want := range []string{"VERSION", "*.deal", "*.person", "added.deal", hookURL, "yes"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, r.stdout)
		}
	}
	r = h.ok("list", "--url", hookURL, "--output", "json")
	var listed []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 2 {
		t.Fatalf("json list %q: %v", r.stdout, err)
	}
	if _, has := listed[0]["http_auth_password"]; has || listed[0]["http_auth_user"] != authUser {
		t.Errorf("list shows %v", listed[0])
	}

	h.ok("delete", "--url", hookURL, "--event-object", "person")
	if n := len(h.pd.Webhooks()); n != 2 {
		t.Errorf("%d webhooks after deleting one of three", n)
	}
	r = h.ok("delete", "--id", jsonID(other.ID))
	r2 := h.ok("delete", "--id", jsonID(other.ID))
	if !strings.Contains(r.stderr, "deleted webhook") || !strings.Contains(r2.stderr, "already deleted") {
		t.Errorf("delete said %q, then %q", r.stderr, r2.stderr)
	}
	r = h.ok("delete", "--url", hookURL, "--output", "json")
	if n := len(h.pd.Webhooks()); n != 0 || !strings.Contains(r.stdout, `"deleted"`) {
		t.Errorf("%d webhooks left; output %q", n, r.stdout)
	}
	r = h.ok("delete", "--url", hookURL)
	if !strings.Contains(r.stderr, "nothing to delete") {
		t.Errorf("delete of nothing said %q", r.stderr)
	}
}

func TestMigrateTheSeedWebhook(t *testing.T) {
	h := newHarness(t)
	empty := ""
	seed := h.pd.Add(pipedrivetest.Webhook{ID: 1345147, SubscriptionURL: hookURL, EventAction: "*", EventObject: "deal", Version: "1.0",
		HTTPAuthUser: &empty, HTTPAuthPassword: &empty})
	r := h.ok("migrate", "--id", "1345147")
	hooks := h.pd.Webhooks()
	if len(hooks) != 1 || hooks[0].ID == seed.ID || hooks[0].Version != "2.0" || hooks[0].SubscriptionURL != hookURL ||
		hooks[0].EventAction != "*" || *hooks[0].HTTPAuthUser != authUser {
		t.Fatalf("after migrate: %+v", hooks)
	}
	if strings.TrimSpace(r.stdout) != jsonID(hooks[0].ID) || !strings.Contains(r.stderr, "migrated webhook 1345147") {
		t.Errorf("migrate printed %q / %q", r.stdout, r.stderr)
	}
	// The order matters: the v2 webhook was created before the v1 one was deleted.
	var calls []string
	for _, q := range h.pd.Requests() {
		if q.Method != http.MethodGet {
			calls = append(calls, q.Method)
		}
	}
	if strings.Join(calls, ",") != "POST,DELETE" {
		t.Errorf("calls %v, want POST then DELETE", calls)
	}
	h.fails("does not exist", "migrate", "--id", "1345147")
	r = h.ok("migrate", "--id", jsonID(hooks[0].ID))
	if !strings.Contains(r.stderr, "already v2") {
		t.Errorf("second migrate said %q", r.stderr)
	}
}

func TestMigrateKeepsV1WhenCreateFails(t *testing.T) {
	h := newHarness(t)
	h.pd.Add(pipedrivetest.Webhook{ID: 1345147, SubscriptionURL: hookURL, EventAction: "updated", EventObject: "deal", Version: "1.0"})
	h.pd.SetReachable(func(string) bool { return false })
	h.fails("v1 webhook 1345147 is untouched", "migrate", "--id", "1345147")
	if hooks := h.pd.Webhooks(); len(hooks) != 1 || hooks[0].ID != 1345147 {
		t.Errorf("webhooks %+v", hooks)
	}
}

func TestPipedriveErrorsAreClear(t *testing.T) {
	h := newHarness(t)
	h.pd.SetReachable(func(string) bool { return false })
	h.fails("400 subscription_url: invalid or non-reachable URL", "register", "--url", hookURL)
	h.pd.SetReachable(nil)
	for range pipedrivetest.MaxWebhooks {
		h.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://x.example.com/", EventAction: "*", EventObject: "*"})
	}
	h.fails("limit of 40 webhooks", "register", "--url", hookURL)
	h.env["PIPEDRIVE_API_TOKEN"] = "wrong-token"
	h.fails("401 unauthorized access", "list")
	h.env["PIPEDRIVE_API_URL"] = "ftp://example.com"
	h.fails("not an absolute http(s) URL", "list")
}

func TestRetries(t *testing.T) {
	h := newHarness(t)
	h.pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: 503}, pipedrivetest.Fault{Status: 429, RetryAfter: "1"})
	h.ok("list")
	if n := len(h.pd.Requests()); n != 3 {
		t.Errorf("%d requests for a list after a 503 and a 429, want 3", n)
	}

	// A create that fails with a 5xx but landed is found, not repeated.
	h.pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: 502, Apply: true})
	h.ok("register", "--url", hookURL)
	// One that did not land is made again.
	h.pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: 500})
	h.ok("register", "--url", hookURL, "--event-object", "person", "--settle", "1s")
	if n := len(h.pd.Webhooks()); n != 2 {
		t.Errorf("%d webhooks, want exactly 2", n)
	}

	// A 400 is final.
	before := len(h.pd.Requests())
	h.pd.Inject("DELETE /webhooks/{id}", pipedrivetest.Fault{Status: 403})
	h.fails("403", "delete", "--id", "1")
	if n := len(h.pd.Requests()) - before; n != 1 {
		t.Errorf("a 403 was retried: %d requests", n)
	}

	// Persistent failure ends with the last error.
	h.pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: 503}, pipedrivetest.Fault{Status: 503}, pipedrivetest.Fault{Status: 503}, pipedrivetest.Fault{Status: 503})
	h.fails("503", "list")
}

func TestTimeout(t *testing.T) {
	h := newHarness(t)
	slow := pipedrivetest.Fault{Delay: 1500 * time.Millisecond}
	h.pd.Inject("GET /webhooks", slow, slow, slow, slow)
	start := time.Now()
	h.fails("no answer within 100ms", "list", "--timeout", "100ms")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestUsageErrors(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"register"}, "--url is required"},
		{[]string{"register", "--url", "not a url"}, "not an absolute http(s) URL"},
		{[]string{"register", "--url", "https://u:p@example.com/"}, "must not carry credentials"},
		{[]string{"register", "--url", hookURL, "--event-object", "deals"}, "event object"},
		{[]string{"register", "--url", hookURL, "--event-action", "archived"}, "event action"},
		{[]string{"register", "--url", hookURL, "--version", "3"}, "version"},
		{[]string{"register", "--url", hookURL, "--name", strings.Repeat("n", 256)}, "name"},
		{[]string{"register", "--url", hookURL, "--event-object", "activityType"}, "v1 webhooks only"},
		{[]string{"list", "--timeout", "0s"}, "--timeout"},
		{[]string{"list", "--timeout", "-1s"}, "--timeout"},
		{[]string{"list", "--output", "yaml"}, "--output"},
		{[]string{"list", "extra"}, "unexpected argument"},
		{[]string{"delete"}, "exactly one of --id and --url"},
		{[]string{"delete", "--id", "1", "--registration", "x.json"}, "exactly one of --id, --url and --registration"},
		{[]string{"delete", "--id", "1", "--url", hookURL}, "exactly one of --id and --url"},
		{[]string{"migrate"}, "--id is required"},
		{[]string{"register", "--api-token", "x"}, "not defined"},
	} {
		r := h.run(tt.args...)
		if !errors.As(r.err, new(*cli.UsageError)) || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%v: %v, want a usage error about %s", tt.args, r.err, tt.want)
		}
	}
	if len(h.pd.Requests()) != 0 {
		t.Error("a usage error reached Pipedrive")
	}
	r := h.run("register", "-h")
	// Help asked for goes to stdout, and is no failure.
	if !errors.Is(r.err, flag.ErrHelp) || !strings.Contains(r.stdout, "-url") || r.stderr != "" {
		t.Errorf("register -h: %v, stdout %q, stderr %q", r.err, r.stdout, r.stderr)
	}
	if r.code != 0 {
		t.Errorf("register -h exits %d, want 0", r.code)
	}
	for _, help := range []string{"help", "--help", "-h"} {
		r := h.run(help)
		for _, want := range []string{"migrate", "PIPEDRIVE_API_TOKEN", "PIPEDRIVE_API_URL", "WEBHOOK_AUTH_PARAMETER", "WEBHOOK_AUTH_USER", "AWS_PROFILE", "Exit status"} {
			if r.err != nil || !strings.Contains(r.stdout, want) {
				t.Errorf("%s: %v; the usage lacks %s:\n%s", help, r.err, want, r.stdout)
			}
		}
	}
	if r := h.run("list", "--output", "yaml"); r.code != 2 {
		t.Errorf("a usage error exits %d, want 2", r.code)
	}
}

func TestLoadSSMUsesTheStandardEndpointSettings(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{DefaultTokenParameter: token})
	defer srv.Close()
	for k, v := range srv.Env() {
		t.Setenv(k, v)
	}
	client, err := loadSSM(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := secrets.GetParameter(context.Background(), client, DefaultTokenParameter); err != nil || v != token {
		t.Errorf("GetParameter: %v", err)
	}
}

// TestTerraformLifecycle is what the registration module runs: register with
// --rotate --exclusive on create (and on every replacement), delete --url on
// destroy. The webhook is found by its URL: a renamed stack, or a rotation made by
// hand in between, leaves nothing behind.
func TestTerraformLifecycle(t *testing.T) {
	h := newHarness(t)
	register := func(name, object string) {
		t.Helper()
		h.ok("register", "--url", hookURL, "--event-action", "*", "--event-object", object, "--version", "2.0",
			"--name", name, "--rotate", "--exclusive", "--region", "eu-central-1")
		// Another subscription is another resource: the old one's destroy deletes its webhooks.
		h.ok("delete", "--url", hookURL, "--event-action", "*", "--event-object", map[string]string{"deal": "person", "person": "deal"}[object],
			"--version", "2.0", "--region", "eu-central-1")
		if hooks := h.pd.Webhooks(); len(hooks) != 1 || hooks[0].Name != name || hooks[0].EventObject != object {
			t.Fatalf("after registering %s: %+v", name, hooks)
		}
	}
	register("hooks", "deal")
	h.ssm.Set(authParam, authUser+":v2-password-77") // webhook_auth_version bumped
	register("hooks", "deal")
	if pw := *h.pd.Webhooks()[0].HTTPAuthPassword; pw != "v2-password-77" {
		t.Errorf("after rotation the webhook has the old password")
	}
	register("renamed-hooks", "deal")              // the stack renamed
	h.ok("register", "--url", hookURL, "--rotate") // a rotation by hand, in the operator's region
	h.regions = nil
	register("renamed-hooks", "person") // another event
	other := h.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://another.example.com/hook", EventAction: "*", EventObject: "deal"})
	h.ok("delete", "--url", hookURL, "--region", "eu-central-1") // destroy
	if hooks := h.pd.Webhooks(); len(hooks) != 1 || hooks[0].ID != other.ID {
		t.Errorf("after destroy: %+v; want only another stack's webhook", hooks)
	}
	for _, r := range h.regions {
		if r != "eu-central-1" {
			t.Errorf("SSM read in region %q, want the stack's", r)
		}
	}
}

// The production takeover: the new webhook first, then the ids to retire; ids
// already gone are no error, so a second apply is a no-op.
func TestRegisterRetiresSeveralIDs(t *testing.T) {
	h := newHarness(t)
	seed := h.pd.Add(pipedrivetest.Webhook{ID: 1345147, SubscriptionURL: "https://old.example.com/webhooks/pipedrive", EventAction: "*", EventObject: "deal", Version: "1.0"})
	other := h.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://old.example.com/other", EventAction: "*", EventObject: "deal"})
	h.ok("register", "--url", hookURL, "--replace-id", jsonID(seed.ID)+","+jsonID(other.ID), "--replace-id", "999")
	if hooks := h.pd.Webhooks(); len(hooks) != 1 || hooks[0].SubscriptionURL != hookURL {
		t.Fatalf("after the takeover: %+v", hooks)
	}
	h.ok("register", "--url", hookURL, "--replace-id", jsonID(seed.ID))
	h.fails("not a webhook id", "register", "--url", hookURL, "--replace-id", "x")
}
