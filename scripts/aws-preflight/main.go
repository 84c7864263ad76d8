// Command aws-preflight checks, before a long build or a Terraform run, that the
// AWS SDK finds credentials the way Terraform's AWS provider will: environment
// variables, a profile in ~/.aws (SSO included), web identity, containers,
// instance metadata. It prints one line and exits 1 when there are none.
//
// With -token-parameter it also checks, before production's cut-over, that the
// watchdog will be able to decrypt that existing token parameter: encrypted with
// aws/ssm, ssm:GetParameter is enough; with a key of its own, the key's ARN must
// be given (-token-kms-key-arn, the root's api_token_kms_key_arn), or the watchdog
// reads nothing. It needs ssm:DescribeParameters and never reads the value.
//
//	go run ./scripts/aws-preflight
//	go run ./scripts/aws-preflight -token-parameter /dissertation-editor/pipedrive/api-token -region us-east-1 [-token-kms-key-arn ARN]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
)

func main() { cli.Main("aws-preflight", run) }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	param := fs.String("token-parameter", "", "also check the KMS key of this existing SSM SecureString (the token production reads)")
	key := fs.String("token-kms-key-arn", getenv("TF_VAR_api_token_kms_key_arn"), "the key ARN the root is given for it (api_token_kms_key_arn); empty for aws/ssm")
	region := fs.String("region", "", "region of the parameter (default: the SDK's)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [-token-parameter NAME [-token-kms-key-arn ARN] [-region REGION]]\n\nChecks that the AWS SDK finds credentials as Terraform's AWS provider will.\n\nFlags:\n", args[0])
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if err := checkCredentials(ctx, stdout); err != nil {
		return err
	}
	if *param == "" {
		return nil
	}
	return checkTokenKey(ctx, stdout, *region, *param, *key)
}

// deadline bounds the search: without credentials, instance-metadata retries
// would otherwise take 10 s or more.
const deadline = 3 * time.Second

func checkCredentials(ctx context.Context, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("the AWS configuration does not load (check AWS_PROFILE and ~/.aws/config): %w", err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("no AWS credentials found: set AWS_PROFILE (a profile in ~/.aws), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is provided")
	}
	region := cfg.Region
	if region == "" {
		region = "(none set; the stack's own region is used)"
	}
	fmt.Fprintf(stdout, "AWS credentials from %s, region %s\n", creds.Source, region)
	return nil
}

// awsManagedSSMKey is the KeyId DescribeParameters reports for a SecureString
// encrypted with the AWS-managed key.
const awsManagedSSMKey = "alias/aws/ssm"

// checkTokenKey says whether the watchdog will be able to decrypt the parameter
// name with what the root grants it: nothing beyond ssm:GetParameter for
// aws/ssm, kms:Decrypt on keyARN otherwise.
func checkTokenKey(ctx context.Context, stdout io.Writer, region, name, keyARN string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	opts := []func(*config.LoadOptions) error{}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return err
	}
	out, err := ssm.NewFromConfig(cfg).DescribeParameters(ctx, &ssm.DescribeParametersInput{
		ParameterFilters: []ssmtypes.ParameterStringFilter{{Key: aws.String("Name"), Option: aws.String("Equals"), Values: []string{name}}},
	})
	if err != nil {
		return fmt.Errorf("describe the token parameter %s (needs ssm:DescribeParameters): %w", name, err)
	}
	if len(out.Parameters) == 0 {
		return fmt.Errorf("the token parameter %s does not exist in %s", name, cfg.Region)
	}
	p := out.Parameters[0]
	if p.Type != ssmtypes.ParameterTypeSecureString {
		return fmt.Errorf("the token parameter %s is a %s, not a SecureString", name, p.Type)
	}
	keyID := aws.ToString(p.KeyId)
	switch {
	case keyID == "" || keyID == awsManagedSSMKey:
		fmt.Fprintf(stdout, "token parameter %s: encrypted with aws/ssm, which the watchdog's ssm:GetParameter covers\n", name)
		return nil
	case keyARN == "":
		return fmt.Errorf("the token parameter %s is encrypted with %s, not aws/ssm: the watchdog could not decrypt it; "+
			"give the key's ARN (aws kms describe-key --key-id %s --query KeyMetadata.Arn) as api_token_kms_key_arn", name, keyID, keyID)
	case sameKey(keyID, keyARN):
		fmt.Fprintf(stdout, "token parameter %s: encrypted with %s, which api_token_kms_key_arn grants the watchdog\n", name, keyARN)
		return nil
	case strings.HasPrefix(keyID, "alias/"):
		return errors.New("the token parameter " + name + " is encrypted with the key behind " + keyID +
			": check that " + keyARN + " is that key (aws kms describe-key --key-id " + keyID + " --query KeyMetadata.Arn)")
	default:
		return fmt.Errorf("the token parameter %s is encrypted with %s, but api_token_kms_key_arn is %s", name, keyID, keyARN)
	}
}

// sameKey reports whether the KeyId SSM reports (a key id or a key ARN) names the
// key whose ARN is given.
func sameKey(keyID, keyARN string) bool {
	return keyID == keyARN || strings.HasSuffix(keyARN, ":key/"+keyID)
}
