// Package secrets provides the webhook's basic-auth credentials and the Pipedrive API
// token, read from the environment or from SSM Parameter Store SecureStrings, and
// keeps them out of logs and error messages.
package secrets

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strings"
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
