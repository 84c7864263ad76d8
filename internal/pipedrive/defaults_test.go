package pipedrive

import "testing"

// TestDefaultAPIURLIsPipedrives pins the default base URL with a literal (README:
// PIPEDRIVE_API_URL's default). The client test compared it with DefaultAPIURL
// itself, so a wrong constant passed. Tried: DefaultAPIURL =
// "https://api.pipedrive.com/v2" (the API version without webhooks) — now fails.
func TestDefaultAPIURLIsPipedrives(t *testing.T) {
	const want = "https://api.pipedrive.com/v1"
	c, err := NewClient(Config{Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.baseURL.String(); got != want {
		t.Errorf("default base URL %q, want %q", got, want)
	}
}
