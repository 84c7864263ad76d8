// Command ssm-secret writes a secret to an SSM SecureString, or deletes the
// parameter, for Terraform's local-exec: the sandbox root stores the Pipedrive
// API token with it, so that no aws_ssm_parameter resource ever holds, sends or
// reads the token. The value comes from the environment (SSM_SECRET_VALUE), never
// from a flag, and is never printed; an empty value is refused before anything is
// sent, so SSM never gets an empty one and a parameter is never blanked.
//
// generate writes basic-auth credentials, "user:password", with a password of 40
// letters and digits from crypto/rand that nothing prints or keeps. The
// credentials' version is recorded in the parameter's description: a parameter
// already at that version is left as it is (an apply that replays the write
// changes nothing). One without a recorded version (written by the stack's earlier
// aws_ssm_parameter resource, or by hand) keeps its value, the password the
// registered webhook sends: it is written again, unchanged, with the version
// recorded, so that the next version replaces it.
//
//	SSM_SECRET_VALUE=… ssm-secret put --name /stack/api-token --region us-east-1
//	ssm-secret generate --name /stack/webhook-auth --user pipedrive --version 2 --region us-east-1
//	ssm-secret delete --name /stack/api-token --region us-east-1
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/awsconfig"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
)

// ValueEnv names the variable the value is read from.
const ValueEnv = "SSM_SECRET_VALUE"

// API is the part of the SSM client the command uses.
type API interface {
	PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	DeleteParameter(context.Context, *ssm.DeleteParameterInput, ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
	DescribeParameters(context.Context, *ssm.DescribeParametersInput, ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error)
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// PasswordLength and passwordAlphabet: what generate makes (as the stack's
// generated password was before: 40 characters, no punctuation).
const (
	PasswordLength   = 40
	passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// Password returns PasswordLength characters of passwordAlphabet, each drawn
// uniformly from r (crypto/rand's Reader in the command).
func Password(r io.Reader) (string, error) {
	var b strings.Builder
	size := big.NewInt(int64(len(passwordAlphabet)))
	for range PasswordLength {
		n, err := rand.Int(r, size)
		if err != nil {
			return "", fmt.Errorf("generate a password: %w", err)
		}
		b.WriteByte(passwordAlphabet[n.Int64()])
	}
	return b.String(), nil
}

var (
	validUser     = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	recordedLabel = regexp.MustCompile(`\(credentials version ([0-9]+)\)$`)
)

func main() {
	cli.Main("ssm-secret", func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		return run(ctx, args, getenv, stdout, stderr, loadSSM)
	})
}

// loadSSM is the SSM client of the AWS SDK's configuration, in region when given.
func loadSSM(ctx context.Context, region string) (API, error) {
	cfg, err := awsconfig.Load(ctx, region)
	if err != nil {
		return nil, err
	}
	return ssm.NewFromConfig(cfg), nil
}

const usage = "usage: ssm-secret put|generate|delete --name NAME [--region REGION] [--description TEXT] [--key-id KMS_KEY] (put reads " + ValueEnv + "; generate takes --user and --version)"

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, client func(context.Context, string) (API, error)) error {
	if len(args) > 1 && (args[1] == "-h" || args[1] == "-help" || args[1] == "--help" || args[1] == "help") {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	if len(args) < 2 || (args[1] != "put" && args[1] != "delete" && args[1] != "generate") {
		return &cli.UsageError{Err: errors.New(usage)}
	}
	args = args[1:] // the command, then its flags
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	name := fs.String("name", "", "the parameter's name")
	region := fs.String("region", "", "its region (default: the AWS SDK's)")
	description := fs.String("description", "", "put: the parameter's description")
	missing := fs.String("missing", "the value is empty", "put: what to say when "+ValueEnv+" is empty")
	keyID := fs.String("key-id", "", "put, generate: the KMS key to encrypt with (default: aws/ssm)")
	user := fs.String("user", "", "generate: the user name before the password")
	version := fs.Int("version", 0, "generate: the credentials' version (a new one writes a new password)")
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if *name == "" {
		return &cli.UsageError{Err: errors.New("--name is required")}
	}
	value := getenv(ValueEnv)
	if args[0] == "put" && value == "" {
		return fmt.Errorf("%s: nothing written to %s", *missing, *name)
	}
	if args[0] == "generate" && (!validUser.MatchString(*user) || *version < 1) {
		return &cli.UsageError{Err: errors.New("generate needs --user (1 to 64 letters, digits, dots, hyphens or underscores: no colon) and --version (a whole number >= 1)")}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	api, err := client(ctx, *region)
	if err != nil {
		return err
	}
	if args[0] == "delete" {
		_, err := api.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: name})
		if errors.As(err, new(*ssmtypes.ParameterNotFound)) {
			fmt.Fprintf(stdout, "%s: already gone\n", *name)
			return nil
		}
		if err != nil {
			return fmt.Errorf("delete %s: %w", *name, err)
		}
		fmt.Fprintf(stdout, "%s: deleted\n", *name)
		return nil
	}
	if args[0] == "generate" {
		state, err := current(ctx, api, *name, *version)
		if err != nil {
			return err
		}
		switch state {
		case atVersion:
			fmt.Fprintf(stdout, "%s: kept (already credentials version %d)\n", *name, *version)
			return nil
		case unversioned:
			got, err := api.GetParameter(ctx, &ssm.GetParameterInput{Name: name, WithDecryption: aws.Bool(true)})
			if err != nil {
				return fmt.Errorf("read %s: %w", *name, err)
			}
			value = aws.ToString(got.Parameter.Value)
			if value == "" {
				return fmt.Errorf("read %s: empty value", *name)
			}
			fmt.Fprintf(stdout, "%s: value kept, the webhook sends it; recording credentials version %d\n", *name, *version)
		default:
			password, err := Password(rand.Reader)
			if err != nil {
				return err
			}
			value = *user + ":" + password
		}
		*description = strings.TrimSpace(fmt.Sprintf("%s (credentials version %d)", *description, *version))
	}
	in := &ssm.PutParameterInput{Name: name, Type: ssmtypes.ParameterTypeSecureString, Value: aws.String(value), Overwrite: aws.Bool(true)}
	if *description != "" {
		in.Description = description
	}
	if *keyID != "" {
		in.KeyId = keyID
	}
	out, err := api.PutParameter(ctx, in)
	if err != nil {
		return fmt.Errorf("write %s: %w", *name, err) // the SDK's errors never carry the value
	}
	fmt.Fprintf(stdout, "%s: written (SecureString, version %d)\n", *name, out.Version)
	return nil
}

// What generate finds in SSM.
type paramState int

const (
	stale       paramState = iota // missing, or another version: write a new password
	atVersion                     // already this version: leave it
	unversioned                   // no version recorded: keep the value, record the version
)

// current describes the parameter name against credentials version version.
func current(ctx context.Context, api API, name string, version int) (paramState, error) {
	out, err := api.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssmtypes.ParameterStringFilter{
		{Key: aws.String("Name"), Option: aws.String("Equals"), Values: []string{name}},
	}})
	if err != nil {
		return stale, fmt.Errorf("describe %s: %w", name, err)
	}
	for _, p := range out.Parameters {
		if aws.ToString(p.Name) != name {
			continue
		}
		m := recordedLabel.FindStringSubmatch(aws.ToString(p.Description))
		switch {
		case m == nil:
			return unversioned, nil
		case m[1] == fmt.Sprint(version):
			return atVersion, nil
		}
	}
	return stale, nil
}
