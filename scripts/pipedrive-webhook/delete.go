package main

import (
	"context"
	"errors"
	"flag"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

func cmdDelete(ctx context.Context, args []string, e env, redact *secrets.Redactor) error {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	var c common
	var id int64
	var f filter
	c.register(fs, e)
	fs.Int64Var(&id, "id", 0, "the webhook `id` to delete")
	fs.StringVar(&f.url, "url", "", "delete every webhook delivering to this `URL` (narrowed by the flags below when given)")
	fs.StringVar(&f.action, "event-action", "", "with --url: only this event action")
	fs.StringVar(&f.object, "event-object", "", "with --url: only this event object")
	fs.StringVar(&f.version, "version", "", "with --url: only this version")
	if err := parse(fs, args, &c); err != nil {
		return err
	}
	if (id == 0) == (f.url == "") {
		return usageError{errors.New("give exactly one of --id and --url")}
	}
	s, err := connect(ctx, e, c, redact)
	if err != nil {
		return err
	}
	ids := []int64{id}
	if f.url != "" {
		if ids, err = s.api.DeleteWhere(ctx, f.match); err != nil {
			return err
		}
		if len(ids) == 0 {
			s.say("no webhook delivers to %s: nothing to delete", f.url)
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
