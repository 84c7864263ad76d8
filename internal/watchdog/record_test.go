package watchdog

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
)

// TestRecordCarriesWhatTheReportSays pins the `webhook check` record's fields with
// literals: what is set is logged, what is empty is left out. TestCheck looked only
// at status and subscription, so gremlins' negations of every `if … != ""` /
// `len(r.Deleted) > 0` / `LastHTTPStatus != 0` in attrs lived (tried: each negated;
// each now fails a row here).
func TestRecordCarriesWhatTheReportSays(t *testing.T) {
	for _, tt := range []struct {
		name   string
		report Report
		want   string
	}{
		{"everything", Report{
			Status: StatusUnhealthy, Problem: "failing: its last delivery got HTTP 503",
			Webhook: &Seen{ID: 4710827, Active: true, LastDeliveryTime: "2026-11-25T06:30:00.000Z", LastHTTPStatus: 503},
			Deleted: []int64{11, 12}, Error: "pipedrive: POST /webhooks: 400 Bad Request", Subscription: "*.deal (v2.0) to https://x/y",
		}, `{"status":"unhealthy","subscription":"*.deal (v2.0) to https://x/y","problem":"failing: its last delivery got HTTP 503",
			"webhook":{"id":4710827,"active":true,"last_delivery_time":"2026-11-25T06:30:00.000Z","last_http_status":503},
			"deleted":[11,12],"deleted_count":2,"error":"pipedrive: POST /webhooks: 400 Bad Request"}`},
		{"healthy, nothing else", Report{
			Status: StatusHealthy, Webhook: &Seen{ID: 7, Active: true}, Subscription: "s",
		}, `{"status":"healthy","subscription":"s","webhook":{"id":7,"active":true}}`},
		{"unknown, no webhook", Report{
			Status: StatusUnknown, Error: "listing the webhooks: 503", Subscription: "s", Deleted: []int64{},
		}, `{"status":"unknown","subscription":"s","error":"listing the webhooks: 503"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			logs := &logtest.Buffer{}
			slog.New(slog.NewJSONHandler(logs, nil)).LogAttrs(context.Background(), tt.report.level(), "webhook check", tt.report.attrs()...)
			rec := logs.Records(t)[0]
			for _, k := range []string{"time", "level", "msg"} {
				delete(rec, k)
			}
			if !sameJSON(rec, want) {
				t.Errorf("record %v\nwant   %v", rec, want)
			}
			// As a group (LogValue), the same attributes.
			logs = &logtest.Buffer{}
			slog.New(slog.NewJSONHandler(logs, nil)).Info("x", "report", tt.report)
			if got := logs.Records(t)[0]["report"]; !sameJSON(got, want) {
				t.Errorf("LogValue %v\nwant     %v", got, want)
			}
		})
	}
}

// sameJSON compares two values as canonical JSON (keys sorted, numbers as written).
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// TestLevelPerStatus: healthy is INFO, unhealthy ERROR, the rest WARN (README).
func TestLevelPerStatus(t *testing.T) {
	for status, want := range map[string]slog.Level{
		StatusHealthy: slog.LevelInfo, StatusUnhealthy: slog.LevelError,
		StatusReRegistered: slog.LevelWarn, StatusUnknown: slog.LevelWarn,
	} {
		if got := (Report{Status: status}).level(); got != want {
			t.Errorf("%s: level %v, want %v", status, got, want)
		}
	}
}

// TestCheckWithoutABackoffUsesTheClients: a Config without Backoff keeps the
// client's own (tried: `cfg.Backoff != nil` negated, which set it to nil — the
// retry after the 503 then panics).
func TestCheckWithoutABackoffUsesTheClients(t *testing.T) {
	w := newWorld(t)
	w.cfg.Backoff = nil
	h := w.stack(user)
	w.pd.SetActive(h.ID, true, 200)
	w.pd.Inject("GET /webhooks", fault(503))
	begin := time.Now()
	r := w.check(t, context.Background())
	if r.Status != StatusHealthy || r.Webhook == nil || r.Webhook.ID != h.ID {
		t.Errorf("report %+v, want healthy with webhook %d", r, h.ID)
	}
	if took := time.Since(begin); took < 250*time.Millisecond {
		t.Errorf("retried after %s: the client's backoff waits at least 250ms", took)
	}
}
