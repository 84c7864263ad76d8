package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

type fakeSSM struct {
	puts    []*ssm.PutParameterInput
	deletes []string
	gone    bool
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
		wantErr string
		check   func(*testing.T, *fakeSSM)
	}{
		{"put", []string{"put", "--name", "/s/api-token", "--region", "eu-west-1", "--description", "token"}, token, false, "", func(t *testing.T, f *fakeSSM) {
			if len(f.puts) != 1 || aws.ToString(f.puts[0].Value) != token || f.puts[0].Type != ssmtypes.ParameterTypeSecureString || !aws.ToBool(f.puts[0].Overwrite) {
				t.Errorf("puts %+v", f.puts)
			}
		}},
		{"empty value refused", []string{"put", "--name", "/s/api-token", "--missing", "TF_VAR_pipedrive_api_token is not set"}, "", false, "TF_VAR_pipedrive_api_token is not set: nothing written", func(t *testing.T, f *fakeSSM) {
			if len(f.puts) != 0 {
				t.Errorf("sent %d puts", len(f.puts))
			}
		}},
		{"delete", []string{"delete", "--name", "/s/api-token"}, "", false, "", func(t *testing.T, f *fakeSSM) {
			if len(f.deletes) != 1 {
				t.Errorf("deletes %v", f.deletes)
			}
		}},
		{"delete of a missing one", []string{"delete", "--name", "/s/api-token"}, "", true, "", nil},
		{"no name", []string{"put"}, token, false, "--name is required", nil},
		{"no command", nil, token, false, "usage", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeSSM{gone: tc.gone}
			var out strings.Builder
			err := run(context.Background(), tc.args, func(k string) string {
				if k == ValueEnv {
					return tc.value
				}
				return ""
			}, &out, func(context.Context, string) (API, error) { return f, nil })
			if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(out.String(), token) || (err != nil && strings.Contains(err.Error(), token)) {
				t.Error("the value was printed")
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}
