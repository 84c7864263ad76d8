// Command mutate runs gremlins (pinned in tools/gremlins) over each core package,
// one package at a time with each package's own tests and without its test
// stand-ins, then tests the mutants gremlins cannot see run (blind.go), and prints
// the figures README reports: killed, lived and not-covered mutants, test efficacy
// and mutator coverage, gremlins' and with the blind spots. It fails when a package
// is below the thresholds.
//
//	go run ./scripts/mutate                       # make mutate
//	go run ./scripts/mutate ./internal/webhook    # one package
//	go run ./scripts/mutate -reuse                # the blind-spot pass again, on dist/mutate's reports
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
)

// standIns matches the files of test-support packages below a core package (Go's
// httptest convention: a folder named …test, such as pipedrive/pipedrivetest and
// secrets/ssmtest). They are stand-ins for Pipedrive and SSM that only tests
// import, shipped in no program: a mutant there says how well the stand-in's own
// tests pin the stand-in, not how well the package's tests pin the code that runs
// in production, so they are left out of the core figures. gremlins matches the
// expression against each file's path relative to the package's folder.
const standIns = `(^|/)[^/]*test/`

// corePackages are the packages README reports figures for.
var corePackages = []string{
	"./internal/webhook",
	"./internal/watchdog",
	"./internal/receiver",
	"./internal/pipedrive",
	"./internal/secrets",
}

// report is the part of gremlins' JSON output (-o) that the table shows.
type report struct {
	Efficacy   float64      `json:"test_efficacy"`
	Coverage   float64      `json:"mutations_coverage"`
	Killed     int          `json:"mutants_killed"`
	Lived      int          `json:"mutants_lived"`
	NotCovered int          `json:"mutants_not_covered"`
	TimedOut   int          `json:"mutants_timed_out"`
	Elapsed    float64      `json:"elapsed_time"`
	Files      []reportFile `json:"files"`
}

func main() { cli.Main("mutate", run) }

func run(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	workers := fs.Int("workers", 2, "gremlins workers (mutants tested at once)")
	out := fs.String("out", filepath.Join("dist", "mutate"), "folder for gremlins' JSON reports")
	minEfficacy := fs.Float64("min-efficacy", 0, "fail below this test efficacy (percent)")
	minCoverage := fs.Float64("min-coverage", 0, "fail below this mutator coverage (percent; with -blind, counting the blind spots' results)")
	reuse := fs.Bool("reuse", false, "read gremlins' reports already in -out instead of running gremlins again (for the blind-spot pass)")
	blind := fs.Bool("blind", true, "also test the not-covered mutants that lie outside the cover profile (gremlins#298), see blind.go")
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	pkgs := fs.Args()
	if len(pkgs) == 0 {
		pkgs = corePackages
	}
	if err := os.MkdirAll(*out, 0o750); err != nil {
		return err
	}
	begin := time.Now()
	var rows []string
	var below []string
	var survivors []string
	for _, pkg := range pkgs {
		file := filepath.Join(*out, strings.ReplaceAll(strings.Trim(pkg, "./"), "/", "-")+".json")
		fmt.Fprintf(stderr, "==> gremlins %s (%d workers)\n", pkg, *workers)
		// A mutant's run times out after 10 times the coverage run (the package's whole
		// suite, its build included): room for a slow build on shared cores, where a
		// timed-out mutant counts as neither killed nor lived. Mutants that loop
		// forever (a retry counter counting down) are the ones that time out, and
		// each holds a worker that long: at 30 times, pipedrive's four held one for
		// over 20 minutes in all.
		if !*reuse {
			cmd := exec.Command("go", "tool", "-modfile=tools/gremlins/go.mod", "gremlins", "unleash",
				"--workers", fmt.Sprint(*workers), "--timeout-coefficient", "10", "-S", "lt",
				"--exclude-files", standIns, "-o", file, pkg)
			cmd.Stdout, cmd.Stderr = stderr, stderr
			cmd.Env = gremlinsEnv(os.Environ())
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("gremlins %s: %w", pkg, err)
			}
		}
		r, err := read(file)
		if err != nil {
			return err
		}
		if r.TimedOut > 0 {
			fmt.Fprintf(stderr, "%s: %d mutants timed out (counted as neither killed nor lived)\n", pkg, r.TimedOut)
		}
		row := fmt.Sprintf("| `%s` | %d | %d | %d | %.1f %% | %.1f %% |",
			strings.TrimPrefix(pkg, "./"), r.Killed, r.Lived, r.NotCovered, r.Efficacy, r.Coverage)
		efficacy, coverage := r.Efficacy, r.Coverage
		if *blind {
			b, err := blindSpots(pkg, r.Files, *workers, stderr)
			if err != nil {
				return err
			}
			killed, lived := r.Killed+b.Killed, r.Lived+b.Lived
			notCovered := r.NotCovered - b.Killed - b.Lived - b.NotViable - b.TimedOut
			efficacy = 100 * float64(killed) / float64(max(killed+lived, 1))
			coverage = 100 * float64(killed+lived) / float64(max(killed+lived+notCovered, 1))
			row += fmt.Sprintf(" %d / %d / %d / %d | %d | %d | %d | %.1f %% | %.1f %% |",
				b.Killed, b.Lived, b.NotViable, b.TimedOut, killed, lived, notCovered, efficacy, coverage)
			survivors = append(survivors, b.Lines...)
		}
		rows = append(rows, row)
		if efficacy < *minEfficacy || coverage < *minCoverage {
			below = append(below, pkg)
		}
	}
	if *blind {
		fmt.Fprintln(stdout, "| package | killed | lived | not covered | test efficacy | mutator coverage | blind spots killed / lived / not viable / timed out | killed | lived | not covered | test efficacy | mutator coverage |")
		fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	} else {
		fmt.Fprintln(stdout, "| package | killed | lived | not covered | test efficacy | mutator coverage |")
		fmt.Fprintln(stdout, "|---|---|---|---|---|---|")
	}
	for _, row := range rows {
		fmt.Fprintln(stdout, row)
	}
	if len(survivors) > 0 {
		fmt.Fprintln(stdout, "Blind-spot survivors:")
		for _, l := range survivors {
			fmt.Fprintln(stdout, l)
		}
	}
	fmt.Fprintf(stdout, "(%d workers, %s)\n", *workers, time.Since(begin).Round(time.Second))
	if len(below) > 0 {
		return fmt.Errorf("below %.0f %% efficacy or %.0f %% coverage: %s", *minEfficacy, *minCoverage, strings.Join(below, ", "))
	}
	return nil
}

// gremlinsFlags are added to GOFLAGS for gremlins, whose go test commands (its
// coverage run and each mutant's) have neither.
//
// -count=1: gremlins times its coverage run and lets each mutant run 10 times as
// long, but that run has no -count=1, so go test took its result from the test
// cache whenever the package and its tests were unchanged since the last run
// (make mutate twice): 0.14 s instead of 2.1 s for internal/webhook, and every
// mutant of it timed out.
//
// -vet=off: with vet's checks, a mutant vet objects to failed go test before any
// test ran, and gremlins counted it killed: a kill by a static check, not by the
// package's tests (the blind-spot pass runs its mutants with -vet=off too, and
// counts one that does not build as not viable). And vet was about a sixth of a
// webhook mutant's run (0.4 s of 2.4 s), reanalysing the mutated package each
// time.
const gremlinsFlags = "-count=1 -vet=off"

// gremlinsEnv returns environ with gremlinsFlags added to GOFLAGS (what GOFLAGS
// held is kept).
func gremlinsEnv(environ []string) []string {
	out := make([]string, 0, len(environ)+1)
	flags := gremlinsFlags
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GOFLAGS="); ok {
			flags = strings.TrimSpace(v + " " + flags)
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GOFLAGS="+flags)
}

func read(file string) (report, error) {
	var r report
	b, err := os.ReadFile(file)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s: %w", file, err)
	}
	if r.Killed+r.Lived+r.NotCovered == 0 {
		return r, errors.New(file + ": gremlins found no mutants")
	}
	return r, nil
}
