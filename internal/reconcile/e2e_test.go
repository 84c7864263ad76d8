package reconcile

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

const (
	e2eUser     = "pipedrive"
	e2ePassword = "e2e-password-never-logged"
	e2eToken    = "e2e-api-token-never-logged"
)

// company is the stand-in Pipedrive, a receiver writing its JSON lines to a file,
// and a delivery channel that can be banned, deleted or pointed at a receiver
// that is down.
type company struct {
	t       *testing.T
	api     *pipedrivetest.Changes
	logPath string
	url     string
	down    atomic.Bool // the receiver answers 502, as API Gateway does when its Lambda fails
	now     time.Time
	// deliveries is how each change fared: "delivered" or why it was lost.
	fate map[string]string
}

func newCompany(t *testing.T) *company {
	t.Helper()
	api, err := pipedrivetest.NewChanges(e2eToken)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	c := &company{t: t, api: api, logPath: filepath.Join(t.TempDir(), "audit.jsonl"), fate: map[string]string{},
		now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	api.SetClock(func() time.Time { return c.now })
	f, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	h := receiver.New(slog.New(jsonlog.NewHandler(f, nil)), receiver.Config{Credentials: secrets.Static{User: e2eUser, Password: e2ePassword}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.down.Load() {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL + receiver.WebhookPath
	t.Cleanup(func() {
		if p := api.Problems(); len(p) > 0 {
			t.Errorf("requests or answers off the spec:\n%s", strings.Join(p, "\n"))
		}
	})
	return c
}

// send delivers ev as Pipedrive would (retries shortened), or drops it for a reason.
func (c *company) send(ev pipedrivetest.Event, lost string) {
	c.t.Helper()
	key := fmt.Sprintf("%s/%d/%s", ev.Object, ev.ID, ev.Action)
	c.now = c.now.Add(time.Minute)
	if lost != "" {
		c.fate[key+"@"+ev.Time.Format(time.TimeOnly)] = lost
		return
	}
	ok := pipedrivetest.Deliver(context.Background(), http.DefaultClient, c.url, e2eUser, e2ePassword, ev, []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond})
	if ok {
		c.fate[key+"@"+ev.Time.Format(time.TimeOnly)] = "delivered"
	} else {
		c.fate[key+"@"+ev.Time.Format(time.TimeOnly)] = "receiver down"
	}
}

func (c *company) create(object string, fields map[string]any, lost string) int64 {
	e, ev := c.api.Create(object, fields)
	c.send(ev, lost)
	return e.ID
}

func (c *company) update(object string, id int64, fields map[string]any, lost string) {
	ev, err := c.api.Update(object, id, fields)
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(ev, lost)
}

func (c *company) delete(object string, id int64, lost string) {
	ev, err := c.api.Delete(object, id)
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(ev, lost)
}

// missed reads the missed-change records of the log: entity/id/action → count.
func (c *company) missed() (map[string]int, []map[string]any) {
	c.t.Helper()
	f, err := os.Open(c.logPath)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	counts := map[string]int{}
	var records []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), e2eToken) || strings.Contains(sc.Text(), e2ePassword) {
			c.t.Errorf("a secret in the log: %s", sc.Text())
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			c.t.Fatalf("a line that is not JSON: %s", sc.Text())
		}
		if m["msg"] != MsgMissed {
			continue
		}
		w := m["webhook"].(map[string]any)
		counts[fmt.Sprintf("%s/%s/%s", w["entity"], w["entity_id"], w["action"])]++
		records = append(records, m)
	}
	return counts, records
}

func (c *company) reconcile(store Store, window Window, limit int, now time.Time) Summary {
	c.t.Helper()
	api, err := pipedrive.NewClient(pipedrive.Config{BaseURL: c.api.APIURL(), Token: e2eToken})
	if err != nil {
		c.t.Fatal(err)
	}
	api.Backoff = func(int) time.Duration { return time.Millisecond }
	out, err := os.OpenFile(c.logPath, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return Run(ctx, Config{API: api, Log: &FileLog{Path: c.logPath}, Records: out, Store: store,
		Objects: []string{"deal", "person", "organization", "note"}, Actions: []string{"*"}, Window: window,
		DailyLimit: limit, PageSize: 2, Changelog: true, Now: func() time.Time { return now }})
}

// The Done-when of issue 25: the stand-in changes entities and delivers their
// webhooks to a running receiver, losing some (a banned webhook, a deleted one,
// a receiver that is down through every retry); reconciliation adds exactly one
// record per lost change and none for a delivered one; a second run adds
// nothing; a budget too small for the window stops a run, and the next
// completes it.
func TestReconcileFindsExactlyTheLostChanges(t *testing.T) {
	c := newCompany(t)
	since := c.now
	deal := func(title string, stage int) map[string]any {
		return map[string]any{"title": title, "value": 100, "currency": "EUR", "stage_id": stage}
	}
	a := c.create("deal", deal("A", 1), "")
	c.update("deal", a, map[string]any{"stage_id": 2}, "")
	b := c.create("deal", deal("B", 1), "")
	d := c.create("deal", deal("D", 1), "")
	e := c.create("deal", deal("E", 1), "")
	org := c.create("organization", map[string]any{"name": "Org"}, "")
	c.update("organization", org, map[string]any{"name": "Org Ltd"}, "")
	note := c.create("note", map[string]any{"content": "kept"}, "")
	gone := c.create("note", map[string]any{"content": "to delete"}, "")

	// The webhook is banned for 30 minutes: these events are lost.
	c.update("deal", b, map[string]any{"stage_id": 3, "title": "B won"}, "banned")
	p := c.create("person", map[string]any{"name": "Jane"}, "banned")
	// Deal E changes twice while banned: its changelog shows both.
	c.update("deal", e, map[string]any{"stage_id": 4}, "banned")
	c.update("deal", e, map[string]any{"value": 250}, "banned")
	// Pipedrive deleted the webhook; nothing is sent until the watchdog registers it again.
	cDeal := c.create("deal", deal("C", 1), "webhook deleted")
	c.delete("deal", a, "webhook deleted")
	c.delete("note", gone, "webhook deleted")
	// The receiver is down through all four attempts of one delivery, and back for the next.
	c.down.Store(true)
	c.update("deal", d, map[string]any{"value": 900}, "")
	c.down.Store(false)
	c.update("note", note, map[string]any{"content": "edited"}, "")
	until := c.now.Add(time.Minute)

	want := map[string]int{
		fmt.Sprintf("deal/%d/change", b): 1, fmt.Sprintf("person/%d/create", p): 1,
		fmt.Sprintf("deal/%d/change", e): 2, fmt.Sprintf("deal/%d/create", cDeal): 1,
		fmt.Sprintf("deal/%d/delete", a): 1, fmt.Sprintf("note/%d/delete", gone): 1,
		fmt.Sprintf("deal/%d/change", d): 1,
	}
	lost := 0
	for _, v := range c.fate {
		if v != "delivered" {
			lost++
		}
	}
	if lost != 8 {
		t.Fatalf("%d changes lost, the scenario loses 8: %v", lost, c.fate)
	}
	window := Window{Since: since, Until: until}
	day := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

	// A budget that is too small: it stops, saying where, and writes no summary but one.
	store := FileStore{Path: filepath.Join(t.TempDir(), "cursor.json")}
	s1 := c.reconcile(store, window, 40, day)
	if s1.Status != StatusStopped || s1.Reason != ReasonBudget || s1.StoppedAt == "" || s1.TokensSpent > 40 {
		t.Fatalf("a 40-token budget: %+v", s1)
	}
	// The next day's run resumes and completes the window.
	s2 := c.reconcile(store, window, 5000, day.Add(24*time.Hour))
	if s2.Status != StatusComplete || !s2.Resumed {
		t.Fatalf("the next run: %+v", s2)
	}
	got, records := c.missed()
	if !equalCounts(got, want) {
		t.Errorf("missed records %v\nwant %v", got, want)
	}
	if n := s1.MissedTotal() + s2.MissedTotal(); n != 8 {
		t.Errorf("the two runs' summaries count %d missed, want 8", n)
	}
	for _, r := range records {
		w := r["webhook"].(map[string]any)
		if r["source"] != Source || r["level"] != "WARN" || w["dedup_key"] == "" || w["timestamp"] == nil {
			t.Errorf("a record without its source, level, key or time: %v", r)
		}
		if w["entity"] == "deal" && w["entity_id"] == fmt.Sprint(b) {
			if fmt.Sprint(w["changed_fields"]) != "[stage_id title]" || w["title"] != "B won" || w["stage_id"] != float64(3) || w["user_id"] != "12415231" {
				t.Errorf("deal B's record lacks what its changelog and the list say: %v", r)
			}
		}
	}
	// A second run over the same window adds nothing.
	s3 := c.reconcile(FileStore{Path: filepath.Join(t.TempDir(), "other.json")}, window, 5000, day.Add(48*time.Hour))
	again, _ := c.missed()
	if s3.Status != StatusComplete || s3.MissedTotal() != 0 || !equalCounts(again, want) {
		t.Errorf("a second run: %+v, records %v", s3, again)
	}
	// Deal E's earlier change is seen only in its changelog, which is read only
	// when the latest change is missed: 7 of the 8 are met again.
	if n := s3.Recorded["deal"] + s3.Recorded["person"] + s3.Recorded["note"]; n != 7 {
		t.Errorf("the second run found %d of its earlier records, want 7: %+v", n, s3)
	}
	if s3.Delivered["deal"] == 0 || s3.Delivered["organization"] != 2 || s3.Delivered["note"] != 2 {
		t.Errorf("delivered changes: %+v", s3.Delivered)
	}
	// Every call of the three runs counted at its documented cost.
	if spent := s1.TokensSpent + s2.TokensSpent + s3.TokensSpent; spent != c.api.TokensSpent() {
		t.Errorf("the runs counted %d tokens, the stand-in charged %d", spent, c.api.TokensSpent())
	}
	summaries := 0
	raw, _ := os.ReadFile(c.logPath)
	for line := range strings.SplitSeq(string(raw), "\n") {
		if strings.Contains(line, `"msg":"`+MsgSummary+`"`) {
			summaries++
		}
	}
	if summaries != 3 {
		t.Errorf("%d summary records for 3 runs", summaries)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
