package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// TestProgramsShareOneShape: every program's main hands the common run shape to
// internal/cli (help on stdout, errors once on stderr, exit codes 0/1/2), and no
// program links a package that imports testing. The one exception is the bench's
// minimal Lambda binary, which exists to be the smallest aws-lambda-go program.
// Tried: a main that calls os.Exit itself, and scripts/invoke importing
// internal/lambdatest again — each fails this test.
func TestProgramsShareOneShape(t *testing.T) {
	root := repo.Root()
	list := exec.Command("go", "list", "-f", `{{if eq .Name "main"}}{{.ImportPath}} {{.Dir}}{{end}}`, "./...")
	list.Dir = root
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	programs := strings.Fields(strings.TrimSpace(string(out)))
	if len(programs) < 2*8 {
		t.Fatalf("go list found %d programs; want the receiver, the watchdog and the scripts", len(programs)/2)
	}
	for i := 0; i < len(programs); i += 2 {
		pkg, dir := programs[i], programs[i+1]
		rel, _ := filepath.Rel(root, dir)
		if rel == filepath.Join("scripts", "bench", "minimal") {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			deps, err := exec.Command("go", "list", "-deps", pkg).Output() //nolint:gosec // the package is one go list named
			if err != nil {
				t.Fatalf("go list -deps: %v", err)
			}
			for _, d := range strings.Fields(string(deps)) {
				if d == "testing" {
					t.Errorf("%s links the testing package", rel)
				}
			}
			src, err := os.ReadFile(filepath.Join(dir, "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			body := string(src)
			if i := strings.Index(body, "\nfunc main() {"); i < 0 {
				t.Errorf("%s/main.go has no func main", rel)
			} else {
				main := body[i+1:]
				if line := main[:strings.IndexByte(main, '\n')]; strings.HasSuffix(line, "}") {
					main = line // func main() { cli.Main("name", run) }
				} else {
					main = main[:strings.Index(main, "\n}")+2]
				}
				if !strings.Contains(main, "cli.Main(") && !strings.Contains(main, "cli.ExitCode(") && !strings.Contains(main, "exitCode(") {
					t.Errorf("%s's main does not hand its run to internal/cli:\n%s", rel, main)
				}
			}
			if !strings.Contains(body, "stdout, stderr io.Writer") && !strings.Contains(body, "stdout, stderr") {
				t.Errorf("%s's run does not take stdout and stderr", rel)
			}
		})
	}
}
