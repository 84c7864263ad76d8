// Package jsonlog is log/slog's JSON handler with one addition: a Raw value, JSON
// text that has been validated already (a webhook body Decode accepted), is written
// into the record as it is, instead of being validated and compacted again by
// encoding/json. That second pass over every payload was most of what the receiver
// spent on a delivery beyond decoding it.
//
// Kept for local_rps_ratio (>= 0.6, 0.51 today): slog's own JSON handler instead
// costs the Lambda path 14% more CPU and the local server 5.6% of its answers per
// CPU-second (make bench, 30 pairs), which takes the ratio to about 0.48.
package jsonlog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
)

// TimeKey is the key of a record's time: "timestamp", the key AWS Lambda's JSON log
// format documents, not slog's "time". With log_format = "JSON" and an
// application_log_level, Lambda filters a record by its "level" only when it finds
// a valid RFC 3339 time under a key it recognises; otherwise it files the record as
// INFO, which a WARN or ERROR filter drops.
const TimeKey = "timestamp"

// Raw is JSON text known to be valid. Logged through a Handler, it is written as
// it is (compacted first only when it spans lines); through any other handler it
// marshals as a json.RawMessage.
type Raw []byte

// MarshalJSON returns the text itself.
func (r Raw) MarshalJSON() ([]byte, error) { return json.RawMessage(r).MarshalJSON() }

// Handler writes the JSON records slog.JSONHandler writes, splicing top-level Raw
// attributes in without re-encoding them; they come last in the record.
type Handler struct {
	w     io.Writer
	mu    *sync.Mutex
	opts  *slog.HandlerOptions
	root  slog.Handler // slog's JSON handler, without attributes
	attrs []slog.Attr  // from WithAttrs: written first in every record
	// grouped is slog's handler with every WithAttrs and WithGroup applied, once
	// WithGroup has been called; Raw values then take the ordinary path.
	grouped slog.Handler
}

// NewHandler returns a Handler writing to w; opts as for slog.NewJSONHandler. The
// record's time is written under TimeKey (opts.ReplaceAttr sees it there).
func NewHandler(w io.Writer, opts *slog.HandlerOptions) *Handler {
	o := slog.HandlerOptions{}
	if opts != nil {
		o = *opts
	}
	o.ReplaceAttr = renameTime(o.ReplaceAttr)
	return &Handler{w: w, mu: new(sync.Mutex), opts: &o, root: slog.NewJSONHandler(w, &o)}
}

// renameTime returns a ReplaceAttr that writes the record's built-in time under
// TimeKey, then applies next.
func renameTime(next func([]string, slog.Attr) slog.Attr) func([]string, slog.Attr) slog.Attr {
	return func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
			a.Key = TimeKey
		}
		if next != nil {
			return next(groups, a)
		}
		return a
	}
}

// NewLogger returns a logger writing JSON records to w from level (debug, info,
// warn or error, any case; "" for info): what a program's LOG_LEVEL says.
func NewLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if level != "" {
		if err := l.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", level)
		}
	}
	return slog.New(NewHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// Enabled reports whether level is logged.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.root.Enabled(ctx, level)
}

// WithAttrs returns a Handler that adds attrs to every record. They are kept as
// they are, not formatted ahead as slog's handler does: a logger made per request
// then costs one small copy.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	if h.grouped != nil {
		c.grouped = h.grouped.WithAttrs(attrs)
	} else {
		c.attrs = append(slices.Clip(h.attrs), attrs...)
	}
	return &c
}

// WithGroup returns a Handler that nests later attributes in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	if h.grouped != nil {
		c.grouped = h.grouped.WithGroup(name)
	} else {
		c.grouped = h.root.WithAttrs(h.attrs).WithGroup(name)
	}
	return &c
}

// line is a reusable buffer with a JSON handler that writes into it.
type line struct {
	buf  bytes.Buffer
	json slog.Handler
}

// Handle writes one record: one line, one Write.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if h.grouped != nil {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.grouped.Handle(ctx, r)
	}
	raws := 0
	r.Attrs(func(a slog.Attr) bool {
		if isRaw(a) {
			raws++
		}
		return true
	})
	if raws == 0 && len(h.attrs) == 0 {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.root.Handle(ctx, r)
	}
	// The handler's own attributes come first, as slog writes them; then the
	// record's, less the Raw ones, which are appended as they are.
	rest := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	rest.AddAttrs(h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		if !isRaw(a) {
			rest.AddAttrs(a)
		}
		return true
	})
	l := h.line()
	defer h.release(l)
	if err := l.json.Handle(ctx, rest); err != nil {
		return err
	}
	if raws == 0 {
		l.buf.Truncate(l.buf.Len() - 1) // the newline, put back below
	} else {
		l.buf.Truncate(l.buf.Len() - len("}\n"))
	}
	var err error
	r.Attrs(func(a slog.Attr) bool {
		if isRaw(a) {
			err = appendRaw(&l.buf, a.Key, a.Value.Any().(Raw))
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	if raws == 0 {
		l.buf.WriteByte('\n')
	} else {
		l.buf.WriteString("}\n")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err = h.w.Write(l.buf.Bytes())
	return err
}

func isRaw(a slog.Attr) bool {
	if a.Value.Kind() != slog.KindAny {
		return false
	}
	_, ok := a.Value.Any().(Raw)
	return ok
}

func appendRaw(buf *bytes.Buffer, key string, raw Raw) error {
	k, err := json.Marshal(key)
	if err != nil {
		return err
	}
	buf.WriteByte(',')
	buf.Write(k)
	buf.WriteByte(':')
	if bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 { // not ContainsAny: IndexByte is vectorised
		return json.Compact(buf, raw) // the record is one line
	}
	buf.Write(raw)
	return nil
}

// lines recycles a record's buffer and handler: 6 allocations and 3 KB a record.
// Kept for local_rps_ratio, as the receiver's body buffers' pool is (its comment in
// internal/receiver/webhook.go says the figure).
var lines sync.Pool

func (h *Handler) line() *line {
	if l, ok := lines.Get().(*line); ok && l.json != nil {
		l.buf.Reset()
		return l
	}
	l := new(line)
	l.json = slog.NewJSONHandler(&l.buf, &slog.HandlerOptions{AddSource: h.opts.AddSource, ReplaceAttr: h.opts.ReplaceAttr})
	return l
}

func (h *Handler) release(l *line) {
	if l.buf.Cap() <= 1<<20 {
		lines.Put(l)
	}
}
