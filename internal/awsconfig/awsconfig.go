// Package awsconfig loads the AWS SDK's configuration the way the programs of
// this repository do: the SDK's standard chain (environment, profiles, SSO,
// roles, endpoint settings), in a region when one is given.
package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// ErrNoCredentials is LoadWithCredentials finding no AWS credentials.
var ErrNoCredentials = errors.New("no AWS credentials found")

// CredentialsDeadline bounds LoadWithCredentials' look for credentials: without
// any, the SDK would otherwise spend 10 s or more on instance-metadata retries.
const CredentialsDeadline = 1500 * time.Millisecond

// Load returns the SDK's standard configuration, in region ("" for the SDK's
// choice).
func Load(ctx context.Context, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	return cfg, nil
}

// LoadWithCredentials is Load that fails fast, with ErrNoCredentials, when it
// finds no credentials within CredentialsDeadline.
func LoadWithCredentials(ctx context.Context, region string) (aws.Config, error) {
	cfg, err := Load(ctx, region)
	if err != nil {
		return aws.Config{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, CredentialsDeadline)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return aws.Config{}, ErrNoCredentials
	}
	return cfg, nil
}
