package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/reconcile"
)

const token = "cli-token-never-printed"

type testEnv struct {
	getenv      func(string) string
	out, errOut *bytes.Buffer
}

// newEnv sets the clock and an AWS that has no credentials, for this test.
func newEnv(t *testing.T, vars map[string]string, at time.Time) testEnv {
	oldNow, oldAWS := now, loadAWSConfig
	t.Cleanup(func() { now, loadAWSConfig = oldNow, oldAWS })
	now = func() time.Time { return at }
	loadAWSConfig = func(context.Context, string) (aws.Config, error) {
		return aws.Config{}, errors.New("no AWS credentials found")
	}
	return testEnv{getenv: func(k string) string { return vars[k] }, out: new(bytes.Buffer), errOut: new(bytes.Buffer)}
}

func (e testEnv) run(args ...string) error {
	return run(context.Background(), append([]string{"reconcile"}, args...), e.getenv, e.out, e.errOut)
}

func TestReconcileALocalLog(t *testing.T) {
	api, err := pipedrivetest.NewChanges(token)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := t0
	api.SetClock(func() time.Time { return clock })
	delivered, ev := api.Create("deal", map[string]any{"title": "delivered"})
	clock = clock.Add(time.Minute)
	lost, _ := api.Create("deal", map[string]any{"title": "lost"})
	log := filepath.Join(t.TempDir(), "audit.jsonl")
	line := fmt.Sprintf(`{"msg":"pipedrive webhook","webhook":{"action":"create","entity":"deal","entity_id":"%d","timestamp":%q}}`, delivered.ID, ev.Time.Format(time.RFC3339Nano))
	if err := os.WriteFile(log, []byte("==> compiling the receiver\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, map[string]string{"PIPEDRIVE_API_TOKEN": token, "PIPEDRIVE_API_URL": api.APIURL()}, t0.Add(time.Hour))
	out, errOut := e.out, e.errOut
	args := []string{"--since", "2026-11-30", "--log", log, "--objects", "deal"}
	if err := e.run(args...); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var sum map[string]any
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil || sum["status"] != reconcile.StatusComplete || fmt.Sprint(sum["missed"]) != "map[deal:1]" ||
		sum["until"] != "2026-11-30T08:50:00Z" {
		t.Fatalf("summary %s (%v)", out, err)
	}
	raw, _ := os.ReadFile(log)
	if !strings.Contains(string(raw), fmt.Sprintf(`"entity_id":"%d"`, lost.ID)) || strings.Count(string(raw), reconcile.MsgMissed) != 1 {
		t.Errorf("the log after the run:\n%s", raw)
	}
	if _, err := os.Stat(log + ".cursor.json"); err != nil {
		t.Errorf("no cursor beside the log: %v", err)
	}
	for _, s := range []string{out.String(), errOut.String(), string(raw)} {
		if strings.Contains(s, token) {
			t.Errorf("the token is printed: %s", s)
		}
	}
	// Again: nothing new.
	out.Reset()
	if err := e.run(args...); err != nil || !strings.Contains(out.String(), `"missed":{}`) {
		t.Errorf("a second run: %v, %s", err, out)
	}
	if p := api.Problems(); len(p) > 0 {
		t.Errorf("off the spec: %v", p)
	}
}

func TestUsage(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--log", "x"}, "--since is required"},
		{[]string{"--since", "yesterday", "--log", "x"}, "--since"},
		{[]string{"--since", "24h"}, "give one of --log"},
		{[]string{"--since", "24h", "--log", "x", "--log-group", "g"}, "give one of --log"},
		{[]string{"--since", "2026-12-02", "--log", "x"}, "the window is empty"},
		{[]string{"--since", "24h", "--log", "x", "--budget-share", "2"}, "--budget-share"},
		{[]string{"--since", "24h", "--log", "x", "--page-size", "501"}, "--page-size"},
	} {
		e := newEnv(t, nil, at)
		err := e.run(tt.args...)
		if !errors.As(err, new(*cli.UsageError)) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want a usage error about %q", tt.args, err, tt.want)
		}
	}
	e := newEnv(t, nil, at)
	err := e.run("--since", "24h", "--log", filepath.Join(t.TempDir(), "a"))
	if err == nil || !strings.Contains(err.Error(), "PIPEDRIVE_API_TOKEN") {
		t.Errorf("no token and no AWS: %v", err)
	}
}

// cloudWatch speaks enough of CloudWatch Logs' JSON protocol for a run against a
// log group: an Insights query that finds one delivery, and events put.
type cloudWatch struct {
	mu       sync.Mutex
	delivery string // the entity id the log holds a delivery of
	at       string // its webhook.timestamp
	put      []string
	groups   []string
}

func (c *cloudWatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
		LogEvents    []struct {
			Message string `json:"message"`
		} `json:"logEvents"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	c.mu.Lock()
	defer c.mu.Unlock()
	if in.LogGroupName != "" { // GetQueryResults names a query, not a group
		c.groups = append(c.groups, in.LogGroupName)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.") {
	case "StartQuery":
		_, _ = io.WriteString(w, `{"queryId":"q"}`)
	case "GetQueryResults":
		fmt.Fprintf(w, `{"status":"Complete","results":[[{"field":"msg","value":"pipedrive webhook"},{"field":"webhook.entity","value":"deal"},`+
			`{"field":"webhook.entity_id","value":%q},{"field":"webhook.action","value":"create"},{"field":"webhook.timestamp","value":%q}]]}`, c.delivery, c.at)
	case "PutLogEvents":
		for _, e := range in.LogEvents {
			c.put = append(c.put, e.Message)
		}
		_, _ = io.WriteString(w, `{}`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"__type":"UnknownOperationException"}`)
	}
}

// With --log-group the log is read with Logs Insights and the records are put
// into the group's reconciliation stream, and nowhere else.
func TestReconcileALogGroup(t *testing.T) {
	api, err := pipedrivetest.NewChanges(token)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := t0
	api.SetClock(func() time.Time { return clock })
	delivered, ev := api.Create("deal", map[string]any{"title": "delivered"})
	clock = clock.Add(time.Minute)
	lost, _ := api.Create("deal", map[string]any{"title": "lost"})
	cw := &cloudWatch{delivery: strconv.FormatInt(delivered.ID, 10), at: ev.Time.Format(time.RFC3339Nano)}
	srv := httptest.NewServer(cw)
	defer srv.Close()
	e := newEnv(t, map[string]string{"PIPEDRIVE_API_TOKEN": token, "PIPEDRIVE_API_URL": api.APIURL()}, t0.Add(time.Hour))
	loadAWSConfig = func(context.Context, string) (aws.Config, error) {
		return aws.Config{Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}, nil
	}
	if err := e.run("--since", "2026-11-30", "--log-group", "/aws/lambda/pdw", "--objects", "deal"); err != nil {
		t.Fatalf("%v\n%s", err, e.errOut)
	}
	if len(cw.put) != 2 || !strings.Contains(cw.put[0], `"entity_id":"`+strconv.FormatInt(lost.ID, 10)+`"`) || !strings.Contains(cw.put[1], `"status":"complete"`) {
		t.Errorf("events put: %q", cw.put)
	}
	if len(cw.groups) < 2 {
		t.Errorf("calls naming a group: %q", cw.groups)
	}
	for _, g := range cw.groups {
		if g != "/aws/lambda/pdw" {
			t.Errorf("a call about group %q", g)
		}
	}
}

// The stack's subscriptions (WEBHOOK_REGISTRATION, as make reconcile passes it)
// bound what is missed: deals' changes only here, so a created deal is not.
func TestSubscriptionsFromTheRegistration(t *testing.T) {
	api, err := pipedrivetest.NewChanges(token)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	api.SetClock(func() time.Time { return t0 })
	api.Create("deal", map[string]any{"title": "created"})
	log := filepath.Join(t.TempDir(), "audit.jsonl")
	reg := `{"url":"https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive","subscriptions":[{"event_object":"deal","event_action":"change"}]}`
	e := newEnv(t, map[string]string{"PIPEDRIVE_API_TOKEN": token, "PIPEDRIVE_API_URL": api.APIURL(), "WEBHOOK_REGISTRATION": reg}, t0.Add(time.Hour))
	if err := e.run("--since", "2026-11-30", "--log", log); err != nil {
		t.Fatalf("%v\n%s", err, e.errOut)
	}
	if !strings.Contains(e.out.String(), `"missed":{}`) {
		t.Errorf("a create no webhook would have sent was recorded: %s", e.out)
	}
	e.out.Reset()
	if err := e.run("--since", "2026-11-30", "--log", log, "--objects", "deal", "--cursor", log+".other"); err != nil || !strings.Contains(e.out.String(), `"missed":{"deal":1}`) {
		t.Errorf("--objects deal (every action): %v, %s", err, e.out)
	}
}
