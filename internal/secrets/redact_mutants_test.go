package secrets

import (
	"errors"
	"strings"
	"testing"
)

// The tests in this file kill mutants that gremlins (make mutate) found alive in
// redact.go: each names the mutation it catches.

// TestRedactorMinimumLengthEdge: a secret of exactly minSecret bytes is hidden, one
// byte shorter is not (mutants: len(secret) < minSecret as <=, and
// len(f) >= minSecret as >, each of which drops the 4-byte secret itself).
func TestRedactorMinimumLengthEdge(t *testing.T) {
	for _, tc := range []struct {
		secret, text, want string
	}{
		{"wxyz", "key wxyz end", "key " + Redacted + " end"},
		{"wxy", "key wxy end", "key wxy end"},
	} {
		var r Redactor
		r.Add(tc.secret)
		if got := r.Redact(tc.text); got != tc.want {
			t.Errorf("secret %q: Redact(%q) = %q, want %q", tc.secret, tc.text, got, tc.want)
		}
	}
}

// TestRedactorLongestFirst: a secret that begins with a shorter secret added
// before it is hidden whole, not cut after the shorter one (mutant: the sort's
// len(b) - len(a) as len(b) + len(a), which keeps the order of adding, so the
// replacer meets the shorter secret first and leaves the longer one's tail).
func TestRedactorLongestFirst(t *testing.T) {
	for _, order := range [][]string{
		{"abcd", "abcdTAIL"},
		{"abcdTAIL", "abcd"},
	} {
		var r Redactor
		for _, s := range order {
			r.Add(s)
		}
		if got := r.Redact("x abcdTAIL y abcd z"); got != "x "+Redacted+" y "+Redacted+" z" {
			t.Errorf("added %q: Redact = %q, want both secrets hidden whole", order, got)
		}
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

// TestRedactingWriterResult: a write reports len(p) and no error when the
// underlying writer takes it, and 0 and the underlying error when it fails
// (mutant: err != nil negated, which reports 0 for a good write and success for a
// failed one).
func TestRedactingWriterResult(t *testing.T) {
	var r Redactor
	r.Add("s3cret")
	var b strings.Builder
	p := []byte("token s3cret\n")
	n, err := r.Writer(&b).Write(p)
	if n != len(p) || err != nil {
		t.Errorf("good write = %d, %v; want %d, nil", n, err, len(p))
	}
	if b.String() != "token "+Redacted+"\n" {
		t.Errorf("wrote %q", b.String())
	}
	boom := errors.New("disk full")
	n, err = r.Writer(failingWriter{boom}).Write(p)
	if n != 0 || !errors.Is(err, boom) {
		t.Errorf("failed write = %d, %v; want 0, %v", n, err, boom)
	}
}
