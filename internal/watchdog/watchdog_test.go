package watchdog

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

const (
	token     = "0123456789abcdef0123456789abcdef01234567"
	user      = "pipedrive"
	password  = "watchdog-password-5e1d"
	url       = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
	tokenName = "/pdw-test/api-token"
	authName  = "/pdw-test/webhook-auth"
	pauseName = "/pdw-test/watchdog-pause"
)

var sub = pipedrive.Subscription{URL: url, EventAction: "*", EventObject: "deal", Version: webhook.V2}

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
	ssm := ssmtest.NewServer(map[string]string{tokenName: token, authName: user + ":" + password, pauseName: "off"})
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
		Registrations: []pipedrive.Registration{{Subscription: sub, Name: "pipedrive-webhooks-sandbox"}},
		Token:         func(ctx context.Context) (string, error) { return param(tokenName).Value(ctx) },
		Credentials: func(ctx context.Context) (secrets.Credentials, error) {
			return (&secrets.ParameterCredentials{Parameter: param(authName)}).Credentials(ctx)
		},
		Pause:   param(pauseName).Read,
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

// check runs one check of the world's one subscription and returns its report.
func (w *world) check(t *testing.T, ctx context.Context) Report {
	t.Helper()
	reports := Check(ctx, w.cfg)
	if len(reports) != 1 {
		t.Fatalf("%d reports for one subscription: %+v", len(reports), reports)
	}
	return reports[0]
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
		{"duplicates: the newest is kept (the last registered, with the current credentials)", func(w *world) int64 {
			w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: url, EventAction: "*", EventObject: "deal", HTTPAuthUser: ptr(user), HTTPAuthPassword: ptr(password), AddTime: hoursAgo(2)})
			return w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: url, EventAction: "*", EventObject: "deal", HTTPAuthUser: ptr(user), HTTPAuthPassword: ptr(password), AddTime: hoursAgo(1)}).ID
		}, StatusHealthy, 0, "2 webhooks deliver it: keeping one", ""},
		// Failed before: a remove_reason alone counted as removed, and the banned
		// webhook was deleted and replaced.
		{"banned: a remove_reason, no remove_time", func(w *world) int64 {
			h := w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: url, EventAction: "*", EventObject: "deal", HTTPAuthUser: ptr(user), HTTPAuthPassword: ptr(password), RemoveReason: &reason})
			w.pd.SetActive(h.ID, false, 0)
			return h.ID
		}, StatusUnhealthy, 0, "inactive (banned by Pipedrive: delivery failures; a ban lifts after 30 minutes)", ""},
		// Failed before: reported unhealthy, though the check could not see.
		{"gone, then the re-check list fails", func(w *world) int64 {
			w.pd.Inject("GET /webhooks", pipedrivetest.Fault{}, fault(503), fault(503), fault(503), fault(503))
			return 0
		}, StatusUnknown, 0, gone, "pipedrive: GET /webhooks: 503"},
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
			r := w.check(t, context.Background())
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

// hoursAgo is an add_time n hours back: a webhook no registration is still at.
func hoursAgo(n int) string {
	return time.Now().Add(-time.Duration(n) * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
}

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
	// A deletion is never routine: a WARN at least, with its own count.
	if c := checks[0]; len(r.Deleted) > 0 && (c["level"] == "INFO" || fmt.Sprint(c["deleted_count"]) != fmt.Sprint(len(r.Deleted))) {
		t.Errorf("record %v deleted %v: want a WARN (or ERROR) with deleted_count", c, r.Deleted)
	}
	for _, secret := range []string{token, password} {
		for i := 0; i+12 <= len(secret); i++ { // nor any 12-character piece of one
			if strings.Contains(logs.String(), secret[i:i+12]) {
				t.Errorf("a secret, or %q of one, is in the log:\n%s", secret[i:i+12], logs)
				break
			}
		}
	}
}

// A repaired webhook stays repaired: the next check finds it healthy and changes
// nothing, and an outage between checks changes nothing either.
func TestChecksDoNotFlap(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	statuses := []string{w.check(t, ctx).Status}
	w.pd.Inject("GET /webhooks", fault(502), fault(502), fault(502), fault(502))
	statuses = append(statuses, w.check(t, ctx).Status)
	statuses = append(statuses, w.check(t, ctx).Status)
	want := []string{StatusReRegistered, StatusUnknown, StatusHealthy}
	if strings.Join(statuses, " ") != strings.Join(want, " ") || w.creates() != 1 || len(w.stackWebhooks()) != 1 {
		t.Errorf("statuses %v after %d creates, %d webhooks; want %v after 1, 1", statuses, w.creates(), len(w.stackWebhooks()), want)
	}
}

// A create whose answer was lost, then a list that keeps failing: the check never
// creates again without a list that answered and showed the first absent.
// Failed before: once its settle time was over, it created again, blind, and the
// stack had two webhooks.
func TestLostCreateThenBlindListCreatesNoSecond(t *testing.T) {
	w := newWorld(t)
	w.pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadGateway, Apply: true})
	failing := []pipedrivetest.Fault{{}, {}} // the check's list, and Register's
	for range 200 {
		failing = append(failing, fault(503))
	}
	w.pd.Inject("GET /webhooks", failing...)
	r := w.check(t, context.Background())
	if r.Status != StatusUnknown || w.creates() != 1 || len(w.stackWebhooks()) != 1 || !strings.Contains(r.Error, "not creating the webhook again") {
		t.Errorf("report %+v after %d creates, %d webhooks; want unknown after 1 create, 1 webhook", r, w.creates(), len(w.stackWebhooks()))
	}
	assertRecord(t, w.logs, r)
}

// A rotation (`register --rotate --exclusive`, what Terraform runs) held between
// its create and its delete while a check runs: the check keeps the rotation's new
// webhook, and the rotation's delete then finds the old one gone. One webhook,
// the rotation's, is left. Failed before: the check kept the oldest and deleted
// the new one, the rotation deleted the old one: none was left.
func TestRotationRacingACheckLeavesOne(t *testing.T) {
	w := newWorld(t)
	old := w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: url, EventAction: "*", EventObject: "deal", HTTPAuthUser: ptr(user), HTTPAuthPassword: ptr(password), AddTime: hoursAgo(24)})
	reached, release := make(chan struct{}), make(chan struct{})
	w.pd.Inject("DELETE /webhooks/{id}", pipedrivetest.Fault{Hold: func() { close(reached); <-release }})
	rotator, err := pipedrive.NewClient(pipedrive.Config{BaseURL: w.pd.APIURL(), Token: token, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rotated := pipedrive.Registration{Subscription: sub, Name: "pipedrive-webhooks-sandbox",
		Auth: secrets.Credentials{User: user, Password: "the-new-password-after-rotation"}}
	done := make(chan error, 1)
	var res pipedrive.Result
	go func() {
		var err error
		res, err = rotator.Register(context.Background(), rotated, pipedrive.RegisterOptions{Rotate: true, Exclusive: true})
		done <- err
	}()
	select {
	case <-reached: // the rotation created its webhook and is about to delete the old one
	case err := <-done:
		t.Fatalf("the rotation ended before its delete: %v", err)
	}
	r := w.check(t, context.Background())
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("rotation: %v", err)
	}
	hooks := w.stackWebhooks()
	if len(hooks) != 1 || hooks[0].ID != res.ID || hooks[0].ID == old.ID {
		t.Fatalf("left %+v; want only the rotation's webhook %d (check %+v)", hooks, res.ID, r)
	}
	if r.Status != StatusHealthy || r.Webhook == nil || r.Webhook.ID != res.ID {
		t.Errorf("the check %+v; want healthy, keeping %d", r, res.ID)
	}
	assertRecord(t, w.logs, r)
}

// A check ends, and writes its record, before its deadline: the invocation's,
// less a margin. In Lambda, a check still waiting at the end is a timeout with no
// record, and the alarms see a function error instead of the cause. Failed before:
// the check waited out a Retry-After of an hour (capped at 60 s) on every list,
// and hung requests took it to the deadline itself.
func TestCheckEndsBeforeItsDeadline(t *testing.T) {
	for _, tt := range []struct {
		name   string
		faults []pipedrivetest.Fault
		within time.Duration // the check's report comes this soon
		want   string
	}{
		{"429 with Retry-After: 3600 (the day's budget spent)", []pipedrivetest.Fault{{Status: http.StatusTooManyRequests, RetryAfter: "3600"}},
			time.Second, "past the deadline"},
		{"hung requests", []pipedrivetest.Fault{{Delay: time.Minute}, {Delay: time.Minute}, {Delay: time.Minute}},
			2500 * time.Millisecond, "ran out of time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.cfg.Timeout = 10 * time.Second
			w.cfg.Backoff = nil // the client's own
			w.pd.Inject("GET /webhooks", tt.faults...)
			deadline := time.Now().Add(3 * time.Second)
			ctx, cancel := context.WithDeadline(context.Background(), deadline)
			defer cancel()
			begin := time.Now()
			r := w.check(t, ctx)
			took := time.Since(begin)
			if took > tt.within || r.Status != StatusUnknown || !strings.Contains(r.Error, tt.want) {
				t.Errorf("after %s (deadline in 3 s): %+v; want unknown within %s, saying %q", took.Round(time.Millisecond), r, tt.within, tt.want)
			}
			assertRecord(t, w.logs, r)
		})
	}
}

// A list that paginates: the stack's webhook on page 2 is found, not registered
// again. Failed before: only page 1 was read, and every check created another.
func TestCheckReadsEveryPage(t *testing.T) {
	w := newWorld(t)
	for i := range 5 {
		w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: fmt.Sprintf("https://other.example.com/hook/%d", i), EventAction: "*", EventObject: "deal"})
	}
	h := w.stack(user)
	w.pd.SetActive(h.ID, true, 200)
	w.pd.SetPageSize(2)
	for range 2 {
		if r := w.check(t, context.Background()); r.Status != StatusHealthy || r.Webhook == nil || r.Webhook.ID != h.ID {
			t.Errorf("report %+v; want healthy, webhook %d", r, h.ID)
		}
	}
	if w.creates() != 0 || len(w.stackWebhooks()) != 1 {
		t.Errorf("%d creates, %d webhooks; want 0, 1", w.creates(), len(w.stackWebhooks()))
	}
}

// A list that says it has more but not where: the check refuses to act on part
// of it, and reports unknown. Failed before: it registered a second webhook.
func TestCheckRefusesAnIncompleteList(t *testing.T) {
	w := newWorld(t)
	w.stack(user)
	page := `{"success":true,"data":[],"additional_data":{"pagination":{"start":0,"limit":100,"more_items_in_collection":true}}}`
	w.pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: http.StatusOK, Body: page})
	r := w.check(t, context.Background())
	if r.Status != StatusUnknown || w.creates() != 0 || !strings.Contains(r.Error, "refusing to act on part of it") {
		t.Errorf("report %+v after %d creates; want unknown, no create", r, w.creates())
	}
	assertRecord(t, w.logs, r)
}

// The pause parameter: an operator pauses the watchdog without an apply, the
// pause ends by itself, and a destroy (which deletes the parameter first) stops a
// check already running from registering the webhook again. Each case but the
// last two failed before: there was no pause, and the webhook was registered again.
func TestPause(t *testing.T) {
	rfc := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	for _, tt := range []struct {
		name        string
		setup       func(w *world)
		wantStatus  string
		wantCreates int
		wantPause   string
	}{
		{"paused for an hour", func(w *world) { w.ssm.Set(pauseName, rfc(time.Hour)) }, StatusPaused, 0, "paused until"},
		{"paused, the parameter unreadable", func(w *world) {
			w.ssm.Set(pauseName, rfc(time.Hour))
			w.cfg.Pause = func(context.Context) (string, time.Time, error) { return "", time.Time{}, errors.New("SSM: 503") }
		}, StatusUnknown, 0, ""},
		{"stack being destroyed: the parameter is gone", func(w *world) { w.ssm.Delete(pauseName) }, StatusPaused, 0, "being destroyed"},
		{"the destroy starts while the check looks", func(w *world) {
			w.pd.Inject("GET /webhooks", pipedrivetest.Fault{Hold: func() { w.ssm.Delete(pauseName) }})
		}, StatusPaused, 0, "being destroyed"},
		{"a forgotten pause ends by itself", func(w *world) {
			w.ssm.SetAt(pauseName, rfc(48*time.Hour), time.Now().Add(-MaxPause-time.Minute))
		}, StatusReRegistered, 1, ""},
		{"a pause that is over", func(w *world) { w.ssm.Set(pauseName, rfc(-time.Minute)) }, StatusReRegistered, 1, ""},
		{"off", func(w *world) { w.ssm.Set(pauseName, "off") }, StatusReRegistered, 1, ""},
		{"a value not understood pauses nothing, and says so", func(w *world) { w.ssm.Set(pauseName, "tomorrow") }, StatusReRegistered, 1, "not an RFC 3339 time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			tt.setup(w)
			r := w.check(t, context.Background())
			if r.Status != tt.wantStatus || w.creates() != tt.wantCreates || !strings.Contains(r.Pause, tt.wantPause) {
				t.Errorf("report %+v after %d creates; want %s after %d, pause %q", r, w.creates(), tt.wantStatus, tt.wantCreates, tt.wantPause)
			}
			assertRecord(t, w.logs, r)
		})
	}
}

// An error page that echoes the token, wherever the excerpt's cut falls: no piece
// of it reaches the record's error. Failed before: the excerpt was cut, then
// redacted, and the record showed 36 of the token's 40 characters.
func TestNoPieceOfASecretInTheError(t *testing.T) {
	for pad := 100; pad < 200; pad += 9 {
		w := newWorld(t)
		page := pipedrivetest.Fault{Status: http.StatusServiceUnavailable, ContentType: "text/html",
			Body: "<html><body><p>" + strings.Repeat("x", pad) + token + "</p></body></html>"}
		w.pd.Inject("GET /webhooks", page, page, page, page)
		r := w.check(t, context.Background())
		if r.Status != StatusUnknown {
			t.Errorf("pad %d: %+v", pad, r)
		}
		assertRecord(t, w.logs, r)
	}
}
