package pipedrive

import (
	"encoding/json"
	"slices"
	"strings"
)

// decodeFast decodes the common v2 payload with one validating scan of the body and
// a light walk of its members: only meta goes through encoding/json, and only the
// few fields read from data and previous are decoded. Anything it does not fit (v1,
// a wrong type anywhere) goes to the general path, which alone reports errors; a
// fuzz test checks that both agree whenever this one answers.
//
// body must be valid JSON.
func decodeFast(body []byte) (*Event, bool) {
	var metaRaw, data, previous []byte
	members(body, func(k string, v []byte) bool {
		switch {
		case strings.EqualFold(k, "meta"):
			metaRaw = v
		case strings.EqualFold(k, "data"):
			data = v
		case strings.EqualFold(k, "previous"):
			previous = v
		}
		return true
	})
	if !isObject(metaRaw) {
		return nil, false
	}
	var m meta
	if json.Unmarshal(metaRaw, &m) != nil || (m.Version != V2 && m.Version != "2") {
		return nil, false
	}
	e := newV2Event(&m)
	isDeal := e.Entity == "deal"
	cur, ok1 := readObject(data, isDeal)
	prev, ok2 := readObject(previous, isDeal)
	if !ok1 || !ok2 {
		return nil, false
	}
	_ = fill(e, &cur, &prev, isObject(data), isObject(previous), func() ([]string, error) {
		return objectKeys(previous), nil
	})
	e.DedupKey = dedupKey(e, string(m.Timestamp.raw), "")
	return e, true
}

// readObject reads the fields of object from raw (valid JSON), as encoding/json
// would: keys matched case-insensitively, the last duplicate winning. Deal fields
// are read only for deals, as in the general path.
func readObject(raw []byte, isDeal bool) (object, bool) {
	var o object
	ok := true
	members(raw, func(k string, v []byte) bool {
		var err error
		switch {
		case strings.EqualFold(k, "id"):
			err = o.ID.UnmarshalJSON(v)
		case !isDeal:
		case strings.EqualFold(k, "title"):
			err = o.Title.UnmarshalJSON(v)
		case strings.EqualFold(k, "status"):
			err = o.Status.UnmarshalJSON(v)
		case strings.EqualFold(k, "stage_id"):
			err = o.StageID.UnmarshalJSON(v)
		case strings.EqualFold(k, "value"):
			err = o.Value.UnmarshalJSON(v)
		case strings.EqualFold(k, "currency"):
			err = o.Currency.UnmarshalJSON(v)
		}
		ok = err == nil
		return ok
	})
	return o, ok
}

// The scanners below walk JSON that json.Unmarshal has already accepted as valid.

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
	return slices.Compact(keys) // a duplicated key counts once, as in a map
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
