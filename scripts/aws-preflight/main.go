// Command aws-preflight checks, before a long build or a Terraform run, that the
// AWS SDK finds credentials the way Terraform's AWS provider will: environment
// variables, a profile in ~/.aws (SSO included), web identity, containers,
// instance metadata. It prints one line and exits 1 when there are none.
//
//	go run ./scripts/aws-preflight
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "aws-preflight:", err)
		os.Exit(1)
	}
}

// deadline bounds the search: without credentials, instance-metadata retries
// would otherwise take 10 s or more.
const deadline = 3 * time.Second

func run(ctx context.Context, stdout io.Writer) error {
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
