package pipedrivetest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// BackfillSpecPath is Pipedrive's OpenAPI description of the reads reconciliation
// makes: GET /v1/recents, the changelogs, and the API v2 lists.
func BackfillSpecPath() string { return filepath.Join(FixtureDir(), "backfill-api-openapi.yml") }

// Changes stands in for a Pipedrive company whose entities change: a test creates,
// changes and deletes deals, persons, organizations and the rest, gets the v2
// webhook payload of each change (to deliver or to drop), and the server answers
// Pipedrive's reads of what changed (the API v2 lists, GET /v1/recents, the
// changelogs) from the same entities. Every request and answer is validated
// against BackfillSpecPath; every answered call's x-token-cost is counted; faults
// are injected per route ("GET /api/v2/deals", "GET /v1/recents",
// "GET /v1/deals/{id}/changelog").
type Changes struct {
	specServer

	now      func() time.Time
	entities map[string][]*Entity // by object, in creation order
	nextID   int64
	events   int64
	spent    int
}

// Entity is one stored entity of the stand-in.
type Entity struct {
	Object     string
	ID         int64
	Fields     map[string]any // as the v2 API spells them: title, status, stage_id, value, currency, name, …
	AddTime    time.Time
	UpdateTime time.Time
	Deleted    bool
	UserID     int64 // the user who last changed it
	changelog  []logEntry
}

type logEntry struct {
	Field    string
	Old, New any
	Time     time.Time
	UserID   int64
}

// Event is one change's webhook, as Pipedrive would deliver it (v2).
type Event struct {
	Object, Action string
	ID             int64
	Time           time.Time // meta.timestamp
	meta           map[string]any
	data, previous map[string]any
}

// Body is the event's payload for a delivery attempt (meta.attempt, 1 to 4).
func (e Event) Body(attempt int) []byte {
	meta := maps.Clone(e.meta)
	meta["attempt"] = attempt
	b, _ := json.Marshal(map[string]any{"data": e.data, "previous": e.previous, "meta": meta})
	return b
}

// UserID is the user every change is made by, unless a test says otherwise.
const UserID = 12415231

// NewChanges starts an empty company; token is the x-api-token it accepts.
func NewChanges(token string) (*Changes, error) {
	s := &Changes{nextID: 100, entities: map[string][]*Entity{}, now: func() time.Time { return time.Now().UTC() }}
	badRequest := func(err error) any { return map[string]any{"success": false, "error": err.Error()} }
	if err := s.start(token, BackfillSpecPath(), "", badRequest, s.serveRead); err != nil {
		return nil, err
	}
	return s, nil
}

// APIURL is the value for PIPEDRIVE_API_URL (API v1; API v2 is beside it).
func (s *Changes) APIURL() string { return s.URL + "/v1" }

// SetClock sets what "now" is for changes made from here on.
func (s *Changes) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// TokensSpent is the sum of the x-token-cost of every call answered 200.
func (s *Changes) TokensSpent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spent
}

// Entity returns a copy of a stored entity.
func (s *Changes) Entity(object string, id int64) (Entity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.find(object, id); e != nil {
		c := *e
		c.Fields = maps.Clone(e.Fields)
		return c, true
	}
	return Entity{}, false
}

func (s *Changes) find(object string, id int64) *Entity {
	for _, e := range s.entities[object] {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// tick is the time of a change: now, to the second, as Pipedrive stores update
// times; the webhook's meta.timestamp is a few hundred milliseconds later.
func (s *Changes) tick() (stored, meta time.Time) {
	t := s.now().UTC()
	return t.Truncate(time.Second), t.Truncate(time.Second).Add(300 * time.Millisecond)
}

// Create stores a new entity of object with fields and returns it and its webhook.
func (s *Changes) Create(object string, fields map[string]any) (Entity, Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, at := s.tick()
	s.nextID++
	e := &Entity{Object: object, ID: s.nextID, Fields: maps.Clone(fields), AddTime: stored, UpdateTime: stored, UserID: UserID}
	if e.Fields == nil {
		e.Fields = map[string]any{}
	}
	if object == "deal" {
		e.Fields["status"] = cmp.Or(e.Fields["status"], any("open"))
	}
	s.entities[object] = append(s.entities[object], e)
	return *e, s.event(e, "create", at, s.v2(e), nil)
}

// Update changes fields of an entity, noting each in its changelog, and returns
// the change's webhook.
func (s *Changes) Update(object string, id int64, fields map[string]any) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(object, id)
	if e == nil || e.Deleted {
		return Event{}, fmt.Errorf("no %s %d", object, id)
	}
	stored, at := s.tick()
	previous := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		old := e.Fields[k]
		previous[k] = old
		e.changelog = append(e.changelog, logEntry{Field: k, Old: old, New: fields[k], Time: stored, UserID: UserID})
		e.Fields[k] = fields[k]
	}
	e.UpdateTime, e.UserID = stored, UserID
	return s.event(e, "change", at, s.v2(e), previous), nil
}

// Delete deletes an entity and returns the deletion's webhook.
func (s *Changes) Delete(object string, id int64) (Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(object, id)
	if e == nil || e.Deleted {
		return Event{}, fmt.Errorf("no %s %d", object, id)
	}
	previous := s.v2(e)
	stored, at := s.tick()
	e.Deleted, e.UpdateTime, e.UserID = true, stored, UserID
	return s.event(e, "delete", at, nil, previous), nil
}

func (s *Changes) event(e *Entity, action string, at time.Time, data, previous map[string]any) Event {
	s.events++
	uuid := func(kind int64) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", s.events, kind) }
	meta := map[string]any{
		"action": action, "company_id": "8087566", "correlation_id": uuid(1), "entity_id": strconv.FormatInt(e.ID, 10),
		"entity": e.Object, "id": uuid(2), "is_bulk_edit": false, "timestamp": at.Format("2006-01-02T15:04:05.000Z"),
		"type": "general", "user_id": strconv.FormatInt(UserID, 10), "version": "2.0", "webhook_id": "4710827",
		"webhook_owner_id": "12094821", "change_source": "app", "host": "pd-test.pipedrive.com",
	}
	// A nil map marshals as null: a create's previous, a delete's data.
	return Event{Object: e.Object, Action: action, ID: e.ID, Time: at, meta: meta, data: data, previous: previous}
}

// v2 is an entity as the API v2 lists (and v2 webhooks) show it.
func (s *Changes) v2(e *Entity) map[string]any {
	m := maps.Clone(e.Fields)
	m["id"] = e.ID
	m["add_time"] = e.AddTime.Format(time.RFC3339)
	m["update_time"] = e.UpdateTime.Format(time.RFC3339)
	m["is_deleted"] = e.Deleted
	m["owner_id"] = UserID
	if e.Object == "deal" {
		m["is_archived"] = false
	}
	return m
}

// v1 is an entity's data as /v1/recents shows it.
func (s *Changes) v1(e *Entity) map[string]any {
	m := maps.Clone(e.Fields)
	m["id"] = e.ID
	m["add_time"] = e.AddTime.Format("2006-01-02 15:04:05")
	m["update_time"] = e.UpdateTime.Format("2006-01-02 15:04:05")
	m["active_flag"] = !e.Deleted
	if e.Object == "deal" {
		m["deleted"], m["active"] = e.Deleted, !e.Deleted
		delete(m, "active_flag")
	}
	if e.Object != "user" && e.Object != "pipeline" && e.Object != "stage" && e.Object != "product" {
		m["update_user_id"] = e.UserID
	}
	return m
}

// serveRead answers a valid request from the stored entities and counts the
// tokens it cost.
func (s *Changes) serveRead(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, r *http.Request, params map[string]string, _ []byte) {
	answer, status := s.read(in.Route.Path, r, params)
	if status == http.StatusOK {
		s.mu.Lock()
		s.spent += tokenCost(in.Route.Operation)
		s.mu.Unlock()
	}
	s.answer(w, in, status, answer)
}

// tokenCost is an operation's x-token-cost, as the spec gives it.
func tokenCost(op *openapi3.Operation) int {
	switch v := op.Extensions["x-token-cost"].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return 0
}

// pageLimit is a request's limit: 100 when absent, at most 500.
func pageLimit(q string) int {
	n, err := strconv.Atoi(q)
	if err != nil || n <= 0 {
		return 100
	}
	return min(n, 500)
}

// cursorAfter is an opaque cursor that continues after position n.
func cursorAfter(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("pos:" + strconv.Itoa(n)))
}

func cursorPos(c string) (int, bool) {
	if c == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !bytes.HasPrefix(b, []byte("pos:")) {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[4:]))
	return n, err == nil && n >= 0
}

// read answers a valid request from the stored entities.
func (s *Changes) read(pattern string, r *http.Request, params map[string]string) (any, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	bad := func(msg string) (any, int) {
		return map[string]any{"success": false, "error": msg}, http.StatusBadRequest
	}
	switch {
	case strings.HasPrefix(pattern, "/api/v2/"):
		object := map[string]string{"deals": "deal", "persons": "person", "organizations": "organization"}[strings.TrimPrefix(pattern, "/api/v2/")]
		var since, until time.Time
		var err error
		if v := q.Get("updated_since"); v != "" {
			if since, err = time.Parse(time.RFC3339, v); err != nil {
				return bad("updated_since is not RFC 3339")
			}
		}
		if v := q.Get("updated_until"); v != "" {
			if until, err = time.Parse(time.RFC3339, v); err != nil {
				return bad("updated_until is not RFC 3339")
			}
		}
		deleted := q.Get("status") == "deleted"
		var list []map[string]any
		for _, e := range s.entities[object] {
			switch {
			case e.Deleted != deleted,
				deleted && s.now().Sub(e.UpdateTime) > 30*24*time.Hour,
				!since.IsZero() && e.UpdateTime.Before(since),
				!until.IsZero() && !e.UpdateTime.Before(until):
				continue
			}
			list = append(list, s.v2(e))
		}
		pos, ok := cursorPos(q.Get("cursor"))
		if !ok {
			return bad("invalid cursor")
		}
		pos = min(pos, len(list))
		end := min(pos+pageLimit(q.Get("limit")), len(list))
		return map[string]any{"success": true, "data": orEmpty(list[pos:end]), "additional_data": nextCursor(end, len(list))}, http.StatusOK
	case pattern == "/v1/recents":
		since, err := time.Parse("2006-01-02 15:04:05", q.Get("since_timestamp"))
		if err != nil {
			return bad("since_timestamp is not YYYY-MM-DD HH:MM:SS")
		}
		var items []*Entity
		for _, object := range slices.Sorted(maps.Keys(s.entities)) {
			if want := q.Get("items"); want != "" && want != object {
				continue
			}
			for _, e := range s.entities[object] {
				if !e.UpdateTime.Before(since) {
					items = append(items, e)
				}
			}
		}
		slices.SortStableFunc(items, func(a, b *Entity) int { return a.UpdateTime.Compare(b.UpdateTime) })
		start, _ := strconv.Atoi(q.Get("start"))
		start = min(max(start, 0), len(items))
		limit := pageLimit(q.Get("limit"))
		end := min(start+limit, len(items))
		data := []map[string]any{}
		last := since
		for _, e := range items[start:end] {
			data = append(data, map[string]any{"item": e.Object, "id": e.ID, "data": s.v1(e)})
			last = e.UpdateTime
		}
		return map[string]any{"success": true, "data": data, "additional_data": map[string]any{
			"since_timestamp": since.Format("2006-01-02 15:04:05"), "last_timestamp_on_page": last.Format("2006-01-02 15:04:05"),
			"pagination": map[string]any{"start": start, "limit": limit, "more_items_in_collection": end < len(items)},
		}}, http.StatusOK
	case strings.HasSuffix(pattern, "/changelog"):
		object := map[string]string{"/v1/deals/{id}/changelog": "deal", "/v1/persons/{id}/changelog": "person", "/v1/organizations/{id}/changelog": "organization"}[pattern]
		id, _ := strconv.ParseInt(params["id"], 10, 64)
		e := s.find(object, id)
		if e == nil {
			return map[string]any{"success": false, "error": object + " not found"}, http.StatusNotFound
		}
		var entries []map[string]any
		for i := len(e.changelog) - 1; i >= 0; i-- { // newest first
			c := e.changelog[i]
			entries = append(entries, map[string]any{"field_key": c.Field, "old_value": valueText(c.Old), "new_value": valueText(c.New),
				"actor_user_id": c.UserID, "time": c.Time.Format("2006-01-02 15:04:05"), "change_source": "app", "is_bulk_update_flag": false})
		}
		pos, ok := cursorPos(q.Get("cursor"))
		if !ok {
			return bad("invalid cursor")
		}
		pos = min(pos, len(entries))
		end := min(pos+pageLimit(q.Get("limit")), len(entries))
		return map[string]any{"success": true, "data": orEmpty(entries[pos:end]), "additional_data": nextCursor(end, len(entries))}, http.StatusOK
	}
	return map[string]any{"success": false, "error": "not served by the stand-in"}, http.StatusNotFound
}

// nextCursor is a page's additional_data. On the last page next_cursor is left
// out: the spec's text says it is null there, but its schema does not allow null
// (the client reads both as the end).
func nextCursor(end, total int) map[string]any {
	if end < total {
		return map[string]any{"next_cursor": cursorAfter(end)}
	}
	return map[string]any{}
}

func orEmpty(list []map[string]any) []map[string]any {
	if list == nil {
		return []map[string]any{}
	}
	return list
}

// valueText is a changelog value as Pipedrive gives it: text, or null.
func valueText(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// Deliver posts an event to a receiver as Pipedrive does: the first attempt, then
// a retry after each wait of schedule (Pipedrive's is 3, 30 and 150 seconds; a
// test shortens it), until one is answered 2xx. It reports whether one was.
func Deliver(ctx context.Context, client *http.Client, url, user, password string, ev Event, schedule []time.Duration) bool {
	for attempt := 1; attempt <= len(schedule)+1; attempt++ {
		if attempt > 1 {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(schedule[attempt-2]):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(ev.Body(attempt)))
		if err != nil {
			return false
		}
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(user, password)
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return true
		}
	}
	return false
}
