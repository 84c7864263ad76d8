// Command watchdog checks that the stack's Pipedrive webhook is alive, and registers
// it again when Pipedrive (or a person) deleted it. Under AWS Lambda
// (AWS_LAMBDA_RUNTIME_API is set) each invocation, from an EventBridge Scheduler
// schedule, is one check; anywhere else it checks once and exits 1 unless the
// webhook is healthy (or was just repaired). Each check logs one `webhook check`
// record; -h lists the environment.
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
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
)

func main() { cli.Main("watchdog", run) }

const environment = `
Environment:
  WEBHOOK_URL                  the receiver's URL (required)
  WEBHOOK_EVENT_ACTION         create, change, delete or * (default *)
  WEBHOOK_EVENT_OBJECT         deal, person, … or * (default deal)
  WEBHOOK_VERSION              1.0 or 2.0 (default 2.0)
  WEBHOOK_NAME                 the webhook's name in Pipedrive (default pipedrive-webhooks)
  WEBHOOK_AUTH_PARAMETER       SSM SecureString holding the basic-auth "user:password"
  WEBHOOK_AUTH_USER, WEBHOOK_AUTH_PASSWORD
                               the credentials given directly (local runs)
  WEBHOOK_PAUSE_PARAMETER      SSM parameter that pauses the watchdog: an RFC 3339 time to pause
                               until (at most 24 h after it is written), or off; when it is
                               set and the parameter is gone, the stack is being destroyed
                               and nothing is registered
  PIPEDRIVE_API_TOKEN_PARAMETER  SSM SecureString holding the Pipedrive API token
  PIPEDRIVE_API_TOKEN          the token given directly (local runs)
  PIPEDRIVE_API_URL            the webhooks API (default https://api.pipedrive.com/v1)
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
		fmt.Fprintf(fs.Output(), "usage: %s [-deadline 55s]\n\nChecks the stack's Pipedrive webhook and registers it again when it is gone.\n\n", args[0])
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), environment+reconcileEnvironment)
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
	check := func(ctx context.Context) watchdog.Report {
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
		reconcileAfterCheck(ctx, getenv, logger, cfg.Token)
		return r
	}
	if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.StartWithOptions(func(ctx context.Context, _ json.RawMessage) (watchdog.Report, error) {
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
	r := check(ctx)
	if r.Status != watchdog.StatusHealthy && r.Status != watchdog.StatusReRegistered {
		return fmt.Errorf("the webhook is %s: %s", r.Status, cmp.Or(r.Pause, r.Problem, r.Error))
	}
	return nil
}

// configure reads what a check needs from the environment, and fails on anything
// missing or malformed: at a Lambda's init, that is one clear error.
func configure(getenv func(string) string, logger *slog.Logger) (watchdog.Config, error) {
	reg := pipedrive.Registration{
		Subscription: pipedrive.Subscription{
			URL:         getenv("WEBHOOK_URL"),
			EventAction: cmp.Or(getenv("WEBHOOK_EVENT_ACTION"), "*"),
			EventObject: cmp.Or(getenv("WEBHOOK_EVENT_OBJECT"), "deal"),
			Version:     cmp.Or(getenv("WEBHOOK_VERSION"), pipedrive.V2),
		},
		Name: cmp.Or(getenv("WEBHOOK_NAME"), "pipedrive-webhooks"),
	}
	if reg.URL == "" {
		return watchdog.Config{}, errors.New("WEBHOOK_URL is not set: the receiver's URL, as the registration registered it")
	}
	if err := reg.Validate(); err != nil {
		return watchdog.Config{}, err
	}
	ssm := secrets.LazySSMClient(getenv)
	parameter := func(name string) *secrets.Parameter {
		return &secrets.Parameter{Client: ssm, Name: name, Timeout: 3 * time.Second, Attempts: 3}
	}
	cfg := watchdog.Config{Registration: reg, APIURL: getenv("PIPEDRIVE_API_URL"), Logger: logger}
	if name := getenv("WEBHOOK_PAUSE_PARAMETER"); name != "" {
		cfg.Pause = parameter(name).Read // afresh on every check, and before every change
	}
	switch token, name := getenv("PIPEDRIVE_API_TOKEN"), getenv("PIPEDRIVE_API_TOKEN_PARAMETER"); {
	case token != "":
		cfg.Token = func(context.Context) (string, error) { return token, nil }
	case name != "":
		// Read afresh on every check (a new Parameter has no cache).
		cfg.Token = func(ctx context.Context) (string, error) { return parameter(name).Value(ctx) }
	default:
		return watchdog.Config{}, errors.New("no Pipedrive API token: set PIPEDRIVE_API_TOKEN_PARAMETER (or PIPEDRIVE_API_TOKEN)")
	}
	choice, err := secrets.ChooseCredentials(getenv, "")
	switch {
	case errors.Is(err, secrets.ErrNotConfigured):
		// The receiver checks basic auth: a webhook registered without it would be
		// refused every delivery.
		return watchdog.Config{}, errors.New("no basic-auth credentials: set WEBHOOK_AUTH_PARAMETER (or WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD)")
	case err != nil:
		return watchdog.Config{}, err
	}
	// Read afresh on every check: a rotated password is registered at once.
	cfg.Credentials = choice.Source(ssm, secrets.ReadPolicy{Fresh: true, Timeout: 3 * time.Second, Attempts: 3}).Credentials
	return cfg, nil
}
