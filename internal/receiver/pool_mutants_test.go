package receiver

import (
	"runtime/debug"
	"testing"
)

// TestBodyBufferPool: a delivery's body buffer goes back to the pool for the next
// delivery, up to 256 KiB; a larger one, grown for an unusually large body, is let
// go rather than kept for every later delivery (mutants: `cap(b.b) > 256<<10` as
// `>=`, which drops a buffer of exactly 256 KiB, and negated, which keeps only the
// large ones and allocates a new buffer for every ordinary delivery).
//
// sync.Pool gives no promise that a buffer put back comes back, so each case puts
// back 50 and counts how many return: garbage collection, which empties the pool,
// is off meanwhile, and the race detector's random drops (one Put in four) leave
// plenty.
func TestBodyBufferPool(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, tt := range []struct {
		name string
		cap  int
		kept bool
	}{
		{"an ordinary body", 4 << 10, true},
		{"exactly 256 KiB", 256 << 10, true},
		{"over 256 KiB", 256<<10 + 1, false},
	} {
		released := map[*bodyBuffer]bool{}
		for range 50 {
			b := &bodyBuffer{b: make([]byte, 0, tt.cap)}
			released[b] = true
			b.release()
		}
		back := 0
		for range 50 {
			if b, _ := buffers.Get().(*bodyBuffer); released[b] {
				back++
			}
		}
		if kept := back > 0; kept != tt.kept {
			t.Errorf("%s: %d of 50 buffers came back from the pool; want kept %v", tt.name, back, tt.kept)
		}
	}
}
