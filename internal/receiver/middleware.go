package receiver

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync/atomic"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

type loggerKey struct{}

// withRequestLogger gives every request a logger that puts its request id on every
// record: API Gateway's request id in Lambda, else a sane X-Request-Id, else a new one.
func withRequestLogger(base *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attrs := []any{slog.String("request_id", requestID(r))}
		if lc, ok := core.GetRuntimeContextFromContextV2(r.Context()); ok && lc != nil {
			attrs = append(attrs, slog.String("lambda_request_id", lc.AwsRequestID))
		}
		ctx := context.WithValue(r.Context(), loggerKey{}, base.With(attrs...))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func loggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

func requestID(r *http.Request) string {
	if gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && gw.RequestID != "" {
		return gw.RequestID
	}
	if id := r.Header.Get("X-Request-Id"); isToken(id, 64) {
		return id
	}
	// An id to tell records apart, not a secret: a fast generator is enough.
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64()) // #nosec G404
	binary.LittleEndian.PutUint32(b[8:], rand.Uint32()) // #nosec G404
	return hex.EncodeToString(b[:])
}

// isToken reports whether s is 1 to max characters of [A-Za-z0-9._-]: safe to log.
func isToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// requireAuth answers 401 unless the request carries the configured basic-auth
// credentials; with no source configured it lets every request through. When the
// credentials cannot be read it fails closed, logging the cause once per outage.
func requireAuth(src secrets.CredentialSource, next http.Handler) http.Handler {
	if src == nil {
		return next
	}
	var failing atomic.Bool
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := loggerFrom(r.Context())
		user, password, ok := r.BasicAuth()
		switch {
		case !ok && r.Header.Get("Authorization") == "":
			unauthorized(w, r, "missing_credentials")
			return
		case !ok:
			unauthorized(w, r, "malformed_credentials")
			return
		}
		valid, err := src.Verify(r.Context(), user, password)
		if err != nil {
			if !failing.Swap(true) {
				log.ErrorContext(r.Context(), "webhook credentials unavailable; rejecting deliveries until they can be read", "error", err.Error())
			}
			unauthorized(w, r, "credentials_unavailable")
			return
		}
		if failing.Swap(false) {
			log.InfoContext(r.Context(), "webhook credentials readable again")
		}
		if !valid {
			unauthorized(w, r, "wrong_credentials")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func unauthorized(w http.ResponseWriter, r *http.Request, reason string) {
	loggerFrom(r.Context()).LogAttrs(r.Context(), slog.LevelWarn, MsgUnauthorized,
		slog.String("reason", reason),
		slog.String("remote_addr", webhook.Bound(r.RemoteAddr, 128)),
		slog.String("user_agent", webhook.Bound(r.UserAgent(), 256)))
	w.Header().Set("WWW-Authenticate", `Basic realm="pipedrive-webhooks", charset="UTF-8"`)
	writeJSON(w, http.StatusUnauthorized, `{"error":"unauthorized"}`)
}
