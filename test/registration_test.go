package test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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
// OpenTofu, and with Terraform where it is installed, against a local Pipedrive (validated against its OpenAPI description) and
// a local SSM: apply registers, a second apply changes nothing, a new URL replaces
// the old URL's webhook, new credentials register anew before the old webhook goes,
// a rename and a rotation by hand leave nothing behind, destroy deletes.
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
	vars := func(url string, authVersion int) []string {
		return []string{"-auto-approve", "-no-color",
			"-var", "webhook_url=" + url, "-var", fmt.Sprintf("auth_version=%d", authVersion),
			"-var", "api_url=" + pd.APIURL(), "-var", "tool=" + toolBin}
	}
	const url1, url2 = "https://one.example.com/webhooks/pipedrive", "https://two.example.com/webhooks/pipedrive"

	tf("init", "-no-color")
	tf(append([]string{"apply"}, vars(url1, 1)...)...)
	expectWebhook(t, pd, url1, "pdw-test", "first-password-1")

	posts := countPosts(pd)
	out := tf(append([]string{"apply"}, vars(url1, 1)...)...)
	if !strings.Contains(out, "No changes") || countPosts(pd) != posts {
		t.Errorf("a second apply changed something:\n%s", out)
	}
	expectWebhook(t, pd, url1, "pdw-test", "first-password-1")

	tf(append([]string{"apply"}, vars(url2, 1)...)...)
	expectWebhook(t, pd, url2, "pdw-test", "first-password-1")

	ssm.Set(authParam, "pipedrive:second-password-2")
	tf(append([]string{"apply"}, vars(url2, 2)...)...)
	expectWebhook(t, pd, url2, "pdw-test", "second-password-2")

	// A rotation by hand, as README shows it, then a destroy: found by URL.
	ssm.Set(authParam, "pipedrive:third-password-3")
	run(t, root, append(env, "PIPEDRIVE_API_URL="+pd.APIURL()), toolBin, "register", "--url", url2, "--rotate", "--auth-parameter", authParam, "--region", "eu-central-1")
	expectWebhook(t, pd, url2, "pipedrive-webhooks", "third-password-3")

	tf(append([]string{"destroy"}, vars(url2, 2)...)...)
	if hooks := pd.Webhooks(); len(hooks) != 0 {
		t.Errorf("%d webhooks left after destroy: %+v", len(hooks), hooks)
	}
	for _, p := range append(pd.Problems(), ssm.Problems()...) {
		t.Errorf("server saw: %s", p)
	}
}

func expectWebhook(t *testing.T, pd *pipedrivetest.Server, url, name, password string) {
	t.Helper()
	hooks := pd.Webhooks()
	if len(hooks) != 1 {
		t.Fatalf("%d webhooks, want exactly 1: %+v", len(hooks), hooks)
	}
	h := hooks[0]
	if h.SubscriptionURL != url || h.Name != name || h.Version != "2.0" || h.EventObject != "deal" || h.EventAction != "*" ||
		h.HTTPAuthUser == nil || *h.HTTPAuthUser != "pipedrive" || h.HTTPAuthPassword == nil || *h.HTTPAuthPassword != password {
		t.Fatalf("webhook %+v, want %s named %q", h, url, name)
	}
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

module "registration" {
  source               = %q
  name                 = "pdw-test"
  webhook_url          = var.webhook_url
  auth_parameter_name  = %q
  auth_version         = var.auth_version
  token_parameter_name = "/pdw-test/api-token"
  aws_region           = "eu-central-1"
  pipedrive_api_url    = var.api_url
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
