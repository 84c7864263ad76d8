// Command pipedrive-webhook registers, lists, deletes and migrates Pipedrive
// webhooks, idempotently. Terraform's registration module runs it; so do people.
//
//	go run ./scripts/pipedrive-webhook register --url https://…/webhooks/pipedrive
//	go run ./scripts/pipedrive-webhook register --registration stack.json
//	go run ./scripts/pipedrive-webhook list
//	go run ./scripts/pipedrive-webhook delete --id 1345147
//	go run ./scripts/pipedrive-webhook migrate --id 1345147
//
// The API token comes from PIPEDRIVE_API_TOKEN or from the SSM SecureString named by
// --token-parameter; the basic-auth credentials Pipedrive will send come from the
// SSM parameter named by --auth-parameter (WEBHOOK_AUTH_PARAMETER) or from
// WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD. None of them is ever taken from a
// flag or printed: everything the command prints passes a redactor that knows them.
// Terraform hands register and delete the stack's whole registration (every
// subscription) as JSON in WEBHOOK_REGISTRATION, the value internal/registration
// defines; the flags fill the same value, with one subscription, for people. The
// registration logic itself lives in internal/pipedrive.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, newSSM: loadSSM})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err and returns the exit status: 0 done, 1 failed, 2 bad usage.
func exitCode(err error, stderr io.Writer) int {
	cli.Report(stderr, "pipedrive-webhook", err)
	return cli.ExitCode(err)
}

// env is what the program takes from the outside world.
type env struct {
	getenv         func(string) string
	stdin          io.Reader // nil for none
	stdout, stderr io.Writer
	// newSSM returns the SSM client for the token and credential parameters, in
	// region ("" for the AWS SDK's own choice). It fails when no AWS credentials
	// can be found.
	newSSM func(ctx context.Context, region string) (secrets.GetParameterAPI, error)
}

// badUsage is a command line the tool cannot take (exit status 2).
func badUsage(err error) error { return &cli.UsageError{Err: err} }

const usage = `usage: pipedrive-webhook <command> [flags]

Commands:
  register  make sure one healthy webhook delivers each subscription; print their ids
  list      list the company's webhooks
  delete    delete webhooks by id, by URL, or a registration's (a missing one counts as deleted)
  migrate   replace a v1 webhook with its v2 equivalent

Run 'pipedrive-webhook <command> -h' for a command's flags.

Environment:
  WEBHOOK_REGISTRATION       the stack's registration as JSON (url, name, subscriptions,
                             user_id, auth_parameter, token_parameter, region, api_url),
                             read by register (setting flags beside it are an error)
                             and by delete without --id or --url
  PIPEDRIVE_API_TOKEN        the API token; when unset, it is read from the SSM
                             SecureString named by --token-parameter
  PIPEDRIVE_API_URL          the API's base URL (default https://api.pipedrive.com/v1);
                             a registration's api_url wins
  WEBHOOK_AUTH_PARAMETER     SSM SecureString holding the webhook's "user:password"
                             (the --auth-parameter default)
  WEBHOOK_AUTH_USER, WEBHOOK_AUTH_PASSWORD
                             the webhook's credentials, given directly
  AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_SSM, …
                             the AWS SDK's settings, for reading SSM

Exit status: 0 done, 1 failed, 2 bad usage.`

func run(ctx context.Context, args []string, e env) error {
	// Everything printed passes the redactor; the secrets are added as they are read.
	redact := new(secrets.Redactor)
	e.stdout, e.stderr = redact.Writer(e.stdout), redact.Writer(e.stderr)
	return redact.RedactError(dispatch(ctx, args, e, redact))
}

func dispatch(ctx context.Context, args []string, e env, redact *secrets.Redactor) error {
	if len(args) < 2 {
		return badUsage(fmt.Errorf("no command\n%s", usage))
	}
	commands := map[string]func(context.Context, []string, env, *secrets.Redactor) error{
		"register": cmdRegister,
		"list":     cmdList,
		"delete":   cmdDelete,
		"migrate":  cmdMigrate,
	}
	switch name := args[1]; name {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(e.stdout, usage)
		return nil
	default:
		cmd, ok := commands[name]
		if !ok {
			return badUsage(fmt.Errorf("unknown command %q\n%s", name, usage))
		}
		return cmd(ctx, args[2:], e, redact)
	}
}
