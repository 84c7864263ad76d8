// Package registration is a stack's webhook registration as one value: where
// Pipedrive delivers, what it subscribes to (a list), under which name and user,
// and where the secrets and the API are. Its defaults and its validation live
// here and nowhere else: Terraform encodes the value once (jsonencode) and hands
// the same JSON to the registration tool and to the watchdog, and the tool's
// flags fill the same type.
package registration

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// EnvVar is the environment variable that carries a stack's registration, as JSON,
// to the registration tool and to the watchdog.
const EnvVar = "WEBHOOK_REGISTRATION"

// Defaults of a registration's fields, applied to those left empty.
const (
	DefaultName           = "pipedrive-webhooks"
	DefaultEventObject    = "deal"
	DefaultEventAction    = "*"
	DefaultVersion        = webhook.V2
	DefaultAuthVersion    = 1
	DefaultTokenParameter = "/dissertation-editor/pipedrive/api-token"
)

// MaxWebhooks is how many webhooks Pipedrive allows a user ("40 different webhooks
// per user"); MaxSubscriptions is how many subscriptions a stack may hold, since a
// rotation briefly needs two webhooks of each.
const (
	MaxWebhooks      = 40
	MaxSubscriptions = MaxWebhooks / 2
)

// Stack is a stack's registration. Its JSON keys are the watchdog's and the
// Terraform modules': a field tagged terraform:"wired" is set by the
// webhook-registration module from the stack's own resources, and every other
// field is an option of its webhook variable, which a person sets (Options). An
// empty or omitted field takes its default (Defaults).
//
// A new option is a new field here: the module reads the list of options, and
// their defaults, from TerraformFile.
type Stack struct {
	// URL is where Pipedrive delivers: the receiver's webhook URL, unique to the
	// stack, and what makes a webhook the stack's.
	URL string `json:"url" terraform:"wired"`
	// Name is the webhooks' name in Pipedrive, for people.
	Name string `json:"name"`
	// Subscriptions are the events the stack receives, one webhook each.
	Subscriptions []Subscription `json:"subscriptions"`
	// UserID is the Pipedrive user whose permissions each event is checked against
	// (0 for the token's user): an admin receives every event.
	UserID int64 `json:"user_id"`
	// AuthParameter is the SSM SecureString holding the basic-auth "user:password"
	// Pipedrive sends ("" to take it from the environment).
	AuthParameter string `json:"auth_parameter" terraform:"wired"`
	// AuthVersion is the credentials' version: a new one registers every webhook
	// again, with the new credentials.
	AuthVersion int `json:"auth_version" terraform:"wired"`
	// TokenParameter is the SSM SecureString holding the Pipedrive API token, read
	// when the environment does not give the token.
	TokenParameter string `json:"token_parameter" terraform:"wired"`
	// Region is the AWS region of both parameters ("" for the AWS SDK's choice).
	Region string `json:"region" terraform:"wired"`
	// APIURL is the webhooks API's base URL.
	APIURL string `json:"api_url"`
}

// Subscription is one event a stack subscribes to: an object ("*" for every
// object), an action ("*" for every action; v1's added, updated, merged and
// deleted are taken) and a payload version.
type Subscription struct {
	EventObject string `json:"event_object"`
	EventAction string `json:"event_action"`
	Version     string `json:"version"`
}

func (s Subscription) String() string {
	return fmt.Sprintf("%s.%s (v%s)", s.EventAction, s.EventObject, s.Version)
}

// Key names the subscription uniquely within a stack: "2.0/deal/*", the action in
// its v2 spelling. Terraform keys the subscription's resource by it.
func (s Subscription) Key() string {
	return s.Version + "/" + s.EventObject + "/" + pipedrive.V2Action(s.EventAction)
}

// Defaults returns s with every empty field set to its default.
func (s Stack) Defaults() Stack {
	s.Name = cmp.Or(s.Name, DefaultName)
	s.AuthVersion = cmp.Or(s.AuthVersion, DefaultAuthVersion)
	s.TokenParameter = cmp.Or(s.TokenParameter, DefaultTokenParameter)
	s.APIURL = cmp.Or(s.APIURL, pipedrive.DefaultAPIURL)
	subs := make([]Subscription, 0, max(len(s.Subscriptions), 1))
	for _, sub := range s.Subscriptions {
		subs = append(subs, sub.Defaults())
	}
	if len(subs) == 0 {
		subs = append(subs, Subscription{}.Defaults())
	}
	s.Subscriptions = subs
	return s
}

// Defaults returns s with every empty field set to its default.
func (s Subscription) Defaults() Subscription {
	s.EventObject = cmp.Or(s.EventObject, DefaultEventObject)
	s.EventAction = cmp.Or(s.EventAction, DefaultEventAction)
	s.Version = cmp.Or(s.Version, DefaultVersion)
	return s
}

// Error is what is wrong with a registration: every problem found, each naming the
// field or the subscriptions at fault.
type Error struct {
	Problems []string
}

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "registration: " + e.Problems[0]
	}
	return "registration: " + strings.Join(e.Problems, "; ")
}

// ErrInvalid is wrapped by every error of Parse and Validate.
var ErrInvalid = errors.New("invalid registration")

// Is makes errors.Is(err, ErrInvalid) true for an *Error.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// parameterName is an SSM parameter name as AWS allows it (letters, digits and
// _.-/), up to 2048 characters.
var parameterName = regexp.MustCompile(`^[A-Za-z0-9_.\-/]+$`)

// region is an AWS region's shape, such as eu-central-1.
var region = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// Validate checks s, its defaults applied, as Pipedrive and AWS will, and reports
// every problem at once.
func (s Stack) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if p := checkURL(s.URL); p != "" {
		add("url: %s", p)
	}
	if s.Name == "" || len(s.Name) > 255 || strings.ContainsAny(s.Name, "\x00\r\n") {
		add("name: the webhooks' name must be 1 to 255 characters on one line")
	}
	if s.UserID < 0 {
		add("user_id %d: want a Pipedrive user id, or 0 for the token's user", s.UserID)
	}
	if s.AuthVersion < 1 {
		add("auth_version %d: want 1 or more", s.AuthVersion)
	}
	for _, p := range []struct{ key, value string }{{"auth_parameter", s.AuthParameter}, {"token_parameter", s.TokenParameter}} {
		if p.value != "" && (len(p.value) > 2048 || !parameterName.MatchString(p.value)) {
			add("%s %q: an SSM parameter name is 1 to 2048 letters, digits and _.-/", p.key, p.value)
		}
	}
	if s.Region != "" && !region.MatchString(s.Region) {
		add("region %q: want an AWS region such as eu-central-1", s.Region)
	}
	if u, err := url.Parse(s.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		add("api_url: want an absolute http(s) URL without credentials or query, such as %s", pipedrive.DefaultAPIURL)
	}
	problems = append(problems, checkSubscriptions(s.Subscriptions)...)
	if len(problems) > 0 {
		return &Error{Problems: problems}
	}
	return nil
}

// checkURL says what is wrong with a delivery URL, or "": https, or http to this
// machine (tests), with a host and no credentials, quotes or spaces.
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "no URL: the receiver's webhook URL is required"
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Sprintf("%q is not an absolute http(s) URL", raw)
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return fmt.Sprintf("%q: Pipedrive delivers to https URLs (http only to localhost, for tests)", raw)
	case u.User != nil:
		return "the URL must not carry credentials: Pipedrive sends them as basic auth"
	case strings.ContainsAny(raw, " \t\r\n'\"\\`"):
		return fmt.Sprintf("%q holds a space, a quote or a backslash", raw)
	}
	return ""
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkSubscriptions checks each subscription against Pipedrive's lists, then the
// list: at most MaxSubscriptions, and no two of one version that overlap.
func checkSubscriptions(subs []Subscription) []string {
	var problems []string
	if len(subs) == 0 {
		problems = append(problems, "subscriptions: none; want at least one")
	}
	if len(subs) > MaxSubscriptions {
		problems = append(problems, fmt.Sprintf("subscriptions: %d; at most %d (Pipedrive allows %d webhooks per user, and a rotation briefly needs two of each)",
			len(subs), MaxSubscriptions, MaxWebhooks))
	}
	for i, sub := range subs {
		// The URL is checked on its own: a valid one stands in for it here.
		ps := pipedrive.Subscription{URL: "https://example.com/", EventAction: sub.EventAction, EventObject: sub.EventObject, Version: sub.Version}
		if sub.Version == "" {
			problems = append(problems, fmt.Sprintf("subscriptions[%d] (%s): no version", i, sub))
		} else if err := ps.Validate(); err != nil {
			problems = append(problems, fmt.Sprintf("subscriptions[%d] (%s): %v", i, sub, err))
		}
	}
	for i := range subs {
		for j := range i {
			if Overlap(subs[j], subs[i]) {
				problems = append(problems, fmt.Sprintf("subscriptions[%d] (%s) overlaps subscriptions[%d] (%s): Pipedrive would deliver their common events twice",
					i, subs[i], j, subs[j]))
			}
		}
	}
	return problems
}

// Overlap reports whether a and b share events: the same version, and objects and
// actions that are equal or "*" on either side (*.* overlaps every subscription,
// *.deal overlaps change.deal). Subscriptions of different versions never
// overlap: a migration runs both for a while.
func Overlap(a, b Subscription) bool {
	meet := func(x, y string) bool { return x == y || x == "*" || y == "*" }
	return a.Version == b.Version && meet(a.EventObject, b.EventObject) &&
		meet(pipedrive.V2Action(a.EventAction), pipedrive.V2Action(b.EventAction))
}

// Parse reads a registration from its JSON: unknown keys and anything after the
// value are errors, empty fields take their defaults, and the result is valid.
func Parse(data []byte) (Stack, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Stack
	if err := dec.Decode(&s); err != nil {
		return Stack{}, &Error{Problems: []string{"not a registration's JSON: " + oneLine(err.Error())}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Stack{}, &Error{Problems: []string{"more after the registration's JSON value"}}
	}
	s = s.Defaults()
	if err := s.Validate(); err != nil {
		return Stack{}, err
	}
	return s, nil
}

// Registrations are the webhooks the stack registers, one per subscription, in
// order; their Auth is left for the caller to read.
func (s Stack) Registrations() []pipedrive.Registration {
	regs := make([]pipedrive.Registration, 0, len(s.Subscriptions))
	for _, sub := range s.Subscriptions {
		regs = append(regs, pipedrive.Registration{
			Subscription: pipedrive.Subscription{URL: s.URL, EventAction: sub.EventAction, EventObject: sub.EventObject, Version: sub.Version},
			Name:         s.Name, UserID: s.UserID,
		})
	}
	return regs
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
