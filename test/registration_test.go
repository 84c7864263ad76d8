package test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
)

const (
	apiToken  = "pd-token-terraform-31c7"
	authParam = "/pdw-test/webhook-auth"
)

// TestRegistrationModule runs terraform/modules/webhook-registration for real with
// OpenTofu, and with Terraform where it is installed, against a local Pipedrive
// (validated against its OpenAPI description) and a local SSM, with a list of
// subscriptions: apply registers one webhook per subscription, a second apply
// changes nothing, adding or removing a subscription creates or deletes exactly
// its webhook and touches no other, a new URL replaces the old URL's webhooks, new
// credentials register every subscription anew before the old webhooks go, a
// rotation by hand leaves nothing behind, destroy deletes them all.
func TestRegistrationModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds OpenTofu and the registration tool, then runs tofu apply")
	}
	root := repo.Root()
	toolBin := filepath.Join(t.TempDir(), "pipedrive-webhook")
	run(t, root, nil, "go", "build", "-o", toolBin, "./scripts/pipedrive-webhook")
	engines := map[string]string{"tofu": goTool(t, root, "tofu")}
	if tf, err := exec.LookPath("terraform"); err == nil {
		engines["terraform"] = tf
	} else {
		t.Log("no terraform binary on PATH: checked with OpenTofu only")
	}
	for name, bin := range engines {
		t.Run(name, func(t *testing.T) { testRegistrationModule(t, bin, toolBin) })
	}
}

func testRegistrationModule(t *testing.T, tofu, toolBin string) {
	root := repo.Root()

	pd, err := pipedrivetest.NewServer(apiToken)
	if err != nil {
		t.Fatal(err)
	}
	defer pd.Close()
	ssm := ssmtest.NewServer(map[string]string{authParam: "pipedrive:first-password-1"})
	defer ssm.Close()

	dir := t.TempDir()
	writeRoot(t, dir, filepath.Join(root, "terraform", "modules", "webhook-registration"))
	env := []string{"PIPEDRIVE_API_TOKEN=" + apiToken, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"TF_CLI_CONFIG_FILE=", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	for k, v := range ssm.Env() {
		env = append(env, k+"="+v)
	}
	tf := func(args ...string) string {
		t.Helper()
		out := run(t, dir, env, tofu, args...)
		if strings.Contains(out, apiToken) || strings.Contains(out, "password-") {
			t.Fatalf("tofu %v printed a secret:\n%s", args, out)
		}
		return out
	}
	// subscriptions are "object/action" pairs, version 2.0.
	apply := func(command, url string, authVersion int, subscriptions ...string) string {
		t.Helper()
		var list []string
		for _, s := range subscriptions {
			object, action, _ := strings.Cut(s, "/")
			list = append(list, fmt.Sprintf("{event_object=%q,event_action=%q}", object, action))
		}
		return tf(command, "-auto-approve", "-no-color",
			"-var", "webhook_url="+url, "-var", fmt.Sprintf("auth_version=%d", authVersion),
			"-var", "subscriptions=["+strings.Join(list, ",")+"]",
			"-var", "api_url="+pd.APIURL(), "-var", "tool="+toolBin)
	}
	const url1, url2 = "https://one.example.com/webhooks/pipedrive", "https://two.example.com/webhooks/pipedrive"

	tf("init", "-no-color")
	apply("apply", url1, 1, "deal/*", "person/*")
	first := expectWebhooks(t, pd, url1, "pdw-test", "first-password-1", "deal/*", "person/*")

	posts := countPosts(pd)
	out := apply("apply", url1, 1, "deal/*", "person/*")
	if !strings.Contains(out, "No changes") || countPosts(pd) != posts {
		t.Errorf("a second apply changed something:\n%s", out)
	}
	expectWebhooks(t, pd, url1, "pdw-test", "first-password-1", "deal/*", "person/*")

	// Add one: exactly one create, and the others are the same webhooks.
	apply("apply", url1, 1, "deal/*", "person/*", "organization/create")
	added := expectWebhooks(t, pd, url1, "pdw-test", "first-password-1", "deal/*", "person/*", "organization/create")
	if countPosts(pd) != posts+1 || added["deal/*"] != first["deal/*"] || added["person/*"] != first["person/*"] {
		t.Errorf("adding a subscription touched the others: before %v, after %v, %d creates", first, added, countPosts(pd)-posts)
	}

	// Remove one: its webhook goes, the others stay as they were.
	apply("apply", url1, 1, "deal/*", "organization/create")
	removed := expectWebhooks(t, pd, url1, "pdw-test", "first-password-1", "deal/*", "organization/create")
	if removed["deal/*"] != first["deal/*"] || removed["organization/create"] != added["organization/create"] {
		t.Errorf("removing a subscription touched the others: before %v, after %v", added, removed)
	}

	apply("apply", url2, 1, "deal/*", "organization/create")
	expectWebhooks(t, pd, url2, "pdw-test", "first-password-1", "deal/*", "organization/create")

	// Rotate: every subscription registered anew, with the new password.
	ssm.Set(authParam, "pipedrive:second-password-2")
	apply("apply", url2, 2, "deal/*", "organization/create")
	rotated := expectWebhooks(t, pd, url2, "pdw-test", "second-password-2", "deal/*", "organization/create")

	// A rotation by hand, as README shows it, then a destroy: found by URL.
	ssm.Set(authParam, "pipedrive:third-password-3")
	run(t, root, append(env, "PIPEDRIVE_API_URL="+pd.APIURL()), toolBin, "register", "--url", url2, "--rotate", "--auth-parameter", authParam, "--region", "eu-central-1")
	byHand := expectWebhooks(t, pd, url2, "", "", "deal/*", "organization/create")
	if byHand["deal/*"] == rotated["deal/*"] || byHand["organization/create"] != rotated["organization/create"] {
		t.Errorf("a rotation by hand of deal/*: before %v, after %v", rotated, byHand)
	}

	apply("destroy", url2, 2, "deal/*", "organization/create")
	if hooks := pd.Webhooks(); len(hooks) != 0 {
		t.Errorf("%d webhooks left after destroy: %+v", len(hooks), hooks)
	}
	for _, p := range append(pd.Problems(), ssm.Problems()...) {
		t.Errorf("server saw: %s", p)
	}
}

// expectWebhooks checks that Pipedrive holds exactly one v2 webhook per
// subscription ("object/action"), all delivering to url, named name and
// registered with password ("" for any), and returns their ids by subscription.
func expectWebhooks(t *testing.T, pd *pipedrivetest.Server, url, name, password string, subscriptions ...string) map[string]int64 {
	t.Helper()
	hooks := pd.Webhooks()
	ids := map[string]int64{}
	for _, h := range hooks {
		key := h.EventObject + "/" + h.EventAction
		if _, dup := ids[key]; dup || !slices.Contains(subscriptions, key) {
			t.Fatalf("webhook %s is a duplicate or no subscription's; want one each of %v: %+v", key, subscriptions, hooks)
		}
		ids[key] = h.ID
		if h.SubscriptionURL != url || h.Version != "2.0" || (name != "" && h.Name != name) ||
			h.HTTPAuthUser == nil || *h.HTTPAuthUser != "pipedrive" || h.HTTPAuthPassword == nil || (password != "" && *h.HTTPAuthPassword != password) {
			t.Fatalf("webhook %+v, want %s named %q", h, url, name)
		}
	}
	if len(ids) != len(subscriptions) {
		t.Fatalf("%d webhooks, want exactly one per subscription %v: %+v", len(hooks), subscriptions, hooks)
	}
	return ids
}

func countPosts(pd *pipedrivetest.Server) int {
	n := 0
	for _, r := range pd.Requests() {
		if r.Method == http.MethodPost {
			n++
		}
	}
	return n
}

// writeRoot writes a root module that calls the registration module the way the
// sandbox does, with the tool and Pipedrive's address as variables.
func writeRoot(t *testing.T, dir, module string) {
	t.Helper()
	main := fmt.Sprintf(`
variable "webhook_url" { type = string }
variable "auth_version" { type = number }
variable "api_url" { type = string }
variable "tool" { type = string }
variable "subscriptions" { type = any }

module "registration" {
  source               = %q
  webhook_url          = var.webhook_url
  webhook              = { name = "pdw-test", api_url = var.api_url, subscriptions = var.subscriptions }
  auth_parameter_name  = %q
  auth_version         = var.auth_version
  token_parameter_name = "/pdw-test/api-token"
  aws_region           = "eu-central-1"
  tool_command         = var.tool
}
`, module, authParam)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
}

// goTool returns the path of a pinned tool from tools/NAME/go.mod, building it once.
func goTool(t *testing.T, root, name string) string {
	t.Helper()
	return strings.TrimSpace(run(t, root, nil, "go", "tool", "-n", "-modfile=tools/"+name+"/go.mod", name))
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
