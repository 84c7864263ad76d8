// Command lambda is the webhook receiver. Under AWS Lambda (AWS_LAMBDA_RUNTIME_API is
// set) it serves API Gateway HTTP API events; anywhere else it listens on a local
// address. Both modes run the same http.Handler.
//
// Configuration, from flags or the environment (-h lists them):
//
//	-addr, LISTEN_ADDR               local listen address (default 127.0.0.1:8080)
//	-max-body-bytes, MAX_BODY_BYTES  largest body read (default 1 MiB)
//	LOG_LEVEL                        debug, info (default), warn or error
//	WEBHOOK_AUTH_PARAMETER           SSM SecureString holding "user:password" for basic auth
//	WEBHOOK_AUTH_TTL                 how long that parameter is cached (default 5m)
//	WEBHOOK_AUTH_GRACE               how long its previous version is accepted after a change (default 15m)
//	WEBHOOK_AUTH_USER, WEBHOOK_AUTH_PASSWORD  basic-auth credentials given directly
//	SENDER_CHECK                     off, monitor (default) or enforce: deliveries from outside Pipedrive's ranges (Lambda)
//	SENDER_RANGES_PARAMETER          SSM parameter holding those ranges, which the watchdog refreshes
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
)

func main() { cli.Main("receiver", run) }

const environment = `
Environment:
  LISTEN_ADDR                  local listen address (the -addr default)
  MAX_BODY_BYTES               largest body read (the -max-body-bytes default)
  LOG_LEVEL                    debug, info (default), warn or error
  WEBHOOK_AUTH_PARAMETER       SSM SecureString holding "user:password" for basic auth
  WEBHOOK_AUTH_TTL             how long that parameter is cached (default 5m)
  WEBHOOK_AUTH_GRACE           how long its previous version is accepted after a change (default 15m)
  WEBHOOK_AUTH_USER, WEBHOOK_AUTH_PASSWORD
                               basic-auth credentials given directly
  SENDER_CHECK                 off, monitor (default) or enforce: what a delivery from outside
                               Pipedrive's published ranges gets (Lambda only: locally there is
                               no source address to check, and the check is off)
  SENDER_RANGES_PARAMETER      SSM parameter holding those ranges (the watchdog refreshes it)
  AWS_REGION, AWS_ENDPOINT_URL_SSM, …
                               the AWS SDK's settings, for the SSM parameter
With neither a parameter nor credentials, basic auth is off (and the receiver says so).
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [flags]\n\nReceives Pipedrive webhooks: under AWS Lambda (AWS_LAMBDA_RUNTIME_API set) from API Gateway, else on a local address.\n\nFlags:\n", args[0])
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), environment)
	}
	addr := fs.String("addr", cmp.Or(getenv("LISTEN_ADDR"), "127.0.0.1:8080"), "local listen `address` (env LISTEN_ADDR)")
	maxBody := fs.Int64("max-body-bytes", receiver.DefaultMaxBodyBytes, "largest body read, in `bytes` (env MAX_BODY_BYTES)")
	if s := getenv("MAX_BODY_BYTES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("MAX_BODY_BYTES=%q is not a positive number of bytes", s)
		}
		*maxBody = n
	}
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	logger, err := jsonlog.NewLogger(stdout, getenv("LOG_LEVEL"))
	if err != nil {
		return err
	}

	creds, choice, err := secrets.CredentialsFromEnv(getenv, secrets.LazySSMClient(getenv), logger)
	if err != nil && !errors.Is(err, secrets.ErrNotConfigured) {
		return err
	}
	inLambda := getenv("AWS_LAMBDA_RUNTIME_API") != ""
	checker, sender, serr := senderCheck(inLambda, getenv)
	if serr != nil {
		return serr
	}
	// One record per start: in Lambda, one per cold start (the ColdStarts metric).
	mode := "local"
	if inLambda {
		mode = "lambda"
	}
	if errors.Is(err, secrets.ErrNotConfigured) {
		logger.Warn(receiver.MsgStarted, "mode", mode, "auth", "off", "sender_check", sender,
			"hint", "set WEBHOOK_AUTH_PARAMETER, or WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD")
	} else {
		logger.Info(receiver.MsgStarted, "mode", mode, "auth", choice.String(), "sender_check", sender)
	}
	handler := receiver.New(logger, receiver.Config{MaxBodyBytes: *maxBody, Credentials: creds, Senders: checker})

	if inLambda {
		lambda.StartWithOptions(httpadapter.NewV2(handler).ProxyWithContext, lambda.WithContext(ctx))
		return nil
	}
	return serve(ctx, *addr, handler, logger)
}

// senderCheck sets up the source-address check from SENDER_CHECK and
// SENDER_RANGES_PARAMETER, and describes it for the start record.
func senderCheck(inLambda bool, getenv func(string) string) (*senders.Checker, string, error) {
	mode, err := senders.ParseMode(getenv("SENDER_CHECK"))
	if err != nil {
		return nil, "", fmt.Errorf("SENDER_CHECK: %w", err)
	}
	name := getenv("SENDER_RANGES_PARAMETER")
	switch {
	case mode == senders.Off:
		return nil, "off", nil
	case !inLambda:
		return nil, "off: locally there is no source address to check", nil
	case name == "" && getenv("SENDER_CHECK") != "":
		return nil, "", fmt.Errorf("SENDER_CHECK=%s needs SENDER_RANGES_PARAMETER", mode)
	case name == "":
		return nil, "off: no SENDER_RANGES_PARAMETER", nil
	}
	// Read like the credentials: cached, a stale list served while SSM is down.
	ranges := &secrets.Parameter{Client: secrets.LazySSMClient(getenv), Name: name, TTL: 15 * time.Minute, Timeout: time.Second}
	return &senders.Checker{Mode: mode, Load: ranges.Value}, string(mode) + ": SSM parameter " + name, nil
}

// serve listens on addr until ctx ends, then drains in-flight requests.
func serve(ctx context.Context, addr string, handler http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second, // Pipedrive gives up after 10 s anyway
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String(), "webhook_url", "http://"+ln.Addr().String()+receiver.WebhookPath)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	logger.Info("stopped")
	return nil
}
