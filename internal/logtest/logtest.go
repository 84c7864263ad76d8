// Package logtest captures what a program or handler logs, for tests that assert on
// its JSON records.
package logtest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// Buffer is a concurrency-safe io.Writer that collects log lines.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Records decodes every line as one JSON record; a line that is not JSON fails the
// test. Numbers stay json.Number, as a payload may hold numbers beyond float64.
func (b *Buffer) Records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, line)
		}
		out = append(out, rec)
	}
	return out
}

// WaitFor polls for a line containing s and returns it; after 10 s it fails the test.
// Output reaching the buffer through a pipe may arrive after the event that caused it.
func (b *Buffer) WaitFor(t testing.TB, s string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, line := range strings.Split(b.String(), "\n") {
			if strings.Contains(line, s) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output:\n%s", s, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
