// Package lambdatest is test support for the Lambda programs: it builds a
// `bootstrap` for this machine. Programs use internal/lambdalocal instead.
package lambdatest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// BuildBootstrap builds the Lambda binary of the package at pkg (relative to the
// repository's root, such as "./lambda/receiver") as `make build` does, but for the host's
// architecture so that it can run here, and returns its path.
func BuildBootstrap(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin, pkg)
	cmd.Dir = repo.Root()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}
