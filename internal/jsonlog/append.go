package jsonlog

import (
	"log/slog"
	"math"
	"strconv"
	"unicode/utf8"
)

// appendAttr appends a record's attribute as slog's JSON handler writes it (a comma
// first when comma is set), for the kinds a webhook record holds: strings,
// integers, booleans, durations, finite floats, groups of those, values that
// resolve to those (a LogValuer), string lists, and a Raw at the top level. For
// anything else (an empty key, an empty group, a time, any other value) it
// reports false, and the record is left to slog's handler whole.
//
// The record's built-in fields and the logger's own attributes are still written
// by slog's handler: this writes what follows them, without its per-attribute
// bookkeeping, which cost about a third of a delivery's CPU time.
func appendAttr(b []byte, a slog.Attr, comma, top bool) ([]byte, bool) {
	if a.Key == "" {
		return b, false
	}
	if comma {
		b = append(b, ',')
	}
	b = appendSlogString(b, a.Key)
	b = append(b, ':')
	if a.Value.Kind() == slog.KindLogValuer { // (Any boxes the other kinds: an allocation)
		if l, ok := a.Value.Any().(AttrLister); ok {
			return appendListed(b, l)
		}
	}
	switch v := a.Value.Resolve(); v.Kind() {
	case slog.KindString:
		b = appendSlogString(b, v.String())
	case slog.KindInt64:
		b = strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		b = strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindBool:
		b = strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		b = strconv.AppendInt(b, int64(v.Duration()), 10)
	case slog.KindFloat64:
		f := v.Float64()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return b, false // slog writes json.Marshal's error
		}
		b = appendFloat(b, f)
	case slog.KindGroup:
		attrs := v.Group()
		if len(attrs) == 0 {
			return b, false // slog leaves an empty group out
		}
		b = append(b, '{')
		for i, ga := range attrs {
			var ok bool
			if b, ok = appendAttr(b, ga, i > 0, false); !ok {
				return b, false
			}
		}
		b = append(b, '}')
	case slog.KindAny:
		switch x := v.Any().(type) {
		case Raw:
			if !top {
				return b, false // slog compacts it through json.Marshal
			}
			b = appendRaw(b, x)
		case []string:
			b = appendStrings(b, x)
		default:
			return b, false
		}
	default:
		return b, false
	}
	return b, true
}

// An AttrLister is a LogValuer whose group the Handler writes attribute by
// attribute, sparing the slice LogValue builds: LogAttrs calls yield with the
// attributes of the group LogValue returns, in order, until yield returns false.
// (A webhook event is one: its group holds some 25 attributes.)
type AttrLister interface {
	slog.LogValuer
	LogAttrs(yield func(slog.Attr) bool)
}

// appendListed appends l's group as slog writes the group LogValue returns.
func appendListed(b []byte, l AttrLister) ([]byte, bool) {
	b = append(b, '{')
	n, ok := 0, true
	l.LogAttrs(func(a slog.Attr) bool {
		b, ok = appendAttr(b, a, n > 0, false)
		n++
		return ok
	})
	if !ok || n == 0 {
		return b, false // an empty group slog leaves out, or an attribute it writes
	}
	return append(b, '}'), true
}

// appendStrings appends a string list as json.Marshal writes it for slog (HTML
// left unescaped): null for a nil list.
func appendStrings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s, true)
	}
	return append(b, ']')
}

// appendFloat appends a finite float as encoding/json writes a float64.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 as e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendSlogString appends s quoted as slog's JSON handler quotes keys and strings.
func appendSlogString(b []byte, s string) []byte { return appendString(b, s, false) }

// appendString appends s as a JSON string: escaped as slog's JSON handler escapes
// it, or, with jsonEscapes, as encoding/json does (which writes \b and \f where
// slog writes \u0008 and \u000c). Both leave <, > and & alone, write invalid
// UTF-8 as \ufffd and escape U+2028 and U+2029.
func appendString(b []byte, s string, jsonEscapes bool) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch {
			case c == '\\' || c == '"':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b' && jsonEscapes:
				b = append(b, '\\', 'b')
			case c == '\f' && jsonEscapes:
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
