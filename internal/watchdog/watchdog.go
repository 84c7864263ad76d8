// Package watchdog keeps a stack's Pipedrive webhooks alive, one per subscription.
// Pipedrive bans a webhook whose deliveries fail and deletes one that has failed
// for days; a check lists the company's webhooks once, finds each subscription's
// by its URL, event and version, reports its health, and registers it again, with
// the registration tool's own code, when it is gone.
package watchdog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

// MsgCheck is the message of the record a check writes for each subscription; the
// watchdog's metric filters and alarms select records by it.
const MsgCheck = "webhook check"

// A check's status, as logged (the `status` of the record, and the dimension of the
// WatchdogChecks metric).
const (
	// StatusHealthy: a webhook delivers the subscription, and Pipedrive has nothing
	// against it.
	StatusHealthy = "healthy"
	// StatusReRegistered: no webhook delivered the subscription (Pipedrive, or a
	// person, deleted it); the check registered it again.
	StatusReRegistered = "reregistered"
	// StatusUnhealthy: the webhook exists but is inactive (banned) or failing, or it
	// is gone and could not be registered again. A person should look: registering
	// again would not fix a receiver that fails.
	StatusUnhealthy = "unhealthy"
	// StatusUnknown: the check could not look (the token or credentials could not be
	// read, or Pipedrive did not answer). Nothing was changed.
	StatusUnknown = "unknown"
	// StatusPaused: an operator paused the watchdog (its pause parameter holds a
	// time still to come), or the stack is being destroyed (the parameter is gone).
	// Nothing was changed.
	StatusPaused = "paused"
)

// MaxPause is the longest a pause lasts after its parameter was written: a
// forgotten pause, or one set for next year, ends by itself.
const MaxPause = 24 * time.Hour

// Config says what a check looks after and how it reaches it.
type Config struct {
	// Registrations are the stack's webhooks, one per subscription, as the
	// registration tool registers them (registration.Stack's Registrations). Their
	// Auth is ignored: Credentials are read on every check.
	Registrations []pipedrive.Registration
	// Token reads the Pipedrive API token.
	Token func(context.Context) (string, error)
	// Credentials reads the basic-auth credentials the webhook is registered with.
	Credentials func(context.Context) (secrets.Credentials, error)
	// Pause, when set, reads the pause parameter: its value and when it was
	// written. A value that is an RFC 3339 time still to come pauses the watchdog
	// until then (at most MaxPause after it was written); "off", an empty value or
	// a past time does not. An error for which secrets.IsNotFound is true means the
	// parameter is gone: Terraform deletes it before a destroy deletes the webhook,
	// so a check still running then registers nothing.
	Pause   func(context.Context) (value string, modified time.Time, err error)
	APIURL  string        // the webhooks API's base URL; "" for Pipedrive's
	Timeout time.Duration // per request to Pipedrive; 0 for 10 s
	Settle  time.Duration // how long a lost create is looked for; 0 for 20 s
	// Backoff, when set, replaces the client's wait before a retry (tests).
	Backoff func(n int) time.Duration
	// Margin is how long before the context's deadline (a Lambda invocation's end)
	// the check gives up, so that its record is always written; 0 for 5 s, and at
	// most a quarter of the time there is.
	Margin time.Duration
	Logger *slog.Logger
}

// Report is what one check found and did for one subscription.
type Report struct {
	Status       string  `json:"status"`
	Problem      string  `json:"problem,omitempty"` // why it is not healthy, or what was wrong before a repair
	Webhook      *Seen   `json:"webhook,omitempty"` // the subscription's webhook, as found or created
	Deleted      []int64 `json:"deleted,omitempty"` // webhooks deleted: duplicates, ones Pipedrive removed (logged at WARN)
	Error        string  `json:"error,omitempty"`   // one line, secrets redacted
	Subscription string  `json:"subscription"`      // which: "*.deal (v2.0) to https://…"
	Pause        string  `json:"pause,omitempty"`   // why the check is paused, or what is wrong with the pause parameter
}

// Seen is the stack's webhook as Pipedrive lists it.
type Seen struct {
	ID               int64  `json:"id"`
	Active           bool   `json:"active"`
	LastDeliveryTime string `json:"last_delivery_time,omitempty"`
	LastHTTPStatus   int    `json:"last_http_status,omitempty"`
}

func seen(w *pipedrive.Webhook) *Seen {
	s := &Seen{ID: w.ID, Active: w.Active()}
	if w.LastDeliveryTime != nil {
		s.LastDeliveryTime = *w.LastDeliveryTime
	}
	if w.LastHTTPStatus != nil {
		s.LastHTTPStatus = *w.LastHTTPStatus
	}
	return s
}

// LogValue renders the report as a group.
func (r Report) LogValue() slog.Value { return slog.GroupValue(r.attrs()...) }

// attrs are the record's attributes: status, subscription, problem, webhook
// (id, active, last_delivery_time, last_http_status), deleted, error.
func (r Report) attrs() []slog.Attr {
	attrs := []slog.Attr{slog.String("status", r.Status), slog.String("subscription", r.Subscription)}
	if r.Problem != "" {
		attrs = append(attrs, slog.String("problem", r.Problem))
	}
	if w := r.Webhook; w != nil {
		wa := []slog.Attr{slog.Int64("id", w.ID), slog.Bool("active", w.Active)}
		if w.LastDeliveryTime != "" {
			wa = append(wa, slog.String("last_delivery_time", w.LastDeliveryTime))
		}
		if w.LastHTTPStatus != 0 {
			wa = append(wa, slog.Int("last_http_status", w.LastHTTPStatus))
		}
		attrs = append(attrs, slog.Attr{Key: "webhook", Value: slog.GroupValue(wa...)})
	}
	if len(r.Deleted) > 0 {
		// deleted_count is what the WatchdogDeletions metric counts.
		attrs = append(attrs, slog.Any("deleted", r.Deleted), slog.Int("deleted_count", len(r.Deleted)))
	}
	if r.Error != "" {
		attrs = append(attrs, slog.String("error", r.Error))
	}
	if r.Pause != "" {
		attrs = append(attrs, slog.String("pause", r.Pause))
	}
	return attrs
}

// level is how loud a status is logged. A check that deleted a webhook is at least
// a WARN, whatever it found: a deletion is never routine.
func (r Report) level() slog.Level {
	switch {
	case r.Status == StatusUnhealthy:
		return slog.LevelError
	case r.Status == StatusHealthy && len(r.Deleted) == 0:
		return slog.LevelInfo
	}
	return slog.LevelWarn
}

// Check looks once at every subscription, with one list of the company's
// webhooks, repairs what it may, logs one `webhook check` record per subscription
// and returns the reports, in the order of cfg.Registrations. It changes nothing
// unless it saw the whole list: a Pipedrive outage is reported, never acted on.
func Check(ctx context.Context, cfg Config) []Report {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// One deadline for everything the check does (SSM reads, requests, retries,
	// the wait for a lost create): the invocation's, less a margin. Whatever
	// happens, the records are written before the invocation ends, so the alarms
	// see the cause rather than a timeout.
	cctx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		margin := min(cmp.Or(cfg.Margin, 5*time.Second), time.Until(deadline)/4)
		var cancel context.CancelFunc
		cctx, cancel = context.WithDeadline(ctx, deadline.Add(-margin))
		defer cancel()
	}
	reports := check(cctx, cfg, logger)
	for i, r := range reports {
		if r.Error != "" && errors.Is(cctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			reports[i].Error = "the check ran out of time (its deadline is the invocation's, less a margin): " + r.Error
		}
		logger.LogAttrs(context.WithoutCancel(ctx), reports[i].level(), MsgCheck, reports[i].attrs()...)
	}
	return reports
}

// check reads the secrets and the pause once, lists once, then looks at each
// subscription in turn. What stops the whole check (a secret or the list that
// cannot be read, a pause) is every subscription's report.
func check(ctx context.Context, cfg Config, logger *slog.Logger) []Report {
	regs := slices.Clone(cfg.Registrations)
	reports := make([]Report, len(regs))
	for i, reg := range regs {
		reports[i].Subscription = reg.String()
	}
	every := func(set func(*Report)) []Report {
		for i := range reports {
			set(&reports[i])
		}
		return reports
	}
	redact := new(secrets.Redactor)
	unknown := func(what string, err error) []Report {
		msg := what + ": " + redact.RedactError(err).Error()
		return every(func(r *Report) { r.Status, r.Error = StatusUnknown, msg })
	}
	token, err := cfg.Token(ctx)
	if err != nil {
		return unknown("reading the Pipedrive API token", err)
	}
	redact.Add(token)
	auth, err := cfg.Credentials(ctx)
	if err != nil {
		return unknown("reading the basic-auth credentials", err)
	}
	redact.AddCredentials(auth)
	client, err := pipedrive.NewClient(pipedrive.Config{
		BaseURL: cfg.APIURL, Token: token, Timeout: cmp.Or(cfg.Timeout, 10*time.Second), Redactor: redact,
		Progress: func(line string) { logger.InfoContext(ctx, "watchdog step", "step", line) },
	})
	if err != nil {
		return unknown("the Pipedrive client", err)
	}
	client.Settle = cmp.Or(cfg.Settle, 20*time.Second)
	if cfg.Backoff != nil {
		client.Backoff = cfg.Backoff
	}
	paused, stop := pause(ctx, cfg, Report{})
	if stop {
		return every(func(r *Report) { r.Status, r.Pause, r.Error = paused.Status, paused.Pause, paused.Error })
	}
	every(func(r *Report) { r.Pause = paused.Pause }) // a pause value not understood, said
	all, err := client.ListWebhooks(ctx)
	if err != nil {
		return unknown("listing the webhooks", err)
	}
	for i := range regs {
		regs[i].Auth = auth
		reports[i] = checkOne(ctx, cfg, client, redact, regs[i], all, reports[i])
	}
	return reports
}

// checkOne judges one subscription from the list all, and repairs it when it is
// gone or duplicated.
func checkOne(ctx context.Context, cfg Config, client *pipedrive.Client, redact *secrets.Redactor,
	reg pipedrive.Registration, all []pipedrive.Webhook, r Report) Report {
	live := pipedrive.Find(all, func(w *pipedrive.Webhook) bool { return reg.Matches(w) && !w.Removed() })
	healthy := slices.IndexFunc(live, func(w pipedrive.Webhook) bool { return w.Problem(reg.Auth.User) == "" })
	switch {
	case healthy >= 0 && len(live) == 1:
		r.Status, r.Webhook = StatusHealthy, seen(&live[healthy])
		return r
	case len(live) > 0 && healthy < 0:
		// Banned, failing or registered with other credentials: registering again
		// would hide a receiver that fails (and be banned in turn), or fight a
		// rotation. A person decides; a ban lifts by itself.
		r.Status, r.Webhook, r.Problem = StatusUnhealthy, seen(&live[0]), live[0].Problem(reg.Auth.User)
		return r
	case healthy >= 0:
		r.Problem = fmt.Sprintf("%d webhooks deliver it: keeping one", len(live))
	default:
		r.Problem = "no webhook delivers it (deleted by Pipedrive, or by hand)"
	}
	// Once more, right before a change: a pause set, or a destroy begun, while this
	// check looked is honoured. (Register lists again before it creates.)
	var stop bool
	if r, stop = pause(ctx, cfg, r); stop {
		return r
	}
	// Gone, or duplicated: the registration tool's own Register keeps a healthy
	// match, or creates one, and deletes the rest (Pipedrive's removed ones too).
	// Only this subscription's webhooks are matched: the others are left alone.
	res, err := client.Register(ctx, reg, pipedrive.RegisterOptions{})
	r.Deleted = res.Deleted
	if err != nil {
		r.Status, r.Error = StatusUnhealthy, redact.RedactError(err).Error()
		switch {
		case res.ID != 0: // registered, but something after it failed
			r.Status, r.Webhook = StatusReRegistered, &Seen{ID: res.ID, Active: true}
		case errors.Is(err, pipedrive.ErrBlind):
			// Register stopped because the list did not answer: whether the webhook
			// exists is not known, and nothing was created without seeing.
			r.Status = StatusUnknown
		}
		return r
	}
	r.Webhook = &Seen{ID: res.ID, Active: true}
	if i := slices.IndexFunc(live, func(w pipedrive.Webhook) bool { return w.ID == res.ID }); i >= 0 {
		r.Webhook = seen(&live[i])
	}
	r.Status = StatusHealthy
	if res.Created {
		r.Status = StatusReRegistered
	}
	return r
}

// pause reads the pause parameter and reports whether the check must change
// nothing: paused (by an operator, or because the stack is being destroyed), or
// unknown when the parameter cannot be read. A value it does not understand
// pauses nothing, and says so in the record.
//
// Why a parameter rather than an apply: an operator pauses in one AWS CLI call,
// at once, without Terraform or the code at hand, and the pause ends by itself
// (MaxPause). Why "gone" pauses: Terraform destroys the parameter (with the
// watchdog) before the registration's destroy deletes the webhook, and a check
// already running then reads it here right before it would create one.
func pause(ctx context.Context, cfg Config, r Report) (Report, bool) {
	if cfg.Pause == nil {
		return r, false
	}
	value, modified, err := cfg.Pause(ctx)
	switch {
	case secrets.IsNotFound(err):
		r.Status, r.Pause = StatusPaused, "the pause parameter is gone: the stack is being destroyed (or the parameter was deleted by hand; an apply restores it), so nothing is registered"
		return r, true
	case err != nil:
		r.Status, r.Error = StatusUnknown, "reading the pause parameter: "+oneLine(err.Error())
		return r, true
	}
	value = strings.TrimSpace(value)
	if value == "" || strings.EqualFold(value, "off") {
		return r, false
	}
	until, perr := time.Parse(time.RFC3339, value)
	if perr != nil {
		r.Pause = fmt.Sprintf("the pause parameter holds %.40q, not an RFC 3339 time such as 2026-12-01T18:00:00Z (or off): not paused", value)
		return r, false
	}
	if !modified.IsZero() && until.After(modified.Add(MaxPause)) {
		until = modified.Add(MaxPause)
	}
	if !time.Now().Before(until) {
		return r, false // the pause is over
	}
	r.Status, r.Pause = StatusPaused, "paused until "+until.UTC().Format(time.RFC3339)+" by the pause parameter"
	return r, true
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
