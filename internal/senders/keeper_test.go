package senders

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

func TestKeeperRecords(t *testing.T) {
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	good := List{Prefixes: prefixes(t, "192.0.2.0/24"), Checked: now.Add(-7 * time.Hour)}
	tests := []struct {
		name      string
		stored    List
		status    int
		body      string
		wantLevel string
		want      Status
		wantStale bool
	}{
		{"refreshed", List{}, 200, "192.0.2.0/24\n", "INFO", Refreshed, false},
		{"refused, the last good list stays", good, 200, "<html>", "WARN", Rejected, false},
		{"failed for over a week", List{Prefixes: good.Prefixes, Checked: now.Add(-8 * 24 * time.Hour)}, 503, "", "ERROR", Failed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := publisher(t, tt.status, tt.body)
			logs := &logtest.Buffer{}
			k := NewKeeper(&memStore{list: tt.stored}, srv.URL, srv.Client(), slog.New(slog.NewJSONHandler(logs, nil)))
			k.Now = func() time.Time { return now }
			res := k.Run(context.Background())
			recs := logs.Records(t)
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1:\n%s", len(recs), logs)
			}
			r := recs[0]
			if r["msg"] != MsgSenderRanges || r["level"] != tt.wantLevel || r["status"] != string(tt.want) || r["stale"] != tt.wantStale || res.Status != tt.want {
				t.Errorf("record %v (result %+v); want %s %s stale=%v", r, res, tt.wantLevel, tt.want, tt.wantStale)
			}
			if fmt.Sprint(r["prefixes"]) != "1" {
				t.Errorf("record %v: prefixes, want 1", r)
			}
		})
	}
}

// TestKeeperFromEnv runs the keeper the watchdog builds from its environment against
// the SSM stand-in and a published file: the first run stores the list, the next one
// finds it fresh and downloads nothing.
func TestKeeperFromEnv(t *testing.T) {
	if KeeperFromEnv(func(string) string { return "" }, slog.Default()) != nil {
		t.Fatal("a keeper without SENDER_RANGES_PARAMETER")
	}
	pub := publisher(t, 200, "185.166.140.0/22\n2a03:6b40::/32\n")
	ssm := ssmtest.NewServer(map[string]string{"/pdw-test/sender-ranges": `{"prefixes":[]}`})
	defer ssm.Close()
	env := ssm.Env()
	env["SENDER_RANGES_PARAMETER"] = "/pdw-test/sender-ranges"
	env["SENDER_RANGES_URL"] = pub.URL
	logs := &logtest.Buffer{}
	k := KeeperFromEnv(func(k string) string { return env[k] }, slog.New(slog.NewJSONHandler(logs, nil)))
	if res := k.Run(context.Background()); res.Status != Refreshed || res.Prefixes != 2 {
		t.Fatalf("first run: %+v", res)
	}
	stored, _ := ssm.Value("/pdw-test/sender-ranges")
	l, err := Decode(stored)
	if err != nil || len(l.Prefixes) != 2 || l.Source != pub.URL {
		t.Fatalf("stored %q: %+v, %v", stored, l, err)
	}
	if res := k.Run(context.Background()); res.Status != Fresh {
		t.Errorf("second run: %+v, want fresh", res)
	}
	if p := ssm.Problems(); len(p) > 0 {
		t.Errorf("requests the stand-in found wrong: %v", p)
	}
}
