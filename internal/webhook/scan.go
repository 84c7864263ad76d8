package webhook

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// A webhook body is read in one pass by the scanner below, which checks the whole
// text is JSON and fills the payload as json.Unmarshal would: the same fields, from
// the same members (names matched exactly, else under Unicode case folding, the
// last of a repeated name winning), each read by the same UnmarshalJSON. It skips
// what the record does not need without decoding it. json.Unmarshal spent about
// half of the receiver's CPU time on a delivery, most of it on checking and
// reflecting over members nobody reads.
//
// It handles the ordinary shapes only. For anything else (text that is not JSON,
// meta or data that is no object, a member name with an escape in it, nesting
// deeper than maxScanDepth) it reports false, and Decode asks json.Unmarshal,
// which then says precisely what is wrong, or reads what it can. FuzzScanPayload
// holds the two to the same answers.

// maxScanDepth bounds the nesting the scanner follows; deeper text is left to
// encoding/json (which refuses more than 10,000 levels).
const maxScanDepth = 256

// scanner reads JSON text from b, starting at i.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value skips one value, checking it, and returns its text: from its first byte
// to its last, as encoding/json hands a value to UnmarshalJSON.
func (s *scanner) value(depth int) ([]byte, bool) {
	start := s.i
	if s.i >= len(s.b) {
		return nil, false
	}
	var ok bool
	switch c := s.b[s.i]; c {
	case '{':
		ok = s.object(depth+1, nil)
	case '[':
		ok = s.array(depth + 1)
	case '"':
		_, ok = s.str()
	case 't':
		ok = s.literal("true")
	case 'f':
		ok = s.literal("false")
	case 'n':
		ok = s.literal("null")
	default:
		ok = s.number()
	}
	return s.b[start:s.i], ok
}

func (s *scanner) literal(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// number skips a number as JSON spells it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		if i++; i >= len(b) || !isDigit(b[i]) {
			return false
		}
		i = digits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		i = digits(b, i)
	}
	s.i = i
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// str skips a string, checking its escapes, and reports whether it had any. (The
// body's UTF-8 is checked before: Decode refuses invalid UTF-8 first.)
func (s *scanner) str() (escaped, ok bool) {
	b, i := s.b, s.i+1
	for i < len(b) {
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i == len(b) {
			break
		}
		// plain stops only at a quote, a backslash or a control character.
		switch b[i] {
		case '"':
			s.i = i + 1
			return escaped, true
		case '\\':
			escaped = true
			if i+1 >= len(b) {
				return escaped, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return escaped, false
				}
				i += 6
			default:
				return escaped, false
			}
		default: // a control character, which JSON refuses in a string
			return escaped, false
		}
	}
	return escaped, false
}

// plain marks the bytes a string holds as they are: all but the quote, the
// backslash and the control characters.
var plain = func() (t [256]bool) {
	for c := 0x20; c < len(t); c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func (s *scanner) array(depth int) bool { return s.container(depth, ']', nil) }

// object skips an object, checking it, and calls member (when not nil) with each
// member's name, as written between its quotes, whether that has escapes, and the
// value's text. member returning false stops the scan, which then reports false.
func (s *scanner) object(depth int, member func(name []byte, escaped bool, value []byte) bool) bool {
	return s.container(depth, '}', member)
}

// container skips an array (end ']') or an object (end '}'), from its opening
// bracket: its elements, or its members' names and values (handed to member),
// separated by commas.
func (s *scanner) container(depth int, end byte, member func(name []byte, escaped bool, value []byte) bool) bool {
	if depth > maxScanDepth {
		return false
	}
	s.i++ // [ or {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == end {
		s.i++
		return true
	}
	for {
		s.space()
		var name []byte
		var escaped bool
		if end == '}' {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return false
			}
			start := s.i
			var ok bool
			if escaped, ok = s.str(); !ok {
				return false
			}
			name = s.b[start+1 : s.i-1]
			s.space()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return false
			}
			s.i++
			s.space()
		}
		v, ok := s.value(depth)
		if !ok || member != nil && !member(name, escaped, v) {
			return false
		}
		s.space()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case end:
			s.i++
			return true
		default:
			return false
		}
	}
}

// fieldIndex is the index of the name in names that a member name selects, as
// encoding/json selects a struct field: spelled exactly, else equal under Unicode
// case folding (bytes.EqualFold); -1 for none. names are distinct under folding,
// and all lower-case ASCII.
func fieldIndex(name []byte, names []string) int {
	for i, n := range names {
		if string(name) == n {
			return i
		}
	}
	// Only a name with an upper-case letter or a non-ASCII byte can fold to one of
	// names without being it: most of data's members are neither.
	folds, ascii := false, true
	for _, c := range name {
		switch {
		case c >= utf8.RuneSelf:
			folds, ascii = true, false
		case 'A' <= c && c <= 'Z':
			folds = true
		}
	}
	if !folds {
		return -1
	}
	for i, n := range names {
		if ascii && len(n) != len(name) {
			continue // ASCII folds to ASCII of the same length; K (U+212A) and ſ (U+017F) are not ASCII
		}
		if bytes.EqualFold(name, []byte(n)) {
			return i
		}
	}
	return -1
}

// The members of the payload, meta and object, in the order of fieldIndex's lists.
var (
	payloadNames = []string{"v", "event", "retry", "meta", "current", "data", "previous"}
	metaNames    = []string{"version", "v", "action", "object", "entity", "id", "entity_id", "company_id", "user_id",
		"webhook_id", "host", "timestamp", "timestamp_micro", "change_source", "is_bulk_update", "is_bulk_edit",
		"attempt", "correlation_id", "merged_to_id", "merged_from_id", "permitted_user_ids"}
	objectNames = []string{"id", "title", "status", "stage_id", "value", "currency", "merged_to_id", "deal_id", "project_id"}
)

// scanPayload fills p from body, an object, as json.Unmarshal(body, p) would when
// it succeeds. It reports false when it cannot say: then json.Unmarshal must.
func scanPayload(body []byte, p *payload) bool {
	s := scanner{b: body}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return false
	}
	ok := s.object(1, func(name []byte, escaped bool, v []byte) bool {
		if escaped {
			return false
		}
		switch fieldIndex(name, payloadNames) {
		case 0:
			_ = p.V.UnmarshalJSON(v)
		case 1:
			_ = p.Event.UnmarshalJSON(v)
		case 2:
			_ = p.Retry.UnmarshalJSON(v)
		case 3:
			return scanInto(v, &p.Meta, &p.metaRoom, metaNames, (*meta).set)
		case 4:
			p.Current = v
		case 5:
			return scanInto(v, &p.Data, &p.dataRoom, objectNames, (*object).setField)
		case 6:
			p.Previous = v
		}
		return true
	})
	s.space()
	return ok && s.i == len(s.b)
}

// scanInto reads v, an object or null, into *dst as json.Unmarshal reads it into a
// pointer to a struct: null sets it to nil, an object's members are read into the
// struct it points to (room, emptied, when nil). Any other value is a type error,
// which only json.Unmarshal reports.
func scanInto[T any](v []byte, dst **T, room *T, names []string, set func(*T, int, []byte)) bool {
	switch v[0] {
	case 'n':
		*dst = nil
		return true
	case '{':
	default:
		return false
	}
	if *dst == nil {
		*room = *new(T)
		*dst = room
	}
	t := *dst
	s := scanner{b: v}
	return s.object(1, func(name []byte, escaped bool, v []byte) bool {
		if escaped {
			return false
		}
		if i := fieldIndex(name, names); i >= 0 {
			set(t, i, v)
		}
		return true
	})
}

// set reads member metaNames[i] into m (the scalar types never fail: they mark
// themselves unreadable).
func (m *meta) set(i int, v []byte) {
	var dst json.Unmarshaler
	switch i {
	case 0:
		dst = &m.Version
	case 1:
		dst = &m.V
	case 2:
		dst = &m.Action
	case 3:
		dst = &m.Object
	case 4:
		dst = &m.Entity
	case 5:
		dst = &m.ID
	case 6:
		dst = &m.EntityID
	case 7:
		dst = &m.CompanyID
	case 8:
		dst = &m.UserID
	case 9:
		dst = &m.WebhookID
	case 10:
		dst = &m.Host
	case 11:
		dst = &m.Timestamp
	case 12:
		dst = &m.TimestampMicro
	case 13:
		dst = &m.ChangeSource
	case 14:
		dst = &m.IsBulkUpdate
	case 15:
		dst = &m.IsBulkEdit
	case 16:
		dst = &m.Attempt
	case 17:
		dst = &m.CorrelationID
	case 18:
		dst = &m.MergedToID
	case 19:
		dst = &m.MergedFromID
	case 20:
		dst = &m.PermittedUsers
	default:
		return
	}
	_ = dst.UnmarshalJSON(v)
}

// setField reads member objectNames[i] into o.
func (o *object) setField(i int, v []byte) {
	var dst json.Unmarshaler
	switch i {
	case 0:
		dst = &o.ID
	case 1:
		dst = &o.Title
	case 2:
		dst = &o.Status
	case 3:
		dst = &o.StageID
	case 4:
		dst = &o.Value
	case 5:
		dst = &o.Currency
	case 6:
		dst = &o.MergedToID
	case 7:
		dst = &o.DealID
	case 8:
		dst = &o.ProjectID
	default:
		return
	}
	_ = dst.UnmarshalJSON(v)
}
