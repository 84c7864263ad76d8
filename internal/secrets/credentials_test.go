package secrets

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

func TestParseCredentials(t *testing.T) {
	tests := []struct {
		in       string
		want     Credentials
		wantFail bool
	}{
		{in: "pipedrive:s3cret", want: Credentials{"pipedrive", "s3cret"}},
		{in: "user:pa:ss:word\n", want: Credentials{"user", "pa:ss:word"}},
		{in: "no-colon", wantFail: true},
		{in: ":password", wantFail: true},
		{in: "user:", wantFail: true},
		{in: "", wantFail: true},
	}
	for _, tt := range tests {
		got, err := ParseCredentials(tt.in)
		if (err != nil) != tt.wantFail || got != tt.want {
			t.Errorf("ParseCredentials(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && tt.in != "" && strings.Contains(err.Error(), tt.in) {
			t.Errorf("error %q repeats the secret", err)
		}
	}
}

func TestCredentialsMatch(t *testing.T) {
	c := Credentials{User: "pipedrive", Password: "s3cret"}
	for _, tt := range []struct {
		user, password string
		want           bool
	}{
		{"pipedrive", "s3cret", true},
		{"pipedrive", "s3cre", false},
		{"pipedrive", "s3cret!", false},
		{"Pipedrive", "s3cret", false},
		{"", "", false},
		{"s3cret", "pipedrive", false},
	} {
		if got := c.Match(tt.user, tt.password); got != tt.want {
			t.Errorf("Match(%q, %q) = %v", tt.user, tt.password, got)
		}
	}
}

func TestCredentialsNeverPrintThePassword(t *testing.T) {
	c := Credentials{User: "pipedrive", Password: "s3cret"}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "creds", c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), logged.String()} {
		if strings.Contains(s, "s3cret") || !strings.Contains(s, "pipedrive") {
			t.Errorf("printed %q", s)
		}
	}
}

func newTestClient(t *testing.T, srv *ssmtest.Server) *ssm.Client {
	t.Helper()
	return ssm.New(ssm.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "test", ""),
		RetryMaxAttempts: 1,
	})
}

func TestParameterCachesAndRotates(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{"/app/auth": "pipedrive:one"})
	defer srv.Close()
	now := time.Unix(1000, 0)
	var logged strings.Builder
	p := &Parameter{Client: newTestClient(t, srv), Name: "/app/auth", TTL: time.Minute,
		Logger: slog.New(slog.NewJSONHandler(&logged, nil)), now: func() time.Time { return now }}
	src := &ParameterCredentials{Parameter: p}
	ctx := context.Background()

	step := func(name, wantPassword string, wantCalls int) {
		t.Helper()
		c, err := src.Credentials(ctx)
		if err != nil || c.Password != wantPassword || srv.Calls() != wantCalls {
			t.Fatalf("%s: %v, %v after %d calls; want password %q after %d", name, c, err, srv.Calls(), wantPassword, wantCalls)
		}
	}
	step("first read", "one", 1)
	step("cached", "one", 1)
	srv.Set("/app/auth", "pipedrive:two")
	now = now.Add(30 * time.Second)
	step("still fresh", "one", 1)
	now = now.Add(31 * time.Second)
	step("rotated after the TTL", "two", 2)

	srv.Fail(true)
	now = now.Add(2 * time.Minute)
	step("stale value while SSM fails", "two", 3)
	step("no retry storm", "two", 3)
	if !strings.Contains(logged.String(), "using the cached value") || strings.Contains(logged.String(), "two") {
		t.Errorf("stale refresh not logged, or logged the secret: %s", logged.String())
	}
	srv.Fail(false)
	now = now.Add(2 * time.Minute)
	step("recovered", "two", 4)
	if p := srv.Problems(); len(p) > 0 {
		t.Errorf("requests a real SSM would not accept: %v", p)
	}
}

func TestParameterFailsClosedBeforeFirstRead(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{"/app/bad": "no-colon-here"})
	defer srv.Close()
	client := newTestClient(t, srv)
	for _, tt := range []struct{ name, want string }{
		{"/app/missing", "ParameterNotFound"},
		{"/app/bad", `not in the form "user:password"`},
	} {
		_, err := (&ParameterCredentials{Parameter: &Parameter{Client: client, Name: tt.name}}).Credentials(context.Background())
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s: error %v, want one naming the parameter and %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "no-colon-here") {
			t.Errorf("error repeats the value: %v", err)
		}
	}
}

func TestClientFromTheEnvironment(t *testing.T) {
	srv := ssmtest.NewServer(map[string]string{"/app/auth": "pipedrive:env"})
	defer srv.Close()
	env := srv.Env()
	v, err := GetParameter(context.Background(), LazySSMClient(func(k string) string { return env[k] }), "/app/auth")
	if err != nil || v != "pipedrive:env" {
		t.Fatalf("GetParameter = %q, %v", v, err)
	}
	if p := srv.Problems(); len(p) > 0 {
		t.Errorf("requests a real SSM would not accept: %v", p)
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	var client GetParameterAPI
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name    string
		getenv  func(string) string
		want    string // the source's type
		wantErr string
	}{
		{"nothing", env(), "", "no credentials configured"},
		{"static", env("WEBHOOK_AUTH_USER", "u", "WEBHOOK_AUTH_PASSWORD", "p"), "secrets.Static", ""},
		{"user only", env("WEBHOOK_AUTH_USER", "u"), "", "set both"},
		{"password only", env("WEBHOOK_AUTH_PASSWORD", "p"), "", "set both"},
		{"colon in user", env("WEBHOOK_AUTH_USER", "u:x", "WEBHOOK_AUTH_PASSWORD", "p"), "", "no colon"},
		{"parameter wins", env("WEBHOOK_AUTH_PARAMETER", "/a", "WEBHOOK_AUTH_USER", "u", "WEBHOOK_AUTH_PASSWORD", "p"), "*secrets.ParameterCredentials", ""},
		{"bad ttl", env("WEBHOOK_AUTH_PARAMETER", "/a", "WEBHOOK_AUTH_TTL", "soon"), "", "WEBHOOK_AUTH_TTL"},
		{"bad grace", env("WEBHOOK_AUTH_PARAMETER", "/a", "WEBHOOK_AUTH_GRACE", "-1m"), "", "WEBHOOK_AUTH_GRACE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, _, err := CredentialsFromEnv(tt.getenv, client, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || fmt.Sprintf("%T", src) != tt.want {
				t.Fatalf("got %T, %v; want %s", src, err, tt.want)
			}
		})
	}
}

func TestClientNeedsRegionAndCredentials(t *testing.T) {
	const noKeys = "read SSM parameter /x: set up the SSM client: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
	// Each row names the one variable missing; before, both rows only had to contain
	// "AWS_", so swapping the two messages (or reporting the wrong one) passed.
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, "read SSM parameter /x: set up the SSM client: AWS_REGION is not set"},
		{map[string]string{"AWS_REGION": "eu-west-1"}, noKeys},
		{map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a"}, noKeys},
	} {
		_, err := GetParameter(context.Background(), LazySSMClient(func(k string) string { return tt.env[k] }), "/x")
		if err == nil || err.Error() != tt.want {
			t.Errorf("env %v: error %v, want %q", tt.env, err, tt.want)
		}
	}
}
