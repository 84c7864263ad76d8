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
	"github.com/dissertation-editor/pipedrive-webhooks/internal/registration"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

func cmdRegister(ctx context.Context, args []string, e env, redact *secrets.Redactor) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	var c common
	var a authFlags
	var f stackFlags
	var opts pipedrive.RegisterOptions
	var retire idList
	settle := 30 * time.Second
	c.register(fs, e)
	a.register(fs, e)
	f.register(fs)
	fs.Var(&retire, "replace-id", "once the webhook exists, delete this older `id` (say, the one for a previous URL); repeat it, or give several separated by commas; one already gone counts as deleted")
	fs.BoolVar(&opts.Rotate, "rotate", false, "create a new webhook even if a healthy one matches, then delete the matching ones: how new basic-auth credentials reach Pipedrive")
	fs.BoolVar(&opts.Exclusive, "exclusive", false, "once the webhook exists, delete every other webhook delivering its subscription to the URL, however young (the stack's other subscriptions are left alone)")
	fs.DurationVar(&settle, "settle", settle, "how long to look for a create whose answer was lost before creating again")
	if err := parse(fs, args, &c, e); err != nil {
		return err
	}
	stack, err := f.stack(fs, e, c, a)
	if err != nil {
		return err
	}
	c.tokenParameter, c.region, a.parameter = stack.TokenParameter, stack.Region, stack.AuthParameter
	s, err := connect(ctx, e, c, stack.APIURL, redact)
	if err != nil {
		return err
	}
	s.api.Settle = settle
	auth, err := s.credentials(ctx, a)
	if err != nil {
		return err
	}
	// One webhook per subscription, in order; the ids to retire go with the first.
	var results []pipedrive.Result
	for i, reg := range stack.Registrations() {
		reg.Auth = auth
		o := opts
		if i == 0 {
			o.Retire = retire
		}
		res, err := s.api.Register(ctx, reg, o)
		if err != nil {
			if len(stack.Subscriptions) > 1 {
				err = fmt.Errorf("%s: %w", stack.Subscriptions[i], err)
			}
			return err
		}
		results = append(results, res)
	}
	return s.printResults(results)
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
	fs.StringVar(&name, "name", registration.DefaultName, "name of the v2 webhook")
	if err := parse(fs, args, &c, e); err != nil {
		return err
	}
	if id == 0 {
		return badUsage(errors.New("--id is required"))
	}
	s, err := connect(ctx, e, c, e.getenv("PIPEDRIVE_API_URL"), redact)
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
	return s.printResults([]pipedrive.Result{res})
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
