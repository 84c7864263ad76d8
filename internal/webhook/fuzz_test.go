package webhook

import (
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

var kinds = []string{KindEmptyBody, KindInvalidUTF8, KindInvalidJSON, KindTruncatedJSON, KindNotAnObject,
	KindWrongType, KindMissingMeta, KindUnknownVersion}

// FuzzDecode checks that no body makes Decode panic, and that every answer is either
// a complete event or an *Error of a known kind.
func FuzzDecode(f *testing.F) {
	all, err := pipedrivetest.Fixtures()
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
