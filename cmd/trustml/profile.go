package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/profile"
)

const profileAbout = `
DATA is a file, a quoted glob or a directory (Hive key=value directories
become columns), read as one table.

Reads DATA once and writes its profile as JSON: per column the type, the
counts of values and nulls, for numbers the min, max, mean, standard
deviation and a quantile sketch (DDSketch, relative accuracy 0.5%), and the
exact counts of each value for columns with at most 1000 distinct values.
A suite's data.reference may name the file written, so that each day's data
is compared with a saved profile instead of the reference data itself.

Exit status: 0 written; 2 could not run (bad flags or data).`

// openData starts a pass over the data for the profile and suggest
// commands: a file, a glob or a directory, as `check --data` takes.
func openData(ctx context.Context, path, format string, columns []string) (dataset.Scan, error) {
	var opts dataset.Options
	if format != "" {
		f, err := dataset.ParseFormat(format)
		if err != nil {
			return nil, err
		}
		opts.Format = f
	}
	src, err := dataset.OpenSource(ctx, dataset.FileKind, path, opts)
	if err != nil {
		return nil, err
	}
	return src.Scan(ctx, columns)
}

// profileData profiles the columns of the data at path (every column when
// columns is empty) and records the data's fingerprint as the source.
func profileData(ctx context.Context, path, format string, columns []string) (*profile.Profile, error) {
	rdr, err := openData(ctx, path, format, columns)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	p, err := profile.Read(ctx, rdr, columns)
	if err != nil {
		return nil, err
	}
	fp, err := rdr.Fingerprint()
	if err != nil {
		return nil, err
	}
	p.Source = fp
	return p, nil
}

func runProfile(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	out := fs.String("o", "", "write the profile to `FILE` instead of stdout")
	format := fs.String("format", "", "read DATA as this `FORMAT` (csv tsv parquet arrow arrows jsonl; default: from the extension)")
	columns := fs.String("columns", "", "profile only these `COLUMNS` (comma-separated; default: all)")
	fs.Usage = usageFor(fs, "profile DATA [-o FILE] [--format F] [--columns a,b]", profileAbout)
	pos, code, done := parseArgs(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "trustml profile: want exactly one data file, got %d arguments\nusage: trustml profile DATA [-o FILE] [--format F] [--columns a,b]\n", len(pos))
		return exitNoRun
	}
	var cols []string
	if *columns != "" {
		for _, c := range strings.Split(*columns, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cols = append(cols, c)
			}
		}
	}
	outs := []output{{name: "-o", path: *out}}
	if err := checkOutputs(outs, pos); err != nil {
		fmt.Fprintf(stderr, "trustml profile: %v\n", err)
		return exitNoRun
	}
	p, err := profileData(ctx, pos[0], *format, cols)
	if err != nil {
		fmt.Fprintf(stderr, "trustml profile: %v\n", err)
		return exitNoRun
	}
	var buf bytes.Buffer
	if err := profile.Encode(&buf, p); err != nil {
		fmt.Fprintf(stderr, "trustml profile: %v\n", err)
		return exitNoRun
	}
	if *out == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintf(stderr, "trustml profile: %v\n", err)
			return exitNoRun
		}
		return exitPass
	}
	outs[0].write = func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }
	if err := writeOutputs(ctx, outs, stdout); err != nil {
		fmt.Fprintf(stderr, "trustml profile: %v\n", err)
		return exitNoRun
	}
	return exitPass
}
