package pipedrive

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// Registration is a webhook to register: its subscription, its name, and the
// basic-auth credentials Pipedrive is to send (none when empty).
type Registration struct {
	Subscription
	Name   string
	UserID int64 // the user whose permissions events are checked against; 0 for the token's
	Auth   secrets.Credentials
}

// Validate checks r before any request.
func (r Registration) Validate() error {
	if err := r.Subscription.Validate(); err != nil {
		return err
	}
	if r.Name == "" || len(r.Name) > 255 {
		return errors.New("the webhook's name must be 1 to 255 characters")
	}
	return nil
}

func (r Registration) newWebhook() NewWebhook {
	return NewWebhook{
		SubscriptionURL: r.URL, EventAction: V2Action(r.EventAction), EventObject: r.EventObject,
		Name: r.Name, Version: r.version(), UserID: r.UserID,
		HTTPAuthUser: r.Auth.User, HTTPAuthPassword: r.Auth.Password,
	}
}

func (r Registration) version() string {
	if r.Version == "" {
		return webhook.V2
	}
	return r.Version
}

// RegisterOptions say what a registration replaces.
type RegisterOptions struct {
	// Rotate creates a new webhook even when a healthy one matches, then retires the
	// matching ones: how new basic-auth credentials reach Pipedrive, which cannot
	// update a webhook.
	Rotate bool
	// Exclusive retires every other webhook delivering this subscription to the URL
	// once this one exists, young ones included (a registration that is not
	// exclusive leaves a match younger than InFlight to the registration that may
	// be making it): the subscription is the stack's alone. Webhooks of the stack's
	// other subscriptions at the same URL are never touched.
	Exclusive bool
	// Retire lists more webhooks to delete once this one exists (say, one for a
	// previous URL). One already gone counts as deleted.
	Retire []int64
}

// Result is what a registration did.
type Result struct {
	ID      int64   `json:"id"`
	Created bool    `json:"created"`
	Deleted []int64 `json:"deleted,omitempty"`
}

// Register makes sure exactly one healthy webhook delivers reg and returns it.
//
// A matching webhook is reused when it is healthy (Webhook.Problem) and Rotate is
// not asked for; otherwise a new one is created, and only once it exists are the
// ones it replaces deleted, so Pipedrive never goes without a webhook. A create
// whose answer is lost (a timeout, a 5xx) is looked for, with backoff, for up to
// Settle before it is tried again, and whatever duplicate still appears is deleted:
// a stack never keeps two webhooks, each of which would deliver every event.
func (c *Client) Register(ctx context.Context, reg Registration, opts RegisterOptions) (Result, error) {
	if err := reg.Validate(); err != nil {
		return Result{}, err
	}
	c.redact.AddCredentials(reg.Auth)
	existing, err := c.ListWebhooks(ctx)
	if err != nil {
		return Result{}, blindError{err}
	}
	matches := Find(existing, reg.Matches)
	var res Result
	var mine int64 // the webhook this registration created, if any
	if keep := c.survivor(matches, reg.Auth.User, 0); keep != 0 && !opts.Rotate {
		res.ID = keep
		c.say("webhook %d already delivers %s", res.ID, reg.Subscription)
	} else {
		for _, m := range matches {
			if p := m.Problem(reg.Auth.User); p != "" {
				c.say("webhook %d matches but is %s: replacing it", m.ID, p)
			}
		}
		created, err := c.create(ctx, reg, existing)
		if err != nil {
			return Result{}, err
		}
		res, mine = Result{ID: created.ID, Created: true}, created.ID
		c.say("created webhook %d: %s", created.ID, reg.Subscription)
		// One more look: a create that landed late, after all, is a duplicate.
		if existing, err = c.ListWebhooks(ctx); err != nil {
			return res, fmt.Errorf("webhook %d is registered, but listing to check for duplicates failed: %w", res.ID, err)
		}
		if !opts.Rotate {
			res.ID = c.survivor(Find(existing, reg.Matches), reg.Auth.User, res.ID)
		}
	}
	retire := Find(existing, func(w *Webhook) bool {
		if w.ID == res.ID {
			return false
		}
		if slices.Contains(opts.Retire, w.ID) {
			return true
		}
		if !opts.Rotate && !opts.Exclusive && w.ID != mine && c.inFlight(w) && reg.Matches(w) && w.Problem(reg.Auth.User) == "" {
			c.say("webhook %d matches too, but is %s old: another registration (a rotation?) may be between its create and its deletes; leaving it to that one",
				w.ID, time.Since(w.added()).Round(time.Second))
			return false
		}
		return reg.Matches(w)
	})
	ids := make([]int64, 0, len(retire)+len(opts.Retire))
	for _, w := range retire {
		ids = append(ids, w.ID)
	}
	for _, id := range opts.Retire { // ids not listed: already gone, or the list lags
		if id != res.ID && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if err := c.Retire(ctx, id); err != nil {
			return res, fmt.Errorf("webhook %d is registered, but retiring webhook %d failed: %w", res.ID, id, err)
		}
		res.Deleted = append(res.Deleted, id)
	}
	return res, nil
}

// survivor is the webhook a registration that does not rotate keeps of the healthy
// matches (and created, the one it just created, 0 for none), or 0 when there is
// none. Registrations that race must agree on it, so that none deletes what
// another keeps:
//
//   - All settled (older than InFlight): the newest, the highest id. It was
//     registered last, so with the current credentials: what `register --rotate`
//     keeps, and what a rotation that died before its deletes left.
//   - Some in flight (younger than InFlight, or just created): the oldest of those.
//     A rotation between its create and its deletes keeps its own; a check that
//     created one at the same moment keeps the rotation's if it is older, and
//     never deletes it if it is newer (Register leaves young matches it did not
//     create), so the rotation's deletes remove the check's. Two checks that race
//     both keep the first one created.
func (c *Client) survivor(matches []Webhook, authUser string, created int64) int64 {
	var newest, oldestYoung int64
	if created != 0 {
		oldestYoung = created
	}
	for _, w := range matches {
		if w.Problem(authUser) != "" {
			continue
		}
		newest = max(newest, w.ID)
		if c.inFlight(&w) && (oldestYoung == 0 || w.ID < oldestYoung) {
			oldestYoung = w.ID
		}
	}
	return cmp.Or(oldestYoung, newest)
}

// inFlight reports whether w was added less than InFlight ago: a registration may
// still be between its create and its deletes.
func (c *Client) inFlight(w *Webhook) bool {
	added := w.added()
	return !added.IsZero() && time.Since(added) < c.InFlight
}

// create creates reg's webhook once. known are the webhooks listed before: a
// webhook found later that matches and is not among them is the create's own.
func (c *Client) create(ctx context.Context, reg Registration, known []Webhook) (Webhook, error) {
	created, err := c.CreateWebhook(ctx, reg.newWebhook())
	if err == nil || !mayHaveLanded(err) {
		return created, err
	}
	isNew := func(w *Webhook) bool {
		return reg.Matches(w) && !slices.ContainsFunc(known, func(k Webhook) bool { return k.ID == w.ID })
	}
	deadline := time.Now().Add(c.Settle)
	poll := cmp.Or(c.SettlePoll, time.Second)
	var listErr error // the last list's failure: nil once a list answered without it
	for n := 1; ; n++ {
		after, lerr := c.ListWebhooks(ctx)
		listErr = lerr
		if lerr == nil {
			if found := Find(after, isNew); len(found) > 0 {
				c.say("the create landed after all: webhook %d", found[0].ID)
				return found[0], nil
			}
		}
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		wait := min(poll<<(n-1), 8*poll, left)
		c.say("%v; the webhook may still appear: looking again in %s", err, wait.Round(100*time.Millisecond))
		select {
		case <-ctx.Done():
			return Webhook{}, fmt.Errorf("%w (after: %w)", ctx.Err(), err)
		case <-time.After(wait):
		}
	}
	if listErr != nil {
		// Creating again unseen would make a second webhook whenever the first did
		// land: only a list that answered, and showed it absent, allows another create.
		return Webhook{}, blindError{fmt.Errorf("the create's answer was lost (%w), and listing since fails (%w): "+
			"not creating the webhook again without seeing that the first is absent (it may exist; run again)", err, listErr)}
	}
	c.say("%v; not listed after %s: creating it again", err, c.Settle)
	created, err2 := c.CreateWebhook(ctx, reg.newWebhook())
	if err2 != nil {
		return Webhook{}, fmt.Errorf("creating the webhook failed twice; it may exist all the same (run again: registration is idempotent): %w", err2)
	}
	return created, nil
}

// ErrBlind is wrapped by a registration's error when it stopped because Pipedrive's
// list did not answer: it changed nothing it had not seen, and whether the webhook
// exists is unknown.
var ErrBlind = errors.New("the webhooks could not be listed")

type blindError struct{ err error }

func (e blindError) Error() string   { return e.err.Error() }
func (e blindError) Unwrap() []error { return []error{e.err, ErrBlind} }

// mayHaveLanded reports whether a failed create may have been served anyway: its
// answer was lost, or was an error from past the point where Pipedrive stores it.
func mayHaveLanded(err error) bool {
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Status >= 500 || apiErr.Status == http.StatusRequestTimeout
	case errors.Is(err, errRedirect), errors.Is(err, errRefused), errors.Is(err, context.Canceled):
		return false
	}
	return true // a network error, a timeout, an unusable answer
}

// Retire deletes a webhook; one already gone counts as deleted.
func (c *Client) Retire(ctx context.Context, id int64) error {
	err := c.DeleteWebhook(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		c.say("webhook %d was already deleted", id)
		return nil
	case err != nil:
		return err
	}
	c.say("deleted webhook %d", id)
	return nil
}

// DeleteWhere deletes every webhook for which match is true and returns their ids.
func (c *Client) DeleteWhere(ctx context.Context, match func(*Webhook) bool) ([]int64, error) {
	all, err := c.ListWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	var deleted []int64
	for _, w := range Find(all, match) {
		if err := c.Retire(ctx, w.ID); err != nil {
			return deleted, err
		}
		deleted = append(deleted, w.ID)
	}
	return deleted, nil
}

// Migrate replaces v1 webhook id with its v2 equivalent (same URL and event, the
// given name and credentials), deleting id only once the v2 one exists.
func (c *Client) Migrate(ctx context.Context, id int64, name string, auth secrets.Credentials) (Result, error) {
	all, err := c.ListWebhooks(ctx)
	if err != nil {
		return Result{}, err
	}
	found := Find(all, func(w *Webhook) bool { return w.ID == id })
	if len(found) == 0 {
		return Result{}, fmt.Errorf("webhook %d does not exist (already migrated?); 'list' shows the company's webhooks", id)
	}
	old := found[0]
	if old.Version == webhook.V2 {
		c.say("webhook %d is already v2: nothing to migrate", id)
		return Result{ID: id}, nil
	}
	reg := Registration{
		Subscription: Subscription{URL: old.SubscriptionURL, EventAction: V2Action(old.EventAction), EventObject: old.EventObject, Version: webhook.V2},
		Name:         name, UserID: old.UserID, Auth: auth,
	}
	if err := reg.Validate(); err != nil {
		return Result{}, fmt.Errorf("webhook %d cannot be migrated as it is: %w", id, err)
	}
	res, err := c.Register(ctx, reg, RegisterOptions{Retire: []int64{id}})
	if err != nil && res.ID == 0 {
		return res, fmt.Errorf("creating the v2 webhook failed; v1 webhook %d is untouched: %w", id, err)
	}
	if err != nil {
		return res, fmt.Errorf("v2 webhook %d exists, but v1 webhook %d may still deliver too: %w", res.ID, id, err)
	}
	c.say("migrated webhook %d (v1) to %d (v2)", id, res.ID)
	return res, nil
}

// Find returns the webhooks in ws that match.
func Find(ws []Webhook, match func(*Webhook) bool) []Webhook {
	var out []Webhook
	for i := range ws {
		if match(&ws[i]) {
			out = append(out, ws[i])
		}
	}
	return slices.Clip(out)
}
