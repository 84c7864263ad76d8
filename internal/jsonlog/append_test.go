package jsonlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// lazy is a LogValuer, as a webhook event is.
type lazy struct{ attrs []slog.Attr }

func (l lazy) LogValue() slog.Value { return slog.GroupValue(l.attrs...) }

// lister is an AttrLister; listed counts the attributes its LogAttrs yielded.
type lister struct {
	attrs  []slog.Attr
	listed *int
}

func (l lister) LogValue() slog.Value { return slog.GroupValue(l.attrs...) }

func (l lister) LogAttrs(yield func(slog.Attr) bool) {
	for _, a := range l.attrs {
		*l.listed++
		if !yield(a) {
			return
		}
	}
}

// An AttrLister's group is written as slog writes the group its LogValue returns,
// and what the Handler leaves to slog stops the listing there.
func TestListedAsSlogWritesTheGroup(t *testing.T) {
	listed := 0
	list := func(attrs ...slog.Attr) slog.Value { return slog.AnyValue(lister{attrs, &listed}) }
	sameBytes(t, slog.Attr{Key: "webhook", Value: list(slog.String("entity", "deal"), slog.Int("n", 2),
		slog.Attr{Key: "inner", Value: list(slog.Bool("b", true))}, slog.Any("l", []string{"a"}))}, slog.Any("payload", Raw(`{}`)))
	if listed != 5 {
		t.Errorf("%d attributes listed, want 5", listed)
	}
	sameBytes(t, slog.Attr{Key: "empty", Value: list()}, slog.Int("after", 1))
	listed = 0
	sameBytes(t, slog.Attr{Key: "stops", Value: list(slog.String("a", "b"), slog.Time("t", time.Unix(0, 0)), slog.String("never", "listed"))})
	if listed != 2 {
		t.Errorf("%d attributes listed, want 2: the listing goes on after an attribute left to slog", listed)
	}
}

// odd holds strings at every escape slog and encoding/json know of.
var odd = []string{"", "plain", `"quoted" \back\slash`, "<b>&amp;</b>", "tab\tnew\nline\rret", "\b\f\x00\x1f\x7f",
	"\u2028 \u2029", "caf\u00e9 \U0001F600", "bad \xff\xfe utf-8", "\xe2\x80", "é"}

// sameBytes logs r's attributes through the Handler and through slog's JSON
// handler (the time renamed as the Handler renames it), with one attribute from
// the logger, and wants the same bytes.
func sameBytes(t *testing.T, attrs ...slog.Attr) {
	t.Helper()
	at := time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC)
	sameRecord(t, nil, []slog.Attr{slog.String("request_id", "r-1")}, slog.NewRecord(at, slog.LevelWarn, "a \"message\"", 0), attrs...)
}

// sameRecord logs r, with attrs, through a Handler with opts and the logger's
// attributes mine, and through slog's JSON handler set up alike, and wants the
// same bytes.
func sameRecord(t *testing.T, opts *slog.HandlerOptions, mine []slog.Attr, r slog.Record, attrs ...slog.Attr) {
	t.Helper()
	var theirOpts slog.HandlerOptions
	if opts != nil {
		theirOpts = *opts
	}
	theirOpts.ReplaceAttr = renameTime(theirOpts.ReplaceAttr)
	var ours, theirs bytes.Buffer
	r.AddAttrs(attrs...)
	for _, h := range []slog.Handler{NewHandler(&ours, opts), slog.NewJSONHandler(&theirs, &theirOpts)} {
		if len(mine) > 0 {
			h = h.WithAttrs(mine)
		}
		if err := h.Handle(context.Background(), r.Clone()); err != nil {
			t.Fatal(err)
		}
	}
	if ours.String() != theirs.String() {
		t.Errorf("attrs %v:\n ours   %s theirs %s", attrs, ours.String(), theirs.String())
	}
}

// The built-in fields the Handler writes itself, at every level, with and without
// a time, and the options and times it leaves to slog.
func TestSameBuiltInsAsSlog(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 5, time.FixedZone("x", 3600))
	for _, level := range []slog.Level{slog.LevelDebug - 3, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn + 2, slog.LevelError, slog.LevelError + 100} {
		sameRecord(t, &slog.HandlerOptions{Level: slog.LevelDebug - 10}, nil, slog.NewRecord(at, level, "m", 0), slog.Int("a", 1))
	}
	sameRecord(t, nil, nil, slog.NewRecord(time.Time{}, slog.LevelInfo, "no time", 0))
	sameRecord(t, nil, nil, slog.NewRecord(time.Now(), slog.LevelInfo, "a monotonic reading", 0))
	for _, y := range []int{-1, 0, 9999, 10000} {
		sameRecord(t, nil, nil, slog.NewRecord(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), slog.LevelInfo, "year", 0))
	}
	sameRecord(t, nil, []slog.Attr{slog.String("a", "1"), slog.Group("g", slog.Int("b", 2)), slog.Any("raw", Raw(`{"x": 1}`))},
		slog.NewRecord(at, slog.LevelInfo, "the logger's attributes", 0), slog.String("c", "3"))
	var pcs [1]uintptr
	runtime.Callers(1, pcs[:])
	sameRecord(t, &slog.HandlerOptions{AddSource: true}, nil, slog.NewRecord(at, slog.LevelInfo, "source", pcs[0]))
	upper := func(_ []string, a slog.Attr) slog.Attr { a.Key = strings.ToUpper(a.Key); return a }
	sameRecord(t, &slog.HandlerOptions{ReplaceAttr: upper}, []slog.Attr{slog.String("a", "1")},
		slog.NewRecord(at, slog.LevelInfo, "replaced", 0), slog.String("b", "2"))
}

// The attributes the Handler writes itself come out byte for byte as slog's own
// JSON handler writes them; those it leaves to slog too.
func TestSameBytesAsSlog(t *testing.T) {
	for _, s := range odd {
		sameBytes(t, slog.String(s+"k", s), slog.Any("list", []string{s, "x", s}))
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1.5, 100, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 123456789e15, -1e300, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		sameBytes(t, slog.Float64("value", f))
	}
	sameBytes(t, slog.Int64("i", math.MinInt64), slog.Uint64("u", math.MaxUint64), slog.Bool("b", true), slog.Bool("f", false),
		slog.Duration("d", -3*time.Second), slog.Int("n", 0))
	sameBytes(t, slog.Any("webhook", lazy{[]slog.Attr{slog.String("entity", "deal"), slog.Group("g", slog.Int("a", 1),
		slog.Group("h", slog.String("b", "c"))), slog.Any("changed", []string(nil)), slog.Any("empty", []string{})}}),
		slog.Any("payload_omitted", lazy{[]slog.Attr{slog.String("x", "y")}}))
	sameBytes(t) // no attributes of the record's own
	// Left to slog: an empty key, an empty group (from a LogValuer: AddAttrs drops the others), a time, an error, NaN, Source, a
	// Raw inside a group, a map, an inline group.
	sameBytes(t, slog.String("a", "b"), slog.String("", "gone"))
	sameBytes(t, slog.Time("time", time.Unix(1, 0).UTC()))
	sameBytes(t, slog.Any("error", errors.New("boom")))
	sameBytes(t, slog.Float64("nan", math.NaN()), slog.Float64("inf", math.Inf(-1)))
	sameBytes(t, slog.Any("source", &slog.Source{Function: "f", File: "x.go", Line: 3}))
	sameBytes(t, slog.Group("g", slog.Any("payload", Raw(`{"a":1}`))))
	sameBytes(t, slog.Any("map", map[string]int{"a": 1}))
	sameBytes(t, slog.Group("", slog.String("inline", "yes")))
	sameBytes(t, slog.Any("empty", lazy{}), slog.Int("after", 1))
}

// FuzzSameBytesAsSlog holds the Handler's own JSON writing to slog's on any
// strings, numbers and lists.
func FuzzSameBytesAsSlog(f *testing.F) {
	for i, s := range odd {
		f.Add(s, odd[len(odd)-1-i], int64(i)-5, float64(i)*1.7e-7)
	}
	f.Fuzz(func(t *testing.T, key, s string, n int64, x float64) {
		sameBytes(t, slog.String(key, s), slog.Group("g", slog.Int64(s, n), slog.Float64("x", x),
			slog.Any(key, lazy{[]slog.Attr{slog.Any("l", strings.Split(s, ","))}})))
	})
}

// A Raw that spans lines is compacted; one that then turns out not to be JSON is
// written as a string, and the record is still one JSON line (it used to be lost).
func TestRawThatIsNoJSONStaysOneLine(t *testing.T) {
	var out bytes.Buffer
	slog.New(NewHandler(&out, nil)).Info("m", "payload", Raw("{\"a\":\n1"))
	var rec map[string]any
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil || strings.Count(out.String(), "\n") != 1 || rec["payload"] != "{\"a\":\n1" {
		t.Errorf("record %q: %v", out.String(), err)
	}
}
