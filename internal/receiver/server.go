// Package receiver is the HTTP side of the webhook: one http.Handler that serves
// Pipedrive's deliveries the same way behind API Gateway and on a laptop.
package receiver

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
)

// The messages of the receiver's records. Metric filters, saved queries and alarms
// select records by them (terraform/modules/webhook-monitoring), and the tests that
// check those read these constants.
const (
	// MsgDelivery is the INFO record of one delivered event, the audit record.
	MsgDelivery = "pipedrive webhook"
	// MsgMalformed is the WARN record of a body that is no event.
	MsgMalformed = "malformed pipedrive webhook"
	// MsgUnauthorized is the WARN record of a request refused with 401.
	MsgUnauthorized = "unauthorized webhook request"
	// MsgStarted is the record of a start: one per cold start in Lambda.
	MsgStarted = "receiver started"
)

// WebhookPath is the path Pipedrive posts to, behind API Gateway and locally.
const WebhookPath = "/webhooks/pipedrive"

// DefaultMaxBodyBytes bounds how much of a delivery is read. Pipedrive's payloads are
// a few kilobytes.
const DefaultMaxBodyBytes = 1 << 20

// Config is what the receiver needs besides a logger.
type Config struct {
	// MaxBodyBytes bounds the body read; DefaultMaxBodyBytes when 0.
	MaxBodyBytes int64
	// Credentials, when set, are required as HTTP basic auth on every delivery.
	Credentials secrets.CredentialSource
	// Senders, when set and not off, checks each delivery's source address (API
	// Gateway's sourceIp) against Pipedrive's published ranges.
	Senders *senders.Checker
}

// New returns the receiver's handler. Every route is in addRoutes.
func New(logger *slog.Logger, cfg Config) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	mux := http.NewServeMux()
	addRoutes(mux, cfg)
	return withRequestLogger(logger, mux)
}

func addRoutes(mux *http.ServeMux, cfg Config) {
	// Other methods on this path get 405 with "Allow: POST" from the mux itself.
	mux.Handle("POST "+WebhookPath, checkSender(cfg.Senders, requireAuth(cfg.Credentials, handleWebhook(cfg.MaxBodyBytes))))
	mux.Handle("GET /healthz", handleHealth())
}

func handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, `{"status":"ok"}`)
	})
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body) // not w.Write([]byte(body + "\n")): two allocations an answer
	_, _ = io.WriteString(w, "\n")
}
