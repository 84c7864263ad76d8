package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantErr    error // compared with errors.Is; nil for success
		usage      bool  // set a Usage of its own
		wantStdout string
		wantStderr string
		wantCode   int
	}{
		{name: "flags", args: []string{"-n", "3"}, wantCode: 0},
		{name: "help", args: []string{"-h"}, wantErr: flag.ErrHelp, wantStdout: "Usage of prog:\n  -n int\n    \ta number\n"},
		{name: "help with its own usage", args: []string{"-help"}, usage: true, wantErr: flag.ErrHelp, wantStdout: "prog does things\n"},
		{name: "unknown flag", args: []string{"-x"}, wantErr: errUsage, wantStderr: "Usage of prog:\n  -n int\n    \ta number\n", wantCode: 2},
		{name: "bad value", args: []string{"-n", "three"}, usage: true, wantErr: errUsage, wantStderr: "prog does things\n", wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("prog", flag.ContinueOnError)
			fs.Int("n", 0, "a number")
			if tt.usage {
				fs.Usage = func() { fmt.Fprintln(fs.Output(), "prog does things") }
			}
			var stdout, stderr bytes.Buffer
			err := Parse(fs, tt.args, &stdout, &stderr)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Parse = %v, want nil", err)
			case errors.Is(tt.wantErr, errUsage):
				var u *UsageError
				if !errors.As(err, &u) {
					t.Fatalf("Parse = %v, want a *UsageError", err)
				}
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("Parse = %v, want %v", err, tt.wantErr)
			}
			if stdout.String() != tt.wantStdout || stderr.String() != tt.wantStderr {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout.String(), stderr.String(), tt.wantStdout, tt.wantStderr)
			}
			if got := ExitCode(err); got != tt.wantCode {
				t.Errorf("ExitCode = %d, want %d", got, tt.wantCode)
			}
		})
	}
}

// errUsage stands for "any *UsageError" in the table.
var errUsage = errors.New("usage error")

func TestReport(t *testing.T) {
	failure := errors.New("the token parameter is gone")
	tests := []struct {
		err  error
		want string
		code int
	}{
		{nil, "", 0},
		{flag.ErrHelp, "", 0},
		{&UsageError{Err: errors.New("flag provided but not defined: -x")}, "prog: flag provided but not defined: -x\n", 2},
		{fmt.Errorf("reading: %w", failure), "prog: reading: the token parameter is gone\n", 1},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		Report(&stderr, "prog", tt.err)
		if stderr.String() != tt.want || ExitCode(tt.err) != tt.code {
			t.Errorf("Report(%v) wrote %q, exit %d; want %q, exit %d", tt.err, stderr.String(), ExitCode(tt.err), tt.want, tt.code)
		}
	}
	if !strings.Contains((&UsageError{Err: failure}).Error(), "token parameter") || !errors.Is(&UsageError{Err: failure}, failure) {
		t.Error("a UsageError does not say or wrap its cause")
	}
}

// TestMisuse: the usage goes to stderr, once, and the error is a UsageError (exit
// status 2) that wraps the program's own.
func TestMisuse(t *testing.T) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), "usage: prog FILE") }
	var stdout, stderr strings.Builder
	if err := Parse(fs, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	missing := errors.New("give one file")
	err := Misuse(fs, &stderr, missing)
	var usage *UsageError
	if !errors.As(err, &usage) || !errors.Is(err, missing) || ExitCode(err) != 2 {
		t.Errorf("Misuse = %v (exit %d), want a UsageError wrapping %v", err, ExitCode(err), missing)
	}
	if stderr.String() != "usage: prog FILE\n" || stdout.Len() != 0 {
		t.Errorf("stderr %q, stdout %q; want the usage once on stderr", stderr.String(), stdout.String())
	}
}
