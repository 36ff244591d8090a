// Command trustml checks whether data (and, as suites grow, a model) can be
// trusted, from one YAML suite file.
//
//	trustml check SUITE.yaml [--data PATH] [--html F] [--json F] [--junit F] [--quiet]
//	trustml validate SUITE.yaml
//	trustml profile DATA [-o FILE] [--format F] [--columns a,b]
//	trustml suggest DATA [--target COL] [-o FILE]
//	trustml history SUITE.yaml [--last N] [--check NAME] [--json]
//	trustml diff OLD.json NEW.json [--history PATH] [--fail-on regression] [--max-worse METRIC=X]
//	trustml version
//
// Exit codes: 0 every error-severity check passed; 1 at least one failed;
// 2 no verdict: a check could not be evaluated (the result files are
// written and say which), or trustml could not run (usage, suite file,
// data, model, outputs, interrupt; nothing is written); 3 check ran and
// wrote its results but the history store failed. diff exits 1 when NEW is
// worse.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes.
const (
	exitPass  = 0
	exitFail  = 1
	exitNoRun = 2
	// exitHistory: the checks ran and the results were written, but the
	// history store failed. It wins over exitFail so that a broken store
	// is never hidden by a failed check; exitNoRun wins over it.
	exitHistory = 3
	progName    = "trustml"
	usageShort  = `usage: trustml <command> [arguments]

commands:
  check SUITE.yaml [--data PATH] [--html F] [--json F] [--junit F] [--quiet]
        [--history PATH|URL] [--tag key=value]
                      run a suite: exit 0 passed, 1 a check failed, 2 no verdict,
                      3 ran but the history store failed
  validate SUITE.yaml check the suite file alone, without reading data
  profile DATA [-o FILE] [--columns a,b]
                      write the data's profile as JSON (a reference for drift checks)
  suggest DATA [--target COL] [-o FILE]
                      write a starting suite that the data passes
  history SUITE.yaml [--last N] [--check NAME] [--json]
                      print the suite's recorded runs and a check's trend
  diff OLD.json NEW.json [--fail-on regression] [--max-worse METRIC=X]
                      compare two runs (or two run ids with --history PATH):
                      exit 1 when NEW is worse
  version             print trustml's version

Run 'trustml <command> --help' for a command's flags.
`
)

func main() {
	tuneGC(os.Getenv)
	// SIGINT (Ctrl-C) and SIGTERM cancel the run: it stops its model
	// subprocesses, ends with exit 2 and writes no result. A second signal
	// ends the process at once, as without trustml's handler.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code. It writes the
// human summary to stdout and problems to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageShort)
		return exitNoRun
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "check":
		return runCheck(ctx, rest, stdout, stderr)
	case "validate":
		return runValidate(rest, stdout, stderr)
	case "profile":
		return runProfile(ctx, rest, stdout, stderr)
	case "suggest":
		return runSuggest(ctx, rest, stdout, stderr)
	case "history":
		return runHistory(ctx, rest, stdout, stderr)
	case "diff":
		return runDiff(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		return runVersion(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageShort)
		return exitPass
	}
	fmt.Fprintf(stderr, "trustml: unknown command %q\n\n%s", cmd, usageShort)
	return exitNoRun
}

// parseArgs parses flags and positional arguments in any order ("check
// suite.yaml --data x" as well as "check --data x suite.yaml"). It returns
// done=true with an exit code when the command should stop (help or a
// usage error).
func parseArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (pos []string, code int, done bool) {
	fs.SetOutput(io.Discard)
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil, exitPass, true
		}
		if err != nil {
			fmt.Fprintf(stderr, "trustml %s: %v\n", fs.Name(), err)
			fmt.Fprintf(stderr, "run 'trustml %s --help' for usage\n", fs.Name())
			return nil, exitNoRun, true
		}
		args = fs.Args()
		if len(args) == 0 || args[0] == "--" {
			if len(args) > 0 {
				pos = append(pos, args[1:]...)
			}
			if err := emptyValues(fs, pos); err != nil {
				fmt.Fprintf(stderr, "trustml %s: %v\n", fs.Name(), err)
				fmt.Fprintf(stderr, "run 'trustml %s --help' for usage\n", fs.Name())
				return nil, exitNoRun, true
			}
			return pos, 0, false
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// emptyValues reports a flag set to "" or an empty positional argument,
// such as --data "$UNSET": silently falling back to a default would check
// or overwrite something else than meant.
func emptyValues(fs *flag.FlagSet, pos []string) error {
	var errs []error
	fs.Visit(func(f *flag.Flag) {
		if f.Value.String() == "" {
			errs = append(errs, fmt.Errorf("-%s: empty value (an unset variable?); give a value or leave the flag out", f.Name))
		}
	})
	for i, p := range pos {
		if p == "" {
			errs = append(errs, fmt.Errorf("argument %d is empty (an unset variable?)", i+1))
		}
	}
	return errors.Join(errs...)
}

func usageFor(fs *flag.FlagSet, synopsis, about string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: trustml %s\n\n%s\n", synopsis, strings.TrimSpace(about))
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
}
