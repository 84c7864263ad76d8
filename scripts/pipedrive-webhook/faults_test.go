package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// TestEveryCommandSurvivesAMisbehavingPipedrive runs every command against each
// fault a real Pipedrive (or something posing as it) can show, and checks after
// each: no secret printed (the harness checks every run), the stack never holds two
// webhooks, nothing reached another origin, and the exit status is the fault's own
// (wantExit) — never a crash, a hang, or a usage error.
func TestEveryCommandSurvivesAMisbehavingPipedrive(t *testing.T) {
	var elsewhere atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		http.Error(w, "gotcha", http.StatusTeapot)
	}))
	defer evil.Close()
	faults := map[string]pipedrivetest.Fault{
		"500":                {Status: 500},
		"502 after landing":  {Status: 502, Apply: true},
		"429 Retry-After":    {Status: 429, RetryAfter: "1"},
		"slow":               {Delay: 2 * time.Second},
		"truncated JSON":     {Status: 200, Body: `{"success":true,"data":[{"id":1,"subscription_url":"htt`},
		"HTML page":          {Status: 503, Body: "<html><body><h1>Service Unavailable</h1></body></html>", ContentType: "text/html"},
		"401":                {Status: 401, Body: `{"success":false,"error":"unauthorized access","errorCode":401}`},
		"redirect elsewhere": {Status: 307, Location: evil.URL + "/v1/webhooks"},
		"success false":      {Status: 200, Body: `{"success":false,"error":"temporarily unavailable"}`},
		"echoes secrets":     {Status: 400, Echo: true},
		"echoes as JSON":     {Status: 400, Body: `{"success":false,"error":"bad token ` + token + `"}`},
	}
	// Each fault answers one request per route. What a later attempt may cure (5xx,
	// 429, a timeout, an unusable 2xx answer to an idempotent request; a create is
	// looked for, then made again) ends in success; what no retry cures (401, 400,
	// success: false, a redirect to another origin) fails every command. Before, any
	// exit 0 or 1 passed: making 401 or success: false retryable, or an unusable
	// answer final, left the matrix green; each now fails its rows.
	wantExit := map[string]int{
		"500": 0, "502 after landing": 0, "429 Retry-After": 0, "slow": 0, "truncated JSON": 0, "HTML page": 0,
		"401": 1, "redirect elsewhere": 1, "success false": 1, "echoes secrets": 1, "echoes as JSON": 1,
	}
	commands := map[string][]string{
		"register":      {"register", "--url", hookURL, "--settle", "1s"},
		"register -rot": {"register", "--url", hookURL, "--rotate", "--exclusive", "--settle", "1s"},
		"list":          {"list"},
		"delete --url":  {"delete", "--url", hookURL},
		"delete --id":   {"delete", "--id", "1345147"},
		"migrate":       {"migrate", "--id", "1345147", "--settle", "1s"},
	}
	for fname, fault := range faults {
		for cname, args := range commands {
			t.Run(fname+"/"+cname, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				empty := ""
				h.pd.Add(pipedrivetest.Webhook{ID: 1345147, SubscriptionURL: hookURL, EventAction: "*", EventObject: "deal", Version: "1.0", HTTPAuthUser: &empty})
				for _, route := range []string{"GET /webhooks", "POST /webhooks", "DELETE /webhooks/{id}"} {
					f := fault
					if fname == "echoes as JSON" && route == "POST /webhooks" {
						// What was posted, reflected: the webhook's password in every spelling.
						f.Body = `{"success":false,"error":"rejected http_auth_password ` + authPass + ` (` +
							url.QueryEscape(authPass) + `, ` + base64.StdEncoding.EncodeToString([]byte(authUser+":"+authPass)) + `)"}`
					}
					h.pd.Inject(route, f)
				}
				r := h.run(append(args, "--timeout", "500ms")...)
				if want, ok := wantExit[fname]; !ok || r.code != want {
					t.Errorf("exit %d (%v), want %d", r.code, r.err, want)
				}
				if strings.Count(r.stderr, "pipedrive-webhook:") > 1 || r.err != nil && strings.Contains(r.err.Error(), "\n") {
					t.Errorf("the error is not one line:\n%s", r.stderr)
				}
				stack := 0
				for _, w := range h.pd.Webhooks() {
					if w.SubscriptionURL == hookURL && w.Version == "2.0" {
						stack++
					}
				}
				if stack > 1 {
					t.Errorf("%d webhooks deliver the stack's events twice", stack)
				}
				if strings.HasPrefix(cname, "register") && r.err == nil && stack != 1 {
					t.Errorf("register succeeded with %d webhooks", stack)
				}
			})
		}
	}
	t.Cleanup(func() {
		if n := elsewhere.Load(); n > 0 {
			t.Errorf("another origin received %d requests", n)
		}
	})
}

// Without a token or AWS credentials, the tool says what to do within 2 seconds,
// even when instance metadata hangs.
func TestNoTokenNoAWSFailsFast(t *testing.T) {
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	defer stalled.Close()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", stalled.URL)
	for _, cmd := range [][]string{{"list"}, {"register", "--url", hookURL}} {
		var stdout, stderr strings.Builder
		begin := time.Now()
		err := run(t.Context(), append([]string{"pipedrive-webhook"}, cmd...),
			env{getenv: func(string) string { return "" }, stdout: &stdout, stderr: &stderr, newSSM: loadSSM})
		code := exitCode(err, &stderr)
		took := time.Since(begin)
		msg := strings.TrimSpace(stderr.String())
		if code != 1 || took > 2500*time.Millisecond || strings.Contains(msg, "\n") ||
			!strings.Contains(msg, "PIPEDRIVE_API_TOKEN") || !strings.Contains(msg, "--token-parameter") {
			t.Errorf("%v: exit %d after %s, said %q; want one line naming PIPEDRIVE_API_TOKEN and --token-parameter within 2 s", cmd, code, took, msg)
		}
	}
}

// A stalled SSM costs a bounded wait, never a hung apply.
func TestStalledSSMIsBounded(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "PIPEDRIVE_API_TOKEN")
	h.ssm.Stall(time.Minute)
	begin := time.Now()
	r := h.fails("no answer within 200ms", "register", "--url", hookURL, "--timeout", "200ms")
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
	if strings.Count(r.stderr, "attempt again in") != 2 {
		t.Errorf("retries not shown:\n%s", r.stderr)
	}
}

// A create whose answer was lost, then a list that keeps failing: register fails,
// saying why, and never creates a second webhook it has not seen to be needed.
// Failed before: once --settle was over it created again, blind: two webhooks.
func TestRegisterNeverCreatesTwiceBlind(t *testing.T) {
	h := newHarness(t)
	h.pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadGateway, Apply: true})
	failing := []pipedrivetest.Fault{{}} // the first list answers
	for range 100 {
		failing = append(failing, pipedrivetest.Fault{Status: http.StatusServiceUnavailable})
	}
	h.pd.Inject("GET /webhooks", failing...)
	r := h.fails("not creating the webhook again", "register", "--url", hookURL, "--settle", "500ms", "--timeout", "500ms")
	if r.code != 1 || strings.Contains(strings.TrimSpace(r.err.Error()), "\n") {
		t.Errorf("exit %d, error %q", r.code, r.err)
	}
	if n := len(h.pd.Webhooks()); n != 1 {
		t.Errorf("%d webhooks, want the one that landed", n)
	}
}

// A list that paginates is read to its end: list shows page 2, and register finds
// the stack's webhook there rather than creating another. Failed before.
func TestEveryPageIsRead(t *testing.T) {
	h := newHarness(t)
	other := h.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://other.example.com/hook", EventAction: "*", EventObject: "deal"})
	h.ok("register", "--url", hookURL)
	h.pd.SetPageSize(1)
	if r := h.ok("list"); !strings.Contains(r.stdout, hookURL) || !strings.Contains(r.stdout, "other.example.com") {
		t.Errorf("list shows one page only:\n%s", r.stdout)
	}
	h.ok("register", "--url", hookURL)
	if n := len(h.pd.Webhooks()); n != 2 || h.pd.Webhooks()[0].ID != other.ID {
		t.Errorf("%d webhooks: %+v", n, h.pd.Webhooks())
	}
}

// What Terraform runs on a rotation, `register --rotate --exclusive`, held by the
// stand-in between its create and its delete while a watchdog check runs: the
// check keeps the rotation's new webhook, and one webhook, that one, is left.
// Failed before: the check kept the oldest and deleted the new one, and the tool
// then deleted the old one: no webhook until the next check.
func TestRotationRacingAWatchdogCheck(t *testing.T) {
	h := newHarness(t)
	old := h.pd.Add(pipedrivetest.Webhook{SubscriptionURL: hookURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: ptr(authUser),
		AddTime: time.Now().Add(-24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")})
	reached, release := make(chan struct{}), make(chan struct{})
	h.pd.Inject("DELETE /webhooks/{id}", pipedrivetest.Fault{Hold: func() { close(reached); <-release }})
	done := make(chan result, 1)
	go func() { done <- h.run("register", "--url", hookURL, "--rotate", "--exclusive") }()
	select {
	case <-reached:
	case r := <-done:
		t.Fatalf("the rotation ended before its delete: %v\n%s", r.err, r.stderr)
	}
	check := watchdog.Check(t.Context(), watchdog.Config{
		Registrations: []pipedrive.Registration{{Name: "pipedrive-webhooks", Subscription: pipedrive.Subscription{URL: hookURL, EventAction: "*", EventObject: "deal", Version: webhook.V2}}},
		Token:         func(context.Context) (string, error) { return token, nil },
		Credentials: func(context.Context) (secrets.Credentials, error) {
			return secrets.Credentials{User: authUser, Password: authPass}, nil
		},
		APIURL: h.pd.APIURL(), Timeout: 5 * time.Second,
	})
	close(release)
	r := <-done
	if r.err != nil {
		t.Fatalf("rotation: %v\n%s", r.err, r.stderr)
	}
	hooks := h.pd.Webhooks()
	if len(hooks) != 1 || hooks[0].ID == old.ID || strings.TrimSpace(r.stdout) != fmt.Sprint(hooks[0].ID) {
		t.Errorf("left %+v, the rotation printed %q, the check %+v; want only the rotation's webhook", hooks, r.stdout, check)
	}
}

func ptr[T any](v T) *T { return &v }
