package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

const (
	testUser     = "pipedrive"
	testPassword = "correct-horse-battery-staple"
	path         = "/webhooks/pipedrive"
)

type harness struct {
	handler http.Handler
	logs    *logtest.Buffer
}

func newHarness(src secrets.CredentialSource, maxBody int64) *harness {
	logs := &logtest.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	return &harness{handler: New(logger, Config{MaxBodyBytes: maxBody, Credentials: src}), logs: logs}
}

func (h *harness) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	return rec
}

func post(body io.Reader) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(testUser, testPassword)
	return req
}

var static = secrets.Static{User: testUser, Password: testPassword}

func TestEveryFixtureIsLoggedOnce(t *testing.T) {
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		t.Run(f.Name, func(t *testing.T) {
			h := newHarness(static, 0)
			rec := h.do(post(bytes.NewReader(f.Body)))
			assertReceived(t, rec)
			recs := h.logs.Records(t)
			if len(recs) != 1 {
				t.Fatalf("%d log records, want 1:\n%s", len(recs), h.logs)
			}
			r := recs[0]
			if r["level"] != "INFO" || r["msg"] != "pipedrive webhook" || r["request_id"] == "" {
				t.Errorf("record header: %v", r)
			}
			// The expected group is the fixture's record in testdata/records, which
			// internal/webhook checks against a literal written from the payload; not
			// webhook.Decode's own answer, which agreed with any decoder bug.
			want := goldenRecord(t, f.Name)
			wh, _ := r["webhook"].(map[string]any)
			for _, k := range []string{"version", "action", "raw_action", "entity", "entity_id", "dedup_key", "attempt", "company_id", "bulk"} {
				if !jsonEqual(wh[k], want[k]) {
					t.Errorf("webhook.%s = %v, want %v", k, wh[k], want[k])
				}
			}
			for _, k := range []string{"timestamp", "user_id", "host"} {
				if s, _ := wh[k].(string); s == "" {
					t.Errorf("webhook.%s missing", k)
				}
			}
			var payload any
			_ = json.Unmarshal(f.Body, &payload)
			if !jsonEqual(r["payload"], payload) { // compared as compact JSON text
				t.Errorf("payload not logged as the JSON received: %v", r["payload"])
			}
		})
	}
}

func goldenRecord(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "records", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func assertReceived(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"received":true}` ||
		rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("response %d %q %v, want 200 {\"received\":true}", rec.Code, rec.Body.String(), rec.Header())
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("boom") }

// unsized hides the length of a body, as a chunked upload does.
type unsized struct{ io.Reader }

func TestBadInputs(t *testing.T) {
	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	withAuth := func(method, target string, body io.Reader) *http.Request {
		r := httptest.NewRequest(method, target, body)
		r.SetBasicAuth(testUser, testPassword)
		return r
	}
	withHeader := func(k, v string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(deal.Body))
		r.Header.Set(k, v)
		return r
	}
	big := bytes.Repeat([]byte(" "), 2<<20)
	tests := []struct {
		name      string
		req       *http.Request
		status    int
		level     string // of the one record expected; "" for none
		kind      string
		msg       string
		maxBody   int64
		extraBody string
	}{
		{name: "invalid json", req: post(strings.NewReader(`{"meta":`)), status: 200, level: "WARN", kind: "truncated_json"},
		{name: "not json at all", req: post(strings.NewReader(`hello=world`)), status: 200, level: "WARN", kind: "invalid_json"},
		{name: "empty body", req: post(http.NoBody), status: 200, level: "WARN", kind: "empty_body"},
		{name: "truncated fixture", req: post(bytes.NewReader(deal.Body[:len(deal.Body)/2])), status: 200, level: "WARN", kind: "truncated_json"},
		{name: "an odd field keeps the event", req: post(strings.NewReader(`{"meta":{"version":"2.0","entity":["deal"]}}`)), status: 200, level: "INFO"},
		{name: "meta not an object", req: post(strings.NewReader(`{"meta":[]}`)), status: 200, level: "WARN", kind: "wrong_type"},
		{name: "deep nesting", req: post(strings.NewReader(strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000))), status: 200, level: "WARN", kind: "invalid_json"},
		{name: "huge numbers in ids are kept", req: post(strings.NewReader(`{"meta":{"version":"2.0","action":"create","entity":"deal","entity_id":1e999,"company_id":99999999999999999999999}}`)), status: 200, level: "INFO"},
		{name: "huge attempt keeps the event", req: post(strings.NewReader(`{"meta":{"version":"2.0","attempt":99999999999999999999999}}`)), status: 200, level: "INFO"},
		{name: "invalid utf-8", req: post(strings.NewReader("{\"meta\":{\"entity\":\"d\xc3\x28al\"}}")), status: 200, level: "WARN", kind: "invalid_utf8"},
		{name: "missing meta", req: post(strings.NewReader(`{"data":{"id":8}}`)), status: 200, level: "WARN", kind: "missing_meta"},
		{name: "unknown version", req: post(strings.NewReader(`{"meta":{"version":"9.9","entity":"deal"}}`)), status: 200, level: "WARN", kind: "unknown_version"},
		{name: "json array", req: post(strings.NewReader(`[1,2]`)), status: 200, level: "WARN", kind: "not_an_object"},
		{name: "oversize with length", req: post(bytes.NewReader(big)), status: 200, level: "WARN", kind: "body_too_large"},
		{name: "oversize chunked", req: post(unsized{bytes.NewReader(big)}), status: 200, level: "WARN", kind: "body_too_large"},
		{name: "just under a small limit", req: post(bytes.NewReader(deal.Body)), maxBody: int64(len(deal.Body)), status: 200, level: "INFO"},
		{name: "just over a small limit", req: post(bytes.NewReader(deal.Body)), maxBody: int64(len(deal.Body)) - 1, status: 200, level: "WARN", kind: "body_too_large"},
		{name: "read error", req: post(errReader{}), status: 200, level: "WARN", kind: "read_error"},
		{name: "panic is recovered", req: post(panicReader{}), status: 200, level: "ERROR", kind: "panic"},
		{name: "GET on the webhook", req: withAuth(http.MethodGet, path, nil), status: 405},
		{name: "PUT on the webhook", req: withAuth(http.MethodPut, path, bytes.NewReader(deal.Body)), status: 405},
		{name: "DELETE on the webhook", req: withAuth(http.MethodDelete, path, nil), status: 405},
		{name: "wrong path", req: withAuth(http.MethodPost, "/webhooks/other", bytes.NewReader(deal.Body)), status: 404},
		{name: "path with a suffix", req: withAuth(http.MethodPost, path+"/x", bytes.NewReader(deal.Body)), status: 404},
		{name: "root", req: withAuth(http.MethodGet, "/", nil), status: 404},
		{name: "missing basic auth", req: withHeader("Content-Type", "application/json"), status: 401, level: "WARN", msg: "missing_credentials"},
		{name: "wrong password", req: withHeader("Authorization", basic(testUser, "wrong")), status: 401, level: "WARN", msg: "wrong_credentials"},
		{name: "wrong user", req: withHeader("Authorization", basic("admin", testPassword)), status: 401, level: "WARN", msg: "wrong_credentials"},
		{name: "empty credentials", req: withHeader("Authorization", basic("", "")), status: 401, level: "WARN", msg: "wrong_credentials"},
		{name: "malformed basic auth", req: withHeader("Authorization", "Basic !!not-base64!!"), status: 401, level: "WARN", msg: "malformed_credentials"},
		{name: "bearer instead of basic", req: withHeader("Authorization", "Bearer "+testPassword), status: 401, level: "WARN", msg: "malformed_credentials"},
		{name: "health", req: httptest.NewRequest(http.MethodGet, "/healthz", nil), status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(static, tt.maxBody)
			rec := h.do(tt.req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
			switch tt.status {
			case 200:
				if tt.req.URL.Path == path {
					assertReceived(t, rec)
				}
			case 401:
				if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Basic ") {
					t.Errorf("401 without a Basic challenge: %v", rec.Header())
				}
			case 405:
				if rec.Header().Get("Allow") != "POST" {
					t.Errorf("Allow %q, want POST", rec.Header().Get("Allow"))
				}
			}
			recs := h.logs.Records(t)
			if tt.level == "" {
				if len(recs) != 0 {
					t.Errorf("unexpected records: %s", h.logs)
				}
				return
			}
			if len(recs) != 1 {
				t.Fatalf("%d records, want one %s:\n%s", len(recs), tt.level, h.logs)
			}
			r := recs[0]
			if r["level"] != tt.level || (tt.kind != "" && r["kind"] != tt.kind) || (tt.msg != "" && r["reason"] != tt.msg) {
				t.Errorf("record %v, want level %s kind %q reason %q", r, tt.level, tt.kind, tt.msg)
			}
			if r["request_id"] == nil {
				t.Errorf("record without request_id: %v", r)
			}
			if tt.kind == "body_too_large" {
				if size, _ := r["size"].(json.Number).Int64(); size <= h.limit(tt.maxBody) || r["limit"] == nil {
					t.Errorf("oversize record without its size and limit: %v", r)
				}
			}
			if ex, ok := r["excerpt"].(string); ok && len(ex) > excerptBytes+8 {
				t.Errorf("excerpt of %d bytes is not bounded", len(ex))
			}
			assertNoSecrets(t, h.logs.String())
		})
	}
}

func (h *harness) limit(maxBody int64) int64 {
	if maxBody > 0 {
		return maxBody
	}
	return DefaultMaxBodyBytes
}

func basic(user, password string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, password)
	return r.Header.Get("Authorization")
}

func assertNoSecrets(t *testing.T, logs string) {
	t.Helper()
	for _, secret := range []string{testPassword, basic(testUser, testPassword)[len("Basic "):], "Authorization", "authorization"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q:\n%s", secret, logs)
		}
	}
}

func TestNoAuthConfiguredAcceptsAnyone(t *testing.T) {
	f, _ := pipedrivetest.GetFixture("v2/deal-create")
	h := newHarness(nil, 0)
	assertReceived(t, h.do(httptest.NewRequest(http.MethodPost, path, bytes.NewReader(f.Body))))
}

type flakySource struct {
	mu   sync.Mutex
	fail bool
}

func (f *flakySource) Credentials(context.Context) (secrets.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return secrets.Credentials{}, errors.New("read SSM parameter /x: AccessDenied")
	}
	return secrets.Credentials(static), nil
}

func (f *flakySource) Verify(ctx context.Context, user, password string) (bool, error) {
	c, err := f.Credentials(ctx)
	return err == nil && c.Match(user, password), err
}

func TestUnreadableCredentialsFailClosedAndLogOnce(t *testing.T) {
	f, _ := pipedrivetest.GetFixture("v2/deal-create")
	src := &flakySource{fail: true}
	h := newHarness(src, 0)
	for range 3 {
		if rec := h.do(post(bytes.NewReader(f.Body))); rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d while credentials are unreadable, want 401", rec.Code)
		}
	}
	src.fail = false
	assertReceived(t, h.do(post(bytes.NewReader(f.Body))))
	var errorsLogged, recovered int
	for _, r := range h.logs.Records(t) {
		switch {
		case r["level"] == "ERROR" && strings.Contains(r["error"].(string), "AccessDenied"):
			errorsLogged++
		case r["msg"] == "webhook credentials readable again":
			recovered++
		}
	}
	if errorsLogged != 1 || recovered != 1 {
		t.Errorf("%d error records and %d recoveries, want 1 and 1:\n%s", errorsLogged, recovered, h.logs)
	}
}

func TestRequestID(t *testing.T) {
	f, _ := pipedrivetest.GetFixture("v2/deal-create")
	for _, tt := range []struct{ header, want string }{
		{"abc-123", "abc-123"},
		{"bad id with spaces\n", ""},
		{strings.Repeat("x", 65), ""},
	} {
		h := newHarness(nil, 0)
		req := post(bytes.NewReader(f.Body))
		req.Header.Set("X-Request-Id", tt.header)
		h.do(req)
		got, _ := h.logs.Records(t)[0]["request_id"].(string)
		if (tt.want != "" && got != tt.want) || (tt.want == "" && (got == tt.header || len(got) != 24)) {
			t.Errorf("X-Request-Id %q gave request_id %q", tt.header, got)
		}
	}
}

func TestLargePayloadIsSummarised(t *testing.T) {
	body := `{"meta":{"version":"2.0","action":"create","entity":"note","entity_id":"1"},"data":{"content":"` +
		strings.Repeat("x", maxLoggedPayload) + `"}}`
	h := newHarness(nil, 0)
	assertReceived(t, h.do(post(strings.NewReader(body))))
	r := h.logs.Records(t)[0]
	if r["payload"] != nil || r["payload_omitted"] == nil || r["webhook"] == nil {
		t.Errorf("a payload over CloudWatch's event size was logged whole: %v", r["payload_omitted"])
	}
}
