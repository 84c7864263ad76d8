// Package ssmtest is a local stand-in for AWS Systems Manager Parameter Store that
// speaks the service's JSON protocol (GetParameter, version selectors included, and
// PutParameter),
// for tests that run the real AWS SDK client against it.
package ssmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server serves GetParameter for the parameters it was given.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	params  map[string][]version // every version, oldest first
	calls   int
	failing bool
	stall   time.Duration
	bad     []string // what was wrong with requests, for the test to report
}

type version struct {
	value    string
	modified time.Time
}

// NewServer starts a server holding params (name → SecureString value). Point the
// AWS SDK at it with AWS_ENDPOINT_URL_SSM=s.URL (or BaseEndpoint) and any static
// credentials.
func NewServer(params map[string]string) *Server {
	s := &Server{params: map[string][]version{}}
	for k, v := range params {
		s.Set(k, v)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Set stores a parameter's value as its next version, as put-parameter --overwrite
// (a rotation) does.
func (s *Server) Set(name, value string) {
	s.SetAt(name, value, time.Now())
}

// SetAt is Set with the version's LastModifiedDate given.
func (s *Server) SetAt(name, value string, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.params[name] = append(s.params[name], version{value: value, modified: modified})
}

// Stall makes every call wait d before answering (or until the caller gives up).
func (s *Server) Stall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall = d
}

// Fail makes every call answer a 500 (true) or succeed again (false).
func (s *Server) Fail(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = on
}

// Calls counts the GetParameter calls served.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Problems lists requests that a real SSM endpoint would have refused or that
// asked for the value undecrypted.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bad...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // read first: only then does a client's hang-up end r.Context()
	s.mu.Lock()
	stall := s.stall
	s.mu.Unlock()
	select {
	case <-time.After(stall):
	case <-r.Context().Done():
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		s.bad = append(s.bad, "request not signed with SigV4")
	}
	switch target := r.Header.Get("X-Amz-Target"); target {
	case "AmazonSSM.GetParameter":
	case "AmazonSSM.PutParameter":
		s.put(w, body)
		return
	default:
		s.bad = append(s.bad, "unexpected X-Amz-Target "+target)
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "unsupported operation")
		return
	}
	var in struct {
		Name           string
		WithDecryption bool
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if !in.WithDecryption {
		s.bad = append(s.bad, "GetParameter without WithDecryption for "+in.Name)
	}
	if s.failing {
		writeError(w, http.StatusInternalServerError, "InternalServerError", "injected failure")
		return
	}
	name, selector, _ := strings.Cut(in.Name, ":")
	versions := s.params[name]
	n := len(versions)
	if selector != "" {
		var err error
		if n, err = strconv.Atoi(selector); err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "ParameterVersionNotFound", "")
			return
		}
	}
	if n == 0 || n > len(versions) {
		writeError(w, http.StatusBadRequest, "ParameterNotFound", "")
		return
	}
	v := versions[n-1]
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
		"Name": name, "Type": "SecureString", "Value": v.value, "Version": n, "Selector": selectorOf(selector),
		"LastModifiedDate": float64(v.modified.UnixMilli()) / 1000,
		"ARN":              "arn:aws:ssm:us-east-1:123456789012:parameter" + name,
	}})
}

// put stores a new version, refusing to overwrite without Overwrite as SSM does.
func (s *Server) put(w http.ResponseWriter, body []byte) {
	var in struct {
		Name, Value, Type string
		Overwrite         bool
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" || in.Value == "" {
		writeError(w, http.StatusBadRequest, "ValidationException", "Name and Value are required")
		return
	}
	if s.failing {
		writeError(w, http.StatusInternalServerError, "InternalServerError", "injected failure")
		return
	}
	if len(s.params[in.Name]) > 0 && !in.Overwrite {
		writeError(w, http.StatusBadRequest, "ParameterAlreadyExists", "")
		return
	}
	s.params[in.Name] = append(s.params[in.Name], version{value: in.Value, modified: time.Now()})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"Version": len(s.params[in.Name]), "Tier": "Standard"})
}

// Value is the current value of a parameter, and whether it exists.
func (s *Server) Value(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.params[name]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1].value, true
}

func selectorOf(s string) any {
	if s == "" {
		return nil
	}
	return ":" + s
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// Env is the environment that points the AWS SDK's default configuration at s, with
// throwaway credentials and no shared config files.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_SSM":        s.URL,
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY":       "test-secret",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             "/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}
