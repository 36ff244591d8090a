package slice

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// Value is the value of one column that defines a slice.
type Value struct {
	Column string `json:"column"`
	Value  string `json:"value"` // "7", "[80,90)", "(other)" or "(null)"
}

// Estimate is one metric of a slice: its value, its bootstrap interval,
// and how it compares with the value over every row.
type Estimate struct {
	Metric string `json:"metric"`
	// Value is nil when the metric is undefined on the slice (R² of a
	// slice whose targets are all equal); Reason then says why.
	Value  *float64 `json:"value"`
	Reason string   `json:"reason,omitempty"`
	// Lower and Upper bound the percentile bootstrap interval at [Level];
	// nil without intervals (n_boot 0, a slice below min_size) or when no
	// resample defined the metric. Replicates counts the resamples that
	// did.
	Lower      *float64 `json:"lower,omitempty"`
	Upper      *float64 `json:"upper,omitempty"`
	Replicates int      `json:"replicates,omitempty"`
	// Overall is the metric over every evaluated row; Ratio is
	// Value / Overall (nil when Overall is 0) and Difference is
	// Value − Overall.
	Overall    *float64 `json:"overall"`
	Ratio      *float64 `json:"ratio,omitempty"`
	Difference *float64 `json:"difference,omitempty"`
}

// RuleResult is the outcome of one fail_if rule on a slice.
type RuleResult struct {
	Rule  string  `json:"rule"`  // e.g. "rmse_ratio"
	Limit float64 `json:"limit"` // as written, e.g. 1.5
	// Bound is what the metric is compared with: Limit × the overall
	// value for a ratio rule, Limit for an abs rule (|metric| ≤ Bound).
	Bound float64 `json:"bound"`
	// Beyond reports whether the point estimate is beyond Bound;
	// IntervalBeyond whether the whole bootstrap interval is (nil
	// without an interval).
	Beyond         bool  `json:"beyond"`
	IntervalBeyond *bool `json:"interval_beyond,omitempty"`
	Failed         bool  `json:"failed"`
	// Undefined says why the rule could not be applied: its metric is
	// undefined on the slice or overall (a classifier's ROC AUC on a
	// slice of one class). The slice's check is then an Error.
	Undefined string `json:"undefined,omitempty"`
}

// Slice is the evidence about one slice: the Details of its check, or an
// entry of [Summary.Small].
type Slice struct {
	Name     string       `json:"name"` // e.g. "Month=7&Temp=[80,90)"
	Values   []Value      `json:"values"`
	N        int          `json:"n"`
	Fraction float64      `json:"fraction"` // N / rows evaluated
	Metrics  []Estimate   `json:"metrics"`
	Rules    []RuleResult `json:"rules,omitempty"`
}

// Cut describes how a column was cut for a slicing.
type Cut struct {
	Column string `json:"column"`
	// By is "value", "bins" or "quantiles".
	By        string    `json:"by"`
	Quantiles int       `json:"quantiles,omitempty"`
	Edges     []float64 `json:"edges,omitempty"`  // the edges used, bins or data quantiles
	Merged    []string  `json:"merged,omitempty"` // values seen in fewer than min_size rows, merged into "(other)"
}

// Summary is the Details of a slicing's summary check: how the columns
// were cut, the overall metrics, and the slices too small to be judged.
type Summary struct {
	Slicing    string     `json:"slicing"` // e.g. "Month&Wind"
	Cuts       []Cut      `json:"cuts"`
	Rows       int        `json:"rows"`
	MinSize    int        `json:"min_size"`
	NBoot      int        `json:"n_boot"`
	Seed       uint64     `json:"seed"`
	Level      float64    `json:"level"`
	Confidence bool       `json:"confidence"`
	Overall    []Estimate `json:"overall"`
	// Judged counts the slices of at least MinSize rows, each reported by
	// its own check; Small lists the others with their point metrics.
	Judged int     `json:"judged"`
	Small  []Slice `json:"small,omitempty"`
}

// group is the rows of one slice.
type group struct {
	name   string
	values []Value
	rows   []int
}

// Run measures the slices of spec on the evaluated rows and returns their
// checks in a stable order: for each slicing of spec.By, a summary check
// named "slices.<columns>" (e.g. "slices.Month&Wind") followed by one check
// per slice of at least spec.MinSize rows, named "slices.<slice>" (e.g.
// "slices.Month=7&Temp=[80,90)"), in the order of the values (numbers
// numerically, text lexically, then "(other)", then "(null)"); then, with
// spec.Search, the check "slices.search".
//
// data holds the slicing columns for exactly the evaluated rows, in the
// order of y (targets) and yhat (predictions). The data and the slices are
// only read. Residuals are ŷ − y, as in package model.
//
// A slice check has Kind "slice". It passes when every fail_if rule holds
// (always, without rules); with spec.Confidence a rule fails only when the
// slice's whole bootstrap interval lies beyond its bound. A summary check
// has Kind "slice_summary" and severity warn: it passes, unless there are
// rules and no slice was large enough to judge. Slices without rows are
// not reported.
//
// Run returns an error, and no checks, when the spec is invalid, a column
// is missing or cannot be cut as asked, the row counts disagree, there are
// no rows, a target or prediction is NaN or infinite, or ctx is done. The
// error about a NaN or infinite value is a *model.RowError, returned
// unwrapped, whose positions are indices of y: a caller who knows the data
// row of each evaluated row names them with model.AtDataRows.
func Run(ctx context.Context, spec *Spec, data []arrow.RecordBatch, y, yhat []float64) ([]result.Check, error) {
	if spec == nil {
		return nil, errors.New("slice: Run: nil spec")
	}
	if err := spec.ValidateFor(model.TaskRegression); err != nil {
		return nil, err
	}
	if len(y) != len(yhat) {
		return nil, fmt.Errorf("slice: %d targets but %d predictions", len(y), len(yhat))
	}
	if err := checkRows(data, len(y)); err != nil {
		return nil, err
	}
	for i := range y {
		if notFinite(y[i]) {
			return nil, rowError(i, len(y), "target is %v", y[i])
		}
		if notFinite(yhat[i]) {
			return nil, rowError(i, len(y), "prediction is %v", yhat[i])
		}
	}
	return runWith(ctx, spec, data, regression(y, yhat))
}

// checkRows reports data whose rows are not the n evaluated rows.
func checkRows(data []arrow.RecordBatch, n int) error {
	rows := 0
	for _, b := range data {
		rows += int(b.NumRows())
	}
	switch {
	case rows != n:
		return fmt.Errorf("slice: the data has %d rows but there are %d targets; pass the columns of exactly the evaluated rows", rows, n)
	case rows == 0:
		return errors.New("slice: no rows to slice")
	}
	return nil
}

// runWith measures the slices of a validated spec with m.
func runWith(ctx context.Context, spec *Spec, data []arrow.RecordBatch, m measurer) ([]result.Check, error) {
	if err := checkRows(data, m.n); err != nil {
		return nil, err
	}
	rows := m.n

	cols := map[string]*column{}
	read := func(name string) (*column, error) {
		if c, ok := cols[name]; ok {
			return c, nil
		}
		c, err := readColumn(data, name)
		if err != nil {
			return nil, err
		}
		cols[name] = c
		return c, nil
	}

	overall := m.measure(allRows(rows))
	metrics := spec.reported(m.defaults)

	// Cut every slicing before measuring anything, so that a bad column
	// fails the run early.
	type slicing struct {
		cuts   []*levels
		groups []group
	}
	sls := make([]slicing, len(spec.By))
	for i, sl := range spec.By {
		for _, d := range sl {
			c, err := read(d.Column)
			if err != nil {
				return nil, err
			}
			l, err := cut(c, d, spec.MinSize)
			if err != nil {
				return nil, err
			}
			sls[i].cuts = append(sls[i].cuts, l)
		}
		groups, err := cross(sls[i].cuts, rows)
		if err != nil {
			return nil, err
		}
		sls[i].groups = groups
	}

	// Measure every slice, bootstrapping the judged ones, on all cores;
	// results are slotted by index so scheduling cannot reorder them.
	type measured struct {
		m   metricSet
		ivs []interval
	}
	out := make([][]measured, len(sls))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range sls {
		out[i] = make([]measured, len(sls[i].groups))
		for j, gr := range sls[i].groups {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				r := measured{m: m.measure(gr.rows)}
				if len(gr.rows) >= spec.MinSize && spec.NBoot > 0 {
					r.ivs = bootstrap(m.measure, gr.rows, metrics, spec.NBoot, streamFor(spec.Seed, gr.name))
				}
				out[i][j] = r
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	var checks []result.Check
	for i, sl := range spec.By {
		sum := Summary{
			Slicing: sl.String(), Rows: rows, MinSize: spec.MinSize, NBoot: spec.NBoot,
			Seed: spec.Seed, Level: Level, Confidence: spec.Confidence,
			Overall: estimates(overall, nil, nil, metrics, false),
		}
		for _, l := range sls[i].cuts {
			sum.Cuts = append(sum.Cuts, cutOf(l))
		}
		var sliceChecks []result.Check
		for j, gr := range sls[i].groups {
			ms := out[i][j]
			s := Slice{
				Name: gr.name, Values: gr.values, N: len(gr.rows),
				Fraction: float64(len(gr.rows)) / float64(rows),
				Metrics:  estimates(ms.m, overall, ms.ivs, metrics, true),
			}
			if len(gr.rows) < spec.MinSize {
				sum.Small = append(sum.Small, s)
				continue
			}
			sum.Judged++
			sliceChecks = append(sliceChecks, sliceCheck(spec, sl, s, ms.m, overall, ms.ivs, metrics))
		}
		checks = append(checks, summaryCheck(spec, sum, len(sls[i].groups)))
		checks = append(checks, sliceChecks...)
	}
	if spec.Search != nil {
		c, err := search(ctx, spec, read, m)
		if err != nil {
			return nil, err
		}
		checks = append(checks, c)
	}
	return checks, nil
}

// rowError is the error about the evaluated row at position i of n.
func rowError(i, n int, format string, args ...any) *model.RowError {
	return &model.RowError{Source: "slices", First: i, Last: i, N: n, Err: fmt.Errorf(format, args...)}
}

func notFinite(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

func pick(v []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = v[r]
	}
	return out
}

// cross groups the rows of n by the codes of every cut, ordered by the
// first cut's code, then the second's, and so on; combinations without
// rows do not appear.
func cross(cuts []*levels, n int) ([]group, error) {
	keys := make([]int, n)
	size := 1
	for _, l := range cuts {
		k := len(l.values)
		if size > math.MaxInt/k {
			return nil, fmt.Errorf("slice: the cross of %s has too many combinations", Slicing(dimsOf(cuts)))
		}
		size *= k
		for r := range keys {
			keys[r] = keys[r]*k + l.codes[r]
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
	var out []group
	for i := 0; i < n; {
		j := i + 1
		for j < n && keys[order[j]] == keys[order[i]] {
			j++
		}
		first := order[i]
		g := group{rows: slices.Clone(order[i:j])}
		slices.Sort(g.rows)
		names := make([]string, len(cuts))
		for c, l := range cuts {
			v := Value{Column: l.dim.Column, Value: l.values[l.codes[first]]}
			g.values = append(g.values, v)
			names[c] = v.Column + "=" + v.Value
		}
		g.name = strings.Join(names, "&")
		out = append(out, g)
		i = j
	}
	return out, nil
}

func dimsOf(cuts []*levels) []Dim {
	out := make([]Dim, len(cuts))
	for i, l := range cuts {
		out[i] = l.dim
	}
	return out
}

func cutOf(l *levels) Cut {
	c := Cut{Column: l.dim.Column, By: "value", Merged: l.merged}
	switch {
	case len(l.dim.Bins) > 0:
		c.By, c.Edges = "bins", l.edges
	case l.dim.Quantiles > 0:
		c.By, c.Quantiles, c.Edges = "quantiles", l.dim.Quantiles, l.edges
	}
	return c
}

func ptr(v float64) *float64 { return &v }

// estimates reports metrics of m, with intervals ivs (may be nil) and,
// when compare is set, against overall.
func estimates(m, overall metricSet, ivs []interval, metrics []string, compare bool) []Estimate {
	out := make([]Estimate, len(metrics))
	for k, name := range metrics {
		v, _ := m.Get(name)
		e := Estimate{Metric: name, Reason: v.Reason}
		if v.Defined {
			e.Value = ptr(v.V)
		}
		if k < len(ivs) && ivs[k].ok {
			e.Lower, e.Upper, e.Replicates = ptr(ivs[k].lo), ptr(ivs[k].hi), ivs[k].replicates
		}
		if compare {
			o, _ := overall.Get(name)
			if o.Defined {
				e.Overall = ptr(o.V)
				if v.Defined {
					e.Difference = ptr(v.V - o.V)
					if o.V != 0 {
						e.Ratio = ptr(v.V / o.V)
					}
				}
			}
		}
		out[k] = e
	}
	return out
}

// judge applies the rules of spec to a slice with metrics m.
func judge(spec *Spec, m, overall metricSet, ivs []interval, metrics []string) []RuleResult {
	var out []RuleResult
	for _, r := range spec.FailIf {
		v, _ := m.Get(r.Metric)
		o, _ := overall.Get(r.Metric)
		res := RuleResult{Rule: r.Key(), Limit: r.Limit, Bound: r.Limit}
		iv := interval{}
		if k := slices.Index(metrics, r.Metric); k >= 0 && k < len(ivs) {
			iv = ivs[k]
		}
		switch {
		case !v.Defined:
			res.Undefined = fmt.Sprintf("%s undefined on the slice: %s", r.Metric, v.Reason)
			out = append(out, res)
			continue
		case !o.Defined && r.Kind != Abs:
			res.Undefined = fmt.Sprintf("%s undefined overall: %s", r.Metric, o.Reason)
			out = append(out, res)
			continue
		}
		switch r.Kind {
		case Ratio:
			res.Bound = r.Limit * o.V
			res.Beyond = v.V > res.Bound
			if iv.ok {
				res.IntervalBeyond = ptrBool(iv.lo > res.Bound)
			}
		case Drop:
			res.Bound = o.V - r.Limit
			res.Beyond = v.V < res.Bound
			if iv.ok {
				res.IntervalBeyond = ptrBool(iv.hi < res.Bound)
			}
		case Abs:
			res.Beyond = math.Abs(v.V) > res.Bound
			if iv.ok {
				res.IntervalBeyond = ptrBool(iv.lo > res.Bound || iv.hi < -res.Bound)
			}
		}
		if spec.Confidence {
			res.Failed = res.IntervalBeyond != nil && *res.IntervalBeyond
		} else {
			res.Failed = res.Beyond
		}
		out = append(out, res)
	}
	return out
}

func ptrBool(b bool) *bool { return &b }

func severity(s result.Severity) result.Severity {
	if s == "" {
		return result.SeverityError
	}
	return s
}

// metricText formats a metric of a slice briefly: "rmse 18.2 [16.1, 20.3]
// (1.82× overall)".
func metricText(e Estimate) string {
	if e.Value == nil {
		return e.Metric + " undefined (" + e.Reason + ")"
	}
	s := e.Metric + " " + result.Human(*e.Value)
	if e.Lower != nil {
		s += " [" + result.Human(*e.Lower) + ", " + result.Human(*e.Upper) + "]"
	}
	if e.Ratio != nil && e.Metric != "bias" {
		s += " (" + result.Human(*e.Ratio) + "× overall)"
	}
	return s
}

func sliceCheck(spec *Spec, sl Slicing, s Slice, m, overall metricSet, ivs []interval, metrics []string) result.Check {
	s.Rules = judge(spec, m, overall, ivs, metrics)
	c := result.Check{
		Section:  result.Slices,
		Name:     "slices." + s.Name,
		Kind:     "slice",
		Severity: severity(spec.Severity),
		Details:  s,
	}
	if len(sl) == 1 {
		c.Column = sl[0].Column
	}
	observed := map[string]any{"n": s.N}
	texts := []string{fmt.Sprintf("n=%d", s.N)}
	for _, e := range s.Metrics {
		if e.Value == nil {
			observed[e.Metric] = nil
		} else {
			observed[e.Metric] = *e.Value
		}
		texts = append(texts, metricText(e))
	}
	c.Observed, c.ObservedText = observed, strings.Join(texts, ", ")

	if len(s.Rules) == 0 {
		c.Status = result.Pass
		c.ExpectedText = "no fail_if rule: reported only"
		c.Message = fmt.Sprintf("%s (n=%d): %s", s.Name, s.N, strings.Join(texts[1:], ", "))
		return c
	}
	expected := map[string]any{}
	var want, failed, notes, undefined []string
	for k, r := range s.Rules {
		rule := spec.FailIf[k]
		v, _ := m.Get(rule.Metric)
		o, _ := overall.Get(rule.Metric)
		if r.Undefined != "" {
			expected[r.Rule] = nil
			want = append(want, r.Rule+" "+result.FormatFloat(r.Limit))
			undefined = append(undefined, r.Undefined)
			continue
		}
		expected[r.Rule] = r.Bound
		var bound, beyond string
		switch rule.Kind {
		case Drop:
			bound = fmt.Sprintf("%s ≥ %s (overall %s − %s)", rule.Metric, result.Human(r.Bound), result.Human(o.V), result.Human(r.Limit))
			beyond = fmt.Sprintf("%s %s < %s = overall %s − %s", rule.Metric, result.Human(v.V), result.Human(r.Bound), result.Human(o.V), result.Human(r.Limit))
		case Ratio:
			bound = fmt.Sprintf("%s ≤ %s (%s × overall %s)", rule.Metric, result.Human(r.Bound), result.Human(r.Limit), result.Human(o.V))
			beyond = fmt.Sprintf("%s %s > %s = %s × overall %s", rule.Metric, result.Human(v.V), result.Human(r.Bound), result.Human(r.Limit), result.Human(o.V))
		case Abs:
			bound = fmt.Sprintf("|%s| ≤ %s", rule.Metric, result.Human(r.Bound))
			beyond = fmt.Sprintf("%s %s is outside [%s, %s]", rule.Metric, result.Human(v.V), result.Human(-r.Bound), result.Human(r.Bound))
		}
		want = append(want, bound)
		iv := ""
		if at := slices.Index(metrics, rule.Metric); at >= 0 && at < len(ivs) && ivs[at].ok {
			iv = fmt.Sprintf("[%s, %s]", result.Human(ivs[at].lo), result.Human(ivs[at].hi))
		}
		switch {
		case r.Failed && spec.Confidence:
			failed = append(failed, fmt.Sprintf("%s, and its %g%% interval %s lies beyond", beyond, 100*Level, iv))
		case r.Failed:
			failed = append(failed, beyond)
		case r.Beyond:
			notes = append(notes, fmt.Sprintf("%s, but its %g%% interval %s reaches the bound: not significant", beyond, 100*Level, iv))
		}
	}
	c.Expected = expected
	c.ExpectedText = strings.Join(want, ", ")
	if spec.Confidence {
		c.ExpectedText += fmt.Sprintf("; fails only when the %g%% interval lies beyond", 100*Level)
	}
	c.Status = result.StatusOf(len(failed) == 0, c.Severity)
	switch {
	case len(undefined) > 0:
		c.Status = result.Error
		c.Message = fmt.Sprintf("%s (n=%d): a rule could not be applied: %s", s.Name, s.N, strings.Join(undefined, "; "))
	case len(failed) > 0:
		c.Message = fmt.Sprintf("%s (n=%d): %s", s.Name, s.N, strings.Join(failed, "; "))
	case len(notes) > 0:
		c.Message = fmt.Sprintf("%s (n=%d): %s; within the rules: %s", s.Name, s.N, strings.Join(texts[1:], ", "), strings.Join(notes, "; "))
	default:
		c.Message = fmt.Sprintf("%s (n=%d): %s; within %s", s.Name, s.N, strings.Join(texts[1:], ", "), strings.Join(want, ", "))
	}
	return c
}

func summaryCheck(spec *Spec, sum Summary, total int) result.Check {
	c := result.Check{
		Section:  result.Slices,
		Name:     "slices." + sum.Slicing,
		Kind:     "slice_summary",
		Severity: result.SeverityWarn,
		Observed: map[string]any{"slices": total, "judged": sum.Judged, "small": len(sum.Small)},
		Expected: map[string]any{"min_size": spec.MinSize},
		ObservedText: fmt.Sprintf("%d slices over %d rows: %d judged, %d with fewer than %d rows",
			total, sum.Rows, sum.Judged, len(sum.Small), spec.MinSize),
		ExpectedText: fmt.Sprintf("slices of at least %d rows are judged", spec.MinSize),
		Details:      sum,
	}
	if len(sum.Cuts) == 1 {
		c.Column = sum.Cuts[0].Column
	}
	msg := fmt.Sprintf("%s: %s", sum.Slicing, c.ObservedText)
	if len(sum.Small) > 0 {
		var small []string
		for i, s := range sum.Small {
			if i == 5 {
				small = append(small, fmt.Sprintf("and %d more", len(sum.Small)-5))
				break
			}
			small = append(small, fmt.Sprintf("%s n=%d", s.Name, s.N))
		}
		msg += " (" + strings.Join(small, ", ") + ")"
	}
	for _, cut := range sum.Cuts {
		if len(cut.Merged) > 0 {
			merged := cut.Merged
			more := ""
			if len(merged) > 5 {
				merged, more = merged[:5], fmt.Sprintf(" and %d more", len(merged)-5)
			}
			msg += fmt.Sprintf("; %s values %s%s merged into %s=%s", cut.Column, strings.Join(merged, ", "), more, cut.Column, otherValue)
		}
	}
	noneJudged := len(spec.FailIf) > 0 && sum.Judged == 0
	if noneJudged {
		msg += "; no slice is large enough to judge, so no rule was applied"
	}
	c.Status = result.StatusOf(!noneJudged, c.Severity)
	c.Message = msg
	return c
}
