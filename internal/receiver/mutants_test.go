package receiver

import (
	"bytes"
	"strings"
	"testing"
)

// The tests in this file kill mutants that gremlins (make mutate) found alive in
// this package: each names the mutation it catches.

// TestIsTokenAtItsLength: a request id of exactly the longest length is logged;
// one more character is not (mutant: `len(s) > max` as `>=`).
func TestIsTokenAtItsLength(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"abc-DEF_1.2", true},
		{"a b", false},
		{"a\nb", false},
	} {
		if got := isToken(tt.s, 64); got != tt.want {
			t.Errorf("isToken(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// body returns a v2 deal payload of exactly n bytes.
func bodyOfSize(t *testing.T, n int) []byte {
	t.Helper()
	const head = `{"meta":{"version":"2.0","action":"change","entity":"deal","entity_id":"8","id":"e","company_id":"1"},"data":{"title":"`
	const tail = `"},"previous":{"title":"x"}}`
	pad := n - len(head) - len(tail)
	if pad < 0 {
		t.Fatalf("no payload of %d bytes", n)
	}
	return []byte(head + strings.Repeat("T", pad) + tail)
}

// TestPayloadLoggedUpToTheLimit: a body of exactly maxLoggedPayload bytes is
// logged whole; one byte more is omitted, with its size (mutant: `len(body) >
// maxLoggedPayload` as `>=`).
func TestPayloadLoggedUpToTheLimit(t *testing.T) {
	for _, tt := range []struct {
		size    int
		omitted string
	}{
		{maxLoggedPayload, ""},
		{maxLoggedPayload + 1, "204801 bytes, over the 204800 logged"},
	} {
		h := newHarness(static, 0)
		assertReceived(t, h.do(post(bytes.NewReader(bodyOfSize(t, tt.size)))))
		rec := h.logs.Records(t)[0]
		_, logged := rec["payload"]
		if got, _ := rec["payload_omitted"].(string); got != tt.omitted || logged != (tt.omitted == "") {
			t.Errorf("%d bytes: payload logged %v, payload_omitted %q; want omitted %q", tt.size, logged, got, tt.omitted)
		}
	}
}

// TestBodyOfExactlyTheLimitIsRead: MaxBodyBytes is the largest body read, with or
// without a Content-Length (mutants: readBody's `r.ContentLength > limit` and `n >
// limit` as `>=`).
func TestBodyOfExactlyTheLimitIsRead(t *testing.T) {
	const limit = 4096
	for _, tt := range []struct {
		size          int
		contentLength bool
		wantKind      string // "" for a logged event
	}{
		{limit, true, ""},
		{limit, false, ""},
		{limit + 1, true, "body_too_large"},
		{limit + 1, false, "body_too_large"},
	} {
		h := newHarness(static, limit)
		req := post(bytes.NewReader(bodyOfSize(t, tt.size)))
		if !tt.contentLength {
			req.ContentLength = -1
		}
		assertReceived(t, h.do(req))
		rec := h.logs.Records(t)[0]
		if kind, _ := rec["kind"].(string); kind != tt.wantKind {
			t.Errorf("%d bytes (Content-Length %v): kind %q, want %q: %v", tt.size, tt.contentLength, kind, tt.wantKind, rec["msg"])
		}
	}
}

// TestBodyIsReadIntoOneBuffer: a body of the announced Content-Length is read into
// one buffer of that size, allocated once (mutants in readAtMost: `hint > 0`
// negated, `hint + 1` as `hint - 1`, `cap(buf) < size` negated — each grows the
// buffer again while reading).
func TestBodyIsReadIntoOneBuffer(t *testing.T) {
	body := bodyOfSize(t, 8192)
	rd := bytes.NewReader(body)
	allocs := testing.AllocsPerRun(20, func() {
		rd.Reset(body)
		got, err := readAtMost(rd, int64(len(body)), 1<<20, nil)
		if err != nil || len(got) != len(body) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
	})
	if allocs != 1 {
		t.Errorf("%v allocations to read %d announced bytes, want 1", allocs, len(body))
	}
	// A recycled buffer just large enough (the body and a byte to see the EOF) is
	// used as it is (mutant: `cap(buf) < size` as `<=`).
	buf := make([]byte, 0, len(body)+1)
	allocs = testing.AllocsPerRun(20, func() {
		rd.Reset(body)
		if got, err := readAtMost(rd, int64(len(body)), 1<<20, buf); err != nil || len(got) != len(body) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations with a buffer of the body's size, want 0", allocs)
	}
}
