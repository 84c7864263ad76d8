package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Bounded work per request: the worst body a receiver can be sent (a v1 change
// whose 22,000 keys all differ, half of them references to compare) costs a small
// multiple of parsing that same body at all (json.Unmarshal into any, the least
// any receiver does, and make bench's baseline). A plain 1 MiB body (one long
// string) is logged for scale: JSON made of many small values costs more to parse
// whatever reads it.
func TestWorkIsBoundedByTheBodySize(t *testing.T) {
	if testing.Short() {
		t.Skip("times decodes of 1 MiB bodies")
	}
	const size = 1 << 20
	plain := `{"meta":{"version":"2.0","action":"change","entity":"deal"},"data":{"title":"` + strings.Repeat("x", size-200) + `"}}`
	prev, cur := map[string]any{}, map[string]any{}
	for i := range 22_000 { // about 1 MiB in all
		k := fmt.Sprintf("f%d", i)
		if i%2 == 0 {
			prev[k], cur[k] = i, i+1
		} else {
			prev[k], cur[k] = map[string]any{"id": i, "name": "n"}, map[string]any{"id": i + 1, "name": "n"}
		}
	}
	worst := mustJSON(map[string]any{"v": 1, "meta": map[string]any{"action": "updated", "object": "deal"}, "current": cur, "previous": prev})
	cost := func(body string) time.Duration {
		best := time.Duration(1 << 62)
		for range 5 {
			begin := time.Now()
			if _, err := Decode([]byte(body)); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(begin))
		}
		return best
	}
	parse := time.Duration(1 << 62)
	for range 5 {
		begin := time.Now()
		var v any
		if err := json.Unmarshal([]byte(worst), &v); err != nil {
			t.Fatal(err)
		}
		parse = min(parse, time.Since(begin))
	}
	p, w := cost(plain), cost(worst)
	t.Logf("plain %d bytes: %s; %d differing keys in %d bytes: %s (%.1fx the plain body, %.1fx parsing it into any: %s)",
		len(plain), p, len(prev), len(worst), w, float64(w)/float64(p), float64(w)/float64(parse), parse)
	if w > 3*parse {
		t.Errorf("the worst body costs %.1fx parsing it", float64(w)/float64(parse))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
