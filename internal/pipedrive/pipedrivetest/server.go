// Package pipedrivetest stands in for Pipedrive in tests: the webhook payloads it
// delivers (the fixtures in testdata/pipedrive) and its webhooks API (Server).
// Every request the Server receives and every answer it gives is validated against
// Pipedrive's OpenAPI description (testdata/pipedrive/webhooks-api-openapi.yml)
// with kin-openapi, so a client that passes its tests speaks the real API. Faults
// (errors, delays, redirects, odd bodies, a list that lags its creates) are
// injected per request.
package pipedrivetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
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
	specServer

	webhooks  []Webhook
	nextID    int64
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
	s := &Server{nextID: 4710827, hidden: map[int64]int{}}
	badRequest := func(err error) any {
		return map[string]any{"success": false, "status": "error", "errors": map[string][]string{"request": {err.Error()}}}
	}
	if err := s.start(token, SpecPath(), "/v1", badRequest, s.handle); err != nil {
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
