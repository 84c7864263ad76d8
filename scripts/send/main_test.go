package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

func TestSendPostsEveryFixtureWithAuth(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "pipedrive" || p != "pw-123" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		got.Add(1)
		_, _ = w.Write([]byte(`{"received":true}` + "\n"))
	}))
	defer srv.Close()
	env := map[string]string{"WEBHOOK_AUTH_USER": "pipedrive", "WEBHOOK_AUTH_PASSWORD": "pw-123"}
	var out strings.Builder
	err := run(context.Background(), []string{"send", "-url", srv.URL, pipedrivetest.FixtureDir()}, func(k string) string { return env[k] }, &out, io.Discard)
	all, _ := pipedrivetest.Fixtures()
	if err != nil || int(got.Load()) != len(all) || strings.Count(out.String(), `200 {"received":true}`) != len(all) {
		t.Fatalf("%v; %d of %d received:\n%s", err, got.Load(), len(all), out.String())
	}
	if strings.Contains(out.String(), "pw-123") {
		t.Error("printed the password")
	}
	out.Reset()
	one := filepath.Join(pipedrivetest.FixtureDir(), "v2", "deal-change.json")
	err = run(context.Background(), []string{"send", "-url", srv.URL, one}, func(string) string { return "" }, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "401") {
		t.Errorf("without auth: %v\n%s", err, out.String())
	}
}
