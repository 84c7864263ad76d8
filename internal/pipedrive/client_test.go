package pipedrive

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewClientValidates(t *testing.T) {
	for _, tt := range []struct{ url, token, want string }{
		{"", "", "no Pipedrive API token"},
		{"ftp://x", "t", "not an absolute http(s) URL"},
		{"api.pipedrive.com/v1?api_token=s3cret-token", "s3cret-token", "not an absolute http(s) URL"},
		{"https://api.pipedrive.com/v1?api_token=t", "t", "must not carry a query"},
		{"https://user:pw@api.pipedrive.com/v1", "t", "must not carry a query or credentials"},
	} {
		_, err := NewClient(Config{BaseURL: tt.url, Token: tt.token})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewClient(%q): %v, want %q", tt.url, err, tt.want)
		}
		if err != nil && len(tt.token) > 3 && strings.Contains(err.Error(), tt.token) {
			t.Errorf("NewClient(%q): the error repeats the token: %v", tt.url, err)
		}
	}
	c, err := NewClient(Config{Token: "t"})
	if err != nil || c.baseURL.String() != DefaultAPIURL {
		t.Errorf("default: %v %v", c, err)
	}
}

func TestErrorMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"success":false,"error":"unauthorized access","errorCode":401}`:                                            "unauthorized access",
		`{"success":false,"errors":{"subscription_url":["invalid or non-reachable URL"],"name":["too long","bad"]}}`: "name: too long, bad; subscription_url: invalid or non-reachable URL",
		`{"success":false,"message":"Forbidden"}`:                                                                    "Forbidden",
		`{"success":false,"error":"Bad request","error_info":"Please check developers.pipedrive.com"}`:               "Bad request; (Please check developers.pipedrive.com)",
		"<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>":                                           "(an HTML page, not Pipedrive's JSON: is PIPEDRIVE_API_URL right?) 502 Bad Gateway nginx",
		"upstream\nconnect error\r\n":                                                                                "upstream connect error",
	} {
		if got := errorMessage([]byte(body), ""); got != want {
			t.Errorf("errorMessage(%s) = %q, want %q", body, got, want)
		}
	}
	err := fmt.Errorf("wrapped: %w", &APIError{Method: "DELETE", Path: "/webhooks/1", Status: 404})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "404 Not Found") {
		t.Errorf("%v", err)
	}
}

func TestNewWebhookHidesThePassword(t *testing.T) {
	w := NewWebhook{SubscriptionURL: "https://x", HTTPAuthUser: "u", HTTPAuthPassword: "hunter2"}
	for _, s := range []string{fmt.Sprint(w), fmt.Sprintf("%v %+v %#v %s", w, w, w, w)} {
		if strings.Contains(s, "hunter2") || !strings.Contains(s, "[redacted]") {
			t.Errorf("printed %q", s)
		}
	}
}

func TestV2Action(t *testing.T) {
	for in, want := range map[string]string{"added": "create", "updated": "change", "merged": "change", "deleted": "delete", "*": "*", "change": "change"} {
		if got := V2Action(in); got != want {
			t.Errorf("V2Action(%q) = %q, want %q", in, got, want)
		}
	}
}

// pieceOf returns a 12-character piece of secret that s contains, or "".
func pieceOf(s, secret string) string {
	for i := 0; i+12 <= len(secret); i++ {
		if strings.Contains(s, secret[i:i+12]) {
			return secret[i : i+12]
		}
	}
	return ""
}

// An error excerpt is cut from the redacted answer: a token that straddles the cut
// is hidden whole, not printed but for its last few characters. Failed before
// (the excerpt was cut, then redacted: 36 of the token's 40 characters showed).
// Every error is one line, whatever the page.
func TestErrorExcerptsNeverCutASecret(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef01234567"
	answers := []struct {
		name, contentType string
		status            int
		page              func(pad string) string
	}{
		{"HTML 503 from a proxy", "text/html", http.StatusServiceUnavailable, func(pad string) string {
			return "<!DOCTYPE html>\n<html>\n<head><title>503</title></head>\n<body>\n<p>" + pad + token + "</p>\n<hr>nginx\n</body>\n</html>\n"
		}},
		{"plain text 500", "text/plain", http.StatusInternalServerError, func(pad string) string { return pad + token + "\nmore\n" }},
		{"JSON error", "application/json", http.StatusBadRequest, func(pad string) string {
			return `{"success":false,"error":"` + pad + token + `"}`
		}},
		{"PHP's JSON error", "application/json", http.StatusBadRequest, func(pad string) string {
			return `{"success":false,"error":"` + pad + `token \/` + token + `\/"}`
		}},
		{"non-JSON 200", "text/html", http.StatusOK, func(pad string) string { return "<html><body>" + pad + token + "</body></html>" }},
		{"success false", "application/json", http.StatusOK, func(pad string) string {
			return `{"success":false,"error":"` + pad + token + `"}`
		}},
	}
	for _, a := range answers {
		t.Run(a.name, func(t *testing.T) {
			var pad atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", a.contentType)
				w.WriteHeader(a.status)
				fmt.Fprint(w, a.page(strings.Repeat("x", int(pad.Load()))))
			}))
			defer srv.Close()
			c, err := NewClient(Config{BaseURL: srv.URL, Token: token})
			if err != nil {
				t.Fatal(err)
			}
			c.Before = boundRequests(nil)
			c.Retries = 0
			for n := range 330 { // the token at every offset around every cut
				pad.Store(int64(n))
				_, err := c.ListWebhooks(context.Background())
				if err == nil {
					t.Fatal("no error")
				}
				if p := pieceOf(err.Error(), token); p != "" || strings.Contains(err.Error(), "\n") {
					t.Fatalf("pad %d: %q shows %q of the token, or is not one line", n, err, p)
				}
			}
		})
	}
}

// A proxy's HTML error page, answered to every try, comes out once, on one line:
// in the final error, not again in each retry's progress line. Failed before: the
// page's text came out four times (three retries and the error).
func TestAnErrorPageComesOutOnce(t *testing.T) {
	const page = "<!DOCTYPE html>\n<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n<center><h1>Proxy says no</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	var lines []string
	c, err := NewClient(Config{BaseURL: srv.URL, Token: "0123456789abcdef", Progress: func(l string) { lines = append(lines, l) }})
	if err != nil {
		t.Fatal(err)
	}
	c.Before = boundRequests(nil)
	c.Backoff = func(int) time.Duration { return time.Millisecond }
	_, err = c.ListWebhooks(context.Background())
	out := strings.Join(append(lines, err.Error()), "\n")
	if n := strings.Count(out, "Proxy says no"); n != 1 || strings.Contains(err.Error(), "\n") || len(lines) != 3 {
		t.Errorf("the page shows %d times in %d progress lines and the error:\n%s", n, len(lines), out)
	}
}
