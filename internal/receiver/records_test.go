package receiver

import (
	"bytes"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

var update = flag.Bool("update", false, "rewrite testdata/records from what the receiver logs")

// TestExpectedRecords checks the `webhook` group of the record the receiver writes,
// through the handler Lambda uses, for every fixture against its expected record in
// testdata/records. Run with -update after a deliberate change, and read
// the diff.
func TestExpectedRecords(t *testing.T) {
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		t.Run(f.Name, func(t *testing.T) {
			logs := &logtest.Buffer{}
			h := New(slog.New(jsonlog.NewHandler(logs, nil)), Config{Credentials: static})
			assertReceived(t, (&harness{handler: h}).do(post(bytes.NewReader(f.Body))))
			got, err := json.MarshalIndent(logs.Records(t)[0]["webhook"], "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			file := filepath.Join("testdata", "records", f.Name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("no expected record (run go test ./internal/receiver -run TestExpectedRecords -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("record differs from %s:\n got %s\nwant %s", file, got, want)
			}
		})
	}
}
