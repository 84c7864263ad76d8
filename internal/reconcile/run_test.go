package reconcile

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// memStore keeps the state in memory.
type memStore struct{ s State }

func (m *memStore) Load(context.Context) (State, error) { return m.s, nil }
func (m *memStore) Save(_ context.Context, s State) error {
	m.s = s
	return nil
}

// fixedLog is a log that holds records, or fails.
type fixedLog struct {
	records []Record
	err     error
}

func (f fixedLog) Records(context.Context, time.Time, time.Time) ([]Record, error) {
	return f.records, f.err
}

func standIn(t *testing.T, at *time.Time) (*pipedrivetest.Changes, *pipedrive.Client) {
	t.Helper()
	api, err := pipedrivetest.NewChanges("tok")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	api.SetClock(func() time.Time { return *at })
	c, err := pipedrive.NewClient(pipedrive.Config{BaseURL: api.APIURL(), Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = func(int) time.Duration { return time.Millisecond }
	return api, c
}

func summaries(t *testing.T, out *bytes.Buffer) int {
	t.Helper()
	return strings.Count(out.String(), `"msg":"`+MsgSummary+`"`)
}

// A scheduled run reconciles from the end of the last complete window to now
// less the lag; the next one starts where it ended, leaving no gap.
func TestScheduledWindowsChain(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := now.Add(-30 * time.Minute)
	api, client := standIn(t, &at)
	api.Create("deal", map[string]any{"title": "lost"})
	store := &memStore{}
	var out bytes.Buffer
	cfg := Config{API: client, Log: fixedLog{}, Records: &out, Store: store, Objects: []string{"deal"}, Lag: 10 * time.Minute,
		Interval: time.Hour, DailyLimit: 1000, Now: func() time.Time { return now }}
	s1 := Run(context.Background(), cfg)
	if s1.Status != StatusComplete || !s1.Window.Since.Equal(now.Add(-70*time.Minute)) || !s1.Window.Until.Equal(now.Add(-10*time.Minute)) || s1.MissedTotal() != 1 {
		t.Fatalf("the first window: %+v", s1)
	}
	if !store.s.CompleteThrough.Equal(s1.Window.Until) || store.s.Window != nil {
		t.Errorf("the state after it: %+v", store.s)
	}
	now = now.Add(15 * time.Minute)
	s2 := Run(context.Background(), cfg)
	if s2.Status != StatusComplete || !s2.Window.Since.Equal(s1.Window.Until) || !s2.Window.Until.Equal(now.Add(-10*time.Minute)) {
		t.Errorf("the next window: %+v", s2.Window)
	}
	if summaries(t, &out) != 2 {
		t.Errorf("%d summaries for 2 runs", summaries(t, &out))
	}
}

// A run reads a bounded number of pages; the next resumes at its cursor.
func TestPageBoundStopsAndResumes(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	api, client := standIn(t, &at)
	for range 3 {
		api.Create("deal", map[string]any{"title": "lost"})
		at = at.Add(time.Minute)
	}
	store := &memStore{}
	var out bytes.Buffer
	cfg := Config{API: client, Log: fixedLog{}, Records: &out, Store: store, Objects: []string{"deal"}, PageSize: 1, MaxPages: 2,
		Window: Window{Since: at.Add(-time.Hour), Until: at}, DailyLimit: 1000, Now: func() time.Time { return at }}
	s1 := Run(context.Background(), cfg)
	if s1.Status != StatusStopped || s1.Reason != ReasonPages || !strings.HasPrefix(s1.StoppedAt, "deal cursor ") || s1.MissedTotal() != 2 {
		t.Fatalf("two pages of one: %+v", s1)
	}
	s2 := Run(context.Background(), cfg)
	if s2.Status != StatusComplete || !s2.Resumed || s2.MissedTotal() != 1 {
		t.Errorf("the next run: %+v", s2)
	}
	if summaries(t, &out) != 2 || strings.Count(out.String(), MsgMissed) != 3 {
		t.Errorf("records: %s", out.String())
	}
}

// Whatever goes wrong, a run ends with exactly one summary record, and makes no
// call to Pipedrive that it cannot use.
func TestEveryRunEndsWithOneSummary(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	api, client := standIn(t, &at)
	api.Create("deal", map[string]any{"title": "x"})
	window := Window{Since: at.Add(-time.Hour), Until: at.Add(time.Hour)}
	base := Config{API: client, Records: nil, Objects: []string{"deal"}, Window: window, DailyLimit: 1000, Now: func() time.Time { return at }}
	expired, cancel := context.WithTimeout(context.Background(), time.Second) // less than the reserve
	defer cancel()
	for _, tt := range []struct {
		name   string
		ctx    context.Context
		change func(*Config)
		status string
		reason string
	}{
		{"the log cannot be read", context.Background(), func(c *Config) { c.Log = fixedLog{err: errors.New("AccessDenied")} }, StatusFailed, "read the audit log: AccessDenied"},
		{"no budget", context.Background(), func(c *Config) { c.DailyLimit = 0 }, StatusFailed, "no token budget"},
		{"the deadline is too near", expired, func(*Config) {}, StatusStopped, ReasonDeadline},
		{"Pipedrive refuses", context.Background(), func(*Config) {
			api.Inject("GET /api/v2/deals", pipedrivetest.Fault{Status: 401}) // not retried
		}, StatusFailed, "401"},
		{"the state cannot be saved", context.Background(), func(c *Config) { c.Store = failingStore{} }, StatusFailed, "disk full"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := api.Calls()["GET /api/v2/deals"]
			var out bytes.Buffer
			cfg := base
			cfg.Log, cfg.Records = fixedLog{}, &out
			tt.change(&cfg)
			sum := Run(tt.ctx, cfg)
			if sum.Status != tt.status || !strings.Contains(sum.Reason, tt.reason) {
				t.Errorf("%+v, want %s (%s)", sum, tt.status, tt.reason)
			}
			if summaries(t, &out) != 1 {
				t.Errorf("%d summary records:\n%s", summaries(t, &out), out.String())
			}
			if tt.status == StatusFailed && tt.reason != "401" && tt.reason != "disk full" && api.Calls()["GET /api/v2/deals"] != before {
				t.Errorf("a run that could not match anything called Pipedrive")
			}
		})
	}
}

type failingStore struct{}

func (failingStore) Load(context.Context) (State, error) { return State{}, nil }
func (failingStore) Save(context.Context, State) error   { return errors.New("disk full") }

// A change the webhook does not subscribe to is not missed; an object with no
// list by time is named, not guessed.
func TestSubscriptionBoundsWhatIsMissed(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	api, client := standIn(t, &at)
	api.Create("deal", map[string]any{"title": "created, never changed"})
	var out bytes.Buffer
	sum := Run(context.Background(), Config{API: client, Log: fixedLog{}, Records: &out, Objects: []string{"deal", "lead", "task"}, Actions: []string{"change"},
		Window: Window{Since: at.Add(-time.Hour), Until: at.Add(time.Hour)}, DailyLimit: 1000, Now: func() time.Time { return at }})
	if sum.Status != StatusComplete || sum.MissedTotal() != 0 || sum.NotSubscribed != 1 || strings.Join(sum.Unchecked, ",") != "lead,task" {
		t.Errorf("%+v", sum)
	}
	if !strings.Contains(out.String(), `"unchecked_objects":["lead","task"]`) {
		t.Errorf("the summary does not name the unchecked objects: %s", out.String())
	}
}
