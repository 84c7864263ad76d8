package awsconfig

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// isolate points the SDK at no configuration files and no instance metadata.
func isolate(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
	} {
		t.Setenv(k, v)
	}
}

func TestLoadWithCredentials(t *testing.T) {
	ctx := context.Background()
	t.Run("none", func(t *testing.T) {
		isolate(t)
		begin := time.Now()
		if _, err := LoadWithCredentials(ctx, "eu-central-1"); !errors.Is(err, ErrNoCredentials) {
			t.Fatalf("err = %v, want ErrNoCredentials", err)
		}
		if took := time.Since(begin); took > CredentialsDeadline+time.Second {
			t.Errorf("took %s to find no credentials", took)
		}
	})
	t.Run("from the environment, in the region asked for", func(t *testing.T) {
		isolate(t)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
		t.Setenv("AWS_REGION", "us-east-1")
		cfg, err := LoadWithCredentials(ctx, "eu-central-1")
		if err != nil || cfg.Region != "eu-central-1" {
			t.Fatalf("region %q, err %v; want eu-central-1", cfg.Region, err)
		}
		if cfg, err = Load(ctx, ""); err != nil || cfg.Region != "us-east-1" {
			t.Errorf("with no region: %q, %v; want $AWS_REGION's", cfg.Region, err)
		}
	})
	t.Run("a configuration that does not load", func(t *testing.T) {
		isolate(t)
		t.Setenv("AWS_PROFILE", "no-such-profile")
		if _, err := Load(ctx, ""); err == nil || errors.Is(err, ErrNoCredentials) {
			t.Errorf("err = %v, want the configuration's error", err)
		}
	})
}
