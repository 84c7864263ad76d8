// Package pipedrive is a client of Pipedrive's webhooks API, and the one
// implementation of registering a stack's webhook with it: reuse a healthy match,
// replace an unhealthy one, never leave two, retire what a registration supersedes.
// The registration tool, Terraform's provisioners (through the tool) and the
// watchdog all call it.
package pipedrive

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

// DefaultAPIURL is Pipedrive's API v1 base URL, where the webhooks API lives.
const DefaultAPIURL = "https://api.pipedrive.com/v1"

// Config is what a Client needs.
type Config struct {
	// BaseURL is the API's base URL; "" for DefaultAPIURL.
	BaseURL string
	// Token is the API token, sent in the x-api-token header and nowhere else.
	Token string
	// Timeout bounds each request; 0 means 15 s.
	Timeout time.Duration
	// Progress, when set, hears one line per retry and wait, for a person watching.
	Progress func(line string)
	// Redactor hides secrets from every error the client returns; the token is
	// added to it. nil for a new one.
	Redactor *secrets.Redactor
}

// Client calls Pipedrive's webhooks API. The token travels only in the x-api-token
// header, and only to the API's own origin: never in a URL, an error or a log, and
// never after a redirect to another host.
type Client struct {
	baseURL  *url.URL
	token    string
	http     *http.Client
	progress func(string)
	redact   *secrets.Redactor
	// Retries is how many times a failed idempotent request is tried again after a
	// network error, a 429 or a 5xx; a create is retried only after a 429.
	Retries int
	// Backoff is the wait before retry n (1-based); Pipedrive's Retry-After wins when longer.
	Backoff func(n int) time.Duration
	// Settle is how long a create whose answer was lost is looked for before it is
	// tried again: Pipedrive's list may show a new webhook late.
	Settle time.Duration
	// SettlePoll is the first wait between the lists that look for it, doubled
	// after each list up to 8 times itself; 0 for 1 s.
	SettlePoll time.Duration
	// InFlight is how long after its creation a matching webhook is taken to belong
	// to a registration still at work (a rotation between its create and its
	// deletes): a registration that does not rotate never deletes one that young
	// that it did not create itself.
	InFlight time.Duration
	// Before, when set, is called before every attempt of a request, retries
	// included; an error from it ends the request with that error, untried. A
	// token budget counts (and refuses) calls here.
	Before func(method, path string) error
}

// NewClient returns a client for the API that cfg describes.
func NewClient(cfg Config) (*Client, error) {
	r := cfg.Redactor
	if r == nil {
		r = new(secrets.Redactor)
	}
	r.Add(cfg.Token)
	base := cmp.Or(cfg.BaseURL, DefaultAPIURL)
	u, err := url.Parse(base)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		// Not repeated: a mistyped value may hold anything, the token included.
		return nil, errors.New("the Pipedrive API URL (PIPEDRIVE_API_URL) is not an absolute http(s) URL such as " + DefaultAPIURL)
	case u.RawQuery != "" || u.User != nil:
		return nil, errors.New("the Pipedrive API URL must not carry a query or credentials: the token goes in a header")
	case strings.TrimSpace(cfg.Token) == "":
		return nil, errors.New("no Pipedrive API token")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c := &Client{
		baseURL:  u,
		token:    cfg.Token,
		progress: cfg.Progress,
		redact:   r,
		Retries:  3,
		Backoff: func(n int) time.Duration {
			d := 500 * time.Millisecond << (n - 1)
			return d/2 + rand.N(d/2+1) // #nosec G404 -- jitter, not security
		},
		Settle:   30 * time.Second,
		InFlight: 2 * time.Minute,
	}
	c.http = &http.Client{Timeout: cmp.Or(cfg.Timeout, 15*time.Second), CheckRedirect: c.checkRedirect}
	return c, nil
}

// errRedirect marks a redirect refused because it leaves the API's origin.
var errRedirect = errors.New("refused a redirect")

// checkRedirect follows a redirect only within the API's origin (scheme, host and
// port): the token and a webhook's password are never sent anywhere else.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != c.baseURL.Scheme || req.URL.Host != c.baseURL.Host {
		return fmt.Errorf("%w to another origin (%s://%s): the API token is only ever sent to %s://%s; check PIPEDRIVE_API_URL",
			errRedirect, req.URL.Scheme, req.URL.Host, c.baseURL.Scheme, c.baseURL.Host)
	}
	if len(via) >= 3 {
		return fmt.Errorf("%w: more than 3 redirects", errRedirect)
	}
	return nil
}

func (c *Client) say(format string, args ...any) {
	if c.progress != nil {
		c.progress(c.redact.Redact(fmt.Sprintf(format, args...)))
	}
}

// APIError is an answer other than success from Pipedrive, with Pipedrive's own
// message (one line, secrets redacted).
type APIError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("pipedrive: %s %s: %d %s", e.Method, e.Path, e.Status, msg)
}

// ErrNotFound is wrapped by errors for a webhook that does not exist.
var ErrNotFound = errors.New("not found")

func (e *APIError) Unwrap() error {
	if e.Status == http.StatusNotFound {
		return ErrNotFound
	}
	return nil
}

// retryable reports whether a later attempt may succeed.
func (e *APIError) retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout || e.Status >= 500
}

// maxPages bounds how many pages of a list are followed: Pipedrive allows 40
// webhooks per company, which one page holds today.
const maxPages = 20

// paged is an answer whose additional_data is read too: a page of a list.
type paged interface {
	// additionalData is where additional_data is decoded; dataTarget where data is.
	additionalData() any
	dataTarget() any
}

// listPage is one page of a list: its data, and Pipedrive's pagination, which its
// list APIs put in additional_data.
type listPage struct {
	webhooks   []Webhook
	additional struct {
		Pagination *struct {
			Start     int64  `json:"start"`
			More      bool   `json:"more_items_in_collection"`
			NextStart *int64 `json:"next_start"`
		} `json:"pagination"`
		NextCursor *string `json:"next_cursor"`
	}
}

func (p *listPage) additionalData() any { return &p.additional }
func (p *listPage) dataTarget() any     { return &p.webhooks }

// errIncomplete marks a list that says it is incomplete and cannot be followed.
var errIncomplete = errors.New("incomplete list")

// ListWebhooks returns every webhook of the company. Pipedrive's list APIs
// paginate (additional_data.pagination: more_items_in_collection, next_start); the
// webhooks list has not, but if it ever does, every page is read: a webhook on
// page 2 is not gone. A list that says it is incomplete in a way that cannot be
// followed is an error, never a smaller list to act on.
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	var out []Webhook
	start := int64(0)
	for n := 1; ; n++ {
		path := "/webhooks"
		if start > 0 {
			path += "?start=" + strconv.FormatInt(start, 10)
		}
		var page listPage
		if err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.webhooks...)
		p := page.additional.Pagination
		switch {
		case page.additional.NextCursor != nil && *page.additional.NextCursor != "":
			return nil, fmt.Errorf("pipedrive: GET %s: the list continues at a cursor this client does not follow: refusing to act on part of it: %w", path, errIncomplete)
		case p == nil || !p.More:
			return out, nil
		case p.NextStart == nil || *p.NextStart <= start:
			return nil, fmt.Errorf("pipedrive: GET %s: the list says it has more items but not where they start: refusing to act on part of it: %w", path, errIncomplete)
		case n >= maxPages:
			return nil, fmt.Errorf("pipedrive: GET /webhooks: more than %d pages: refusing to act on part of the list: %w", maxPages, errIncomplete)
		}
		start = *p.NextStart
	}
}

// CreateWebhook registers a webhook and returns it as Pipedrive stored it. Its
// password is added to the client's redactor first.
func (c *Client) CreateWebhook(ctx context.Context, w NewWebhook) (Webhook, error) {
	c.redact.AddCredentials(secrets.Credentials{User: w.HTTPAuthUser, Password: w.HTTPAuthPassword})
	body, err := json.Marshal(w)
	if err != nil {
		return Webhook{}, err
	}
	var out Webhook
	if err := c.do(ctx, http.MethodPost, "/webhooks", body, &out); err != nil {
		return Webhook{}, err
	}
	if out.ID == 0 {
		return Webhook{}, &answerError{method: http.MethodPost, path: "/webhooks", problem: "the answer has no webhook id"}
	}
	return out, nil
}

// DeleteWebhook deletes a webhook; the error wraps ErrNotFound when there is none.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/webhooks/"+strconv.FormatInt(id, 10), nil, nil)
}

// answerError is a 2xx answer that cannot be used: not JSON, truncated, or without
// what it should carry.
type answerError struct {
	method, path, problem string
}

func (e *answerError) Error() string {
	return fmt.Sprintf("pipedrive: %s %s: %s", e.method, e.path, e.problem)
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	for attempt := 1; ; attempt++ {
		if c.Before != nil {
			if err := c.Before(method, path); err != nil {
				return err
			}
		}
		wait, err := c.once(ctx, method, path, body, out)
		if err == nil {
			return nil
		}
		if attempt > c.Retries || ctx.Err() != nil || !retryable(method, err) {
			return err
		}
		wait = max(wait, c.Backoff(attempt))
		// A wait that outlasts the caller's deadline (a Retry-After of an hour, once
		// the day's token budget is spent) is given up at once: waiting could only
		// end in the deadline, with less time left to say why.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return fmt.Errorf("%w (a retry would wait %s, past the deadline in %s: giving up)", err,
				wait.Round(time.Second), time.Until(deadline).Round(100*time.Millisecond))
		}
		wait = min(wait, maxWait)
		c.say("%v; attempt %d of %d in %s", brief(err), attempt+1, c.Retries+1, wait.Round(100*time.Millisecond))
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (while waiting to retry after: %w)", ctx.Err(), err)
		case <-time.After(wait):
		}
	}
}

// brief is err for a progress line: an answer's status without its excerpt, which
// the final error carries once (an error page repeated on every retry line made
// one error many lines).
func brief(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return fmt.Sprintf("pipedrive: %s %s: %d %s", apiErr.Method, apiErr.Path, apiErr.Status, http.StatusText(apiErr.Status))
	}
	return err.Error()
}

// retryable says whether a failed request is worth another attempt. A create is
// tried again only after a 429, which says it was not served: after any other
// failure it may have landed, and the caller looks before creating again.
func retryable(method string, err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if method == http.MethodPost {
			return apiErr.Status == http.StatusTooManyRequests
		}
		return apiErr.retryable()
	}
	if errors.Is(err, errRedirect) || errors.Is(err, errRefused) || errors.Is(err, errIncomplete) {
		return false
	}
	return method != http.MethodPost // network errors, timeouts, unusable answers
}

// errRefused marks a 2xx answer whose envelope says success: false.
var errRefused = errors.New("refused")

// once makes one request. The Retry-After wait it returns is zero when absent.
func (c *Client) once(ctx context.Context, method, path string, body []byte, out any) (time.Duration, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL.String()+path, rd)
	if err != nil {
		return 0, c.clean(fmt.Errorf("pipedrive: %s %s: %w", method, path, err))
	}
	req.Header.Set("x-api-token", c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pipedrive-webhooks")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, c.clean(fmt.Errorf("pipedrive: %s %s: %w", method, path, c.transportError(err)))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, c.clean(fmt.Errorf("pipedrive: %s %s: read the answer: %w", method, path, c.transportError(err)))
	}
	// Every excerpt of the answer is made from its redacted text: redacting after the
	// cut would miss a secret that straddles it (and print most of it).
	redacted := func() []byte { return []byte(c.redact.Redact(string(raw))) }
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return retryAfter(resp.Header.Get("Retry-After")), &APIError{Method: method, Path: path, Status: resp.StatusCode,
			Message: errorMessage(redacted(), resp.Header.Get("Content-Type"))}
	}
	var envelope struct {
		Success        *bool           `json:"success"`
		Data           json.RawMessage `json:"data"`
		AdditionalData json.RawMessage `json:"additional_data"`
	}
	if err := json.Unmarshal(raw, &envelope); err != nil {
		return 0, &answerError{method: method, path: path, problem: unusable(redacted(), resp.Header.Get("Content-Type"), err)}
	}
	if envelope.Success != nil && !*envelope.Success {
		msg := cmp.Or(errorMessage(redacted(), "application/json"), "no reason given")
		return 0, fmt.Errorf("pipedrive: %s %s: %d but success: false (%s): %w", method, path, resp.StatusCode, msg, errRefused)
	}
	if out == nil {
		return 0, nil
	}
	if page, ok := out.(paged); ok {
		if len(envelope.AdditionalData) > 0 && string(envelope.AdditionalData) != "null" {
			if err := json.Unmarshal(envelope.AdditionalData, page.additionalData()); err != nil {
				return 0, &answerError{method: method, path: path, problem: "the answer's additional_data (pagination) does not decode: " + oneLine(err.Error(), 200)}
			}
		}
		out = page.dataTarget()
	}
	if err := json.Unmarshal(envelope.Data, out); err != nil {
		return 0, &answerError{method: method, path: path, problem: "the answer's data does not decode: " + oneLine(err.Error(), 200)}
	}
	return 0, nil
}

// transportError says in plain words what went wrong below HTTP. *url.Error's
// "Get \"URL\":" prefix is dropped: the URL is in our own message already.
func (c *Client) transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("no answer within %s", c.http.Timeout)
		}
		return ue.Err
	}
	return err
}

// clean redacts an error's text, keeping its chain for errors.Is.
func (c *Client) clean(err error) error { return c.redact.RedactError(err) }

// maxWait caps a wait before a retry, whatever Retry-After asks.
const maxWait = 60 * time.Second

// retryAfter is Retry-After's wait in seconds, as asked (the caller caps it).
func retryAfter(h string) time.Duration {
	if s, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64); err == nil && s > 0 {
		return time.Duration(min(s, 7*24*3600)) * time.Second
	}
	return 0
}

// unusable describes a 2xx answer that is not the JSON expected.
func unusable(raw []byte, contentType string, err error) string {
	media, _, _ := mime.ParseMediaType(contentType)
	switch {
	case len(bytes.TrimSpace(raw)) == 0:
		return "the answer is empty"
	case media != "" && media != "application/json":
		return fmt.Sprintf("the answer is %s, not JSON: is PIPEDRIVE_API_URL Pipedrive's API (%s)? It begins: %s", media, DefaultAPIURL, oneLine(string(raw), 120))
	default:
		return fmt.Sprintf("the answer is not valid JSON (%s): %s", oneLine(err.Error(), 80), oneLine(string(raw), 120))
	}
}

// errorMessage turns Pipedrive's error bodies into one line: {"error": "..."},
// {"message": "..."}, or {"errors": {"field": ["problem", ...]}}; anything else
// (an HTML error page) into a short excerpt of its text.
func errorMessage(raw []byte, contentType string) string {
	var body struct {
		Error     string          `json:"error"`
		ErrorInfo string          `json:"error_info"`
		Message   string          `json:"message"`
		Errors    json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(raw, &body) != nil {
		media, _, _ := mime.ParseMediaType(contentType)
		if media == "text/html" || bytes.Contains(raw[:min(len(raw), 512)], []byte("<html")) {
			return "(an HTML page, not Pipedrive's JSON: is PIPEDRIVE_API_URL right?) " + oneLine(stripTags(string(raw)), 160)
		}
		return oneLine(string(raw), 200)
	}
	var parts []string
	for _, s := range []string{body.Error, body.Message} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	var fields map[string]any
	if json.Unmarshal(body.Errors, &fields) == nil {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			parts = append(parts, k+": "+joinProblems(fields[k]))
		}
	}
	if body.ErrorInfo != "" {
		parts = append(parts, "("+body.ErrorInfo+")")
	}
	return oneLine(strings.Join(parts, "; "), 300)
}

func joinProblems(v any) string {
	switch v := v.(type) {
	case []any:
		var s []string
		for _, p := range v {
			s = append(s, fmt.Sprint(p))
		}
		return strings.Join(s, ", ")
	default:
		return fmt.Sprint(v)
	}
}

// oneLine folds s onto one line of at most n bytes of valid UTF-8, marking a cut.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// stripTags drops HTML tags, leaving the text a person would read.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
