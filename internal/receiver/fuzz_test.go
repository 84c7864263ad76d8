package receiver

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// FuzzWebhook checks that every authenticated body is answered 200 {"received":true}
// and logged as exactly one record.
func FuzzWebhook(f *testing.F) {
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		f.Fatal(err)
	}
	for _, fx := range all {
		f.Add(fx.Body)
	}
	f.Add([]byte(`{"meta":`))
	f.Fuzz(func(t *testing.T, body []byte) {
		h := newHarness(static, 4096)
		rec := h.do(post(bytes.NewReader(body)))
		if rec.Code != http.StatusOK || rec.Body.String() != received+"\n" {
			t.Fatalf("%q: %d %q", body, rec.Code, rec.Body)
		}
		if n := len(h.logs.Records(t)); n != 1 {
			t.Fatalf("%q: %d records", body, n)
		}
		if n := len(h.logs.String()); n > maxRecord {
			t.Fatalf("%q: a record of %d bytes", body, n)
		}
	})
}
