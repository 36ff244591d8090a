package model

import (
	"fmt"
	"github.com/trustml/trustml/bound"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// Value is a metric that may be undefined. When Defined is false, V is 0
// and Reason says why (for example "target is constant"); [Judge]
// never passes an undefined value.
type Value struct {
	V       float64 `json:"value"`
	Defined bool    `json:"defined"`
	Reason  string  `json:"reason,omitempty"`
}

func defined(v float64) Value { return Value{V: v, Defined: true} }

func undefined(reason string) Value { return Value{Reason: reason} }

// String formats a defined value with %g and an undefined one as
// "undefined (reason)".
func (v Value) String() string {
	if !v.Defined {
		return "undefined (" + v.Reason + ")"
	}
	return strconv.FormatFloat(v.V, 'g', -1, 64)
}

// Metrics are regression metrics of predictions ŷ against targets y over N
// rows. Residuals are ŷ - y.
type Metrics struct {
	// N is the number of rows measured.
	N int `json:"n"`
	// ZeroTargets is the number of rows with y = 0, left out of MAPE.
	ZeroTargets int `json:"zero_targets"`
	// MSE is the mean squared error, mean((ŷ - y)²).
	MSE Value `json:"mse"`
	// RMSE is √MSE.
	RMSE Value `json:"rmse"`
	// MAE is the mean absolute error, mean(|ŷ - y|).
	MAE Value `json:"mae"`
	// R2 is the coefficient of determination 1 - Σ(y - ŷ)² / Σ(y - ȳ)²,
	// with ȳ the mean of these targets; undefined when y is constant.
	R2 Value `json:"r2"`
	// MAPE is the mean absolute percentage error as a fraction (0.1 is
	// 10%), mean(|ŷ - y| / |y|) over the rows with y ≠ 0; undefined when
	// every target is 0.
	MAPE Value `json:"mape"`
	// MedianAE is the median of |ŷ - y| (the mean of the two middle values
	// when N is even).
	MedianAE Value `json:"median_ae"`
	// MaxError is max |ŷ - y|.
	MaxError Value `json:"max_error"`
	// Bias is the mean residual mean(ŷ - y): positive when the model
	// over-predicts on average.
	Bias Value `json:"bias"`
}

// Evaluation holds the metrics of a model and of the baseline that
// predicts the training mean for every row, on the same targets.
type Evaluation struct {
	// TrainMean is the baseline's constant prediction.
	TrainMean float64 `json:"train_mean"`
	// Model measures the predictions.
	Model Metrics `json:"model"`
	// Baseline measures the constant prediction TrainMean.
	Baseline Metrics `json:"baseline"`
}

var metricNames = []string{"mse", "rmse", "mae", "r2", "mape", "median_ae", "max_error", "bias"}

// MetricNames returns the names accepted by [Metrics.Get], in a stable
// order (the order of the fields of Metrics). The caller owns the slice.
func MetricNames() []string { return slices.Clone(metricNames) }

// Get returns the metric called name (one of [MetricNames]), or an error
// listing the known names.
func (m Metrics) Get(name string) (Value, error) {
	switch name {
	case "mse":
		return m.MSE, nil
	case "rmse":
		return m.RMSE, nil
	case "mae":
		return m.MAE, nil
	case "r2":
		return m.R2, nil
	case "mape":
		return m.MAPE, nil
	case "median_ae":
		return m.MedianAE, nil
	case "max_error":
		return m.MaxError, nil
	case "bias":
		return m.Bias, nil
	}
	return Value{}, fmt.Errorf("model: unknown metric %q (known: %s)", name, strings.Join(metricNames, ", "))
}

// Evaluate measures predictions yhat against targets y (see [Measure]) and
// the constant prediction trainMean against the same targets. A NaN or
// infinite trainMean makes every baseline metric undefined.
// Evaluate panics if y and yhat differ in length.
func Evaluate(y, yhat []float64, trainMean float64) Evaluation {
	if len(y) != len(yhat) {
		panic(fmt.Sprintf("model: Evaluate: %d targets and %d predictions", len(y), len(yhat)))
	}
	base := make([]float64, len(y))
	for i := range base {
		base[i] = trainMean
	}
	return Evaluation{TrainMean: trainMean, Model: Measure(y, yhat), Baseline: Measure(y, base)}
}

// Measure computes [Metrics] of predictions yhat against targets y.
// If either holds a NaN or ±Inf, or they are empty, every metric is
// undefined with the reason; NaN never leaks into a defined value.
// The slices are only read. Measure panics if they differ in length.
func Measure(y, yhat []float64) Metrics {
	if len(y) != len(yhat) {
		panic(fmt.Sprintf("model: Measure: %d targets and %d predictions", len(y), len(yhat)))
	}
	m := Metrics{N: len(y)}
	reason := ""
	switch {
	case len(y) == 0:
		reason = "no rows"
	case slices.ContainsFunc(y, notFinite):
		i := slices.IndexFunc(y, notFinite)
		reason = fmt.Sprintf("target of row %d is %v", i, y[i])
	case slices.ContainsFunc(yhat, notFinite):
		i := slices.IndexFunc(yhat, notFinite)
		reason = fmt.Sprintf("prediction of row %d is %v", i, yhat[i])
	}
	for _, v := range y {
		if v == 0 {
			m.ZeroTargets++
		}
	}
	if reason != "" {
		u := undefined(reason)
		m.MSE, m.RMSE, m.MAE, m.R2, m.MAPE, m.MedianAE, m.MaxError, m.Bias = u, u, u, u, u, u, u, u
		return m
	}
	n := len(y)
	res := make([]float64, n)
	floats.SubTo(res, yhat, y)
	abs := make([]float64, n)
	var sq, pct float64
	for i, r := range res {
		abs[i] = math.Abs(r)
		sq += r * r
		if y[i] != 0 {
			pct += abs[i] / math.Abs(y[i])
		}
	}
	mse := sq / float64(n)
	m.MSE = defined(mse)
	m.RMSE = defined(math.Sqrt(mse))
	m.MAE = defined(stat.Mean(abs, nil))
	m.Bias = defined(stat.Mean(res, nil))
	m.MaxError = defined(floats.Max(abs))
	slices.Sort(abs)
	if n%2 == 1 {
		m.MedianAE = defined(abs[n/2])
	} else {
		m.MedianAE = defined((abs[n/2-1] + abs[n/2]) / 2)
	}
	if floats.Min(y) == floats.Max(y) {
		m.R2 = undefined("target is constant")
	} else {
		m.R2 = defined(stat.RSquaredFrom(yhat, y, nil))
	}
	if m.ZeroTargets == n {
		m.MAPE = undefined("every target is 0")
	} else {
		m.MAPE = defined(pct / float64(n-m.ZeroTargets))
	}
	return m
}

func notFinite(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// Verdict is the outcome of checking a [Value] against bounds ([Judge]).
type Verdict string

// Verdicts returned by [Judge].
const (
	Pass      Verdict = "pass"
	Fail      Verdict = "fail"
	Undefined Verdict = "undefined" // the value is undefined: the check could not be decided
)

// Judge returns Undefined for an undefined value, else Pass if v lies
// within b and Fail otherwise. The zero Interval passes every defined
// value.
func Judge(b bound.Interval, v Value) Verdict {
	switch {
	case !v.Defined:
		return Undefined
	case !b.Contains(v.V):
		return Fail
	}
	return Pass
}
