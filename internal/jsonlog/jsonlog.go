// Package jsonlog writes the records log/slog's JSON handler writes, byte for byte,
// with two differences. A Raw value, JSON text that has been validated already (a
// webhook body Decode accepted), is written into the record as it is, instead of
// being validated and compacted again by encoding/json. And the records of the
// kinds a webhook delivery logs (strings, numbers, booleans, groups of those, string
// lists, Raw) are written by this package itself, without slog's per-attribute
// bookkeeping (with a ReplaceAttr, which renaming the time takes, slog also encodes
// the level with encoding/json); any other record is written by slog's handler.
//
// Kept for local_rps_ratio (>= 0.6): with slog's own JSON handler (the time renamed
// by a ReplaceAttr, as Lambda needs) the local server reads 0.54-0.55 where this
// one reads 0.65-0.67, and the Lambda path costs 55% more CPU (make bench, 3 runs
// of 20 pairs, machine shared).
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
	"time"
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
// attributes in without re-encoding them. A record's attributes are written by
// appendAttr, in their order, when it can write them all; otherwise by slog's
// handler, the Raw ones then last.
type Handler struct {
	w     io.Writer
	mu    *sync.Mutex
	opts  *slog.HandlerOptions
	root  slog.Handler // slog's JSON handler, without attributes
	attrs []slog.Attr  // from WithAttrs: written first in every record
	// replaces is set when the caller's options have a ReplaceAttr, which every
	// attribute must then pass through: slog's handler writes them all.
	replaces bool
	lines    *sync.Pool // of *line, made with these options
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
	replaces := o.ReplaceAttr != nil
	o.ReplaceAttr = renameTime(o.ReplaceAttr)
	return &Handler{w: w, mu: new(sync.Mutex), opts: &o, root: slog.NewJSONHandler(w, &o), replaces: replaces,
		lines: new(sync.Pool)}
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
	buf  []byte
	json slog.Handler
}

// Write appends p: slog's handler writes each record with one call.
func (l *line) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	return len(p), nil
}

// Handle writes one record: one line, one Write.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if h.grouped != nil {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.grouped.Handle(ctx, r)
	}
	l := h.line()
	defer h.release(l)
	var ok bool
	if l.buf, ok = h.appendRecord(l.buf, r); !ok {
		// slog's handler writes the record, less its Raw attributes, appended last.
		l.buf = l.buf[:0]
		rest := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		rest.AddAttrs(h.attrs...)
		r.Attrs(func(a slog.Attr) bool {
			if !isRaw(a) {
				rest.AddAttrs(a)
			}
			return true
		})
		if err := l.json.Handle(ctx, rest); err != nil {
			return err
		}
		l.buf = l.buf[:len(l.buf)-len("}\n")]
		r.Attrs(func(a slog.Attr) bool {
			if isRaw(a) {
				l.buf = appendRaw(append(appendSlogString(append(l.buf, ','), a.Key), ':'), a.Value.Any().(Raw))
			}
			return true
		})
	}
	l.buf = append(l.buf, "}\n"...)
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(l.buf)
	return err
}

// appendRecord appends the record as slog's JSON handler writes it, but for the
// closing brace, when appendAttr can write every attribute, the logger's and the
// record's, and no option (a ReplaceAttr of the caller's, AddSource) or year
// outside 0-9999 asks for slog's handler.
func (h *Handler) appendRecord(b []byte, r slog.Record) ([]byte, bool) {
	if h.replaces || h.opts.AddSource {
		return b, false
	}
	b = append(b, '{')
	if !r.Time.IsZero() {
		t := r.Time
		if y := t.Year(); y < 0 || y >= 10000 {
			return b, false
		}
		b = append(b, `"`+TimeKey+`":"`...)
		b = append(t.AppendFormat(b, time.RFC3339Nano), `",`...) // no monotonic reading: slog drops it
	}
	b = appendSlogString(append(b, `"`+slog.LevelKey+`":`...), r.Level.String())
	b = appendSlogString(append(b, `,"`+slog.MessageKey+`":`...), r.Message)
	ok := true
	for _, a := range h.attrs {
		if b, ok = appendAttr(b, a, true, false); !ok {
			return b, false
		}
	}
	r.Attrs(func(a slog.Attr) bool {
		b, ok = appendAttr(b, a, true, true)
		return ok
	})
	return b, ok
}

func isRaw(a slog.Attr) bool {
	if a.Value.Kind() != slog.KindAny {
		return false
	}
	_, ok := a.Value.Any().(Raw)
	return ok
}

// appendRaw appends raw as it is, compacted when it spans lines (a record is one
// line). Text that is not JSON is appended as a JSON string: it was not Raw.
func appendRaw(b []byte, raw Raw) []byte {
	if bytes.IndexByte(raw, '\n') < 0 && bytes.IndexByte(raw, '\r') < 0 { // not ContainsAny: IndexByte is vectorised
		return append(b, raw...)
	}
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return appendSlogString(b, string(raw))
	}
	return buf.Bytes()
}

// line is a recycled buffer and handler (h.lines; one pool per NewHandler, as the
// handler in it has its options). Kept for local_rps_ratio: with a new line per
// record it reads 0.59-0.61 where the pool gives 0.65-0.67 (make bench, 3 runs of
// 20 pairs).
func (h *Handler) line() *line {
	if l, ok := h.lines.Get().(*line); ok {
		l.buf = l.buf[:0]
		return l
	}
	l := new(line)
	l.json = slog.NewJSONHandler(l, &slog.HandlerOptions{AddSource: h.opts.AddSource, ReplaceAttr: h.opts.ReplaceAttr})
	return l
}

func (h *Handler) release(l *line) {
	if cap(l.buf) <= 1<<20 {
		h.lines.Put(l)
	}
}
