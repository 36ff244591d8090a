package slice

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trustml/trustml/internal/yamlx"
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

var (
	defaultMetrics      = []string{"mse", "rmse", "mae", "r2", "bias"}
	defaultClassMetrics = []string{"accuracy", "balanced_accuracy", "log_loss", "brier"}
)

// DefaultMetrics returns the metrics reported per slice of a regressor
// when a spec names none: mse, rmse, mae, r2 and bias. The caller owns the
// slice.
func DefaultMetrics() []string { return slices.Clone(defaultMetrics) }

// DefaultClassMetrics returns the metrics reported per slice of a
// classifier when a spec names none: accuracy and balanced accuracy (what
// share is right, and the mean recall, which a slice's own class balance
// does not move), then the log loss and the Brier score (proper scoring
// rules of the probabilities; left out when the model gives labels only).
// Metrics often undefined on a small slice (ROC AUC, MCC of a slice of one
// class) and binned ones (ECE) are left to a spec that names them. The
// caller owns the slice.
func DefaultClassMetrics() []string { return slices.Clone(defaultClassMetrics) }

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
	// [model.MetricNames] for a regressor ([Run]) or of
	// [model.ClassMetricNames] for a classifier ([RunClasses]); nil means
	// [DefaultMetrics] or [DefaultClassMetrics]. The metric of every rule
	// in FailIf is reported too, whether listed or not.
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
// 1000, the task's default metrics (Metrics nil), severity error, no
// slicings.
func NewSpec() *Spec {
	return &Spec{
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
	// Drop fails a slice whose metric (a classifier's, higher is better)
	// is more than Limit below the overall value.
	Drop RuleKind = "drop"
)

// Rule is one fail_if rule, written in YAML as "<metric>_<kind>: limit",
// e.g. rmse_ratio: 1.5, bias_abs: 5 or accuracy_drop: 0.05. For a
// regressor, Ratio rules apply to the error metrics (every metric of
// [model.MetricNames] but r2 and bias), Abs rules to bias. For a
// classifier, Ratio rules apply to log_loss, brier and ece, Drop rules to
// every other metric of [model.ClassMetricNames] (higher is better).
type Rule struct {
	Metric string
	Kind   RuleKind
	Limit  float64
}

// Key returns the rule's YAML key, e.g. "rmse_ratio".
func (r Rule) Key() string { return r.Metric + "_" + string(r.Kind) }

// ruleKeys returns the keys fail_if accepts for the task, in the order of
// model.MetricNames then model.ClassMetricNames ("" for either task).
func ruleKeys(task string) []string {
	var keys []string
	if task != model.TaskClassification {
		for _, m := range model.MetricNames() {
			switch m {
			case "r2":
			case "bias":
				keys = append(keys, m+"_"+string(Abs))
			default:
				keys = append(keys, m+"_"+string(Ratio))
			}
		}
	}
	if task != model.TaskRegression {
		for _, m := range model.ClassMetricNames() {
			if model.HigherIsBetter(m) {
				keys = append(keys, m+"_"+string(Drop))
			} else {
				keys = append(keys, m+"_"+string(Ratio))
			}
		}
	}
	return keys
}

// Loss is the per-row loss that weak-slice search compares.
type Loss string

// Losses: two of a regressor's, two of a classifier's.
const (
	SquaredError  Loss = "squared_error"  // (ŷ − y)²
	AbsoluteError Loss = "absolute_error" // |ŷ − y|
	LogLoss       Loss = "log_loss"       // −log p(true class), as model.LogLossRows
	ZeroOne       Loss = "zero_one"       // 1 when the predicted label is wrong, else 0
)

// taskLosses lists the losses of each task, its default first (a
// classifier's default is log_loss when it gives probabilities).
var taskLosses = map[string][]Loss{
	model.TaskRegression:     {SquaredError, AbsoluteError},
	model.TaskClassification: {LogLoss, ZeroOne},
}

var lossNames = map[Loss]string{SquaredError: "squared error", AbsoluteError: "absolute error", LogLoss: "log loss", ZeroOne: "0/1 error"}

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
	// Metric is the per-row loss; "" means the task's default:
	// squared_error for a regressor, log_loss for a classifier with
	// probabilities, zero_one for one without.
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
	if s.Severity == "" {
		s.Severity = result.SeverityWarn
	}
	return s
}

// The checks below are Validate's; each returns "" when the value is
// acceptable.

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

func quantilesProblem(k int64) string { return yamlx.Between(k, 2, MaxQuantiles) }

func nBootProblem(n int64) string { return yamlx.Between(n, 0, MaxNBoot) }

func topKProblem(k int64) string { return yamlx.Between(k, 1, MaxTopK) }

func minSupportProblem(n int64) string {
	if n < 2 {
		return fmt.Sprintf("must be at least 2 (a t-test needs two rows a side), got %d", n)
	}
	return ""
}

func fdrProblem(v float64) string {
	if !(v > 0 && v < 1) {
		return fmt.Sprintf("must be a rate strictly between 0 and 1, got %s", result.FormatFloat(v))
	}
	return ""
}

// ruleProblem says why key names no rule of the task ("" for either),
// with a hint.
func ruleProblem(key, task string) string {
	keys := ruleKeys(task)
	if slices.Contains(keys, key) {
		return ""
	}
	if task != "" && slices.Contains(ruleKeys(""), key) {
		return fmt.Sprintf("%s is a rule of a %s; the model is a %s, whose rules are %s", key, taskNoun[otherTask(task)], taskNoun[task], strings.Join(keys, ", "))
	}
	msg := fmt.Sprintf("unknown rule %q", key)
	metric := key[:max(strings.LastIndexByte(key, '_'), 0)]
	if metric == "r2" {
		msg += "; r2 has no slice rule (a slice's R² depends on the spread of its targets)"
	} else if i := slices.IndexFunc(keys, func(k string) bool { return strings.HasPrefix(k, metric+"_") && metric != "" }); i >= 0 && metricProblem(metric, task) == "" {
		msg += fmt.Sprintf(" (the rule on %s is %s)", metric, keys[i])
	} else if h := suggest(key, keys); h != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", h)
	}
	return msg + "; rules are " + strings.Join(keys, ", ")
}

func featuresProblem(n int) string {
	if n > MaxSearchFeatures {
		return fmt.Sprintf("lists %d columns; the search takes at most %d", n, MaxSearchFeatures)
	}
	return ""
}

// metricProblem says why name is no metric of the task ("" for either),
// with a hint.
func metricProblem(name, task string) string {
	names := taskMetrics(task)
	if slices.Contains(names, name) {
		return ""
	}
	other := otherTask(task)
	if task != "" && slices.Contains(taskMetrics(other), name) {
		return fmt.Sprintf("%s is a %s metric; the model is a %s, whose metrics are %s", name, other, taskNoun[task], strings.Join(names, ", "))
	}
	msg := fmt.Sprintf("unknown metric %q", name)
	if s := suggest(name, names); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; metrics are " + strings.Join(names, ", ")
}

// lossProblem says why l is no loss of the task ("" for either), with a
// hint.
func lossProblem(l Loss, task string) string {
	var names []string
	for _, t := range []string{model.TaskRegression, model.TaskClassification} {
		if task == "" || task == t {
			for _, x := range taskLosses[t] {
				names = append(names, string(x))
			}
		}
	}
	if slices.Contains(names, string(l)) {
		return ""
	}
	if task != "" && lossProblem(l, "") == "" {
		return fmt.Sprintf("%s is not a loss of a %s; its losses are %s", l, taskNoun[task], strings.Join(names, ", "))
	}
	msg := fmt.Sprintf("unknown loss %q", string(l))
	if s := suggest(string(l), names); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; losses are " + strings.Join(names, ", ")
}

// otherTask is the task that is not task.
func otherTask(task string) string {
	if task == model.TaskRegression {
		return model.TaskClassification
	}
	return model.TaskRegression
}

var taskNoun = map[string]string{model.TaskRegression: "regressor", model.TaskClassification: "classifier"}

// taskMetrics lists the metric names of the task ("" for either).
func taskMetrics(task string) []string {
	switch task {
	case model.TaskRegression:
		return model.MetricNames()
	case model.TaskClassification:
		return model.ClassMetricNames()
	}
	return append(model.MetricNames(), model.ClassMetricNames()...)
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

// Validate reports every problem of s as one error, a line per problem
// naming its key (nil when there is none), accepting the metrics, rules
// and losses of either task; [Spec.ValidateFor] holds them to one. The
// suite decoder reports the same problems, found by the same rules, with
// their positions in the suite file.
func (s *Spec) Validate() error { return s.ValidateFor("") }

// ValidateFor is [Spec.Validate] for the slices of a model of the task
// (model.TaskRegression or model.TaskClassification; "" for either): [Run]
// and [RunClasses] validate their spec with it.
func (s *Spec) ValidateFor(task string) error {
	var fs yamlx.Findings
	s.validate("", task, &fs)
	errs := make([]error, len(fs))
	for i, f := range fs {
		errs[i] = fmt.Errorf("slice: %s: %s", f.Path, f.Msg)
	}
	return errors.Join(errs...)
}

// validate records every problem of s in fs, at key paths below path (""
// for a spec built in Go). It states each rule of the section once, for
// suites decoded and built in code alike.
func (s *Spec) validate(path, task string, fs *yamlx.Findings) {
	at := func(key string) string { return yamlx.Join(path, key) }
	dim := func(where string, d Dim) {
		switch {
		case d.Column == "":
			fs.Add(where, "column name is empty")
		case d.Bins != nil && d.Quantiles != 0:
			fs.Add(yamlx.Join(where, "quantiles"), "bins and quantiles exclude each other; keep one")
		case d.Bins != nil:
			if p := binsProblem(d.Bins); p != "" {
				fs.Add(yamlx.Join(where, "bins"), "%s", p)
			}
		case d.Quantiles != 0:
			if p := quantilesProblem(int64(d.Quantiles)); p != "" {
				fs.Add(yamlx.Join(where, "quantiles"), "%s", p)
			}
		}
	}
	seen := map[string]int{}
	for i, sl := range s.By {
		where := fmt.Sprintf("%s[%d]", at("by"), i)
		if len(sl) == 0 {
			fs.Add(where, "no column")
		}
		if j, dup := seen[columnSet(sl)]; dup {
			fs.Add(where, "slicing %s repeats %s[%d]; slice names must be unique", sl, at("by"), j)
		} else {
			seen[columnSet(sl)] = i
		}
		if len(sl) == 1 {
			dim(where, sl[0])
			continue
		}
		for j, d := range sl {
			dp := fmt.Sprintf("%s[%d]", where, j)
			if slices.ContainsFunc(sl[:j], func(c Dim) bool { return c.Column == d.Column }) {
				fs.Add(dp, "column %q appears twice in one cross", d.Column)
				continue
			}
			dim(dp, d)
		}
	}
	for i, m := range s.Metrics {
		mp := fmt.Sprintf("%s[%d]", at("metrics"), i)
		if p := metricProblem(m, task); p != "" {
			fs.Add(mp, "%s", p)
		} else if slices.Contains(s.Metrics[:i], m) {
			fs.Add(mp, "metric %q is listed twice", m)
		}
	}
	if s.MinSize < 0 {
		fs.Add(at("min_size"), "must be ≥ 0, got %d", s.MinSize)
	}
	if p := nBootProblem(int64(s.NBoot)); p != "" {
		fs.Add(at("n_boot"), "%s", p)
	}
	if s.Confidence && s.NBoot == 0 {
		fs.Add(at("confidence"), "needs bootstrap intervals; n_boot must be > 0")
	}
	for _, r := range s.FailIf {
		rp := yamlx.Join(at("fail_if"), r.Key())
		switch {
		case ruleProblem(r.Key(), task) != "":
			fs.Add(rp, "%s", ruleProblem(r.Key(), task))
		case r.Kind == Drop && !(r.Limit >= 0):
			fs.Add(rp, "a drop below the overall value must be ≥ 0, got %s", result.FormatFloat(r.Limit))
		case r.Kind == Ratio && !(r.Limit > 0):
			fs.Add(rp, "a ratio to the overall value must be > 0, got %s", result.FormatFloat(r.Limit))
		case r.Kind == Abs && !(r.Limit >= 0):
			fs.Add(rp, "a bound on |%s| must be ≥ 0, got %s", r.Metric, result.FormatFloat(r.Limit))
		}
	}
	fs.Severity(at("severity"), s.Severity)
	q := s.Search
	if q == nil {
		return
	}
	sp := at("search")
	for i, d := range q.Features {
		fp := fmt.Sprintf("%s[%d]", yamlx.Join(sp, "features"), i)
		if slices.ContainsFunc(q.Features[:i], func(c Dim) bool { return c.Column == d.Column }) {
			fs.Add(fp, "column %q is listed twice", d.Column)
			continue
		}
		dim(fp, d)
	}
	if len(q.Features) == 0 && len(s.By) == 0 {
		fs.Add(sp, "no features to search: list search.features or add by: [columns]")
	}
	if p := featuresProblem(len(q.Features)); p != "" {
		fs.Add(yamlx.Join(sp, "features"), "%s", p)
	}
	// Zero values take the defaults (see Search); the decoder reports a
	// zero written in a suite.
	if p := quantilesProblem(int64(q.Quantiles)); q.Quantiles != 0 && p != "" {
		fs.Add(yamlx.Join(sp, "quantiles"), "%s", p)
	}
	if p := minSupportProblem(int64(q.MinSupport)); q.MinSupport != 0 && p != "" {
		fs.Add(yamlx.Join(sp, "min_support"), "%s", p)
	}
	if p := fdrProblem(q.FDR); q.FDR != 0 && p != "" {
		fs.Add(yamlx.Join(sp, "fdr"), "%s", p)
	}
	if p := topKProblem(int64(q.TopK)); q.TopK != 0 && p != "" {
		fs.Add(yamlx.Join(sp, "top_k"), "%s", p)
	}
	if q.Metric != "" {
		if p := lossProblem(q.Metric, task); p != "" {
			fs.Add(yamlx.Join(sp, "metric"), "%s", p)
		}
	}
	fs.Severity(yamlx.Join(sp, "severity"), q.Severity)
}

// reported returns the metrics reported per slice: s.Metrics (or
// defaults) followed by any rule metric not among them.
func (s *Spec) reported(defaults []string) []string {
	out := slices.Clone(s.Metrics)
	if out == nil {
		out = slices.Clone(defaults)
	}
	for _, r := range s.FailIf {
		if !slices.Contains(out, r.Metric) {
			out = append(out, r.Metric)
		}
	}
	return out
}
