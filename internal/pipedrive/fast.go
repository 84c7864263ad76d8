package pipedrive

import (
	"encoding/json"
	"slices"
	"strings"
)

// fastPayload is the common v2 shape decoded in a single pass: data and previous
// straight into typed objects, instead of into raw JSON decoded again. Any payload it
// does not fit (v1, a lead's value object, a wrong type anywhere) goes to the general
// path, which is authoritative for every error.
type fastPayload struct {
	Meta     *meta   `json:"meta"`
	Data     *object `json:"data"`
	Previous *object `json:"previous"`
}

func decodeFast(body []byte) (*Event, bool) {
	var p fastPayload
	if json.Unmarshal(body, &p) != nil || p.Meta == nil {
		return nil, false
	}
	if v := p.Meta.Version; v != V2 && v != "2" {
		return nil, false
	}
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
	cur, prev := p.Data, p.Previous
	hasCurrent, hasPrevious := cur != nil, prev != nil
	if cur == nil {
		cur = &object{}
	}
	if prev == nil {
		prev = &object{}
	}
	_ = fill(e, cur, prev, hasCurrent, hasPrevious, func() ([]string, error) {
		return objectKeys(member(body, "previous")), nil
	})
	e.DedupKey = dedupKey(e, string(m.Timestamp.raw), "")
	return e, true
}

// The scanners below walk JSON that json.Unmarshal has already accepted as valid.

// member returns the value of key in the top-level object of b, or nil. Like
// encoding/json, it matches keys case-insensitively and takes the last of duplicates.
func member(b []byte, key string) []byte {
	var found []byte
	members(b, func(k string, v []byte) bool {
		if strings.EqualFold(k, key) {
			found = v
		}
		return true
	})
	return found
}

// objectKeys returns the sorted keys of the object b (nil unless b is an object).
func objectKeys(b []byte) []string {
	if i := skipSpace(b, 0); i >= len(b) || b[i] != '{' {
		return nil
	}
	keys := []string{}
	members(b, func(k string, _ []byte) bool {
		keys = append(keys, k)
		return true
	})
	slices.Sort(keys)
	return keys
}

// members calls fn with each key and value of the object b until fn returns false.
func members(b []byte, fn func(key string, value []byte) bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		end := skipString(b, i)
		key := unquote(b[i:end])
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return
		}
		start := skipSpace(b, i+1)
		i = skipValue(b, start)
		if !fn(key, b[start:i]) {
			return
		}
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
}

func unquote(q []byte) string {
	if slices.Contains(q, '\\') {
		var s string
		_ = json.Unmarshal(q, &s)
		return s
	}
	return string(q[1 : len(q)-1])
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string that starts at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value that starts at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	default: // a number, true, false or null
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' {
			i++
		}
		return i
	}
}
