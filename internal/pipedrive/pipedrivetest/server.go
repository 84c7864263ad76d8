// Package pipedrivetest stands in for Pipedrive in tests: the webhook payloads it
// delivers (the fixtures in testdata/pipedrive) and its webhooks API (Server).
// Every request the Server receives and every answer it gives is validated against
// Pipedrive's OpenAPI description (testdata/pipedrive/webhooks-api-openapi.yml)
// with kin-openapi, so a client that passes its tests speaks the real API. Faults
// (errors, delays, redirects, odd bodies, a list that lags its creates) are
// injected per request.
package pipedrivetest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// MaxWebhooks is Pipedrive's limit of webhooks per company.
const MaxWebhooks = 40

// Webhook is one stored webhook, password included (the real API returns it too).
type Webhook struct {
	ID               int64   `json:"id"`
	CompanyID        int64   `json:"company_id"`
	OwnerID          int64   `json:"owner_id"`
	UserID           int64   `json:"user_id"`
	EventAction      string  `json:"event_action"`
	EventObject      string  `json:"event_object"`
	SubscriptionURL  string  `json:"subscription_url"`
	Version          string  `json:"version"`
	IsActive         int     `json:"is_active"`
	AddTime          string  `json:"add_time"`
	RemoveTime       *string `json:"remove_time"`
	Type             string  `json:"type"`
	HTTPAuthUser     *string `json:"http_auth_user"`
	HTTPAuthPassword *string `json:"http_auth_password"`
	RemoveReason     *string `json:"remove_reason"`
	LastDeliveryTime *string `json:"last_delivery_time"`
	LastHTTPStatus   *int    `json:"last_http_status"`
	AdminID          int64   `json:"admin_id"`
	Name             string  `json:"name"`
}

// Request is what the server saw of one request.
type Request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// Fault is an answer to give instead of serving a request.
type Fault struct {
	Status     int           // an HTTP status, or 0 to only delay
	RetryAfter string        // the Retry-After header, if any
	Delay      time.Duration // wait before answering (or before serving, with Status 0)
	// Apply, when set, serves the request first and then answers Status: a create that
	// lands although the client sees an error.
	Apply bool
	// Body, when set, is the answer's body as it is (an HTML page, truncated JSON),
	// sent with ContentType (default application/json).
	Body        string
	ContentType string
	// Echo answers with everything the request carried, headers and body: a server
	// that reflects secrets into its error pages.
	Echo bool
	// Location is sent with a 3xx Status: a redirect.
	Location string
	// Hold, when set, is called after Delay and before the request is served or
	// answered: a test holds the client there (say, between a rotation's create
	// and its delete) while it does something else, deterministically.
	Hold func()
}

// Server is the stand-in. Its URL + "/v1" is the API base URL.
type Server struct {
	*httptest.Server
	Token string

	router routers.Router

	mu        sync.Mutex
	webhooks  []Webhook
	nextID    int64
	faults    map[string][]Fault // by "METHOD /path-pattern"
	requests  []Request
	problems  []string
	reachable func(string) bool
	listLag   int           // lists that miss a new webhook
	pageSize  int           // webhooks per list page; 0 for one page
	hidden    map[int64]int // webhook id → lists it is still missing from
}

// SpecPath is Pipedrive's OpenAPI description of the webhooks API.
func SpecPath() string { return filepath.Join(FixtureDir(), "webhooks-api-openapi.yml") }

// NewServer starts a server that accepts token as the x-api-token, validating
// against SpecPath.
func NewServer(token string) (*Server, error) {
	s := &Server{Token: token, nextID: 4710827, faults: map[string][]Fault{}, hidden: map[int64]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Start()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(SpecPath())
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("load the OpenAPI spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		s.Close()
		return nil, fmt.Errorf("the OpenAPI spec is invalid: %w", err)
	}
	doc.Servers = openapi3.Servers{{URL: s.URL + "/v1"}}
	if s.router, err = gorillamux.NewRouter(doc); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// APIURL is the value for PIPEDRIVE_API_URL.
func (s *Server) APIURL() string { return s.URL + "/v1" }

// Webhooks returns the stored webhooks.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Webhook(nil), s.webhooks...)
}

// Add stores a webhook as if it had been created earlier (say, the seed's v1 one);
// it returns the stored webhook with its id.
func (s *Server) Add(w Webhook) Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.ID == 0 {
		w.ID = s.newID()
	}
	s.nextID = max(s.nextID, w.ID+1)
	s.fill(&w)
	s.webhooks = append(s.webhooks, w)
	return w
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Problems lists every request and answer that did not conform to the OpenAPI
// description, and every request that carried the token anywhere but x-api-token.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// Inject queues faults for requests to a route of the spec, "GET /webhooks",
// "POST /webhooks" or "DELETE /webhooks/{id}"; each fault answers one request.
func (s *Server) Inject(route string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], faults...)
}

// SetReachable decides which subscription URLs creation accepts (default: http(s)
// URLs with a host); others get Pipedrive's "invalid or non-reachable URL".
func (s *Server) SetReachable(f func(string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reachable = f
}

// SetListLag makes each new webhook missing from the next n lists, as an eventually
// consistent API may answer right after a create. SetListLag(0) also shows every
// webhook still missing: the list has caught up.
func (s *Server) SetListLag(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listLag = n
	if n == 0 {
		clear(s.hidden)
	}
}

// SetPageSize makes lists answer n webhooks a page, with Pipedrive's pagination
// in additional_data (start, limit, more_items_in_collection, next_start), and
// read the start query parameter; 0 answers every webhook on one page.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// SetActive sets a stored webhook's is_active and last delivery status, as
// Pipedrive does for a banned or failing webhook.
func (s *Server) SetActive(id int64, active bool, lastStatus int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.webhooks {
		if s.webhooks[i].ID == id {
			s.webhooks[i].IsActive = 0
			if active {
				s.webhooks[i].IsActive = 1
			}
			if lastStatus != 0 {
				s.webhooks[i].LastHTTPStatus = &lastStatus
				t := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
				s.webhooks[i].LastDeliveryTime = &t
			}
		}
	}
}

func (s *Server) newID() int64 {
	id := s.nextID
	s.nextID++
	return id
}

func (s *Server) fill(w *Webhook) {
	if w.CompanyID == 0 {
		w.CompanyID = 12345678
	}
	if w.OwnerID == 0 {
		w.OwnerID = 98765
	}
	if w.UserID == 0 {
		w.UserID = w.OwnerID
	}
	if w.AdminID == 0 {
		w.AdminID = w.OwnerID
	}
	if w.Version == "" {
		w.Version = "2.0"
	}
	if w.Type == "" {
		w.Type = "general"
	}
	if w.AddTime == "" {
		w.AddTime = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	}
	w.IsActive = 1
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	if s.Token != "" && (strings.Contains(r.URL.String(), s.Token) || strings.Contains(r.Header.Get("Authorization"), s.Token)) {
		s.problems = append(s.problems, fmt.Sprintf("%s %s: the API token travels outside the x-api-token header", r.Method, r.URL.Path))
	}
	s.mu.Unlock()

	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := s.router.FindRoute(r)
	if err != nil {
		s.problem("%s %s: no such operation in the spec: %v", r.Method, r.URL.Path, err)
		http.NotFound(w, r)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: s.authenticate, MultiError: true}}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		if isSecurityError(err) {
			s.answer(w, in, http.StatusUnauthorized, map[string]any{"success": false, "error": "unauthorized access", "errorCode": 401})
			return
		}
		s.problem("%s %s: request does not match the spec: %v", r.Method, r.URL.Path, err)
		s.answer(w, in, http.StatusBadRequest, map[string]any{"success": false, "status": "error",
			"errors": map[string][]string{"request": {err.Error()}}})
		return
	}
	key := r.Method + " " + route.Path
	if f, ok := s.nextFault(key); ok {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done(): // the client gave up
		}
		if f.Hold != nil {
			f.Hold()
		}
		if f.Status != 0 {
			if f.Apply {
				s.handle(httptest.NewRecorder(), in, r, params, body)
			}
			s.fault(w, in, r, f, body)
			return
		}
	}
	s.handle(w, in, r, params, body)
}

// fault answers f in place of the real answer.
func (s *Server) fault(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, r *http.Request, f Fault, body []byte) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Location != "" {
		w.Header().Set("Location", f.Location)
	}
	switch {
	case f.Echo:
		var echo strings.Builder
		fmt.Fprintf(&echo, "<html><body><h1>%d</h1><pre>\n%s %s\n", f.Status, r.Method, r.URL)
		_ = r.Header.Write(&echo)
		fmt.Fprintf(&echo, "\n%s\n</pre></body></html>\n", body)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, echo.String())
	case f.Body != "":
		w.Header().Set("Content-Type", cmp.Or(f.ContentType, "application/json"))
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
	default:
		s.answer(w, in, f.Status, map[string]any{"success": false, "error": http.StatusText(f.Status)})
	}
}

func isSecurityError(err error) bool {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			if !isSecurityError(e) {
				return false
			}
		}
		return len(me) > 0
	}
	var sre *openapi3filter.SecurityRequirementsError
	return errors.As(err, &sre)
}

func (s *Server) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName == "api_key" && in.RequestValidationInput.Request.Header.Get("x-api-token") == s.Token {
		return nil
	}
	return fmt.Errorf("not authenticated by %s", in.SecuritySchemeName)
}

func (s *Server) nextFault(key string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[key]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[key] = q[1:]
	return q[0], true
}

func (s *Server) handle(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, r *http.Request, params map[string]string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		data := []Webhook{}
		for _, h := range s.webhooks {
			if s.hidden[h.ID] > 0 {
				s.hidden[h.ID]--
				continue
			}
			data = append(data, h)
		}
		answer := map[string]any{"success": true, "status": "ok", "data": data}
		if s.pageSize > 0 {
			start, _ := strconv.Atoi(r.URL.Query().Get("start"))
			start = min(max(start, 0), len(data))
			end := min(start+s.pageSize, len(data))
			pagination := map[string]any{"start": start, "limit": s.pageSize, "more_items_in_collection": end < len(data)}
			if end < len(data) {
				pagination["next_start"] = end
			}
			answer["data"], answer["additional_data"] = data[start:end], map[string]any{"pagination": pagination}
		}
		s.answerLocked(w, in, http.StatusOK, answer)
	case http.MethodPost:
		var req struct {
			SubscriptionURL  string  `json:"subscription_url"`
			EventAction      string  `json:"event_action"`
			EventObject      string  `json:"event_object"`
			Name             string  `json:"name"`
			UserID           int64   `json:"user_id"`
			HTTPAuthUser     *string `json:"http_auth_user"`
			HTTPAuthPassword *string `json:"http_auth_password"`
			Version          string  `json:"version"`
		}
		_ = json.Unmarshal(body, &req)
		reachable := s.reachable
		if reachable == nil {
			reachable = func(raw string) bool {
				u, err := url.Parse(raw)
				return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
			}
		}
		if !reachable(req.SubscriptionURL) {
			s.answerLocked(w, in, http.StatusBadRequest, map[string]any{"success": false, "status": "error",
				"errors": map[string][]string{"subscription_url": {"invalid or non-reachable URL"}}})
			return
		}
		if len(s.webhooks) >= MaxWebhooks {
			s.answerLocked(w, in, http.StatusBadRequest, map[string]any{"success": false, "status": "error",
				"errors": map[string][]string{"webhooks": {fmt.Sprintf("the company has reached the limit of %d webhooks", MaxWebhooks)}}})
			return
		}
		hook := Webhook{ID: s.newID(), EventAction: req.EventAction, EventObject: req.EventObject, SubscriptionURL: req.SubscriptionURL,
			Version: req.Version, UserID: req.UserID, Name: req.Name, HTTPAuthUser: req.HTTPAuthUser, HTTPAuthPassword: req.HTTPAuthPassword}
		s.fill(&hook)
		s.webhooks = append(s.webhooks, hook)
		if s.listLag > 0 {
			s.hidden[hook.ID] = s.listLag
		}
		s.answerLocked(w, in, http.StatusCreated, map[string]any{"success": true, "status": "ok", "data": hook})
	case http.MethodDelete:
		id, _ := strconv.ParseInt(params["id"], 10, 64)
		for i, h := range s.webhooks {
			if h.ID == id {
				s.webhooks = append(s.webhooks[:i], s.webhooks[i+1:]...)
				s.answerLocked(w, in, http.StatusOK, map[string]any{"success": true, "status": "ok"})
				return
			}
		}
		s.answerLocked(w, in, http.StatusNotFound, map[string]any{"success": false, "status": "error",
			"errors": map[string][]string{"id": {"not found"}}})
	}
}

func (s *Server) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func (s *Server) answer(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, status int, body any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answerLocked(w, in, status, body)
}

// answerLocked validates the answer against the spec (statuses the spec does not
// list, such as 429 and 5xx, are passed through unchecked) and writes it.
func (s *Server) answerLocked(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, status int, body any) {
	raw, _ := json.Marshal(body)
	if in.Route != nil && in.Route.Operation.Responses.Status(status) != nil {
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(raw)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			s.problems = append(s.problems, fmt.Sprintf("answer %d to %s %s does not match the spec: %v", status, in.Request.Method, in.Request.URL.Path, err))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}
