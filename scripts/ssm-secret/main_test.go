package main

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
)

type fakeSSM struct {
	puts    []*ssm.PutParameterInput
	deletes []string
	gone    bool
	params  map[string]string // name → description, what DescribeParameters finds
	values  map[string]string // name → value, what GetParameter finds
}

func (f *fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	v, ok := f.values[aws.ToString(in.Name)]
	if !ok || !aws.ToBool(in.WithDecryption) {
		return nil, &ssmtypes.ParameterNotFound{Message: aws.String("not found")}
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Name: in.Name, Value: aws.String(v)}}, nil
}

func (f *fakeSSM) DescribeParameters(_ context.Context, in *ssm.DescribeParametersInput, _ ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error) {
	out := &ssm.DescribeParametersOutput{}
	for _, filter := range in.ParameterFilters {
		if aws.ToString(filter.Key) != "Name" || aws.ToString(filter.Option) != "Equals" {
			continue
		}
		for _, name := range filter.Values {
			if d, ok := f.params[name]; ok {
				out.Parameters = append(out.Parameters, ssmtypes.ParameterMetadata{Name: aws.String(name), Description: aws.String(d)})
			}
		}
	}
	return out, nil
}

func (f *fakeSSM) PutParameter(_ context.Context, in *ssm.PutParameterInput, _ ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	f.puts = append(f.puts, in)
	return &ssm.PutParameterOutput{Version: int64(len(f.puts))}, nil
}

func (f *fakeSSM) DeleteParameter(_ context.Context, in *ssm.DeleteParameterInput, _ ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error) {
	if f.gone {
		return nil, &ssmtypes.ParameterNotFound{Message: aws.String("not found")}
	}
	f.deletes = append(f.deletes, aws.ToString(in.Name))
	return &ssm.DeleteParameterOutput{}, nil
}

// The token reaches SSM only as a non-empty SecureString value read from the
// environment: an empty one is refused before anything is sent (SSM would refuse
// it too, and the old root sent "" on every update without a version bump), and
// the value is never printed.
func TestSSMSecret(t *testing.T) {
	const token = "pd-token-3f9a1c"
	for _, tc := range []struct {
		name    string
		args    []string
		value   string
		gone    bool
		params  map[string]string
		wantErr string
		check   func(*testing.T, *fakeSSM)
	}{
		{"put", []string{"put", "--name", "/s/api-token", "--region", "eu-west-1", "--description", "token"}, token, false, nil, "", func(t *testing.T, f *fakeSSM) {
			if len(f.puts) != 1 || aws.ToString(f.puts[0].Value) != token || f.puts[0].Type != ssmtypes.ParameterTypeSecureString || !aws.ToBool(f.puts[0].Overwrite) {
				t.Errorf("puts %+v", f.puts)
			}
		}},
		{"empty value refused", []string{"put", "--name", "/s/api-token", "--missing", "TF_VAR_pipedrive_api_token is not set"}, "", false, nil, "TF_VAR_pipedrive_api_token is not set: nothing written", func(t *testing.T, f *fakeSSM) {
			if len(f.puts) != 0 {
				t.Errorf("sent %d puts", len(f.puts))
			}
		}},
		{"delete", []string{"delete", "--name", "/s/api-token"}, "", false, nil, "", func(t *testing.T, f *fakeSSM) {
			if len(f.deletes) != 1 {
				t.Errorf("deletes %v", f.deletes)
			}
		}},
		{"delete of a missing one", []string{"delete", "--name", "/s/api-token"}, "", true, nil, "", nil},
		{"no name", []string{"put"}, token, false, nil, "--name is required", nil},
		{"no command", nil, token, false, nil, "usage", nil},
		{"generate a new parameter", []string{"generate", "--name", "/s/webhook-auth", "--user", "pipedrive", "--version", "1", "--description", "Basic-auth credentials.", "--key-id", "arn:aws:kms:us-east-1:123456789012:key/k"}, token, false, nil, "", func(t *testing.T, f *fakeSSM) {
			if len(f.puts) != 1 {
				t.Fatalf("puts %+v", f.puts)
			}
			in := f.puts[0]
			if v := aws.ToString(in.Value); !regexp.MustCompile(`^pipedrive:[A-Za-z0-9]{40}$`).MatchString(v) || strings.Contains(v, token) {
				t.Errorf("value is not pipedrive: and 40 letters and digits (%d characters)", len(v))
			}
			if in.Type != ssmtypes.ParameterTypeSecureString || !aws.ToBool(in.Overwrite) || aws.ToString(in.KeyId) != "arn:aws:kms:us-east-1:123456789012:key/k" {
				t.Errorf("put %+v", in)
			}
			if aws.ToString(in.Description) != "Basic-auth credentials. (credentials version 1)" {
				t.Errorf("description %q", aws.ToString(in.Description))
			}
		}},
		{"generate replays: the same version is kept", []string{"generate", "--name", "/s/webhook-auth", "--user", "pipedrive", "--version", "2"}, "", false, map[string]string{"/s/webhook-auth": "Basic-auth credentials. (credentials version 2)"}, "", func(t *testing.T, f *fakeSSM) {
			if len(f.puts) != 0 {
				t.Errorf("rewrote a parameter already at version 2: %+v", f.puts)
			}
		}},
		{"generate a new version", []string{"generate", "--name", "/s/webhook-auth", "--user", "pipedrive", "--version", "3"}, "", false, map[string]string{"/s/webhook-auth": "Basic-auth credentials. (credentials version 2)"}, "", func(t *testing.T, f *fakeSSM) {
			if len(f.puts) != 1 || !strings.HasSuffix(aws.ToString(f.puts[0].Description), "(credentials version 3)") {
				t.Errorf("puts %+v", f.puts)
			}
		}},
		{"generate keeps what the old resource wrote, and records its version", []string{"generate", "--name", "/s/webhook-auth", "--user", "pipedrive", "--version", "1", "--description", "Basic-auth credentials."}, "", false, map[string]string{"/s/webhook-auth": "Basic-auth credentials (user:password) Pipedrive sends with every webhook delivery."}, "", func(t *testing.T, f *fakeSSM) {
			if len(f.puts) != 1 || aws.ToString(f.puts[0].Value) != "pipedrive:"+token || aws.ToString(f.puts[0].Description) != "Basic-auth credentials. (credentials version 1)" {
				t.Errorf("did not keep the password the registered webhook sends, with its version: %+v", f.puts)
			}
		}},
		{"generate needs a user without a colon", []string{"generate", "--name", "/s/webhook-auth", "--user", "pipe:drive", "--version", "1"}, "", false, nil, "--user", nil},
		{"generate needs a version", []string{"generate", "--name", "/s/webhook-auth", "--user", "pipedrive"}, "", false, nil, "--version", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeSSM{gone: tc.gone, params: tc.params, values: map[string]string{"/s/webhook-auth": "pipedrive:" + token}}
			var out strings.Builder
			err := run(context.Background(), append([]string{"ssm-secret"}, tc.args...), func(k string) string {
				if k == ValueEnv {
					return tc.value
				}
				return ""
			}, &out, io.Discard, func(context.Context, string) (API, error) { return f, nil })
			if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(out.String(), token) || (err != nil && strings.Contains(err.Error(), token)) {
				t.Error("the value was printed")
			}
			for _, p := range f.puts {
				if v := aws.ToString(p.Value); strings.Contains(out.String(), v) || (err != nil && strings.Contains(err.Error(), v)) {
					t.Error("the written value was printed")
				}
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

// The password is 40 letters and digits, never the same twice, and a failing
// source of randomness is an error, not a weak password.
func TestPassword(t *testing.T) {
	a, err := Password(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Password(rand.Reader)
	if !regexp.MustCompile(`^[A-Za-z0-9]{40}$`).MatchString(a) || a == b {
		t.Errorf("passwords of %d and %d characters, equal: %v", len(a), len(b), a == b)
	}
	if _, err := Password(failingReader{}); err == nil {
		t.Error("no error from a failing reader")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

// The program's shape: help asked for is on stdout and no failure; no command,
// or an unknown one, is a usage error (exit 2) that touches no parameter.
func TestUsage(t *testing.T) {
	noClient := func(context.Context, string) (API, error) {
		t.Error("a usage error reached SSM")
		return nil, errors.New("no client")
	}
	var stdout strings.Builder
	if err := run(context.Background(), []string{"ssm-secret", "-h"}, os.Getenv, &stdout, io.Discard, noClient); err != nil || !strings.Contains(stdout.String(), "put|generate|delete") {
		t.Errorf("-h: %v, stdout %q", err, stdout.String())
	}
	for _, args := range [][]string{{"ssm-secret"}, {"ssm-secret", "frobnicate"}, {"ssm-secret", "put"}, {"ssm-secret", "generate", "--name", "/s/x"}, {"ssm-secret", "delete", "--bogus"}} {
		err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard, noClient)
		if cli.ExitCode(err) != 2 {
			t.Errorf("%q: %v (exit %d), want a usage error", args, err, cli.ExitCode(err))
		}
	}
}
