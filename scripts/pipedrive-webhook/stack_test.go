package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// stackJSON is a registration as Terraform encodes it, with the given subscriptions
// ("object/action/version" each).
func (h *harness) stackJSON(subs ...string) string {
	var list []map[string]string
	for _, s := range subs {
		p := strings.Split(s, "/")
		list = append(list, map[string]string{"event_object": p[0], "event_action": p[1], "version": p[2]})
	}
	b, err := json.Marshal(map[string]any{
		"url": hookURL, "name": "pdw-stack", "subscriptions": list, "user_id": 0,
		"auth_parameter": authParam, "auth_version": 1, "token_parameter": "/pdw/api-token",
		"region": "eu-west-3", "api_url": h.pd.APIURL(),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// subscriptions are the stack's webhooks, as "object/action/version", sorted.
func (h *harness) subscriptions() []string {
	var out []string
	for _, w := range h.pd.Webhooks() {
		if w.SubscriptionURL == hookURL {
			out = append(out, w.EventObject+"/"+w.EventAction+"/"+w.Version)
		}
	}
	slices.Sort(out)
	return out
}

// Terraform's way: the whole registration in WEBHOOK_REGISTRATION, no setting
// flag. Every subscription gets one webhook, named and authenticated as the value
// says, at the value's API (PIPEDRIVE_API_URL is not needed), reading SSM in its
// region; a second run changes nothing.
func TestRegisterFromTheEnvironment(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "PIPEDRIVE_API_URL")
	delete(h.env, "WEBHOOK_AUTH_PARAMETER")
	h.env["WEBHOOK_REGISTRATION"] = h.stackJSON("deal/*/2.0", "person/*/2.0", "pipeline/added/1.0")
	r := h.ok("register", "--rotate", "--exclusive")
	if ids := strings.Fields(r.stdout); len(ids) != 3 {
		t.Errorf("printed %q; want three ids", r.stdout)
	}
	want := []string{"deal/*/2.0", "person/*/2.0", "pipeline/create/1.0"}
	if got := h.subscriptions(); !slices.Equal(got, want) {
		t.Fatalf("webhooks %v, want %v", got, want)
	}
	for _, w := range h.pd.Webhooks() {
		if w.Name != "pdw-stack" || w.HTTPAuthPassword == nil || *w.HTTPAuthPassword != authPass {
			t.Errorf("webhook %+v: want the value's name and the parameter's password", w)
		}
	}
	if !slices.Equal(h.regions, []string{"eu-west-3"}) {
		t.Errorf("SSM read in %v; want the value's region only", h.regions)
	}
	posts := 0
	count := func() int {
		n := 0
		for _, r := range h.pd.Requests() {
			if r.Method == http.MethodPost {
				n++
			}
		}
		return n
	}
	posts = count()
	r = h.ok("register", "--output", "json")
	var results []pipedrive.Result
	if err := json.Unmarshal([]byte(r.stdout), &results); err != nil || len(results) != 3 || count() != posts {
		t.Errorf("a second run: %v, %q, %d creates more", err, r.stdout, count()-posts)
	}
}

// A person's way to hand the same value over: a file, or standard input.
func TestRegisterFromAFileOrStdin(t *testing.T) {
	h := newHarness(t)
	file := filepath.Join(t.TempDir(), "registration.json")
	if err := os.WriteFile(file, []byte(h.stackJSON("deal/*/2.0")), 0o600); err != nil {
		t.Fatal(err)
	}
	h.ok("register", "--registration", file)
	h.stdin = strings.NewReader(h.stackJSON("deal/*/2.0", "lead/create/2.0"))
	h.ok("register", "--registration", "-")
	if got, want := h.subscriptions(), []string{"deal/*/2.0", "lead/create/2.0"}; !slices.Equal(got, want) {
		t.Errorf("webhooks %v, want %v", got, want)
	}
}

func TestRegistrationUsageErrors(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		env  string
		args []string
		want string
	}{
		{h.stackJSON("deal/*/2.0"), []string{"register", "--url", hookURL}, "WEBHOOK_REGISTRATION gives the whole registration: drop --url"},
		{"", []string{"register", "--registration", "/nonexistent/registration.json"}, "--registration"},
		{"", []string{"register", "--registration", "-"}, "no standard input"},
		{`{"url":"` + hookURL + `","event_object":"deal"}`, []string{"register"}, `WEBHOOK_REGISTRATION: registration: not a registration's JSON: json: unknown field "event_object"`},
		{h.stackJSON("*/*/2.0", "deal/change/2.0"), []string{"register"}, "subscriptions[1] (change.deal (v2.0)) overlaps subscriptions[0] (*.* (v2.0))"},
		{h.stackJSON("project/*/1.0"), []string{"register"}, `"project" is delivered by v2 webhooks only`},
		{h.stackJSON("deal/*/2.0"), []string{"register", "--region", "eu-west-1"}, "drop --region"},
		{"{", []string{"delete"}, "WEBHOOK_REGISTRATION: registration: not a registration's JSON"},
	} {
		h.env["WEBHOOK_REGISTRATION"] = tt.env
		r := h.run(tt.args...)
		if r.err == nil || r.code != 2 || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%s %v: %v (exit %d), want a usage error about %s", tt.env, tt.args, r.err, r.code, tt.want)
		}
	}
	if len(h.pd.Requests()) != 0 {
		t.Errorf("a refused registration still made %d requests", len(h.pd.Requests()))
	}
}

// What a subscription's destroy runs: delete with its one-subscription value
// deletes that subscription's webhooks at the URL, and no other.
func TestDeleteARegistrationsSubscriptions(t *testing.T) {
	h := newHarness(t)
	delete(h.env, "PIPEDRIVE_API_URL")
	h.env["WEBHOOK_REGISTRATION"] = h.stackJSON("deal/*/2.0", "person/*/2.0", "*/create/1.0")
	h.ok("register")
	other := h.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://another.example.com/hook", EventAction: "*", EventObject: "deal"})
	h.env["WEBHOOK_REGISTRATION"] = h.stackJSON("person/*/2.0", "*/added/1.0")
	r := h.ok("delete", "--output", "json")
	var out struct{ Deleted []int64 }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Deleted) != 2 {
		t.Errorf("deleted %q, %v; want 2", r.stdout, err)
	}
	if got := h.subscriptions(); !slices.Equal(got, []string{"deal/*/2.0"}) {
		t.Errorf("left %v; want the deal subscription's", got)
	}
	if hooks := h.pd.Webhooks(); !slices.ContainsFunc(hooks, func(w pipedrivetest.Webhook) bool { return w.ID == other.ID }) {
		t.Errorf("another URL's webhook was deleted: %+v", hooks)
	}
	// --url still means every webhook at the URL: the URL's own destroy.
	h.env["PIPEDRIVE_API_URL"] = h.pd.APIURL()
	h.ok("delete", "--url", hookURL)
	if got := h.subscriptions(); len(got) != 0 {
		t.Errorf("left %v after delete --url", got)
	}
}
