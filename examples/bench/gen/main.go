// Command gen writes the benchmark's table (package benchdata) as Parquet,
// CSV and Arrow IPC files:
//
//	go run ./examples/bench/gen -rows 10000000 -seed 1 -dir /tmp/benchdata
//	go run ./examples/bench/gen -rows 100000000 -formats csv -dir - | ...   # CSV on stdout
//
// Each file is written beside its final name and renamed into place when
// complete, so an interrupted run leaves no half-written file. Formats are
// written concurrently, each from its own pass over the generator.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/trustml/trustml/examples/bench/benchdata"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
}

var formats = map[string]string{"parquet": "bench.parquet", "csv": "bench.csv", "arrow": "bench.arrow"}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rows := fs.Int64("rows", 10_000_000, "number of rows")
	seed := fs.Uint64("seed", 1, "seed of the random stream")
	dir := fs.String("dir", ".", `output directory ("-": CSV on stdout)`)
	batch := fs.Int64("batch", 1_000_000, "rows per Parquet row group and per Arrow IPC record batch")
	list := fs.String("formats", "parquet,csv,arrow", "comma-separated subset of parquet,csv,arrow")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rows < 0 || *batch <= 0 {
		return errors.New("-rows must be ≥ 0 and -batch > 0")
	}
	want := strings.Split(*list, ",")
	for _, f := range want {
		if _, ok := formats[f]; !ok {
			return fmt.Errorf("unknown format %q; formats are parquet, csv, arrow", f)
		}
	}
	if *dir == "-" {
		if !slices.Equal(want, []string{"csv"}) {
			return errors.New(`-dir - writes CSV only: add -formats csv`)
		}
		return benchdata.WriteCSV(stdout, *rows, *seed)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	var g errgroup.Group
	for _, f := range want {
		g.Go(func() error {
			return writeFile(filepath.Join(*dir, formats[f]), func(w io.Writer) error {
				switch f {
				case "csv":
					return benchdata.WriteCSV(w, *rows, *seed)
				case "parquet":
					rr := benchdata.NewReader(*rows, *seed, *batch, nil)
					defer rr.Release()
					return benchdata.WriteParquet(w, rr, *batch, nil)
				default:
					rr := benchdata.NewReader(*rows, *seed, *batch, nil)
					defer rr.Release()
					return benchdata.WriteIPC(w, rr, nil)
				}
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d rows (seed %d, batch %d) to %s in %s\n", *rows, *seed, *batch, *dir, time.Since(start).Round(time.Millisecond))
	for _, f := range want {
		if st, err := os.Stat(filepath.Join(*dir, formats[f])); err == nil {
			fmt.Fprintf(stderr, "  %-14s %d bytes\n", formats[f], st.Size())
		}
	}
	return nil
}

// writeFile writes path through a temporary file in the same directory,
// renamed into place only when write and close succeed.
func writeFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// Hide Close: Parquet's writer closes a sink that has one, and the file
	// is closed here, after its last byte.
	if err := write(struct{ io.Writer }{tmp}); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
