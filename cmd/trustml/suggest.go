package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/profile"
	"github.com/trustml/trustml/result"
)

const suggestAbout = `
DATA is a file, a quoted glob or a directory, as for profile.
Profiles DATA and writes a starting suite for it: the data section, the
required columns, and per column its type, a bound on missing values with
headroom, a range from the 0.1% and 99.9% quantiles widened by a margin,
bounds on the mean and standard deviation, the allowed values of
low-cardinality columns, string lengths, uniqueness where every value occurs
once (checked exactly, in a second pass), and with --target a class
imbalance bound for a categorical target. Every bound holds on DATA; each is
commented with what was seen, so that a person can tighten or loosen it.
The same data gives the same suite, byte for byte.

The data path in the suite is DATA as given, made relative to the suite
file's directory with -o; without -o run it from the directory you will
save the suite in (trustml suggest data.csv > suite.yaml).

Exit status: 0 written; 2 could not run (bad flags or data).`

// Suggestion tuning.
const (
	// rangeLo and rangeHi are the quantiles a suggested range starts from.
	rangeLo, rangeHi = 0.001, 0.999
	// rangeMargin widens the range by this fraction of its width on each side.
	rangeMargin = 0.1
	// maxSetSize is the most distinct values listed in an in_set check.
	maxSetSize = 20
	// missingHeadroom multiplies the missing fraction seen, plus missingSlack.
	missingHeadroom, missingSlack = 1.5, 0.01
)

func runSuggest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("suggest", flag.ContinueOnError)
	target := fs.String("target", "", "the label `COLUMN`: a categorical target gets a class imbalance bound")
	out := fs.String("o", "", "write the suite to `FILE` (the data path in it is made relative to FILE's directory)")
	format := fs.String("format", "", "read DATA as this `FORMAT` (csv tsv parquet arrow arrows jsonl; default: from the extension)")
	fs.Usage = usageFor(fs, "suggest DATA [--target COLUMN] [-o FILE] [--format F]", suggestAbout)
	pos, code, done := parseArgs(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "trustml suggest: want exactly one data file, got %d arguments\nusage: trustml suggest DATA [--target COLUMN] [-o FILE]\n", len(pos))
		return exitNoRun
	}
	data := pos[0]
	outs := []output{{name: "-o", path: *out}}
	if err := checkOutputs(outs, pos); err != nil {
		fmt.Fprintf(stderr, "trustml suggest: %v\n", err)
		return exitNoRun
	}
	p, err := profileData(ctx, data, *format, nil)
	if err != nil {
		fmt.Fprintf(stderr, "trustml suggest: %v\n", err)
		return exitNoRun
	}
	if *target != "" && p.Column(*target) == nil {
		fmt.Fprintf(stderr, "trustml suggest: --target %q: no such column; columns are %s\n", *target, columnList(p))
		return exitNoRun
	}
	unique, err := uniqueColumns(ctx, data, *format, p)
	if err != nil {
		fmt.Fprintf(stderr, "trustml suggest: %v\n", err)
		return exitNoRun
	}
	suitePath := data
	if *out != "" && *out != stdoutPath && !filepath.IsAbs(data) {
		// The suite's data path is relative to the suite file.
		absData, err1 := filepath.Abs(data)
		absDir, err2 := filepath.Abs(filepath.Dir(*out))
		if err1 == nil && err2 == nil {
			suitePath = absData
			if rel, err := filepath.Rel(absDir, absData); err == nil {
				suitePath = rel
			}
		}
	}
	src := suggest(p, suggestInput{Data: filepath.ToSlash(suitePath), Format: *format, Target: *target, Unique: unique})
	if *out == "" {
		if _, err := stdout.Write(src); err != nil {
			fmt.Fprintf(stderr, "trustml suggest: %v\n", err)
			return exitNoRun
		}
		return exitPass
	}
	outs[0].write = func(w io.Writer) error { _, err := w.Write(src); return err }
	if err := writeOutputs(ctx, outs, stdout); err != nil {
		fmt.Fprintf(stderr, "trustml suggest: %v\n", err)
		return exitNoRun
	}
	return exitPass
}

func columnList(p *profile.Profile) string {
	names := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// uniqueCandidate reports whether a column may be an identifier: integers
// or strings with no value seen twice, as far as the profile can tell.
func uniqueCandidate(c *profile.Column) bool {
	if c.Count < 2 || !(c.Kind == profile.String || isIntegerType(c.Type)) {
		return false
	}
	return c.HighCardinality || (c.Distinct != nil && *c.Distinct == c.Count)
}

// uniqueColumns returns the candidate columns whose values are all
// distinct. A profile knows that only for columns of low cardinality; the
// others are checked exactly with expect's unique check, in a second pass
// over those columns only.
func uniqueColumns(ctx context.Context, path, format string, p *profile.Profile) (map[string]bool, error) {
	out := map[string]bool{}
	var s expect.Suite
	var names []string
	for i := range p.Columns {
		c := &p.Columns[i]
		if !uniqueCandidate(c) {
			continue
		}
		if !c.HighCardinality {
			out[c.Name] = true
			continue
		}
		names = append(names, c.Name)
		s.Columns = append(s.Columns, expect.Column{Name: c.Name, Checks: []expect.Check{{Kind: expect.Unique, Column: c.Name}}})
	}
	if len(names) == 0 {
		return out, nil
	}
	rdr, err := openData(ctx, path, format, names)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	checks, err := s.Evaluate(ctx, rdr, expect.Options{Schema: rdr.TableSchema(), SampleSize: 1})
	if err != nil {
		return nil, err
	}
	for _, ck := range checks {
		if ck.Status == result.Pass {
			out[ck.Column] = true
		}
	}
	return out, nil
}

type suggestInput struct {
	Data, Format, Target string
	Unique               map[string]bool
}

// suggest writes the suite; everything it writes is derived from p and in,
// in column order, so the same data gives the same bytes.
func suggest(p *profile.Profile, in suggestInput) []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	name := strings.TrimSuffix(filepath.Base(in.Data), filepath.Ext(in.Data))
	w("# A starting suite suggested by `trustml suggest` from %s\n", in.Data)
	w("# (%d rows, %d columns). Every bound holds on that data; the comments say\n", p.Rows, len(p.Columns))
	w("# what was seen. Tighten or loosen them to what you expect of new data.\n")
	w("version: 1\nname: %s\ndata:\n  path: %s\n", yamlString(name), yamlString(in.Data))
	if in.Format != "" {
		w("  format: %s\n", yamlString(in.Format))
	}
	w("expectations:\n  table:\n")
	w("    row_count: {min: 1}    # %d rows in this data\n", p.Rows)
	names := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		names[i] = yamlString(c.Name)
	}
	w("    columns: {required: [%s]}\n", strings.Join(names, ", "))
	w("  columns:\n")
	for i := range p.Columns {
		c := &p.Columns[i]
		w("    %s:    # %s\n", yamlString(c.Name), describe(c, p.Rows))
		if t := typeName(c.Type); t != "" {
			w("      type: %s\n", t)
		}
		suggestMissing(w, c, p.Rows)
		switch c.Kind {
		case profile.Numeric:
			suggestNumeric(w, c, p.RelativeAccuracy)
		case profile.String:
			if c.Lengths != nil {
				w("      length: {min: %d, max: %d}\n", c.Lengths.Min, c.Lengths.Max)
			}
		}
		suggestSet(w, c)
		if in.Unique[c.Name] {
			w("      unique: true    # every value occurs once\n")
		}
		if c.Name == in.Target {
			suggestImbalance(w, c)
		}
	}
	return b.Bytes()
}

func describe(c *profile.Column, rows int64) string {
	parts := []string{c.Type}
	if c.Nulls > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d missing (%.1f%%)", c.Nulls, rows, 100*float64(c.Nulls)/float64(max(rows, 1))))
	}
	if n := c.Numeric; n != nil {
		s := fmt.Sprintf("%s to %s, mean %s", result.Human(float64(n.Min)), result.Human(float64(n.Max)), result.Human(float64(n.Mean)))
		if !math.IsNaN(float64(n.Stddev)) {
			s += ", stddev " + result.Human(float64(n.Stddev))
		}
		parts = append(parts, s)
	}
	switch {
	case c.HighCardinality:
		parts = append(parts, "many distinct values")
	case c.Distinct != nil && c.Kind != profile.Other:
		parts = append(parts, fmt.Sprintf("%d distinct", *c.Distinct))
	}
	return strings.Join(parts, "; ")
}

// typeName returns the name expect's type check accepts for an Arrow type
// string (from expect's one table of type names), or "" when there is
// none to suggest.
func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "timestamp["):
		return yamlString(t)
	case strings.HasPrefix(t, "decimal"):
		return "decimal"
	case strings.HasPrefix(t, "dictionary<"):
		return "dictionary"
	case expect.KnownType(t):
		return t
	}
	return ""
}

func isIntegerType(t string) bool {
	switch t {
	case "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64":
		return true
	}
	return false
}

func suggestMissing(w func(string, ...any), c *profile.Column, rows int64) {
	if c.Nulls == 0 {
		w("      missing: {max: 0}\n")
		return
	}
	frac := float64(c.Nulls) / float64(rows)
	bound := math.Min(1, math.Ceil((frac*missingHeadroom+missingSlack)*100)/100)
	w("      missing: {max_fraction: %s}    # %.1f%% here\n", result.FormatFloat(bound), 100*frac)
}

func suggestNumeric(w func(string, ...any), c *profile.Column, alpha float64) {
	n := c.Numeric
	if n == nil || math.IsInf(float64(n.Min), 0) || math.IsInf(float64(n.Max), 0) {
		return
	}
	dmin, dmax := float64(n.Min), float64(n.Max)
	qlo, qhi := dmin, dmax
	if float64(c.Count)*(1-rangeHi) >= 1 {
		// Enough values for the extreme quantiles to ignore a few outliers.
		qlo, qhi = c.Quantile(rangeLo), c.Quantile(rangeHi)
	}
	// The sketch's quantiles are within a relative α of the true ones.
	margin := math.Max(rangeMargin*(qhi-qlo), 2*alpha*math.Max(math.Abs(qlo), math.Abs(qhi)))
	if margin == 0 {
		margin = 1
	}
	step := niceStep(margin)
	lo, hi := roundDown(qlo-margin, step), roundUp(qhi+margin, step)
	if dmin >= 0 && lo < 0 {
		lo = 0
	}
	if isIntegerType(c.Type) {
		lo, hi, step = math.Floor(lo), math.Ceil(hi), math.Max(step, 1)
	}
	if lo <= dmin && hi >= dmax {
		w("      range: {min: %s, max: %s}    # values %s to %s\n", fmtNum(lo, step), fmtNum(hi, step), result.Human(dmin), result.Human(dmax))
	} else {
		// At most 0.2% of the values lie outside the quantiles.
		w("      range: {min: %s, max: %s, mostly: 0.99}    # 0.1%%–99.9%% quantiles %s to %s widened; values %s to %s\n",
			fmtNum(lo, step), fmtNum(hi, step), result.Human(qlo), result.Human(qhi), result.Human(dmin), result.Human(dmax))
	}
	sd := float64(n.Stddev)
	if math.IsNaN(sd) || sd == 0 || math.IsInf(sd, 0) {
		return
	}
	mean := float64(n.Mean)
	ms := niceStep(sd / 20)
	w("      mean: {min: %s, max: %s}    # %s ± half a standard deviation\n", fmtNum(roundDown(mean-sd/2, ms), ms), fmtNum(roundUp(mean+sd/2, ms), ms), result.Human(mean))
	w("      stddev: {min: %s, max: %s}    # %s, halved and doubled\n", fmtNum(roundDown(sd/2, ms), ms), fmtNum(roundUp(sd*2, ms), ms), result.Human(sd))
}

// suggestSet lists the allowed values of string and integer columns with
// few distinct values (booleans have only two).
func suggestSet(w func(string, ...any), c *profile.Column) {
	if c.Kind == profile.Boolean || (c.Kind == profile.Numeric && !isIntegerType(c.Type)) {
		return
	}
	cats, ok := c.Categories()
	if !ok || len(cats) == 0 || len(cats) > maxSetSize || int64(len(cats)) == c.Count {
		return
	}
	vals := make([]string, len(cats))
	for i, v := range cats {
		if c.Kind == profile.Numeric {
			vals[i] = v.Value
		} else {
			vals[i] = strconv.Quote(v.Value)
		}
	}
	w("      in_set: [%s]\n", strings.Join(vals, ", "))
}

func suggestImbalance(w func(string, ...any), c *profile.Column) {
	cats, ok := c.Categories()
	if !ok || c.Kind == profile.Numeric && !isIntegerType(c.Type) || len(cats) < 2 || len(cats) > maxSetSize {
		w("      # the target is not categorical: no imbalance bound\n")
		return
	}
	var least int64 = math.MaxInt64
	var leastName string
	for _, v := range cats {
		if v.Count < least {
			least, leastName = v.Count, v.Value
		}
	}
	share := float64(least) / float64(c.Count)
	bound := math.Floor(share/2*1000) / 1000
	w("      imbalance: {min_fraction: %s}    # the smallest class, %q, is %.1f%% of the labels\n", result.FormatFloat(bound), leastName, 100*share)
}

// niceStep returns the power of ten at or below x, for rounding bounds.
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	return math.Pow(10, math.Floor(math.Log10(x)))
}

func roundDown(x, step float64) float64 { return math.Floor(x/step) * step }
func roundUp(x, step float64) float64   { return math.Ceil(x/step) * step }

// fmtNum writes a multiple of step with step's decimals, so that 0.30000000000000004 reads 0.3.
func fmtNum(x, step float64) string {
	d := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	s := strconv.FormatFloat(x, 'f', d, 64)
	if s == "-0" || strings.Trim(s, "-0.") == "" {
		return "0"
	}
	// Rounded to the step, then written without trailing zeros: 0.7, 19.
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// yamlString writes s as a YAML scalar that reads back as the string s:
// plain when that is unambiguous, else double-quoted (Go's escapes are a
// subset of YAML's).
func yamlString(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~":
		return strconv.Quote(s)
	}
	if plainKey.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}
