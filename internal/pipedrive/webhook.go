package pipedrive

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// EventObjects are the objects a webhook of each version can subscribe to, "*"
// (every object) last: the one list, from Pipedrive's documentation, that the
// tool, the watchdog and Terraform (through a file generated from it) check a
// subscription against.
//
//   - 1.0: the webhooks API's list ("List of Webhooks"): its OpenAPI description's
//     event_object enum without lead, which v1 never offered, plus activityType,
//     which only v1 delivers.
//   - 2.0: "List of Webhooks v2" and "Guide for Webhooks v2" (2026): the classic
//     objects (pipeline and stage since 2024), lead, and the ones v1 never had —
//     deal_installment, deal_product, board, phase, project and task (April and
//     May 2026) — as the v2 AsyncAPI description's meta.entity enum lists them.
//     Pipedrive's changelog also announces webhooks for custom-field definitions
//     (May 2026) without publishing the event_object values that select them:
//     they are added here once it does.
var EventObjects = map[string][]string{
	webhook.V1: {"activity", "activityType", "deal", "note", "organization", "person", "pipeline", "product", "stage", "user", "*"},
	webhook.V2: {"activity", "board", "deal", "deal_installment", "deal_product", "lead", "note", "organization", "person", "phase",
		"pipeline", "product", "project", "stage", "task", "user", "*"},
}

// Versions are the payload versions a webhook can have, oldest first.
var Versions = []string{webhook.V1, webhook.V2}

// EventActions are the actions a webhook can subscribe to, in the API's v2 spelling;
// v1's added, updated, merged and deleted are accepted and sent as these.
var EventActions = []string{"create", "change", "delete", "*"}

// Webhook is a registered webhook as the webhooks API lists it. Pipedrive also
// returns the basic-auth password; it is deliberately not decoded, so that it can
// never be printed.
type Webhook struct {
	ID               int64   `json:"id"`
	CompanyID        int64   `json:"company_id,omitempty"`
	OwnerID          int64   `json:"owner_id,omitempty"`
	UserID           int64   `json:"user_id,omitempty"`
	Name             string  `json:"name,omitempty"`
	EventAction      string  `json:"event_action"`
	EventObject      string  `json:"event_object"`
	SubscriptionURL  string  `json:"subscription_url"`
	Version          string  `json:"version"`
	IsActive         Flag    `json:"is_active"`
	AddTime          string  `json:"add_time,omitempty"`
	Type             string  `json:"type,omitempty"`
	HTTPAuthUser     *string `json:"http_auth_user"`
	LastDeliveryTime *string `json:"last_delivery_time"`
	LastHTTPStatus   *int    `json:"last_http_status"`
	RemoveReason     *string `json:"remove_reason,omitempty"`
	RemoveTime       *string `json:"remove_time,omitempty"`
}

// added is when Pipedrive says w was created (add_time, as the API documents it or
// as "2006-01-02 15:04:05" UTC), or the zero time.
func (w *Webhook) added() time.Time {
	for _, layout := range []string{time.RFC3339Nano, time.DateTime} {
		if t, err := time.Parse(layout, w.AddTime); err == nil {
			return t
		}
	}
	return time.Time{}
}

// Active reports whether Pipedrive delivers to the webhook.
func (w *Webhook) Active() bool { return bool(w.IsActive) }

// HasBasicAuth reports whether Pipedrive sends credentials with every delivery.
func (w *Webhook) HasBasicAuth() bool { return w.authUser() != "" }

func (w *Webhook) authUser() string {
	if w.HTTPAuthUser == nil {
		return ""
	}
	return *w.HTTPAuthUser
}

// Removed reports whether Pipedrive says it removed w: a webhook it still lists
// that way delivers nothing, and is as good as gone.
//
// Removed is decided by remove_time alone, which Pipedrive's API documents as "the
// date when the Webhook was removed (if removed)". A remove_reason without a
// remove_time is not a removal: Pipedrive gives a reason when it bans a webhook
// (is_active 0) after failed deliveries, and lifts the ban by itself after 30
// minutes. A banned webhook is reported, never replaced: a new one would hide the
// receiver's failure and be banned in turn.
func (w *Webhook) Removed() bool {
	return w.RemoveTime != nil && *w.RemoveTime != ""
}

// Problem says why Pipedrive would not deliver to w with the basic-auth user
// authUser ("" for none) as a healthy webhook does, or "" when it would: it is
// active, not removed, registered with that user, and its last delivery (if any)
// succeeded.
func (w *Webhook) Problem(authUser string) string {
	switch {
	case !w.Active() && w.RemoveReason != nil && *w.RemoveReason != "" && !w.Removed():
		return "inactive (banned by Pipedrive: " + oneLine(*w.RemoveReason, 120) + "; a ban lifts after 30 minutes)"
	case !w.Active():
		return "inactive (Pipedrive stopped delivering to it: banned, or removed)"
	case w.Removed():
		return "removed by Pipedrive"
	case w.LastHTTPStatus != nil && (*w.LastHTTPStatus < 200 || *w.LastHTTPStatus > 299):
		return "failing: its last delivery got HTTP " + strconv.Itoa(*w.LastHTTPStatus)
	case w.authUser() != authUser && authUser == "":
		return "registered with basic auth; this registration has none"
	case w.authUser() != authUser:
		return fmt.Sprintf("registered with basic-auth user %q, not %q", w.authUser(), authUser)
	}
	return ""
}

// Flag is the API's 0/1 boolean (true and false are accepted too).
type Flag bool

// UnmarshalJSON reads 0, 1, true, false, their string forms, or null (false), as
// webhook.ParseBool does; anything else is an error.
func (f *Flag) UnmarshalJSON(b []byte) error {
	v, ok := webhook.ParseBool(b)
	if !ok {
		return fmt.Errorf("want 0 or 1, got %.20s", b)
	}
	*f = Flag(v)
	return nil
}

// MarshalJSON writes 0 or 1, as the API does.
func (f Flag) MarshalJSON() ([]byte, error) {
	if f {
		return []byte("1"), nil
	}
	return []byte("0"), nil
}

// Subscription is what makes a webhook a stack's: the URL it delivers to (unique
// per API Gateway API), the event it subscribes to and its payload version. Names
// are for people; a stack renamed, or a webhook rotated by hand, is still found by
// its subscription.
type Subscription struct {
	URL         string
	EventAction string // v1 or v2 spelling
	EventObject string
	Version     string // webhook.V1 or webhook.V2; "" for webhook.V2
}

// Matches reports whether w delivers this subscription.
func (s Subscription) Matches(w *Webhook) bool {
	version := s.Version
	if version == "" {
		version = webhook.V2
	}
	return w.SubscriptionURL == s.URL && w.EventObject == s.EventObject &&
		V2Action(w.EventAction) == V2Action(s.EventAction) && w.Version == version
}

// Validate checks s as the webhooks API will, so that a bad value is a clear error
// before any request.
func (s Subscription) Validate() error {
	u, err := url.Parse(s.URL)
	switch {
	case s.URL == "":
		return fmt.Errorf("no subscription URL")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return fmt.Errorf("subscription URL %q is not an absolute http(s) URL", s.URL)
	case u.User != nil:
		return fmt.Errorf("the subscription URL must not carry credentials: Pipedrive sends them as basic auth")
	case s.Version != "" && s.Version != webhook.V1 && s.Version != webhook.V2:
		return fmt.Errorf("version %q: want %s or %s", s.Version, webhook.V1, webhook.V2)
	case !slices.Contains(EventActions, V2Action(s.EventAction)):
		return fmt.Errorf("event action %q: want one of %s", s.EventAction, strings.Join(EventActions, ", "))
	}
	version := cmp.Or(s.Version, webhook.V2)
	if !slices.Contains(EventObjects[version], s.EventObject) {
		for _, other := range Versions {
			if other != version && slices.Contains(EventObjects[other], s.EventObject) {
				return fmt.Errorf("event object %q is delivered by v%s webhooks only: use version %s", s.EventObject, strings.TrimSuffix(other, ".0"), other)
			}
		}
		return fmt.Errorf("event object %q: version %s offers %s", s.EventObject, version, strings.Join(EventObjects[version], ", "))
	}
	return nil
}

func (s Subscription) String() string {
	return fmt.Sprintf("%s.%s (v%s) to %s", V2Action(s.EventAction), s.EventObject, s.Version, s.URL)
}

// V2Action is the v2 spelling of a subscription's event action: webhook.Action's
// (added → create, updated → change, deleted → delete), except that v2 has no
// merge to subscribe to — a merge reaches v2 as the change of the entity kept —
// so v1's merged (and merge) is change. v2 actions and "*" pass through.
func V2Action(action string) string {
	if a := webhook.Action(action); a != webhook.ActionMerge {
		return a
	}
	return webhook.ActionChange
}

// NewWebhook is what creating a webhook takes. Its String method hides the password.
type NewWebhook struct {
	SubscriptionURL  string `json:"subscription_url"`
	EventAction      string `json:"event_action"`
	EventObject      string `json:"event_object"`
	Name             string `json:"name"`
	Version          string `json:"version,omitempty"`
	UserID           int64  `json:"user_id,omitempty"`
	HTTPAuthUser     string `json:"http_auth_user,omitempty"`
	HTTPAuthPassword string `json:"http_auth_password,omitempty"`
}

func (n NewWebhook) String() string {
	pw := ""
	if n.HTTPAuthPassword != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("{url:%s event:%s.%s version:%s name:%q user:%d auth_user:%q auth_password:%s}",
		n.SubscriptionURL, n.EventAction, n.EventObject, n.Version, n.Name, n.UserID, n.HTTPAuthUser, pw)
}

// GoString hides the password from %#v.
func (n NewWebhook) GoString() string { return n.String() }
