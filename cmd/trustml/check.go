package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/report"
)

const checkAbout = `
Runs every check of the suite over the data in one pass, prints one line per
failed or warned check and a line of totals, and writes the JSON and JUnit
results and the HTML trust report asked for by flags or by the suite's
report section (flags win).

On a terminal, a run that lasts more than a second shows its progress on
stderr; nothing is drawn when stderr is not a terminal.

With --history (or a history section in the suite) the run is recorded in
a history store with its tags and the commit named by GIT_COMMIT or the CI's
variable (GITHUB_SHA, CI_COMMIT_SHA, ...), and the suite's history checks
judge it against the runs before.

Exit status: 0 every error-severity check passed; 1 at least one failed;
2 could not run (bad flags, suite file, data or model endpoint); 3 the
checks ran and the result files were written, but the history store could
not be read or written: the run is not in the history (and, when the store
could not be read, its history checks were not evaluated). When trustml cannot
run it writes no result file.`

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	data := fs.String("data", "", "check the data file at `PATH` instead of the suite's data.path")
	jsonOut := fs.String("json", "", "write the result as JSON to `FILE`")
	junitOut := fs.String("junit", "", "write the result as JUnit XML to `FILE`")
	htmlOut := fs.String("html", "", "write the trust report, one self-contained HTML file, to `FILE`")
	quiet := fs.Bool("quiet", false, "print only the totals line")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to `FILE` (for go tool pprof)")
	historyTarget := fs.String("history", "", "record the run in the history store at `PATH` (SQLite) or postgres:// URL, overriding the suite's")
	tags := tagFlag{}
	fs.Var(tags, "tag", "record `key=value` with the run in the history (repeatable)")
	fs.Usage = usageFor(fs, "check SUITE.yaml [flags]", checkAbout)
	pos, code, done := parseArgs(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "trustml check: want exactly one suite file, got %d arguments\nusage: trustml check SUITE.yaml [--data PATH] [--json F] [--junit F] [--quiet]\n", len(pos))
		return exitNoRun
	}
	suite, err := trustml.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitNoRun
	}
	if *cpuprofile != "" {
		stop, err := startProfile(*cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "trustml: %v\n", err)
			return exitNoRun
		}
		defer stop()
	}
	htmlPath := pick(*htmlOut, suite.Report.HTML)
	// The report draws each column's distribution from a profile built in
	// the same pass; without a report it is not worth its cost.
	res, err := suite.Run(ctx, trustml.RunOptions{
		DataPath: *data, Profile: htmlPath != "", Progress: newProgress(stderr),
		History: *historyTarget, Tags: tags, GitCommit: history.Commit(os.LookupEnv),
	})
	if err != nil {
		fmt.Fprintf(stderr, "trustml: %v\n", err)
		return exitNoRun
	}
	outs := []output{
		{path: pick(*jsonOut, suite.Report.JSON), write: func(w io.Writer) error { return report.WriteJSON(w, res) }},
		{path: pick(*junitOut, suite.Report.JUnit), write: func(w io.Writer) error { return report.WriteJUnit(w, res) }},
		{path: htmlPath, write: func(w io.Writer) error { return report.WriteHTML(w, res) }},
	}
	if err := writeOutputs(outs); err != nil {
		fmt.Fprintf(stderr, "trustml: %v\n", err)
		return exitNoRun
	}
	if err := report.WriteText(stdout, res, report.TextOptions{Quiet: *quiet}); err != nil {
		fmt.Fprintf(stderr, "trustml: %v\n", err)
		return exitNoRun
	}
	if res.HistoryFailed() {
		fmt.Fprintf(stderr, "trustml: %s\ntrustml: the run's own results are complete and written; the run is not in the history\n", res.History.Error)
		if code := res.ExitCode(); code == exitNoRun {
			return code
		}
		return exitHistory
	}
	return res.ExitCode()
}

// tagFlag collects --tag key=value flags.
type tagFlag map[string]string

func (t tagFlag) String() string { return "" }

func (t tagFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	if _, dup := t[k]; dup {
		return fmt.Errorf("tag %q given twice", k)
	}
	t[k] = v
	return nil
}

func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func pick(flagValue, suiteValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return suiteValue
}

type output struct {
	path  string
	write func(io.Writer) error
}

// writeOutputs renders every output in memory, then writes each to a
// temporary file beside its destination and renames it into place, so a
// result file is either complete or not there.
func writeOutputs(outs []output) error {
	type staged struct{ tmp, path string }
	var done []staged
	cleanup := func() {
		for _, s := range done {
			os.Remove(s.tmp)
		}
	}
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		var buf bytes.Buffer
		if err := o.write(&buf); err != nil {
			cleanup()
			return fmt.Errorf("render %s: %w", o.path, err)
		}
		dir := filepath.Dir(o.path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			cleanup()
			return fmt.Errorf("write %s: %w", o.path, err)
		}
		f, err := os.CreateTemp(dir, "."+filepath.Base(o.path)+".*.tmp")
		if err != nil {
			cleanup()
			return fmt.Errorf("write %s: %w", o.path, err)
		}
		_, werr := f.Write(buf.Bytes())
		if werr == nil {
			werr = f.Chmod(0o644) // CreateTemp makes files only their owner can read
		}
		cerr := f.Close()
		done = append(done, staged{f.Name(), o.path})
		if werr != nil || cerr != nil {
			cleanup()
			return fmt.Errorf("write %s: %w", o.path, firstErr(werr, cerr))
		}
	}
	for i, s := range done {
		if err := os.Rename(s.tmp, s.path); err != nil {
			for _, r := range done[i:] {
				os.Remove(r.tmp)
			}
			return fmt.Errorf("write %s: %w", s.path, err)
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
