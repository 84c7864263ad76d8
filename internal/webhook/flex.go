package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Pipedrive is loose about scalar types: ids arrive as numbers in one payload and as
// strings in the next, timestamps as RFC 3339 strings or Unix seconds. The types in
// this file accept every such spelling and reject only what cannot be meant as the
// scalar at all (objects and arrays).

var jsonNull = []byte("null")

// flexString is a JSON string, number or boolean, kept as text. Numbers keep their
// literal spelling, so ids larger than 2^53 survive intact.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, jsonNull):
		*s = ""
	case len(b) > 1 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		*s = flexString(b[1 : len(b)-1]) // nothing to unescape: the common case, without a decoder
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return fmt.Errorf("want a string or number, got %s", jsonKind(b))
	default: // number, true or false: already valid JSON text
		*s = flexString(b)
	}
	return nil
}

// Int is an optional integer: in JSON an integer, a numeric string, or null.
type Int struct {
	N     int64
	Valid bool
}

// UnmarshalJSON reads an integer, a numeric string or null.
func (n *Int) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, jsonNull) {
		*n = Int{}
		return nil
	}
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*n = Int{}
		return nil
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(s), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return fmt.Errorf("want an integer, got %.40q", s)
		}
		v = int64(f)
	}
	*n = Int{N: v, Valid: true}
	return nil
}

// Float is an optional number: in JSON a number, a numeric string, or null.
type Float struct {
	F     float64
	Valid bool
}

// UnmarshalJSON reads a number, a numeric string or null.
func (f *Float) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*f = Float{}
		return nil
	}
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil || math.IsInf(v, 0) {
		return fmt.Errorf("want a number, got %.40q", s)
	}
	*f = Float{F: v, Valid: true}
	return nil
}

// flexBool is a JSON boolean, 0/1, a "true"/"false" string, or null.
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	switch s {
	case "true", "1":
		*v = true
	case "false", "0", "":
		*v = false
	default:
		return fmt.Errorf("want a boolean, got %.40q", s)
	}
	return nil
}

// flexTime is an RFC 3339 timestamp, Pipedrive's "2006-01-02 15:04:05" (UTC), or Unix
// time as a number or numeric string in seconds, milliseconds or microseconds.
type flexTime struct {
	time.Time
	raw flexString
}

func (t *flexTime) UnmarshalJSON(b []byte) error {
	if err := t.raw.UnmarshalJSON(b); err != nil {
		return err
	}
	t.Time = parseTime(string(t.raw))
	return nil
}

// parseTime is liberal: an unparseable timestamp yields the zero time rather than an
// error, because the event is still worth logging without it.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return unixTime(n)
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

// jsonKind names the kind of the JSON value b for an error message.
func jsonKind(b []byte) string {
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "a scalar"
}
