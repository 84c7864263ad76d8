package receiver

import (
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// MsgSenderCheck is the message of the record a sender check writes: a delivery from
// outside Pipedrive's ranges (reason outside_ranges, counted by a metric filter), or
// the start and end of a time without a list to check against.
const MsgSenderCheck = "webhook sender check"

// checkSender checks the delivery's source address, as API Gateway saw it, against
// Pipedrive's published ranges before anything else is done with it. In monitor mode
// a delivery from outside is logged and served as usual; in enforce mode it is
// answered 403. Without a list (none stored yet, SSM unreadable) deliveries are let
// through and the gap is logged once: refusing them would refuse Pipedrive's own.
func checkSender(c *senders.Checker, next http.Handler) http.Handler {
	if c == nil || c.Mode == senders.Off {
		return next
	}
	var blind atomic.Bool
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var source string
		if gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok {
			source = gw.HTTP.SourceIP
		}
		verdict, why := c.Check(r.Context(), source)
		log := loggerFrom(r.Context())
		switch verdict {
		case senders.Inside:
			if blind.Swap(false) {
				log.LogAttrs(r.Context(), slog.LevelInfo, MsgSenderCheck, slog.String("reason", "ranges_available"))
			}
		case senders.Unknown:
			if !blind.Swap(true) {
				log.LogAttrs(r.Context(), slog.LevelWarn, MsgSenderCheck, slog.String("reason", why),
					slog.String("sender_check", string(c.Mode)), slog.String("hint", "deliveries are let through until the watchdog stores Pipedrive's ranges"))
			}
		case senders.Outside:
			blind.Store(false)
			log.LogAttrs(r.Context(), slog.LevelWarn, MsgSenderCheck, slog.String("reason", "outside_ranges"),
				slog.String("sender_check", string(c.Mode)), slog.String("source_ip", source),
				slog.String("user_agent", webhook.Bound(r.UserAgent(), 256)))
			if c.Mode == senders.Enforce {
				writeJSON(w, http.StatusForbidden, `{"error":"forbidden"}`)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
