// Package webhook decodes the webhook payloads Pipedrive delivers, in both the v1
// and the v2 format, into one normalised Event.
package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"
)

// Webhook payload versions, spelled as the Pipedrive webhooks API spells them.
const (
	V1 = "1.0"
	V2 = "2.0"
)

// Normalised actions. v1's added/updated/deleted/merged map onto them; v2 already
// uses the first three.
const (
	ActionCreate = "create"
	ActionChange = "change"
	ActionDelete = "delete"
	ActionMerge  = "merge"
)

// Event is one webhook delivery, normalised across payload versions.
type Event struct {
	Version       string    // V1 or V2
	Action        string    // create, change, delete or merge; other values pass through
	RawAction     string    // the action as sent: "updated", "change", ...
	Entity        string    // deal, person, lead, ...
	EntityID      string    // numeric ids as decimal text, lead ids as UUIDs
	EventID       string    // v2 meta.id; empty for v1
	DedupKey      string    // the same for every retry of one delivery
	Attempt       int       // 1-based delivery attempt (v1 retry + 1, v2 attempt)
	CompanyID     string    //
	UserID        string    //
	WebhookID     string    //
	Timestamp     time.Time // zero when absent or unparseable
	CorrelationID string    // v2 only
	Bulk          bool      // v1 is_bulk_update, v2 is_bulk_edit
	ChangeSource  string    // app or api (meta.change_source, v1 and v2)
	Host          string    // the company's Pipedrive host
	ChangedFields []string  // sorted keys that changed, on a change
	MergedToID    string    // the entity this one was merged into, when the payload says
	MergedFromID  string    // v2: on the change of a merge, the entity merged into this one
	// PermittedUserCount is the size of meta.permitted_user_ids (the users who may see
	// the entity): the list itself is never logged. Not Valid when it was not sent.
	PermittedUserCount Int
	DealID             string // the parent deal of a deal_product or deal_installment
	ProjectID          string // the parent project of a task
	Deal               *Deal  // set for deal events
	// Unreadable lists the fields, sorted, whose values could not be meant as what
	// they name (an object for an id, 1e400 for an attempt): dropped, the event kept.
	Unreadable []string
}

// Deal holds the deal fields worth a dashboard: where it is, where it was, its worth.
// The Previous fields are set only when the value changed.
type Deal struct {
	Title           string
	Status          string
	PreviousStatus  string // empty unless the status changed
	StageID         Int
	PreviousStageID Int // not Valid unless the stage changed
	Value           Float
	Currency        string
}

// Bounds on what a record carries of an event, so that every record fits a
// CloudWatch Logs event (256 KiB) whatever arrives: the payload is capped apart
// (the receiver's maxLoggedPayload), and each string and list here is cut to these
// sizes, the cut marked.
const (
	MaxLoggedString = 512 // bytes of one string field
	MaxLoggedFields = 100 // names in changed_fields or unreadable_fields
	cutMark         = "…[cut]"
	moreMark        = "…[%d more]"
)

// Bound cuts s to at most n bytes of whole UTF-8 characters, marking the cut.
func Bound(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len(cutMark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + cutMark
}

// boundList keeps the first MaxLoggedFields names, each bounded, and says how many
// more there were.
func boundList(names []string) []string {
	n := min(len(names), MaxLoggedFields)
	out := make([]string, 0, n+1)
	for _, name := range names[:n] {
		out = append(out, Bound(name, 128))
	}
	if len(names) > n {
		out = append(out, fmt.Sprintf(moreMark, len(names)-n))
	}
	return out
}

// LogValue renders the event as the `webhook` group of the audit log record; empty
// fields are left out so that a record shows only what the payload carried. Every
// string and list is bounded (MaxLoggedString, MaxLoggedFields).
func (e *Event) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 28) // a deal with every field but the rare ones (merges, unreadable fields)
	e.LogAttrs(func(a slog.Attr) bool {
		attrs = append(attrs, a)
		return true
	})
	return slog.GroupValue(attrs...)
}

// LogAttrs calls yield with each attribute of LogValue's group, in order, until it
// returns false, without building the group: the jsonlog handler writes the event
// this way, sparing a kilobyte-sized slice per record.
func (e *Event) LogAttrs(yield func(slog.Attr) bool) {
	more := true
	add := func(a slog.Attr) {
		if more {
			more = yield(a)
		}
	}
	str := func(k, v string) {
		if v != "" {
			add(slog.String(k, Bound(v, MaxLoggedString)))
		}
	}
	str("version", e.Version)
	str("action", e.Action)
	str("raw_action", e.RawAction)
	str("entity", e.Entity)
	str("entity_id", e.EntityID)
	str("event_id", e.EventID)
	str("dedup_key", e.DedupKey)
	if e.Attempt > 0 {
		add(slog.Int("attempt", e.Attempt))
	}
	str("company_id", e.CompanyID)
	str("user_id", e.UserID)
	str("webhook_id", e.WebhookID)
	if !e.Timestamp.IsZero() {
		add(slog.String("timestamp", e.Timestamp.Format(time.RFC3339Nano)))
	}
	str("correlation_id", e.CorrelationID)
	add(slog.Bool("bulk", e.Bulk))
	str("change_source", e.ChangeSource)
	str("host", e.Host)
	if e.ChangedFields != nil {
		add(slog.Any("changed_fields", boundList(e.ChangedFields)))
	}
	str("merged_to_id", e.MergedToID)
	str("merged_from_id", e.MergedFromID)
	if e.PermittedUserCount.Valid {
		add(slog.Int64("permitted_user_count", e.PermittedUserCount.N))
	}
	str("deal_id", e.DealID)
	str("project_id", e.ProjectID)
	if d := e.Deal; d != nil {
		str("title", d.Title)
		str("status", d.Status)
		str("previous_status", d.PreviousStatus)
		if d.StageID.Valid {
			add(slog.Int64("stage_id", d.StageID.N))
		}
		if d.PreviousStageID.Valid {
			add(slog.Int64("previous_stage_id", d.PreviousStageID.N))
		}
		if d.Value.Valid {
			add(slog.Float64("value", d.Value.F))
		}
		str("currency", d.Currency)
	}
	if len(e.Unreadable) > 0 {
		add(slog.Any("unreadable_fields", boundList(e.Unreadable)))
	}
}

// dedupKey hashes what stays the same when Pipedrive retries a delivery (everything
// but v1's retry and v2's attempt). v2's meta.id alone is not enough: user events
// carry the user's id there. The webhook's id is left out: an event delivered by
// two webhooks of the same version (during a re-registration, before the old one is
// retired) is still one event.
func dedupKey(e *Event, rawTimestamp, timestampMicro string) string {
	return HashKey(e.Version, e.CompanyID, e.Entity, e.EntityID, e.RawAction,
		e.EventID, e.CorrelationID, rawTimestamp, timestampMicro)
}

// HashKey is a record's dedup_key made of parts: each part prefixed with its
// length (so that no two lists of parts read alike), hashed with SHA-256, the
// first 16 bytes in hex. The receiver keys its deliveries with it, and
// reconciliation the changes it records.
func HashKey(parts ...string) string {
	var buf [256]byte // the hash's input, on the stack unless the parts are long
	b := buf[:0]
	for _, part := range parts {
		b = strconv.AppendInt(b, int64(len(part)), 10)
		b = append(b, ':')
		b = append(b, part...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// parentOf says which parent the payload of an entity names: the deal of a product
// line or an installment, the project of a task. (Boards and phases belong to no
// one project; a project lists its deals, it has no parent deal.)
func parentOf(entity string) (deal, project bool) {
	switch entity {
	case "deal_product", "deal_installment":
		return true, false
	case "task":
		return false, true
	}
	return false, false
}

// Action is an action in the words a record uses: v1's past tenses in v2's words
// (added → create, updated → change, deleted → delete), and v1's merged as merge,
// the event it is; v2's actions and anything else pass through. (A subscription
// has no merge: pipedrive.V2Action spells v1's merged subscription as v2's
// change, from this same table.)
func Action(raw string) string {
	if a, ok := V1Actions[raw]; ok {
		return a
	}
	return raw
}

// V1Actions are v1's action words, each with the action a record gives it: the
// one table of them (webhook subscriptions are spelled from it too).
var V1Actions = map[string]string{"added": ActionCreate, "updated": ActionChange, "deleted": ActionDelete, "merged": ActionMerge}
