package pipedrive

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// The tests in this file close the gaps a mutation run (make mutate) left open in
// the list's pagination, the retry wait, the default version, the create's settle
// loop, Migrate and DeleteWhere. Each names the mutants it kills; each was checked
// by applying the mutation by hand and seeing the test fail.

// listServer answers GET /webhooks with page(start), start being the query's
// start parameter (0 when absent), and counts the requests and the queries.
func listServer(t *testing.T, page func(start int64) string) (*Client, *atomic.Int64, *[]string) {
	t.Helper()
	var n atomic.Int64
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		queries = append(queries, r.URL.RawQuery)
		start, _ := strconv.ParseInt(r.URL.Query().Get("start"), 10, 64)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page(start)))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{BaseURL: srv.URL, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	c.Before = boundRequests(nil)
	c.Retries = 0
	return c, &n, &queries
}

// TestListReadsEveryPage: a list of 5 webhooks, 2 a page, is read whole, the first
// page asked for without a start (the webhooks API documents no query for its list)
// and each next one at the next_start Pipedrive gave (mutants: `start > 0` as
// `>= 0`, which asks for ?start=0 first, and negated, which asks for the first
// page again and again).
func TestListReadsEveryPage(t *testing.T) {
	c, pd, _ := newTestClient(t)
	var want []int64
	for range 5 {
		want = append(want, pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal"}).ID)
	}
	pd.SetPageSize(2)
	got, err := c.ListWebhooks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, w := range got {
		ids = append(ids, w.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("listed %v, want %v", ids, want)
	}
	var queries []string
	for _, r := range pd.Requests() {
		queries = append(queries, r.RawQuery)
	}
	if !slices.Equal(queries, []string{"", "start=2", "start=4"}) {
		t.Errorf("queries %q, want none, start=2, start=4", queries)
	}
}

// TestListGivesUpAfterMaxPages: a list that always says it has more is read for
// maxPages pages, then refused (mutants: `n++` as `n--`, which never reaches the
// bound, and `n >= maxPages` as `n > maxPages`, one page more).
func TestListGivesUpAfterMaxPages(t *testing.T) {
	c, n, _ := listServer(t, func(start int64) string {
		return fmt.Sprintf(`{"success":true,"data":[],"additional_data":{"pagination":{"start":%d,"limit":1,"more_items_in_collection":true,"next_start":%d}}}`, start, start+1)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.ListWebhooks(ctx)
	if !errors.Is(err, errIncomplete) || !strings.Contains(err.Error(), "more than 20 pages") {
		t.Errorf("error %v, want the list refused after 20 pages", err)
	}
	if n.Load() != maxPages {
		t.Errorf("%d requests, want %d", n.Load(), maxPages)
	}
}

// TestListThatCannotBeFollowed: a list that says it has more but gives no next
// start, or one that does not move forward, or a cursor, is refused after its
// first page; one that says nothing of pagination, or null, is whole (mutants:
// `*p.NextStart <= start` as `<`, which reads the same page again;
// `string(envelope.AdditionalData) != "null"` negated; `len(…) > 0` as `>= 0` or
// negated, which decode an absent additional_data or skip a present one).
func TestListThatCannotBeFollowed(t *testing.T) {
	one := `{"id":1,"event_action":"*","event_object":"deal","subscription_url":"https://x.example.com/h","version":"2.0","is_active":1}`
	for _, tt := range []struct {
		name, additional string
		want             string // "" for a whole list of one
	}{
		{"no additional_data", ``, ""},
		{"additional_data null", `,"additional_data":null`, ""},
		{"no pagination", `,"additional_data":{}`, ""},
		{"no more", `,"additional_data":{"pagination":{"start":0,"more_items_in_collection":false}}`, ""},
		{"more, no next start", `,"additional_data":{"pagination":{"start":0,"more_items_in_collection":true}}`, "not where they start"},
		{"more, next start not forward", `,"additional_data":{"pagination":{"start":0,"more_items_in_collection":true,"next_start":0}}`, "not where they start"},
		{"a cursor", `,"additional_data":{"next_cursor":"abc"}`, "a cursor this client does not follow"},
		{"an empty cursor", `,"additional_data":{"next_cursor":""}`, ""},
		{"pagination of the wrong shape", `,"additional_data":{"pagination":"yes"}`, "additional_data (pagination) does not decode"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, n, _ := listServer(t, func(int64) string { return `{"success":true,"data":[` + one + `]` + tt.additional + `}` })
			got, err := c.ListWebhooks(context.Background())
			switch {
			case tt.want == "" && (err != nil || len(got) != 1 || got[0].ID != 1):
				t.Errorf("got %+v, %v; want the one webhook", got, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %+v, %v; want an error saying %q", got, err, tt.want)
			case n.Load() != 1:
				t.Errorf("%d requests, want 1", n.Load())
			}
		})
	}
}

// TestListDataOfTheWrongShape: a list whose data is not a list is an error naming
// the decode problem, not an empty list.
func TestListDataOfTheWrongShape(t *testing.T) {
	c, _, _ := listServer(t, func(int64) string { return `{"success":true,"data":{"id":1}}` })
	got, err := c.ListWebhooks(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the answer's data does not decode: json: cannot unmarshal object") {
		t.Errorf("got %+v, %v; want the decode error", got, err)
	}
}

// TestRetryWaitAgainstTheDeadline: a Retry-After that outlasts the caller's
// deadline ends the call at once, saying why, with both durations rounded; a wait
// that fits is waited (mutants: `time.Until(deadline) < wait` negated, `ok &&`
// negated, the deadline's Round(100*time.Millisecond) as 100/time.Millisecond).
func TestRetryWaitAgainstTheDeadline(t *testing.T) {
	t.Parallel() // waits on purpose: alongside the other waiting tests
	t.Run("too long", func(t *testing.T) {
		c, pd, said := newTestClient(t)
		pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "3600"})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		begin := time.Now()
		_, err := c.ListWebhooks(ctx)
		took := time.Since(begin)
		re := regexp.MustCompile(`429 Too Many Requests \(a retry would wait 1h0m0s, past the deadline in [1-5](\.[0-9])?s: giving up\)$`)
		if err == nil || !re.MatchString(err.Error()) {
			t.Errorf("error %v, want it to match %s", err, re)
		}
		if took > 2*time.Second || len(pd.Requests()) != 1 || said.String() != "" {
			t.Errorf("took %s, %d requests, said %q; want one request and no wait", took, len(pd.Requests()), said)
		}
	})
	t.Run("fits", func(t *testing.T) {
		c, pd, said := newTestClient(t)
		pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := c.ListWebhooks(ctx); err != nil {
			t.Fatal(err)
		}
		if len(pd.Requests()) != 2 || !strings.HasSuffix(said.String(), "attempt 2 of 4 in 1s") {
			t.Errorf("%d requests, said %q; want a retry after 1s", len(pd.Requests()), said)
		}
	})
}

// TestDefaultVersionIsV2: a registration or subscription without a version is a
// v2 one: it creates a v2 webhook and matches v2 webhooks only; a v1 one creates
// and matches v1 (mutants: `r.Version == ""` negated in Registration.version,
// `version == ""` negated in Subscription.Matches).
func TestDefaultVersionIsV2(t *testing.T) {
	for _, tt := range []struct{ version, want string }{{"", webhook.V2}, {webhook.V2, webhook.V2}, {webhook.V1, webhook.V1}} {
		t.Run("version "+cmp.Or(tt.version, "none"), func(t *testing.T) {
			c, pd, _ := newTestClient(t)
			reg := stackReg
			reg.Version = tt.version
			if _, err := c.Register(context.Background(), reg, RegisterOptions{}); err != nil {
				t.Fatal(err)
			}
			var sent struct{ Version string }
			for _, r := range pd.Requests() {
				if r.Method == http.MethodPost {
					if err := json.Unmarshal(r.Body, &sent); err != nil {
						t.Fatal(err)
					}
				}
			}
			if sent.Version != tt.want {
				t.Errorf("created version %q, want %q", sent.Version, tt.want)
			}
			for _, v := range []string{webhook.V1, webhook.V2} {
				w := Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", Version: v}
				if got := reg.Matches(&w); got != (v == tt.want) {
					t.Errorf("subscription version %q matches a %s webhook: %v", tt.version, v, got)
				}
			}
		})
	}
}

// settleWait finds the waits the create's settle loop announced.
var settleWait = regexp.MustCompile(`looking again in (\S+)`)

// TestCreateSettleLoop: a create whose answer is lost is looked for, 1 s, 2 s, 4 s
// apart and never past Settle, each wait announced rounded to 100 ms; not found by
// then, it is created again once (mutants: `left <= 0` negated, which gives up at
// once; `time.Second<<(n-1)` as `n+1`; `8*time.Second` as `8/time.Second`, no
// wait; the announcement's Round(100*time.Millisecond) as 100/time.Millisecond).
func TestCreateSettleLoop(t *testing.T) {
	t.Parallel() // waits on purpose: alongside the other waiting tests
	c, pd, said := newTestClient(t)
	c.Settle = 1250 * time.Millisecond
	pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadGateway})
	begin := time.Now()
	res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
	took := time.Since(begin)
	if err != nil || !res.Created || len(stackWebhooks(pd)) != 1 {
		t.Fatalf("result %+v, %v; %d webhooks", res, err, len(stackWebhooks(pd)))
	}
	var waits []string
	for _, m := range settleWait.FindAllStringSubmatch(said.String(), -1) {
		waits = append(waits, m[1])
	}
	rounded := regexp.MustCompile(`^([1-9]00ms|[0-9]+(\.[0-9])?s)$`)
	if len(waits) != 2 || waits[0] != "1s" || !rounded.MatchString(waits[1]) {
		t.Fatalf("%d waits, the first %q: want 1s, then what is left of 1.25s, rounded to 100ms", len(waits), waits[:min(len(waits), 3)])
	}
	if d, err := time.ParseDuration(waits[1]); err != nil || d > 300*time.Millisecond {
		t.Errorf("the last wait %s outlasts what was left of Settle", waits[1])
	}
	if took < c.Settle || !strings.Contains(said.String(), "not listed after 1.25s: creating it again") {
		t.Errorf("took %s, said %q; want Settle waited out, then a second create", took, said)
	}
	posts := 0
	for _, r := range pd.Requests() {
		if r.Method == http.MethodPost {
			posts++
		}
	}
	if posts != 2 {
		t.Errorf("%d creates, want 2", posts)
	}
}

// TestCreateThatMayHaveLanded: a create answered 5xx or 408 may have been stored,
// so it is looked for before another; one answered any other 4xx was not, and the
// error is final (mutants: `apiErr.Status >= 500` as `> 500` or negated, `==
// http.StatusRequestTimeout` negated in mayHaveLanded).
func TestCreateThatMayHaveLanded(t *testing.T) {
	for _, tt := range []struct {
		status int
		landed bool
	}{{500, true}, {503, true}, {408, true}, {499, false}, {409, false}} {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			c, pd, said := newTestClient(t)
			c.Settle = 200 * time.Millisecond
			pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: tt.status, Apply: true})
			res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
			hooks := stackWebhooks(pd)
			if tt.landed {
				if err != nil || len(hooks) != 1 || res.ID != hooks[0].ID || !strings.Contains(said.String(), "landed after all") {
					t.Errorf("result %+v, %v, said %q; want the landed create found", res, err, said)
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status || strings.Contains(said.String(), "may still appear") {
				t.Errorf("result %+v, %v, said %q; want the %d as the answer", res, err, said, tt.status)
			}
		})
	}
}

// TestALateCreateIsNotAnOlderMatch: when a create's answer is lost, only a match
// that was not listed before is taken for it: an unhealthy match already there is
// replaced, not mistaken for the new one (mutant: `k.ID == w.ID` negated in
// create's isNew).
func TestALateCreateIsNotAnOlderMatch(t *testing.T) {
	t.Parallel() // waits on purpose: alongside the other waiting tests
	c, pd, said := newTestClient(t)
	c.SettlePoll = 50 * time.Millisecond // TestCreateSettleLoop pins the 1 s default
	user := "pipedrive"
	old := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &user})
	pd.SetActive(old.ID, true, 500)
	pd.SetListLag(1)
	pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadGateway, Apply: true})
	res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hooks := stackWebhooks(pd)
	if !res.Created || res.ID == old.ID || !slices.Equal(res.Deleted, []int64{old.ID}) || len(hooks) != 1 || hooks[0].ID != res.ID {
		t.Errorf("result %+v, webhooks %+v; want the new one kept and %d deleted", res, hooks, old.ID)
	}
	if !strings.Contains(said.String(), fmt.Sprintf("landed after all: webhook %d", res.ID)) {
		t.Errorf("said %q", said)
	}
}

// TestACreateNotYetListedIsKept: a webhook just created is the one a registration
// keeps even when the list after the create does not show it yet (mutant:
// `created != 0` negated in survivor, which then keeps nothing: id 0).
func TestACreateNotYetListedIsKept(t *testing.T) {
	c, pd, _ := newTestClient(t)
	pd.SetListLag(1)
	res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hooks := stackWebhooks(pd)
	if len(hooks) != 1 || !res.Created || res.ID != hooks[0].ID || len(res.Deleted) != 0 {
		t.Errorf("result %+v, webhooks %+v; want the created one kept", res, hooks)
	}
}

// TestBlindCreateIsNotRepeated: a create whose answer is lost while every list
// fails is not tried again: the error says both failures and wraps ErrBlind.
func TestBlindCreateIsNotRepeated(t *testing.T) {
	c, pd, _ := newTestClient(t)
	c.Settle = 200 * time.Millisecond
	c.Retries = 0
	pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadGateway})
	fail := pipedrivetest.Fault{Status: http.StatusBadGateway}
	pd.Inject("GET /webhooks", pipedrivetest.Fault{}) // the first list, before the create, answers
	pd.Inject("GET /webhooks", fail, fail, fail, fail, fail, fail, fail, fail)
	_, err := c.Register(context.Background(), stackReg, RegisterOptions{})
	if !errors.Is(err, ErrBlind) || !strings.Contains(err.Error(), "the create's answer was lost (pipedrive: POST /webhooks: 502") ||
		!strings.Contains(err.Error(), "listing since fails (pipedrive: GET /webhooks: 502") {
		t.Errorf("error %v; want the lost create and the failing list, blind", err)
	}
	posts := 0
	for _, r := range pd.Requests() {
		if r.Method == http.MethodPost {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("%d creates, want 1", posts)
	}
}

// TestOneLineNeverCutsARune: a cut that falls inside a multi-byte rune moves back
// to the rune's start (mutants: `cut > 0` negated, `cut--` as `cut++`).
func TestOneLineNeverCutsARune(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"aé", 2, "a…"},
		{"a€b", 3, "a…"},
		{"a€b", 2, "a…"},
		{"a€b", 4, "a€…"},
		{"€", 2, "…"},
	} {
		got := oneLine(tt.s, tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// TestBannedWebhookProblem: a webhook Pipedrive banned says why, on one line.
func TestBannedWebhookProblem(t *testing.T) {
	reason := "too many\nfailed deliveries"
	w := Webhook{IsActive: false, RemoveReason: &reason}
	if got, want := w.Problem(""), "inactive (banned by Pipedrive: too many failed deliveries; a ban lifts after 30 minutes)"; got != want {
		t.Errorf("Problem = %q, want %q", got, want)
	}
}

// TestMigrate: a v1 webhook is replaced by a v2 one with its URL, event and user,
// and deleted only once that exists; each failure says what state it left.
func TestMigrate(t *testing.T) {
	auth := secrets.Credentials{User: "pipedrive", Password: testPassword}
	addV1 := func(pd *pipedrivetest.Server, object string) pipedrivetest.Webhook {
		return pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "updated", EventObject: object, Version: webhook.V1, UserID: 4242})
	}
	t.Run("migrates", func(t *testing.T) {
		c, pd, said := newTestClient(t)
		old := addV1(pd, "deal")
		res, err := c.Migrate(context.Background(), old.ID, "pipedrive-webhooks-v2", auth)
		if err != nil {
			t.Fatal(err)
		}
		hooks := pd.Webhooks()
		if !res.Created || res.ID == old.ID || !slices.Equal(res.Deleted, []int64{old.ID}) || len(hooks) != 1 {
			t.Fatalf("result %+v, webhooks %+v", res, hooks)
		}
		h := hooks[0]
		if h.ID != res.ID || h.Version != webhook.V2 || h.EventAction != "change" || h.EventObject != "deal" || h.SubscriptionURL != stackURL ||
			h.UserID != 4242 || h.Name != "pipedrive-webhooks-v2" || h.HTTPAuthUser == nil || *h.HTTPAuthUser != "pipedrive" {
			t.Errorf("the v2 webhook %+v", h)
		}
		if !strings.Contains(said.String(), fmt.Sprintf("migrated webhook %d (v1) to %d (v2)", old.ID, res.ID)) {
			t.Errorf("said %q", said)
		}
	})
	t.Run("already v2", func(t *testing.T) {
		c, pd, said := newTestClient(t)
		v2 := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal"})
		res, err := c.Migrate(context.Background(), v2.ID, "n", auth)
		if err != nil || res.ID != v2.ID || res.Created || len(pd.Requests()) != 1 || !strings.Contains(said.String(), "already v2") {
			t.Errorf("result %+v, %v, %d requests, said %q", res, err, len(pd.Requests()), said)
		}
	})
	t.Run("no such webhook", func(t *testing.T) {
		c, pd, _ := newTestClient(t)
		addV1(pd, "deal")
		_, err := c.Migrate(context.Background(), 1234, "n", auth)
		if err == nil || !strings.Contains(err.Error(), "webhook 1234 does not exist") || len(pd.Webhooks()) != 1 {
			t.Errorf("error %v", err)
		}
	})
	t.Run("v1 only event", func(t *testing.T) {
		c, pd, _ := newTestClient(t)
		old := addV1(pd, "activityType")
		_, err := c.Migrate(context.Background(), old.ID, "n", auth)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("webhook %d cannot be migrated as it is: event object \"activityType\"", old.ID)) || len(pd.Requests()) != 1 {
			t.Errorf("error %v, %d requests", err, len(pd.Requests()))
		}
	})
	t.Run("the list fails", func(t *testing.T) {
		c, pd, _ := newTestClient(t)
		c.Retries = 0
		old := addV1(pd, "deal")
		pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: http.StatusBadRequest})
		_, err := c.Migrate(context.Background(), old.ID, "n", auth)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || len(pd.Requests()) != 1 {
			t.Errorf("error %v", err)
		}
	})
	t.Run("the create fails", func(t *testing.T) {
		c, pd, _ := newTestClient(t)
		old := addV1(pd, "deal")
		pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadRequest})
		res, err := c.Migrate(context.Background(), old.ID, "n", auth)
		want := fmt.Sprintf("creating the v2 webhook failed; v1 webhook %d is untouched: pipedrive: POST /webhooks: 400", old.ID)
		if err == nil || !strings.HasPrefix(err.Error(), want) || res.ID != 0 || len(pd.Webhooks()) != 1 || pd.Webhooks()[0].ID != old.ID {
			t.Errorf("result %+v, error %v; want %q and the v1 webhook kept", res, err, want)
		}
	})
	t.Run("the delete fails", func(t *testing.T) {
		c, pd, _ := newTestClient(t)
		c.Retries = 0
		old := addV1(pd, "deal")
		pd.Inject("DELETE /webhooks/{id}", pipedrivetest.Fault{Status: http.StatusBadRequest})
		res, err := c.Migrate(context.Background(), old.ID, "n", auth)
		want := fmt.Sprintf("v2 webhook %d exists, but v1 webhook %d may still deliver too: ", res.ID, old.ID)
		if err == nil || res.ID == 0 || res.ID == old.ID || !strings.HasPrefix(err.Error(), want) || len(pd.Webhooks()) != 2 {
			t.Errorf("result %+v, error %v; want %q", res, err, want)
		}
	})
}

// TestDeleteWhere: every webhook that matches goes, and only those; a failing
// list or delete stops it, saying which were deleted.
func TestDeleteWhere(t *testing.T) {
	other := "https://other.example.com/hook"
	setup := func(t *testing.T) (*Client, *pipedrivetest.Server, []int64) {
		c, pd, _ := newTestClient(t)
		c.Retries = 0
		a := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal"})
		pd.Add(pipedrivetest.Webhook{SubscriptionURL: other, EventAction: "*", EventObject: "deal"})
		b := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "person"})
		return c, pd, []int64{a.ID, b.ID}
	}
	ours := func(w *Webhook) bool { return w.SubscriptionURL == stackURL }
	t.Run("deletes the matches", func(t *testing.T) {
		c, pd, want := setup(t)
		got, err := c.DeleteWhere(context.Background(), ours)
		if err != nil || !slices.Equal(got, want) || len(pd.Webhooks()) != 1 || pd.Webhooks()[0].SubscriptionURL != other {
			t.Errorf("deleted %v, %v; want %v, the other URL's left", got, err, want)
		}
	})
	t.Run("the list fails", func(t *testing.T) {
		c, pd, _ := setup(t)
		pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: http.StatusBadRequest})
		got, err := c.DeleteWhere(context.Background(), ours)
		if err == nil || got != nil || len(pd.Webhooks()) != 3 {
			t.Errorf("deleted %v, %v", got, err)
		}
	})
	t.Run("a delete fails", func(t *testing.T) {
		c, pd, want := setup(t)
		pd.Inject("DELETE /webhooks/{id}", pipedrivetest.Fault{}, pipedrivetest.Fault{Status: http.StatusBadRequest})
		got, err := c.DeleteWhere(context.Background(), ours)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || !slices.Equal(got, want[:1]) || len(pd.Webhooks()) != 2 {
			t.Errorf("deleted %v, %v; want %v and the error", got, err, want[:1])
		}
	})
}
