package pipedrive

import (
	"errors"
	"fmt"
	"strings"
	"testing"
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
