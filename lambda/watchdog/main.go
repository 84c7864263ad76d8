// Command watchdog checks that the stack's Pipedrive webhooks, one per
// subscription of its registration (WEBHOOK_REGISTRATION), are alive, and
// registers one again when Pipedrive (or a person) deleted it. Under AWS Lambda
// (AWS_LAMBDA_RUNTIME_API is set) each invocation, from an EventBridge Scheduler
// schedule, is one check; anywhere else it checks once and exits 1 unless every
// webhook is healthy (or was just repaired). Each check logs one `webhook check`
// record per subscription; -h lists the environment.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/registration"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
)

func main() { cli.Main("watchdog", run) }

const environment = `
Environment:
  WEBHOOK_REGISTRATION         the stack's registration as JSON, as Terraform encodes it (required):
                               url, name, subscriptions, user_id, auth_parameter, token_parameter,
                               region, api_url; empty fields take their defaults
  WEBHOOK_AUTH_USER, WEBHOOK_AUTH_PASSWORD
                               the credentials given directly (local runs; with no auth_parameter)
  WEBHOOK_PAUSE_PARAMETER      SSM parameter that pauses the watchdog: an RFC 3339 time to pause
                               until (at most 24 h after it is written), or off; when it is
                               set and the parameter is gone, the stack is being destroyed
                               and nothing is registered
  PIPEDRIVE_API_TOKEN          the token given directly (local runs; else token_parameter is read)
  SENDER_RANGES_PARAMETER      SSM parameter to keep Pipedrive's webhook source ranges in (refreshed
                               at most every 6 hours, after the check; one "sender ranges" record)
  SENDER_RANGES_URL            where they are published (default Pipedrive's ip-ranges.json)
  LOG_LEVEL                    debug, info (default), warn or error
  AWS_REGION, AWS_ENDPOINT_URL_SSM, …
                               the AWS SDK's settings, for the SSM parameters
The parameters are read on every check: a rotated token or password is used at once.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	// In Lambda the invocation's deadline bounds each check; run locally, this does.
	deadline := fs.Duration("deadline", 55*time.Second, "run locally: the check gives up, and reports unknown, this long after it starts (in Lambda: the invocation's deadline, less 5 s)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [-deadline 55s]\n\nChecks the stack's Pipedrive webhooks, one per subscription, and registers one again when it is gone.\n\n", args[0])
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), environment)
	}
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	logger, err := jsonlog.NewLogger(stdout, getenv("LOG_LEVEL"))
	if err != nil {
		return err
	}
	cfg, err := configure(getenv, logger)
	if err != nil {
		return err
	}
	// Pipedrive's sender ranges ride along with each check, after it: the webhook
	// comes first.
	keeper := senders.KeeperFromEnv(getenv, logger)
	check := func(ctx context.Context) []watchdog.Report {
		r := watchdog.Check(ctx, cfg)
		if keeper != nil {
			// What time the check left, less a margin for the record: a refresh
			// that runs out of it fails and says so before Lambda's timeout.
			kctx, cancel := ctx, context.CancelFunc(func() {})
			if d, ok := ctx.Deadline(); ok {
				kctx, cancel = context.WithDeadline(ctx, d.Add(-2*time.Second))
			}
			keeper.Run(kctx)
			cancel()
		}
		return r
	}
	if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.StartWithOptions(func(ctx context.Context, _ json.RawMessage) ([]watchdog.Report, error) {
			// A finding is never an invocation error: that would only retry it, and
			// the alarms read the record.
			return check(ctx), nil
		}, lambda.WithContext(ctx))
		return nil
	}
	if *deadline <= 0 {
		return fmt.Errorf("-deadline %s: want a positive duration such as 55s", *deadline)
	}
	ctx, cancel := context.WithTimeout(ctx, *deadline)
	defer cancel()
	var bad []error
	for _, r := range check(ctx) {
		if r.Status != watchdog.StatusHealthy && r.Status != watchdog.StatusReRegistered {
			bad = append(bad, fmt.Errorf("the webhook of %s is %s: %s", r.Subscription, r.Status, cmp.Or(r.Pause, r.Problem, r.Error)))
		}
	}
	return errors.Join(bad...)
}

// configure reads what a check needs from the environment, and fails on anything
// missing or malformed: at a Lambda's init, that is one clear error.
func configure(getenv func(string) string, logger *slog.Logger) (watchdog.Config, error) {
	raw := getenv(registration.EnvVar)
	if raw == "" {
		return watchdog.Config{}, errors.New(registration.EnvVar + " is not set: the stack's registration, as the registration module's registration_json gives it")
	}
	stack, err := registration.Parse([]byte(raw))
	if err != nil {
		return watchdog.Config{}, fmt.Errorf("%s: %w", registration.EnvVar, err)
	}
	// The parameters are in the stack's region.
	ssm := secrets.LazySSMClient(func(k string) string {
		if k == "AWS_REGION" && stack.Region != "" {
			return stack.Region
		}
		return getenv(k)
	})
	parameter := func(name string) *secrets.Parameter {
		return &secrets.Parameter{Client: ssm, Name: name, Timeout: 3 * time.Second, Attempts: 3}
	}
	cfg := watchdog.Config{Registrations: stack.Registrations(), APIURL: stack.APIURL, Logger: logger}
	if name := getenv("WEBHOOK_PAUSE_PARAMETER"); name != "" {
		cfg.Pause = parameter(name).Read // afresh on every check, and before every change
	}
	if token := getenv("PIPEDRIVE_API_TOKEN"); token != "" {
		cfg.Token = func(context.Context) (string, error) { return token, nil }
	} else {
		// Read afresh on every check (a new Parameter has no cache).
		cfg.Token = func(ctx context.Context) (string, error) { return parameter(stack.TokenParameter).Value(ctx) }
	}
	choice, err := secrets.ChooseCredentials(getenv, stack.AuthParameter)
	switch {
	case errors.Is(err, secrets.ErrNotConfigured):
		// The receiver checks basic auth: a webhook registered without it would be
		// refused every delivery.
		return watchdog.Config{}, errors.New("no basic-auth credentials: give the registration an auth_parameter (or set WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD)")
	case err != nil:
		return watchdog.Config{}, err
	}
	// Read afresh on every check: a rotated password is registered at once.
	cfg.Credentials = choice.Source(ssm, secrets.ReadPolicy{Fresh: true, Timeout: 3 * time.Second, Attempts: 3}).Credentials
	return cfg, nil
}
