package pipedrive

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/fixtures"
)

var kinds = []string{KindEmptyBody, KindInvalidUTF8, KindInvalidJSON, KindTruncatedJSON, KindNotAnObject,
	KindWrongType, KindMissingMeta, KindUnknownVersion}

// FuzzDecode checks that no body makes Decode panic, and that every answer is either
// a complete event or an *Error of a known kind.
func FuzzDecode(f *testing.F) {
	all, err := fixtures.Load(fixtures.Dir())
	if err != nil {
		f.Fatal(err)
	}
	for _, fx := range all {
		f.Add(fx.Body)
	}
	for _, s := range []string{"", "{}", `{"meta":null}`, `{"meta":{"version":"2.0"}}`, `{"v":1,"meta":{},"current":[{"id":1}]}`, "[", "\xff"} {
		f.Add([]byte(s))
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := Decode(body)
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || !slices.Contains(kinds, de.Kind) || e != nil {
				t.Fatalf("Decode(%q) = %v, %v", body, e, err)
			}
			return
		}
		if (e.Version != V1 && e.Version != V2) || e.Attempt < 1 || len(e.DedupKey) != 32 {
			t.Fatalf("Decode(%q) = incomplete %+v", body, e)
		}
		log.Info("pipedrive webhook", "webhook", e)
	})
}

// FuzzFastPathAgrees checks that the single-pass decoder of common v2 payloads gives
// exactly what the general decoder gives, whenever it takes a payload at all.
func FuzzFastPathAgrees(f *testing.F) {
	all, err := fixtures.Load(fixtures.Dir())
	if err != nil {
		f.Fatal(err)
	}
	for _, fx := range all {
		f.Add(fx.Body)
	}
	f.Add([]byte(`{"meta":{"version":"2.0","action":"change","entity":"deal"},"previous":{"a\u0062":1,"x":[{"}":"]"}],"y":"\"{"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) || !json.Valid(body) {
			return // Decode refuses it, or takes the general path, before the fast one
		}
		fast, ok := decodeFast(body)
		if !ok {
			return
		}
		general, err := decodeGeneral(body)
		if err != nil {
			t.Fatalf("fast path took %q, general path refused it: %v", body, err)
		}
		if !reflect.DeepEqual(fast, general) {
			t.Fatalf("%q:\nfast    %+v\ngeneral %+v", body, fast, general)
		}
	})
}
