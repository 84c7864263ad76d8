package watchdog

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

const (
	token     = "0123456789abcdef0123456789abcdef01234567"
	user      = "pipedrive"
	password  = "watchdog-password-5e1d"
	url       = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
	tokenName = "/pdw-test/api-token"
	authName  = "/pdw-test/webhook-auth"
)

var sub = pipedrive.Subscription{URL: url, EventAction: "*", EventObject: "deal", Version: pipedrive.V2}

// world is a stack's outside world: Pipedrive, SSM, and the log.
type world struct {
	pd   *pipedrivetest.Server
	ssm  *ssmtest.Server
	logs *logtest.Buffer
	cfg  Config
}

func newWorld(t *testing.T) *world {
	t.Helper()
	pd, err := pipedrivetest.NewServer(token)
	if err != nil {
		t.Fatal(err)
	}
	ssm := ssmtest.NewServer(map[string]string{tokenName: token, authName: user + ":" + password})
	t.Cleanup(func() {
		pd.Close()
		ssm.Close()
		if p := append(pd.Problems(), ssm.Problems()...); len(p) > 0 {
			t.Errorf("requests off the APIs' specs: %v", p)
		}
	})
	env := ssm.Env()
	client, err := secrets.NewSSMClient(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	param := func(name string) *secrets.Parameter {
		return &secrets.Parameter{Client: client, Name: name, Timeout: time.Second, Attempts: 2}
	}
	return &world{pd: pd, ssm: ssm, logs: logs, cfg: Config{
		Registration: pipedrive.Registration{Subscription: sub, Name: "pipedrive-webhooks-sandbox"},
		Token:        func(ctx context.Context) (string, error) { return param(tokenName).Value(ctx) },
		Credentials: func(ctx context.Context) (secrets.Credentials, error) {
			return (&secrets.ParameterCredentials{Parameter: param(authName)}).Credentials(ctx)
		},
		APIURL:  pd.APIURL(),
		Timeout: time.Second,
		Settle:  200 * time.Millisecond,
		Backoff: func(int) time.Duration { return 10 * time.Millisecond },
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
	}}
}

// stack adds a webhook delivering the subscription, as the registration made it.
func (w *world) stack(authUser string) pipedrivetest.Webhook {
	return w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: url, EventAction: "*", EventObject: "deal", HTTPAuthUser: &authUser, HTTPAuthPassword: ptr(password)})
}

func (w *world) stackWebhooks() []pipedrivetest.Webhook {
	var out []pipedrivetest.Webhook
	for _, h := range w.pd.Webhooks() {
		if h.SubscriptionURL == url {
			out = append(out, h)
		}
	}
	return out
}

func (w *world) creates() int {
	n := 0
	for _, r := range w.pd.Requests() {
		if r.Method == http.MethodPost {
			n++
		}
	}
	return n
}

func TestCheck(t *testing.T) {
	removed := "2026-11-20T10:00:00.000Z"
	reason := "delivery failures"
	const gone = "no webhook delivers it (deleted by Pipedrive, or by hand)"
	tests := []struct {
		name        string
		setup       func(w *world) (kept int64)
		wantStatus  string
		wantCreates int
		wantProblem string // the report's problem, exactly ("" for none)
		wantError   string // how the report's error starts ("" for none)
	}{
		{"healthy", func(w *world) int64 {
			h := w.stack(user)
			w.pd.SetActive(h.ID, true, 200)
			return h.ID
		}, StatusHealthy, 0, "", ""},
		{"missing: deleted by Pipedrive or by hand", func(w *world) int64 {
			w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://other.example.com/hook", EventAction: "*", EventObject: "deal"})
			return 0
		}, StatusReRegistered, 1, gone, ""},
		{"listed as removed by Pipedrive", func(w *world) int64 {
			w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: url, EventAction: "*", EventObject: "deal", HTTPAuthUser: ptr(user), RemoveTime: &removed, RemoveReason: &reason})
			return 0
		}, StatusReRegistered, 1, gone, ""},
		{"inactive (banned)", func(w *world) int64 {
			h := w.stack(user)
			w.pd.SetActive(h.ID, false, 0)
			return h.ID
		}, StatusUnhealthy, 0, "inactive (Pipedrive stopped delivering to it: banned, or removed)", ""},
		{"failing deliveries", func(w *world) int64 {
			h := w.stack(user)
			w.pd.SetActive(h.ID, true, 503)
			return h.ID
		}, StatusUnhealthy, 0, "failing: its last delivery got HTTP 503", ""},
		{"registered with other credentials", func(w *world) int64 {
			return w.stack("someone-else").ID
		}, StatusUnhealthy, 0, `registered with basic-auth user "someone-else", not "pipedrive"`, ""},
		{"duplicates", func(w *world) int64 {
			first := w.stack(user)
			w.stack(user)
			return first.ID
		}, StatusHealthy, 0, "2 webhooks deliver it: keeping one", ""},
		{"Pipedrive down", func(w *world) int64 {
			w.pd.Inject("GET /webhooks", fault(503), fault(503), fault(503), fault(503))
			return 0
		}, StatusUnknown, 0, "", "listing the webhooks: "},
		{"create refused", func(w *world) int64 {
			w.pd.Inject("POST /webhooks", fault(400))
			return 0
		}, StatusUnhealthy, 1, gone, "pipedrive: POST /webhooks: 400 Bad Request"},
		{"create answer lost, but it landed", func(w *world) int64 {
			w.pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadGateway, Apply: true})
			return 0
		}, StatusReRegistered, 1, gone, ""},
		{"create failed with a 503, then succeeded", func(w *world) int64 {
			w.pd.Inject("POST /webhooks", fault(503))
			return 0
		}, StatusReRegistered, 2, gone, ""},
		{"SSM down", func(w *world) int64 {
			w.ssm.Fail(true)
			return 0
		}, StatusUnknown, 0, "", "reading the Pipedrive API token: "},
		{"credentials unreadable", func(w *world) int64 {
			w.ssm.Set(authName, "no-colon-here")
			return 0
		}, StatusUnknown, 0, "", "reading the basic-auth credentials: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			kept := tt.setup(w)
			before := len(w.stackWebhooks())
			r := Check(context.Background(), w.cfg)
			// Exact: an empty expectation means none, not "anything".
			if r.Status != tt.wantStatus || w.creates() != tt.wantCreates || r.Problem != tt.wantProblem ||
				!strings.HasPrefix(r.Error, tt.wantError) || (r.Error == "") != (tt.wantError == "") {
				t.Errorf("report %+v after %d creates; want %s after %d, problem %q, error %q…", r, w.creates(), tt.wantStatus, tt.wantCreates, tt.wantProblem, tt.wantError)
			}
			hooks := w.stackWebhooks()
			switch {
			case tt.wantStatus == StatusReRegistered || tt.wantStatus == StatusHealthy && before > 0:
				// exactly one webhook is left, healthy, with the current credentials
				if len(hooks) != 1 || r.Webhook == nil || hooks[0].ID != r.Webhook.ID || hooks[0].HTTPAuthUser == nil ||
					*hooks[0].HTTPAuthUser != user || hooks[0].HTTPAuthPassword == nil || *hooks[0].HTTPAuthPassword != password {
					t.Errorf("webhooks left %+v, report %+v", hooks, r)
				}
				if kept != 0 && hooks[0].ID != kept {
					t.Errorf("kept webhook %d, want %d", hooks[0].ID, kept)
				}
			case len(hooks) != before:
				t.Errorf("%d webhooks, %d before: a check that is not a repair changed them", len(hooks), before)
			}
			assertRecord(t, w.logs, r)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func fault(status int) pipedrivetest.Fault { return pipedrivetest.Fault{Status: status} }

// assertRecord checks the one `webhook check` record, and that no secret is logged.
func assertRecord(t *testing.T, logs *logtest.Buffer, r Report) {
	t.Helper()
	var checks []map[string]any
	for _, rec := range logs.Records(t) {
		if rec["msg"] == "webhook check" {
			checks = append(checks, rec)
		}
	}
	if len(checks) != 1 {
		t.Fatalf("%d webhook check records, want 1:\n%s", len(checks), logs)
	}
	if c := checks[0]; c["status"] != r.Status || c["subscription"] != r.Subscription {
		t.Errorf("record %v, report %+v", checks[0], r)
	}
	for _, secret := range []string{token, password} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a secret is in the log:\n%s", logs)
		}
	}
}

// A repaired webhook stays repaired: the next check finds it healthy and changes
// nothing, and an outage between checks changes nothing either.
func TestChecksDoNotFlap(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	statuses := []string{Check(ctx, w.cfg).Status}
	w.pd.Inject("GET /webhooks", fault(502), fault(502), fault(502), fault(502))
	statuses = append(statuses, Check(ctx, w.cfg).Status)
	statuses = append(statuses, Check(ctx, w.cfg).Status)
	want := []string{StatusReRegistered, StatusUnknown, StatusHealthy}
	if strings.Join(statuses, " ") != strings.Join(want, " ") || w.creates() != 1 || len(w.stackWebhooks()) != 1 {
		t.Errorf("statuses %v after %d creates, %d webhooks; want %v after 1, 1", statuses, w.creates(), len(w.stackWebhooks()), want)
	}
}
