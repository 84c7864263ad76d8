package test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// TestLayoutTableMatchesTheTree: README's layout table names what is there, and
// everything that is there: every path in its first column exists; every Go
// package, every tracked top-level folder and file of scripts/, and every Terraform
// module and root is named in it. Tried: internal/cli left out of the table, and a
// row for a scripts/old that is gone — each fails this test.
func TestLayoutTableMatchesTheTree(t *testing.T) {
	root := repo.Root()
	rows := layoutRows(t, root)
	var paths []string
	var terraformRow string
	tick := regexp.MustCompile("`([^`]+)`")
	for _, row := range rows {
		for _, m := range tick.FindAllStringSubmatch(row[0], -1) {
			paths = append(paths, strings.TrimSuffix(m[1], "/"))
		}
		if row[0] == "`terraform/`" {
			terraformRow = row[1]
		}
	}
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("the layout table names %s, which is not in the tree", p)
		}
	}

	tracked := gitFiles(t, root)
	want := map[string]bool{}
	for _, f := range tracked {
		dir, parts := filepath.Dir(f), strings.Split(f, "/")
		switch {
		case strings.HasSuffix(f, ".go") && dir != ".":
			want[dir] = true // a Go package
		case len(parts) == 2 && parts[0] == "scripts":
			want[f] = true // a script of its own
		}
		if len(parts) > 1 && !strings.HasPrefix(parts[0], ".") || strings.HasPrefix(f, ".github/workflows/") {
			want[parts[0]] = true // a top-level folder
		}
	}
	for p := range want {
		if slices.Contains(paths, p) {
			continue
		}
		// A package under a folder the table names as a whole (test/, tools/…), or a
		// top-level folder whose parts it names one by one (internal/, scripts/…).
		covered := false
		for _, q := range paths {
			if strings.HasPrefix(p, q+"/") && !strings.HasSuffix(p, ".go") && !isNamedByParts(q) || strings.HasPrefix(q, p+"/") {
				covered = true
			}
		}
		if !covered {
			t.Errorf("%s is in the tree but not in README's layout table", p)
		}
	}

	// The Terraform row names every module and root.
	for _, glob := range []string{"terraform/modules/*", "terraform/environments/*"} {
		dirs, _ := filepath.Glob(filepath.Join(root, glob))
		for _, d := range dirs {
			name := filepath.Base(d)
			if strings.Contains(glob, "environments") {
				name = "environments/" + name
			}
			if !strings.Contains(terraformRow, "`"+name+"`") {
				t.Errorf("README's layout table does not name the Terraform %s", name)
			}
		}
	}
}

// isNamedByParts: folders whose Go packages the table lists one by one.
func isNamedByParts(dir string) bool {
	return dir == "internal" || dir == "lambda" || dir == "scripts"
}

func layoutRows(t *testing.T, root string) [][2]string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][2]string
	in := false
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "Layout:":
			in = true
		case in && strings.HasPrefix(line, "| `"):
			cells := strings.SplitN(strings.Trim(line, "|"), "|", 2)
			rows = append(rows, [2]string{strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])})
		case in && len(rows) > 0 && !strings.HasPrefix(line, "|"):
			return rows
		}
	}
	if len(rows) == 0 {
		t.Fatal(`README.md has no "Layout:" table`)
	}
	return rows
}

func gitFiles(t *testing.T, root string) []string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}
