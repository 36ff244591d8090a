package checklist

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// Run evaluates tests against m and returns one result.Check per test, in
// order. data is the dataset the base rows are drawn from and the medians,
// modes, standard deviations and levels are computed on; it is only read.
// Each test's rows (bases and variants) are sent to m in as few batches as
// Options.BatchSize allows, one Predict call per batch, holding only the
// feature columns.
//
// A test that fails is a Check with Status Fail (or Warn); a test that
// cannot be evaluated (the model errors or returns a wrong number of
// predictions, a column is missing, a perturbation does not fit the
// column's type) is an error naming the test, a [*TestError]. Run
// evaluates every test it can: the checks returned are those of the tests
// evaluated, and the error joins one error per test that could not be. A
// cancelled ctx stops the run.
func Run(ctx context.Context, m model.Regressor, data []arrow.RecordBatch, tests []Test, opts Options) ([]result.Check, error) {
	return run(ctx, regressor{m}, data, tests, opts)
}

// tester is the model under test as the tests see it: a regressor or a
// classifier.
type tester interface {
	// call returns the outputs of a batch's rows, one per row.
	call(ctx context.Context, batch arrow.RecordBatch) (outputs, error)
	// prepare checks t against the model and returns how its examples are
	// judged.
	prepare(t *Test, f *frame, opts Options) (judge, error)
}

// outputs are a model's answers for rows: y for a regressor; for a
// classifier, the label of each row (a class index) and, when the model
// gives them, the probabilities of the classes.
type outputs struct {
	y      []float64
	labels []int
	proba  [][]float64
}

func (o *outputs) append(p outputs) {
	o.y = append(o.y, p.y...)
	o.labels = append(o.labels, p.labels...)
	o.proba = append(o.proba, p.proba...)
}

// judge reads a test's examples from the model's outputs.
type judge interface {
	// margin says how far example e is inside its expectation, and
	// whether it passes (for numbers, when the margin is ≥ 0).
	margin(e example, o *outputs) (float64, bool)
	// show returns the outputs example e compares, for its JSON (the
	// prediction of its base, of its variant) and for its text ("ŷ 3",
	// "moved ŷ 3→4", "moved P(b) 0.2→0.5").
	show(e example, o *outputs) (pred, variant any, text string)
	// expected says what the example expected, for people.
	expected(e example) string
	// check reports outputs the test cannot judge (probabilities it reads
	// from a model that gives labels only).
	check(o *outputs) error
}

func run(ctx context.Context, m tester, data []arrow.RecordBatch, tests []Test, opts Options) ([]result.Check, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	f, err := readFrame(data, opts.Features, opts.Target)
	if err != nil {
		return nil, err
	}
	if opts.DataRows != nil {
		if len(opts.DataRows) != f.n {
			return nil, fmt.Errorf("checklist: Options.DataRows has %d entries for %d rows of data", len(opts.DataRows), f.n)
		}
		f.origin = opts.DataRows
	}
	checks := make([]result.Check, 0, len(tests))
	var errs []error
	for i := range tests {
		t := &tests[i]
		c, err := runTest(ctx, m, f, t, opts)
		if err != nil {
			if ctx.Err() != nil {
				return checks, &TestError{Name: t.Name, Index: i, Line: t.Line, Col: t.Col, Err: ctx.Err()}
			}
			errs = append(errs, &TestError{Name: t.Name, Index: i, Line: t.Line, Col: t.Col, Err: err})
			continue
		}
		checks = append(checks, c)
	}
	return checks, errors.Join(errs...)
}

// TestError is a test that could not be evaluated. Its message reads
// `checklist: test "NAME": ERR`; Line and Col locate the test in its suite
// file (0 when it was built in Go), for the caller to position the error.
type TestError struct {
	// Name and Index identify the test: its name, its position in the
	// list given to Run.
	Name  string
	Index int
	// Line and Col are the test's Line and Col.
	Line, Col int
	Err       error
}

// Error formats the error as `checklist: test "NAME": ERR`.
func (e *TestError) Error() string { return fmt.Sprintf("checklist: test %q: %v", e.Name, e.Err) }

// Unwrap returns Err.
func (e *TestError) Unwrap() error { return e.Err }

func (o *Options) validate() error {
	if o.BatchSize < 0 {
		return fmt.Errorf("checklist: batch size %d < 0", o.BatchSize)
	}
	if o.MaxExamples < 0 {
		return fmt.Errorf("checklist: max examples %d < 0", o.MaxExamples)
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxExamples == 0 {
		o.MaxExamples = DefaultMaxExamples
	}
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	return nil
}

// outcome is a test's evaluation.
type outcome struct {
	cases, applicable, failed int
	calls, rows               int
	worst                     []worst // one per failed case
}

type worst struct {
	c      int // case
	e      int // example
	margin float64
}

func runTest(ctx context.Context, m tester, f *frame, t *Test, opts Options) (result.Check, error) {
	if err := t.Validate(); err != nil {
		return result.Check{}, err
	}
	seed := opts.Seed
	if t.Seed != nil {
		seed = *t.Seed
	}
	j, err := m.prepare(t, f, opts)
	if err != nil {
		return result.Check{}, err
	}
	p, err := build(t, f, seed)
	if err != nil {
		return result.Check{}, err
	}
	out, calls, err := predict(ctx, m, j, f, p.rows, p.origins(), opts)
	if err != nil {
		return result.Check{}, err
	}
	o := outcome{cases: len(p.cases), calls: calls, rows: len(p.rows)}
	for ci, c := range p.cases {
		applicable, failed := false, false
		var w worst
		for ei, e := range c.examples {
			if e.na {
				continue
			}
			applicable = true
			mg, pass := j.margin(e, &out)
			if pass {
				continue
			}
			if !failed || rank(mg) < rank(w.margin) {
				w = worst{c: ci, e: ei, margin: mg}
			}
			failed = true
		}
		if applicable {
			o.applicable++
		}
		if failed {
			o.failed++
			o.worst = append(o.worst, w)
		}
	}
	slices.SortStableFunc(o.worst, func(a, b worst) int {
		return cmp.Compare(rank(a.margin), rank(b.margin))
	})
	return t.check(f, p, j, &out, o, seed, opts.MaxExamples), nil
}

// regressor is a model.Regressor under test.
type regressor struct{ m model.Regressor }

func (r regressor) call(ctx context.Context, b arrow.RecordBatch) (outputs, error) {
	p, err := r.m.Predict(ctx, b)
	if err != nil {
		return outputs{}, err
	}
	if len(p) != int(b.NumRows()) {
		return outputs{}, countError{fmt.Errorf("got %d predictions for %d rows", len(p), b.NumRows())}
	}
	return outputs{y: p}, nil
}

func (r regressor) prepare(t *Test, f *frame, opts Options) (judge, error) {
	var fs yamlx.Findings
	t.validateTask("", &fs, false)
	if err := fs.Err(); err != nil {
		return nil, err
	}
	tol := 0.0 // the target-scaled part of an INV tolerance
	if t.Type == INV && t.Tolerance.Rel > 0 && t.Tolerance.Scale != ScalePrediction {
		if opts.Target == "" {
			return nil, errors.New("tolerance rel with scale target needs the target column (Options.Target)")
		}
		if len(f.target) < 2 {
			return nil, fmt.Errorf("target %q has %d finite values; its standard deviation needs 2", opts.Target, len(f.target))
		}
		tol = t.Tolerance.Rel * stat.StdDev(f.target, nil)
	}
	return regJudge{t: t, tol: tol}, nil
}

// regJudge judges a regressor's test; tol is the target-scaled part of an
// INV tolerance.
type regJudge struct {
	t   *Test
	tol float64
}

// margin is how far example e is inside its expectation: ≥ 0 passes;
// negative or NaN fails.
func (j regJudge) margin(e example, o *outputs) (float64, bool) {
	t := j.t
	y := o.y[e.from]
	var m float64
	switch {
	case e.to < 0:
		m = e.bounds.margin(y)
	case t.Type == INV:
		tol := t.Tolerance.Abs + j.tol
		if t.Tolerance.Scale == ScalePrediction {
			tol += t.Tolerance.Rel * math.Abs(y)
		}
		m = tol - math.Abs(o.y[e.to]-y)
	default:
		m = t.Change.margin(o.y[e.to] - y)
	}
	return m, m >= 0
}

func (j regJudge) show(e example, o *outputs) (pred, variant any, text string) {
	y := o.y[e.from]
	if e.to < 0 {
		return result.Number(y), nil, "ŷ " + result.Human(y)
	}
	v := o.y[e.to]
	return result.Number(y), result.Number(v), fmt.Sprintf("moved ŷ %s→%s", result.Human(y), result.Human(v))
}

func (regJudge) check(*outputs) error { return nil }

func (j regJudge) expected(e example) string {
	if e.to < 0 {
		return e.bounds.String()
	}
	return j.t.expectation("ŷ")
}

func (b *Bounds) margin(y float64) float64 {
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return math.NaN()
	}
	if b.Value != nil {
		return b.Tolerance - math.Abs(y-*b.Value)
	}
	m := math.Inf(1)
	if b.Min != nil {
		m = y - *b.Min
	}
	if b.Max != nil {
		m = min(m, *b.Max-y)
	}
	return m
}

func (c *Change) margin(d float64) float64 {
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return math.NaN()
	}
	switch c.Direction {
	case Increase:
		return d + c.Slack
	case Decrease:
		return c.Slack - d
	}
	m := math.Inf(1)
	if c.Min != nil {
		m = d - *c.Min
	}
	if c.Max != nil {
		m = min(m, *c.Max-d)
	}
	return m
}

// countError is a model that returned a wrong number of outputs for a
// batch: the test inputs are named, not the data rows they came from.
type countError struct{ error }

// predict sends rows to m in batches of opts.BatchSize rows, stopping at
// the first batch whose outputs j cannot judge. origin holds the data row
// behind each row (-1: none), for errors.
func predict(ctx context.Context, m tester, j judge, f *frame, rows []row, origin []int, opts Options) (out outputs, calls int, err error) {
	for lo := 0; lo < len(rows); lo += opts.BatchSize {
		if err := ctx.Err(); err != nil {
			return outputs{}, calls, err
		}
		hi := min(lo+opts.BatchSize, len(rows))
		b, err := f.batch(opts.Mem, rows[lo:hi])
		if err != nil {
			return outputs{}, calls, err
		}
		p, err := m.call(ctx, b)
		b.Release()
		calls++
		var ce countError
		switch {
		case errors.As(err, &ce):
			return outputs{}, calls, fmt.Errorf("model: test inputs %d..%d of %d: %w", lo, hi-1, len(rows), err)
		case err != nil && !slices.Contains(origin[lo:hi], -1):
			// Every row is made from a data row: the model's own error
			// names them when it names rows, else say which.
			if namesDataRows(model.AtDataRows(err, origin[lo:hi])) {
				return outputs{}, calls, err
			}
			return outputs{}, calls, fmt.Errorf("model: inputs made from %s: %w", rowSpan(origin[lo:hi]), err)
		case err != nil:
			return outputs{}, calls, fmt.Errorf("model: test inputs %d..%d of %d: %w", lo, hi-1, len(rows), err)
		}
		if err := j.check(&p); err != nil {
			return outputs{}, calls, err
		}
		out.append(p)
	}
	return out, calls, nil
}

// namesDataRows reports whether err is a model error that names data rows.
func namesDataRows(err error) bool {
	var re *model.RowError
	var ee *model.EndpointError
	var rs *model.RowsError
	switch {
	case errors.As(err, &rs):
		return true // its rows are positions of the batch, all mapped
	case errors.As(err, &re):
		return re.DataRows != nil
	case errors.As(err, &ee):
		return ee.DataRows != nil
	}
	return false
}

// rowSpan names the data rows behind a batch: "data row 90" or "data rows
// 3..91".
func rowSpan(rows []int) string {
	lo, hi := slices.Min(rows), slices.Max(rows)
	if lo == hi {
		return fmt.Sprintf("data row %d", lo)
	}
	return fmt.Sprintf("data rows %d..%d", lo, hi)
}

// z975 is the 97.5th percentile of the standard normal distribution.
var z975 = distuv.UnitNormal.Quantile(0.975)

// Wilson returns the 95% Wilson score interval for a proportion of k
// successes in n trials (Wilson, 1927): the centre (p + z²/2n)/(1 + z²/n)
// plus or minus z/(1 + z²/n)·√(p(1−p)/n + z²/4n²), with p = k/n and z the
// 97.5th percentile of the standard normal. Unlike the normal
// approximation it stays within [0, 1] and is not empty at k = 0 or k = n.
// n = 0 gives [0, 1]. It panics when k < 0, n < 0 or k > n.
func Wilson(k, n int) (lo, hi float64) {
	if k < 0 || n < 0 || k > n {
		panic(fmt.Sprintf("checklist: Wilson(%d, %d): need 0 ≤ k ≤ n", k, n))
	}
	if n == 0 {
		return 0, 1
	}
	fn := float64(n)
	p := float64(k) / fn
	z2 := z975 * z975
	den := 1 + z2/fn
	centre := (p + z2/(2*fn)) / den
	half := z975 / den * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn))
	lo, hi = max(0, centre-half), min(1, centre+half)
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return lo, hi
}

// rank orders failing margins, worst first: a NaN margin (a prediction
// that is not a number) ranks below every number.
func rank(m float64) float64 {
	if math.IsNaN(m) {
		return math.Inf(-1)
	}
	return m
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// check turns an outcome into the test's result.
func (t *Test) check(f *frame, p *plan, j judge, out *outputs, o outcome, seed uint64, maxExamples int) result.Check {
	sev := t.Severity
	if sev == "" {
		sev = result.SeverityError
	}
	lo, hi := Wilson(o.failed, o.applicable)
	d := Details{Type: t.Type, Capability: t.Capability, Cases: o.cases, Applicable: o.applicable,
		Failed: o.failed, Wilson: Interval{Low: lo, High: hi, Level: 0.95}, MaxFailureRate: t.MaxFailureRate,
		Calls: o.calls, Rows: o.rows, Seed: seed}
	for _, w := range o.worst[:min(len(o.worst), maxExamples)] {
		d.Examples = append(d.Examples, describeExample(f, p, j, out, w))
	}
	c := result.Check{Section: result.Checklist, Name: "checklist." + t.Name, Kind: string(t.Type),
		Severity: sev, Expected: t.MaxFailureRate, Details: d,
		ExpectedText: fmt.Sprintf("at most %s%% of cases fail", result.Human(100*t.MaxFailureRate))}
	if o.applicable == 0 {
		// A test that tests nothing fails, so that a suite never passes on
		// checks it did not run.
		c.Status = result.StatusOf(false, sev)
		c.ObservedText = fmt.Sprintf("no applicable case (%d cases)", o.cases)
		c.Message = c.ObservedText + ": every variant equals its base row, so the perturbation changed nothing"
		return c
	}
	rate := float64(o.failed) / float64(o.applicable)
	d.FailureRate = rate
	c.Details = d
	c.Observed = rate
	c.Status = result.StatusOf(rate <= t.MaxFailureRate, sev)
	na := ""
	if o.applicable < o.cases {
		na = fmt.Sprintf("; %d of %d not applicable", o.cases-o.applicable, o.cases)
	}
	c.ObservedText = fmt.Sprintf("%d of %d cases failed (%s, 95%% CI %s–%s%s)",
		o.failed, o.applicable, pct(rate), strings.TrimSuffix(pct(lo), "%"), pct(hi), na)
	c.Message = c.ObservedText
	if len(d.Examples) > 0 {
		c.Message += ": e.g. " + d.Examples[0].Text
	}
	return c
}

// example describes the worst example w.
func describeExample(f *frame, p *plan, j judge, out *outputs, w worst) Example {
	c := p.cases[w.c]
	e := c.examples[w.e]
	from := p.rows[e.from]
	pred, variant, shown := j.show(e, out)
	x := Example{Case: w.c, Base: c.label, Input: map[string]any{}, Prediction: pred, Margin: result.Number(w.margin)}
	if c.dataRow >= 0 {
		x.Row = &c.dataRow
	}
	for j, col := range f.cols {
		x.Input[col.name] = col.jsonValue(from[j])
	}
	if e.to < 0 {
		x.Text = fmt.Sprintf("%s: %s, expected %s", c.label, shown, j.expected(e))
		return x
	}
	to := p.rows[e.to]
	x.Variant = map[string]any{}
	var moves []string
	for j, col := range f.cols {
		if !from[j].equal(to[j]) {
			x.Variant[col.name] = col.jsonValue(to[j])
			moves = append(moves, fmt.Sprintf("%s %s→%s", col.name, col.show(from[j]), col.show(to[j])))
		}
	}
	x.VariantPrediction = variant
	x.Text = fmt.Sprintf("%s: %s %s (expected %s)", c.label, strings.Join(moves, ", "), shown, j.expected(e))
	return x
}

// expectation says what an INV or DIR example expected, for people; y
// names the output compared ("ŷ", "P(b)").
func (t *Test) expectation(y string) string {
	if t.Type == INV {
		tol := t.Tolerance
		s := "|Δ" + y + "| ≤ " + result.Human(tol.Abs)
		if tol.Rel > 0 {
			scale := "sd(target)"
			if tol.Scale == ScalePrediction {
				scale = "|" + y + "|"
			}
			s += fmt.Sprintf(" + %s×%s", result.Human(tol.Rel), scale)
		}
		return s
	}
	ch := t.Change
	if ch.Direction != "" {
		s := string(ch.Direction)
		if t.Sweep != nil {
			s = strings.TrimSuffix(s, "e") + "ing"
		}
		if ch.Slack > 0 {
			s += ", slack " + result.Human(ch.Slack)
		}
		return s
	}
	return "Δ" + y + " " + rangeText(ch.Min, ch.Max)
}

// String says what the bounds expect, e.g. "≥ 60", "10 ± 0.5", "label
// b", or "P(b) ≥ 0.8" when they name a class.
func (b *Bounds) String() string {
	if b.Label != nil {
		return "label " + *b.Label
	}
	if b.Class != "" {
		return "P(" + b.Class + ") " + (&Bounds{Interval: b.Interval, Value: b.Value, Tolerance: b.Tolerance}).String()
	}
	if b.Value != nil {
		if b.Tolerance == 0 {
			return "= " + result.Human(*b.Value)
		}
		return result.Human(*b.Value) + " ± " + result.Human(b.Tolerance)
	}
	return rangeText(b.Min, b.Max)
}

func rangeText(lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("in [%s, %s]", result.Human(*lo), result.Human(*hi))
	case lo != nil:
		return "≥ " + result.Human(*lo)
	case hi != nil:
		return "≤ " + result.Human(*hi)
	}
	return "anything"
}

// Validate reports every field that does not fit the test's type, and
// impossible values (a fraction above 1, min above max), joined, a line per
// problem naming its key. Run validates each test; the suite decoder
// reports the same problems, found by the same rules, with their
// positions in the suite file.
func (t *Test) Validate() error {
	var fs yamlx.Findings
	t.validate("", &fs)
	return fs.Err()
}

// validate records every problem of t in fs, at key paths below path (""
// for a test built in Go). It states each rule about a test's values once,
// for suites decoded and built in code alike. A problem of a whole test,
// case or template is located at it (AddAt), so that a problem found
// below it does not hide it.
func (t *Test) validate(path string, fs *yamlx.Findings) {
	k := func(key string) string { return yamlx.Join(path, key) }
	if strings.TrimSpace(t.Name) == "" {
		fs.AddAt(path, path, "needs name: a short sentence saying the behaviour tested")
	}
	switch t.Type {
	case MFT, INV, DIR:
	case "":
		fs.AddAt(path, path, "needs type: MFT, INV or DIR")
	default:
		msg := fmt.Sprintf("must be MFT, INV or DIR, got %q", t.Type)
		if h := yamlx.Suggest(string(t.Type), []string{"MFT", "INV", "DIR"}); h != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", h)
		}
		fs.Add(k("type"), "%s", msg)
	}
	fs.Severity(k("severity"), t.Severity)
	if !(t.MaxFailureRate >= 0 && t.MaxFailureRate <= 1) {
		fs.Add(k("max_failure_rate"), "must be a fraction between 0 and 1, got %s", result.FormatFloat(t.MaxFailureRate))
	}
	if t.N != 0 {
		if p := nProblem(int64(t.N)); p != "" {
			fs.Add(k("n"), "%s", p)
		}
	}
	if t.N != 0 && len(t.Rows) > 0 {
		fs.AddKey(k("n"), "n and rows are exclusive: rows lists the base rows")
	}
	only := func(set bool, key string, types ...Type) {
		if !set || slices.Contains(types, t.Type) || (t.Type != MFT && t.Type != INV && t.Type != DIR) {
			return
		}
		switch {
		case key == "expect" && t.Type == INV:
			fs.AddKey(k(key), "INV tests take tolerance: {abs: ..., rel: ...}, not expect")
		case len(types) == 1:
			fs.AddKey(k(key), "applies to %s tests only, not %s", types[0], t.Type)
		default:
			fs.AddKey(k(key), "applies to %s and %s tests, not %s", types[0], types[1], t.Type)
		}
	}
	only(len(t.Cases) > 0, "cases", MFT)
	only(len(t.Templates) > 0, "templates", MFT)
	only(t.Expect != nil, "expect", MFT)
	only(t.Change != Change{}, "expect", DIR)
	only(len(t.Perturb) > 0, "perturb", INV, DIR)
	only(len(t.Rows) > 0, "rows", INV, DIR)
	only(t.N != 0, "n", INV, DIR)
	only(t.Tolerance != Tolerance{}, "tolerance", INV)
	only(t.Sweep != nil, "sweep", DIR)
	switch t.Type {
	case MFT:
		t.validateMFT(path, fs)
	case INV:
		if len(t.Perturb) == 0 {
			fs.AddAt(path, path, "an INV test needs perturb: {column: ..., <operation>: ...}")
		}
		tol := t.Tolerance
		for _, f := range []struct {
			key string
			v   float64
		}{{"abs", tol.Abs}, {"rel", tol.Rel}} {
			switch {
			case !(f.v >= 0):
				fs.Add(yamlx.Join(k("tolerance"), f.key), "must be ≥ 0, got %s", result.FormatFloat(f.v))
			case math.IsInf(f.v, 0):
				fs.Add(yamlx.Join(k("tolerance"), f.key), "must be finite, got %s", result.FormatFloat(f.v))
			}
		}
		if tol.Scale != "" && tol.Scale != ScaleTarget && tol.Scale != ScalePrediction {
			fs.Add(yamlx.Join(k("tolerance"), "scale"), "must be target or prediction, got %q", tol.Scale)
		}
	case DIR:
		t.validateDIR(path, fs)
	}
}

func (t *Test) validateMFT(path string, fs *yamlx.Findings) {
	k := func(key string) string { return yamlx.Join(path, key) }
	if len(t.Cases)+len(t.Templates) == 0 {
		fs.AddAt(path, path, "an MFT test needs cases: [{input: {...}, expect: {...}}] or templates: [{vary: {...}}]")
	}
	if p := casesProblem(mftCases(len(t.Cases), t.Templates)); p != "" {
		fs.AddAt(path, path, "%s", p)
	}
	if t.Expect != nil {
		t.Expect.validate(k("expect"), fs)
	}
	needExpect := func(at string, b *Bounds) {
		switch {
		case b != nil:
			b.validate(yamlx.Join(at, "expect"), fs)
		case t.Expect == nil:
			fs.AddAt(at, at, "needs expect: {min: ..., max: ...} or {value: ..., tolerance: ...}, here or for the whole test")
		}
	}
	for i, c := range t.Cases {
		at := fmt.Sprintf("%s[%d]", k("cases"), i)
		needExpect(at, c.Expect)
		if c.Input == nil {
			fs.AddAt(at, at, "needs input: {column: value, ...}")
		}
	}
	for i, tm := range t.Templates {
		at := fmt.Sprintf("%s[%d]", k("templates"), i)
		needExpect(at, tm.Expect)
		if len(tm.Vary) == 0 {
			fs.AddAt(at, at, "needs vary: {column: [value, ...], ...}")
		}
		for _, v := range tm.Vary {
			if len(v.Values) == 0 {
				fs.Add(yamlx.Join(yamlx.Join(at, "vary"), v.Column), "must list at least one value")
			}
			if _, both := tm.Fixed[v.Column]; both {
				fs.Add(yamlx.Join(at, "fixed"), "column %q is also in vary", v.Column)
			}
		}
	}
}

func (t *Test) validateDIR(path string, fs *yamlx.Findings) {
	k := func(key string) string { return yamlx.Join(path, key) }
	sweep := t.Sweep != nil
	switch {
	case len(t.Perturb) == 0 && !sweep:
		fs.AddAt(path, path, "a DIR test needs perturb: {column: ..., <operation>: ...} or sweep: {column: ...}")
	case len(t.Perturb) > 0 && sweep:
		fs.AddKey(k("perturb"), "perturb and sweep are exclusive: write two tests")
	}
	ch, at := t.Change, k("expect")
	increase := "increase"
	if sweep {
		increase = "increasing"
	}
	bounds := ch.Min != nil || ch.Max != nil
	switch {
	case ch == Change{} && sweep:
		fs.AddAt(path, path, "a DIR test needs expect: increasing or decreasing")
	case ch == Change{}:
		fs.AddAt(path, path, "a DIR test needs expect: increase, decrease or {min_change: ..., max_change: ...}")
	case ch.Direction != "" && bounds:
		fs.Add(at, "direction and min_change/max_change are exclusive; min_change: 0 also means an increase")
	case ch.Slack != 0 && ch.Direction == "":
		fs.Add(at, "slack applies to a direction: {direction: %s, slack: ...}", increase)
	case ch.Direction == "" && sweep:
		fs.Add(at, "needs direction: increasing or decreasing")
	case ch.Direction == "" && !bounds:
		fs.Add(at, "needs direction, min_change or max_change")
	case ch.Direction != "" && ch.Direction != Increase && ch.Direction != Decrease:
		fs.Add(at, "direction %q is neither increase nor decrease", ch.Direction)
	case ch.StrictMin || ch.StrictMax:
		fs.Add(at, "strict change bounds are not supported: a change on the bound passes")
	case ch.Min != nil && ch.Max != nil && *ch.Min > *ch.Max:
		fs.Add(at, "min_change %s is greater than max_change %s", result.FormatFloat(*ch.Min), result.FormatFloat(*ch.Max))
	case ch.Interval.Validate() != nil:
		fs.Add(at, "%v", ch.Interval.Validate())
	}
	if !(ch.Slack >= 0) {
		fs.Add(yamlx.Join(at, "slack"), "must be ≥ 0, got %s", result.FormatFloat(ch.Slack))
	}
	if !sweep {
		return
	}
	sw, sp := t.Sweep, k("sweep")
	if sw.Column == "" {
		fs.AddAt(sp, sp, "needs column: the column to sweep")
	}
	if sw.From != nil && sw.To != nil && !(*sw.From < *sw.To) {
		fs.Add(sp, "from %s must be less than to %s", result.FormatFloat(*sw.From), result.FormatFloat(*sw.To))
	}
	if sw.Steps != 0 {
		if p := stepsProblem(int64(sw.Steps)); p != "" {
			fs.Add(yamlx.Join(sp, "steps"), "%s", p)
		}
	}
	if t.N <= MaxN && sw.Steps <= MaxSteps {
		if p := sweepRowsProblem(t.N, sw.Steps); p != "" {
			fs.AddKey(sp, "%s", p)
		}
	}
}

// validate records the problems of an MFT expectation at path.
func (b *Bounds) validate(path string, fs *yamlx.Findings) {
	if b.Label != nil {
		if b.Value != nil || !b.Interval.IsZero() || b.Tolerance != 0 || b.Class != "" {
			fs.Add(path, "label and min/max/value/class are exclusive: expect {label: ...} or {class: ..., min: ..., max: ...}")
		}
		return
	}
	switch {
	case b.Value != nil && !b.Interval.IsZero():
		fs.Add(path, "value and min/max are exclusive: expect {value, tolerance} or {min, max}")
	case b.Tolerance != 0 && b.Value == nil:
		fs.Add(path, "tolerance applies to value: expect {value: ..., tolerance: ...}")
	case b.Value == nil && b.Interval.IsZero() && b.Class != "":
		fs.Add(path, "needs min, max or value: the bounds of the probability of class %q", b.Class)
	case b.Value == nil && b.Interval.IsZero():
		fs.Add(path, "needs min, max or value")
	case b.StrictMin || b.StrictMax:
		fs.Add(path, "strict bounds are not supported: a prediction on the bound passes")
	case b.Interval.Validate() != nil:
		fs.Add(path, "%v", b.Interval.Validate())
	}
	if !(b.Tolerance >= 0) {
		fs.Add(yamlx.Join(path, "tolerance"), "must be ≥ 0, got %s", result.FormatFloat(b.Tolerance))
	}
}

// validateTask records the problems of t that depend on the model it
// tests: a regressor's test names no label or class; a classifier's INV
// tolerance on probabilities is absolute. Problems that depend on the
// classes themselves (a class the model does not have) are found by
// [RunClassifier].
func (t *Test) validateTask(path string, fs *yamlx.Findings, classifier bool) {
	k := func(key string) string { return yamlx.Join(path, key) }
	type bounds struct {
		at string
		b  *Bounds
	}
	all := []bounds{{k("expect"), t.Expect}}
	for i, c := range t.Cases {
		all = append(all, bounds{yamlx.Join(fmt.Sprintf("%s[%d]", k("cases"), i), "expect"), c.Expect})
	}
	for i, tm := range t.Templates {
		all = append(all, bounds{yamlx.Join(fmt.Sprintf("%s[%d]", k("templates"), i), "expect"), tm.Expect})
	}
	if !classifier {
		const why = "applies to a classifier (task: classification); this model is a regressor"
		for _, b := range all {
			switch {
			case b.b == nil:
			case b.b.Label != nil:
				fs.AddKey(yamlx.Join(b.at, "label"), why)
			case b.b.Class != "":
				fs.AddKey(yamlx.Join(b.at, "class"), why)
			}
		}
		if t.Tolerance.Class != "" {
			fs.AddKey(yamlx.Join(k("tolerance"), "class"), why)
		}
		if t.Change.Class != "" {
			fs.AddKey(yamlx.Join(k("expect"), "class"), why)
		}
		return
	}
	tol := t.Tolerance
	if t.Type == INV && tol.Rel != 0 {
		fs.Add(yamlx.Join(k("tolerance"), "rel"), "a class probability's tolerance is absolute: give abs (and class)")
	}
	if t.Type == INV && tol.Scale != "" {
		fs.Add(yamlx.Join(k("tolerance"), "scale"), "a class probability's tolerance is absolute: give abs (and class)")
	}
}
