// Package secrets provides the webhook's basic-auth credentials and the Pipedrive API
// token, read from the environment or from SSM Parameter Store SecureStrings, and
// keeps them out of logs, errors and printed output.
package secrets

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
)

// Credentials are HTTP basic-auth credentials: what Pipedrive sends as
// http_auth_user / http_auth_password with every webhook.
type Credentials struct {
	User     string
	Password string
}

// ParseCredentials reads credentials in the "user:password" form that a parameter
// holds (as in a URL's userinfo or curl -u; the user cannot contain a colon, the
// password can). Errors never repeat the value.
func ParseCredentials(s string) (Credentials, error) {
	user, password, ok := strings.Cut(strings.TrimSpace(s), ":")
	switch {
	case !ok:
		return Credentials{}, errors.New(`credentials are not in the form "user:password"`)
	case user == "" || password == "":
		return Credentials{}, errors.New("credentials have an empty user or password")
	}
	return Credentials{User: user, Password: password}, nil
}

// Match reports whether user and password are these credentials. It takes the same
// time whatever the inputs: both sides are hashed first, so neither their content
// nor their length leaks.
func (c Credentials) Match(user, password string) bool {
	u1, u2 := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(c.User))
	p1, p2 := sha256.Sum256([]byte(password)), sha256.Sum256([]byte(c.Password))
	return subtle.ConstantTimeCompare(u1[:], u2[:])&subtle.ConstantTimeCompare(p1[:], p2[:]) == 1
}

// String keeps the password out of anything that prints credentials.
func (c Credentials) String() string { return fmt.Sprintf("{User:%s Password:[redacted]}", c.User) }

// GoString keeps the password out of %#v.
func (c Credentials) GoString() string { return c.String() }

// LogValue keeps the password out of log records.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", c.User), slog.String("password", "[redacted]"))
}

// CredentialSource provides basic-auth credentials: the current ones, to register
// with Pipedrive, and a check of the ones a delivery carries.
type CredentialSource interface {
	// Credentials returns the current credentials.
	Credentials(ctx context.Context) (Credentials, error)
	// Verify reports whether user and password are accepted. The error says the
	// credentials could not be read at all.
	Verify(ctx context.Context, user, password string) (bool, error)
}

// Static is a CredentialSource that never changes.
type Static Credentials

// Credentials returns s.
func (s Static) Credentials(context.Context) (Credentials, error) { return Credentials(s), nil }

// Verify matches user and password against s.
func (s Static) Verify(_ context.Context, user, password string) (bool, error) {
	return Credentials(s).Match(user, password), nil
}

// ParameterCredentials reads "user:password" credentials from an SSM parameter, so
// that a rotation takes effect without a redeploy, and loses no delivery:
//
//   - credentials that do not match the cached ones make it read the parameter again
//     at once (at most once per MinRefresh), rather than after the cache's TTL;
//   - for Grace after the parameter last changed, the version before it is accepted
//     too, as Pipedrive goes on sending the old password until the webhook
//     registered with the new one replaces the old webhook. The previous version is
//     read from SSM (name:version), so every instance knows it, not only those that
//     saw the change.
type ParameterCredentials struct {
	*Parameter
	// Grace is how long the previous version stays valid after a change; 0 for none.
	Grace time.Duration
	// MinRefresh is the least time between two reads caused by mismatching
	// credentials; 0 means 1 s (per instance: far below SSM's throughput limit).
	MinRefresh time.Duration
}

// DefaultGrace is how long a rotated-out password stays valid: the apply that
// rotates it registers the new webhook within minutes, and Pipedrive retries a
// delivery for about three minutes after that.
const DefaultGrace = 15 * time.Minute

// NewParameterCredentials returns the credentials held by the SSM parameter name,
// cached for ttl, with the default grace for rotations. logger (nil for none) hears
// of refreshes that fail while a cached value is served.
func NewParameterCredentials(client GetParameterAPI, name string, ttl time.Duration, logger *slog.Logger) *ParameterCredentials {
	return &ParameterCredentials{Parameter: &Parameter{Client: client, Name: name, TTL: ttl, Logger: logger}, Grace: DefaultGrace}
}

// Credentials returns the parameter's current credentials.
func (p *ParameterCredentials) Credentials(ctx context.Context) (Credentials, error) {
	v, err := p.Value(ctx)
	if err != nil {
		return Credentials{}, err
	}
	return p.parse(v)
}

func (p *ParameterCredentials) parse(v string) (Credentials, error) {
	c, err := ParseCredentials(v)
	if err != nil {
		return Credentials{}, fmt.Errorf("SSM parameter %s: %w", p.Name, err)
	}
	return c, nil
}

// Verify accepts the current credentials, and the previous ones within Grace of a
// change. A mismatch first re-reads the parameter (rate limited): the password may
// have been rotated since it was cached.
func (p *ParameterCredentials) Verify(ctx context.Context, user, password string) (bool, error) {
	current, err := p.Credentials(ctx)
	if err != nil {
		return false, err
	}
	if current.Match(user, password) {
		return true, nil
	}
	minRefresh := p.MinRefresh
	if minRefresh == 0 {
		minRefresh = time.Second
	}
	if p.Refresh(ctx, minRefresh) {
		if current, err = p.Credentials(ctx); err == nil && current.Match(user, password) {
			return true, nil
		}
	}
	if p.Grace <= 0 {
		return false, nil
	}
	prev, ok := p.Previous(ctx, p.Grace)
	if !ok {
		return false, nil
	}
	c, err := ParseCredentials(prev)
	return err == nil && c.Match(user, password), nil
}

// ErrNotConfigured says that neither credentials nor a parameter were given.
var ErrNotConfigured = errors.New("no credentials configured")

// CredentialsFromEnv is the receiver's credential source: the choice
// ChooseCredentials makes (WEBHOOK_AUTH_PARAMETER, else WEBHOOK_AUTH_USER with
// WEBHOOK_AUTH_PASSWORD), a parameter read with client and cached for
// WEBHOOK_AUTH_TTL (default 5m), its previous version accepted for
// WEBHOOK_AUTH_GRACE after a change (default 15m). The choice comes back too, to
// describe in the start record. It returns ErrNotConfigured when none is set.
func CredentialsFromEnv(getenv func(string) string, client GetParameterAPI, logger *slog.Logger) (CredentialSource, CredentialChoice, error) {
	choice, err := ChooseCredentials(getenv, "")
	if err != nil {
		return nil, choice, err
	}
	ttl, err := cli.EnvDuration(getenv, "WEBHOOK_AUTH_TTL", 5*time.Minute)
	if err != nil {
		return nil, choice, err
	}
	grace, err := cli.EnvDuration(getenv, "WEBHOOK_AUTH_GRACE", DefaultGrace)
	if err != nil {
		return nil, choice, err
	}
	return choice.Source(client, ReadPolicy{TTL: ttl, Grace: grace, Logger: logger}), choice, nil
}
