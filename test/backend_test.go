package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// Both roots keep their state in S3 with native locking, each under its own key,
// configured by a partial backend file; the sandbox falls back to local state,
// saying so, and production never does.
func TestBackends(t *testing.T) {
	keys := map[string]string{}
	for env, file := range map[string]string{"production": "backend.s3.tfbackend", "sandbox": "backend.s3.tfbackend.example"} {
		dir := repo.Path("terraform", "environments", env)
		versions, err := os.ReadFile(filepath.Join(dir, "versions.tf"))
		if err != nil || !regexp.MustCompile(`(?m)^\s*backend "s3" \{\}`).Match(versions) {
			t.Errorf("%s: no partial S3 backend in versions.tf (%v)", env, err)
		}
		cfg, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`use_lockfile = true`, `encrypt      = true`, `region       = "us-east-1"`} {
			if !strings.Contains(string(cfg), want) {
				t.Errorf("%s/%s lacks %s", env, file, want)
			}
		}
		key := regexp.MustCompile(`key\s*=\s*"([^"]+)"`).FindSubmatch(cfg)
		if key == nil {
			t.Fatalf("%s: no key", env)
		}
		if other, dup := keys[string(key[1])]; dup {
			t.Errorf("%s and %s share the state key %s", env, other, key[1])
		}
		keys[string(key[1])] = env
	}
}

func TestInitPicksTheState(t *testing.T) {
	script := repo.Path("scripts", "tf-init.sh")
	run := func(dir string) (string, error) {
		cmd := exec.Command(script, dir)
		cmd.Env = append(os.Environ(), "TF=echo") // the engine's arguments, printed
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	sandbox := filepath.Join(t.TempDir(), "sandbox")
	if err := os.MkdirAll(sandbox, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := run(sandbox)
	override, _ := os.ReadFile(filepath.Join(sandbox, "backend_override.tf"))
	if err != nil || !strings.Contains(out, "LOCAL state") || !strings.Contains(string(override), `backend "local"`) {
		t.Errorf("no backend file: %v %q, override %q", err, out, override)
	}
	if err := os.WriteFile(filepath.Join(sandbox, "backend.s3.tfbackend"), []byte("bucket = \"b\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = run(sandbox)
	if _, statErr := os.Stat(filepath.Join(sandbox, "backend_override.tf")); err != nil || !strings.Contains(out, "-backend-config=backend.s3.tfbackend") || statErr == nil {
		t.Errorf("with a backend file: %v %q (override left: %v)", err, out, statErr == nil)
	}
	production := filepath.Join(t.TempDir(), "production")
	if err := os.MkdirAll(production, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := run(production); err == nil || !strings.Contains(out, "production runs only on its shared state") {
		t.Errorf("production without a backend file: %v %q", err, out)
	}
}
