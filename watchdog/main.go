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
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "watchdog:", err)
		os.Exit(1)
	}
}

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
  PIPEDRIVE_API_TOKEN_PARAMETER  SSM SecureString holding the Pipedrive API token
  PIPEDRIVE_API_TOKEN          the token given directly (local runs)
  PIPEDRIVE_API_URL            the webhooks API (default https://api.pipedrive.com/v1)
  SENDER_RANGES_PARAMETER      SSM parameter to keep Pipedrive's webhook source ranges in (refreshed
                               at most every 6 hours, after the check; one "sender ranges" record)
  SENDER_RANGES_URL            where they are published (default Pipedrive's ip-ranges.json)
  LOG_LEVEL                    debug, info (default), warn or error
  AWS_REGION, AWS_ENDPOINT_URL_SSM, …
                               the AWS SDK's settings, for the SSM parameters
Both parameters are read on every check: a rotated token or password is used at once.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\nChecks the stack's Pipedrive webhook and registers it again when it is gone.\n", args[0])
		fmt.Fprint(fs.Output(), environment)
	}
	if err := fs.Parse(args[1:]); err != nil {
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
			keeper.Run(ctx)
		}
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
	r := check(ctx)
	if r.Status != watchdog.StatusHealthy && r.Status != watchdog.StatusReRegistered {
		return fmt.Errorf("the webhook is %s: %s", r.Status, cmp.Or(r.Problem, r.Error))
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
	switch token, name := getenv("PIPEDRIVE_API_TOKEN"), getenv("PIPEDRIVE_API_TOKEN_PARAMETER"); {
	case token != "":
		cfg.Token = func(context.Context) (string, error) { return token, nil }
	case name != "":
		// Read afresh on every check (a new Parameter has no cache).
		cfg.Token = func(ctx context.Context) (string, error) { return parameter(name).Value(ctx) }
	default:
		return watchdog.Config{}, errors.New("no Pipedrive API token: set PIPEDRIVE_API_TOKEN_PARAMETER (or PIPEDRIVE_API_TOKEN)")
	}
	switch user, password, name := getenv("WEBHOOK_AUTH_USER"), getenv("WEBHOOK_AUTH_PASSWORD"), getenv("WEBHOOK_AUTH_PARAMETER"); {
	case name != "":
		cfg.Credentials = func(ctx context.Context) (secrets.Credentials, error) {
			return (&secrets.ParameterCredentials{Parameter: parameter(name)}).Credentials(ctx)
		}
	case user != "" && password != "":
		cfg.Credentials = func(context.Context) (secrets.Credentials, error) {
			return secrets.Credentials{User: user, Password: password}, nil
		}
	default:
		// The receiver checks basic auth: a webhook registered without it would be
		// refused every delivery.
		return watchdog.Config{}, errors.New("no basic-auth credentials: set WEBHOOK_AUTH_PARAMETER (or WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD)")
	}
	return cfg, nil
}
