package reconcile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

// The cursor round-trips through SSM and a file; a missing one, or "none" (what
// Terraform writes), is a fresh start; anything else unreadable is an error that
// says how to start afresh.
func TestStores(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{"/pdw/reconcile-cursor": "none"})
	defer srv.Close()
	env := map[string]string{"AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL_SSM": srv.URL}
	client, err := secrets.NewSSMClient(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	state := State{Window: &Window{Since: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Until: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		Progress: map[string]*Progress{"deal": {Cursor: "abc"}, "note": {Start: 100, Done: true}}, Day: "2026-12-01", SpentToday: 70,
		CompleteThrough: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	for name, store := range map[string]Store{
		"ssm":  SSMStore{Client: client, Name: "/pdw/reconcile-cursor"},
		"file": FileStore{Path: filepath.Join(dir, "sub", "cursor.json")},
	} {
		t.Run(name, func(t *testing.T) {
			fresh, err := store.Load(context.Background())
			if err != nil || fresh.Window != nil || fresh.SpentToday != 0 {
				t.Fatalf("before any save: %+v, %v", fresh, err)
			}
			if err := store.Save(context.Background(), state); err != nil {
				t.Fatal(err)
			}
			got, err := store.Load(context.Background())
			if err != nil || got.Window == nil || !got.Window.Until.Equal(state.Window.Until) || got.Progress["deal"].Cursor != "abc" ||
				!got.Progress["note"].Done || got.SpentToday != 70 || !got.CompleteThrough.Equal(state.CompleteThrough) {
				t.Errorf("after a save: %+v, %v", got, err)
			}
		})
	}
	if p := srv.Problems(); len(p) > 0 {
		t.Errorf("SSM requests: %v", p)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (FileStore{Path: bad}).Load(context.Background()); err == nil || !strings.Contains(err.Error(), "delete it to start afresh") {
		t.Errorf("an unreadable cursor: %v", err)
	}
	srv.Delete("/pdw/reconcile-cursor")
	if s, err := (SSMStore{Client: client, Name: "/pdw/reconcile-cursor"}).Load(context.Background()); err != nil || s.Window != nil {
		t.Errorf("a missing parameter: %+v, %v", s, err)
	}
}
