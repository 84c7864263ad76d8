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

// The changes stand-in refuses what the backfill spec refuses, too.
func TestChangesFlagsNonConformingRequests(t *testing.T) {
	s, err := NewChanges("tok")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	get := func(path string, token bool) int {
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		if token {
			req.Header.Set("x-api-token", "tok")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/v1/recents?since_timestamp=2026-12-01+00:00:00&items=deal", true); got != http.StatusOK || len(s.Problems()) != 0 {
		t.Fatalf("a valid recents: %d, %v", got, s.Problems())
	}
	if got := get("/api/v2/deals", false); got != http.StatusUnauthorized {
		t.Errorf("no token: %d", got)
	}
	for _, tt := range []struct{ path, want string }{
		{"/v1/recents?items=deal", "does not match the spec"},
		{"/v1/recents?since_timestamp=x&items=deals", "does not match the spec"},
		{"/api/v2/deals?status=gone", "does not match the spec"},
		{"/v1/deals/abc/changelog", "does not match the spec"},
		{"/api/v2/activities", "no such operation"},
	} {
		before := len(s.Problems())
		get(tt.path, true)
		p := s.Problems()
		if len(p) == before || !strings.Contains(strings.Join(p[before:], "\n"), tt.want) {
			t.Errorf("%s: problems %v, want %q", tt.path, p[before:], tt.want)
		}
	}
	if s.TokensSpent() != 20 {
		t.Errorf("tokens spent %d, want 20 (one recents answered)", s.TokensSpent())
	}
}
