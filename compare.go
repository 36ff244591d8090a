package trustml

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	boot "github.com/trustml/trustml/internal/bootstrap"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/slice"
)

// Comparison is the challenger (the suite's model) against the champion
// (compare_to) on the same evaluated rows.
type Comparison struct {
	Champion string `json:"champion"`
	Source   string `json:"source"`
	N        int    `json:"n"`
	NBoot    int    `json:"n_boot"`
	Seed     uint64 `json:"seed"`
	// Metrics compares every metric; Slices the judged slices of the
	// suite's slicings, when it has a slices section.
	Metrics []MetricComparison `json:"metrics"`
	Slices  []SliceComparison  `json:"slices,omitempty"`
	// Loss compares a classifier's mean per-row loss; nil for a regressor.
	Loss *LossComparison `json:"loss,omitempty"`
}

// LossComparison is two classifiers' mean per-row loss on the same rows:
// the log loss when both give probabilities, else the 0/1 error. Lower
// and Upper bound Difference (model − champion) with the same paired
// bootstrap resamples as the metrics'.
type LossComparison struct {
	// Loss is "log_loss" or "zero_one".
	Loss       string   `json:"loss"`
	Model      float64  `json:"model"`
	Champion   float64  `json:"champion"`
	Difference float64  `json:"difference"`
	Lower      *float64 `json:"lower,omitempty"`
	Upper      *float64 `json:"upper,omitempty"`
	// Better reports whether the model's loss is lower.
	Better bool `json:"better"`
}

// MetricComparison is one metric of both models. Difference is model −
// champion; Lower and Upper bound it with a 95% paired percentile
// bootstrap (the same resampled rows for both models). Better says whether
// the challenger is better: lower for error metrics, higher for r2,
// smaller |bias| for bias.
type MetricComparison struct {
	Metric     string      `json:"metric"`
	Model      model.Value `json:"model"`
	Champion   model.Value `json:"champion"`
	Difference *float64    `json:"difference"`
	Lower      *float64    `json:"lower,omitempty"`
	Upper      *float64    `json:"upper,omitempty"`
	Better     *bool       `json:"better"`
}

// SliceComparison is one metric of both models on one slice.
type SliceComparison struct {
	Slice      string   `json:"slice"`
	N          int      `json:"n"`
	Metric     string   `json:"metric"`
	Model      *float64 `json:"model"`
	Champion   *float64 `json:"champion"`
	Difference *float64 `json:"difference"`
	Better     *bool    `json:"better"`
}

// worse returns how much worse a is than b for the metric: positive when
// a is worse (a higher error, a lower r2, a larger |bias|, a lower value
// of a classification metric where higher is better).
func worse(metric string, a, b float64) float64 {
	switch {
	case metric == "r2":
		return b - a
	case metric == "bias":
		return math.Abs(a) - math.Abs(b)
	case slices.Contains(model.ClassMetricNames(), metric) && model.HigherIsBetter(metric):
		return b - a
	}
	return a - b
}

// compare predicts the evaluated rows with the champion and compares.
func compare(ctx context.Context, spec *model.Spec, run *modelRun, slices_ *slice.Spec, suiteSeed uint64) (*Comparison, []result.Check, error) {
	c := spec.CompareTo
	seed := suiteSeed
	if c.Seed != nil {
		seed = *c.Seed
	}
	nBoot := cmp.Or(c.NBoot, model.DefaultCompareBoot)
	opts := model.OpenOptions{Target: spec.Target, Features: spec.Features}
	if cr := run.cls; cr != nil {
		opts.Task, opts.Classes, opts.Positive = model.TaskClassification, cr.classes, cr.positive
	}
	opened, err := c.Source.Open(ctx, []arrow.RecordBatch{run.test}, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("compare_to: %w", err)
	}
	if opened.Closer != nil {
		defer opened.Closer.Close()
	}
	var chat []float64
	var champ *classRun
	if cr := run.cls; cr != nil {
		out, err := model.ClassifyAll(ctx, opened.Classifier, []arrow.RecordBatch{run.test}, cr.classes)
		if err != nil {
			return nil, nil, fmt.Errorf("compare_to: %w", model.AtDataRows(err, run.testRows))
		}
		var pred []int
		if out.Labels != nil {
			pred = make([]int, len(out.Labels))
			for i, l := range out.Labels {
				pred[i] = slices.Index(cr.classes, l)
			}
		}
		champ = newClassRun(cr.classes, cr.positive, cr.y, pred, out.Proba, cr.thr)
	} else if chat, err = model.PredictAll(ctx, opened.Regressor, []arrow.RecordBatch{run.test}); err != nil {
		return nil, nil, fmt.Errorf("compare_to: %w", model.AtDataRows(err, run.testRows))
	}
	// Close now, not only when deferred: a command that printed more lines
	// than it was sent rows says so in Close.
	if opened.Closer != nil {
		if err := opened.Closer.Close(); err != nil {
			return nil, nil, fmt.Errorf("compare_to: %w", err)
		}
	}
	name := c.Name
	if name == "" {
		name = "champion"
	}
	cmp := &Comparison{Champion: name, Source: c.Source.String(), N: len(run.testRows), NBoot: nBoot, Seed: seed}
	var mine, theirs metricSet
	var lo, hi map[string]float64
	var names []string
	var measure func(*slice.Spec, bool) ([]result.Check, error)
	if champ != nil {
		names = model.ClassMetricNames()
		mine, theirs, lo, hi = compareClasses(cmp, spec.ECEBins, run.cls, champ, nBoot, seed)
		measure = func(s *slice.Spec, challenger bool) ([]result.Check, error) {
			c := champ
			if challenger {
				c = run.cls
			}
			return slice.RunClasses(ctx, s, []arrow.RecordBatch{run.test}, c.sliceInput(spec.ECEBins))
		}
	} else {
		names = model.MetricNames()
		mine, theirs = model.Measure(run.y, run.yhat), model.Measure(run.y, chat)
		lo, hi = pairedBootstrap(len(run.y), nBoot, seed, regressionDiffs(run.y, run.yhat, chat))
		measure = func(s *slice.Spec, challenger bool) ([]result.Check, error) {
			yhat := chat
			if challenger {
				yhat = run.yhat
			}
			return slice.Run(ctx, s, []arrow.RecordBatch{run.test}, run.y, yhat)
		}
	}
	for _, m := range names {
		a, _ := mine.Get(m)
		b, _ := theirs.Get(m)
		mc := MetricComparison{Metric: m, Model: a, Champion: b}
		if a.Defined && b.Defined {
			d := a.V - b.V
			better := worse(m, a.V, b.V) < 0
			mc.Difference, mc.Better = &d, &better
			if l, ok := lo[m]; ok {
				h := hi[m]
				mc.Lower, mc.Upper = &l, &h
			}
		}
		cmp.Metrics = append(cmp.Metrics, mc)
	}
	if slices_ != nil {
		if cmp.Slices, err = compareSlices(slices_, run, measure); err != nil {
			return nil, nil, fmt.Errorf("compare_to: slices: %w", err)
		}
	}
	var checks []result.Check
	for _, w := range c.MaxWorse {
		checks = append(checks, compareCheck(cmp, w))
	}
	return cmp, checks, nil
}

// metricSet is the metrics of one model: model.Metrics or
// model.ClassMetrics.
type metricSet interface {
	Get(name string) (model.Value, error)
}

// diffsFunc measures both models on the rows of a resample and emits,
// per metric defined for both, model − champion.
type diffsFunc func(rows []int, emit func(metric string, diff float64))

// emitDiffs emits a − b for every metric of names defined in both.
func emitDiffs(names []string, a, b metricSet, emit func(string, float64)) {
	for _, m := range names {
		va, _ := a.Get(m)
		vb, _ := b.Get(m)
		if va.Defined && vb.Defined {
			emit(m, va.V-vb.V)
		}
	}
}

// regressionDiffs measures two regressors' predictions a and b of y.
func regressionDiffs(y, a, b []float64) diffsFunc {
	n := len(y)
	ys, as, bs := make([]float64, n), make([]float64, n), make([]float64, n)
	return func(rows []int, emit func(string, float64)) {
		for i, k := range rows {
			ys[i], as[i], bs[i] = y[k], a[k], b[k]
		}
		emitDiffs(model.MetricNames(), model.Measure(ys, as), model.Measure(ys, bs), emit)
	}
}

// pairedBootstrap returns, per metric, the 2.5% and 97.5% percentiles
// (type 7, package internal/bootstrap) of model − champion over nBoot
// resamples of the n rows (the same rows for both), as diffs measures
// them. Resamples where a metric is undefined for either are skipped.
func pairedBootstrap(n, nBoot int, seed uint64, diffs diffsFunc) (lo, hi map[string]float64) {
	rng := rand.New(rand.NewPCG(seed, 0x636f6d70617265)) // "compare"
	reps := map[string][]float64{}
	boot.Resample(rng, n, nBoot, func(rows []int) {
		diffs(rows, func(m string, d float64) { reps[m] = append(reps[m], d) })
	})
	lo, hi = map[string]float64{}, map[string]float64{}
	for m, d := range reps {
		if len(d) < nBoot/2 {
			continue // mostly undefined: no interval
		}
		lo[m], hi[m] = boot.Interval(d, 0.95)
	}
	return lo, hi
}

// compareSlices measures both models on the judged slices of the suite's
// slicings (no rules, no intervals), with run(spec, challenger), and pairs
// them by slice.
func compareSlices(spec *slice.Spec, run *modelRun, measure func(spec *slice.Spec, challenger bool) ([]result.Check, error)) ([]SliceComparison, error) {
	s := *spec
	s.FailIf, s.Search, s.NBoot, s.Confidence = nil, nil, 0, false
	slicesOf := func(challenger bool) (map[string]slice.Slice, []string, error) {
		checks, err := measure(&s, challenger)
		if err != nil {
			return nil, nil, model.AtDataRows(err, run.testRows)
		}
		out := map[string]slice.Slice{}
		var order []string
		for _, c := range checks {
			if sl, ok := c.Details.(slice.Slice); ok {
				out[sl.Name] = sl
				order = append(order, sl.Name)
			}
		}
		return out, order, nil
	}
	mine, order, err := slicesOf(true)
	if err != nil {
		return nil, err
	}
	theirs, _, err := slicesOf(false)
	if err != nil {
		return nil, err
	}
	var out []SliceComparison
	for _, name := range order {
		a, b := mine[name], theirs[name]
		for _, ea := range a.Metrics {
			i := slices.IndexFunc(b.Metrics, func(e slice.Estimate) bool { return e.Metric == ea.Metric })
			if i < 0 {
				continue
			}
			eb := b.Metrics[i]
			sc := SliceComparison{Slice: name, N: a.N, Metric: ea.Metric, Model: ea.Value, Champion: eb.Value}
			if ea.Value != nil && eb.Value != nil {
				d := *ea.Value - *eb.Value
				better := worse(ea.Metric, *ea.Value, *eb.Value) < 0
				sc.Difference, sc.Better = &d, &better
			}
			out = append(out, sc)
		}
	}
	return out, nil
}

func compareCheck(cmp *Comparison, w model.Objective) result.Check {
	c := result.Check{Section: result.Model, Name: "model.compare." + w.Metric, Kind: "compare", Severity: w.Severity}
	if c.Severity == "" {
		c.Severity = result.SeverityError
	}
	limit := *w.Bounds.Max
	c.Expected = map[string]any{"max_worse": limit}
	c.ExpectedText = fmt.Sprintf("%s no worse than %s's by more than %s", w.Metric, cmp.Champion, result.FormatFloat(limit))
	i := slices.IndexFunc(cmp.Metrics, func(m MetricComparison) bool { return m.Metric == w.Metric })
	mc := cmp.Metrics[i]
	c.Details = mc
	if mc.Difference == nil {
		c.Status = result.Error
		c.Message = fmt.Sprintf("%s undefined for the model (%s) or the %s (%s)", w.Metric, mc.Model.Reason, cmp.Champion, mc.Champion.Reason)
		return c
	}
	by := worse(w.Metric, mc.Model.V, mc.Champion.V)
	c.Observed = map[string]any{"model": mc.Model.V, "champion": mc.Champion.V, "worse_by": by}
	verdict := fmt.Sprintf("better by %s", result.Human(-by))
	if by > 0 {
		verdict = fmt.Sprintf("worse by %s", result.Human(by))
	} else if by == 0 {
		verdict = "equal"
	}
	c.ObservedText = fmt.Sprintf("%s %s vs %s %s: %s", w.Metric, result.Human(mc.Model.V), cmp.Champion, result.Human(mc.Champion.V), verdict)
	c.Message = c.ObservedText
	if mc.Lower != nil {
		c.Message += fmt.Sprintf(" (95%% interval of the difference %s to %s)", result.Human(*mc.Lower), result.Human(*mc.Upper))
	}
	c.Message += fmt.Sprintf(", may be worse by at most %s", result.FormatFloat(limit))
	c.Status = result.StatusOf(by <= limit, c.Severity)
	return c
}
