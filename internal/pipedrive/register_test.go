package pipedrive

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

const (
	testToken    = "0123456789abcdef0123456789abcdef01234567"
	testPassword = "webhook-password-7f3a"
	stackURL     = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
)

var stackReg = Registration{
	Subscription: Subscription{URL: stackURL, EventAction: "*", EventObject: "deal", Version: webhook.V2},
	Name:         "pipedrive-webhooks-sandbox",
	Auth:         secrets.Credentials{User: "pipedrive", Password: testPassword},
}

// progress collects what the client says.
type progress struct {
	mu    sync.Mutex
	lines []string
}

func (p *progress) add(s string) { p.mu.Lock(); p.lines = append(p.lines, s); p.mu.Unlock() }
func (p *progress) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

func newTestClient(t *testing.T) (*Client, *pipedrivetest.Server, *progress) {
	t.Helper()
	pd, err := pipedrivetest.NewServer(testToken)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pd.Close()
		if p := pd.Problems(); len(p) > 0 {
			t.Errorf("requests or answers off Pipedrive's spec: %v", p)
		}
	})
	var said progress
	c, err := NewClient(Config{BaseURL: pd.APIURL(), Token: testToken, Timeout: 2 * time.Second, Progress: said.add})
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	c.Settle = 3 * time.Second
	c.Before = boundRequests(nil)
	return c, pd, &said
}

// maxTestRequests is more requests than any test's client makes; errTestRequests
// ends the request past it.
const maxTestRequests = 500

var errTestRequests = errors.New("the test's client made more than 500 requests: a loop that does not end")

// boundRequests returns a Client.Before that calls next (when set) and fails every
// request after maxTestRequests: a mutant that makes a retry or paging loop
// endless then fails its test within seconds, killed, instead of holding a make
// mutate worker until its timeout (10 times the package's coverage run).
func boundRequests(next func(method, path string) error) func(method, path string) error {
	var n atomic.Int64 // a client may be shared by goroutines
	return func(method, path string) error {
		if n.Add(1) > maxTestRequests {
			return errTestRequests
		}
		if next != nil {
			return next(method, path)
		}
		return nil
	}
}

func stackWebhooks(pd *pipedrivetest.Server) []pipedrivetest.Webhook {
	var out []pipedrivetest.Webhook
	for _, w := range pd.Webhooks() {
		if w.SubscriptionURL == stackURL {
			out = append(out, w)
		}
	}
	return out
}

func noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{testToken, testPassword} {
			if strings.Contains(s, secret) {
				t.Errorf("a secret leaked into %q", s)
			}
		}
	}
}

func TestRegisterReusesOnlyAHealthyMatch(t *testing.T) {
	user, other := "pipedrive", "someone-else"
	tests := []struct {
		name        string
		setup       func(pd *pipedrivetest.Server, id int64)
		wantCreated bool
		wantSaid    string
	}{
		{"healthy", func(*pipedrivetest.Server, int64) {}, false, "already delivers"},
		{"inactive (banned)", func(pd *pipedrivetest.Server, id int64) { pd.SetActive(id, false, 0) }, true, "inactive"},
		{"failing", func(pd *pipedrivetest.Server, id int64) { pd.SetActive(id, true, 401) }, true, "last delivery got HTTP 401"},
		{"delivering", func(pd *pipedrivetest.Server, id int64) { pd.SetActive(id, true, 200) }, false, "already delivers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, pd, said := newTestClient(t)
			old := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &user})
			tt.setup(pd, old.ID)
			res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			hooks := stackWebhooks(pd)
			if res.Created != tt.wantCreated || len(hooks) != 1 || hooks[0].ID != res.ID || !strings.Contains(said.String(), tt.wantSaid) {
				t.Errorf("result %+v, webhooks %d, said %q", res, len(hooks), said)
			}
			if tt.wantCreated && (!slices.Equal(res.Deleted, []int64{old.ID}) || res.ID == old.ID) {
				t.Errorf("the unhealthy webhook was not replaced: %+v", res)
			}
		})
	}
	t.Run("another auth user", func(t *testing.T) {
		c, pd, said := newTestClient(t)
		pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &other})
		res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
		if err != nil || !res.Created || len(stackWebhooks(pd)) != 1 || !strings.Contains(said.String(), `user "someone-else"`) {
			t.Errorf("%+v %v, said %q", res, err, said)
		}
	})
}

// A create whose answer is lost, and which Pipedrive's list shows only a few lists
// later, is found rather than created again.
func TestRegisterFindsALateCreate(t *testing.T) {
	t.Parallel() // waits on purpose: alongside the other waiting tests
	c, pd, said := newTestClient(t)
	c.SettlePoll = 50 * time.Millisecond // TestCreateSettleLoop pins the 1 s default
	pd.SetListLag(2)
	pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadGateway, Apply: true})
	res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if hooks := stackWebhooks(pd); len(hooks) != 1 || hooks[0].ID != res.ID {
		t.Errorf("webhooks %+v, result %+v; want exactly the one created", hooks, res)
	}
	if !strings.Contains(said.String(), "landed after all") || !strings.Contains(said.String(), "looking again in") {
		t.Errorf("said %q", said)
	}
}

// A create that lands later than the client waits for is created again, and the
// duplicate goes at the next registration once both have settled (younger ones
// may be another registration's, in flight): a stack never keeps two webhooks.
func TestRegisterRemovesADuplicate(t *testing.T) {
	c, pd, _ := newTestClient(t)
	c.Settle = 100 * time.Millisecond
	pd.SetListLag(5)
	pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusGatewayTimeout, Apply: true})
	if _, err := c.Register(context.Background(), stackReg, RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	pd.SetListLag(0)
	c.InFlight = 0 // the next registration, a while later
	res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
	if err != nil || res.Created || len(res.Deleted) != 1 || len(stackWebhooks(pd)) != 1 {
		t.Errorf("second registration %+v, %v; webhooks %d", res, err, len(stackWebhooks(pd)))
	}
}

func TestRegisterRotateAndExclusive(t *testing.T) {
	c, pd, _ := newTestClient(t)
	user := "pipedrive"
	same := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &user})
	v1 := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "updated", EventObject: "deal", Version: webhook.V1})
	elsewhere := pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://other.example.com/hook", EventAction: "*", EventObject: "deal"})
	res, err := c.Register(context.Background(), stackReg, RegisterOptions{Rotate: true, Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	// Exclusive is the subscription's alone: the v1 webhook at the URL is another
	// subscription of the stack, and stays.
	if !res.Created || !slices.Equal(res.Deleted, []int64{same.ID}) {
		t.Errorf("result %+v; want a new webhook replacing %d only", res, same.ID)
	}
	if hooks := pd.Webhooks(); len(hooks) != 3 || !slices.ContainsFunc(hooks, func(w pipedrivetest.Webhook) bool { return w.ID == elsewhere.ID }) ||
		!slices.ContainsFunc(hooks, func(w pipedrivetest.Webhook) bool { return w.ID == v1.ID }) {
		t.Errorf("left %+v; want the new one, the v1 one and the other URL's", hooks)
	}
}

func TestClientNeverSendsSecretsElsewhere(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.Header.Get("x-api-token"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success":true,"data":[]}`))
	}))
	defer evil.Close()
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		c, pd, _ := newTestClient(t)
		pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: status, Location: evil.URL + "/v1/webhooks"})
		pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: status, Location: evil.URL + "/v1/webhooks"})
		_, err := c.ListWebhooks(context.Background())
		if err == nil || !strings.Contains(err.Error(), "refused a redirect to another origin") {
			t.Errorf("%d: list error %v", status, err)
		}
		_, err = c.CreateWebhook(context.Background(), stackReg.newWebhook())
		if err == nil || !errors.Is(err, errRedirect) {
			t.Errorf("%d: create error %v", status, err)
		}
	}
	if len(seen) > 0 {
		t.Errorf("another origin received requests: %q", seen)
	}
}

func TestSuccessFalseIsAFailure(t *testing.T) {
	refusal := pipedrivetest.Fault{Status: http.StatusOK, Body: `{"success":false,"error":"Webhooks are disabled for this company"}`}
	c, pd, _ := newTestClient(t)
	pd.Inject("GET /webhooks", refusal)
	if _, err := c.ListWebhooks(context.Background()); err == nil || !strings.Contains(err.Error(), "success: false (Webhooks are disabled") {
		t.Errorf("list: %v", err)
	}
	w := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal"})
	pd.Inject("DELETE /webhooks/{id}", refusal)
	if err := c.Retire(context.Background(), w.ID); err == nil {
		t.Error("delete answered success: false, and Retire reported success")
	}
	pd.Inject("POST /webhooks", refusal)
	if _, err := c.Register(context.Background(), stackReg, RegisterOptions{}); err == nil || len(pd.Webhooks()) != 1 {
		t.Errorf("register: %v, %d webhooks", err, len(pd.Webhooks()))
	}
}

func TestErrorsAreOneRedactedLine(t *testing.T) {
	c, pd, said := newTestClient(t)
	c.Retries = 1
	c.redact.AddCredentials(stackReg.Auth)
	pd.Inject("GET /webhooks",
		pipedrivetest.Fault{Status: http.StatusBadGateway, Echo: true},
		pipedrivetest.Fault{Status: http.StatusBadRequest, Body: `{"success":false,"error":"bad password ` + testPassword + `"}`})
	_, err := c.ListWebhooks(context.Background())
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %q: want one line with the password redacted", err)
	}
	if !strings.Contains(said.String(), "502 Bad Gateway; attempt 2 of 2 in") || strings.Contains(said.String(), "HTML page") {
		t.Errorf("said %q: want the retry's status, and the page once, in the error", said)
	}
	html := pipedrivetest.Fault{Status: http.StatusOK, Body: "<html><body>Welcome</body></html>", ContentType: "text/html"}
	pd.Inject("GET /webhooks", html, html)
	if _, err := c.ListWebhooks(context.Background()); err == nil || !strings.Contains(err.Error(), "is PIPEDRIVE_API_URL") {
		t.Errorf("non-JSON answer: %v", err)
	}
	noSecrets(t, said.String(), err.Error())
}

func TestSubscriptionValidate(t *testing.T) {
	ok := Subscription{URL: stackURL, EventAction: "*", EventObject: "deal", Version: webhook.V2}
	for _, tt := range []struct {
		change func(*Subscription)
		want   string
	}{
		{func(s *Subscription) { s.URL = "" }, "no subscription URL"},
		{func(s *Subscription) { s.URL = "example.com/hook" }, "not an absolute"},
		{func(s *Subscription) { s.URL = "https://u:p@example.com/hook" }, "must not carry credentials"},
		{func(s *Subscription) { s.EventObject = "deals" }, "version 2.0 offers activity, board, deal"},
		{func(s *Subscription) { s.EventAction = "updated.deal" }, "event action"},
		{func(s *Subscription) { s.Version = "3.0" }, "version"},
		{func(s *Subscription) { s.EventObject = "activityType" }, "v1 webhooks only"},
	} {
		s := ok
		tt.change(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", s, err, tt.want)
		}
	}
	for _, s := range []Subscription{ok, {URL: stackURL, EventAction: "updated", EventObject: "activityType", Version: webhook.V1}} {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

// Two registrations that race (two watchdog runs, a watchdog run and a person) each
// find no webhook and create one: each then deletes the other's duplicate, and
// exactly one webhook stays, not none.
func TestRegisterRaceKeepsOne(t *testing.T) {
	c, pd, _ := newTestClient(t)
	delay := pipedrivetest.Fault{Delay: 300 * time.Millisecond} // both list before either creates
	pd.Inject("POST /webhooks", delay, delay)
	results := make([]Result, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = c.Register(context.Background(), stackReg, RegisterOptions{})
		}()
	}
	wg.Wait()
	hooks := stackWebhooks(pd)
	if errs[0] != nil || errs[1] != nil || len(hooks) != 1 {
		t.Fatalf("errors %v; left %d webhooks, want 1", errs, len(hooks))
	}
	for _, r := range results {
		if r.ID != hooks[0].ID {
			t.Errorf("result %+v names another webhook than %d, the one kept", r, hooks[0].ID)
		}
	}
}
