// Command ssm-secret writes a secret to an SSM SecureString, or deletes the
// parameter, for Terraform's local-exec: the sandbox root stores the Pipedrive
// API token with it, so that no aws_ssm_parameter resource ever holds, sends or
// reads the token. The value comes from the environment (SSM_SECRET_VALUE), never
// from a flag, and is never printed; an empty value is refused before anything is
// sent, so SSM never gets an empty one and a parameter is never blanked.
//
//	SSM_SECRET_VALUE=… ssm-secret put --name /stack/api-token --region us-east-1
//	ssm-secret delete --name /stack/api-token --region us-east-1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// ValueEnv names the variable the value is read from.
const ValueEnv = "SSM_SECRET_VALUE"

// API is the part of the SSM client the command uses.
type API interface {
	PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	DeleteParameter(context.Context, *ssm.DeleteParameterInput, ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, func(ctx context.Context, region string) (API, error) {
		opts := []func(*config.LoadOptions) error{}
		if region != "" {
			opts = append(opts, config.WithRegion(region))
		}
		cfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return nil, err
		}
		return ssm.NewFromConfig(cfg), nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ssm-secret:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, client func(context.Context, string) (API, error)) error {
	if len(args) == 0 || (args[0] != "put" && args[0] != "delete") {
		return errors.New("usage: ssm-secret put|delete --name NAME [--region REGION] [--description TEXT] (put reads " + ValueEnv + ")")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	name := fs.String("name", "", "the parameter's name")
	region := fs.String("region", "", "its region (default: the AWS SDK's)")
	description := fs.String("description", "", "put: the parameter's description")
	missing := fs.String("missing", "the value is empty", "put: what to say when "+ValueEnv+" is empty")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("--name is required")
	}
	value := getenv(ValueEnv)
	if args[0] == "put" && value == "" {
		return fmt.Errorf("%s: nothing written to %s", *missing, *name)
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
	in := &ssm.PutParameterInput{Name: name, Type: ssmtypes.ParameterTypeSecureString, Value: aws.String(value), Overwrite: aws.Bool(true)}
	if *description != "" {
		in.Description = description
	}
	out, err := api.PutParameter(ctx, in)
	if err != nil {
		return fmt.Errorf("write %s: %w", *name, err) // the SDK's errors never carry the value
	}
	fmt.Fprintf(stdout, "%s: written (SecureString, version %d)\n", *name, out.Version)
	return nil
}
