package pipedrivetest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// validHandler serves a request that matches the spec and carries the token.
type validHandler func(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, r *http.Request, params map[string]string, body []byte)

// specServer is what both stand-ins share: an HTTP server that validates every
// request and answer against an OpenAPI description, records requests and
// problems, counts calls per route and answers injected faults. Its mutex also
// guards the state of the stand-in that embeds it.
type specServer struct {
	*httptest.Server
	Token string

	router     routers.Router
	badRequest func(error) any // the body of the answer to a request the spec refuses
	serveValid validHandler

	mu       sync.Mutex
	faults   map[string][]Fault // by "METHOD /path-pattern"
	requests []Request
	problems []string
	calls    map[string]int // by "METHOD /path-pattern"
}

// start loads and checks the spec at specPath, starts the server and routes
// requests below its URL + base.
func (s *specServer) start(token, specPath, base string, badRequest func(error) any, serveValid validHandler) error {
	s.Token, s.badRequest, s.serveValid = token, badRequest, serveValid
	s.faults, s.calls = map[string][]Fault{}, map[string]int{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Start()
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		s.Close()
		return fmt.Errorf("load the OpenAPI spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		s.Close()
		return fmt.Errorf("the OpenAPI spec is invalid: %w", err)
	}
	doc.Servers = openapi3.Servers{{URL: s.URL + base}}
	if s.router, err = gorillamux.NewRouter(doc); err != nil {
		s.Close()
		return err
	}
	return nil
}

// Requests returns every request received, in order.
func (s *specServer) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Problems lists every request and answer that did not conform to the OpenAPI
// description, and every request that carried the token anywhere but x-api-token.
func (s *specServer) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.problems)
}

// Calls is how many requests each route ("GET /api/v2/deals") received.
func (s *specServer) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Inject queues faults for requests to a route of the spec ("GET /webhooks",
// "DELETE /webhooks/{id}", "GET /api/v2/deals"); each fault answers one request.
func (s *specServer) Inject(route string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], faults...)
}

func (s *specServer) serve(w http.ResponseWriter, r *http.Request) {
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
		s.answer(w, in, http.StatusBadRequest, s.badRequest(err))
		return
	}
	if f, ok := s.nextFault(r.Method + " " + route.Path); ok {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done(): // the client gave up
		}
		if f.Hold != nil {
			f.Hold()
		}
		if f.Status != 0 {
			if f.Apply {
				s.serveValid(httptest.NewRecorder(), in, r, params, body)
			}
			s.fault(w, in, r, f, body)
			return
		}
	}
	s.serveValid(w, in, r, params, body)
}

// nextFault counts a call to route and takes the next fault queued for it.
func (s *specServer) nextFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[route]++
	q := s.faults[route]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[route] = q[1:]
	return q[0], true
}

// fault answers f in place of the real answer.
func (s *specServer) fault(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, r *http.Request, f Fault, body []byte) {
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

func (s *specServer) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName == "api_key" && in.RequestValidationInput.Request.Header.Get("x-api-token") == s.Token {
		return nil
	}
	return fmt.Errorf("not authenticated by %s", in.SecuritySchemeName)
}

func (s *specServer) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func (s *specServer) answer(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, status int, body any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answerLocked(w, in, status, body)
}

// answerLocked validates the answer against the spec (statuses the spec does not
// list, such as 429 and 5xx, are passed through unchecked) and writes it.
func (s *specServer) answerLocked(w http.ResponseWriter, in *openapi3filter.RequestValidationInput, status int, body any) {
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
