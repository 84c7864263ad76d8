package secrets

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
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

// SetupError is a client set-up that failed (no credentials, no region): trying
// the same read again at once cannot help.
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

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
			return nil, &SetupError{err}
		}
		l.client = c
	}
	c := l.client
	l.mu.Unlock()
	return c.GetParameter(ctx, in, opts...)
}

// GetParameter reads and decrypts one parameter. Errors name the parameter, never its value.
func GetParameter(ctx context.Context, client GetParameterAPI, name string) (string, error) {
	v, err := getParameter(ctx, client, name)
	return v.value, err
}

// version is one version of a parameter, as read.
type version struct {
	value    string
	number   int64
	modified time.Time
}

func getParameter(ctx context.Context, client GetParameterAPI, name string) (version, error) {
	out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return version{}, fmt.Errorf("read SSM parameter %s: %w", name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return version{}, fmt.Errorf("read SSM parameter %s: the answer has no value", name)
	}
	p := out.Parameter
	return version{value: *p.Value, number: p.Version, modified: aws.ToTime(p.LastModifiedDate)}, nil
}

// Parameter is an SSM parameter read on first use and cached for TTL, so that a
// rotation takes effect without a redeploy. When a refresh fails after an earlier
// read succeeded, the cached value is served (and the failure logged) until a refresh
// succeeds: a passing SSM outage does not lock Pipedrive out. Every read is bounded
// by Timeout, so a stalled SSM never hangs the caller.
type Parameter struct {
	Client   GetParameterAPI
	Name     string
	TTL      time.Duration // 0 means read once
	Timeout  time.Duration // per attempt; 0 means 2s
	Attempts int           // tries per read, 1 s apart and more; 0 means 1
	// OnRetry, when set, hears of each failed attempt that will be tried again.
	OnRetry func(err error, wait time.Duration)
	Logger  *slog.Logger // where stale-value refreshes are reported; nil for none

	now      func() time.Time
	mu       sync.Mutex
	current  version
	fetched  time.Time
	ok       bool
	previous version // the version before current, once read
}

func (p *Parameter) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

// Value returns the parameter's value, from the cache while it is fresh.
func (p *Parameter) Value(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ok && (p.TTL == 0 || p.clock().Sub(p.fetched) < p.TTL) {
		return p.current.value, nil
	}
	if err := p.readLocked(ctx); err != nil {
		if p.ok {
			if p.Logger != nil {
				p.Logger.WarnContext(ctx, "refreshing a secret failed; using the cached value", "parameter", p.Name, "error", err.Error())
			}
			p.fetched = p.clock() // try again after another TTL, not on every request
			return p.current.value, nil
		}
		return "", err
	}
	return p.current.value, nil
}

// Refresh reads the parameter again unless it was read less than minInterval ago,
// and reports whether its value changed.
func (p *Parameter) Refresh(ctx context.Context, minInterval time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ok && p.clock().Sub(p.fetched) < minInterval {
		return false
	}
	before := p.current
	if p.readLocked(ctx) != nil {
		return false
	}
	return p.current.value != before.value
}

// Previous returns the version before the current one while the current one is
// younger than grace: a value rotated out so recently that it may still be in use.
func (p *Parameter) Previous(ctx context.Context, grace time.Duration) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.current
	if !p.ok || cur.number < 2 || cur.modified.IsZero() || p.clock().Sub(cur.modified) >= grace {
		return "", false
	}
	if p.previous.number != cur.number-1 {
		v, err := p.read(ctx, p.Name+":"+strconv.FormatInt(cur.number-1, 10))
		if err != nil {
			return "", false
		}
		p.previous = v
	}
	return p.previous.value, true
}

func (p *Parameter) readLocked(ctx context.Context) error {
	v, err := p.read(ctx, p.Name)
	if err != nil {
		return err
	}
	p.current, p.fetched, p.ok = v, p.clock(), true
	return nil
}

// transient reports whether a failed read may succeed when tried again: a timeout,
// a network error or a server fault, not a missing parameter, a denial or a client
// that could not be set up.
func transient(err error) bool {
	var setup *SetupError
	var api smithy.APIError
	switch {
	case errors.As(err, &setup):
		return false
	case errors.As(err, &api):
		return api.ErrorFault() == smithy.FaultServer
	}
	return true
}

// read makes up to Attempts bounded reads of name.
func (p *Parameter) read(ctx context.Context, name string) (version, error) {
	timeout := cmp.Or(p.Timeout, 2*time.Second)
	attempts := max(p.Attempts, 1)
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		v, err := getParameter(actx, p.Client, name)
		timedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		if timedOut {
			err = fmt.Errorf("read SSM parameter %s: no answer within %s", name, timeout)
		}
		if err == nil || n >= attempts || ctx.Err() != nil || !transient(err) {
			return v, err
		}
		wait := time.Duration(n) * time.Second
		if p.OnRetry != nil {
			p.OnRetry(err, wait)
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(wait):
		}
	}
}

// Read reads the parameter now, bounded and retried as Value is, without caching
// it, and returns its value and when it was last written.
func (p *Parameter) Read(ctx context.Context) (value string, modified time.Time, err error) {
	v, err := p.read(ctx, p.Name)
	return v.value, v.modified, err
}

// IsNotFound reports whether err says that the parameter does not exist.
func IsNotFound(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "ParameterNotFound"
}
