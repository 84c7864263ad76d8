package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// gremlins v0.6.0 takes a mutant for "not covered" when its position lies in no
// block of the package's cover profile that the tests ran. Go's cover profile has
// no block at all for some code that does run: the conditions of a tagless
// switch's cases (go-gremlins/gremlins#298), constant declarations, and the rest
// of a statement after a function literal. Those mutants are never tested, and
// their lines look untested whatever the tests do. The blind-spot pass finds
// them (a not-covered mutant outside every block of the profile) and tests each
// itself, as gremlins tests a covered one: the file mutated through go test's
// -overlay, the package's own tests run with -failfast, a failure a kill.

// mutation is one mutant of gremlins' JSON report.
type mutation struct {
	Type   string `json:"type"`
	Status string `json:"status"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// reportFile is one file of gremlins' JSON report, named relative to the package.
type reportFile struct {
	Name      string     `json:"file_name"`
	Mutations []mutation `json:"mutations"`
}

// block is one block of a cover profile: from (line, col) to (endLine, endCol).
type block struct {
	file                       string
	line, col, endLine, endCol int
	count                      int
}

// parseProfile reads a cover profile (go test -coverprofile), naming each block's
// file by its base name.
func parseProfile(r io.Reader) ([]block, error) {
	var blocks []block
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "mode:") {
			continue
		}
		// path/file.go:L1.C1,L2.C2 statements count
		colon := strings.LastIndex(line, ":")
		fields := strings.Fields(line[colon+1:])
		if colon < 0 || len(fields) != 3 {
			return nil, fmt.Errorf("cover profile line %q", line)
		}
		var b block
		if _, err := fmt.Sscanf(fields[0], "%d.%d,%d.%d", &b.line, &b.col, &b.endLine, &b.endCol); err != nil {
			return nil, fmt.Errorf("cover profile line %q: %w", line, err)
		}
		count, err := strconv.Atoi(fields[2])
		if err != nil {
			return nil, fmt.Errorf("cover profile line %q: %w", line, err)
		}
		b.file, b.count = filepath.Base(line[:colon]), count
		blocks = append(blocks, b)
	}
	return blocks, sc.Err()
}

// outside reports whether (line, col) of file lies in no block of the profile.
func outside(blocks []block, file string, line, col int) bool {
	for _, b := range blocks {
		if b.file != file {
			continue
		}
		after := line > b.line || line == b.line && col >= b.col
		before := line < b.endLine || line == b.endLine && col <= b.endCol
		if after && before {
			return false
		}
	}
	return true
}

// replacements are gremlins' own token mutations (internal/engine/mappings.go of
// v0.6.0), by mutant type and token.
var replacements = map[string]map[token.Token]token.Token{
	"ARITHMETIC_BASE":       {token.ADD: token.SUB, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL, token.SUB: token.ADD},
	"CONDITIONALS_BOUNDARY": {token.GEQ: token.GTR, token.GTR: token.GEQ, token.LEQ: token.LSS, token.LSS: token.LEQ},
	"CONDITIONALS_NEGATION": {token.EQL: token.NEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR, token.LSS: token.GEQ, token.NEQ: token.EQL},
	"INCREMENT_DECREMENT":   {token.DEC: token.INC, token.INC: token.DEC},
	"INVERT_NEGATIVES":      {token.SUB: token.ADD},
	"INVERT_LOGICAL":        {token.LAND: token.LOR, token.LOR: token.LAND},
	"INVERT_LOOPCTRL":       {token.BREAK: token.CONTINUE, token.CONTINUE: token.BREAK},
}

// mutate returns src with the token at (line, col) replaced as the mutant type says.
func mutate(src []byte, line, col int, typ string) ([]byte, error) {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, 0)
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			return nil, fmt.Errorf("no token at %d:%d", line, col)
		}
		p := fset.Position(pos)
		if p.Line != line || p.Column != col {
			continue
		}
		to, ok := replacements[typ][tok]
		if !ok {
			return nil, fmt.Errorf("%d:%d: no %s mutation of %q", line, col, typ, tok)
		}
		off := file.Offset(pos)
		out := append([]byte{}, src[:off]...)
		out = append(out, to.String()...)
		return append(out, src[off+len(tok.String()):]...), nil
	}
}

// blindResult counts the blind-spot mutants by their status.
type blindResult struct {
	Killed, Lived, NotViable, TimedOut int
	Lines                              []string // "LIVED TYPE at file:line:col", for the survivors
}

// blindSpots tests the not-covered mutants of pkg that lie outside its cover
// profile, workers at a time.
func blindSpots(pkg string, files []reportFile, workers int, stderr io.Writer) (blindResult, error) {
	var res blindResult
	dir, err := os.MkdirTemp("", "mutate-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	profile := filepath.Join(dir, "cover.out")
	begin := time.Now()
	if out, err := exec.Command("go", "test", "-count=1", "-coverprofile="+profile, pkg).CombinedOutput(); err != nil {
		return res, fmt.Errorf("go test -coverprofile %s: %w\n%s", pkg, err, out)
	}
	timeout := 10*time.Since(begin) + 30*time.Second
	f, err := os.Open(profile)
	if err != nil {
		return res, err
	}
	blocks, err := parseProfile(f)
	f.Close()
	if err != nil {
		return res, err
	}
	type job struct {
		file string
		m    mutation
	}
	var jobs []job
	for _, rf := range files {
		for _, m := range rf.Mutations {
			if m.Status == "NOT COVERED" && !strings.Contains(rf.Name, "/") && outside(blocks, rf.Name, m.Line, m.Column) {
				jobs = append(jobs, job{rf.Name, m})
			}
		}
	}
	fmt.Fprintf(stderr, "==> %s: %d not-covered mutants lie outside the cover profile; testing them (%d workers)\n", pkg, len(jobs), workers)
	var mu sync.Mutex
	var firstErr error
	ch := make(chan job)
	var wg sync.WaitGroup
	for w := range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				status, err := runMutant(pkg, filepath.Join(dir, strconv.Itoa(w)), j.file, j.m, timeout)
				mu.Lock()
				line := fmt.Sprintf("%12s %s at %s:%d:%d", status, j.m.Type, j.file, j.m.Line, j.m.Column)
				fmt.Fprintln(stderr, line)
				switch {
				case err != nil:
					firstErr = cmp.Or(firstErr, err)
				case status == "KILLED":
					res.Killed++
				case status == "LIVED":
					res.Lived++
					res.Lines = append(res.Lines, line)
				case status == "NOT VIABLE":
					res.NotViable++
				default:
					res.TimedOut++
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	return res, firstErr
}

// runMutant tests one mutant through an overlay in dir and says what became of it:
// KILLED, LIVED, NOT VIABLE (it does not build) or TIMED OUT.
func runMutant(pkg, dir, file string, m mutation, timeout time.Duration) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	orig, err := filepath.Abs(filepath.Join(pkg, file))
	if err != nil {
		return "", err
	}
	src, err := os.ReadFile(orig)
	if err != nil {
		return "", err
	}
	mutated, err := mutate(src, m.Line, m.Column, m.Type)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), mutated, 0o600); err != nil {
		return "", err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {orig: filepath.Join(dir, file)}})
	if err := os.WriteFile(filepath.Join(dir, "overlay.json"), overlay, 0o600); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// The test binary's own -timeout ends it when the go command is killed.
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-failfast", "-vet=off", "-timeout", (timeout + 10*time.Second).String(),
		"-overlay="+filepath.Join(dir, "overlay.json"), pkg)
	cmd.WaitDelay = 15 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil || bytes.Contains(out.Bytes(), []byte("panic: test timed out")):
		return "TIMED OUT", nil
	case err == nil:
		return "LIVED", nil
	case bytes.Contains(out.Bytes(), []byte("[build failed]")) || bytes.Contains(out.Bytes(), []byte("[setup failed]")):
		return "NOT VIABLE", nil
	case errors.As(err, &exitErr):
		return "KILLED", nil
	default:
		return "", err
	}
}
