package secrets

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestRedactorHidesEverySpelling(t *testing.T) {
	const token, password = "0123456789abcdef0123456789abcdef01234567", `pa ss/wo"rd+=&`
	var r Redactor
	r.Add(token)
	r.AddCredentials(Credentials{User: "pipedrive", Password: password})
	r.Add("ab") // too short to hide
	for _, leak := range []string{
		token,
		password,
		url.QueryEscape(password),
		url.PathEscape(password),
		`pa ss/wo\"rd+=&`,
		base64.StdEncoding.EncodeToString([]byte(password)),
		base64.StdEncoding.EncodeToString([]byte("pipedrive:" + password)),
		base64.RawURLEncoding.EncodeToString([]byte(token)),
	} {
		text := fmt.Sprintf("error: <p>%s</p> ab", leak)
		got := r.Redact(text)
		if strings.Contains(got, leak) || !strings.Contains(got, Redacted) || !strings.HasSuffix(got, " ab") {
			t.Errorf("Redact(%q) = %q", text, got)
		}
	}
	var out strings.Builder
	fmt.Fprintf(r.Writer(&out), "token=%s\n", token)
	if out.String() != "token=[redacted]\n" {
		t.Errorf("writer: %q", out.String())
	}
	var zero Redactor
	if zero.Redact("x") != "x" {
		t.Error("the zero Redactor changed text")
	}
}

func TestRedactErrorKeepsTheChain(t *testing.T) {
	var r Redactor
	r.Add("s3cret-value")
	base := fmt.Errorf("wrapped: %w", errSentinel)
	err := r.RedactError(fmt.Errorf("failed with s3cret-value: %w", base))
	if strings.Contains(err.Error(), "s3cret-value") || !errors.Is(err, errSentinel) {
		t.Errorf("%v (is the sentinel: %v)", err, errors.Is(err, errSentinel))
	}
	if r.RedactError(nil) != nil {
		t.Error("nil became an error")
	}
}

var errSentinel = errors.New("sentinel")

// PHP's json_encode escapes "/" as "\/" by default: an error page built that way
// echoes a secret with a slash (or its base64 form) in that spelling. Failed before
// the Redactor knew it.
func TestRedactorHidesSlashEscapedJSON(t *testing.T) {
	const password = "pa/ss/w?rd~0" // its base64 form has a slash too
	var r Redactor
	r.AddCredentials(Credentials{User: "pipedrive", Password: password})
	for _, leak := range []string{
		`pa\/ss\/w?rd~0`,
		strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte("pipedrive:"+password)), "/", `\/`),
	} {
		text := `{"error":"bad password ` + leak + `"}`
		if got := r.Redact(text); strings.Contains(got, leak) || !strings.Contains(got, Redacted) {
			t.Errorf("Redact(%q) = %q", text, got)
		}
	}
}
