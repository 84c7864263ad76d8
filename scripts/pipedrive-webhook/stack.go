package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/registration"
)

// stackFlags are how register and delete learn the stack's registration: the
// whole value as JSON (--registration FILE or -, else WEBHOOK_REGISTRATION, what
// Terraform gives), or, for people, flags that fill the same value with one
// subscription. Every default is registration's.
type stackFlags struct {
	file                           string
	url, action, object, version   string
	name                           string
	userID                         int64
	settings, subscriptionSettings []string // the flags that are registration settings
}

func (f *stackFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "registration", "", "read the stack's registration, as JSON, from this `file` (- for stdin); default $"+registration.EnvVar+"; the flags below are for a registration without either")
	fs.StringVar(&f.url, "url", "", "the receiver's `URL` (required without a registration)")
	fs.StringVar(&f.action, "event-action", "", "create, change, delete or * (v1's added, updated, merged, deleted are taken too) (default "+registration.DefaultEventAction+")")
	fs.StringVar(&f.object, "event-object", "", "the object: 1.0 offers "+strings.Join(eventObjects("1.0"), ", ")+"; 2.0 offers "+strings.Join(eventObjects("2.0"), ", ")+" (default "+registration.DefaultEventObject+")")
	fs.StringVar(&f.version, "version", "", "webhook payload version: 1.0 or 2.0 (default "+registration.DefaultVersion+")")
	fs.StringVar(&f.name, "name", "", "the webhook's name in Pipedrive (default "+registration.DefaultName+")")
	fs.Int64Var(&f.userID, "user-id", 0, "the Pipedrive user whose permissions events are checked against: an admin receives every event (default: the token's user)")
	f.subscriptionSettings = []string{"url", "event-action", "event-object", "version"}
	f.settings = append(slices.Clone(f.subscriptionSettings), "name", "user-id", "auth-parameter", "token-parameter", "region")
}

// stack is the registration the flags or the JSON give, defaults applied and
// checked. The JSON comes from --registration, else from WEBHOOK_REGISTRATION;
// setting flags beside a JSON value are an error, since which one would win is a
// guess. The parameters and region of the flags
// (their defaults included) fill the value only in the flags' case.
func (f *stackFlags) stack(fs *flag.FlagSet, e env, c common, a authFlags) (registration.Stack, error) {
	var given []string
	fs.Visit(func(fl *flag.Flag) {
		if slices.Contains(f.settings, fl.Name) {
			given = append(given, "--"+fl.Name)
		}
	})
	raw, source, err := f.json(e, true)
	switch {
	case err != nil:
		return registration.Stack{}, err
	case raw != nil && len(given) > 0:
		return registration.Stack{}, badUsage(fmt.Errorf("%s gives the whole registration: drop %s, or put them in it", source, strings.Join(given, ", ")))
	case raw != nil:
		s, err := registration.Parse(raw)
		if err != nil {
			return registration.Stack{}, badUsage(fmt.Errorf("%s: %w", source, err))
		}
		return s, nil
	case f.url == "":
		return registration.Stack{}, badUsage(errors.New("--url is required (or a registration: --registration, or " + registration.EnvVar + ")"))
	}
	s := registration.Stack{
		URL: f.url, Name: f.name, UserID: f.userID,
		Subscriptions:  []registration.Subscription{{EventObject: f.object, EventAction: f.action, Version: f.version}},
		AuthParameter:  a.parameter,
		TokenParameter: c.tokenParameter, Region: c.region, APIURL: e.getenv("PIPEDRIVE_API_URL"),
	}.Defaults()
	if err := s.Validate(); err != nil {
		return registration.Stack{}, badUsage(err)
	}
	return s, nil
}

// json is the registration's JSON and where it came from, or nil when none is
// given (the environment's is looked at only when fromEnv).
func (f *stackFlags) json(e env, fromEnv bool) ([]byte, string, error) {
	switch {
	case f.file == "-":
		if e.stdin == nil {
			return nil, "", badUsage(errors.New("--registration -: no standard input"))
		}
		b, err := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
		return b, "the registration on standard input", err
	case f.file != "":
		b, err := os.ReadFile(f.file)
		if err != nil {
			return nil, "", badUsage(fmt.Errorf("--registration: %w", err))
		}
		return b, "--registration " + f.file, nil
	case fromEnv && e.getenv(registration.EnvVar) != "":
		return []byte(e.getenv(registration.EnvVar)), registration.EnvVar, nil
	}
	return nil, "", nil
}

// eventObjects are the objects version offers, "*" last.
func eventObjects(version string) []string { return pipedrive.EventObjects[version] }
