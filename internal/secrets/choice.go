package secrets

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
)

// CredentialChoice is where a program's basic-auth credentials come from: an SSM
// parameter holding "user:password", or a pair given directly. The receiver, the
// registration tool and the watchdog all choose with ChooseCredentials, so that one
// environment means the same credentials to each.
type CredentialChoice struct {
	// Parameter, when set, is the SSM parameter to read.
	Parameter string
	// Pair is the pair given directly, when there is no parameter.
	Pair Credentials
}

// ErrHalfPair is a user without a password, a password without a user, or a user
// with a colon: never read as "no credentials".
var ErrHalfPair = errors.New("set both WEBHOOK_AUTH_USER (no colon) and WEBHOOK_AUTH_PASSWORD, or neither")

// ChooseCredentials picks parameter (a flag's value) or WEBHOOK_AUTH_PARAMETER, else
// WEBHOOK_AUTH_USER with WEBHOOK_AUTH_PASSWORD. It returns ErrNotConfigured when
// none is set, and ErrHalfPair for a pair that is half set.
func ChooseCredentials(getenv func(string) string, parameter string) (CredentialChoice, error) {
	if parameter == "" {
		parameter = getenv("WEBHOOK_AUTH_PARAMETER")
	}
	if parameter != "" {
		return CredentialChoice{Parameter: parameter}, nil
	}
	user, password := getenv("WEBHOOK_AUTH_USER"), getenv("WEBHOOK_AUTH_PASSWORD")
	switch {
	case user == "" && password == "":
		return CredentialChoice{}, ErrNotConfigured
	case user == "" || password == "" || strings.ContainsRune(user, ':'):
		return CredentialChoice{}, ErrHalfPair
	}
	return CredentialChoice{Pair: Credentials{User: user, Password: password}}, nil
}

// String describes the choice for a start record: where, never what.
func (c CredentialChoice) String() string {
	if c.Parameter != "" {
		return "SSM parameter " + c.Parameter
	}
	return "WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD"
}

// ReadPolicy is how a chosen parameter is read.
type ReadPolicy struct {
	// Fresh reads the parameter again on every call (the tool and the watchdog: a
	// rotated password is used at once); otherwise it is cached for TTL (the
	// receiver, which reads it on every delivery).
	Fresh bool
	TTL   time.Duration
	// Timeout bounds each read (0: 2 s), tried Attempts times (0: once) while the
	// failure may pass.
	Timeout  time.Duration
	Attempts int
	// Grace is how long the previous version is accepted after a change, by
	// Verify (0: not at all; the receiver's default is DefaultGrace).
	Grace time.Duration
	// Logger hears of refreshes that fail while a cached value is served.
	Logger *slog.Logger
}

// Source is the CredentialSource the choice describes, a parameter read with client
// under policy.
func (c CredentialChoice) Source(client GetParameterAPI, policy ReadPolicy) CredentialSource {
	if c.Parameter == "" {
		return Static(c.Pair)
	}
	build := func() *ParameterCredentials {
		p := NewParameterCredentials(client, c.Parameter, policy.TTL, policy.Logger)
		p.Timeout, p.Attempts, p.Grace = policy.Timeout, policy.Attempts, policy.Grace
		return p
	}
	if policy.Fresh {
		return freshCredentials(build)
	}
	return build()
}

// freshCredentials reads its parameter anew on every call.
type freshCredentials func() *ParameterCredentials

func (f freshCredentials) Credentials(ctx context.Context) (Credentials, error) {
	return f().Credentials(ctx)
}

func (f freshCredentials) Verify(ctx context.Context, user, password string) (bool, error) {
	return f().Verify(ctx, user, password)
}
