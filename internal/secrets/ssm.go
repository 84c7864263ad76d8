package secrets

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// GetParameterAPI is the one SSM call this package makes.
type GetParameterAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// NewSSMClient returns an SSM client configured from the environment alone, as
// Lambda provides it: AWS_REGION, the function role's AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. The endpoint is overridden the AWS
// SDK's standard way, with AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL. Leaving out the
// SDK's shared-config loader (profiles, SSO, IMDS) keeps the Lambda binary and its
// cold start small; tools run by people use the full loader instead.
func NewSSMClient(getenv func(string) string) (*ssm.Client, error) {
	region := cmp.Or(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	switch {
	case region == "":
		return nil, errors.New("AWS_REGION is not set")
	case id == "" || secret == "":
		return nil, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	opts := ssm.Options{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN")),
	}
	if endpoint := cmp.Or(getenv("AWS_ENDPOINT_URL_SSM"), getenv("AWS_ENDPOINT_URL")); endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	return ssm.New(opts), nil
}

// LazySSMClient defers NewSSMClient to the first call, keeping it off a Lambda cold
// start.
func LazySSMClient(getenv func(string) string) GetParameterAPI {
	return Lazy(func(context.Context) (GetParameterAPI, error) {
		c, err := NewSSMClient(getenv)
		if err != nil {
			return nil, fmt.Errorf("set up the SSM client: %w", err)
		}
		return c, nil
	})
}

// Lazy sets up an SSM client with load on its first call rather than now; a failed
// set-up is tried again on the next call.
func Lazy(load func(context.Context) (GetParameterAPI, error)) GetParameterAPI {
	return &lazyClient{load: load}
}

type lazyClient struct {
	load   func(context.Context) (GetParameterAPI, error)
	mu     sync.Mutex
	client GetParameterAPI
}

func (l *lazyClient) GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	l.mu.Lock()
	if l.client == nil {
		c, err := l.load(ctx)
		if err != nil {
			l.mu.Unlock()
			return nil, err
		}
		l.client = c
	}
	c := l.client
	l.mu.Unlock()
	return c.GetParameter(ctx, in, opts...)
}

// GetParameter reads and decrypts one parameter. Errors name the parameter, never its value.
func GetParameter(ctx context.Context, client GetParameterAPI, name string) (string, error) {
	out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("read SSM parameter %s: %w", name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("read SSM parameter %s: the answer has no value", name)
	}
	return *out.Parameter.Value, nil
}

// Parameter is an SSM parameter read on first use and cached for TTL, so that a
// rotation takes effect without a redeploy. When a refresh fails after an earlier
// read succeeded, the cached value is served (and the failure logged) until a refresh
// succeeds: a passing SSM outage does not lock Pipedrive out.
type Parameter struct {
	Client  GetParameterAPI
	Name    string
	TTL     time.Duration // 0 means read once
	Timeout time.Duration // per read; 0 means 2s
	Logger  *slog.Logger  // where stale-value refreshes are reported; nil for none

	now     func() time.Time
	mu      sync.Mutex
	value   string
	fetched time.Time
	ok      bool
}

// Value returns the parameter's value, from the cache while it is fresh.
func (p *Parameter) Value(ctx context.Context) (string, error) {
	now := time.Now
	if p.now != nil {
		now = p.now
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ok && (p.TTL == 0 || now().Sub(p.fetched) < p.TTL) {
		return p.value, nil
	}
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := GetParameter(ctx, p.Client, p.Name)
	if err != nil {
		if p.ok {
			if p.Logger != nil {
				p.Logger.WarnContext(ctx, "refreshing a secret failed; using the cached value", "parameter", p.Name, "error", err.Error())
			}
			p.fetched = now() // try again after another TTL, not on every request
			return p.value, nil
		}
		return "", err
	}
	p.value, p.fetched, p.ok = v, now(), true
	return v, nil
}

// CredentialSource provides basic-auth credentials.
type CredentialSource interface {
	Credentials(ctx context.Context) (Credentials, error)
}

// Static is a CredentialSource that never changes.
type Static Credentials

// Credentials returns s.
func (s Static) Credentials(context.Context) (Credentials, error) { return Credentials(s), nil }

// ParameterCredentials reads "user:password" credentials from a Parameter.
type ParameterCredentials struct{ *Parameter }

// Credentials returns the parameter's credentials.
func (p ParameterCredentials) Credentials(ctx context.Context) (Credentials, error) {
	v, err := p.Value(ctx)
	if err != nil {
		return Credentials{}, err
	}
	c, err := ParseCredentials(v)
	if err != nil {
		return Credentials{}, fmt.Errorf("SSM parameter %s: %w", p.Name, err)
	}
	return c, nil
}

// ErrNotConfigured says that neither credentials nor a parameter were given.
var ErrNotConfigured = errors.New("no credentials configured")

// CredentialsFromEnv picks the credential source that getenv configures:
// WEBHOOK_AUTH_PARAMETER (an SSM parameter, cached for WEBHOOK_AUTH_TTL, default 5m),
// else WEBHOOK_AUTH_USER with WEBHOOK_AUTH_PASSWORD. It returns ErrNotConfigured when
// none is set.
func CredentialsFromEnv(getenv func(string) string, client func(getenv func(string) string) GetParameterAPI, logger *slog.Logger) (CredentialSource, error) {
	if name := getenv("WEBHOOK_AUTH_PARAMETER"); name != "" {
		ttl := 5 * time.Minute
		if s := getenv("WEBHOOK_AUTH_TTL"); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("WEBHOOK_AUTH_TTL=%q is not a duration such as 5m", s)
			}
			ttl = d
		}
		return ParameterCredentials{&Parameter{Client: client(getenv), Name: name, TTL: ttl, Logger: logger}}, nil
	}
	user, password := getenv("WEBHOOK_AUTH_USER"), getenv("WEBHOOK_AUTH_PASSWORD")
	switch {
	case user == "" && password == "":
		return nil, ErrNotConfigured
	case user == "" || password == "" || strings.ContainsRune(user, ':'):
		return nil, errors.New("set both WEBHOOK_AUTH_USER (no colon) and WEBHOOK_AUTH_PASSWORD, or neither")
	}
	return Static{User: user, Password: password}, nil
}
