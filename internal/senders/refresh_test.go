package senders

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

// memStore is a Store in memory, with failures on demand.
type memStore struct {
	list            List
	loadErr, putErr error
	saves           int
}

func (m *memStore) Load(context.Context) (List, error) { return m.list, m.loadErr }
func (m *memStore) Save(_ context.Context, l List) error {
	if m.putErr != nil {
		return m.putErr
	}
	m.list = l
	m.saves++
	return nil
}

// publisher is a stand-in for Pipedrive's published file.
func publisher(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("method %s", r.Method)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRefresh(t *testing.T) {
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	four := prefixes(t, "185.29.244.0/22", "192.0.2.0/24", "198.51.100.0/24", "2a03:6b40::/32")
	good := List{Prefixes: four, Checked: now.Add(-7 * time.Hour)}
	fourText := "185.29.244.0/22\n192.0.2.0/24\n198.51.100.0/24\n2a03:6b40::/32\n"
	tests := []struct {
		name       string
		stored     List
		status     int
		body       string
		putErr     error
		want       Status
		wantSaved  bool
		wantStale  bool
		wantErr    string
		wantRanges int
	}{
		{"first list", List{}, 200, fourText, nil, Refreshed, true, false, "", 4},
		{"the same list: its age starts again", good, 200, fourText, nil, Unchanged, true, false, "", 4},
		{"a new range", good, 200, fourText + "203.0.113.0/24\n", nil, Refreshed, true, false, "", 5},
		{"confirmed recently: nothing downloaded", List{Prefixes: four, Checked: now.Add(-time.Hour)}, 500, "", nil, Fresh, false, false, "", 4},
		{"a 503 keeps the last good list", good, 503, "<html>\n<body>\nService Unavailable\n</body></html>", nil, Failed, false, false, "503", 4},
		{"an HTML page with 200 is rejected", good, 200, "<html>\n<body>moved</body>\n</html>", nil, Rejected, false, false, "not an IP range", 4},
		{"an empty file is rejected", good, 200, "", nil, Rejected, false, false, "no IP range", 4},
		{"shrunk by more than half is rejected", good, 200, "192.0.2.0/24\n", nil, Rejected, false, false, "shrunk", 4},
		{"truncated JSON is rejected", good, 200, `{"prefixes":["192.0.2.0/24",`, nil, Rejected, false, false, "not JSON", 4},
		{"a store that fails keeps the last good list", good, 200, fourText, errors.New("AccessDenied"), Failed, false, false, "AccessDenied", 4},
		{"a week-old list that cannot be refreshed is stale", List{Prefixes: four, Checked: now.Add(-8 * 24 * time.Hour)}, 500, "", nil, Failed, false, true, "500", 4},
		{"no list and no download is stale", List{}, 500, "", nil, Failed, false, true, "500", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := publisher(t, tt.status, tt.body)
			store := &memStore{list: tt.stored, putErr: tt.putErr}
			res := Refresh(context.Background(), srv.Client(), srv.URL, store, now)
			if res.Status != tt.want || res.Stale != tt.wantStale || res.Prefixes != tt.wantRanges {
				t.Errorf("Refresh() = %+v; want status %s, stale %v, %d ranges", res, tt.want, tt.wantStale, tt.wantRanges)
			}
			if (store.saves > 0) != tt.wantSaved {
				t.Errorf("saved %d times, want saved %v", store.saves, tt.wantSaved)
			}
			if tt.wantErr == "" && res.Err != nil || tt.wantErr != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tt.wantErr)) {
				t.Errorf("Err = %v, want %q", res.Err, tt.wantErr)
			}
			if res.Err != nil && strings.Contains(res.Err.Error(), "\n") {
				t.Errorf("error spans lines: %q", res.Err)
			}
			if !tt.wantSaved && !slices.Equal(store.list.Prefixes, tt.stored.Prefixes) {
				t.Errorf("the stored list changed: %v", store.list.Prefixes)
			}
			if tt.wantSaved && (!store.list.Checked.Equal(now) || store.list.Source != srv.URL) {
				t.Errorf("stored %+v, want checked now from %s", store.list, srv.URL)
			}
		})
	}
}

func TestRefreshGivesUpWithItsContext(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	defer srv.Close()
	defer close(hang)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := Refresh(ctx, srv.Client(), srv.URL, &memStore{}, time.Now())
	if res.Status != Failed || time.Since(start) > 5*time.Second {
		t.Errorf("Refresh() = %+v after %s", res, time.Since(start))
	}
}

func TestRefreshRefusesAHugeFile(t *testing.T) {
	srv := publisher(t, 200, strings.Repeat("192.0.2.0/24\n", maxDownload/13+2))
	res := Refresh(context.Background(), srv.Client(), srv.URL, &memStore{}, time.Now())
	if res.Status != Failed || !strings.Contains(res.Err.Error(), "more than") {
		t.Errorf("Refresh() = %+v", res)
	}
}

// TestParameterStore runs the real SDK client against the SSM stand-in: a missing
// parameter reads as no list, a saved list reads back.
func TestParameterStore(t *testing.T) {
	srv := ssmtest.NewServer(nil)
	defer srv.Close()
	client := ssm.New(ssm.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret", ""),
	})
	store := ParameterStore{Client: client, Name: "/pdw-test/sender-ranges"}
	l, err := store.Load(context.Background())
	if err != nil || len(l.Prefixes) != 0 {
		t.Fatalf("Load of a missing parameter = %+v, %v", l, err)
	}
	want := List{Prefixes: prefixes(t, "192.0.2.0/24"), Source: "test", Checked: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if err := store.Save(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if err := store.Save(context.Background(), want); err != nil {
		t.Fatalf("a second save must overwrite: %v", err)
	}
	got, err := store.Load(context.Background())
	if err != nil || !slices.Equal(got.Prefixes, want.Prefixes) || !got.Checked.Equal(want.Checked) {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	srv.Fail(true)
	if _, err := store.Load(context.Background()); err == nil || !strings.Contains(err.Error(), "/pdw-test/sender-ranges") {
		t.Errorf("a failing SSM: %v, want an error naming the parameter", err)
	}
	if p := srv.Problems(); len(p) > 0 {
		t.Errorf("requests the stand-in found wrong: %v", p)
	}
}
