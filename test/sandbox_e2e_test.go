//go:build e2e

// The end-to-end suite deploys terraform/environments/sandbox to a real AWS account
// and checks the running service. It needs AWS credentials and costs pennies; run it
// with `make e2e` (see test/README.md). Without the e2e build tag it is not compiled.

package test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	http_helper "github.com/gruntwork-io/terratest/modules/http-helper"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/retry"
	"github.com/gruntwork-io/terratest/modules/terraform"
	test_structure "github.com/gruntwork-io/terratest/modules/test-structure"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

const (
	retention = 14  // days; the sandbox's default, asserted on the live log group
	stateDir  = "." // test_structure keeps the stages' options in ./.test-data
	// teardownBudget is what destroy gets, whatever deploy and validate took.
	teardownBudget = 15 * time.Minute
)

// TestSandbox deploys, validates and tears down the sandbox stack in stages:
// SKIP_deploy=true SKIP_teardown=true re-runs only the validation against a stack
// deployed earlier.
func TestSandbox(t *testing.T) {
	// Deploy and validate stop teardownBudget before go test's own -timeout, which
	// would kill the process without running deferred functions: teardown always
	// gets its time.
	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-teardownBudget))
		defer cancel()
	}
	region := envOr("AWS_REGION", "us-east-1")
	cfg := awsConfig(t, ctx, region)
	registering := os.Getenv("TF_VAR_pipedrive_api_token") != ""
	if !registering {
		t.Log("REGISTRATION DISABLED: TF_VAR_pipedrive_api_token (a sandbox Pipedrive company's token) is not set, " +
			"so the webhook is not registered with Pipedrive and the registration checks are skipped.")
	}

	defer test_structure.RunTestStage(t, "teardown", func() {
		// Its own budget, and the E variants: a failed output (say, a half-done
		// deploy) must not stop the destroy.
		ctx, cancel := context.WithTimeout(context.Background(), teardownBudget)
		defer cancel()
		opts := test_structure.LoadTerraformOptions(t, stateDir)
		var out stackOutputs
		outErr := terraform.OutputStructContextE(t, ctx, opts, "stack", &out)
		if outErr != nil {
			t.Logf("no stack output before destroy (a partial deploy?): %v", outErr)
		}
		url := out.WebhookURL
		if _, err := terraform.DestroyContextE(t, ctx, opts); err != nil {
			t.Errorf("DESTROY FAILED: the stack in %s may still exist; run SKIP_deploy=true SKIP_validate=true make e2e: %v", opts.TerraformDir, err)
			return
		}
		if registering && outErr == nil {
			checkUnregistered(t, ctx, url)
		}
	})

	test_structure.RunTestStage(t, "deploy", func() {
		root := repo.Root()
		// A copy of terraform/ on local state (sandboxCopy): the root's `backend "s3" {}`
		// would make Terratest's init ask for a bucket and fail. The folder outlives
		// the test, as the state in it must until teardown (CI's cleanup step too).
		parent, err := os.MkdirTemp("", "pipedrive-webhooks-e2e-")
		if err != nil {
			t.Fatal(err)
		}
		dir, err := sandboxCopy(parent)
		if err != nil {
			t.Fatal(err)
		}
		vars := map[string]any{
			"region":                region,
			"name_suffix":           strings.ToLower(random.UniqueID()),
			"lambda_zip_path":       filepath.Join(root, "dist", "receiver.zip"),
			"watchdog_zip_path":     filepath.Join(root, "dist", "watchdog.zip"),
			"log_retention_in_days": retention,
			"register_webhook":      registering,
			// terraform/ is copied elsewhere: the tools go by absolute path.
			"registration_tool_command": filepath.Join(root, "dist", "pipedrive-webhook"),
			"secret_tool_command":       filepath.Join(root, "scripts", "ssm-secret", "run"),
		}
		if !registering {
			// The token parameter is still created, with a value that is no token.
			vars["pipedrive_api_token"] = "e2e-placeholder-not-a-token"
		}
		opts := terraform.WithDefaultRetryableErrors(t, &terraform.Options{
			TerraformDir:    dir,
			TerraformBinary: envOr("TERRAFORM_BINARY", "terraform"),
			Vars:            vars,
			NoColor:         true,
		})
		test_structure.SaveTerraformOptions(t, stateDir, opts)
		terraform.InitAndApplyContext(t, ctx, opts)
	})

	test_structure.RunTestStage(t, "validate", func() {
		opts := test_structure.LoadTerraformOptions(t, stateDir)
		var out stackOutputs
		terraform.OutputStructContext(t, ctx, opts, "stack", &out)
		url := out.WebhookURL
		creds := readCredentials(t, ctx, cfg, out.WebhookAuthParameterName)

		expectations := deliverFixtures(t, ctx, url, creds)
		checkLogs(t, ctx, cfg, out.LogGroupName, expectations)
		checkLogRetention(t, ctx, cfg, out.LogGroupName)
		checkParameters(t, ctx, cfg, out.RoleARN, out.WebhookAuthParameterName, out.APITokenParameterName)
		checkMetricFilters(t, ctx, cfg, out.LogGroupName)
		if registering {
			checkRegistered(t, ctx, url)
			checkWatchdogHeals(t, ctx, cfg, out.WatchdogFunctionName, url)
			checkMetricFilters(t, ctx, cfg, out.WatchdogLogGroupName)
		}
	})
}

// stackOutputs is what the suite reads of the root's one output, stack: every
// output of the webhook-stack module.
type stackOutputs struct {
	WebhookURL               string `json:"webhook_url"`
	WebhookAuthParameterName string `json:"webhook_auth_parameter_name"`
	LogGroupName             string `json:"log_group_name"`
	RoleARN                  string `json:"role_arn"`
	APITokenParameterName    string `json:"api_token_parameter_name"`
	WatchdogFunctionName     string `json:"watchdog_function_name"`
	WatchdogLogGroupName     string `json:"watchdog_log_group_name"`
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// awsConfig fails fast, saying what is missing, when there are no usable credentials.
func awsConfig(t *testing.T, ctx context.Context, region string) awssdk.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err == nil {
		_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	}
	if err != nil {
		t.Fatalf("no usable AWS credentials for the sandbox account (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "+
			"AWS_SECRET_ACCESS_KEY, or run in CI with OIDC): %v", err)
	}
	return cfg
}

func readCredentials(t *testing.T, ctx context.Context, cfg awssdk.Config, name string) secrets.Credentials {
	t.Helper()
	v, err := secrets.GetParameter(ctx, ssm.NewFromConfig(cfg), name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := secrets.ParseCredentials(v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// deliverFixtures POSTs every fixture with the credentials (200 {"received":true})
// and one without (401), retrying while API Gateway and Lambda settle.
func deliverFixtures(t *testing.T, ctx context.Context, url string, c secrets.Credentials) []Expectation {
	t.Helper()
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(c.User+":"+c.Password))
	var out []Expectation
	for _, f := range all {
		x, err := Expect(f)
		if err != nil {
			t.Fatal(err)
		}
		headers := map[string]string{"Content-Type": "application/json", "Authorization": auth}
		body := http_helper.HTTPDoWithRetryContext(t, ctx, "POST", url, f.Body, headers, 200, 10, 3*time.Second, nil)
		if err := CheckReceived(200, body); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
		out = append(out, x)
	}
	http_helper.HTTPDoWithRetryContext(t, ctx, "POST", url, all[0].Body, map[string]string{"Content-Type": "application/json"}, 401, 3, 2*time.Second, nil)
	return out
}

// checkLogs finds the record of every delivered fixture in the function's log group.
func checkLogs(t *testing.T, ctx context.Context, cfg awssdk.Config, group string, xs []Expectation) {
	t.Helper()
	logs := cloudwatchlogs.NewFromConfig(cfg)
	for _, x := range xs {
		retry.DoWithRetry(t, "log record of "+x.Fixture, 24, 5*time.Second, func() (string, error) {
			res, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
				LogGroupName:  awssdk.String(group),
				FilterPattern: awssdk.String(fmt.Sprintf(`{ $.webhook.dedup_key = "%s" }`, x.DedupKey())),
			})
			if err != nil {
				return "", err
			}
			var lines []string
			for _, e := range res.Events {
				lines = append(lines, awssdk.ToString(e.Message))
			}
			n, err := MatchRecords(lines, x)
			return fmt.Sprintf("%d records", n), err
		})
	}
}

func checkLogRetention(t *testing.T, ctx context.Context, cfg awssdk.Config, group string) {
	t.Helper()
	res, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: awssdk.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range res.LogGroups {
		if awssdk.ToString(g.LogGroupName) == group {
			if got := awssdk.ToInt32(g.RetentionInDays); got != retention {
				t.Errorf("log group %s keeps logs %d days, want %d", group, got, retention)
			}
			return
		}
	}
	t.Errorf("log group %s not found", group)
}

// checkParameters: both parameters are SecureStrings, and the function's role may
// read the credentials and nothing else, by its policy and by IAM's own simulator.
func checkParameters(t *testing.T, ctx context.Context, cfg awssdk.Config, roleARN, authName, tokenName string) {
	t.Helper()
	client := ssm.NewFromConfig(cfg)
	arns := map[string]string{}
	for _, name := range []string{authName, tokenName} {
		p, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: awssdk.String(name)}) // not decrypted
		if err != nil {
			t.Fatalf("parameter %s: %v", name, err)
		}
		if p.Parameter.Type != ssmtypes.ParameterTypeSecureString {
			t.Errorf("parameter %s is %s, want SecureString", name, p.Parameter.Type)
		}
		arns[name] = awssdk.ToString(p.Parameter.ARN)
	}
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	iamc := iam.NewFromConfig(cfg)
	pol, err := iamc.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: awssdk.String(roleName), PolicyName: awssdk.String("receiver")})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSSMAccess(awssdk.ToString(pol.PolicyDocument), []string{arns[authName]}); err != nil {
		t.Error(err)
	}
	sim, err := iamc.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: awssdk.String(roleARN),
		ActionNames:     []string{"ssm:GetParameter"},
		ResourceArns:    []string{arns[authName], arns[tokenName]},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sim.EvaluationResults {
		allowed := r.EvalDecision == "allowed"
		if want := awssdk.ToString(r.EvalResourceName) == arns[authName]; allowed != want {
			t.Errorf("role may GetParameter %s: %v, want %v", awssdk.ToString(r.EvalResourceName), allowed, want)
		}
	}
}

func pipedriveClient(t *testing.T) *pipedrive.Client {
	t.Helper()
	c, err := pipedrive.NewClient(pipedrive.Config{BaseURL: os.Getenv("PIPEDRIVE_API_URL"), Token: os.Getenv("TF_VAR_pipedrive_api_token")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkRegistered(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	hooks, err := pipedriveClient(t).ListWebhooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := pipedrive.Find(hooks, func(w *pipedrive.Webhook) bool { return w.SubscriptionURL == url })
	if len(found) != 1 || found[0].Version != webhook.V2 || !found[0].HasBasicAuth() {
		t.Errorf("webhooks for %s at Pipedrive: %+v; want exactly one, v2, with basic auth", url, found)
	}
}

func checkUnregistered(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	hooks, err := pipedriveClient(t).ListWebhooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if found := pipedrive.Find(hooks, func(w *pipedrive.Webhook) bool { return w.SubscriptionURL == url }); len(found) > 0 {
		t.Errorf("after destroy, Pipedrive still has webhooks for %s: %+v", url, found)
	}
}
