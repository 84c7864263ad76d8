package pipedrivetest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// answer is what a test reads of a response besides its body.
type answer struct {
	StatusCode int
	Header     http.Header
}

// Both stand-ins share one request path: every fault field works on each, and
// each counts the calls to a route, faulted ones included.
func TestFaultsAndCallsOnBothStandIns(t *testing.T) {
	server, err := NewServer("tok")
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	changes, err := NewChanges("tok")
	if err != nil {
		t.Fatal(err)
	}
	defer changes.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []struct {
		name  string
		stand interface {
			Inject(string, ...Fault)
			Calls() map[string]int
			Problems() []string
		}
		url, route string
	}{
		{"Server", server, server.URL + "/v1/webhooks", "GET /webhooks"},
		{"Changes", changes, changes.URL + "/api/v2/deals", "GET /api/v2/deals"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.stand.Inject(tt.route,
				Fault{Status: http.StatusTooManyRequests, RetryAfter: "7"},
				Fault{Status: http.StatusFound, Location: "https://elsewhere.example.com/"},
				Fault{Status: http.StatusBadGateway, Echo: true},
				Fault{Status: http.StatusServiceUnavailable, Body: "<html>down</html>", ContentType: "text/html"})
			// get answers the status, the headers and the body of one GET.
			get := func() (answer, string) {
				req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
				req.Header.Set("x-api-token", "tok")
				resp, err := noRedirect.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				return answer{resp.StatusCode, resp.Header}, string(b)
			}
			if resp, _ := get(); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" {
				t.Errorf("429 fault: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if resp, _ := get(); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://elsewhere.example.com/" {
				t.Errorf("redirect fault: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if resp, body := get(); resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "X-Api-Token: tok") {
				t.Errorf("echo fault: %d, %q; want the request's headers back", resp.StatusCode, body)
			}
			if resp, body := get(); resp.StatusCode != http.StatusServiceUnavailable || body != "<html>down</html>" || resp.Header.Get("Content-Type") != "text/html" {
				t.Errorf("body fault: %d, %q, %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
			}
			if resp, _ := get(); resp.StatusCode != http.StatusOK {
				t.Errorf("after the faults: %d, want 200", resp.StatusCode)
			}
			if got := tt.stand.Calls()[tt.route]; got != 5 {
				t.Errorf("%d calls to %s, want 5", got, tt.route)
			}
			if p := tt.stand.Problems(); len(p) != 0 {
				t.Errorf("problems: %v", p)
			}
		})
	}
}
