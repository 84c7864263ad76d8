package webhook

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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

// payload is the union of the v1 and v2 envelopes.
type payload struct {
	V        flexString      `json:"v"`
	Event    flexString      `json:"event"`
	Retry    Int             `json:"retry"`
	Meta     *meta           `json:"meta"`
	Current  json.RawMessage `json:"current"`
	Data     json.RawMessage `json:"data"`
	Previous json.RawMessage `json:"previous"`
}

type meta struct {
	Version        flexString `json:"version"`
	V              flexString `json:"v"`
	Action         flexString `json:"action"`
	Object         flexString `json:"object"`
	Entity         flexString `json:"entity"`
	ID             flexString `json:"id"`
	EntityID       flexString `json:"entity_id"`
	CompanyID      flexString `json:"company_id"`
	UserID         flexString `json:"user_id"`
	WebhookID      flexString `json:"webhook_id"`
	Host           flexString `json:"host"`
	Timestamp      flexTime   `json:"timestamp"`
	TimestampMicro flexString `json:"timestamp_micro"`
	ChangeSource   flexString `json:"change_source"`
	IsBulkUpdate   flexBool   `json:"is_bulk_update"`
	IsBulkEdit     flexBool   `json:"is_bulk_edit"`
	Attempt        Int        `json:"attempt"`
	CorrelationID  flexString `json:"correlation_id"`
}

// object holds the fields read from `current`/`data`/`previous`: the id of any
// entity, and for deals what a dashboard shows (other entities give these fields other
// shapes, such as a lead's value object, so they are only read for deals).
type object struct {
	ID       flexString `json:"id"`
	Title    flexString `json:"title"`
	Status   flexString `json:"status"`
	StageID  Int        `json:"stage_id"`
	Value    Float      `json:"value"`
	Currency flexString `json:"currency"`
}

// Decode parses one webhook body. It accepts v1 and v2 payloads, ids as numbers or
// strings, timestamps as RFC 3339 or Unix time, v1 objects wrapped in one-element
// arrays, and any entity, action or field it does not know. A non-nil error is an
// *Error.
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
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, jsonError(err)
	}
	if p.Meta == nil {
		return nil, fail(KindMissingMeta, "the payload has no meta object")
	}
	version, err := detectVersion(&p)
	if err != nil {
		return nil, err
	}
	if version == V1 {
		return decodeV1(&p)
	}
	return decodeV2(&p)
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
	case err != nil && strings.HasPrefix(err.Error(), "json: "):
		return &Error{Kind: KindInvalidJSON, Err: err}
	default: // an error from one of the flex types
		return &Error{Kind: KindWrongType, Err: err}
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
	v := m.Version
	if v == "" {
		v = m.V
	}
	if v == "" {
		v = p.V
	}
	switch v {
	case "2", "2.0":
		return V2, nil
	case "1", "1.0":
		return V1, nil
	case "":
		// No version at all: tell by shape, as the envelopes share no field names.
		switch {
		case m.Entity != "" || m.EntityID != "" || p.Data != nil:
			return V2, nil
		case m.Object != "" || p.Current != nil || p.Event != "":
			return V1, nil
		}
		return "", fail(KindUnknownVersion, "the payload carries no version and looks like neither v1 nor v2")
	}
	return "", fail(KindUnknownVersion, "unknown webhook version %.20q", v)
}

func decodeV1(p *payload) (*Event, error) {
	m := p.Meta
	action, entity := string(m.Action), string(m.Object)
	// "updated.deal": the event name carries both when meta lacks them.
	if a, o, ok := strings.Cut(string(p.Event), "."); ok {
		action, entity = cmp.Or(action, a), cmp.Or(entity, o)
	}
	e := &Event{
		Version:      V1,
		RawAction:    action,
		Action:       normaliseAction(action),
		Entity:       entity,
		EntityID:     string(m.ID),
		Attempt:      max(int(p.Retry.N), 0) + 1,
		CompanyID:    string(m.CompanyID),
		UserID:       string(m.UserID),
		WebhookID:    string(m.WebhookID),
		Timestamp:    m.Timestamp.Time,
		ChangeSource: string(m.ChangeSource),
		Bulk:         bool(m.IsBulkUpdate),
		Host:         string(m.Host),
	}
	current, previous := unwrapOne(p.Current), unwrapOne(p.Previous)
	if err := describe(e, current, previous, true); err != nil {
		return nil, err
	}
	e.DedupKey = dedupKey(e, string(m.Timestamp.raw), string(m.TimestampMicro))
	return e, nil
}

func decodeV2(p *payload) (*Event, error) {
	m := p.Meta
	e := &Event{
		Version:       V2,
		RawAction:     string(m.Action),
		Action:        normaliseAction(string(m.Action)),
		Entity:        string(m.Entity),
		EntityID:      string(m.EntityID),
		EventID:       string(m.ID),
		Attempt:       max(int(m.Attempt.N), 1),
		CompanyID:     string(m.CompanyID),
		UserID:        string(m.UserID),
		WebhookID:     string(m.WebhookID),
		Timestamp:     m.Timestamp.Time,
		CorrelationID: string(m.CorrelationID),
		Bulk:          bool(m.IsBulkEdit),
		Host:          string(m.Host),
	}
	if err := describe(e, p.Data, p.Previous, false); err != nil {
		return nil, err
	}
	e.DedupKey = dedupKey(e, string(m.Timestamp.raw), "")
	return e, nil
}

// describe fills what comes from the object bodies: the entity id when meta lacks
// it, the changed fields, and the deal fields. v1 sends the whole previous object,
// so only the keys whose value differs count as changed there; v2 sends only the
// changed ones.
func describe(e *Event, current, previous json.RawMessage, onlyDiffering bool) error {
	isDeal := e.Entity == "deal"
	cur, err := decodeObject(current, isDeal, "current")
	if err != nil {
		return err
	}
	prev, err := decodeObject(previous, isDeal, "previous")
	if err != nil {
		return err
	}
	if e.EntityID == "" {
		e.EntityID = string(cmp.Or(cur.ID, prev.ID))
	}
	if e.Action == ActionChange && isObject(previous) {
		fields, err := changedFields(current, previous, onlyDiffering)
		if err != nil {
			return err
		}
		e.ChangedFields = fields
	}
	if isDeal {
		if isObject(current) {
			e.Deal = newDeal(&cur)
			e.Deal.PreviousStatus, e.Deal.PreviousStageID = string(prev.Status), prev.StageID
		} else { // a delete: the deal lives on only in previous
			e.Deal = newDeal(&prev)
		}
	}
	return nil
}

func newDeal(o *object) *Deal {
	return &Deal{
		Title:    string(o.Title),
		Status:   string(o.Status),
		StageID:  o.StageID,
		Value:    o.Value,
		Currency: string(o.Currency),
	}
}

func decodeObject(raw json.RawMessage, isDeal bool, name string) (object, error) {
	var o object
	if !isObject(raw) {
		return o, nil
	}
	var err error
	if isDeal {
		err = json.Unmarshal(raw, &o)
	} else {
		var id struct {
			ID flexString `json:"id"`
		}
		err = json.Unmarshal(raw, &id)
		o.ID = id.ID
	}
	if err != nil {
		e := jsonError(err)
		e.Err = fmt.Errorf("%s: %w", name, e.Err)
		return o, e
	}
	return o, nil
}

func changedFields(current, previous json.RawMessage, onlyDiffering bool) ([]string, error) {
	var prev map[string]json.RawMessage
	if err := json.Unmarshal(previous, &prev); err != nil {
		return nil, jsonError(err)
	}
	if !onlyDiffering || !isObject(current) {
		return sortedKeys(prev), nil
	}
	var cur map[string]json.RawMessage
	if err := json.Unmarshal(current, &cur); err != nil {
		return nil, jsonError(err)
	}
	for k, pv := range prev {
		if cv, ok := cur[k]; ok && sameJSON(cv, pv) {
			delete(prev, k)
		}
	}
	return sortedKeys(prev), nil
}

// sameJSON reports whether two JSON texts hold the same value, whatever their spacing.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	return json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil && reflect.DeepEqual(va, vb)
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
