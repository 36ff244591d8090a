package sqlbench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// Main is the benchmark's command line, for the programs that link the
// engines in (cmd/sqlbench here; sqlsource/duckdb/sqlbench for DuckDB):
//
//	-engine NAME -rows N -seed S -pairs P -pull K -suite PATH -timeout D
//
// It returns the exit code: 0 when every value equals the reference, 1
// when some differ, 2 when the run could not be made.
func Main(args []string, stdout, stderr io.Writer, defaultEngine, defaultSuite string) int {
	fs := flag.NewFlagSet("sqlbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := Config{Log: stderr}
	fs.StringVar(&cfg.Engine, "engine", defaultEngine, "the engine: "+strings.Join(Engines(), ", "))
	rows := fs.String("rows", "10000000", "rows to generate and load (1e7 and 10000000 alike)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "the generator's seed (the reference values are seed 1's)")
	fs.IntVar(&cfg.Pairs, "pairs", 5, "alternating pushdown / hand-written pairs to time")
	fs.IntVar(&cfg.Pull, "pull", 1, "times to pull the table into the local engine (0: never)")
	fs.StringVar(&cfg.Suite, "suite", defaultSuite, "the benchmark's 12-check suite")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Minute, "bound on each statement")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sqlbench: unexpected arguments %q\n", fs.Args())
		return 2
	}
	n, err := strconv.ParseFloat(*rows, 64)
	if err != nil || n != float64(int64(n)) || n < 2 {
		fmt.Fprintf(stderr, "sqlbench: -rows %q: want a whole number of rows, at least 2\n", *rows)
		return 2
	}
	cfg.Rows = int64(n)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sqlbench: %v\n", err)
		return 2
	}
	rep.Print(stdout)
	if len(rep.Problems) > 0 {
		return 1
	}
	return 0
}
