package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWithoutVet: GOFLAGS gains -vet=off, whatever it held is kept, and nothing
// else in the environment changes.
func TestWithoutVet(t *testing.T) {
	for _, tt := range []struct {
		in, want []string
	}{
		{[]string{"HOME=/h", "PATH=/p"}, []string{"HOME=/h", "PATH=/p", "GOFLAGS=-vet=off"}},
		{[]string{"GOFLAGS=-mod=mod -count=1", "PATH=/p"}, []string{"PATH=/p", "GOFLAGS=-mod=mod -count=1 -vet=off"}},
		{[]string{"GOFLAGS=", "PATH=/p"}, []string{"PATH=/p", "GOFLAGS=-vet=off"}},
	} {
		if got := withoutVet(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("withoutVet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestWithoutVetReachesGoTest: go test, run with that environment, skips vet: a
// test file vet refuses (a Printf verb of the wrong type) builds and passes,
// where without it go test fails before running it.
func TestWithoutVetReachesGoTest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod": "module example.com/vetted\n\ngo 1.22\n",
		"x_test.go": `package vetted

import (
	"fmt"
	"testing"
)

func TestX(t *testing.T) { _ = fmt.Sprintf("%d", "not a number") }
`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(env []string) (string, error) {
		cmd := exec.Command("go", "test", "-count=1", ".")
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GOFLAGS=") })
	if out, err := run(env); err == nil || !strings.Contains(out, "wrong type") {
		t.Fatalf("with vet: %v\n%s", err, out)
	}
	if out, err := run(withoutVet(env)); err != nil {
		t.Fatalf("without vet: %v\n%s", err, out)
	}
}
