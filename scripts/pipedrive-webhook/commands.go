package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

// DefaultTokenParameter is where the seed keeps the Pipedrive API token.
const DefaultTokenParameter = "/dissertation-editor/pipedrive/api-token"

var (
	eventObjects = []string{"activity", "deal", "lead", "note", "organization", "person", "pipeline", "product", "stage", "user", "*"}
	eventActions = []string{"create", "change", "delete", "*", "added", "updated", "deleted", "merged"}
)

// common holds the flags every command has.
type common struct {
	output         string
	tokenParameter string
	timeout        time.Duration
}

func (c *common) register(fs *flag.FlagSet, e env) {
	fs.StringVar(&c.output, "output", "text", "output format: text or json")
	fs.StringVar(&c.tokenParameter, "token-parameter", DefaultTokenParameter,
		"SSM SecureString `name` holding the Pipedrive API token, read when PIPEDRIVE_API_TOKEN is not set")
	fs.DurationVar(&c.timeout, "timeout", 15*time.Second, "timeout of each API request")
	fs.SetOutput(e.stderr)
}

func parse(fs *flag.FlagSet, args []string, c *common) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if c.output != "text" && c.output != "json" {
		return usageError{fmt.Errorf("--output %q: want text or json", c.output)}
	}
	return nil
}

// session is a parsed command's connection to Pipedrive and SSM.
type session struct {
	env
	common
	api *pipedrive.Client
	// ssm is set up on first use: a command with PIPEDRIVE_API_TOKEN and no auth
	// parameter never touches AWS.
	ssm secrets.GetParameterAPI
}

func connect(ctx context.Context, e env, c common) (*session, error) {
	s := &session{env: e, common: c, ssm: secrets.Lazy(e.newSSM)}
	token := e.getenv("PIPEDRIVE_API_TOKEN")
	if token == "" {
		if c.tokenParameter == "" {
			return nil, errors.New("no Pipedrive API token: set PIPEDRIVE_API_TOKEN or --token-parameter")
		}
		v, err := secrets.GetParameter(ctx, s.ssm, c.tokenParameter)
		if err != nil {
			return nil, fmt.Errorf("no PIPEDRIVE_API_TOKEN, and the token parameter cannot be read: %w", err)
		}
		token = v
	}
	api, err := pipedrive.NewClient(e.getenv("PIPEDRIVE_API_URL"), token)
	if err != nil {
		return nil, err
	}
	api.HTTP.Timeout = c.timeout
	s.api = api
	return s, nil
}

func (s *session) say(format string, args ...any) {
	fmt.Fprintf(s.stderr, format+"\n", args...)
}

func (s *session) printJSON(v any) error {
	enc := json.NewEncoder(s.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// authFlags are how register and migrate learn the basic-auth credentials.
type authFlags struct {
	parameter string
	noAuth    bool
}

func (a *authFlags) register(fs *flag.FlagSet, e env) {
	fs.StringVar(&a.parameter, "auth-parameter", e.getenv("WEBHOOK_AUTH_PARAMETER"),
		"SSM SecureString `name` holding the basic-auth \"user:password\" (default $WEBHOOK_AUTH_PARAMETER; else WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD)")
	fs.BoolVar(&a.noAuth, "no-auth", false, "register without basic auth (the receiver must then run without it)")
}

// credentials reads the credentials Pipedrive is to send, from the same places the
// receiver reads them.
func (s *session) credentials(ctx context.Context, a authFlags) (secrets.Credentials, error) {
	if a.noAuth {
		return secrets.Credentials{}, nil
	}
	getenv := func(k string) string {
		if k == "WEBHOOK_AUTH_PARAMETER" {
			return a.parameter
		}
		return s.getenv(k)
	}
	src, err := secrets.CredentialsFromEnv(getenv, func(func(string) string) secrets.GetParameterAPI { return s.ssm }, nil)
	if errors.Is(err, secrets.ErrNotConfigured) {
		return secrets.Credentials{}, errors.New("no basic-auth credentials: give --auth-parameter (or WEBHOOK_AUTH_PARAMETER), set WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD, or say --no-auth")
	}
	if err != nil {
		return secrets.Credentials{}, err
	}
	return src.Credentials(ctx)
}

func validateSubscription(w *pipedrive.NewWebhook) error {
	u, err := url.Parse(w.SubscriptionURL)
	switch {
	case w.SubscriptionURL == "":
		return usageError{errors.New("--url is required")}
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return usageError{fmt.Errorf("--url %q is not an absolute http(s) URL", w.SubscriptionURL)}
	case u.User != nil:
		return usageError{errors.New("--url must not carry credentials: they come from --auth-parameter")}
	case !slices.Contains(eventObjects, w.EventObject):
		return usageError{fmt.Errorf("--event-object %q: want one of %s", w.EventObject, strings.Join(eventObjects, ", "))}
	case !slices.Contains(eventActions, w.EventAction):
		return usageError{fmt.Errorf("--event-action %q: want one of create, change, delete, *", w.EventAction)}
	case w.Version != pipedrive.V1 && w.Version != pipedrive.V2:
		return usageError{fmt.Errorf("--version %q: want 1.0 or 2.0", w.Version)}
	case w.Name == "" || len(w.Name) > 255:
		return usageError{errors.New("--name must be 1 to 255 characters")}
	}
	w.EventAction = pipedrive.V2Action(w.EventAction) // the API takes the v2 spelling
	return nil
}

func subscriptionFlags(fs *flag.FlagSet, w *pipedrive.NewWebhook) {
	fs.StringVar(&w.SubscriptionURL, "url", "", "the receiver's `URL` (required)")
	fs.StringVar(&w.EventAction, "event-action", "*", "create, change, delete or *")
	fs.StringVar(&w.EventObject, "event-object", "deal", "deal, person, lead, … or *")
	fs.StringVar(&w.Version, "version", pipedrive.V2, "webhook payload version: 1.0 or 2.0")
	fs.StringVar(&w.Name, "name", "pipedrive-webhooks", "the webhook's name in Pipedrive")
	fs.Int64Var(&w.UserID, "user-id", 0, "the Pipedrive user whose permissions events are checked against (default: the token's user)")
}

type registered struct {
	ID      int64   `json:"id"`
	Created bool    `json:"created"`
	Deleted []int64 `json:"deleted,omitempty"`
}

func cmdRegister(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	var c common
	var a authFlags
	var w pipedrive.NewWebhook
	var replaceID int64
	var rotate, matchName bool
	var supersede string
	c.register(fs, e)
	a.register(fs, e)
	subscriptionFlags(fs, &w)
	fs.Int64Var(&replaceID, "replace-id", 0, "once the webhook exists, delete this older one (say, the one for a previous URL)")
	fs.BoolVar(&rotate, "rotate", false, "create a new webhook even if one matches, then delete the matching ones: how new basic-auth credentials reach Pipedrive")
	fs.StringVar(&supersede, "supersede", "", "once the webhook exists, delete the other webhooks whose name starts with this `prefix` (earlier registrations of the same stack)")
	fs.BoolVar(&matchName, "match-name", false, "reuse only a webhook that also has this --name (Terraform names each credentials version apart)")
	if err := parse(fs, args, &c); err != nil {
		return err
	}
	if err := validateSubscription(&w); err != nil {
		return err
	}
	s, err := connect(ctx, e, c)
	if err != nil {
		return err
	}
	creds, err := s.credentials(ctx, a)
	if err != nil {
		return err
	}
	w.HTTPAuthUser, w.HTTPAuthPassword = creds.User, creds.Password
	same := w.Same
	if matchName {
		same = func(h *pipedrive.Webhook) bool { return w.Same(h) && h.Name == w.Name }
	}
	res, err := s.register(ctx, w, same, rotate)
	if err != nil {
		return err
	}
	if supersede != "" {
		deleted, err := s.supersede(ctx, supersede, res.ID)
		res.Deleted = append(res.Deleted, deleted...)
		if err != nil {
			return fmt.Errorf("webhook %d is registered, but retiring the ones it supersedes failed: %w", res.ID, err)
		}
	}
	if replaceID != 0 && replaceID != res.ID {
		if err := s.delete(ctx, replaceID); err != nil {
			return fmt.Errorf("webhook %d is registered, but replacing %d failed: %w", res.ID, replaceID, err)
		}
		res.Deleted = append(res.Deleted, replaceID)
	}
	if c.output == "json" {
		return s.printJSON(res)
	}
	fmt.Fprintln(s.stdout, res.ID)
	return nil
}

// register makes sure exactly one webhook matches w and returns it. A create that
// fails in a way that may have registered it anyway (a 5xx, a timeout) is followed
// by a fresh look rather than a blind second create.
func (s *session) register(ctx context.Context, w pipedrive.NewWebhook, same func(*pipedrive.Webhook) bool, rotate bool) (registered, error) {
	existing, err := s.api.ListWebhooks(ctx)
	if err != nil {
		return registered{}, err
	}
	matches := pipedrive.Find(existing, same)
	if len(matches) > 0 && !rotate {
		id := matches[0].ID
		s.say("webhook %d already delivers %s.%s (v%s) to %s", id, w.EventAction, w.EventObject, w.Version, w.SubscriptionURL)
		if len(matches) > 1 {
			s.say("warning: %d webhooks match; Pipedrive delivers each event once per webhook. Delete the extra ones with: delete --id", len(matches))
		}
		return registered{ID: id}, nil
	}
	created, err := s.api.CreateWebhook(ctx, w)
	if err != nil {
		var apiErr *pipedrive.APIError
		if errors.As(err, &apiErr) && apiErr.Status < 500 {
			return registered{}, err
		}
		// The create may have landed: look before trying again.
		after, lerr := s.api.ListWebhooks(ctx)
		if lerr != nil {
			return registered{}, fmt.Errorf("%w (and listing to check failed: %w)", err, lerr)
		}
		found := pipedrive.Find(after, func(h *pipedrive.Webhook) bool {
			return same(h) && !slices.ContainsFunc(matches, func(m pipedrive.Webhook) bool { return m.ID == h.ID })
		})
		if len(found) == 0 {
			if created, err = s.api.CreateWebhook(ctx, w); err != nil {
				return registered{}, err
			}
		} else {
			created = found[0]
		}
	}
	s.say("created webhook %d: %s.%s (v%s) to %s", created.ID, w.EventAction, w.EventObject, w.Version, w.SubscriptionURL)
	res := registered{ID: created.ID, Created: true}
	for _, old := range matches { // --rotate: the new one exists, retire the old ones
		if err := s.delete(ctx, old.ID); err != nil {
			return res, fmt.Errorf("webhook %d is registered, but deleting the old %d failed: %w", created.ID, old.ID, err)
		}
		res.Deleted = append(res.Deleted, old.ID)
	}
	return res, nil
}

// supersede deletes the webhooks named with prefix, but keep.
func (s *session) supersede(ctx context.Context, prefix string, keep int64) ([]int64, error) {
	all, err := s.api.ListWebhooks(ctx)
	if err != nil {
		return nil, err
	}
	var deleted []int64
	for _, h := range pipedrive.Find(all, func(h *pipedrive.Webhook) bool { return h.ID != keep && strings.HasPrefix(h.Name, prefix) }) {
		if err := s.delete(ctx, h.ID); err != nil {
			return deleted, err
		}
		deleted = append(deleted, h.ID)
	}
	return deleted, nil
}

// delete deletes one webhook; one already gone counts as deleted.
func (s *session) delete(ctx context.Context, id int64) error {
	err := s.api.DeleteWebhook(ctx, id)
	switch {
	case errors.Is(err, pipedrive.ErrNotFound):
		s.say("webhook %d was already deleted", id)
		return nil
	case err != nil:
		return err
	}
	s.say("deleted webhook %d", id)
	return nil
}

func cmdList(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	var c common
	var onlyURL string
	c.register(fs, e)
	fs.StringVar(&onlyURL, "url", "", "only the webhooks delivering to this `URL`")
	if err := parse(fs, args, &c); err != nil {
		return err
	}
	s, err := connect(ctx, e, c)
	if err != nil {
		return err
	}
	all, err := s.api.ListWebhooks(ctx)
	if err != nil {
		return err
	}
	ws := pipedrive.Find(all, func(w *pipedrive.Webhook) bool { return onlyURL == "" || w.SubscriptionURL == onlyURL })
	if c.output == "json" {
		if ws == nil {
			ws = []pipedrive.Webhook{} // [] rather than null
		}
		return s.printJSON(ws)
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tEVENT\tURL\tACTIVE\tAUTH\tLAST DELIVERY\tLAST STATUS\tNAME")
	for _, w := range ws {
		fmt.Fprintf(tw, "%d\t%s\t%s.%s\t%s\t%s\t%s\t%s\t%s\t%s\n", w.ID, w.Version, w.EventAction, w.EventObject,
			w.SubscriptionURL, yesNo(w.Active()), yesNo(w.HasBasicAuth()), orDash(w.LastDeliveryTime), statusOrDash(w.LastHTTPStatus), w.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(ws) == 0 {
		s.say("no webhooks")
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

func statusOrDash(n *int) string {
	if n == nil {
		return "-"
	}
	return strconv.Itoa(*n)
}

func cmdDelete(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	var c common
	var id int64
	var w pipedrive.NewWebhook
	c.register(fs, e)
	fs.Int64Var(&id, "id", 0, "the webhook `id` to delete")
	fs.StringVar(&w.SubscriptionURL, "url", "", "delete every webhook delivering to this `URL` (narrowed by the flags below when given)")
	fs.StringVar(&w.EventAction, "event-action", "", "with --url: only this event action")
	fs.StringVar(&w.EventObject, "event-object", "", "with --url: only this event object")
	fs.StringVar(&w.Version, "version", "", "with --url: only this version")
	fs.StringVar(&w.Name, "name", "", "with --url: only webhooks with this name")
	if err := parse(fs, args, &c); err != nil {
		return err
	}
	if (id == 0) == (w.SubscriptionURL == "") {
		return usageError{errors.New("give exactly one of --id and --url")}
	}
	s, err := connect(ctx, e, c)
	if err != nil {
		return err
	}
	ids := []int64{id}
	if w.SubscriptionURL != "" {
		all, err := s.api.ListWebhooks(ctx)
		if err != nil {
			return err
		}
		ids = nil
		for _, h := range pipedrive.Find(all, func(h *pipedrive.Webhook) bool { return matchesFilter(w, h) }) {
			ids = append(ids, h.ID)
		}
		if len(ids) == 0 {
			s.say("no webhook delivers to %s: nothing to delete", w.SubscriptionURL)
		}
	}
	for _, id := range ids {
		if err := s.delete(ctx, id); err != nil {
			return err
		}
	}
	if c.output == "json" {
		return s.printJSON(map[string][]int64{"deleted": append([]int64{}, ids...)})
	}
	return nil
}

func matchesFilter(f pipedrive.NewWebhook, h *pipedrive.Webhook) bool {
	return h.SubscriptionURL == f.SubscriptionURL &&
		(f.EventObject == "" || h.EventObject == f.EventObject) &&
		(f.EventAction == "" || pipedrive.V2Action(h.EventAction) == pipedrive.V2Action(f.EventAction)) &&
		(f.Version == "" || h.Version == f.Version) &&
		(f.Name == "" || h.Name == f.Name)
}

func cmdMigrate(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var c common
	var a authFlags
	var id int64
	var name string
	c.register(fs, e)
	a.register(fs, e)
	fs.Int64Var(&id, "id", 0, "the v1 webhook `id` to replace (required)")
	fs.StringVar(&name, "name", "", "name of the v2 webhook (default: the v1 webhook's name, or pipedrive-webhooks)")
	if err := parse(fs, args, &c); err != nil {
		return err
	}
	if id == 0 {
		return usageError{errors.New("--id is required")}
	}
	s, err := connect(ctx, e, c)
	if err != nil {
		return err
	}
	all, err := s.api.ListWebhooks(ctx)
	if err != nil {
		return err
	}
	found := pipedrive.Find(all, func(w *pipedrive.Webhook) bool { return w.ID == id })
	if len(found) == 0 {
		return fmt.Errorf("webhook %d does not exist (already migrated?); 'list' shows the company's webhooks", id)
	}
	old := found[0]
	if old.Version == pipedrive.V2 {
		s.say("webhook %d is already v2: nothing to migrate", id)
		if c.output == "json" {
			return s.printJSON(registered{ID: id})
		}
		fmt.Fprintln(s.stdout, id)
		return nil
	}
	creds, err := s.credentials(ctx, a)
	if err != nil {
		return err
	}
	w := pipedrive.NewWebhook{
		SubscriptionURL: old.SubscriptionURL,
		EventAction:     pipedrive.V2Action(old.EventAction),
		EventObject:     old.EventObject,
		Name:            cmp.Or(name, old.Name, "pipedrive-webhooks"),
		Version:         pipedrive.V2,
		UserID:          old.UserID,
		HTTPAuthUser:    creds.User, HTTPAuthPassword: creds.Password,
	}
	if err := validateSubscription(&w); err != nil {
		return fmt.Errorf("webhook %d cannot be migrated as it is: %w", id, err)
	}
	res, err := s.register(ctx, w, w.Same, false)
	if err != nil {
		return fmt.Errorf("creating the v2 webhook failed; v1 webhook %d is untouched: %w", id, err)
	}
	if err := s.delete(ctx, id); err != nil {
		return fmt.Errorf("v2 webhook %d exists, but deleting v1 webhook %d failed (both now deliver): %w", res.ID, id, err)
	}
	res.Deleted = append(res.Deleted, id)
	s.say("migrated webhook %d (v1) to %d (v2)", id, res.ID)
	if c.output == "json" {
		return s.printJSON(res)
	}
	fmt.Fprintln(s.stdout, res.ID)
	return nil
}
