// Package cli gives every program of the repository one shape: a
//
//	run(ctx, args, getenv, stdout, stderr) error
//
// that tests call in-process, and a thin main that hands it the process's own.
// Help goes to stdout when it is asked for (and is not a failure); a mistake in the
// command line gets the usage on stderr, and every error is said once on stderr.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Run is a program's body: args are the whole command line (args[0] its name).
type Run func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

// UsageError is a command line the program cannot take (exit status 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Parse parses args (without the program's name) into fs. Asked for help (-h,
// -help), it prints fs.Usage to stdout and returns flag.ErrHelp; given a flag it
// does not know or a bad value, it prints the usage to stderr and returns the
// problem as a *UsageError, for Report to say. fs.Usage (flag's own by default)
// must write to fs.Output().
func Parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return flag.ErrHelp
	default:
		fs.SetOutput(stderr)
		fs.Usage()
		return &UsageError{Err: err}
	}
}

// Misuse is a command line that parsed but that the program cannot take (say,
// a missing argument): it prints fs.Usage to stderr and returns err as a
// *UsageError, for Report to say.
func Misuse(fs *flag.FlagSet, stderr io.Writer, err error) error {
	fs.SetOutput(stderr)
	fs.Usage()
	return &UsageError{Err: err}
}

// ExitCode is the process's exit status for what run returned: 0 for nil and for
// help, 2 for a command line it could not take, 1 for anything else.
func ExitCode(err error) int {
	var usageErr *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usageErr):
		return 2
	}
	return 1
}

// Report writes err to stderr as "name: err", unless there is nothing to say: no
// error, or help that was asked for.
func Report(stderr io.Writer, name string, err error) {
	if ExitCode(err) != 0 {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
	}
}

// Main runs run with the process's arguments, environment and output, a context
// that SIGINT or SIGTERM cancels, and exits with ExitCode.
func Main(name string, run Run) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	Report(os.Stderr, name, err)
	os.Exit(ExitCode(err))
}
