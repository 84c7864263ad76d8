package receiver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

// maxRecord is what a record may take: CloudWatch Logs' event limit (256 KiB,
// 26 bytes of which are its own), less room for what Lambda's JSON log format adds.
const maxRecord = 256<<10 - 2<<10

// Every record fits a CloudWatch event, whatever arrives: huge strings in any field
// the record shows, tens of thousands of changed keys, huge headers. A property
// test over generated deliveries (fixed seeds, so a failure reproduces).
func TestEveryRecordFitsCloudWatch(t *testing.T) {
	fields := []string{"title", "status", "currency", "stage_id", "value", "id"}
	metaFields := []string{"host", "entity", "action", "entity_id", "company_id", "user_id", "webhook_id", "correlation_id", "id", "merged_to_id"}
	huge := func(r *rand.Rand) string {
		return strings.Repeat(string(rune('a'+r.IntN(26)))+"é\"\\", 1+r.IntN(300_000)/4)
	}
	cases := []struct {
		name string
		body func(r *rand.Rand) string
	}{
		{"a 900 KB deal title", func(*rand.Rand) string {
			return `{"meta":{"version":"2.0","action":"change","entity":"deal","entity_id":1},"data":{"title":"` + strings.Repeat("T", 900_000) + `"}}`
		}},
		{"a huge field anywhere", func(r *rand.Rand) string {
			meta := map[string]any{"version": "2.0", "entity": "deal", "action": "change"}
			meta[metaFields[r.IntN(len(metaFields))]] = huge(r)
			data := map[string]any{fields[r.IntN(len(fields))]: huge(r)}
			b, _ := json.Marshal(map[string]any{"meta": meta, "data": data, "previous": map[string]any{"status": "open"}})
			return string(b)
		}},
		{"60,000 changed keys (v1)", func(r *rand.Rand) string {
			prev, cur := map[string]int{}, map[string]int{}
			for i := range 60_000 {
				k := fmt.Sprintf("field_%d_%s", i, strings.Repeat("k", r.IntN(4)))
				prev[k], cur[k] = i, i+1
			}
			b, _ := json.Marshal(map[string]any{"v": 1, "meta": map[string]any{"action": "updated", "object": "deal", "id": 1}, "current": cur, "previous": prev})
			return string(b)
		}},
		{"60,000 changed keys (v2)", func(*rand.Rand) string {
			var b strings.Builder
			b.WriteString(`{"meta":{"version":"2.0","action":"change","entity":"person"},"previous":{`)
			for i := range 60_000 {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `"key_%d":%d`, i, i)
			}
			b.WriteString(`}}`)
			return b.String()
		}},
		{"odd fields everywhere", func(r *rand.Rand) string {
			var b strings.Builder
			b.WriteString(`{"meta":{"version":"2.0","entity":"deal"`)
			for i := range 5_000 {
				fmt.Fprintf(&b, `,"x%d":{"deep":[%d]}`, i, i)
			}
			b.WriteString(`},"data":{"value":[1],"stage_id":{},"title":[]}}`)
			return b.String()
		}},
		{"not JSON at all", func(r *rand.Rand) string { return huge(r) }},
	}
	for _, tt := range cases {
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("%s/%d", tt.name, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 42))
				for _, withAuth := range []bool{true, false} {
					src := static
					h := newHarness(src, 1<<20)
					req := post(bytes.NewReader([]byte(tt.body(r))))
					req.Header.Set("User-Agent", strings.Repeat("U", 60_000))
					req.Header.Set("Content-Type", "application/json; "+strings.Repeat("x", 60_000))
					if !withAuth {
						req.Header.Del("Authorization")
					}
					rec := h.do(req)
					if withAuth && rec.Code != http.StatusOK || !withAuth && rec.Code != http.StatusUnauthorized {
						t.Fatalf("status %d", rec.Code)
					}
					for _, line := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
						if len(line) > maxRecord {
							t.Errorf("a record of %d bytes (limit %d): %.300s…", len(line), maxRecord, line)
						}
					}
				}
			})
		}
	}
}
