// Package reconcile makes the audit log say what it missed. For a window of time
// it asks Pipedrive what changed (the API v2 lists of deals, persons and
// organizations, GET /v1/recents for the other objects, deletions included),
// reads what the audit log holds for the same window (the receiver's records,
// locally a JSON-lines file, in AWS CloudWatch Logs Insights), and writes one
// record per change that no delivery recorded: msg MsgMissed, source
// "reconciliation", the webhook fields the receiver would have logged where the
// API gives them, and a dedup key that makes a second run over the same window
// write nothing new. Every call's documented token cost is counted against a
// share of the company's daily budget; a run stops at it, or at its deadline, or
// after a bounded number of pages, and the next run resumes from the cursor it
// saved. Every run ends with exactly one summary record (MsgSummary).
package reconcile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// The messages of reconciliation's records; the metric filter, alarm and saved
// query select them (terraform/modules/webhook-monitoring).
const (
	// MsgMissed is the WARN record of one change Pipedrive made that no delivery recorded.
	MsgMissed = "pipedrive change missed"
	// MsgSummary is the record that ends every run.
	MsgSummary = "pipedrive reconciliation"
	// Source marks every record reconciliation writes.
	Source = "reconciliation"
)

// Statuses of a run, in its summary record.
const (
	StatusComplete = "complete" // the window is reconciled
	StatusStopped  = "stopped"  // budget, deadline or page bound: the next run resumes
	StatusFailed   = "failed"   // an error; the next run resumes from the last saved page
)

// Reasons a run stopped.
const (
	ReasonBudget   = "budget"
	ReasonDeadline = "deadline"
	ReasonPages    = "pages"
)

// Objects lists the webhook objects reconciliation can check: those with a
// list by time. Pipedrive's other webhook objects (lead, deal_product,
// deal_installment, project, task, board, phase) have none in the API read here:
// a run names them in its summary as unchecked.
var Objects = []string{"deal", "person", "organization", "activity", "note", "pipeline", "product", "stage", "user"}

// Config is one run.
type Config struct {
	API *pipedrive.Client
	Log Log
	// Records receives the JSON lines of the missed changes and the summary. When
	// it has a Flush(context.Context) error method, it is flushed before each
	// cursor save: a saved cursor never outruns the records it stands for.
	Records io.Writer
	// Store keeps the cursor between runs; nil keeps none (each run starts afresh).
	Store Store
	// Objects and Actions are what the webhook subscribes to: webhook objects
	// (deal, …; "*" for every one of Objects) and actions (create, change,
	// delete; "*" for all). A change the webhook would not have delivered is not missed.
	Objects []string
	Actions []string
	// Subscriptions, when set, replace Objects and Actions: the stack's
	// webhooks, each an object and an action (v1 or v2 spelling, "*" for all).
	Subscriptions []Subscription
	// Window is the range to reconcile. Zero Since: a scheduled run, from the end
	// of the last complete window (or Until less Interval) to Until (or now less Lag).
	Window   Window
	Lag      time.Duration
	Interval time.Duration
	// DailyLimit is how many tokens reconciliation may spend in a day (UTC).
	DailyLimit int
	// PageSize is how many items a list page asks for (default 500, the v2 maximum);
	// MaxPages bounds the pages one run reads (default 200).
	PageSize, MaxPages int
	// Changelog fills in a missed deal's, person's or organization's changed
	// fields from its changelog, budget permitting.
	Changelog bool
	// Reserve is the time kept back from the context's deadline to write the
	// summary (default 3 s).
	Reserve time.Duration
	Now     func() time.Time
}

// Subscription is one webhook's event: an object and an action.
type Subscription struct{ Object, Action string }

// Summary is what a run did; it is also its summary record.
type Summary struct {
	Status    string
	Reason    string // why it stopped or failed
	Window    Window
	Resumed   bool
	StoppedAt string // the pass and its position, when not complete
	// Per entity: changes checked, delivered, missed (recorded now), and recorded
	// by an earlier run.
	Checked, Delivered, Missed, Recorded map[string]int
	NotSubscribed                        int
	Unchecked                            []string // objects with no list by time
	TokensSpent, TokensToday, TokenLimit int
	LogRecords                           int
}

// MissedTotal is how many missed changes the run recorded.
func (s Summary) MissedTotal() int {
	n := 0
	for _, v := range s.Missed {
		n += v
	}
	return n
}

func (s Summary) attrs() []slog.Attr {
	counts := func(m map[string]int) slog.Value {
		var a []slog.Attr
		for _, k := range slices.Sorted(maps.Keys(m)) {
			a = append(a, slog.Int(k, m[k]))
		}
		return slog.GroupValue(a...)
	}
	attrs := []slog.Attr{slog.String("source", Source), slog.String("status", s.Status)}
	if s.Reason != "" {
		attrs = append(attrs, slog.String("reason", webhook.Bound(s.Reason, webhook.MaxLoggedString)))
	}
	if !s.Window.Since.IsZero() {
		attrs = append(attrs, slog.String("since", s.Window.Since.UTC().Format(time.RFC3339)), slog.String("until", s.Window.Until.UTC().Format(time.RFC3339)))
	}
	attrs = append(attrs, slog.Bool("resumed", s.Resumed))
	if s.StoppedAt != "" {
		attrs = append(attrs, slog.String("stopped_at", s.StoppedAt))
	}
	attrs = append(attrs, slog.Any("checked", counts(s.Checked)), slog.Any("delivered", counts(s.Delivered)),
		slog.Any("missed", counts(s.Missed)), slog.Int("missed_total", s.MissedTotal()), slog.Any("already_recorded", counts(s.Recorded)),
		slog.Int("not_subscribed", s.NotSubscribed))
	if len(s.Unchecked) > 0 {
		attrs = append(attrs, slog.Any("unchecked_objects", s.Unchecked))
	}
	return append(attrs, slog.Int("tokens_spent", s.TokensSpent), slog.Int("tokens_today", s.TokensToday),
		slog.Int("token_limit", s.TokenLimit), slog.Int("log_records", s.LogRecords))
}

// pass is one list read for a window: an object's v2 list, its deletions, or
// its recents.
type pass struct {
	key, object string
	kind        passKind
}

type passKind int

const (
	v2List passKind = iota
	v2Deleted
	recents
	recentsDeleted
)

// passes are the reads that cover objects.
func passes(objects []string) (out []pass, unchecked []string) {
	for _, o := range objects {
		switch o {
		case "deal":
			out = append(out, pass{"deal", o, v2List}, pass{"deal:deleted", o, v2Deleted})
		case "person", "organization":
			out = append(out, pass{o, o, v2List}, pass{o + ":deleted", o, recentsDeleted})
		case "activity", "note", "pipeline", "product", "stage", "user":
			out = append(out, pass{o, o, recents})
		default:
			unchecked = append(unchecked, o)
		}
	}
	return out, unchecked
}

// ExpandObjects turns a subscription's objects ("*" or a list) into the list to
// reconcile, deduplicated and sorted.
func ExpandObjects(objects []string) []string {
	set := map[string]bool{}
	for _, o := range objects {
		if o == "*" {
			for _, x := range Objects {
				set[x] = true
			}
		} else if o != "" {
			set[o] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// run is one reconciliation at work.
type run struct {
	cfg    Config
	ctx    context.Context
	log    *slog.Logger
	state  State
	window Window
	ix     *index
	budget *budget
	sum    Summary
	sched  bool
}

// Run reconciles one window and writes its summary record, whatever happens.
func Run(ctx context.Context, cfg Config) Summary {
	cfg.PageSize = cmp.Or(cfg.PageSize, pipedrive.MaxPageSize)
	cfg.MaxPages = cmp.Or(cfg.MaxPages, 200)
	cfg.Reserve = cmp.Or(cfg.Reserve, 3*time.Second)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &run{cfg: cfg, ctx: ctx, log: slog.New(jsonlog.NewHandler(cfg.Records, nil)),
		sum: Summary{Checked: map[string]int{}, Delivered: map[string]int{}, Missed: map[string]int{}, Recorded: map[string]int{}, TokenLimit: cfg.DailyLimit}}
	r.do()
	r.sum.TokensToday = r.state.SpentToday
	if r.budget != nil {
		r.sum.TokensSpent = r.budget.spent
	}
	level := slog.LevelInfo
	if r.sum.Status == StatusFailed {
		level = slog.LevelError
	}
	r.log.LogAttrs(context.WithoutCancel(ctx), level, MsgSummary, r.sum.attrs()...)
	_ = r.flush(context.WithoutCancel(ctx))
	return r.sum
}

func (r *run) fail(err error) {
	r.sum.Status, r.sum.Reason = StatusFailed, err.Error()
}

func (r *run) do() {
	if r.cfg.API == nil || r.cfg.Log == nil || r.cfg.Records == nil {
		r.fail(errors.New("reconcile: the API client, the log and the records' writer are all needed"))
		return
	}
	if r.cfg.DailyLimit <= 0 {
		r.fail(errors.New("reconcile: no token budget (the daily limit is 0)"))
		return
	}
	if r.cfg.Store != nil {
		s, err := r.cfg.Store.Load(r.ctx)
		if err != nil {
			r.fail(err)
			return
		}
		r.state = s
	}
	if !r.chooseWindow() {
		return
	}
	objects := ExpandObjects(r.cfg.Objects)
	if len(r.cfg.Subscriptions) > 0 {
		var subscribed []string
		for _, sub := range r.cfg.Subscriptions {
			subscribed = append(subscribed, sub.Object)
		}
		objects = ExpandObjects(subscribed)
	}
	ps, unchecked := passes(objects)
	r.sum.Unchecked = unchecked
	r.budget = &budget{limit: r.cfg.DailyLimit, state: &r.state, now: r.cfg.Now}
	api := *r.cfg.API
	prevBefore := api.Before
	api.Before = func(method, path string) error {
		if prevBefore != nil {
			if err := prevBefore(method, path); err != nil {
				return err
			}
		}
		if r.tooLate() {
			return errDeadline
		}
		return r.budget.charge(pipedrive.TokenCost(path))
	}
	// The log is read over the window (less a minute for clocks) up to now: a
	// delivery is written within minutes of its change, an earlier
	// reconciliation's record whenever it ran.
	records, err := r.cfg.Log.Records(r.ctx, r.window.Since.Add(-time.Minute), r.cfg.Now())
	if err != nil {
		r.fail(fmt.Errorf("read the audit log: %w", err))
		return
	}
	r.sum.LogRecords = len(records)
	r.ix = newIndex(records)
	pages := 0
	for _, p := range ps {
		prog := r.state.Progress[p.key]
		if prog == nil {
			prog = &Progress{}
			r.state.Progress[p.key] = prog
		}
		for !prog.Done {
			if pages >= r.cfg.MaxPages {
				r.stop(ReasonPages, p, prog)
				return
			}
			pages++
			before := *prog
			items, err := r.page(&api, p, prog)
			switch {
			case errors.Is(err, ErrBudget):
				r.stop(ReasonBudget, p, prog)
				return
			case errors.Is(err, errDeadline), r.ctx.Err() != nil:
				r.stop(ReasonDeadline, p, prog)
				return
			case err != nil:
				r.fail(err)
				r.sum.StoppedAt = position(p, prog)
				return
			}
			for _, it := range items {
				err := r.item(&api, it)
				if errors.Is(err, ErrBudget) {
					// The page is read again next time: what it recorded so far
					// is found by its dedup keys then.
					*prog = before
					r.stop(ReasonBudget, p, prog)
					return
				}
				if err != nil {
					r.fail(err)
					return
				}
			}
			if err := r.save(); err != nil {
				r.fail(err)
				return
			}
		}
	}
	r.sum.Status = StatusComplete
	if r.sched && r.window.Until.After(r.state.CompleteThrough) {
		r.state.CompleteThrough = r.window.Until
	}
	r.state.Window, r.state.Progress = nil, nil
	if err := r.save(); err != nil {
		r.fail(err)
	}
}

var errDeadline = errors.New("reconcile: too close to the deadline to make another call")

func (r *run) tooLate() bool {
	d, ok := r.ctx.Deadline()
	return ok && time.Until(d) < r.cfg.Reserve
}

func position(p pass, prog *Progress) string {
	switch {
	case prog.Cursor != "":
		return p.key + " cursor " + prog.Cursor
	case prog.Start > 0:
		return p.key + " start " + strconv.FormatInt(prog.Start, 10)
	}
	return p.key
}

func (r *run) stop(reason string, p pass, prog *Progress) {
	r.sum.Status, r.sum.Reason, r.sum.StoppedAt = StatusStopped, reason, position(p, prog)
	if err := r.save(); err != nil {
		r.fail(err)
	}
}

// chooseWindow sets the window to work on, resuming the saved one when it is
// the same (or, for a scheduled run, whatever window is unfinished). It returns
// false when there is nothing to do.
func (r *run) chooseWindow() bool {
	now := r.cfg.Now().UTC()
	saved := r.state.Window
	switch {
	case !r.cfg.Window.Since.IsZero():
		w := r.cfg.Window
		if w.Until.IsZero() {
			w.Until = now.Add(-r.cfg.Lag).Truncate(time.Second)
		}
		r.window = w
		if saved != nil && saved.Since.Equal(w.Since) && saved.Until.Equal(w.Until) {
			r.sum.Resumed = true
		} else {
			r.state.Progress = nil
		}
	case saved != nil:
		r.window, r.sum.Resumed, r.sched = *saved, true, true
	default:
		r.sched = true
		until := now.Add(-r.cfg.Lag).Truncate(time.Second)
		if !r.cfg.Window.Until.IsZero() {
			until = r.cfg.Window.Until
		}
		since := r.state.CompleteThrough
		if since.IsZero() {
			since = until.Add(-cmp.Or(r.cfg.Interval, time.Hour))
		}
		r.window = Window{Since: since.UTC(), Until: until.UTC()}
		r.state.Progress = nil
	}
	r.sum.Window = r.window
	if !r.window.Until.After(r.window.Since) {
		r.sum.Status, r.sum.Reason = StatusComplete, "empty window"
		r.sum.Window = r.window
		return false
	}
	w := r.window
	r.state.Window = &w
	if r.state.Progress == nil {
		r.state.Progress = map[string]*Progress{}
	}
	return true
}

// page reads the next page of a pass, advances its progress, and returns the
// items in the window that the pass covers.
func (r *run) page(api *pipedrive.Client, p pass, prog *Progress) ([]pipedrive.Item, error) {
	w := r.window
	var items []pipedrive.Item
	switch p.kind {
	case v2List, v2Deleted:
		page, err := api.ListChanged(r.ctx, p.object, pipedrive.ListQuery{Since: w.Since, Until: w.Until, Deleted: p.kind == v2Deleted, Cursor: prog.Cursor, Limit: r.cfg.PageSize})
		if err != nil {
			return nil, err
		}
		items = page.Items
		prog.Cursor, prog.Done = page.NextCursor, page.NextCursor == ""
	case recents, recentsDeleted:
		page, err := api.Recents(r.ctx, p.object, w.Since, prog.Start, r.cfg.PageSize)
		if err != nil {
			return nil, err
		}
		items = page.Items
		prog.Start, prog.Done = page.NextStart, !page.More
	}
	var out []pipedrive.Item
	for _, it := range items {
		t := it.Changed()
		switch {
		case t.Before(w.Since) || !t.Before(w.Until):
		case p.kind == recentsDeleted && !it.Deleted:
		case p.kind == v2Deleted && !it.Deleted:
		default:
			out = append(out, it)
		}
	}
	return out, nil
}

func (r *run) save() error {
	if err := r.flush(r.ctx); err != nil {
		return fmt.Errorf("write the records: %w", err)
	}
	if r.cfg.Store == nil {
		return nil
	}
	return r.cfg.Store.Save(context.WithoutCancel(r.ctx), r.state)
}

func (r *run) flush(ctx context.Context) error {
	if f, ok := r.cfg.Records.(interface{ Flush(context.Context) error }); ok {
		return f.Flush(ctx)
	}
	return nil
}

// change is one change to check: an entity's latest (from a list), its
// creation, or one found in its changelog.
type change struct {
	entity, id, action string
	time               time.Time
	item               *pipedrive.Item // the listed state, for the latest change
	fields             []pipedrive.FieldChange
	changelog          string // "" read (or not wanted), else why not
}

func (r *run) inWindow(t time.Time) bool {
	return !t.IsZero() && !t.Before(r.window.Since) && t.Before(r.window.Until)
}

// item checks one listed entity.
func (r *run) item(api *pipedrive.Client, it pipedrive.Item) error {
	t := it.Changed()
	var changes []change
	switch {
	case it.Deleted:
		changes = []change{{entity: it.Object, id: it.ID, action: webhook.ActionDelete, time: t, item: &it}}
	case r.inWindow(it.AddTime) && t.Sub(it.AddTime) < time.Second:
		changes = []change{{entity: it.Object, id: it.ID, action: webhook.ActionCreate, time: t, item: &it}}
	default:
		changes = []change{{entity: it.Object, id: it.ID, action: webhook.ActionChange, time: t, item: &it}}
		if r.inWindow(it.AddTime) {
			// Created in the window and changed since: its creation is a change of its own.
			changes = append(changes, change{entity: it.Object, id: it.ID, action: webhook.ActionCreate, time: it.AddTime})
		}
	}
	missed := false
	for _, c := range changes {
		if r.check(c) {
			missed = true
		}
	}
	if !missed {
		return nil
	}
	// The latest change was missed: what its changelog says fills in its fields,
	// and may show earlier changes in the window that were missed too.
	if r.cfg.Changelog && !it.Deleted && slices.Contains(pipedrive.ChangelogObjects, it.Object) {
		if !r.budget.affords(pipedrive.CostChangelog) {
			// Stop rather than record it without its fields: the next run, with
			// tokens again, records it whole.
			return ErrBudget
		}
		entries, why := r.changelog(api, it)
		for _, c := range r.fromChangelog(changes, entries, why) {
			r.record(c)
		}
		return nil
	}
	for _, c := range changes {
		if r.isMissed(c) {
			r.record(c)
		}
	}
	return nil
}

// check counts a change and says whether it is missed (not delivered, not
// recorded by an earlier run, and one the webhook would have sent).
func (r *run) check(c change) bool {
	if !r.subscribed(c.entity, c.action) {
		r.sum.NotSubscribed++
		return false
	}
	r.sum.Checked[c.entity]++
	switch {
	case r.ix.recorded[DedupKey(c.entity, c.id, c.time)]:
		r.sum.Recorded[c.entity]++
	case r.ix.delivered(c.entity, c.id, c.action, c.time):
		r.sum.Delivered[c.entity]++
	default:
		return true
	}
	return false
}

func (r *run) isMissed(c change) bool {
	return r.subscribed(c.entity, c.action) && !r.ix.recorded[DedupKey(c.entity, c.id, c.time)] && !r.ix.delivered(c.entity, c.id, c.action, c.time)
}

func (r *run) subscribed(entity, action string) bool {
	if len(r.cfg.Subscriptions) > 0 {
		for _, sub := range r.cfg.Subscriptions {
			if (sub.Object == "*" || sub.Object == entity) && (sub.Action == "*" || pipedrive.V2Action(sub.Action) == action) {
				return true
			}
		}
		return false
	}
	return len(r.cfg.Actions) == 0 || slices.Contains(r.cfg.Actions, "*") || slices.ContainsFunc(r.cfg.Actions, func(a string) bool { return pipedrive.V2Action(a) == action })
}

// maxChangelogPages bounds the changelog read for one entity.
const maxChangelogPages = 3

// changelog reads an entity's changelog back to the window's start, budget
// permitting; why says why it was not read (or read only in part).
func (r *run) changelog(api *pipedrive.Client, it pipedrive.Item) (entries []pipedrive.FieldChange, why string) {
	cursor := ""
	for range maxChangelogPages {
		if !r.budget.affords(pipedrive.CostChangelog) {
			return entries, "skipped: budget"
		}
		page, err := api.Changelog(r.ctx, it.Object, it.ID, cursor, 100)
		if err != nil {
			return entries, "failed: " + webhook.Bound(err.Error(), 200)
		}
		entries = append(entries, page.Changes...)
		if page.NextCursor == "" || (len(page.Changes) > 0 && page.Changes[len(page.Changes)-1].Time.Before(r.window.Since)) {
			return entries, ""
		}
		cursor = page.NextCursor
	}
	return entries, "partial: more pages"
}

// fromChangelog gives the missed changes of an entity, each with its fields:
// the listed ones, and any earlier change in the window its changelog shows
// that no delivery (or earlier run) covers.
func (r *run) fromChangelog(listed []change, entries []pipedrive.FieldChange, why string) []change {
	byTime := map[int64][]pipedrive.FieldChange{}
	for _, e := range entries {
		if r.inWindow(e.Time) {
			byTime[e.Time.Unix()] = append(byTime[e.Time.Unix()], e)
		}
	}
	var out []change
	used := map[int64]bool{}
	for _, c := range listed {
		if c.action != webhook.ActionCreate || c.item != nil {
			for sec := c.time.Unix() - 1; sec <= c.time.Unix()+1; sec++ {
				if fs, ok := byTime[sec]; ok && !used[sec] {
					c.fields, used[sec] = append(c.fields, fs...), true
				}
			}
		}
		c.changelog = why
		if r.isMissed(c) {
			out = append(out, c)
		}
	}
	for _, sec := range slices.Sorted(maps.Keys(byTime)) {
		if used[sec] {
			continue
		}
		fs := byTime[sec]
		c := change{entity: listed[0].entity, id: listed[0].id, action: webhook.ActionChange, time: fs[0].Time, fields: fs, changelog: why}
		if r.isMissed(c) {
			r.sum.Checked[c.entity]++
			out = append(out, c)
		} else if r.subscribed(c.entity, c.action) {
			r.sum.Checked[c.entity]++
			if r.ix.recorded[DedupKey(c.entity, c.id, c.time)] {
				r.sum.Recorded[c.entity]++
			} else {
				r.sum.Delivered[c.entity]++
			}
		}
	}
	return out
}

// DedupKey is a missed change's key: the same for the same change whenever it is
// found, so a second run over a window writes nothing new.
func DedupKey(entity, id string, t time.Time) string {
	return webhook.HashKey(Source, entity, id, t.UTC().Format(time.RFC3339Nano))
}

// record writes one missed change and notes it in the index.
func (r *run) record(c change) {
	key := DedupKey(c.entity, c.id, c.time)
	if r.ix.recorded[key] {
		return
	}
	attrs := []slog.Attr{
		slog.String("action", c.action), slog.String("entity", c.entity), slog.String("entity_id", c.id),
		slog.String("dedup_key", key), slog.String("timestamp", c.time.UTC().Format(time.RFC3339Nano)),
	}
	user := ""
	if c.item != nil {
		user = c.item.UserID
	}
	var names []string
	var changes []any
	for _, f := range c.fields {
		user = cmp.Or(user, f.UserID)
		if !slices.Contains(names, f.Field) {
			names = append(names, f.Field)
		}
		if len(changes) < webhook.MaxLoggedFields {
			changes = append(changes, map[string]any{"field": webhook.Bound(f.Field, 128), "from": bounded(f.Old), "to": bounded(f.New)})
		}
	}
	if user != "" {
		attrs = append(attrs, slog.String("user_id", user))
	}
	if len(names) > 0 {
		slices.Sort(names)
		attrs = append(attrs, slog.Any("changed_fields", names[:min(len(names), webhook.MaxLoggedFields)]))
	}
	if c.item != nil && c.item.Deal != nil {
		d := c.item.Deal
		for _, kv := range [][2]string{{"title", d.Title}, {"status", d.Status}, {"currency", d.Currency}} {
			if kv[1] != "" {
				attrs = append(attrs, slog.String(kv[0], webhook.Bound(kv[1], webhook.MaxLoggedString)))
			}
		}
		if d.StageID != nil {
			attrs = append(attrs, slog.Int64("stage_id", *d.StageID))
		}
		if d.Value != nil {
			attrs = append(attrs, slog.Float64("value", *d.Value))
		}
	}
	top := []slog.Attr{slog.String("source", Source), slog.Any("webhook", slog.GroupValue(attrs...)),
		slog.String("since", r.window.Since.UTC().Format(time.RFC3339)), slog.String("until", r.window.Until.UTC().Format(time.RFC3339))}
	if len(changes) > 0 {
		top = append(top, slog.Any("changes", changes))
	}
	if c.changelog != "" {
		top = append(top, slog.String("changelog", c.changelog))
	}
	r.log.LogAttrs(r.ctx, slog.LevelWarn, MsgMissed, top...)
	r.ix.recorded[key] = true
	r.sum.Missed[c.entity]++
}

func bounded(s *string) any {
	if s == nil {
		return nil
	}
	return webhook.Bound(*s, webhook.MaxLoggedString)
}
