package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/reconcile"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
)

// fakeCloudWatchLogs speaks enough of CloudWatch Logs' JSON protocol for the
// scheduled reconciliation: an Insights query that finds nothing, and the events
// put into streams.
type fakeCloudWatchLogs struct {
	mu      sync.Mutex
	targets []string
	groups  []string
	events  []string
}

func (f *fakeCloudWatchLogs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct {
		LogGroupName string `json:"logGroupName"`
		LogEvents    []struct {
			Message string `json:"message"`
		} `json:"logEvents"`
	}
	_ = json.Unmarshal(body, &in)
	target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.targets = append(f.targets, target)
	if in.LogGroupName != "" {
		f.groups = append(f.groups, in.LogGroupName)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch target {
	case "StartQuery":
		_, _ = io.WriteString(w, `{"queryId":"q-1"}`)
	case "GetQueryResults":
		_, _ = io.WriteString(w, `{"status":"Complete","results":[]}`)
	case "CreateLogStream":
		_, _ = io.WriteString(w, `{}`)
	case "PutLogEvents":
		for _, e := range in.LogEvents {
			f.events = append(f.events, e.Message)
		}
		_, _ = io.WriteString(w, `{"nextSequenceToken":"1"}`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"UnknownOperationException"}`)
	}
}

func resetReconciler() {
	reconcilerOnce, reconcilerSet, reconcilerErr = sync.Once{}, nil, nil
}

// After a check, the watchdog reconciles the lagged window: it queries the
// receiver's group, puts one record per missed change and the summary into the
// reconciliation stream of that group, and keeps its cursor in SSM.
func TestScheduledReconciliation(t *testing.T) {
	resetReconciler() // other tests' checks have read their environment
	t.Cleanup(resetReconciler)
	api, err := pipedrivetest.NewChanges("tok")
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	api.SetClock(func() time.Time { return time.Now().Add(-30 * time.Minute) })
	deal, _ := api.Create("deal", map[string]any{"title": "never delivered"})
	logs := &fakeCloudWatchLogs{}
	cw := httptest.NewServer(logs)
	defer cw.Close()
	ssm := ssmtest.NewServer(nil)
	defer ssm.Close()
	vars := map[string]string{
		"RECONCILE_LOG_GROUP": "/aws/lambda/pipedrive-webhooks", "RECONCILE_CURSOR_PARAMETER": "/pipedrive-webhooks/reconcile-cursor",
		"AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": cw.URL, "AWS_ENDPOINT_URL_SSM": ssm.URL,
	}
	var own bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The stack's webhooks: deals (every action), and persons' changes only.
	check := watchdog.Config{APIURL: api.APIURL(), Token: func(context.Context) (string, error) { return "tok", nil },
		Registrations: []pipedrive.Registration{
			{Subscription: pipedrive.Subscription{EventObject: "deal", EventAction: "*"}},
			{Subscription: pipedrive.Subscription{EventObject: "person", EventAction: "updated"}},
		}}
	api.Create("person", map[string]any{"name": "created: no webhook would have sent it"})
	reconcileAfterCheck(ctx, func(k string) string { return vars[k] }, slog.New(slog.NewJSONHandler(&own, nil)), check)
	if own.Len() > 0 {
		t.Errorf("the watchdog's own log: %s", own.String())
	}
	if len(logs.events) != 2 || !strings.Contains(logs.events[0], `"msg":"`+reconcile.MsgMissed+`"`) ||
		!strings.Contains(logs.events[0], `"entity_id":"`+itoa(deal.ID)+`"`) || !strings.Contains(logs.events[1], `"status":"complete"`) {
		t.Errorf("events put: %q; calls %q; own log %s", logs.events, logs.targets, own.String())
	}
	for _, g := range logs.groups {
		if g != vars["RECONCILE_LOG_GROUP"] {
			t.Errorf("a call about another group: %s", g)
		}
	}
	cursor, ok := ssm.Value(vars["RECONCILE_CURSOR_PARAMETER"])
	// deal list, deleted deals, the lost deal's changelog; person list, person recents.
	if !ok || !strings.Contains(cursor, `"complete_through"`) || !strings.Contains(cursor, `"spent_today":70`) {
		t.Errorf("the cursor: %q, %v", cursor, ok)
	}
	if p := api.Problems(); len(p) > 0 {
		t.Errorf("off the spec: %v", p)
	}
	if p := ssm.Problems(); len(p) > 0 {
		t.Errorf("SSM requests: %v", p)
	}
}

func TestReconcilerFromEnv(t *testing.T) {
	base := map[string]string{"RECONCILE_LOG_GROUP": "g", "RECONCILE_CURSOR_PARAMETER": "/c", "AWS_REGION": "eu-central-1",
		"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s", "RECONCILE_SEATS": "4", "RECONCILE_PLAN_MULTIPLIER": "2"}
	check := watchdog.Config{APIURL: "https://api.example.com/v1", Registrations: []pipedrive.Registration{{Subscription: pipedrive.Subscription{EventObject: "person", EventAction: "*"}}}}
	get := func(over map[string]string) func(string) string {
		return func(k string) string {
			if v, ok := over[k]; ok {
				return v
			}
			return base[k]
		}
	}
	r, err := reconcilerFromEnv(get(nil), slog.Default(), check)
	if err != nil || r == nil || r.cfg.DailyLimit != 12000 || len(r.cfg.Subscriptions) != 1 || r.cfg.Subscriptions[0].Object != "person" ||
		r.apiURL != check.APIURL || r.cfg.Lag != 10*time.Minute || r.stream != reconcile.DefaultStream {
		t.Fatalf("%+v, %v", r, err)
	}
	if r, err := reconcilerFromEnv(get(map[string]string{"RECONCILE_OBJECTS": "deal,note"}), slog.Default(), check); err != nil || len(r.cfg.Subscriptions) != 0 || len(r.cfg.Objects) != 2 {
		t.Errorf("RECONCILE_OBJECTS given: %+v, %v", r, err)
	}
	if r, err := reconcilerFromEnv(get(map[string]string{"RECONCILE_LOG_GROUP": ""}), slog.Default(), check); r != nil || err != nil {
		t.Errorf("not configured: %v, %v", r, err)
	}
	for k, v := range map[string]string{"RECONCILE_CURSOR_PARAMETER": "", "RECONCILE_LAG": "soon", "RECONCILE_BUDGET_SHARE": "1.5", "RECONCILE_SEATS": "0", "AWS_REGION": ""} {
		if _, err := reconcilerFromEnv(get(map[string]string{k: v}), slog.Default(), check); err == nil {
			t.Errorf("%s=%q accepted", k, v)
		}
	}
	// A configuration error is one failed summary in the watchdog's log, and no panic.
	resetReconciler()
	t.Cleanup(resetReconciler)
	var own bytes.Buffer
	reconcileAfterCheck(context.Background(), get(map[string]string{"RECONCILE_LAG": "soon"}), slog.New(slog.NewJSONHandler(&own, nil)), check)
	if !strings.Contains(own.String(), `"status":"failed"`) || !strings.Contains(own.String(), "RECONCILE_LAG") {
		t.Errorf("the watchdog's log: %s", own.String())
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
