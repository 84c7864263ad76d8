package webhook

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Pipedrive is loose about scalar types: ids arrive as numbers in one payload and as
// strings in the next, timestamps as RFC 3339 strings or Unix seconds. The types in
// this file accept every such spelling. What cannot be meant as the scalar at all
// (an object, an array, an integer beyond int64, 1e400, NaN) never fails the
// decode: the field is dropped and marked unreadable, and the event is kept.

var jsonNull = []byte("null")

// text is a JSON string, number or boolean, kept as text. Numbers keep their literal
// spelling, so ids larger than 2^53 survive intact.
type text struct {
	s   string
	bad bool
}

// UnmarshalJSON reads a string, a number, a boolean or null; anything else is
// unreadable.
func (t *text) UnmarshalJSON(b []byte) error {
	*t = text{}
	switch {
	case bytes.Equal(b, jsonNull):
	case len(b) > 1 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		t.s = string(b[1 : len(b)-1]) // nothing to unescape: the common case, without a decoder
	case len(b) > 0 && b[0] == '"':
		t.bad = json.Unmarshal(b, &t.s) != nil
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		t.bad = true
	default: // number, true or false: already valid JSON text
		t.s = string(b)
	}
	return nil
}

// scalar is what text reads from b, as bytes and without a copy where it can be:
// b itself for a number or a boolean, a string's contents when it has no escapes,
// nil for null; else the text decoded (a copy), or bad for an object or an array.
// (A string's invalid UTF-8, which text would write as U+FFFD, reads as no number
// and no boolean either way.)
func scalar(b []byte) (s []byte, bad bool) {
	switch {
	case bytes.Equal(b, jsonNull):
		return nil, false
	case len(b) > 1 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0:
		return b[1 : len(b)-1], false
	case len(b) > 0 && b[0] == '"':
		var t text
		_ = t.UnmarshalJSON(b)
		return []byte(t.s), t.bad
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return nil, true
	}
	return b, false
}

// Int is an optional integer: in JSON an integer, a numeric string, or null.
type Int struct {
	N     int64
	Valid bool
	bad   bool
}

// UnmarshalJSON reads an integer, a numeric string or null; anything else is
// unreadable.
func (n *Int) UnmarshalJSON(b []byte) error {
	s, bad := scalar(b)
	*n = Int{bad: bad}
	if bad || len(s) == 0 {
		return nil
	}
	if v, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		n.N, n.Valid = v, true
	} else if f, ferr := strconv.ParseFloat(string(s), 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		n.N, n.Valid = int64(f), true // 1e3, 2.0
	} else {
		n.bad = true // not an integer, or beyond int64: unreadable, not an error
	}
	return nil
}

// Float is an optional finite number: in JSON a number, a numeric string, or null.
type Float struct {
	F     float64
	Valid bool
	bad   bool
}

// UnmarshalJSON reads a number, a numeric string or null; anything else, NaN and
// the infinities included, is unreadable.
func (f *Float) UnmarshalJSON(b []byte) error {
	s, bad := scalar(b)
	*f = Float{bad: bad}
	if bad || len(s) == 0 {
		return nil
	}
	if v, err := strconv.ParseFloat(string(s), 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
		f.F, f.Valid = v, true
	} else {
		f.bad = true // unreadable, not an error
	}
	return nil
}

// flag is a JSON boolean, 0/1, a "true"/"false" string, or null.
type flag struct {
	b, bad bool
}

// UnmarshalJSON reads a boolean in any of those spellings; anything else is
// unreadable (and false).
func (v *flag) UnmarshalJSON(b []byte) error {
	value, ok := ParseBool(b)
	*v = flag{b: value, bad: !ok}
	return nil
}

// ParseBool reads a boolean as Pipedrive writes one, in JSON: true or false, 1 or
// 0, either as a string, or null or "" (false). ok is false for anything else.
// The receiver's decoder and the webhooks API client both read flags with it.
func ParseBool(b []byte) (value, ok bool) {
	s, bad := scalar(b)
	switch str := string(s); {
	case bad:
		return false, false
	case str == "true" || str == "1":
		return true, true
	case str == "false" || str == "0" || str == "":
		return false, true
	}
	return false, false
}

// flexTime is an RFC 3339 timestamp, Pipedrive's "2006-01-02 15:04:05" (UTC), or Unix
// time as a number or numeric string in seconds, milliseconds or microseconds.
type flexTime struct {
	time.Time
	raw text
}

// UnmarshalJSON reads a timestamp; an unparseable one is the zero time (the event
// is still worth logging without it).
func (t *flexTime) UnmarshalJSON(b []byte) error {
	_ = t.raw.UnmarshalJSON(b)
	t.Time = parseTime(t.raw.s)
	return nil
}

// parseTime is liberal: an unparseable timestamp yields the zero time rather than an
// error.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	// Every layout has a colon and no number does: a failed ParseFloat of every
	// RFC 3339 timestamp would cost an error's two allocations.
	if strings.IndexByte(s, ':') < 0 {
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return unixTime(n)
		}
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func unixTime(n float64) time.Time {
	switch a := math.Abs(n); {
	case a >= 1e17 || math.IsNaN(n): // beyond any plausible microsecond value
		return time.Time{}
	case a >= 1e14: // microseconds
		return time.UnixMicro(int64(n)).UTC()
	case a >= 1e11: // milliseconds
		return time.UnixMilli(int64(n)).UTC()
	default:
		sec, frac := math.Modf(n)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
}

// count is the length of a JSON array, read without keeping its elements (the
// permitted user ids: how many is worth a record, who is not).
type count struct {
	Int
}

// UnmarshalJSON counts the elements of an array; null is absent, and anything but
// an array is unreadable.
func (c *count) UnmarshalJSON(b []byte) error {
	*c = count{}
	switch {
	case bytes.Equal(b, jsonNull):
		return nil
	case len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']':
		c.bad = true
		return nil
	}
	// b is one valid JSON array (encoding/json checked it before calling this):
	// count the commas between its own elements, outside strings and nested values.
	inner := bytes.TrimSpace(b[1 : len(b)-1])
	if len(inner) == 0 {
		c.N, c.Valid = 0, true
		return nil
	}
	n, depth, inString, escaped := int64(1), 0, false, false
	for _, ch := range inner {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '[' || ch == '{':
			depth++
		case ch == ']' || ch == '}':
			depth--
		case ch == ',' && depth == 0:
			n++
		}
	}
	c.N, c.Valid = n, true
	return nil
}
