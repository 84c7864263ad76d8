package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/registration"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

// DefaultTokenParameter is where the seed keeps the Pipedrive API token.
const DefaultTokenParameter = registration.DefaultTokenParameter

// credentialsDeadline bounds the look for AWS credentials: without any, the SDK
// would otherwise spend 10 s or more on instance-metadata retries.
const credentialsDeadline = 1500 * time.Millisecond

// loadSSM configures SSM the AWS SDK's standard way (profiles, SSO, roles,
// endpoints), and fails fast when it finds no credentials.
func loadSSM(ctx context.Context, region string) (secrets.GetParameterAPI, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, credentialsDeadline)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return nil, errNoAWSCredentials
	}
	return ssm.NewFromConfig(cfg), nil
}

var errNoAWSCredentials = errors.New("no AWS credentials found")

// common holds the flags every command has.
type common struct {
	output         string
	tokenParameter string
	region         string
	timeout        time.Duration
}

func (c *common) register(fs *flag.FlagSet, e env) {
	fs.StringVar(&c.output, "output", "text", "output format: text or json")
	fs.StringVar(&c.tokenParameter, "token-parameter", DefaultTokenParameter,
		"SSM SecureString `name` holding the Pipedrive API token, read when PIPEDRIVE_API_TOKEN is not set")
	fs.StringVar(&c.region, "region", cmp.Or(e.getenv("AWS_REGION"), e.getenv("AWS_DEFAULT_REGION")),
		"AWS `region` of the SSM parameters (default $AWS_REGION)")
	fs.DurationVar(&c.timeout, "timeout", 15*time.Second, "timeout of each request to Pipedrive (and of each SSM read, at most 5s)")
}

func parse(fs *flag.FlagSet, args []string, c *common, e env) error {
	if err := cli.Parse(fs, args, e.stdout, e.stderr); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return badUsage(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case c.output != "text" && c.output != "json":
		return badUsage(fmt.Errorf("--output %q: want text or json", c.output))
	case c.timeout <= 0:
		return badUsage(fmt.Errorf("--timeout %s: want a positive duration such as 15s", c.timeout))
	}
	return nil
}

// session is a parsed command's connection to Pipedrive and SSM.
type session struct {
	env
	common
	redact *secrets.Redactor
	api    *pipedrive.Client
	// ssm is set up on first use: a command with PIPEDRIVE_API_TOKEN and no auth
	// parameter never touches AWS.
	ssm secrets.GetParameterAPI
}

// connect reads the API token and makes the client for the webhooks API at apiURL
// ("" for Pipedrive's).
func connect(ctx context.Context, e env, c common, apiURL string, redact *secrets.Redactor) (*session, error) {
	s := &session{env: e, common: c, redact: redact}
	s.ssm = secrets.Lazy(func(ctx context.Context) (secrets.GetParameterAPI, error) { return e.newSSM(ctx, c.region) })
	token := e.getenv("PIPEDRIVE_API_TOKEN")
	if token == "" {
		if c.tokenParameter == "" {
			return nil, errors.New("no Pipedrive API token: set PIPEDRIVE_API_TOKEN, or name its SSM parameter with --token-parameter")
		}
		v, err := s.parameter(c.tokenParameter).Value(ctx)
		if errors.Is(err, errNoAWSCredentials) {
			return nil, fmt.Errorf("no Pipedrive API token: set PIPEDRIVE_API_TOKEN, or give AWS credentials (AWS_PROFILE, …) to read SSM parameter %s (--token-parameter)", c.tokenParameter)
		}
		if err != nil {
			return nil, fmt.Errorf("no PIPEDRIVE_API_TOKEN, and the --token-parameter cannot be read: %w", err)
		}
		token = v
	}
	api, err := pipedrive.NewClient(pipedrive.Config{
		BaseURL: apiURL, Token: token, Timeout: c.timeout,
		Progress: func(line string) { s.say("%s", line) }, Redactor: redact,
	})
	if err != nil {
		return nil, err
	}
	s.api = api
	return s, nil
}

// parameter is an SSM parameter read with a deadline and retries, so that a stalled
// SSM never hangs a Terraform apply.
func (s *session) parameter(name string) *secrets.Parameter {
	return &secrets.Parameter{Client: s.ssm, Name: name, Timeout: min(s.timeout, 5*time.Second), Attempts: 3,
		OnRetry: func(err error, wait time.Duration) {
			s.say("%s; attempt again in %s", firstLine(err), wait)
		}}
}

func (s *session) say(format string, args ...any) {
	fmt.Fprintf(s.stderr, format+"\n", args...)
}

// printResults prints what register or migrate did: each webhook's id on a line,
// or with --output json the result (a list of them for several subscriptions).
func (s *session) printResults(results []pipedrive.Result) error {
	if s.output == "json" {
		if len(results) == 1 {
			return s.printJSON(results[0])
		}
		return s.printJSON(results)
	}
	for _, res := range results {
		if _, err := fmt.Fprintln(s.stdout, res.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.stdout, "%s\n", b)
	return err
}

// authFlags are how register and migrate learn the basic-auth credentials.
type authFlags struct {
	parameter string
	noAuth    bool
}

func (a *authFlags) register(fs *flag.FlagSet, e env) {
	fs.StringVar(&a.parameter, "auth-parameter", e.getenv("WEBHOOK_AUTH_PARAMETER"),
		"SSM SecureString `name` holding the basic-auth \"user:password\" (default $WEBHOOK_AUTH_PARAMETER; else WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD)")
	fs.BoolVar(&a.noAuth, "no-auth", false,
		"register without basic auth: anyone who learns the URL can then post events that look like Pipedrive's; the receiver must run without auth too")
}

// credentials reads the credentials Pipedrive is to send, from the same places the
// receiver reads them, and adds them to the redactor.
func (s *session) credentials(ctx context.Context, a authFlags) (secrets.Credentials, error) {
	if a.noAuth {
		return secrets.Credentials{}, nil
	}
	// The receiver's and the watchdog's choice (secrets.ChooseCredentials), read
	// afresh with the tool's retries and progress lines.
	choice, err := secrets.ChooseCredentials(s.getenv, a.parameter)
	switch {
	case errors.Is(err, secrets.ErrNotConfigured):
		return secrets.Credentials{}, errors.New("no basic-auth credentials: give --auth-parameter (or WEBHOOK_AUTH_PARAMETER), set WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD, or say --no-auth")
	case err != nil:
		// A half-set pair: its half is still a secret to keep out of the output.
		s.redact.AddCredentials(secrets.Credentials{User: s.getenv("WEBHOOK_AUTH_USER"), Password: s.getenv("WEBHOOK_AUTH_PASSWORD")})
		return secrets.Credentials{}, err
	}
	c := choice.Pair
	if choice.Parameter != "" {
		c, err = (&secrets.ParameterCredentials{Parameter: s.parameter(choice.Parameter)}).Credentials(ctx)
		if errors.Is(err, errNoAWSCredentials) {
			err = fmt.Errorf("no AWS credentials (AWS_PROFILE, …) to read --auth-parameter %s with", choice.Parameter)
		}
	}
	s.redact.AddCredentials(c)
	return c, err
}

// firstLine keeps the first line of an error, for a progress line.
func firstLine(err error) string {
	msg := err.Error()
	for i, r := range msg {
		if r == '\n' {
			return msg[:i]
		}
	}
	return msg
}
