package pipedrivetest

import (
	"net/http"
	"strings"
	"testing"
)

// The stand-in is only worth its tests if it refuses what Pipedrive's spec refuses.
func TestServerFlagsNonConformingRequests(t *testing.T) {
	s, err := NewServer("tok")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	do := func(method, path, body string, header map[string]string) int {
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	auth := map[string]string{"x-api-token": "tok"}
	valid := `{"subscription_url":"https://x.example.com/h","event_action":"*","event_object":"deal","name":"n","version":"2.0"}`
	if got := do("POST", "/v1/webhooks", valid, auth); got != http.StatusCreated || len(s.Problems()) != 0 {
		t.Fatalf("a valid create: %d, problems %v", got, s.Problems())
	}
	if got := do("GET", "/v1/webhooks", "", nil); got != http.StatusUnauthorized {
		t.Errorf("no token: %d", got)
	}
	for _, tt := range []struct{ method, path, body, want string }{
		{"POST", "/v1/webhooks", `{"subscription_url":"https://x.example.com/h","event_action":"*","event_object":"deal"}`, "does not match the spec"},
		{"POST", "/v1/webhooks", `{"subscription_url":"https://x","event_action":"added","event_object":"deal","name":"n"}`, "does not match the spec"},
		{"DELETE", "/v1/webhooks/abc", "", "does not match the spec"},
		{"PUT", "/v1/webhooks/1", "", "no such operation"},
		{"GET", "/v1/webhooks?api_token=tok", "", "outside the x-api-token header"},
	} {
		before := len(s.Problems())
		do(tt.method, tt.path, tt.body, auth)
		p := s.Problems()
		if len(p) == before || !strings.Contains(strings.Join(p[before:], "\n"), tt.want) {
			t.Errorf("%s %s %s: problems %v, want %q", tt.method, tt.path, tt.body, p[before:], tt.want)
		}
	}
	if got := do("DELETE", "/v1/webhooks/1", "", auth); got != http.StatusNotFound {
		t.Errorf("delete of a missing webhook: %d", got)
	}
}
