package webhook

import (
	"encoding/json"
	"strings"
	"testing"
)

// The tests in this file kill mutants of the payload scanner (scan.go) that make
// mutate found alive: each names the mutations it catches, by their lines in
// scan.go unless another file is named. Where a mutant makes the scanner read what
// encoding/json refuses, or decline what it reads, or panic, comparePayloads and
// compareDecodes (scan_test.go) see it.

// everyScalar is a valid body whose values take every path of the scanner: numbers
// negative, zero, with fractions and exponents (e and E, signed and not), every
// escape JSON has (\u with hex letters in both cases), literals, empty and nested
// containers. No member name has an escape, so the scanner must read it itself.
const everyScalar = `{"meta":{"v":1,"action":"updated","object":"deal","id":-12,"user_id":0,"company_id":-0.25E-2,` +
	`"attempt":1.5e+3,"host":"a\"\\\/\b\f\n\r\t\u00aF\uAf09z","x":[0.5,-0E2,1e3,10E-1,{"y":[]},[],{}],"t":true,"f":false,"n":null},` +
	`"current":{"id":7,"title":"T\u00e9"},"previous":{"id":7,"title":"S"}}`

// TestScannerReadsEveryScalar: the scanner reads everyScalar itself, as
// json.Unmarshal does (mutants, each making the scanner decline it: in number,
// `b[i] == '-'` guarded by `i >= len(b)` (`i < len(b)` negated, 82) and `i++` as
// `i--` after the sign (83); the exponent's `i < len(b)` negated (99), its `i++` as
// `i--` (100, 101), its sign test's `i < len(b)`, `b[i] == '+'` and `b[i] == '-'`
// negated (100), its digit test's `i >= len(b)` negated (103); in str, the
// escape's `i+1 >= len(b)` negated (139) and the \u escape's `i+6 > len(b)`
// negated (146), `b[i+2]` and `b[i+3]` as `b[i-2]` and `b[i-3]` (146); in isHex,
// `'a' <= c`, `c <= 'f'`, `'A' <= c` and `c <= 'F'` as `<`, each refusing one of a,
// f, A and F (169); and, str's switch ending in its default, the mutants that
// send it a plain byte: the plain loop's `i < len(b)` negated (126), plain's
// `c < len(t)`, `c != '"'` and `c != '\\'` negated (163, 164)).
func TestScannerReadsEveryScalar(t *testing.T) {
	if !json.Valid([]byte(everyScalar)) {
		t.Fatal("everyScalar is not JSON")
	}
	var p payload
	if !scanPayload([]byte(everyScalar), &p) {
		t.Fatal("the scanner declined everyScalar")
	}
	comparePayloads(t, []byte(everyScalar))
	compareDecodes(t, []byte(everyScalar))
	e, err := Decode([]byte(everyScalar))
	if err != nil {
		t.Fatal(err)
	}
	// What the scanner read, as well as that it read it.
	if e.EntityID != "-12" || e.UserID != "0" || e.CompanyID != "-0.25E-2" || e.Attempt != 1 ||
		e.Host != "a\"\\/\b\f\n\r\t\u00af\uaf09z" || e.Deal == nil || e.Deal.Title != "T\u00e9" ||
		len(e.Unreadable) != 0 || len(e.ChangedFields) != 1 || e.ChangedFields[0] != "title" {
		t.Errorf("event %+v", e)
	}
}

// TestScannerOnEveryPrefix: every prefix of everyScalar, the empty one included,
// is text that ends too soon: the scanner declines it without reading past its end,
// and Decode says what json.Unmarshal says (mutants, each of which indexes one byte
// past the end and panics: `s.i >= len(s.b)` as `>` in value (48) and in the
// object's name and colon tests (198, 208), `s.i < len(s.b)` as `<=` in container's
// empty test (189); in number, `i < len(b)` as `<=` before the 0 and the 1–9 (86,
// 88), the dot (93) and the exponent (99, 100), `i >= len(b)` as `>` after the dot
// (94) and the exponent (103), and in digits (115); in str, the plain bytes' loop's
// `i < len(b)` as `<=` (126), `i+1 >= len(b)` as `>` and `i+1` as `i-1` (139), `i+6`
// as `i-6` (146); and scanPayload's `s.i >= len(s.b)` as `>`, for an empty body
// (283)).
func TestScannerOnEveryPrefix(t *testing.T) {
	for n := range len(everyScalar) {
		body := []byte(everyScalar[:n])
		var p payload
		if scanPayload(body, &p) {
			t.Fatalf("%q: the scanner read a body that ends too soon", body)
		}
		comparePayloads(t, body)
		compareDecodes(t, body)
	}
}

// TestScannerNestingLimits: a body nested exactly maxScanDepth deep is read by the
// scanner; one deeper than encoding/json allows (10,000) is refused, as
// json.Unmarshal refuses it, however it nests (mutants: `depth > maxScanDepth` as
// `>=` (184), which declines the first; `depth+1` as `depth-1` for an object (54)
// and for an array (56), which lift the limit and read the second).
func TestScannerNestingLimits(t *testing.T) {
	const jsonLimit = 10_000
	exact := `{"meta":{},"x":` + strings.Repeat("[", maxScanDepth-1) + strings.Repeat("]", maxScanDepth-1) + `}`
	if depth([]byte(exact)) != maxScanDepth {
		t.Fatalf("the exact body is %d deep", depth([]byte(exact)))
	}
	var p payload
	if !scanPayload([]byte(exact), &p) {
		t.Errorf("the scanner declined a body %d deep", maxScanDepth)
	}
	comparePayloads(t, []byte(exact))
	for _, deep := range []string{
		`{"meta":{},"x":` + strings.Repeat("[", jsonLimit) + strings.Repeat("]", jsonLimit) + `}`,
		`{"meta":{},"x":` + strings.Repeat(`{"a":`, jsonLimit) + `1` + strings.Repeat("}", jsonLimit) + `}`,
	} {
		if _, err := Decode([]byte(deep)); err == nil {
			t.Errorf("%.30q…: Decode read a body deeper than encoding/json reads", deep)
		}
		comparePayloads(t, []byte(deep))
		compareDecodes(t, []byte(deep))
	}
}

// TestParseBoolOnWhatIsNotJSON: ParseBool is exported (the webhooks API client
// reads flags with it) and must not panic on what is not a JSON value: nothing at
// all (an absent json.RawMessage) is false, a lone quote is no boolean (mutants, each
// of which indexes past the end and panics: scalar's `len(b) > 1` as `>= 1` or
// negated (flex.go:55), `len(b) > 0` as `>= 0` twice (57, 61) and negated (61);
// text's `len(b) > 1` as `>= 1` or negated (34), text reading the quote for
// scalar).
func TestParseBoolOnWhatIsNotJSON(t *testing.T) {
	for _, tt := range []struct {
		in     []byte
		wantOK bool
	}{
		{nil, true},
		{[]byte{}, true},
		{[]byte(`"`), false},
	} {
		if v, ok := ParseBool(tt.in); v || ok != tt.wantOK {
			t.Errorf("ParseBool(%q) = %v, %v; want false, %v", tt.in, v, ok, tt.wantOK)
		}
	}
}

// TestScannerAgreesAtItsEdges: bodies json.Unmarshal refuses, which the scanner
// must decline too, and bodies it reads, which the scanner must read the same:
// comparePayloads' checks, on the edges of isHex and of fieldIndex's folding.
func TestScannerAgreesAtItsEdges(t *testing.T) {
	for _, body := range []string{
		// Escapes that are no \u escape: g, G and @ are no hex digits (mutants in
		// isHex, scan.go:169, each reading one of them as a digit: `'a' <= c` negated
		// (G, @), `c <= 'f'` negated (g), `'A' <= c` negated (@), `c <= 'F'` negated
		// (g, G)).
		`{"meta":{"x":"\u00g0"}}`, `{"meta":{"x":"\u00G0"}}`, `{"meta":{"x":"\u00@0"}}`,
		// A name whose one upper-case letter is A folds to action and to status
		// (mutant: `'A' <= c` as `'A' < c` in fieldIndex, scan.go:251, which takes
		// them for names that cannot fold and drops them).
		`{"meta":{"Action":"added","v":1,"object":"deal"},"current":{"id":1},"data":{"stAtus":"won"}}`,
	} {
		comparePayloads(t, []byte(body))
		compareDecodes(t, []byte(body))
	}
}
