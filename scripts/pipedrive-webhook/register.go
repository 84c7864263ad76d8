package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

// subscriptionFlags are the flags that say what a webhook delivers.
func subscriptionFlags(fs *flag.FlagSet, reg *pipedrive.Registration) {
	fs.StringVar(&reg.URL, "url", "", "the receiver's `URL` (required)")
	fs.StringVar(&reg.EventAction, "event-action", "*", "create, change, delete or * (v1's added, updated, merged, deleted are taken too)")
	fs.StringVar(&reg.EventObject, "event-object", "deal", "activity, activityType (v1 only), deal, lead, note, organization, person, pipeline, product, stage, user or *")
	fs.StringVar(&reg.Version, "version", pipedrive.V2, "webhook payload version: 1.0 or 2.0")
	fs.StringVar(&reg.Name, "name", "pipedrive-webhooks", "the webhook's name in Pipedrive")
	fs.Int64Var(&reg.UserID, "user-id", 0, "the Pipedrive user whose permissions events are checked against (default: the token's user)")
}

// validate turns a registration's problem into a usage error naming the flag.
func validate(reg pipedrive.Registration) error {
	if reg.URL == "" {
		return usageError{errors.New("--url is required")}
	}
	if err := reg.Validate(); err != nil {
		return usageError{err}
	}
	return nil
}

func cmdRegister(ctx context.Context, args []string, e env, redact *secrets.Redactor) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	var c common
	var a authFlags
	var reg pipedrive.Registration
	var opts pipedrive.RegisterOptions
	var retire idList
	settle := 30 * time.Second
	c.register(fs, e)
	a.register(fs, e)
	subscriptionFlags(fs, &reg)
	fs.Var(&retire, "replace-id", "once the webhook exists, delete this older `id` (say, the one for a previous URL); repeat it, or give several separated by commas; one already gone counts as deleted")
	fs.BoolVar(&opts.Rotate, "rotate", false, "create a new webhook even if a healthy one matches, then delete the matching ones: how new basic-auth credentials reach Pipedrive")
	fs.BoolVar(&opts.Exclusive, "exclusive", false, "once the webhook exists, delete every other webhook delivering to --url (earlier registrations of the same stack)")
	fs.DurationVar(&settle, "settle", settle, "how long to look for a create whose answer was lost before creating again")
	if err := parse(fs, args, &c); err != nil {
		return err
	}
	if err := validate(reg); err != nil {
		return err
	}
	opts.Retire = retire
	s, err := connect(ctx, e, c, redact)
	if err != nil {
		return err
	}
	s.api.Settle = settle
	if reg.Auth, err = s.credentials(ctx, a); err != nil {
		return err
	}
	res, err := s.api.Register(ctx, reg, opts)
	if err != nil {
		return err
	}
	return s.printResult(res)
}

func cmdMigrate(ctx context.Context, args []string, e env, redact *secrets.Redactor) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var c common
	var a authFlags
	var id int64
	var name string
	settle := 30 * time.Second
	c.register(fs, e)
	a.register(fs, e)
	fs.DurationVar(&settle, "settle", settle, "how long to look for a create whose answer was lost before creating again")
	fs.Int64Var(&id, "id", 0, "the v1 webhook `id` to replace (required)")
	fs.StringVar(&name, "name", "pipedrive-webhooks", "name of the v2 webhook")
	if err := parse(fs, args, &c); err != nil {
		return err
	}
	if id == 0 {
		return usageError{errors.New("--id is required")}
	}
	s, err := connect(ctx, e, c, redact)
	if err != nil {
		return err
	}
	s.api.Settle = settle
	auth, err := s.credentials(ctx, a)
	if err != nil {
		return err
	}
	res, err := s.api.Migrate(ctx, id, name, auth)
	if err != nil {
		return err
	}
	return s.printResult(res)
}

// idList is a repeatable flag of webhook ids ("--replace-id 1 --replace-id 2", or
// "--replace-id 1,2").
type idList []int64

func (l *idList) String() string { return fmt.Sprint([]int64(*l)) }

func (l *idList) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%q is not a webhook id", part)
		}
		*l = append(*l, id)
	}
	return nil
}
