package pipedrive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultAPIURL is Pipedrive's API v1 base URL, where the webhooks API lives.
const DefaultAPIURL = "https://api.pipedrive.com/v1"

// Webhook is a registered webhook as the webhooks API lists it. Pipedrive also
// returns the basic-auth password; it is deliberately not decoded, so that it can
// never be printed.
type Webhook struct {
	ID               int64    `json:"id"`
	CompanyID        int64    `json:"company_id,omitempty"`
	OwnerID          int64    `json:"owner_id,omitempty"`
	UserID           int64    `json:"user_id,omitempty"`
	Name             string   `json:"name,omitempty"`
	EventAction      string   `json:"event_action"`
	EventObject      string   `json:"event_object"`
	SubscriptionURL  string   `json:"subscription_url"`
	Version          string   `json:"version"`
	IsActive         flexBool `json:"is_active"`
	AddTime          string   `json:"add_time,omitempty"`
	Type             string   `json:"type,omitempty"`
	HTTPAuthUser     *string  `json:"http_auth_user"`
	LastDeliveryTime *string  `json:"last_delivery_time"`
	LastHTTPStatus   *int     `json:"last_http_status"`
	RemoveReason     *string  `json:"remove_reason,omitempty"`
	RemoveTime       *string  `json:"remove_time,omitempty"`
}

// Active reports whether Pipedrive delivers to the webhook.
func (w *Webhook) Active() bool { return bool(w.IsActive) }

// HasBasicAuth reports whether Pipedrive sends credentials with every delivery.
func (w *Webhook) HasBasicAuth() bool { return w.HTTPAuthUser != nil && *w.HTTPAuthUser != "" }

// NewWebhook is what creating a webhook takes. Its String method hides the password.
type NewWebhook struct {
	SubscriptionURL  string `json:"subscription_url"`
	EventAction      string `json:"event_action"`
	EventObject      string `json:"event_object"`
	Name             string `json:"name"`
	Version          string `json:"version,omitempty"`
	UserID           int64  `json:"user_id,omitempty"`
	HTTPAuthUser     string `json:"http_auth_user,omitempty"`
	HTTPAuthPassword string `json:"http_auth_password,omitempty"`
}

func (n NewWebhook) String() string {
	pw := ""
	if n.HTTPAuthPassword != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("{url:%s event:%s.%s version:%s name:%q user:%d auth_user:%q auth_password:%s}",
		n.SubscriptionURL, n.EventAction, n.EventObject, n.Version, n.Name, n.UserID, n.HTTPAuthUser, pw)
}

// GoString hides the password from %#v.
func (n NewWebhook) GoString() string { return n.String() }

// APIError is an answer other than success from Pipedrive, with Pipedrive's own message.
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
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Client calls Pipedrive's webhooks API. The token travels only in the x-api-token
// header: never in a URL, an error or a log.
type Client struct {
	baseURL string
	token   string
	// HTTP makes the requests; its Timeout bounds each attempt.
	HTTP *http.Client
	// Retries is how many times a failed idempotent request is tried again after a
	// network error, a 429 or a 5xx; a create is retried only after a 429.
	Retries int
	// Backoff is the wait before retry n (1-based); Pipedrive's Retry-After wins when longer.
	Backoff func(n int) time.Duration
}

// NewClient returns a client for the API at baseURL ("" for DefaultAPIURL).
func NewClient(baseURL, token string) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultAPIURL
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("pipedrive API URL %q is not an http(s) URL", baseURL)
	}
	if u.RawQuery != "" || u.User != nil {
		return nil, errors.New("the pipedrive API URL must not carry a query or credentials: the token goes in a header")
	}
	if strings.TrimSpace(token) == "" {
		return nil, errors.New("no Pipedrive API token")
	}
	return &Client{
		baseURL: strings.TrimSuffix(baseURL, "/"),
		token:   token,
		HTTP:    &http.Client{Timeout: 15 * time.Second},
		Retries: 3,
		Backoff: func(n int) time.Duration {
			d := 500 * time.Millisecond << (n - 1)
			return d/2 + rand.N(d/2+1) // #nosec G404 -- jitter, not security
		},
	}, nil
}

// ListWebhooks returns every webhook of the company.
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	var out struct {
		Data []Webhook `json:"data"`
	}
	if err := c.do(ctx, http.MethodGet, "/webhooks", nil, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// CreateWebhook registers a webhook and returns it as Pipedrive stored it.
func (c *Client) CreateWebhook(ctx context.Context, w NewWebhook) (Webhook, error) {
	var out struct {
		Data Webhook `json:"data"`
	}
	body, err := json.Marshal(w)
	if err != nil {
		return Webhook{}, err
	}
	if err := c.do(ctx, http.MethodPost, "/webhooks", body, &out); err != nil {
		return Webhook{}, err
	}
	if out.Data.ID == 0 {
		return Webhook{}, errors.New("pipedrive: POST /webhooks: the answer has no webhook id")
	}
	return out.Data, nil
}

// DeleteWebhook deletes a webhook; the error wraps ErrNotFound when there is none.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/webhooks/"+strconv.FormatInt(id, 10), nil, nil)
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	for attempt := 0; ; attempt++ {
		wait, err := c.once(ctx, method, path, body, out)
		if err == nil {
			return nil
		}
		var apiErr *APIError
		isAPI := errors.As(err, &apiErr)
		retry := attempt < c.Retries && ctx.Err() == nil && (isAPI && apiErr.retryable() || !isAPI)
		if method == http.MethodPost && (!isAPI || apiErr.Status != http.StatusTooManyRequests) {
			retry = false // it may have been created: the caller lists and decides
		}
		if !retry {
			return err
		}
		wait = max(wait, c.Backoff(attempt+1))
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (while waiting to retry after: %w)", ctx.Err(), err)
		case <-time.After(wait):
		}
	}
}

// once makes one request. The Retry-After wait it returns is zero when absent.
func (c *Client) once(ctx context.Context, method, path string, body []byte, out any) (time.Duration, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("x-api-token", c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pipedrive-webhooks")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, fmt.Errorf("pipedrive: %s %s: %w", method, path, unwrapURLError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, fmt.Errorf("pipedrive: %s %s: read the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return retryAfter(resp.Header.Get("Retry-After")), &APIError{Method: method, Path: path, Status: resp.StatusCode, Message: errorMessage(raw)}
	}
	if out == nil {
		return 0, nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return 0, fmt.Errorf("pipedrive: %s %s: decode the answer: %w", method, path, err)
	}
	return 0, nil
}

// unwrapURLError drops *url.Error's "Get \"URL\":" prefix: the URL is in our own
// message already and a user-supplied base URL is better not repeated.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func retryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s > 0 {
		return min(time.Duration(s)*time.Second, 60*time.Second)
	}
	return 0
}

// errorMessage turns Pipedrive's error bodies into one line: {"error": "..."},
// {"message": "..."}, or {"errors": {"field": ["problem", ...]}}.
func errorMessage(raw []byte) string {
	var body struct {
		Error     string          `json:"error"`
		ErrorInfo string          `json:"error_info"`
		Message   string          `json:"message"`
		Errors    json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(raw, &body) != nil {
		return strings.TrimSpace(excerptText(raw, 200))
	}
	var parts []string
	for _, s := range []string{body.Error, body.Message} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	var fields map[string]any
	if json.Unmarshal(body.Errors, &fields) == nil {
		for _, k := range sortedKeys(fields) {
			parts = append(parts, k+": "+joinProblems(fields[k]))
		}
	}
	if body.ErrorInfo != "" {
		parts = append(parts, "("+body.ErrorInfo+")")
	}
	return strings.Join(parts, "; ")
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

func excerptText(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// V2Action is the v2 spelling of a v1 event action (added → create, updated and
// merged → change, deleted → delete); v2 actions and "*" pass through.
func V2Action(action string) string {
	if action == ActionMerge || action == "merged" {
		return ActionChange
	}
	return normaliseAction(action)
}

// Same reports whether w is registered for the same URL, event and version as n
// (event actions compared in their v2 spelling).
func (n NewWebhook) Same(w *Webhook) bool {
	return w.SubscriptionURL == n.SubscriptionURL && w.EventObject == n.EventObject &&
		V2Action(w.EventAction) == V2Action(n.EventAction) && w.Version == cmpVersion(n.Version)
}

// cmpVersion is the version Pipedrive records when none is asked for.
func cmpVersion(v string) string {
	if v == "" {
		return V2
	}
	return v
}

// Find returns the webhooks in ws that match.
func Find(ws []Webhook, match func(*Webhook) bool) []Webhook {
	var out []Webhook
	for i := range ws {
		if match(&ws[i]) {
			out = append(out, ws[i])
		}
	}
	return slices.Clip(out)
}
