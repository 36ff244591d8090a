package slice

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// metricSet is what measuring some rows gives: model.Metrics for a
// regressor, model.ClassMetrics for a classifier.
type metricSet interface {
	Get(name string) (model.Value, error)
}

// measurer measures the evaluated rows of one task: the metrics of any
// rows (an index may repeat, as in a resample), the metrics reported when
// a spec names none, and the per-row loss of the weak-slice search.
type measurer struct {
	task     string
	n        int
	measure  func(rows []int) metricSet
	defaults []string
	// loss returns every row's loss of the kind asked ("" for the task's
	// default), and the kind used.
	loss func(Loss) ([]float64, Loss, error)
}

func allRows(n int) []int {
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// regression measures a regressor's rows with model.Measure; its losses
// are the squared (default) and absolute errors.
func regression(y, yhat []float64) measurer {
	return measurer{
		task: model.TaskRegression, n: len(y), defaults: DefaultMetrics(),
		measure: func(rows []int) metricSet { return model.Measure(pick(y, rows), pick(yhat, rows)) },
		loss: func(l Loss) ([]float64, Loss, error) {
			if l == "" {
				l = SquaredError
			}
			out := make([]float64, len(y))
			for i := range y {
				r := yhat[i] - y[i]
				if l == AbsoluteError {
					out[i] = math.Abs(r)
				} else {
					out[i] = r * r
				}
			}
			return out, l, nil
		},
	}
}

// Classes is a classifier's evaluated rows, as [RunClasses] measures
// them: the true classes Y and the labels Pred the model is judged on, as
// indices into Classes, and, unless the model gives labels only, a row of
// len(Classes) probabilities per row.
type Classes struct {
	Classes []string
	// Positive is the positive class's index of a binary model.
	Positive int
	Y, Pred  []int
	// Proba is nil when the model gives labels only.
	Proba [][]float64
	// ECEBins is the number of bins of the expected calibration error; 0
	// means model.DefaultECEBins.
	ECEBins int
}

func (c Classes) check() error {
	k, n := len(c.Classes), len(c.Y)
	switch {
	case k < 2:
		return fmt.Errorf("slice: a classifier has at least 2 classes, got %d", k)
	case len(c.Pred) != n:
		return fmt.Errorf("slice: %d true classes but %d predicted labels", n, len(c.Pred))
	case c.Proba != nil && len(c.Proba) != n:
		return fmt.Errorf("slice: %d true classes but %d rows of probabilities", n, len(c.Proba))
	case k == 2 && (c.Positive < 0 || c.Positive > 1):
		return fmt.Errorf("slice: positive class index %d is not 0 or 1", c.Positive)
	}
	for i := range n {
		if c.Y[i] < 0 || c.Y[i] >= k || c.Pred[i] < 0 || c.Pred[i] >= k {
			return rowError(i, n, "class index out of range: true %d, predicted %d of %d classes", c.Y[i], c.Pred[i], k)
		}
		if c.Proba == nil {
			continue
		}
		if len(c.Proba[i]) != k {
			return rowError(i, n, "%d probabilities for %d classes", len(c.Proba[i]), k)
		}
		for _, p := range c.Proba[i] {
			if notFinite(p) {
				return rowError(i, n, "probability is %v", p)
			}
		}
	}
	return nil
}

// classification measures a classifier's rows with model.MeasureClasses;
// its losses are the log loss (the default with probabilities) and the
// 0/1 error (the default without).
func classification(c Classes) measurer {
	defaults := DefaultClassMetrics()
	if c.Proba == nil {
		defaults = defaults[:2] // the probability metrics are undefined
	}
	return measurer{
		task: model.TaskClassification, n: len(c.Y), defaults: defaults,
		measure: func(rows []int) metricSet {
			y, pred := make([]int, len(rows)), make([]int, len(rows))
			var proba [][]float64
			if c.Proba != nil {
				proba = make([][]float64, len(rows))
			}
			for i, r := range rows {
				y[i], pred[i] = c.Y[r], c.Pred[r]
				if proba != nil {
					proba[i] = c.Proba[r]
				}
			}
			return model.MeasureClasses(c.Classes, c.Positive, y, pred, proba, c.ECEBins)
		},
		loss: func(l Loss) ([]float64, Loss, error) {
			if l == "" {
				l = ZeroOne
				if c.Proba != nil {
					l = LogLoss
				}
			}
			if l == LogLoss {
				if c.Proba == nil {
					return nil, l, errors.New("slice: search: log_loss needs the model's probabilities; the model gives labels only (use metric: zero_one)")
				}
				return model.LogLossRows(c.Y, c.Proba), l, nil
			}
			out := make([]float64, len(c.Y))
			for i := range c.Y {
				if c.Pred[i] != c.Y[i] {
					out[i] = 1
				}
			}
			return out, l, nil
		},
	}
}

// RunClasses is [Run] for a classifier: it measures the slices of spec on
// the evaluated rows c with model.MeasureClasses, so every metric of
// model.ClassMetricNames means what it means there. The metrics reported
// when the spec names none are [DefaultClassMetrics] (accuracy and
// balanced accuracy alone when the model gives labels only). The rules are
// <metric>_ratio for log_loss, brier and ece (the slice's value may be at
// most the limit × the overall value) and <metric>_drop for every metric
// where higher is better (the slice's value may be at most the limit below
// the overall value). A rule on a metric undefined on a slice (ROC AUC of
// a slice holding one class) makes its check an Error. The weak-slice
// search compares the per-row log loss (default with probabilities) or
// 0/1 error (default without).
//
// data holds the slicing columns for exactly the evaluated rows, in the
// order of c. RunClasses returns an error, and no checks, in the cases Run
// does, and when c is malformed (lengths that disagree, a class index out
// of range, a probability that is not finite).
func RunClasses(ctx context.Context, spec *Spec, data []arrow.RecordBatch, c Classes) ([]result.Check, error) {
	if spec == nil {
		return nil, errors.New("slice: RunClasses: nil spec")
	}
	if err := spec.ValidateFor(model.TaskClassification); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return runWith(ctx, spec, data, classification(c))
}
