// Command trustml-duckdb checks suites whose data.sql names
// `engine: duckdb`: trustml's check, with DuckDB registered. DuckDB's
// driver needs cgo and lives in this module of its own, so the trustml
// command does not read DuckDB; this one does, and nothing more:
//
//	trustml-duckdb check SUITE.yaml [--now TIME] [--explain] [--json FILE] [--quiet]
//	trustml-duckdb load DB.duckdb FILE...
//
// It prints trustml's text summary, writes the JSON result (through a
// temporary file renamed into place, so a failed run leaves none), and
// exits as trustml check does: 0 passed, 1 a check failed, 2 the run
// could not complete (the engine's error, a timeout, an interrupt). Other
// outputs and flags are trustml check's (go run ./cmd/trustml check -h).
//
// load writes each data file, read as trustml reads it, into a table of
// the DuckDB file named after it, with a first column "row" holding each
// row's 0-based position (the key examples/sql/duckdb.yaml declares), as
// the tests load their tables.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/internal/sqlload"
	"github.com/trustml/trustml/report"
	"github.com/trustml/trustml/sqlsource/duckdb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = "usage: trustml-duckdb check SUITE.yaml [--now TIME] [--explain] [--json FILE] [--quiet]\n       trustml-duckdb load DB.duckdb FILE..."

// run is the command, with its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) >= 3 && args[0] == "load" {
		if err := duckdb.LoadFiles(ctx, args[1], args[2:], "row"); err != nil {
			fmt.Fprintf(stderr, "trustml-duckdb: load: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "%s: tables %s\nexport DUCKDB_FILE='%s'\n", args[1], strings.Join(sqlload.TableNames(args[2:]), ", "), args[1])
		return 0
	}
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	explain := fs.Bool("explain", false, "print the SQL the run would send, and run nothing")
	jsonOut := fs.String("json", "", "write the result as JSON to `FILE`")
	quiet := fs.Bool("quiet", false, "print only the totals line")
	nowFlag := fs.String("now", "", "evaluate now(), today() and freshness at `TIME` (RFC 3339, or YYYY-MM-DD)")
	var pos []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var now func() time.Time
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339Nano, *nowFlag)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, *nowFlag); err != nil {
				fmt.Fprintf(stderr, "trustml-duckdb: --now: %q is not a time: give RFC 3339 (2026-11-30T08:00:00Z) or a date (2026-11-30)\n", *nowFlag)
				return 2
			}
		}
		now = func() time.Time { return t }
	}
	suite, err := trustml.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *explain {
		text, err := suite.ExplainSQL(ctx, trustml.RunOptions{Now: now})
		if err != nil {
			fmt.Fprintf(stderr, "trustml-duckdb: %v\n", err)
			return 2
		}
		fmt.Fprint(stdout, text)
		return 0
	}
	path := *jsonOut
	if path == "" {
		path = suite.Report.JSON
	}
	res, err := suite.Run(ctx, trustml.RunOptions{Now: now})
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "trustml-duckdb: interrupted: %v; no result written\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "trustml-duckdb: %v\n", err)
		return 2
	}
	if path != "" {
		if err := writeJSON(path, res); err != nil {
			fmt.Fprintf(stderr, "trustml-duckdb: %v; no result written\n", err)
			return 2
		}
	}
	if err := report.WriteText(stdout, res, report.TextOptions{Quiet: *quiet}); err != nil {
		fmt.Fprintf(stderr, "trustml-duckdb: %v\n", err)
		return 2
	}
	return res.ExitCode()
}

// writeJSON writes the result to a temporary file beside path and renames
// it into place.
func writeJSON(path string, res *trustml.Result) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".trustml-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := report.WriteJSON(f, res); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
