// Package lambdalocal runs Lambda code here as Lambda runs it: a local
// implementation of the AWS Lambda Runtime API (invocation next / response / error,
// init error), so that a built `bootstrap` can be run as a process and handed events
// the way Lambda hands them, and the API Gateway HTTP API event that carries a
// request. Programs (the bench, `make invoke`) use it, so it imports no test support.
package lambdalocal

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Result is what the function answered to one invocation.
type Result struct {
	RequestID string
	Error     bool   // posted to /error rather than /response
	Body      []byte // the response payload or the error document
}

// Runtime hands out its events one per `next` call, in order; once they are all
// handed out, `next` blocks until Close, as an idle Lambda environment does.
type Runtime struct {
	*httptest.Server
	// Results receives one Result per invocation answered.
	Results chan Result
	// FirstNext is closed when the function first asks for an invocation: the end of
	// its initialisation.
	FirstNext chan struct{}

	mu        sync.Mutex
	events    [][]byte
	handed    int
	firstOnce sync.Once
	done      chan struct{}
	closeOnce sync.Once
}

// NewRuntime starts a Runtime API server that will deliver events.
func NewRuntime(events ...[]byte) *Runtime {
	rt := &Runtime{
		events:    events,
		Results:   make(chan Result, len(events)+1),
		FirstNext: make(chan struct{}),
		done:      make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", rt.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", rt.result(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", rt.result(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", rt.result(true))
	rt.Server = httptest.NewServer(mux)
	return rt
}

// Addr is the value for AWS_LAMBDA_RUNTIME_API.
func (rt *Runtime) Addr() string { return strings.TrimPrefix(rt.URL, "http://") }

// Close releases blocked `next` calls and stops the server.
func (rt *Runtime) Close() {
	rt.closeOnce.Do(func() { close(rt.done) })
	rt.CloseClientConnections()
	rt.Server.Close()
}

func (rt *Runtime) next(w http.ResponseWriter, r *http.Request) {
	rt.firstOnce.Do(func() { close(rt.FirstNext) })
	rt.mu.Lock()
	i := rt.handed
	if i < len(rt.events) {
		rt.handed++
	}
	rt.mu.Unlock()
	if i >= len(rt.events) {
		select {
		case <-rt.done:
		case <-r.Context().Done():
		}
		return
	}
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1))
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:pipedrive-webhook")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(rt.events[i])
}

func (rt *Runtime) result(isError bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		rt.Results <- Result{RequestID: r.PathValue("id"), Error: isError, Body: body}
	}
}
