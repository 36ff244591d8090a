package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/dataset"
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

An output FILE of - is standard output (the human lines then go to
stderr); an output may not be an input of the run (suite, data, reference,
model script). The outputs are written all together or not at all.

With --history (or a history section in the suite) the run is recorded in
a history store with its tags and the commit named by GIT_COMMIT or the CI's
variable (GITHUB_SHA, CI_COMMIT_SHA, ...), and the suite's history checks
judge it against the runs before.

Exit status: 0 every error-severity check passed; 1 at least one failed;
2 no verdict: a check could not be evaluated (status error; the result
files are written), or trustml could not run (bad flags or an empty flag
value, suite file, data, model, outputs, Ctrl-C or SIGTERM; nothing is
written); 3 the checks ran and the result files were written, but the
history store could not be read or written: the run is not in the history
(and, when the store could not be read, its history checks were not
evaluated). 2 wins over 3, and 3 over 1.`

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	data := fs.String("data", "", "check the data at `PATH` instead of the suite's data.path: a file, a quoted glob ('drops/*.csv') or a directory; or ENGINE:TABLE ('postgres:public.orders') for another table of the suite's data.sql connection")
	explain := fs.Bool("explain", false, "print the SQL the run would send to the suite's SQL source (data.sql), and run nothing")
	jsonOut := fs.String("json", "", "write the result as JSON to `FILE` (- for stdout)")
	junitOut := fs.String("junit", "", "write the result as JUnit XML to `FILE` (- for stdout)")
	htmlOut := fs.String("html", "", "write the trust report, one self-contained HTML file, to `FILE` (- for stdout)")
	failedOut := fs.String("failed-rows", "", "write every row that failed a row-wise check, a rule or a key check to `FILE`: Parquet (.parquet) or CSV (.csv, or - for stdout)")
	quiet := fs.Bool("quiet", false, "print only the totals line")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to `FILE` (for go tool pprof)")
	historyTarget := fs.String("history", "", "record the run in the history store at `PATH` (SQLite) or postgres:// URL, overriding the suite's")
	nowFlag := fs.String("now", "", "evaluate now(), today(), relative date bounds and freshness at `TIME` (RFC 3339, or a date YYYY-MM-DD meaning its UTC midnight) instead of the clock, for reproducible runs")
	fingerprint := fs.String("fingerprint", "", "hash the data for its fingerprint with `ALGORITHM`: xxh3-128 (fast, the default) or sha256 (overrides the suite's data.fingerprint)")
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
	if *cpuprofile == stdoutPath {
		fmt.Fprintf(stderr, "trustml check: --cpuprofile: give a file, not -\n")
		return exitNoRun
	}
	var alg dataset.HashAlgorithm
	if *fingerprint != "" {
		var err error
		if alg, err = dataset.ParseHashAlgorithm(*fingerprint); err != nil {
			fmt.Fprintf(stderr, "trustml check: --fingerprint: %v\n", err)
			return exitNoRun
		}
	}
	var now func() time.Time
	if *nowFlag != "" {
		t, err := parseNow(*nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "trustml check: --now: %v\n", err)
			return exitNoRun
		}
		now = func() time.Time { return t }
	}
	suite, err := trustml.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitNoRun
	}
	if *explain {
		text, err := suite.ExplainSQL(ctx, trustml.RunOptions{DataPath: *data, Now: now})
		if err != nil {
			fmt.Fprintf(stderr, "trustml check: %v\n", err)
			return exitNoRun
		}
		fmt.Fprint(stdout, text)
		return 0
	}
	htmlPath := pick(*htmlOut, suite.Report.HTML)
	outs := []output{
		{name: outputName("json", *jsonOut), path: pick(*jsonOut, suite.Report.JSON)},
		{name: outputName("junit", *junitOut), path: pick(*junitOut, suite.Report.JUnit)},
		{name: outputName("html", *htmlOut), path: htmlPath},
		{name: "--cpuprofile", path: *cpuprofile},
		{name: outputName("failed-rows", *failedOut), path: pick(*failedOut, suite.Report.FailedRows)},
	}
	if *failedOut == "" {
		outs[4].name = "report.failed_rows"
	}
	if err := checkOutputs(outs, suiteInputs(suite, *data)); err != nil {
		fmt.Fprintf(stderr, "trustml check: %v\n", err)
		return exitNoRun
	}
	// The failed rows stream to a spool file during the run.
	var failed trustml.FailedRowsWriter
	var spool *os.File
	var spoolBuf *bufio.Writer
	if fr := &outs[4]; fr.path != "" {
		format, err := trustml.FailedRowsFormat(fr.path)
		if err != nil {
			fmt.Fprintf(stderr, "trustml check: %s: %v\n", fr.name, err)
			return exitNoRun
		}
		if spool, err = spoolFile(fr.path); err != nil {
			fmt.Fprintf(stderr, "trustml check: %s: %v\n", fr.name, err)
			return exitNoRun
		}
		defer func() {
			spool.Close()
			os.Remove(spool.Name()) // gone once renamed into place
		}()
		spoolBuf = bufio.NewWriterSize(spool, 1<<16)
		failed, _ = trustml.NewFailedRowsWriter(spoolBuf, format)
		fr.spool = spool.Name()
	}
	// When a result goes to standard output, the human summary goes to
	// standard error.
	human := stdout
	for _, o := range outs {
		if o.path == stdoutPath {
			human = stderr
		}
	}
	if *cpuprofile != "" {
		stop, err := startProfile(*cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "trustml: %v\n", err)
			return exitNoRun
		}
		defer stop()
	}
	// The report draws each column's distribution from a profile built in
	// the same pass; without a report it is not worth its cost.
	res, err := suite.Run(ctx, trustml.RunOptions{
		DataPath: *data, Profile: htmlPath != "", Progress: newProgress(stderr),
		History: *historyTarget, Tags: tags, GitCommit: history.Commit(os.LookupEnv),
		Now: now, FailedRows: failed, Fingerprint: alg,
	})
	if ctx.Err() != nil {
		// Interrupted: whatever came back is partial, and nothing is written.
		fmt.Fprintf(stderr, "trustml: interrupted: %v; no result written\n", context.Cause(ctx))
		return exitNoRun
	}
	if err != nil {
		fmt.Fprintf(stderr, "trustml: %v\n", err)
		return exitNoRun
	}
	outs[0].write = func(w io.Writer) error { return report.WriteJSON(w, res) }
	outs[1].write = func(w io.Writer) error { return report.WriteJUnit(w, res) }
	outs[2].write = func(w io.Writer) error { return report.WriteHTML(w, res) }
	if failed != nil {
		err := errors.Join(failed.Close(), spoolBuf.Flush(), spool.Sync())
		if err != nil {
			fmt.Fprintf(stderr, "trustml: %s: %v; no result written\n", outs[4].name, err)
			return exitNoRun
		}
	}
	if err := writeOutputs(ctx, append(outs[:3:3], outs[4]), stdout); err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "trustml: interrupted: %v; no result written\n", context.Cause(ctx))
			return exitNoRun
		}
		fmt.Fprintf(stderr, "trustml: %v; no result written\n", err)
		return exitNoRun
	}
	if err := report.WriteText(human, res, report.TextOptions{Quiet: *quiet}); err != nil {
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

// outputName names an output in messages: its flag when given, else the
// suite's report key.
func outputName(flagName, flagValue string) string {
	if flagValue != "" {
		return "--" + flagName
	}
	return "report." + flagName
}

// suiteInputs lists the files a run of suite reads: the suite, the data
// (dataFlag when set), the reference, and every existing file named in a
// model or champion command's arguments (its script, say).
func suiteInputs(s *trustml.Suite, dataFlag string) []string {
	in := []string{s.Path, pick(dataFlag, s.Data.Path), s.Data.Reference}
	var argvs [][]string
	if s.Model != nil {
		argvs = append(argvs, s.Model.Source.Command)
		if s.Model.CompareTo != nil {
			argvs = append(argvs, s.Model.CompareTo.Source.Command)
		}
	}
	for _, argv := range argvs {
		for _, a := range argv {
			if fi, err := os.Stat(a); err == nil && fi.Mode().IsRegular() {
				in = append(in, a)
			}
		}
	}
	return in
}

// tagFlag collects --tag key=value flags.
type tagFlag map[string]string

// String lists the tags as key=value, sorted; flag's empty-value check
// reads it, so a given tag is never "".
func (t tagFlag) String() string {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(t)) {
		kv = append(kv, k+"="+t[k])
	}
	return strings.Join(kv, ",")
}

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

// parseNow reads --now: an RFC 3339 timestamp (with its offset), or a date
// YYYY-MM-DD, which means that day's midnight in UTC.
func parseNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give RFC 3339 (2026-11-30T08:00:00Z) or a date (2026-11-30)", s)
}
