package receiver

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

const (
	// received is the only answer an authenticated delivery gets: anything else makes
	// Pipedrive retry it and, after ten failures, ban the webhook for 30 minutes.
	received = `{"received":true}`

	// maxLoggedPayload keeps an audit record under CloudWatch Logs' 256 KiB event limit.
	maxLoggedPayload = 200 << 10
	// excerptBytes bounds the part of a rejected body that is logged.
	excerptBytes = 256
	// drainLimit bounds how much of an oversize body that came without a
	// Content-Length is read (and thrown away): to count it, and so that a client
	// sending "Connection: close" gets its 200 rather than a connection reset while
	// it is still sending. A body announced too large is drained for drainWindow at
	// most, and not at all after an "Expect: 100-continue".
	drainLimit = 16 << 20
	// drainWindow bounds how long an announced oversize body is drained.
	drainWindow = 250 * time.Millisecond
)

// Kinds of rejected deliveries that the receiver adds to the decoder's.
const (
	KindBodyTooLarge = "body_too_large"
	KindReadError    = "read_error"
	KindPanic        = "panic"
)

// handleWebhook logs one record per delivery and always answers 200: errors are
// logged, never surfaced, and a panic is recovered.
func handleWebhook(maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := loggerFrom(r.Context())
		defer writeJSON(w, http.StatusOK, received)
		defer func() {
			if v := recover(); v != nil {
				log.LogAttrs(r.Context(), slog.LevelError, "pipedrive webhook handler panicked",
					slog.String("kind", KindPanic), slog.String("error", webhook.Bound(fmt.Sprint(v), webhook.MaxLoggedString)), slog.String("stack", webhook.Bound(string(debug.Stack()), 16<<10)))
			}
		}()
		buf := buffers.Get().(*bodyBuffer)
		defer buf.release()
		body, err := readBody(r, maxBody, buf.b[:0])
		buf.b = body
		if r.ContentLength > maxBody {
			// Announced too large: answered at once, and the connection is not kept.
			// A lying client costs a request, not a read timeout: what the client
			// sends within drainWindow is read and thrown away (so that an honest one
			// that is still sending gets its 200, not a reset), and nothing is asked
			// for with "100 Continue".
			w.Header().Set("Connection", "close")
			if !strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
				_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(drainWindow))
				_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, drainLimit))
			}
		}
		if err != nil {
			rejected(log, r, err, body)
			return
		}
		record(log, r, body)
	})
}

// record logs one decoded delivery at INFO, or why it could not be decoded at WARN.
//
// The payload is logged as jsonlog.Raw: Decode has validated it, so the jsonlog
// handler writes it as it is (compacting it only when it spans lines), where slog's
// own JSON handler would validate and compact it all over again.
func record(log *slog.Logger, r *http.Request, body []byte) {
	event, err := webhook.Decode(body)
	if err != nil {
		rejected(log, r, err, body)
		return
	}
	payload := slog.Any("payload", jsonlog.Raw(body))
	if len(body) > maxLoggedPayload {
		payload = slog.String("payload_omitted", fmt.Sprintf("%d bytes, over the %d logged", len(body), maxLoggedPayload))
	}
	log.LogAttrs(r.Context(), slog.LevelInfo, MsgDelivery, slog.Any("webhook", event), payload)
}

// The jsonlog handler writes an event's group attribute by attribute.
var _ jsonlog.AttrLister = (*webhook.Event)(nil)

// bodyBuffer is a delivery's body buffer: recycled, as at a few kilobytes per event
// it is most of the garbage. Nothing keeps a reference to it past the handler: the
// log record is written, and the event's strings copied, before it returns.
// Kept for local_rps_ratio (>= 0.6): without it (and without the shared header
// values, which alone made no difference) make bench read 0.58, 0.60 and 0.62 in
// three runs in a row, two of them under the budget; with it 0.65, 0.63 and 0.68.
type bodyBuffer struct{ b []byte }

var buffers = sync.Pool{New: func() any { return new(bodyBuffer) }}

func (b *bodyBuffer) release() {
	if cap(b.b) > 256<<10 {
		return // an unusually large body: let it go
	}
	buffers.Put(b)
}

type tooLargeError struct{ size, limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the body is %d bytes or more, over the %d-byte limit", e.size, e.limit)
}

// readBody reads at most limit bytes. A larger body is counted, not kept: its size
// comes from Content-Length (and then none of it is read), or from draining up to
// drainLimit more bytes.
func readBody(r *http.Request, limit int64, buf []byte) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &tooLargeError{size: r.ContentLength, limit: limit}
	}
	body, err := readAtMost(r.Body, r.ContentLength, limit+1, buf)
	if err != nil {
		return body, fmt.Errorf("read the body: %w", err)
	}
	if n := int64(len(body)); n > limit {
		rest, _ := io.Copy(io.Discard, io.LimitReader(r.Body, drainLimit))
		return nil, &tooLargeError{size: n + rest, limit: limit}
	}
	return body, nil
}

// readAtMost reads up to max bytes into buf, grown once to the Content-Length hint,
// so that a body of the announced size is read without growing it again.
func readAtMost(rd io.Reader, hint, max int64, buf []byte) ([]byte, error) {
	size := int64(512)
	if hint > 0 {
		size = hint + 1 // room to see the EOF (or a longer body) without growing
	}
	if size = min(size, max); int64(cap(buf)) < size {
		buf = make([]byte, 0, size)
	}
	for int64(len(buf)) < max {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := rd.Read(buf[len(buf):min(int64(cap(buf)), max)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// rejected logs one WARN record for a delivery that was not logged as an event.
func rejected(log *slog.Logger, r *http.Request, err error, body []byte) {
	attrs := []slog.Attr{slog.String("kind", rejectionKind(err)), slog.String("error", webhook.Bound(err.Error(), webhook.MaxLoggedString))}
	var tooLarge *tooLargeError
	if errors.As(err, &tooLarge) {
		attrs = append(attrs, slog.Int64("size", tooLarge.size), slog.Int64("limit", tooLarge.limit))
	} else {
		attrs = append(attrs, slog.Int("size", len(body)), slog.String("excerpt", excerpt(body)))
	}
	attrs = append(attrs, slog.String("content_type", webhook.Bound(r.Header.Get("Content-Type"), 256)))
	log.LogAttrs(r.Context(), slog.LevelWarn, MsgMalformed, attrs...)
}

// rejectionKind is the logged kind of a delivery that was not logged as an event.
func rejectionKind(err error) string {
	var de *webhook.Error
	var tooLarge *tooLargeError
	switch {
	case errors.As(err, &de):
		return de.Kind
	case errors.As(err, &tooLarge):
		return KindBodyTooLarge
	default:
		return KindReadError
	}
}

// excerpt is the start of a body, made valid UTF-8 so it logs as text.
func excerpt(body []byte) string {
	if len(body) > excerptBytes {
		body = body[:excerptBytes]
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}
