package pipedrive

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

func changesServer(t *testing.T) (*pipedrivetest.Changes, *Client, *int) {
	t.Helper()
	s, err := pipedrivetest.NewChanges("tok-changes")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := NewClient(Config{BaseURL: s.APIURL(), Token: "tok-changes"})
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = func(int) time.Duration { return time.Millisecond }
	spent := new(int)
	c.Before = boundRequests(func(_, path string) error { *spent += TokenCost(path); return nil })
	t.Cleanup(func() {
		if p := s.Problems(); len(p) > 0 {
			t.Errorf("the stand-in saw requests or answers off the spec:\n%s", strings.Join(p, "\n"))
		}
	})
	return s, c, spent
}

// The costs the client counts are the spec's own x-token-cost, operation by operation.
func TestTokenCostsAreTheSpecs(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromFile(pipedrivetest.BackfillSpecPath())
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{ // spec path → the path the client asks, relative to its base
		"/v1/recents": "/recents?since_timestamp=x", "/v1/deals/{id}/changelog": "/deals/1/changelog",
		"/v1/persons/{id}/changelog": "/persons/1/changelog", "/v1/organizations/{id}/changelog": "/organizations/1/changelog?cursor=a",
		"/api/v2/deals": "/deals?updated_since=x", "/api/v2/persons": "/persons", "/api/v2/organizations": "/organizations?limit=5",
	}
	for specPath, item := range doc.Paths.Map() {
		want, ok := item.Get.Extensions["x-token-cost"].(float64)
		if !ok {
			t.Errorf("%s: no x-token-cost in the spec", specPath)
			continue
		}
		asked, ok := paths[specPath]
		if !ok {
			t.Errorf("%s: a path of the spec this test does not know", specPath)
			continue
		}
		if got := TokenCost(asked); got != int(want) {
			t.Errorf("TokenCost(%q) = %d, the spec's x-token-cost for %s is %v", asked, got, specPath, want)
		}
	}
	if got := TokenCost("/webhooks"); got != 0 {
		t.Errorf("TokenCost(/webhooks) = %d, want 0 (not in this spec)", got)
	}
}

func TestListChangedPagesAndWindows(t *testing.T) {
	s, c, spent := changesServer(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	var ids []int64
	for i := range 5 {
		e, _ := s.Create("deal", map[string]any{"title": "deal " + string(rune('a'+i)), "value": 100 + i, "currency": "EUR", "stage_id": 2})
		ids = append(ids, e.ID)
		now = now.Add(time.Minute)
	}
	if _, err := s.Update("deal", ids[1], map[string]any{"stage_id": 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete("deal", ids[2]); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 12, 1, 9, 1, 0, 0, time.UTC)
	until := time.Date(2026, 12, 1, 9, 4, 0, 0, time.UTC)
	var got []string
	cursor, pages := "", 0
	for {
		page, err := c.ListChanged(context.Background(), "deal", ListQuery{Since: since, Until: until, Cursor: cursor, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range page.Items {
			got = append(got, it.ID)
			if it.Deal == nil || it.Deal.Currency != "EUR" || it.Deal.StageID == nil || it.Deal.Value == nil {
				t.Errorf("deal %s: fields %+v", it.ID, it.Deal)
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	// ids[1] was updated at 9:05 (after until), ids[2] deleted: only ids[3] is in [9:01, 9:04) still.
	if strings.Join(got, ",") != "104" || pages != 1 {
		t.Errorf("deals changed in the window: %v over %d pages, want [104] on 1", got, pages)
	}
	del, err := c.ListChanged(context.Background(), "deal", ListQuery{Since: since, Deleted: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Items) != 1 || del.Items[0].ID != "103" || !del.Items[0].Deleted {
		t.Errorf("deleted deals: %+v", del.Items)
	}
	all, err := c.ListChanged(context.Background(), "deal", ListQuery{Limit: 2})
	if err != nil || len(all.Items) != 2 || all.NextCursor == "" {
		t.Fatalf("a first page of 2: %+v, %v", all, err)
	}
	if *spent != s.TokensSpent() || *spent != 3*CostV2List {
		t.Errorf("the client counted %d tokens, the stand-in %d, want %d", *spent, s.TokensSpent(), 3*CostV2List)
	}
}

func TestRecentsAndChangelog(t *testing.T) {
	s, c, spent := changesServer(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	note, _ := s.Create("note", map[string]any{"content": "a"})
	for range 3 {
		s.Create("activity", map[string]any{"subject": "call"})
		now = now.Add(time.Second)
	}
	if _, err := s.Delete("note", note.ID); err != nil {
		t.Fatal(err)
	}
	var acts []Item
	start, pages := int64(0), 0
	for {
		page, err := c.Recents(context.Background(), "activity", now.Add(-time.Hour), start, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		acts = append(acts, page.Items...)
		if !page.More {
			break
		}
		start = page.NextStart
	}
	if len(acts) != 3 || pages != 2 || acts[0].Object != "activity" || acts[0].UserID != "12415231" {
		t.Errorf("activities: %+v over %d pages", acts, pages)
	}
	notes, err := c.Recents(context.Background(), "note", now.Add(-time.Hour), 0, 0)
	if err != nil || len(notes.Items) != 1 || !notes.Items[0].Deleted {
		t.Errorf("the deleted note: %+v, %v", notes, err)
	}
	deal, _ := s.Create("deal", map[string]any{"title": "x", "value": 1})
	now = now.Add(time.Minute)
	if _, err := s.Update("deal", deal.ID, map[string]any{"value": 2, "title": "y"}); err != nil {
		t.Fatal(err)
	}
	log, err := c.Changelog(context.Background(), "deal", strconv.FormatInt(deal.ID, 10), "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Changes) != 1 || log.NextCursor == "" || log.Changes[0].Field != "value" || *log.Changes[0].Old != "1" || *log.Changes[0].New != "2" {
		t.Errorf("the first page of the changelog: %+v", log)
	}
	more, err := c.Changelog(context.Background(), "deal", strconv.FormatInt(deal.ID, 10), log.NextCursor, 1)
	if err != nil || len(more.Changes) != 1 || more.Changes[0].Field != "title" || more.NextCursor != "" {
		t.Errorf("its second page: %+v, %v", more, err)
	}
	if *spent != s.TokensSpent() || *spent != 3*CostRecents+2*CostChangelog {
		t.Errorf("the client counted %d tokens, the stand-in %d", *spent, s.TokensSpent())
	}
}

// A 429 is waited out (its Retry-After), a 5xx retried; every attempt is counted,
// and a budget that refuses an attempt ends the call with its error.
func TestChangesRetriesAndBudget(t *testing.T) {
	t.Parallel() // waits on purpose: alongside the other waiting tests
	s, c, spent := changesServer(t)
	s.Create("person", map[string]any{"name": "P"})
	s.Inject("GET /api/v2/persons", pipedrivetest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"}, pipedrivetest.Fault{Status: http.StatusBadGateway})
	began := time.Now()
	page, err := c.ListChanged(context.Background(), "person", ListQuery{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("after a 429 and a 502: %+v, %v", page, err)
	}
	if waited := time.Since(began); waited < time.Second {
		t.Errorf("Retry-After: 1 was not waited out (%s)", waited)
	}
	if *spent != 3*CostV2List || s.TokensSpent() != CostV2List {
		t.Errorf("counted %d (3 attempts), the stand-in charged %d (1 answer)", *spent, s.TokensSpent())
	}
	errBudget := errors.New("budget spent")
	c.Before = func(string, string) error { return errBudget }
	if _, err := c.Recents(context.Background(), "note", time.Now(), 0, 0); !errors.Is(err, errBudget) {
		t.Errorf("a refused attempt: %v", err)
	}
	if n := s.Calls()["GET /v1/recents"]; n != 0 {
		t.Errorf("a refused call reached Pipedrive %d times", n)
	}
	// A 429 whose Retry-After outlasts the deadline ends the call at once.
	c.Before = nil
	s.Inject("GET /api/v2/persons", pipedrivetest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "3600"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := c.ListChanged(ctx, "person", ListQuery{}); err == nil || !strings.Contains(err.Error(), "429") {
		t.Errorf("an hour's Retry-After within 2 s: %v", err)
	}
}

func TestDecodeItem(t *testing.T) {
	for _, tt := range []struct {
		name, object, raw string
		want              Item
		err               bool
	}{
		{"v2 deal", "deal", `{"id":8,"title":"T","status":"open","stage_id":2,"value":100,"currency":"EUR","add_time":"2022-11-24T13:18:55Z","update_time":"2022-11-24T15:11:55Z","is_deleted":false}`,
			Item{Object: "deal", ID: "8", AddTime: time.Date(2022, 11, 24, 13, 18, 55, 0, time.UTC), UpdateTime: time.Date(2022, 11, 24, 15, 11, 55, 0, time.UTC)}, false},
		{"v1 deleted deal", "deal", `{"id":"9","add_time":"2019-05-29 04:21:51","update_time":"2019-11-28 16:19:50","deleted":true,"update_user_id":5}`,
			Item{Object: "deal", ID: "9", AddTime: time.Date(2019, 5, 29, 4, 21, 51, 0, time.UTC), UpdateTime: time.Date(2019, 11, 28, 16, 19, 50, 0, time.UTC), Deleted: true, UserID: "5"}, false},
		{"inactive note", "note", `{"id":3,"active_flag":false,"update_time":null}`, Item{Object: "note", ID: "3", Deleted: true}, false},
		{"user", "user", `{"id":1,"created":"2020-01-01 00:00:00","modified":"2020-01-02 00:00:00","is_deleted":true}`,
			Item{Object: "user", ID: "1", AddTime: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), UpdateTime: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC), Deleted: true}, false},
		{"bad time", "person", `{"id":1,"update_time":"yesterday"}`, Item{}, true},
		{"object id", "person", `{"id":{"value":1}}`, Item{}, true},
		{"not an object", "person", `[1]`, Item{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeItem(tt.object, []byte(tt.raw))
			if (err != nil) != tt.err {
				t.Fatalf("err %v, want error %v", err, tt.err)
			}
			if err != nil {
				if !errors.Is(err, ErrUnreadable) {
					t.Errorf("%v does not wrap ErrUnreadable", err)
				}
				return
			}
			got.Deal = nil
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzDecodeItem(f *testing.F) {
	for _, s := range []string{`{"id":8,"update_time":"2022-11-24T15:11:55Z","value":"1e400","stage_id":"x"}`,
		`{"id":"9","add_time":"2019-05-29 04:21:51","active_flag":"0"}`, `{"field_key":"title","time":"2024-02-12 09:14:35","old_value":1}`, `null`} {
		f.Add("deal", []byte(s))
	}
	f.Fuzz(func(t *testing.T, object string, raw []byte) {
		it, err := DecodeItem(object, raw)
		if err == nil {
			if it.Object != object || (it.Deal != nil) != (object == "deal") {
				t.Errorf("%+v for object %q", it, object)
			}
			if it.Deal != nil && it.Deal.Value != nil && (*it.Deal.Value != *it.Deal.Value) {
				t.Errorf("a NaN value")
			}
		} else if !errors.Is(err, ErrUnreadable) {
			t.Errorf("an error that is not ErrUnreadable: %v", err)
		}
		if fc, err := DecodeFieldChange(raw); err == nil && (fc.Field == "" || fc.Time.IsZero()) {
			t.Errorf("a change without a field or a time: %+v", fc)
		}
		if tm, err := ParseTime(string(raw)); err == nil && !tm.IsZero() && tm.Location() != time.UTC {
			t.Errorf("ParseTime(%q) is not UTC", raw)
		}
	})
}
