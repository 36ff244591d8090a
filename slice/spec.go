package slice

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// Level is the confidence level of every bootstrap interval: 95%.
const Level = 0.95

// Defaults used by [NewSpec] and by a suite's slices section.
const (
	DefaultMinSize    = 10
	DefaultNBoot      = 1000
	DefaultQuantiles  = 4
	DefaultMinSupport = 20
	DefaultFDR        = 0.05
	DefaultTopK       = 10
)

var defaultMetrics = []string{"mse", "rmse", "mae", "r2", "bias"}

// DefaultMetrics returns the metrics reported per slice when a spec names
// none: mse, rmse, mae, r2 and bias. The caller owns the slice.
func DefaultMetrics() []string { return slices.Clone(defaultMetrics) }

// Spec is the `slices` section of a suite: how to cut the evaluated rows
// into slices, what to measure on each, and when a slice fails.
//
// Build one with [NewSpec] (defaults filled in) or from a suite's slices section. A zero Spec is
// valid but measures nothing: it has no slicings, and NBoot 0 computes no
// intervals.
type Spec struct {
	// By lists the slicings, in report order.
	By []Slicing
	// Metrics names the metrics reported per slice, each one of
	// [model.MetricNames]; nil means [DefaultMetrics]. The metric of every
	// rule in FailIf is reported too, whether listed or not.
	Metrics []string
	// MinSize is the number of rows a slice needs to be judged. A value of
	// a by-value column seen in fewer rows is merged into the slice
	// "(other)"; any slice still smaller is listed in its slicing's summary
	// check instead of getting a verdict.
	MinSize int
	// FailIf are the rules a slice of at least MinSize rows must meet.
	FailIf []Rule
	// Confidence makes a rule fail only when the whole bootstrap interval of
	// the slice's metric lies beyond the limit, not merely its point
	// estimate. It needs NBoot > 0.
	Confidence bool
	// NBoot is the number of bootstrap resamples behind each interval; 0
	// computes no intervals.
	NBoot int
	// Seed seeds the bootstrap. Each slice draws from its own PCG stream,
	// keyed by the slice's name, so its interval does not depend on the
	// other slices or on scheduling.
	Seed uint64
	// Severity of the slice verdicts; "" means error.
	Severity result.Severity
	// Search, when not nil, also searches for weak slices.
	Search *Search
}

// NewSpec returns a Spec with the documented defaults: MinSize 10, NBoot
// 1000, [DefaultMetrics], severity error, no slicings.
func NewSpec() *Spec {
	return &Spec{
		Metrics:  DefaultMetrics(),
		MinSize:  DefaultMinSize,
		NBoot:    DefaultNBoot,
		Severity: result.SeverityError,
	}
}

// Slicing is one entry of By: the slices of one dimension, or, with
// several, the cross of their slices (every combination that has rows).
type Slicing []Dim

// String joins the columns with "&", e.g. "Month&Wind".
func (s Slicing) String() string {
	cols := make([]string, len(s))
	for i, d := range s {
		cols[i] = d.Column
	}
	return strings.Join(cols, "&")
}

// Dim is one slicing dimension: a column cut by value, by explicit bins or
// by quantiles.
//
// With neither Bins nor Quantiles the column is cut by value: each distinct
// value is a slice (numbers by value, anything else by its text). Bins are
// edges e0 < e1 < ... < ek: the bins are [e0,e1), [e1,e2), ... and the last
// one [ek-1,ek] is closed; values below e0 fall in "(-Inf,e0)" and values
// above ek in "(ek,+Inf)". Quantiles: k cuts the column into k bins of
// about equal counts the same way, with edges taken from the data (the
// minimum, the values at ranks ⌊j·n/k⌋ of the n sorted finite values, and
// the maximum; tied edges merge their bins). Quantile edges are named with
// 6 significant digits (more when needed to tell two apart); the exact
// edges are in the summary check's Details. Null, and NaN in a
// floating-point column, is always its own slice, "(null)".
type Dim struct {
	Column    string
	Bins      []float64
	Quantiles int
}

// byValue reports whether d cuts its column by value.
func (d Dim) byValue() bool { return len(d.Bins) == 0 && d.Quantiles == 0 }

// RuleKind says how a [Rule] bounds a metric.
type RuleKind string

// Rule kinds.
const (
	// Ratio fails a slice whose metric exceeds Limit × the overall value.
	Ratio RuleKind = "ratio"
	// Abs fails a slice whose metric lies outside [-Limit, Limit].
	Abs RuleKind = "abs"
)

// Rule is one fail_if rule, written in YAML as "<metric>_<kind>: limit",
// e.g. rmse_ratio: 1.5 or bias_abs: 5. Ratio rules apply to the error
// metrics (every metric of [model.MetricNames] but r2 and bias), Abs rules
// to bias.
type Rule struct {
	Metric string
	Kind   RuleKind
	Limit  float64
}

// Key returns the rule's YAML key, e.g. "rmse_ratio".
func (r Rule) Key() string { return r.Metric + "_" + string(r.Kind) }

// ruleKeys returns the keys fail_if accepts, in the order of
// model.MetricNames.
func ruleKeys() []string {
	var keys []string
	for _, m := range model.MetricNames() {
		switch m {
		case "r2":
		case "bias":
			keys = append(keys, m+"_"+string(Abs))
		default:
			keys = append(keys, m+"_"+string(Ratio))
		}
	}
	return keys
}

// Loss is the per-row loss that weak-slice search compares.
type Loss string

// Losses.
const (
	SquaredError  Loss = "squared_error"  // (ŷ − y)²
	AbsoluteError Loss = "absolute_error" // |ŷ − y|
)

// Search configures weak-slice discovery: every slice of one feature, and
// with Pairs every cross of two, is compared with the rest of the rows by
// its mean per-row loss. A zero numeric field means its default.
type Search struct {
	// Features are the dimensions searched. Nil means every column of By,
	// cut as By first cuts it. A Dim that cuts by value is cut as By cuts
	// that column if By names it alone; otherwise a numeric column is cut
	// into Quantiles bins and any other column by value.
	Features []Dim
	// Pairs also searches the cross of every two features. Decode defaults
	// it to true.
	Pairs bool
	// Quantiles is the number of bins of a numeric feature (default 4).
	Quantiles int
	// MinSupport is the fewest rows a candidate slice needs (default 20).
	MinSupport int
	// FDR is the false discovery rate controlled by Benjamini–Hochberg
	// across every candidate tested (default 0.05).
	FDR float64
	// TopK bounds the slices reported (default 10).
	TopK int
	// Metric is the per-row loss (default squared_error).
	Metric Loss
	// Severity of the search check when a slice is found; "" means warn.
	Severity result.Severity
}

// NewSearch returns a Search with the documented defaults.
func NewSearch() *Search {
	return &Search{
		Pairs:      true,
		Quantiles:  DefaultQuantiles,
		MinSupport: DefaultMinSupport,
		FDR:        DefaultFDR,
		TopK:       DefaultTopK,
		Metric:     SquaredError,
		Severity:   result.SeverityWarn,
	}
}

// withDefaults returns a copy of s with zero fields set to their defaults.
func (s Search) withDefaults() Search {
	if s.Quantiles == 0 {
		s.Quantiles = DefaultQuantiles
	}
	if s.MinSupport == 0 {
		s.MinSupport = DefaultMinSupport
	}
	if s.FDR == 0 {
		s.FDR = DefaultFDR
	}
	if s.TopK == 0 {
		s.TopK = DefaultTopK
	}
	if s.Metric == "" {
		s.Metric = SquaredError
	}
	if s.Severity == "" {
		s.Severity = result.SeverityWarn
	}
	return s
}

// The checks below are shared by Decode (which positions them) and
// Validate; each returns "" when the value is acceptable.

// Caps on the work a slices section may ask for, checked by
// [Spec.Validate] and by the suite decoder before any data is read.
const (
	// MaxNBoot bounds NBoot: beyond it the intervals do not improve but
	// the run slows down.
	MaxNBoot = 100_000
	// MaxBinEdges bounds the edges of a dimension's Bins.
	MaxBinEdges = 1_000
	// MaxQuantiles bounds a dimension's or a search's Quantiles.
	MaxQuantiles = 100
	// MaxSearchFeatures bounds Search.Features: with Pairs, the search
	// visits every pair of them.
	MaxSearchFeatures = 100
	// MaxTopK bounds Search.TopK.
	MaxTopK = 1_000
)

func binsProblem(b []float64) string {
	if len(b) < 2 || len(b) > MaxBinEdges {
		return fmt.Sprintf("needs between 2 and %d edges, got %d", MaxBinEdges, len(b))
	}
	for i := 1; i < len(b); i++ {
		if !(b[i] > b[i-1]) {
			return fmt.Sprintf("edges must increase strictly: %s follows %s", result.FormatFloat(b[i]), result.FormatFloat(b[i-1]))
		}
	}
	return ""
}

func quantilesProblem(k int64) string {
	if k < 2 || k > MaxQuantiles {
		return fmt.Sprintf("must be between 2 and %d, got %d", MaxQuantiles, k)
	}
	return ""
}

func nBootProblem(n int64) string {
	if n < 0 || n > MaxNBoot {
		return fmt.Sprintf("must be between 0 and %d, got %d", MaxNBoot, n)
	}
	return ""
}

func topKProblem(k int64) string {
	if k < 1 || k > MaxTopK {
		return fmt.Sprintf("must be between 1 and %d, got %d", MaxTopK, k)
	}
	return ""
}

func featuresProblem(n int) string {
	if n > MaxSearchFeatures {
		return fmt.Sprintf("lists %d columns; the search takes at most %d", n, MaxSearchFeatures)
	}
	return ""
}

func metricProblem(name string) string {
	names := model.MetricNames()
	if slices.Contains(names, name) {
		return ""
	}
	msg := fmt.Sprintf("unknown metric %q", name)
	if s := suggest(name, names); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; metrics are " + strings.Join(names, ", ")
}

func lossProblem(l Loss) string {
	if l == SquaredError || l == AbsoluteError {
		return ""
	}
	msg := fmt.Sprintf("unknown loss %q", string(l))
	if s := suggest(string(l), []string{string(SquaredError), string(AbsoluteError)}); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; losses are squared_error, absolute_error"
}

// columnSet names the columns of s in sorted order, so that [A, B] and
// [B, A] are the same slicing.
func columnSet(s Slicing) string {
	cols := make([]string, len(s))
	for i, d := range s {
		cols[i] = d.Column
	}
	slices.Sort(cols)
	return strings.Join(cols, "&")
}

func crossProblem(s Slicing) string {
	seen := map[string]bool{}
	for _, d := range s {
		if seen[d.Column] {
			return fmt.Sprintf("column %q appears twice in one cross", d.Column)
		}
		seen[d.Column] = true
	}
	return ""
}

// Validate reports every problem of s as one error (nil when there is
// none). [Run] validates its spec; Decode reports the same problems with
// their positions in the suite file.
func (s *Spec) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf("slice: "+format, args...)) }
	dim := func(where string, d Dim) {
		switch {
		case d.Column == "":
			add("%s: column name is empty", where)
		case len(d.Bins) > 0 && d.Quantiles != 0:
			add("%s: column %q: bins and quantiles exclude each other", where, d.Column)
		case len(d.Bins) > 0:
			if p := binsProblem(d.Bins); p != "" {
				add("%s: column %q: bins: %s", where, d.Column, p)
			}
		case d.Quantiles != 0:
			if p := quantilesProblem(int64(d.Quantiles)); p != "" {
				add("%s: column %q: quantiles: %s", where, d.Column, p)
			}
		}
	}
	seen := map[string]int{}
	for i, sl := range s.By {
		where := fmt.Sprintf("by[%d]", i)
		if len(sl) == 0 {
			add("%s: no column", where)
		}
		if j, dup := seen[columnSet(sl)]; dup {
			add("%s: slicing %s repeats by[%d]", where, sl, j)
		}
		seen[columnSet(sl)] = i
		for _, d := range sl {
			dim(where, d)
		}
		if p := crossProblem(sl); p != "" {
			add("%s: %s", where, p)
		}
	}
	for _, m := range s.Metrics {
		if p := metricProblem(m); p != "" {
			add("metrics: %s", p)
		}
	}
	if s.MinSize < 0 {
		add("min_size: must be ≥ 0, got %d", s.MinSize)
	}
	if p := nBootProblem(int64(s.NBoot)); p != "" {
		add("n_boot: %s", p)
	}
	if s.Confidence && s.NBoot == 0 {
		add("confidence: needs n_boot > 0")
	}
	keys := ruleKeys()
	for _, r := range s.FailIf {
		switch {
		case !slices.Contains(keys, r.Key()):
			add("fail_if: unknown rule %q; rules are %s", r.Key(), strings.Join(keys, ", "))
		case r.Kind == Ratio && !(r.Limit > 0):
			add("fail_if: %s: must be > 0, got %s", r.Key(), result.FormatFloat(r.Limit))
		case r.Kind == Abs && !(r.Limit >= 0):
			add("fail_if: %s: must be ≥ 0, got %s", r.Key(), result.FormatFloat(r.Limit))
		}
	}
	switch s.Severity {
	case "", result.SeverityError, result.SeverityWarn:
	default:
		add("severity: must be error or warn, got %q", s.Severity)
	}
	if q := s.Search; q != nil {
		for i, d := range q.Features {
			dim(fmt.Sprintf("search.features[%d]", i), d)
		}
		if len(q.Features) == 0 && len(s.By) == 0 {
			add("search: no features: list search.features or slice by something")
		}
		if q.Quantiles != 0 {
			if p := quantilesProblem(int64(q.Quantiles)); p != "" {
				add("search.quantiles: %s", p)
			}
		}
		if q.MinSupport < 0 || q.MinSupport == 1 {
			add("search.min_support: must be at least 2, got %d", q.MinSupport)
		}
		if q.FDR < 0 || q.FDR >= 1 {
			add("search.fdr: must be in (0, 1), got %s", result.FormatFloat(q.FDR))
		}
		if p := topKProblem(int64(q.TopK)); q.TopK != 0 && p != "" {
			add("search.top_k: %s", p)
		}
		if p := featuresProblem(len(q.Features)); p != "" {
			add("search.features: %s", p)
		}
		if q.Metric != "" {
			if p := lossProblem(q.Metric); p != "" {
				add("search.metric: %s", p)
			}
		}
		switch q.Severity {
		case "", result.SeverityError, result.SeverityWarn:
		default:
			add("search.severity: must be error or warn, got %q", q.Severity)
		}
	}
	return errors.Join(errs...)
}

// reported returns the metrics reported per slice: s.Metrics (or the
// defaults) followed by any rule metric not among them.
func (s *Spec) reported() []string {
	out := slices.Clone(s.Metrics)
	if out == nil {
		out = DefaultMetrics()
	}
	for _, r := range s.FailIf {
		if !slices.Contains(out, r.Metric) {
			out = append(out, r.Metric)
		}
	}
	return out
}
