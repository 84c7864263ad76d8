package secrets

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Redacted is what a Redactor puts in place of a secret.
const Redacted = "[redacted]"

// minSecret is the shortest value a Redactor hides: shorter ones would mangle
// ordinary text and protect nothing.
const minSecret = 4

// Redactor hides known secrets, in every spelling they travel in (as they are,
// URL-encoded, JSON-escaped with or without "\/", base64-encoded, and inside a
// basic-auth header), from text about to be printed: whatever a misbehaving server
// echoes back in an error, it does not reach a terminal or a CI log. Redact whole
// texts before cutting an excerpt from them: a secret cut in two is no longer
// recognised. The zero value is ready to use and safe for concurrent use.
type Redactor struct {
	mu       sync.Mutex
	secrets  []string
	replacer *strings.Replacer
}

// Add registers a secret.
func (r *Redactor) Add(secret string) {
	if len(secret) < minSecret {
		return
	}
	forms := []string{
		secret,
		url.QueryEscape(secret),
		url.PathEscape(secret),
		jsonEscaped(secret, true),
		jsonEscaped(secret, false),
		base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawStdEncoding.EncodeToString([]byte(secret)),
		base64.URLEncoding.EncodeToString([]byte(secret)),
		base64.RawURLEncoding.EncodeToString([]byte(secret)),
	}
	// JSON may escape "/" as "\/" (PHP's json_encode does by default): a secret, or
	// its base64 form, with a slash is hidden in that spelling too.
	for _, f := range forms {
		if strings.Contains(f, "/") {
			forms = append(forms, strings.ReplaceAll(f, "/", `\/`))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range forms {
		if len(f) >= minSecret && !slices.Contains(r.secrets, f) {
			r.secrets = append(r.secrets, f)
		}
	}
	// Longest first, so that a secret inside a longer form goes with it.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(r.secrets))
	for _, s := range r.secrets {
		pairs = append(pairs, s, Redacted)
	}
	r.replacer = strings.NewReplacer(pairs...)
}

// jsonEscaped is s as it appears inside a JSON string.
func jsonEscaped(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	q := strings.TrimSpace(b.String())
	return q[1 : len(q)-1]
}

// AddCredentials registers a password, and the basic-auth header value that
// carries it with its user.
func (r *Redactor) AddCredentials(c Credentials) {
	r.Add(c.Password)
	if c.Password != "" {
		r.Add(c.User + ":" + c.Password)
	}
}

// Redact returns s without the registered secrets.
func (r *Redactor) Redact(s string) string {
	r.mu.Lock()
	rep := r.replacer
	r.mu.Unlock()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}

// Writer returns a writer that redacts each write to w. Secrets split across two
// writes are not seen: write whole lines.
func (r *Redactor) Writer(w io.Writer) io.Writer { return redactingWriter{r, w} }

type redactingWriter struct {
	r *Redactor
	w io.Writer
}

func (rw redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// RedactError returns err with the registered secrets removed from its text; the
// result still wraps err, for errors.Is and errors.As.
func (r *Redactor) RedactError(err error) error {
	if err == nil {
		return nil
	}
	if msg := r.Redact(err.Error()); msg != err.Error() {
		return redactedError{msg: msg, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }
