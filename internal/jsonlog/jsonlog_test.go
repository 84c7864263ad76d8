package jsonlog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// The Handler writes the same JSON object as slog's own JSON handler (time under
// TimeKey), the Raw value
// spliced in (last) instead of re-encoded; without a Raw value, the same bytes.
func TestSameRecordAsSlog(t *testing.T) {
	payloads := []string{
		`{"meta":{"id":1},"data":{"title":"<Deal> & co","n":1e3}}`,
		"{\n  \"meta\": {\"id\": 1},\n  \"data\": [1, 2, {\"a\": \"b\"}]\n}\n",
		`{}`,
		"", // no Raw value at all
	}
	at := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	for _, p := range payloads {
		var ours, theirs bytes.Buffer
		log := func(h slog.Handler) {
			l := slog.New(h).With("request_id", "r-1")
			r := slog.NewRecord(at, slog.LevelInfo, "pipedrive webhook", 0)
			r.AddAttrs(slog.Group("webhook", "entity", "deal", "changed", []string{"a"}))
			if p != "" {
				r.AddAttrs(slog.Any("payload", Raw(p)), slog.Int("after", 1))
			}
			if err := l.Handler().Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		log(NewHandler(&ours, nil))
		log(slog.NewJSONHandler(&theirs, &slog.HandlerOptions{ReplaceAttr: renameTime(nil)}))
		var a, b any
		_, _ = json.Unmarshal(ours.Bytes(), &a), json.Unmarshal(theirs.Bytes(), &b)
		if !reflect.DeepEqual(a, b) || (p == "" && ours.String() != theirs.String()) {
			t.Errorf("payload %q:\n ours   %s theirs %s", p, ours.String(), theirs.String())
		}
		if !json.Valid(bytes.TrimSpace(ours.Bytes())) || strings.Count(ours.String(), "\n") != 1 {
			t.Errorf("not one JSON line: %q", ours.String())
		}
	}
}

func TestGroupsAndLevelsAndConcurrency(t *testing.T) {
	var out bytes.Buffer
	l := slog.New(NewHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	l.Info("dropped", "payload", Raw(`{}`))
	l.WithGroup("g").Warn("grouped", "payload", Raw(`{"a":1}`))
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() { l.Warn("many", "i", i, "payload", Raw(`{"b":2}`)) })
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 51 || strings.Contains(out.String(), "dropped") || !strings.Contains(lines[0], `"g":{"payload":{"a":1}}`) {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, line := range lines {
		if !json.Valid([]byte(line)) {
			t.Errorf("interleaved or invalid line %q", line)
		}
	}
}

// Lambda's log-level filter (log_format JSON, application_log_level) reads "level"
// and needs a valid RFC 3339 time under a key it recognises, "timestamp", else it
// files the record as INFO and a WARN filter drops it. Every path of the Handler
// (plain, with attributes, with a Raw value, grouped) writes the time there and
// nowhere else. Fails on the Handler before issue 21, which wrote slog's "time".
func TestRecordsCarryTheTimestampLambdaReads(t *testing.T) {
	var out bytes.Buffer
	l, err := NewLogger(&out, "warn")
	if err != nil {
		t.Fatal(err)
	}
	l.Warn("plain")
	l.With("request_id", "r-1").Error("with attributes", "time", "a field of the caller's, kept")
	l.Warn("raw", "payload", Raw(`{"a":1}`))
	l.WithGroup("g").Warn("grouped", "payload", Raw(`{"a":1}`))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 records:\n%s", out.String())
	}
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		ts, _ := rec["timestamp"].(string)
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			t.Errorf("no RFC 3339 timestamp in %s: %v", line, err)
		}
		if rec["level"] != "WARN" && rec["level"] != "ERROR" {
			t.Errorf("level %v in %s", rec["level"], line)
		}
		if v, ok := rec["time"]; ok && v != "a field of the caller's, kept" {
			t.Errorf("the record's time is under \"time\" too: %s", line)
		}
	}
}
