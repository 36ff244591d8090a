package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

const diffAbout = `
Compares two runs: two result files written by trustml check --json, or,
with --history, two run ids of a history store. Prints whether the data
and the suite changed (by fingerprint), the checks whose status flipped,
and the numbers that moved, model metrics first (with each run's paired
bootstrap interval against its champion when both carry one).

--fail-on regression makes NEW worse when a check that passed in OLD fails
in NEW (error severity; warnings do not count). --max-worse METRIC=X makes
NEW worse when a model metric is worse by more than X: a higher error, a
lower r2, a larger |bias| (repeatable).

Exit status: 0 NEW is not worse; 1 NEW is worse; 2 could not compare (bad
flags, a missing or malformed file, an unknown run id).`

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	target := fs.String("history", "", "OLD and NEW are run ids in the store at `PATH` (SQLite) or postgres:// URL")
	failOn := fs.String("fail-on", "", "exit 1 when NEW has a `regression`: a check that passed in OLD fails")
	maxWorse := maxWorseFlag{}
	fs.Var(&maxWorse, "max-worse", "exit 1 when model `METRIC=X` is worse in NEW by more than X (repeatable)")
	asJSON := fs.Bool("json", false, "print the comparison as JSON")
	fs.Usage = usageFor(fs, "diff OLD.json NEW.json [flags]  |  diff --history PATH OLD_ID NEW_ID [flags]", diffAbout)
	pos, code, done := parseArgs(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 2 {
		fmt.Fprintf(stderr, "trustml diff: want OLD and NEW, got %d arguments\nusage: trustml diff OLD.json NEW.json [--fail-on regression] [--max-worse METRIC=X]\n", len(pos))
		return exitNoRun
	}
	if *failOn != "" && *failOn != "regression" {
		fmt.Fprintf(stderr, "trustml diff: --fail-on must be regression, got %q\n", *failOn)
		return exitNoRun
	}
	var old, cur *trustml.Result
	var err error
	if *target != "" {
		old, cur, err = loadRuns(ctx, *target, pos[0], pos[1])
	} else {
		old, err = loadResult(pos[0])
		if err == nil {
			cur, err = loadResult(pos[1])
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "trustml diff: %v\n", err)
		return exitNoRun
	}
	d := compareRuns(old, cur, *failOn == "regression", maxWorse)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			fmt.Fprintf(stderr, "trustml diff: %v\n", err)
			return exitNoRun
		}
	} else {
		d.write(stdout, pos[0], pos[1])
	}
	if len(d.Worse) > 0 {
		return exitFail
	}
	return exitPass
}

type maxWorseFlag map[string]float64

// String lists the bounds as metric=x, sorted; flag's empty-value check
// reads it, so a given bound is never "".
func (m maxWorseFlag) String() string {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kv = append(kv, k+"="+strconv.FormatFloat(m[k], 'g', -1, 64))
	}
	return strings.Join(kv, ",")
}

func (m maxWorseFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want METRIC=X, got %q", s)
	}
	if !slices.Contains(model.MetricNames(), k) {
		return fmt.Errorf("unknown metric %q; metrics are %s", k, strings.Join(model.MetricNames(), ", "))
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("%s: want a number ≥ 0, got %q", k, v)
	}
	m[k] = x
	return nil
}

// loadResult reads a result file written by trustml check --json.
func loadResult(path string) (*trustml.Result, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file", path)
	}
	if err != nil {
		return nil, err
	}
	return decodeResult(path, src)
}

func decodeResult(name string, src []byte) (*trustml.Result, error) {
	var r trustml.Result
	if err := json.Unmarshal(src, &r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(string(src[:min(int(se.Offset), len(src))]), "\n")
			return nil, fmt.Errorf("%s:%d: not a trustml result: %v", name, line, err)
		}
		return nil, fmt.Errorf("%s: not a trustml result: %v", name, err)
	}
	if r.SchemaVersion == 0 || r.Checks == nil {
		return nil, fmt.Errorf("%s: not a trustml result (no schema_version or checks; write one with trustml check --json)", name)
	}
	if r.SchemaVersion > trustml.SchemaVersion {
		return nil, fmt.Errorf("%s: result schema version %d is newer than this trustml's (%d)", name, r.SchemaVersion, trustml.SchemaVersion)
	}
	return &r, nil
}

// loadRuns reads two runs' result documents from a store.
func loadRuns(ctx context.Context, target, oldID, newID string) (*trustml.Result, *trustml.Result, error) {
	st, err := openExisting(ctx, target)
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	var out [2]*trustml.Result
	for i, s := range []string{oldID, newID} {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return nil, nil, fmt.Errorf("with --history, OLD and NEW are run ids (see trustml history), got %q", s)
		}
		r, err := st.Get(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		if out[i], err = decodeResult(fmt.Sprintf("run %d", id), r.Result); err != nil {
			return nil, nil, err
		}
	}
	return out[0], out[1], nil
}

// runDiff is what changed from OLD to NEW.
type runDelta struct {
	DataChanged bool `json:"data_changed"`
	// DataComparable is false when the two fingerprints were made with
	// different algorithms: whether the data changed is then unknown
	// (DataChanged is false).
	DataComparable bool      `json:"data_comparable"`
	SuiteChanged   bool      `json:"suite_changed"`
	Data           [2]fprint `json:"data"`
	Suite          [2]string `json:"suite_sha256"`
	Flipped        []flip    `json:"flipped"`
	Moved          []moved   `json:"moved"`
	// Worse lists why NEW is worse, by --fail-on and --max-worse.
	Worse []string `json:"worse"`
}

type fprint struct {
	Path      string `json:"path"`
	Algorithm string `json:"algorithm"`
	Hash      string `json:"hash"`
	Rows      int64  `json:"rows"`
	Schema    string `json:"schema"`
}

// digest is the fingerprint's algorithm and the first 10 hex digits.
func (f fprint) digest() string { return f.Algorithm + ":" + short(f.Hash) }

type flip struct {
	Name     string `json:"name"`
	Section  string `json:"section"`
	Old      string `json:"old"` // "" when OLD has no such check
	New      string `json:"new"` // "" when NEW has none
	Severity string `json:"severity"`
	Message  string `json:"message,omitempty"`
}

type moved struct {
	Check string  `json:"check"`
	Field string  `json:"value"`
	Old   float64 `json:"old"`
	New   float64 `json:"new"`
	// Worse is set for model metrics: whether NEW is worse.
	Worse *bool `json:"worse,omitempty"`
	// OldInterval and NewInterval are each run's paired 95% bootstrap
	// interval of model − champion, when both runs carry one.
	OldInterval *[2]float64 `json:"old_interval,omitempty"`
	NewInterval *[2]float64 `json:"new_interval,omitempty"`
}

func compareRuns(old, cur *trustml.Result, failOnRegression bool, maxWorse map[string]float64) *runDelta {
	d := &runDelta{Flipped: []flip{}, Moved: []moved{}, Worse: []string{}}
	fp := func(r *trustml.Result) fprint {
		f := r.Run.Data
		return fprint{f.Path, cmp.Or(string(f.Algorithm), string(dataset.SHA256)), f.Hash, f.Rows, f.Schema}
	}
	d.Data = [2]fprint{fp(old), fp(cur)}
	same, comparable := old.Run.Data.Compare(cur.Run.Data)
	d.DataChanged, d.DataComparable = comparable && !same, comparable
	d.Suite = [2]string{old.Run.SuiteSHA256, cur.Run.SuiteSHA256}
	d.SuiteChanged = d.Suite[0] != d.Suite[1]

	oldBy := map[string]result.Check{}
	for _, c := range old.Checks {
		oldBy[c.Name] = c
	}
	newNames := map[string]bool{}
	for _, c := range cur.Checks {
		newNames[c.Name] = true
		o, ok := oldBy[c.Name]
		switch {
		case !ok:
			d.Flipped = append(d.Flipped, flip{c.Name, string(c.Section), "", string(c.Status), string(c.Severity), c.Message})
		case o.Status != c.Status:
			d.Flipped = append(d.Flipped, flip{c.Name, string(c.Section), string(o.Status), string(c.Status), string(c.Severity), c.Message})
			if failOnRegression && o.Status == result.Pass && (c.Status == result.Fail || c.Status == result.Error) {
				d.Worse = append(d.Worse, fmt.Sprintf("%s passed in OLD and is %s in NEW", c.Name, c.Status))
			}
		}
	}
	for _, c := range old.Checks {
		if !newNames[c.Name] {
			d.Flipped = append(d.Flipped, flip{c.Name, string(c.Section), string(c.Status), "", string(c.Severity), ""})
		}
	}

	// Model metrics first, from the model's evaluation (every metric, not
	// only those the suite bounds), then every other observed number.
	oldM, newM := metricsOf(old), metricsOf(cur)
	oldI, newI := intervalsOf(old), intervalsOf(cur)
	done := map[history.Key]bool{}
	for _, name := range model.MetricNames() {
		a, okA := oldM[name]
		b, okB := newM[name]
		if !okA || !okB {
			continue
		}
		done[history.Key{Name: "model." + name, Field: "value"}] = true
		by := worseBy(name, b, a)
		if x, ok := maxWorse[name]; ok && by > x {
			d.Worse = append(d.Worse, fmt.Sprintf("%s is worse by %s, more than --max-worse %s", name, result.Human(by), result.Human(x)))
		}
		if a == b {
			continue
		}
		w := by > 0
		m := moved{Check: "model." + name, Field: "value", Old: a, New: b, Worse: &w}
		if i, ok := oldI[name]; ok {
			if j, ok := newI[name]; ok {
				m.OldInterval, m.NewInterval = &i, &j
			}
		}
		d.Moved = append(d.Moved, m)
	}
	for name := range maxWorse {
		if _, ok := newM[name]; !ok {
			d.Worse = append(d.Worse, fmt.Sprintf("%s: NEW has no model metric %s to compare", name, name))
		}
	}
	slices.Sort(d.Worse)
	// The history checks' own numbers (baselines, z) derive from the
	// numbers they watch, which are listed already.
	oldObs := map[history.Key]float64{}
	for _, o := range history.Observe(withoutHistory(old.Checks)) {
		oldObs[o.Key] = o.Value
	}
	for _, o := range history.Observe(withoutHistory(cur.Checks)) {
		a, ok := oldObs[o.Key]
		if !ok || done[o.Key] || a == o.Value {
			continue
		}
		d.Moved = append(d.Moved, moved{Check: o.Name, Field: o.Field, Old: a, New: o.Value})
	}
	return d
}

// worseBy is how much worse a is than b for a model metric: positive when
// a is worse (a higher error, a lower r2, a larger |bias|).
func worseBy(metric string, a, b float64) float64 {
	switch metric {
	case "r2":
		return b - a
	case "bias":
		return math.Abs(a) - math.Abs(b)
	}
	return a - b
}

func metricsOf(r *trustml.Result) map[string]float64 {
	out := map[string]float64{}
	if r.Model == nil {
		return out
	}
	for _, name := range model.MetricNames() {
		if v, err := r.Model.Evaluation.Model.Get(name); err == nil && v.Defined {
			out[name] = v.V
		}
	}
	return out
}

func intervalsOf(r *trustml.Result) map[string][2]float64 {
	out := map[string][2]float64{}
	if r.Model == nil || r.Model.Comparison == nil {
		return out
	}
	for _, m := range r.Model.Comparison.Metrics {
		if m.Lower != nil && m.Upper != nil {
			out[m.Metric] = [2]float64{*m.Lower, *m.Upper}
		}
	}
	return out
}

func (d *runDelta) write(w io.Writer, oldName, newName string) {
	fmt.Fprintf(w, "OLD %s\nNEW %s\n\n", oldName, newName)
	switch {
	case d.DataChanged || !d.DataComparable:
		what := "changed"
		if !d.DataComparable {
			what = "not comparable (fingerprints by " + d.Data[0].Algorithm + " and " + d.Data[1].Algorithm + "; give both runs the same --fingerprint)"
		}
		fmt.Fprintf(w, "data:  %s  %s %s (%d rows) → %s %s (%d rows)\n", what, d.Data[0].Path, d.Data[0].digest(), d.Data[0].Rows, d.Data[1].Path, d.Data[1].digest(), d.Data[1].Rows)
		if sd := history.DiffSchema(d.Data[0].Schema, d.Data[1].Schema); !sd.Empty() {
			fmt.Fprintf(w, "       schema: %s\n", sd)
		}
	default:
		fmt.Fprintf(w, "data:  same  %s (%d rows)\n", d.Data[1].digest(), d.Data[1].Rows)
	}
	if d.SuiteChanged {
		fmt.Fprintf(w, "suite: changed  %s → %s\n", short(d.Suite[0]), short(d.Suite[1]))
	} else {
		fmt.Fprintf(w, "suite: same  %s\n", short(d.Suite[1]))
	}
	fmt.Fprintf(w, "\nchecks that flipped: %d\n", len(d.Flipped))
	for _, f := range d.Flipped {
		msg := ""
		if f.Message != "" {
			msg = ": " + f.Message
		}
		fmt.Fprintf(w, "  %-5s → %-5s %s%s\n", cmpOr(f.Old, "(new)"), cmpOr(f.New, "(gone)"), f.Name, msg)
	}
	fmt.Fprintf(w, "\nnumbers that moved: %d\n", len(d.Moved))
	for _, m := range d.Moved {
		name := m.Check
		if m.Field != "value" {
			name += "." + m.Field
		}
		note := ""
		if m.Worse != nil {
			note = "  better"
			if *m.Worse {
				note = "  worse"
			}
		}
		if m.OldInterval != nil {
			note += fmt.Sprintf("  (vs champion, paired 95%% CI: [%s, %s] → [%s, %s])",
				result.Human(m.OldInterval[0]), result.Human(m.OldInterval[1]), result.Human(m.NewInterval[0]), result.Human(m.NewInterval[1]))
		}
		fmt.Fprintf(w, "  %s: %s → %s (%s)%s\n", name, result.Human(m.Old), result.Human(m.New), change(m.Old, m.New), note)
	}
	fmt.Fprintln(w)
	if len(d.Worse) == 0 {
		fmt.Fprintln(w, "NEW is not worse")
		return
	}
	fmt.Fprintln(w, "NEW is worse:")
	for _, s := range d.Worse {
		fmt.Fprintf(w, "  %s\n", s)
	}
}

func change(a, b float64) string {
	s := signedHuman(b - a)
	if a != 0 {
		s += ", " + signedHuman(100*(b-a)/math.Abs(a)) + "%"
	}
	return s
}

func signedHuman(v float64) string {
	if v > 0 {
		return "+" + result.Human(v)
	}
	return result.Human(v)
}

func withoutHistory(checks []result.Check) []result.Check {
	out := make([]result.Check, 0, len(checks))
	for _, c := range checks {
		if c.Section != history.Section {
			out = append(out, c)
		}
	}
	return out
}
