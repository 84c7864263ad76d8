package watchdog

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// several gives the world's stack three subscriptions: *.deal, *.person and
// create.organization.
func (w *world) several() {
	reg := w.cfg.Registrations[0]
	w.cfg.Registrations = nil
	for _, s := range [][2]string{{"deal", "*"}, {"person", "*"}, {"organization", "create"}} {
		r := reg
		r.EventObject, r.EventAction = s[0], s[1]
		w.cfg.Registrations = append(w.cfg.Registrations, r)
	}
}

// registered adds a healthy webhook of one subscription, as the registration made it.
func (w *world) registered(object, action string) pipedrivetest.Webhook {
	h := w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: url, EventAction: action, EventObject: object,
		HTTPAuthUser: ptr(user), HTTPAuthPassword: ptr(password), AddTime: hoursAgo(3)})
	w.pd.SetActive(h.ID, true, 200)
	return h
}

// requests counts the requests Pipedrive saw, by method.
func (w *world) requests() map[string]int {
	n := map[string]int{}
	for _, r := range w.pd.Requests() {
		n[r.Method]++
	}
	return n
}

// records are the `webhook check` records, by subscription.
func (w *world) records(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, rec := range w.logs.Records(t) {
		if rec["msg"] == MsgCheck {
			sub, _ := rec["subscription"].(string)
			if _, dup := out[sub]; dup {
				t.Errorf("two records for %s", sub)
			}
			out[sub] = rec
		}
	}
	return out
}

func statuses(reports []Report) []string {
	var out []string
	for _, r := range reports {
		out = append(out, r.Status)
	}
	return out
}

// Every subscription is checked with one list of the company's webhooks, whatever
// their count, and has its own record.
func TestSeveralSubscriptionsOneList(t *testing.T) {
	w := newWorld(t)
	w.several()
	ids := []int64{w.registered("deal", "*").ID, w.registered("person", "*").ID, w.registered("organization", "create").ID}
	w.pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://other.example.com/hook", EventAction: "*", EventObject: "person"})
	reports := Check(context.Background(), w.cfg)
	if got := statuses(reports); !slices.Equal(got, []string{StatusHealthy, StatusHealthy, StatusHealthy}) {
		t.Fatalf("statuses %v; want three healthy", got)
	}
	for i, r := range reports {
		if r.Webhook == nil || r.Webhook.ID != ids[i] || r.Subscription != w.cfg.Registrations[i].String() {
			t.Errorf("report %d %+v; want webhook %d of %s", i, r, ids[i], w.cfg.Registrations[i])
		}
	}
	if n := w.requests(); n[http.MethodGet] != 1 || len(n) != 1 {
		t.Errorf("requests %v; want exactly one list", n)
	}
	recs := w.records(t)
	if len(recs) != 3 {
		t.Fatalf("%d records, want one per subscription:\n%s", len(recs), w.logs)
	}
	for _, r := range reports {
		if rec := recs[r.Subscription]; rec == nil || rec["status"] != StatusHealthy || rec["level"] != "INFO" {
			t.Errorf("record for %s: %v", r.Subscription, rec)
		}
	}
}

// One subscription's webhook gone among healthy ones: only it is registered
// again; the others' webhooks are neither replaced nor deleted.
func TestOneGoneAmongSeveralHealthy(t *testing.T) {
	w := newWorld(t)
	w.several()
	deal, org := w.registered("deal", "*"), w.registered("organization", "create")
	reports := Check(context.Background(), w.cfg)
	if got := statuses(reports); !slices.Equal(got, []string{StatusHealthy, StatusReRegistered, StatusHealthy}) {
		t.Fatalf("statuses %v; want the person subscription's alone re-registered: %+v", got, reports)
	}
	var posts []map[string]any
	for _, r := range w.pd.Requests() {
		if r.Method == http.MethodPost {
			var body map[string]any
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			posts = append(posts, body)
		}
	}
	if len(posts) != 1 || posts[0]["event_object"] != "person" || posts[0]["event_action"] != "*" || w.requests()[http.MethodDelete] != 0 {
		t.Errorf("creates %v, %d deletes; want one create, of person, and no delete", posts, w.requests()[http.MethodDelete])
	}
	hooks := w.stackWebhooks()
	byObject := map[string][]int64{}
	for _, h := range hooks {
		byObject[h.EventObject] = append(byObject[h.EventObject], h.ID)
	}
	if len(hooks) != 3 || !slices.Equal(byObject["deal"], []int64{deal.ID}) || !slices.Equal(byObject["organization"], []int64{org.ID}) ||
		len(byObject["person"]) != 1 || reports[1].Webhook == nil || reports[1].Webhook.ID != byObject["person"][0] {
		t.Errorf("webhooks %v, reports %+v; want the deal and organization ones kept, one new person one", byObject, reports)
	}
	recs := w.records(t)
	if rec := recs[reports[1].Subscription]; rec == nil || rec["status"] != StatusReRegistered || rec["level"] != "WARN" ||
		!strings.Contains(rec["subscription"].(string), "*.person") {
		t.Errorf("the person subscription's record: %v", rec)
	}
	if len(recs) != 3 {
		t.Errorf("%d records, want 3", len(recs))
	}
}

// What stops the whole check is every subscription's report and record: a token
// that cannot be read, a list that fails, a pause.
func TestWhatStopsTheCheckIsEverySubscriptions(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(w *world)
		want  string
	}{
		{"SSM down", func(w *world) { w.ssm.Fail(true) }, StatusUnknown},
		{"Pipedrive down", func(w *world) { w.pd.Inject("GET /webhooks", fault(503), fault(503), fault(503), fault(503)) }, StatusUnknown},
		{"paused", func(w *world) { w.ssm.Set(pauseName, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)) }, StatusPaused},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.several()
			tt.setup(w)
			reports := Check(context.Background(), w.cfg)
			if got := statuses(reports); !slices.Equal(got, []string{tt.want, tt.want, tt.want}) || w.requests()[http.MethodPost] != 0 {
				t.Errorf("statuses %v, %d creates; want %s for each, no create", got, w.requests()[http.MethodPost], tt.want)
			}
			recs := w.records(t)
			for _, r := range reports {
				if rec := recs[r.Subscription]; rec == nil || rec["status"] != tt.want {
					t.Errorf("record for %s: %v", r.Subscription, rec)
				}
			}
		})
	}
}
