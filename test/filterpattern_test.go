package test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// filterPattern is a CloudWatch Logs JSON filter pattern of the form the stack
// uses: `{ $.a.b = "text" && $.c > 1 }`. Parsing is strict: anything else is an
// error, so that a pattern the tests cannot read never passes unchecked.
type filterPattern []filterTerm

type filterTerm struct {
	path []string
	op   string
	str  *string  // a quoted value: matches JSON strings
	num  *float64 // a bare number: matches JSON numbers
	is   *bool    // IS TRUE / IS FALSE: matches JSON booleans
}

var filterBoolRE = regexp.MustCompile(`^\$\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s+IS\s+(TRUE|FALSE)$`)

var filterTermRE = regexp.MustCompile(`^\$\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*(=|!=|>=|<=|>|<)\s*(?:"([^"*]*)"|(-?[0-9]+(?:\.[0-9]+)?))$`)

func parseFilterPattern(p string) (filterPattern, error) {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "{") || !strings.HasSuffix(p, "}") {
		return nil, fmt.Errorf("%q is not a JSON filter pattern { … }", p)
	}
	var out filterPattern
	for _, raw := range strings.Split(p[1:len(p)-1], "&&") {
		if m := filterBoolRE.FindStringSubmatch(strings.TrimSpace(raw)); m != nil {
			b := m[2] == "TRUE"
			out = append(out, filterTerm{path: strings.Split(m[1], "."), op: "IS", is: &b})
			continue
		}
		m := filterTermRE.FindStringSubmatch(strings.TrimSpace(raw))
		if m == nil {
			return nil, fmt.Errorf("%q: cannot read the term %q", p, strings.TrimSpace(raw))
		}
		t := filterTerm{path: strings.Split(m[1], "."), op: m[2]}
		if m[4] != "" {
			f, _ := strconv.ParseFloat(m[4], 64)
			t.num = &f
		} else {
			if t.op != "=" && t.op != "!=" {
				return nil, fmt.Errorf("%q: %s compares numbers only", p, t.op)
			}
			t.str = &m[3]
		}
		out = append(out, t)
	}
	return out, nil
}

// lookup follows a $.a.b path through a decoded record.
func lookup(rec map[string]any, path []string) (any, bool) {
	var v any = rec
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// matches reports whether the record is one the pattern counts. A term on a field
// the record lacks, or of the other type, does not match (as in CloudWatch).
func (p filterPattern) matches(rec map[string]any) bool {
	for _, t := range p {
		v, ok := lookup(rec, t.path)
		if !ok {
			return false
		}
		switch {
		case t.is != nil:
			if b, isBool := v.(bool); !isBool || b != *t.is {
				return false
			}
		case t.str != nil:
			s, isString := v.(string)
			if !isString || (s == *t.str) != (t.op == "=") {
				return false
			}
		default:
			n, isNumber := v.(json.Number)
			if !isNumber {
				return false
			}
			f, err := n.Float64()
			if err != nil || !compare(f, t.op, *t.num) {
				return false
			}
		}
	}
	return true
}

func compare(a float64, op string, b float64) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case ">":
		return a > b
	case "<":
		return a < b
	case ">=":
		return a >= b
	}
	return a <= b
}

// dimensionValue is what CloudWatch takes for a dimension from a record: a string
// or a number; the metric is not published for a record without it.
func dimensionValue(rec map[string]any, field string) (string, bool) {
	v, ok := lookup(rec, strings.Split(strings.TrimPrefix(field, "$."), "."))
	switch v := v.(type) {
	case string:
		return v, ok && v != ""
	case json.Number:
		return v.String(), ok
	}
	return "", false
}
