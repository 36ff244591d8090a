package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/result"
)

const historyAbout = `
Prints the suite's recorded runs, oldest first: when, the verdict, the
counts of failed and warned checks, the data's rows and fingerprint, the
commit and the tags. With --check NAME, each run's status for that check
and every number it observed, then a one-line trend per number. With
--json, the same as JSON.

The store is the one the suite's history section names (default
.trustml/history.db beside the suite), or --history PATH|URL. A store that
does not exist is an error: trustml history never creates one.

Exit status: 0 printed; 2 could not (bad flags, suite, store).`

func runHistory(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	last := fs.Int("last", 20, "show the last `N` runs")
	check := fs.String("check", "", "show the status and observed numbers of the check `NAME` in each run")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	target := fs.String("history", "", "read the store at `PATH` (SQLite) or postgres:// URL instead of the suite's")
	fs.Usage = usageFor(fs, "history SUITE.yaml [--last N] [--check NAME] [--json]", historyAbout)
	pos, code, done := parseArgs(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "trustml history: want exactly one suite file, got %d arguments\nusage: trustml history SUITE.yaml [--last N] [--check NAME] [--json]\n", len(pos))
		return exitNoRun
	}
	if *last < 1 {
		fmt.Fprintf(stderr, "trustml history: --last must be ≥ 1, got %d\n", *last)
		return exitNoRun
	}
	suite, err := trustml.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitNoRun
	}
	st, err := openExisting(ctx, suite.HistoryTarget(*target))
	if err != nil {
		fmt.Fprintf(stderr, "trustml: %v\n", err)
		return exitNoRun
	}
	defer st.Close()
	runs, err := st.Runs(ctx, suite.HistoryKey(), *last)
	if err != nil {
		fmt.Fprintf(stderr, "trustml: %v\n", err)
		return exitNoRun
	}
	out := historyOutput{Store: st.Name(), Suite: suite.HistoryKey(), Check: *check, Runs: make([]historyRun, 0, len(runs))}
	for _, r := range runs {
		hr := historyRun{Run: r}
		for _, c := range r.Checks {
			switch result.Status(c.Status) {
			case result.Fail:
				hr.Failed++
			case result.Warn:
				hr.Warned++
			case result.Error:
				hr.Errors++
			}
			if c.Name == *check {
				hr.Status = c.Status
			}
		}
		if *check != "" {
			full, err := st.Get(ctx, r.ID)
			if err != nil {
				fmt.Fprintf(stderr, "trustml: %v\n", err)
				return exitNoRun
			}
			for _, o := range full.Observations {
				if o.Name == *check {
					if hr.Values == nil {
						hr.Values = map[string]float64{}
					}
					hr.Values[o.Field] = o.Value
				}
			}
		}
		out.Runs = append(out.Runs, hr)
	}
	if *check != "" && !slices.ContainsFunc(out.Runs, func(r historyRun) bool { return r.Status != "" }) {
		fmt.Fprintf(stderr, "trustml history: no recorded run of %s has a check named %q\n", out.Suite, *check)
		return exitNoRun
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "trustml: %v\n", err)
			return exitNoRun
		}
		return exitPass
	}
	out.writeTable(stdout)
	return exitPass
}

// openExisting opens a store, refusing to create an SQLite file that does
// not exist.
func openExisting(ctx context.Context, target string) (*history.Store, error) {
	if !strings.Contains(target, "://") {
		if _, err := os.Stat(target); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("history %s: no such store (a run records one: trustml check --history %s SUITE)", target, target)
		}
	}
	return history.Open(ctx, target, history.Options{})
}

type historyOutput struct {
	Store string       `json:"store"`
	Suite string       `json:"suite"`
	Check string       `json:"check,omitempty"`
	Runs  []historyRun `json:"runs"`
}

type historyRun struct {
	*history.Run
	Failed int `json:"failed"`
	Warned int `json:"warned"`
	Errors int `json:"errors"`
	// Status and Values are the --check check's.
	Status string             `json:"status,omitempty"`
	Values map[string]float64 `json:"values,omitempty"`
}

func (o *historyOutput) writeTable(w io.Writer) {
	fmt.Fprintf(w, "%s: %d runs of %s\n\n", o.Store, len(o.Runs), o.Suite)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var fields []string
	if o.Check != "" {
		for _, r := range o.Runs {
			for f := range r.Values {
				if !slices.Contains(fields, f) {
					fields = append(fields, f)
				}
			}
		}
		slices.Sort(fields)
		fmt.Fprintf(tw, "run\tstart\t%s\t%s\n", o.Check, strings.Join(fields, "\t"))
		for _, r := range o.Runs {
			fmt.Fprintf(tw, "%d\t%s\t%s", r.ID, r.Start.UTC().Format(time.DateTime), cmpOr(r.Status, "-"))
			for _, f := range fields {
				v, ok := r.Values[f]
				s := "-"
				if ok {
					s = result.Human(v)
				}
				fmt.Fprintf(tw, "\t%s", s)
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		fmt.Fprintln(w)
		for _, f := range fields {
			var vals []float64
			for _, r := range o.Runs {
				if v, ok := r.Values[f]; ok {
					vals = append(vals, v)
				}
			}
			lo, hi := slices.Min(vals), slices.Max(vals)
			fmt.Fprintf(w, "%s %s  %s  (min %s, max %s, last %s)\n", o.Check, f, bars(vals), result.Human(lo), result.Human(hi), result.Human(vals[len(vals)-1]))
		}
		return
	}
	fmt.Fprintln(tw, "run\tstart\tverdict\tfailed\twarned\trows\tdata hash\tsuite sha256\tcommit\ttags")
	for _, r := range o.Runs {
		verdict := "PASSED"
		if !r.Passed {
			verdict = "FAILED"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", r.ID, r.Start.UTC().Format(time.DateTime), verdict,
			r.Failed+r.Errors, r.Warned, r.DataRows, shortDigest(r.DataHash), short(r.SuiteSHA256), cmpOr(short(r.GitCommit), "-"), tagText(r.Tags))
	}
	tw.Flush()
}

// shortDigest shortens a data digest ("algorithm:hex") to its algorithm
// and 10 hex digits; a bare hex, recorded before the algorithm was, is a
// SHA-256.
func shortDigest(d string) string {
	alg, sum, ok := strings.Cut(d, ":")
	if !ok {
		alg, sum = "sha256", d
	}
	return alg + ":" + short(sum)
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func short(sha string) string {
	if len(sha) > 10 {
		return sha[:10]
	}
	return sha
}

func tagText(tags map[string]string) string {
	if len(tags) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + tags[k]
	}
	return strings.Join(parts, ",")
}

// bars draws values as a line of block characters, low to high.
func bars(vals []float64) string {
	const levels = "▁▂▃▄▅▆▇█"
	r := []rune(levels)
	lo, hi := slices.Min(vals), slices.Max(vals)
	var b strings.Builder
	for _, v := range vals {
		i := 0
		if hi > lo {
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(r)-1)))
		}
		b.WriteRune(r[i])
	}
	return b.String()
}
