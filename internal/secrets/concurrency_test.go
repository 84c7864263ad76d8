package secrets

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

// TestCredentialCacheUnderConcurrentRotation drives one ParameterCredentials the
// way a Lambda instance serving concurrent requests does — Credentials, Verify
// (with its Refresh and the rotation grace's Previous), Value — from many
// goroutines while the parameter rotates. Every other test calls the cache from one
// goroutine, so removing the mutex around it left `go test -race` green. Tried:
// deleting the Lock/Unlock pairs of Parameter.Value, Refresh and Previous; with
// -race this test then fails ("race detected during execution of test").
func TestCredentialCacheUnderConcurrentRotation(t *testing.T) {
	const (
		name      = "/app/auth"
		rotations = 20
		workers   = 8
	)
	srv := ssmtest.NewServer(map[string]string{name: "pipedrive:pw-0"})
	defer srv.Close()
	src := &ParameterCredentials{
		Parameter:  &Parameter{Client: newTestClient(t, srv), Name: name, TTL: time.Millisecond, Timeout: 5 * time.Second},
		Grace:      time.Hour,
		MinRefresh: time.Nanosecond, // every mismatch re-reads: as many concurrent refreshes as possible
	}
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, workers*4)
	done := make(chan struct{})
	wg.Add(1)
	go func() { // the rotation
		defer wg.Done()
		defer close(done)
		for i := 1; i <= rotations; i++ {
			srv.Set(name, fmt.Sprintf("pipedrive:pw-%d", i))
			time.Sleep(2 * time.Millisecond)
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				switch (w + i) % 4 {
				case 0:
					if _, err := src.Credentials(ctx); err != nil {
						errs <- fmt.Errorf("Credentials: %w", err)
						return
					}
				case 1:
					// A password never set is refused whatever the cache holds.
					if ok, err := src.Verify(ctx, "pipedrive", "never-set"); ok || err != nil {
						errs <- fmt.Errorf("Verify(never-set) = %v, %w", ok, err)
						return
					}
				case 2:
					// Any rotated-out or current password: accepted or not depending on
					// the moment, but never an error.
					if _, err := src.Verify(ctx, "pipedrive", fmt.Sprintf("pw-%d", i%rotations)); err != nil {
						errs <- fmt.Errorf("Verify: %w", err)
						return
					}
				case 3:
					src.Refresh(ctx, time.Nanosecond)
					src.Previous(ctx, time.Hour)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Once the rotations stop, the last password and, within the grace, the one
	// before it are accepted; older ones are not.
	for _, tt := range []struct {
		password string
		want     bool
	}{
		{fmt.Sprintf("pw-%d", rotations), true},
		{fmt.Sprintf("pw-%d", rotations-1), true},
		{fmt.Sprintf("pw-%d", rotations-2), false},
		{"pw-0", false},
	} {
		if ok, err := src.Verify(ctx, "pipedrive", tt.password); ok != tt.want || err != nil {
			t.Errorf("after the rotations: Verify(%s) = %v, %v; want %v", tt.password, ok, err, tt.want)
		}
	}
	if p := srv.Problems(); len(p) > 0 {
		t.Errorf("requests a real SSM would not accept: %v", p)
	}
}
