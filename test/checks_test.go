package test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
)

func TestCheckReceived(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
		ok     bool
	}{
		{200, `{"received":true}` + "\n", true},
		{200, `{"received":false}`, false},
		{401, `{"received":true}`, false},
		{500, ``, false},
	} {
		if err := CheckReceived(tt.status, tt.body); (err == nil) != tt.ok {
			t.Errorf("CheckReceived(%d, %q) = %v", tt.status, tt.body, err)
		}
	}
}

// TestMatchRecordsOnTheReceiversOwnLogs feeds every fixture through the real handler
// and finds each record with the suite's matcher, as the suite does in CloudWatch.
func TestMatchRecordsOnTheReceiversOwnLogs(t *testing.T) {
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := receiver.New(slog.New(slog.NewJSONHandler(&logs, nil)), receiver.Config{})
	for _, f := range all {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/webhooks/pipedrive", bytes.NewReader(f.Body)))
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	for _, f := range all {
		x, err := Expect(f)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := MatchRecords(lines, x); err != nil || n != 1 {
			t.Errorf("%s: %d records, %v", f.Name, n, err)
		}
	}

	// And it notices what is wrong.
	x, _ := Expect(all[0])
	if _, err := MatchRecords(nil, x); err == nil {
		t.Error("no error for a missing record")
	}
	wrong := strings.Replace(lines[0], `"entity_id":"`, `"entity_id":"9`, 1)
	if _, err := MatchRecords([]string{wrong}, x); err == nil || !strings.Contains(err.Error(), "entity_id") {
		t.Errorf("a wrong field went unnoticed: %v", err)
	}
	bare := strings.Replace(lines[0], `"level":"INFO"`, `"level":"WARN"`, 1)
	if _, err := MatchRecords([]string{bare}, x); err == nil {
		t.Error("a WARN record was accepted")
	}
}

func TestCheckSSMAccess(t *testing.T) {
	const auth = "arn:aws:ssm:us-east-1:123456789012:parameter/stack/webhook-auth"
	allowed := []string{auth}
	for _, tt := range []struct {
		name, doc string
		ok        bool
	}{
		{"exact", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":"arn:aws:logs:*"},{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"` + auth + `"}]}`, true},
		{"url-encoded as IAM returns it", url.QueryEscape(`{"Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":["` + auth + `"]}]}`), true},
		{"wildcard resource", `{"Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:us-east-1:123456789012:parameter/*"}]}`, false},
		{"another parameter", `{"Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":["` + auth + `","arn:aws:ssm:us-east-1:123456789012:parameter/stack/api-token"]}]}`, false},
		{"more actions", `{"Statement":[{"Effect":"Allow","Action":["ssm:GetParameter","ssm:PutParameter"],"Resource":"` + auth + `"}]}`, false},
		{"star action", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"` + auth + `"}]}`, false},
		{"no ssm at all", `{"Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}`, false},
		{"not json", `nope`, false},
	} {
		if err := CheckSSMAccess(tt.doc, allowed); (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
