// Command stack-output prints one output of a deployed stack: a root's single
// output, stack (every output of the webhook-stack module), read with the
// engine's `output -json stack`, and the value named NAME in it. A string is
// printed as it is, anything else as JSON. A root that is not deployed, or a value
// the stack does not have (null: no watchdog, say), is an error that says so.
//
//	go run ./scripts/stack-output terraform/environments/sandbox webhook_url
//
// TF names the engine, as in the Makefile (default: terraform).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
)

func main() { cli.Main("stack-output", run) }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s DIR NAME\n\nPrints NAME of the stack output of the Terraform root in DIR (TF names the engine).\n", args[0])
	}
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return cli.Misuse(fs, stderr, errors.New("give the root's folder and the output's name"))
	}
	dir, name := fs.Arg(0), fs.Arg(1)
	env := filepath.Base(dir)
	notDeployed := fmt.Errorf("%s has no output stack: deploy it first (or, deployed before its outputs became one, apply it again), with make apply ENV=%s", env, env)

	engine := strings.Fields(getenv("TF"))
	if len(engine) == 0 {
		engine = []string{"terraform"}
	}
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, engine[0], append(engine[1:], "-chdir="+dir, "output", "-json", "stack")...) //nolint:gosec // the engine is the operator's own TF
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		if strings.Contains(errOut.String(), "not found") || strings.Contains(errOut.String(), "No outputs") {
			return notDeployed
		}
		return fmt.Errorf("%s output -json stack: %w\n%s", engine[0], err, strings.TrimSpace(errOut.String()))
	}
	var stack map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &stack); err != nil || stack == nil {
		return notDeployed
	}
	value, ok := stack[name]
	if !ok {
		return fmt.Errorf("the stack has no output %s; it has %s", name, strings.Join(slices.Sorted(maps.Keys(stack)), ", "))
	}
	var s string
	switch {
	case string(value) == "null":
		return fmt.Errorf("%s has no %s (null): see the webhook-stack module's README for when it is set", env, name)
	case json.Unmarshal(value, &s) == nil:
		_, err := fmt.Fprintln(stdout, s)
		return err
	default:
		var compact bytes.Buffer
		if err := json.Compact(&compact, value); err != nil {
			return err
		}
		_, err := fmt.Fprintln(stdout, compact.String())
		return err
	}
}
