package receiver

import (
	"bytes"
	"testing"
)

// TestOnlyAnAnnouncedOversizeBodyClosesTheConnection: a delivery whose
// Content-Length is over the limit is answered with "Connection: close"; one of
// exactly the limit, or one found too large only while reading (no
// Content-Length), keeps the connection (mutants: `r.ContentLength > maxBody` as
// `>=`, and negated, in the handler).
func TestOnlyAnAnnouncedOversizeBodyClosesTheConnection(t *testing.T) {
	const limit = 4096
	for _, tt := range []struct {
		name          string
		size          int
		contentLength bool
		want          string
	}{
		{"exactly the limit, announced", limit, true, ""},
		{"under the limit, not announced", limit - 100, false, ""},
		{"over the limit, announced", limit + 1, true, "close"},
		{"over the limit, not announced", limit + 1, false, ""},
	} {
		h := newHarness(static, limit)
		req := post(bytes.NewReader(bodyOfSize(t, tt.size)))
		if !tt.contentLength {
			req.ContentLength = -1
		}
		resp := h.do(req)
		assertReceived(t, resp)
		if got := resp.Header().Get("Connection"); got != tt.want {
			t.Errorf("%s: Connection %q, want %q", tt.name, got, tt.want)
		}
	}
}
