package pipedrive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// What changed at Pipedrive, read back: the API v2 lists of deals, persons and
// organizations by update time, GET /v1/recents for the other objects, and the
// changelog of one deal, person or organization. Their description is
// testdata/pipedrive/backfill-api-openapi.yml, which also gives each call's cost in
// Pipedrive's daily API token budget (x-token-cost).

// V2Lists names the API v2 list of each object that has one, by webhook object.
var V2Lists = map[string]string{"deal": "deals", "person": "persons", "organization": "organizations"}

// RecentsItems are the item types GET /v1/recents can be asked for (its items
// parameter), in the spec's order.
var RecentsItems = []string{"activity", "activityType", "deal", "file", "filter", "note", "person", "organization", "pipeline", "product", "stage", "user"}

// ChangelogObjects are the objects with a field-value changelog.
var ChangelogObjects = []string{"deal", "person", "organization"}

// Token costs of the calls, as the spec's x-token-cost gives them (a test checks).
const (
	CostRecents   = 20
	CostChangelog = 20
	CostV2List    = 10
)

// TokenCost is the documented cost of a request to path (relative to the API v1
// or v2 base, as a Client's Before hook sees it); 0 for a call whose cost is not
// in the spec (the webhooks API).
func TokenCost(path string) int {
	p, _, _ := strings.Cut(path, "?")
	switch {
	case p == "/recents":
		return CostRecents
	case strings.HasSuffix(p, "/changelog"):
		return CostChangelog
	case p == "/deals", p == "/persons", p == "/organizations":
		return CostV2List
	}
	return 0
}

// MaxPageSize is the largest page the v2 lists serve (their limit's documented maximum).
const MaxPageSize = 500

// Item is one entity as a list gives it: enough to say when it last changed and,
// for a deal, what a receiver's record would show.
type Item struct {
	Object     string    // deal, person, activity, …
	ID         string    // decimal
	AddTime    time.Time // zero when absent
	UpdateTime time.Time // zero when absent (a deal never changed since its creation, in v2)
	Deleted    bool      // v2 is_deleted; recents deleted, is_deleted, or active_flag false
	// UserID is the user who last changed it, when the answer says (update_user_id):
	// never the owner, who need not be the one who changed it.
	UserID string
	Deal   *DealFields // set for deals
}

// Changed is when the item last changed: its update time, or its add time when it
// has none.
func (it Item) Changed() time.Time {
	if it.UpdateTime.IsZero() {
		return it.AddTime
	}
	return it.UpdateTime
}

// DealFields are the fields of a deal that the receiver's record carries.
type DealFields struct {
	Title, Status, Currency string
	StageID                 *int64
	Value                   *float64
}

// ItemPage is one page of a v2 list; NextCursor is "" on the last page.
type ItemPage struct {
	Items      []Item
	NextCursor string
}

// ListQuery selects a v2 list's page: entities whose update time is in
// [Since, Until) (either may be zero: no bound), deleted ones (deals only: those
// deleted in the last 30 days), from Cursor on, Limit a page (0 for Pipedrive's 100).
type ListQuery struct {
	Since, Until time.Time
	Deleted      bool
	Cursor       string
	Limit        int
}

// rawPage is a page whose data is kept as text, each item decoded apart.
type rawPage struct {
	data       []json.RawMessage
	additional struct {
		NextCursor *string `json:"next_cursor"`
		Pagination *struct {
			Start int64 `json:"start"`
			Limit int64 `json:"limit"`
			More  bool  `json:"more_items_in_collection"`
		} `json:"pagination"`
	}
}

func (p *rawPage) additionalData() any { return &p.additional }
func (p *rawPage) dataTarget() any     { return &p.data }

// v2 is the client for Pipedrive's API v2, on the same origin: the v1 base's path
// with /v1 replaced by /api/v2.
func (c *Client) v2() *Client {
	cc := *c
	u := *c.baseURL
	u.Path = strings.TrimSuffix(u.Path, "/v1") + "/api/v2"
	cc.baseURL = &u
	return &cc
}

// ListChanged reads one page of object's v2 list (deal, person or organization).
func (c *Client) ListChanged(ctx context.Context, object string, q ListQuery) (ItemPage, error) {
	list, ok := V2Lists[object]
	if !ok {
		return ItemPage{}, fmt.Errorf("pipedrive: %q has no API v2 list by update time", object)
	}
	v := url.Values{}
	if !q.Since.IsZero() {
		v.Set("updated_since", q.Since.UTC().Format(time.RFC3339))
	}
	if !q.Until.IsZero() {
		v.Set("updated_until", q.Until.UTC().Format(time.RFC3339))
	}
	if q.Deleted {
		if object != "deal" {
			return ItemPage{}, fmt.Errorf("pipedrive: only deals are listed by status deleted, not %s", object)
		}
		v.Set("status", "deleted")
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(min(q.Limit, MaxPageSize)))
	}
	path := "/" + list + "?" + v.Encode()
	var page rawPage
	if err := c.v2().do(ctx, http.MethodGet, path, nil, &page); err != nil {
		return ItemPage{}, err
	}
	out := ItemPage{Items: make([]Item, 0, len(page.data))}
	for i, raw := range page.data {
		it, err := DecodeItem(object, raw)
		if err != nil {
			return ItemPage{}, &answerError{method: http.MethodGet, path: "/api/v2/" + list, problem: fmt.Sprintf("item %d: %v", i, err)}
		}
		out.Items = append(out.Items, it)
	}
	if nc := page.additional.NextCursor; nc != nil && *nc != "" {
		if *nc == q.Cursor {
			return ItemPage{}, fmt.Errorf("pipedrive: GET /api/v2/%s: the next cursor is the one asked for: %w", list, errIncomplete)
		}
		out.NextCursor = *nc
	}
	return out, nil
}

// RecentsPage is one page of GET /v1/recents. NextStart is where the next page
// starts when More.
type RecentsPage struct {
	Items     []Item
	More      bool
	NextStart int64
}

// RecentsTimeFormat is how /v1/recents spells a time (UTC).
const RecentsTimeFormat = "2006-01-02 15:04:05"

// Recents reads one page of the changes to item (an entry of RecentsItems) since
// since, from start, limit a page (0 for Pipedrive's default).
func (c *Client) Recents(ctx context.Context, item string, since time.Time, start int64, limit int) (RecentsPage, error) {
	v := url.Values{}
	v.Set("since_timestamp", since.UTC().Format(RecentsTimeFormat))
	v.Set("items", item)
	if start > 0 {
		v.Set("start", strconv.FormatInt(start, 10))
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	path := "/recents?" + v.Encode()
	var page rawPage
	if err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
		return RecentsPage{}, err
	}
	out := RecentsPage{Items: make([]Item, 0, len(page.data))}
	for i, raw := range page.data {
		var entry struct {
			Item string          `json:"item"`
			ID   json.RawMessage `json:"id"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &entry); err != nil {
			return RecentsPage{}, &answerError{method: http.MethodGet, path: "/recents", problem: fmt.Sprintf("item %d: %v", i, oneLine(err.Error(), 200))}
		}
		if entry.Item != item {
			continue // not asked for
		}
		it, err := DecodeItem(item, entry.Data)
		if err != nil {
			return RecentsPage{}, &answerError{method: http.MethodGet, path: "/recents", problem: fmt.Sprintf("item %d: %v", i, err)}
		}
		if it.ID == "" {
			it.ID = idText(entry.ID)
		}
		out.Items = append(out.Items, it)
	}
	if p := page.additional.Pagination; p != nil && p.More {
		if len(page.data) == 0 {
			return RecentsPage{}, fmt.Errorf("pipedrive: GET /recents: an empty page says more items follow: %w", errIncomplete)
		}
		out.More, out.NextStart = true, start+int64(len(page.data))
	}
	return out, nil
}

// FieldChange is one entry of a changelog: one field's change.
type FieldChange struct {
	Field    string
	Old, New *string
	Time     time.Time
	UserID   string
	Source   string // app, api, …
	Bulk     bool
}

// ChangelogPage is one page of a changelog; NextCursor is "" on the last page.
type ChangelogPage struct {
	Changes    []FieldChange
	NextCursor string
}

// Changelog reads one page of the field changes of a deal, person or organization.
func (c *Client) Changelog(ctx context.Context, object, id, cursor string, limit int) (ChangelogPage, error) {
	list, ok := V2Lists[object]
	if !ok {
		return ChangelogPage{}, fmt.Errorf("pipedrive: %q has no changelog", object)
	}
	if _, err := strconv.ParseUint(id, 10, 63); err != nil {
		return ChangelogPage{}, fmt.Errorf("pipedrive: %s id %q is not a number", object, id)
	}
	v := url.Values{}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	path := "/" + list + "/" + id + "/changelog"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var page rawPage
	if err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
		return ChangelogPage{}, err
	}
	out := ChangelogPage{}
	for i, raw := range page.data {
		fc, err := DecodeFieldChange(raw)
		if err != nil {
			return ChangelogPage{}, &answerError{method: http.MethodGet, path: "/" + list + "/{id}/changelog", problem: fmt.Sprintf("entry %d: %v", i, err)}
		}
		out.Changes = append(out.Changes, fc)
	}
	if nc := page.additional.NextCursor; nc != nil && *nc != "" {
		if *nc == cursor {
			return ChangelogPage{}, fmt.Errorf("pipedrive: GET %s: the next cursor is the one asked for: %w", path, errIncomplete)
		}
		out.NextCursor = *nc
	}
	return out, nil
}

// ErrUnreadable is wrapped by the errors of DecodeItem, DecodeFieldChange and ParseTime.
var ErrUnreadable = errors.New("unreadable")

// ParseTime reads a time as Pipedrive's APIs write it: RFC 3339 (API v2, "Z" or
// an offset, fractions or none) or "YYYY-MM-DD HH:MM:SS" in UTC (API v1). "" and
// null are the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, RecentsTimeFormat, "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w time %q: want RFC 3339 or YYYY-MM-DD HH:MM:SS", ErrUnreadable, oneLine(s, 40))
}

// DecodeItem reads one entity of object from a list's data: the v2 lists' shape
// and the data of a /v1/recents entry. Ids may be numbers or text; a field of an
// unexpected kind is an error, never a guess.
func DecodeItem(object string, raw []byte) (Item, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return Item{}, fmt.Errorf("%w %s: not a JSON object", ErrUnreadable, object)
	}
	it := Item{Object: object, ID: idText(m["id"])}
	if len(m["id"]) > 0 && string(m["id"]) != "null" && it.ID == "" {
		return Item{}, fmt.Errorf("%w %s: id %s is not an id", ErrUnreadable, object, oneLine(string(m["id"]), 40))
	}
	var err error
	times := []struct {
		into *time.Time
		keys []string
	}{{&it.AddTime, []string{"add_time", "created"}}, {&it.UpdateTime, []string{"update_time", "modified"}}}
	for _, t := range times {
		for _, k := range t.keys {
			if s, ok, e := textField(m, k); e != nil {
				return Item{}, fmt.Errorf("%s: %w", object, e)
			} else if ok && s != "" {
				if *t.into, err = ParseTime(s); err != nil {
					return Item{}, fmt.Errorf("%s %s: %w", object, k, err)
				}
				break
			}
		}
	}
	for _, k := range []string{"is_deleted", "deleted"} {
		if b, ok := boolField(m, k); ok && b {
			it.Deleted = true
		}
	}
	if b, ok := boolField(m, "active_flag"); ok && !b {
		it.Deleted = true
	}
	it.UserID = idText(m["update_user_id"])
	if object == "deal" {
		d := &DealFields{}
		d.Title, _, _ = textField(m, "title")
		d.Status, _, _ = textField(m, "status")
		d.Currency, _, _ = textField(m, "currency")
		if n, err := strconv.ParseInt(idText(m["stage_id"]), 10, 64); err == nil {
			d.StageID = &n
		}
		if v, ok := numberField(m, "value"); ok {
			d.Value = &v
		}
		if d.Status == "deleted" {
			it.Deleted = true
		}
		it.Deal = d
	}
	return it, nil
}

// DecodeFieldChange reads one changelog entry.
func DecodeFieldChange(raw []byte) (FieldChange, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return FieldChange{}, fmt.Errorf("%w changelog entry: not a JSON object", ErrUnreadable)
	}
	fc := FieldChange{UserID: idText(m["actor_user_id"])}
	var err error
	if fc.Field, _, err = textField(m, "field_key"); err != nil || fc.Field == "" {
		return FieldChange{}, fmt.Errorf("%w changelog entry: no field_key", ErrUnreadable)
	}
	when, _, err := textField(m, "time")
	if err != nil {
		return FieldChange{}, err
	}
	if fc.Time, err = ParseTime(when); err != nil || fc.Time.IsZero() {
		return FieldChange{}, fmt.Errorf("%w changelog entry: no time", ErrUnreadable)
	}
	for _, v := range []struct {
		into **string
		key  string
	}{{&fc.Old, "old_value"}, {&fc.New, "new_value"}} {
		raw := bytes.TrimSpace(m[v.key])
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw) // a number or an object, kept as its JSON text
		}
		*v.into = &s
	}
	fc.Source, _, _ = textField(m, "change_source")
	fc.Bulk, _ = boolField(m, "is_bulk_update_flag")
	return fc, nil
}

// idText is an id as decimal text (from a number or a string), "" when absent or
// not an id.
func idText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		s = strings.TrimSpace(s)
	} else {
		s = string(raw)
	}
	if n, err := strconv.ParseUint(s, 10, 63); err == nil {
		return strconv.FormatUint(n, 10)
	}
	return ""
}

// textField is m[k] as text; a number is its JSON text; ok is false when absent
// or null; an object or array is an error.
func textField(m map[string]json.RawMessage, k string) (string, bool, error) {
	raw := bytes.TrimSpace(m[k])
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true, nil
	}
	return "", false, fmt.Errorf("%w: %s is %s, not text", ErrUnreadable, k, oneLine(string(raw), 40))
}

// boolField is m[k] as a boolean (true/false, 1/0, "1"/"0").
func boolField(m map[string]json.RawMessage, k string) (bool, bool) {
	switch strings.Trim(string(bytes.TrimSpace(m[k])), `"`) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// numberField is m[k] as a finite number (from a number or numeric text).
func numberField(m map[string]json.RawMessage, k string) (float64, bool) {
	s, ok, err := textField(m, k)
	if !ok || err != nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1e308 || f < -1e308 {
		return 0, false
	}
	return f, true
}
