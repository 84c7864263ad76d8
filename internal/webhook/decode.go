package webhook

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error kinds: the `kind` of a rejected payload, as logged.
const (
	KindEmptyBody      = "empty_body"
	KindInvalidUTF8    = "invalid_utf8"
	KindInvalidJSON    = "invalid_json"
	KindTruncatedJSON  = "truncated_json"
	KindNotAnObject    = "not_an_object"
	KindWrongType      = "wrong_type"
	KindMissingMeta    = "missing_meta"
	KindUnknownVersion = "unknown_version"
)

// Error is why a payload could not be decoded; Kind is one of the Kind constants.
type Error struct {
	Kind string
	Err  error
}

func (e *Error) Error() string { return e.Kind + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func fail(kind string, format string, args ...any) *Error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, args...)}
}

// payload is the union of the v1 and v2 envelopes. v2's data is decoded in the same
// pass as the envelope; the objects whose keys matter (previous, and v1's current,
// which is compared with it) are kept as text and read once more (readMembers).
type payload struct {
	V        text            `json:"v"`
	Event    text            `json:"event"`
	Retry    Int             `json:"retry"`
	Meta     *meta           `json:"meta"`
	Current  json.RawMessage `json:"current"`
	Data     *object         `json:"data"`
	Previous json.RawMessage `json:"previous"`
	// Room for what Meta and Data point to when the scanner reads them: one
	// allocation for the three.
	metaRoom meta
	dataRoom object
}

type meta struct {
	Version        text     `json:"version"`
	V              text     `json:"v"`
	Action         text     `json:"action"`
	Object         text     `json:"object"`
	Entity         text     `json:"entity"`
	ID             text     `json:"id"`
	EntityID       text     `json:"entity_id"`
	CompanyID      text     `json:"company_id"`
	UserID         text     `json:"user_id"`
	WebhookID      text     `json:"webhook_id"`
	Host           text     `json:"host"`
	Timestamp      flexTime `json:"timestamp"`
	TimestampMicro text     `json:"timestamp_micro"`
	ChangeSource   text     `json:"change_source"`
	IsBulkUpdate   flag     `json:"is_bulk_update"`
	IsBulkEdit     flag     `json:"is_bulk_edit"`
	Attempt        Int      `json:"attempt"`
	CorrelationID  text     `json:"correlation_id"`
	MergedToID     text     `json:"merged_to_id"`
	MergedFromID   text     `json:"merged_from_id"`
	PermittedUsers count    `json:"permitted_user_ids"`
}

// unreadable appends the names of meta's fields that could not be read. (A
// fixed array, not a slice of interfaces: nothing escapes to the heap.)
func (m *meta) unreadable(names []string) []string {
	for _, f := range [...]struct {
		name string
		bad  bool
	}{
		{"meta.version", m.Version.bad}, {"meta.v", m.V.bad}, {"meta.action", m.Action.bad}, {"meta.object", m.Object.bad},
		{"meta.entity", m.Entity.bad}, {"meta.id", m.ID.bad}, {"meta.entity_id", m.EntityID.bad}, {"meta.company_id", m.CompanyID.bad},
		{"meta.user_id", m.UserID.bad}, {"meta.webhook_id", m.WebhookID.bad}, {"meta.host", m.Host.bad}, {"meta.timestamp", m.Timestamp.raw.bad},
		{"meta.timestamp_micro", m.TimestampMicro.bad}, {"meta.change_source", m.ChangeSource.bad}, {"meta.is_bulk_update", m.IsBulkUpdate.bad},
		{"meta.is_bulk_edit", m.IsBulkEdit.bad}, {"meta.attempt", m.Attempt.bad}, {"meta.correlation_id", m.CorrelationID.bad},
		{"meta.merged_to_id", m.MergedToID.bad}, {"meta.merged_from_id", m.MergedFromID.bad},
		{"meta.permitted_user_ids", m.PermittedUsers.bad},
	} {
		if f.bad {
			names = append(names, f.name)
		}
	}
	return names
}

// object holds the fields read from current/data/previous: the id of any entity,
// for deals what a dashboard shows, and the parent named by the objects that belong
// to a deal or a project (parentOf). Other entities give these fields other shapes
// (a lead's value is an object), so they are only looked at where they mean that.
type object struct {
	ID         text  `json:"id"`
	Title      text  `json:"title"`
	Status     text  `json:"status"`
	StageID    Int   `json:"stage_id"`
	Value      Float `json:"value"`
	Currency   text  `json:"currency"`
	MergedToID text  `json:"merged_to_id"`
	DealID     text  `json:"deal_id"`
	ProjectID  text  `json:"project_id"`
}

// unreadableDealFields appends the names of the deal fields that could not be read.
func (o *object) unreadableDealFields(names []string, prefix string) []string {
	for _, f := range [...]struct {
		name string
		bad  bool
	}{
		{"id", o.ID.bad}, {"title", o.Title.bad}, {"status", o.Status.bad},
		{"stage_id", o.StageID.bad}, {"value", o.Value.bad}, {"currency", o.Currency.bad},
	} {
		if f.bad {
			names = append(names, prefix+"."+f.name)
		}
	}
	return names
}

// members is an object whose keys matter, read as a list sorted by key (of a
// repeated key, the last), with its fields. A list rather than a map: a map cost
// the v2 change of one field four allocations and 600 bytes.
type members struct {
	list []member // nil when the object was absent
	obj  object
}

type member struct {
	key   string
	value json.RawMessage
}

// get returns the value of key, and whether the object has it.
func (ms *members) get(key string) (json.RawMessage, bool) {
	i, ok := slices.BinarySearchFunc(ms.list, key, func(m member, k string) int { return strings.Compare(m.key, k) })
	if !ok {
		return nil, false
	}
	return ms.list[i].value, true
}

// keys returns the keys, sorted; an empty list, not nil, for an empty object.
func (ms *members) keys() []string {
	keys := make([]string, len(ms.list))
	for i, m := range ms.list {
		keys[i] = m.key
	}
	return keys
}

func readMembers(raw json.RawMessage, name string) (members, []string) {
	var ms members
	raw = unwrapOne(raw)
	if !isObject(raw) {
		return ms, nil
	}
	ms.list = make([]member, 0, 4)
	sc := scanner{b: raw}
	ok := sc.object(1, func(key []byte, escaped bool, v []byte) bool {
		k := string(key)
		if escaped && json.Unmarshal([]byte(`"`+k+`"`), &k) != nil {
			return false // cannot happen: the scanner checked its escapes
		}
		ms.list = append(ms.list, member{k, v})
		return true
	})
	if !ok {
		// Deeper than the scanner goes: encoding/json reads it.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return members{}, []string{name} // cannot happen for valid JSON text
		}
		ms.list = ms.list[:0]
		for k, v := range m {
			ms.list = append(ms.list, member{k, v})
		}
	}
	// Sorted by key, the last of a repeated key kept, as a map would keep it.
	slices.SortStableFunc(ms.list, func(a, b member) int { return strings.Compare(a.key, b.key) })
	out := ms.list[:0]
	for i, m := range ms.list {
		if i+1 < len(ms.list) && ms.list[i+1].key == m.key {
			continue // a later value of the same key follows
		}
		out = append(out, m)
	}
	ms.list = out
	for _, m := range ms.list {
		if i := fieldIndex([]byte(m.key), objectNames); i >= 0 {
			ms.obj.setField(i, m.value)
		}
	}
	return ms, nil
}

// Decode parses one webhook body. It accepts v1 and v2 payloads, ids as numbers or
// strings, timestamps as RFC 3339 or Unix time, v1 objects wrapped in one-element
// arrays, and any entity, action or field it does not know. A field whose value
// cannot be meant as what it names is dropped and listed in Event.Unreadable; the
// event is kept. A non-nil error is an *Error.
func Decode(body []byte) (*Event, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, fail(KindEmptyBody, "the body is empty")
	}
	if !utf8.Valid(body) {
		return nil, fail(KindInvalidUTF8, "the body is not valid UTF-8")
	}
	if body[0] != '{' {
		if !json.Valid(body) {
			return nil, jsonError(json.Unmarshal(body, new(any)))
		}
		return nil, fail(KindNotAnObject, "the body is JSON but not an object")
	}
	return decode(body, true)
}

// decode is Decode reading the envelope with the scanner when scan is set (it may
// decline it), else, or then, with json.Unmarshal.
func decode(body []byte, scan bool) (*Event, error) {
	var p payload
	var unreadable []string
	if !scan || !scanPayload(body, &p) {
		p = payload{}
		if err := json.Unmarshal(body, &p); err != nil {
			// A member of the wrong kind (data as a string, say) is skipped, and the
			// rest decoded; only the envelope's own shape is fatal.
			var typ *json.UnmarshalTypeError
			if !errors.As(err, &typ) || typ.Field == "meta" || typ.Field == "" {
				return nil, jsonError(err)
			}
			unreadable = append(unreadable, typ.Field)
		}
	}
	if p.Meta == nil {
		return nil, fail(KindMissingMeta, "the payload has no meta object")
	}
	version, err := detectVersion(&p)
	if err != nil {
		return nil, err
	}
	var e *Event
	if version == V1 {
		e = decodeV1(&p)
	} else {
		e = decodeV2(&p)
	}
	if e.Unreadable = p.Meta.unreadable(append(unreadable, e.Unreadable...)); len(e.Unreadable) > 1 {
		slices.Sort(e.Unreadable)
	}
	return e, nil
}

func jsonError(err error) *Error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		return fail(KindWrongType, "%s: want %s, got JSON %s", fieldName(typ), typ.Type, typ.Value)
	case err != nil && strings.Contains(err.Error(), "unexpected end of JSON input"):
		return &Error{Kind: KindTruncatedJSON, Err: err}
	case errors.As(err, &syntax):
		return &Error{Kind: KindInvalidJSON, Err: err}
	default:
		return &Error{Kind: KindInvalidJSON, Err: err}
	}
}

func fieldName(e *json.UnmarshalTypeError) string {
	if e.Field == "" {
		return "payload"
	}
	return e.Field
}

func detectVersion(p *payload) (string, error) {
	m := p.Meta
	v := cmp.Or(m.Version.s, m.V.s, p.V.s)
	switch v {
	case "2", "2.0":
		return V2, nil
	case "1", "1.0":
		return V1, nil
	case "":
		// No version at all: tell by shape, as the envelopes share no field names.
		switch {
		case m.Entity.s != "" || m.EntityID.s != "" || p.Data != nil:
			return V2, nil
		case m.Object.s != "" || p.Current != nil || p.Event.s != "":
			return V1, nil
		}
		return "", fail(KindUnknownVersion, "the payload carries no version and looks like neither v1 nor v2")
	}
	return "", fail(KindUnknownVersion, "unknown webhook version %.20q", v)
}

func decodeV1(p *payload) *Event {
	m := p.Meta
	action, entity := m.Action.s, m.Object.s
	// "updated.deal": the event name carries both when meta lacks them.
	if a, o, ok := strings.Cut(p.Event.s, "."); ok {
		action, entity = cmp.Or(action, a), cmp.Or(entity, o)
	}
	e := &Event{
		Version:      V1,
		RawAction:    action,
		Action:       Action(action),
		Entity:       entity,
		EntityID:     m.ID.s,
		Attempt:      int(min(max(p.Retry.N, 0), maxAttempt)) + 1,
		CompanyID:    m.CompanyID.s,
		UserID:       m.UserID.s,
		WebhookID:    m.WebhookID.s,
		Timestamp:    m.Timestamp.Time,
		ChangeSource: m.ChangeSource.s,
		Bulk:         m.IsBulkUpdate.b,
		Host:         m.Host.s,
		MergedToID:   m.MergedToID.s,
		MergedFromID: m.MergedFromID.s,
	}
	e.PermittedUserCount = m.PermittedUsers.Int
	if p.Retry.bad {
		e.Unreadable = append(e.Unreadable, "retry")
	}
	cur, u1 := readMembers(p.Current, "current")
	prev, u2 := readMembers(p.Previous, "previous")
	e.Unreadable = append(append(e.Unreadable, u1...), u2...)
	if e.Action == ActionChange && prev.list != nil {
		e.ChangedFields = changedFields(&cur, &prev)
	}
	describe(e, cur.list != nil, &cur.obj, &prev.obj, "current")
	e.DedupKey = dedupKey(e, m.Timestamp.raw.s, m.TimestampMicro.s)
	return e
}

// maxAttempt bounds the attempt logged: Pipedrive makes four.
const maxAttempt = 1000

func decodeV2(p *payload) *Event {
	m := p.Meta
	e := &Event{
		Version:       V2,
		RawAction:     m.Action.s,
		Action:        Action(m.Action.s),
		Entity:        m.Entity.s,
		EntityID:      m.EntityID.s,
		EventID:       m.ID.s,
		Attempt:       int(min(max(m.Attempt.N, 1), maxAttempt)),
		CompanyID:     m.CompanyID.s,
		UserID:        m.UserID.s,
		WebhookID:     m.WebhookID.s,
		Timestamp:     m.Timestamp.Time,
		CorrelationID: m.CorrelationID.s,
		Bulk:          m.IsBulkEdit.b,
		ChangeSource:  m.ChangeSource.s,
		Host:          m.Host.s,
		MergedToID:    m.MergedToID.s,
		MergedFromID:  m.MergedFromID.s,
	}
	e.PermittedUserCount = m.PermittedUsers.Int
	var data object
	if p.Data != nil {
		data = *p.Data
	}
	prev, u := readMembers(p.Previous, "previous")
	e.Unreadable = u
	if e.Action == ActionChange && prev.list != nil {
		e.ChangedFields = prev.keys() // v2 sends only the fields that changed
	}
	describe(e, p.Data != nil, &data, &prev.obj, "data")
	e.DedupKey = dedupKey(e, m.Timestamp.raw.s, "")
	return e
}

// describe fills what comes from the object bodies: the entity id when meta lacks
// it, where a merge went, and the deal fields (from current/data, or from previous
// on a delete), reporting those it could not read.
func describe(e *Event, hasCurrent bool, cur, prev *object, curName string) {
	if e.EntityID == "" {
		e.EntityID = cmp.Or(cur.ID.s, prev.ID.s)
	}
	if e.MergedToID == "" {
		e.MergedToID = cmp.Or(cur.MergedToID.s, prev.MergedToID.s)
	}
	if deal, project := parentOf(e.Entity); deal || project {
		describeParent(e, deal, project, cur, prev, curName)
		return
	}
	if e.Entity != "deal" {
		return
	}
	e.Unreadable = prev.unreadableDealFields(cur.unreadableDealFields(e.Unreadable, curName), "previous")
	if hasCurrent {
		// Only what moved: v2's previous carries only changed fields, v1's all of
		// them, and both must tell the same change the same way.
		e.Deal = newDeal(cur)
		if prev.Status.s != cur.Status.s {
			e.Deal.PreviousStatus = prev.Status.s
		}
		if prev.StageID.Valid && (!cur.StageID.Valid || prev.StageID.N != cur.StageID.N) {
			e.Deal.PreviousStageID = prev.StageID
		}
	} else { // a delete: the deal lives on only in previous
		e.Deal = newDeal(prev)
	}
}

// describeParent sets the parent deal or project of an object that belongs to one,
// from current/data, else from previous (a delete), reporting an id it could not read.
func describeParent(e *Event, deal, project bool, cur, prev *object, curName string) {
	if deal {
		e.DealID = cmp.Or(cur.DealID.s, prev.DealID.s)
		e.Unreadable = unreadableField(unreadableField(e.Unreadable, cur.DealID.bad, curName+".deal_id"), prev.DealID.bad, "previous.deal_id")
	}
	if project {
		e.ProjectID = cmp.Or(cur.ProjectID.s, prev.ProjectID.s)
		e.Unreadable = unreadableField(unreadableField(e.Unreadable, cur.ProjectID.bad, curName+".project_id"), prev.ProjectID.bad, "previous.project_id")
	}
}

func unreadableField(names []string, bad bool, name string) []string {
	if bad {
		return append(names, name)
	}
	return names
}

func newDeal(o *object) *Deal {
	return &Deal{
		Title:    o.Title.s,
		Status:   o.Status.s,
		StageID:  o.StageID,
		Value:    o.Value,
		Currency: o.Currency.s,
	}
}

// changedFields lists the keys of v1's previous whose value differs from current's,
// as Pipedrive means them: v1 sends the whole previous object, so only differing
// keys count, and a key current does not carry tells nothing.
func changedFields(cur, prev *members) []string {
	if cur.list == nil {
		return prev.keys()
	}
	changed := make([]string, 0, 8)
	for _, p := range prev.list { // sorted: so is changed
		if cv, ok := cur.get(p.key); ok && !sameValue(cv, p.value) {
			changed = append(changed, p.key)
		}
	}
	return changed
}

// sameValue reports whether two JSON values mean the same to Pipedrive: whatever
// their spacing, 12 and "12", and an id or value given bare in one object and as
// {"id": 12, "name": …} (or {"value": 12, …}) in the other.
func sameValue(a, b json.RawMessage) bool {
	a, b = bytes.TrimSpace(a), bytes.TrimSpace(b)
	if bytes.Equal(a, b) {
		return true
	}
	a, b = reference(a), reference(b)
	if bytes.Equal(a, b) {
		return true
	}
	if scalarJSON(a) && scalarJSON(b) {
		var ta, tb text
		_, _ = ta.UnmarshalJSON(a), tb.UnmarshalJSON(b)
		if ta.s == tb.s {
			return true
		}
		fa, errA := strconv.ParseFloat(ta.s, 64)
		fb, errB := strconv.ParseFloat(tb.s, 64)
		return errA == nil && errB == nil && fa == fb
	}
	if scalarJSON(a) != scalarJSON(b) {
		return false
	}
	var va, vb any
	return json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil && reflect.DeepEqual(va, vb)
}

// reference is what an object stands for when it is a reference to another one: its
// "id" (a user, an organisation), else its "value" (a custom field); anything else
// as it is.
func reference(raw json.RawMessage) json.RawMessage {
	if !isObject(raw) {
		return raw
	}
	if id, ok := leadingID(raw); ok {
		return id
	}
	var ref struct {
		ID    json.RawMessage `json:"id"`
		Value json.RawMessage `json:"value"`
	}
	if json.Unmarshal(raw, &ref) != nil {
		return raw
	}
	switch {
	case ref.ID != nil:
		return bytes.TrimSpace(ref.ID)
	case ref.Value != nil:
		return bytes.TrimSpace(ref.Value)
	}
	return raw
}

// leadingID reads the common shape of a reference without a decoder: an object
// whose first member is "id" with a number or a plain string. raw is valid JSON.
func leadingID(raw json.RawMessage) (json.RawMessage, bool) {
	rest := bytes.TrimLeft(raw[1:], " \t\r\n")
	if !bytes.HasPrefix(rest, []byte(`"id"`)) {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[len(`"id"`):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	end := bytes.IndexAny(rest, ",}")
	if end <= 0 {
		return nil, false
	}
	v := bytes.TrimRight(rest[:end], " \t\r\n")
	if v[0] == '"' && (len(v) < 2 || v[len(v)-1] != '"' || bytes.ContainsAny(v[1:len(v)-1], `"\`)) {
		return nil, false // a string with a comma, a quote or an escape in it: decode it properly
	}
	if v[0] == '{' || v[0] == '[' {
		return nil, false
	}
	return v, true
}

func scalarJSON(raw json.RawMessage) bool {
	return len(raw) > 0 && raw[0] != '{' && raw[0] != '['
}

// unwrapOne returns the element of a one-element array (v1 sends some objects, such as
// users, that way) and anything else unchanged.
func unwrapOne(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return raw
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || len(items) != 1 {
		return raw
	}
	return bytes.TrimSpace(items[0])
}

func isObject(raw json.RawMessage) bool {
	return len(raw) > 0 && raw[0] == '{'
}
