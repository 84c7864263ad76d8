package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/registration"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

func cmdDelete(ctx context.Context, args []string, e env, redact *secrets.Redactor) error {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	var c common
	var id int64
	var f filter
	var file string
	c.register(fs, e)
	fs.Int64Var(&id, "id", 0, "the webhook `id` to delete")
	fs.StringVar(&f.url, "url", "", "delete every webhook delivering to this `URL` (narrowed by the flags below when given)")
	fs.StringVar(&f.action, "event-action", "", "with --url: only this event action")
	fs.StringVar(&f.object, "event-object", "", "with --url: only this event object")
	fs.StringVar(&f.version, "version", "", "with --url: only this version")
	fs.StringVar(&file, "registration", "", "delete the webhooks of this registration's subscriptions at its URL, the registration read as JSON from this `file` (- for stdin); default $"+registration.EnvVar+" without --id and --url")
	if err := parse(fs, args, &c, e); err != nil {
		return err
	}
	var filters []filter
	apiURL := e.getenv("PIPEDRIVE_API_URL")
	switch {
	case (id == 0) == (f.url == "") && (id != 0 || file != ""):
		return badUsage(errors.New("give exactly one of --id and --url (or a registration: --registration, or " + registration.EnvVar + ")"))
	case id != 0 && file != "", f.url != "" && file != "":
		return badUsage(errors.New("give exactly one of --id, --url and --registration"))
	case id == 0 && f.url == "":
		sf := stackFlags{file: file}
		raw, source, err := sf.json(e, true)
		if err != nil {
			return err
		}
		if raw == nil {
			return badUsage(errors.New("give exactly one of --id and --url (or a registration: --registration, or " + registration.EnvVar + ")"))
		}
		stack, err := registration.Parse(raw)
		if err != nil {
			return badUsage(fmt.Errorf("%s: %w", source, err))
		}
		for _, sub := range stack.Subscriptions {
			filters = append(filters, filter{url: stack.URL, action: sub.EventAction, object: sub.EventObject, version: sub.Version})
		}
		c.tokenParameter, c.region, apiURL = stack.TokenParameter, stack.Region, stack.APIURL
	case f.url != "":
		filters = append(filters, f)
	}
	s, err := connect(ctx, e, c, apiURL, redact)
	if err != nil {
		return err
	}
	ids := []int64{id}
	if len(filters) > 0 {
		match := func(w *pipedrive.Webhook) bool {
			return slices.ContainsFunc(filters, func(f filter) bool { return f.match(w) })
		}
		if ids, err = s.api.DeleteWhere(ctx, match); err != nil {
			return err
		}
		if len(ids) == 0 {
			s.say("no webhook delivers to %s: nothing to delete", filters[0].url)
		}
	} else if err := s.api.Retire(ctx, id); err != nil {
		return err
	}
	if c.output == "json" {
		return s.printJSON(map[string][]int64{"deleted": append([]int64{}, ids...)})
	}
	return nil
}

// filter picks webhooks by URL and, when given, event and version.
type filter struct{ url, action, object, version string }

func (f filter) match(w *pipedrive.Webhook) bool {
	return w.SubscriptionURL == f.url &&
		(f.object == "" || w.EventObject == f.object) &&
		(f.action == "" || pipedrive.V2Action(w.EventAction) == pipedrive.V2Action(f.action)) &&
		(f.version == "" || w.Version == f.version)
}
