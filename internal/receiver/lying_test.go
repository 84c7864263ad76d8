package receiver

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
)

// A client that announces a body over the limit and never sends it is answered at
// once (200, body_too_large logged, the connection closed), without "100 Continue"
// for a body that will not be read. Failed before: the handler drained the body,
// so the connection was held for the server's whole read timeout (here, forever)
// and a 100 Continue went out first.
func TestAnnouncedOversizeBodyIsAnsweredAtOnce(t *testing.T) {
	for _, tt := range []struct{ name, headers string }{
		{"Content-Length: 2^63-1, no body", "Content-Length: 9223372036854775807\r\n"},
		{"Expect: 100-continue with 2 MiB, no body", "Content-Length: 2097152\r\nExpect: 100-continue\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logtest.Buffer{}
			srv := httptest.NewServer(New(slog.New(slog.NewJSONHandler(logs, nil)), Config{}))
			defer srv.Close()
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
			begin := time.Now()
			if _, err := io.WriteString(conn, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+tt.headers+"\r\n"); err != nil {
				t.Fatal(err)
			}
			rd := bufio.NewReader(conn)
			resp, err := http.ReadResponse(rd, nil)
			if err != nil {
				t.Fatalf("no answer after %s: %v", time.Since(begin), err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), received) {
				t.Errorf("answer %d %q; want 200 with %s (a 100 Continue first?)", resp.StatusCode, body, received)
			}
			if _, err := rd.ReadByte(); err != io.EOF {
				t.Errorf("the connection is still open after the answer (%v)", err)
			}
			if took := time.Since(begin); took > time.Second {
				t.Errorf("answered after %s", took)
			}
			logs.WaitFor(t, `"kind":"body_too_large"`)
		})
	}
}
