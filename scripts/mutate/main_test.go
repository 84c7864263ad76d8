package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGremlinsEnv: GOFLAGS gains -count=1 and -vet=off, whatever it held is kept,
// and nothing else in the environment changes.
func TestGremlinsEnv(t *testing.T) {
	for _, tt := range []struct {
		in, want []string
	}{
		{[]string{"HOME=/h", "PATH=/p"}, []string{"HOME=/h", "PATH=/p", "GOFLAGS=-count=1 -vet=off"}},
		{[]string{"GOFLAGS=-mod=mod -race", "PATH=/p"}, []string{"PATH=/p", "GOFLAGS=-mod=mod -race -count=1 -vet=off"}},
		{[]string{"GOFLAGS=", "PATH=/p"}, []string{"PATH=/p", "GOFLAGS=-count=1 -vet=off"}},
	} {
		if got := gremlinsEnv(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("gremlinsEnv(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestGremlinsEnvReachesGoTest: go test, run as gremlins runs it (no -count, no
// -vet) with that environment, skips vet and runs the tests every time: a test
// file vet refuses (a Printf verb of the wrong type) builds and passes, and a
// second run is not read from the test cache. Without it, go test fails before
// running the test, and once vet is off, the second run is cached.
func TestGremlinsEnvReachesGoTest(t *testing.T) {
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
		cmd := exec.Command("go", "test", ".")
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GOFLAGS=") })
	if out, err := run(env); err == nil || !strings.Contains(out, "wrong type") {
		t.Fatalf("with vet: %v\n%s", err, out)
	}
	if out, err := run(append(env, "GOFLAGS=-vet=off")); err != nil {
		t.Fatalf("without vet: %v\n%s", err, out)
	}
	if out, err := run(append(env, "GOFLAGS=-vet=off")); err != nil || !strings.Contains(out, "(cached)") {
		t.Fatalf("without vet, again: %v (want a cached result)\n%s", err, out)
	}
	for range 2 {
		out, err := run(gremlinsEnv(env))
		if err != nil || strings.Contains(out, "(cached)") {
			t.Fatalf("as gremlins: %v (want a run, not the cache)\n%s", err, out)
		}
	}
}
