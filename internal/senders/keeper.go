package senders

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

// MsgSenderRanges is the message of the record each refresh writes; metric filters
// count its stale and status fields.
const MsgSenderRanges = "sender ranges"

// Keeper keeps the stored list fresh: the watchdog runs it once per invocation.
type Keeper struct {
	URL    string
	Client *http.Client
	Logger *slog.Logger
	Now    func() time.Time

	store    func() (Store, error) // set up on first use, off the cold start
	mu       sync.Mutex
	resolved Store
}

// KeeperFromEnv is the Keeper that SENDER_RANGES_PARAMETER and SENDER_RANGES_URL
// describe (the AWS SDK's own variables reach SSM), or nil when the stack keeps no
// ranges.
func KeeperFromEnv(getenv func(string) string, logger *slog.Logger) *Keeper {
	name := getenv("SENDER_RANGES_PARAMETER")
	if name == "" {
		return nil
	}
	return &Keeper{
		URL:    cmp.Or(getenv("SENDER_RANGES_URL"), DefaultURL),
		Client: &http.Client{Timeout: 10 * time.Second},
		Logger: logger,
		store: func() (Store, error) {
			c, err := secrets.NewSSMClient(getenv)
			if err != nil {
				return nil, fmt.Errorf("set up the SSM client: %w", err)
			}
			return ParameterStore{Client: c, Name: name}, nil
		},
	}
}

// NewKeeper keeps the list in store.
func NewKeeper(store Store, url string, client *http.Client, logger *slog.Logger) *Keeper {
	return &Keeper{URL: url, Client: client, Logger: logger, store: func() (Store, error) { return store, nil }}
}

// Run refreshes the list if it is due and writes one record saying what it found:
// INFO when the list is fresh, WARN when a refresh failed or was refused (the last
// good list stays), ERROR when the list in force is stale.
func (k *Keeper) Run(ctx context.Context) Result {
	now := time.Now()
	if k.Now != nil {
		now = k.Now()
	}
	var res Result
	if store, err := k.resolve(); err != nil {
		res = Result{Status: Failed, Err: err, Stale: true}
	} else {
		res = Refresh(ctx, k.Client, k.URL, store, now)
	}
	level := slog.LevelInfo
	switch {
	case res.Stale:
		level = slog.LevelError
	case res.Err != nil:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("status", string(res.Status)),
		slog.Int("prefixes", res.Prefixes),
		slog.Bool("stale", res.Stale),
	}
	if !res.Checked.IsZero() {
		attrs = append(attrs, slog.Time("checked", res.Checked), slog.Float64("age_hours", float64(now.Sub(res.Checked).Round(time.Minute))/float64(time.Hour)))
	}
	if res.Err != nil {
		attrs = append(attrs, slog.String("error", res.Err.Error()))
	}
	k.Logger.LogAttrs(ctx, level, MsgSenderRanges, attrs...)
	return res
}

func (k *Keeper) resolve() (Store, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.resolved == nil {
		s, err := k.store()
		if err != nil {
			return nil, err
		}
		k.resolved = s
	}
	return k.resolved, nil
}
