// Command pipedrive-webhook registers, lists, deletes and migrates Pipedrive
// webhooks, idempotently. Terraform's registration module runs it; so do people.
//
//	go run ./scripts/pipedrive-webhook register --url https://…/webhooks/pipedrive
//	go run ./scripts/pipedrive-webhook list
//	go run ./scripts/pipedrive-webhook delete --id 1345147
//	go run ./scripts/pipedrive-webhook migrate --id 1345147
//
// The API token comes from PIPEDRIVE_API_TOKEN or from the SSM SecureString named by
// --token-parameter; the basic-auth credentials Pipedrive will send come from the
// SSM parameter named by --auth-parameter (WEBHOOK_AUTH_PARAMETER) or from
// WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD. None of them is ever taken from a
// flag or printed. PIPEDRIVE_API_URL overrides the API's address; the AWS SDK's
// standard settings (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_SSM, …) apply to SSM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args, env{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, newSSM: loadSSM})
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "pipedrive-webhook:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "pipedrive-webhook:", err)
		os.Exit(1)
	}
}

// env is what the program takes from the outside world.
type env struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	// newSSM returns the SSM client for the token and credential parameters.
	newSSM func(ctx context.Context) (secrets.GetParameterAPI, error)
}

// loadSSM configures SSM the AWS SDK's standard way: profiles, SSO, roles, endpoints.
func loadSSM(ctx context.Context) (secrets.GetParameterAPI, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration: %w", err)
	}
	return ssm.NewFromConfig(cfg), nil
}

type usageError struct{ error }

const usage = `usage: pipedrive-webhook <command> [flags]

Commands:
  register  create the webhook unless one with the same URL, event and version exists; print its id
  list      list the company's webhooks
  delete    delete webhooks by id or by URL (a missing one counts as deleted)
  migrate   replace a v1 webhook with its v2 equivalent

Run 'pipedrive-webhook <command> -h' for a command's flags.`

func run(ctx context.Context, args []string, e env) error {
	if len(args) < 2 {
		return usageError{fmt.Errorf("no command\n%s", usage)}
	}
	commands := map[string]func(context.Context, []string, env) error{
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
			return usageError{fmt.Errorf("unknown command %q\n%s", name, usage)}
		}
		return cmd(ctx, args[2:], e)
	}
}
