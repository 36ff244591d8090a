package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// AlgorithmLogistic is L2-regularised logistic regression, fitted by
// [FitLogistic]: binary with one coefficient vector, multinomial (softmax)
// with one per class.
const AlgorithmLogistic = "logistic"

// LogisticGradientTolerance is the largest ∞-norm of the gradient of the
// mean objective (the objective of [FitLogistic] divided by the number of
// rows) at which a fit counts as converged.
const LogisticGradientTolerance = 1e-7

// Logistic is a fitted logistic regression. It implements [Classifier].
//
// With scores s_k = Intercepts[k] + Σ_j Coefficients[k][j].Value · x_j (x_j
// the model columns, one-hot encoded and standardised as for [Linear]):
//
//   - binary (two classes, one score row): P(Positive) = 1/(1 + e^(−s_0));
//   - multinomial: P(Classes[k]) = e^(s_k) / Σ_l e^(s_l), the intercepts
//     summing to 0 (they are identified only up to a common shift).
//
// All fields are exported and JSON-serialisable; it holds no resources and
// is safe for concurrent use.
type Logistic struct {
	Target   string   `json:"target"`
	Features []string `json:"features"`
	// Classes are the classes in the order of probabilities; Positive is
	// the class whose probability the binary score models.
	Classes   []string `json:"classes"`
	Positive  string   `json:"positive,omitempty"`
	Algorithm string   `json:"algorithm"`
	Alpha     float64  `json:"alpha"`
	// Intercepts and Coefficients hold one row per score: one for a binary
	// model, one per class (in Classes order) for a multinomial one.
	Intercepts   []float64       `json:"intercepts"`
	Coefficients [][]Coefficient `json:"coefficients"`
	Encoding     []Encoding      `json:"encoding,omitempty"`
	// Standardization, when not nil, is parallel to each coefficient row.
	Standardization []Scaling `json:"standardization,omitempty"`
	RowsUsed        int       `json:"rows_used"`
	RowsDropped     int       `json:"rows_dropped"`
	// Iterations is the optimiser's number of major iterations; Gradient
	// the ∞-norm of the mean objective's gradient where it stopped.
	Iterations int     `json:"iterations"`
	Gradient   float64 `json:"gradient"`
}

// FitLogistic fits an L2-regularised logistic regression of opts.Target (a
// string, boolean or integer column of class labels) on opts.Features over
// the rows of batches, with opts.Algorithm AlgorithmLogistic and
// opts.Alpha > 0. Rows, dropping, one-hot encoding and standardisation are
// [Fit]'s.
//
// It minimises Σ_i −log P(y_i | x_i) + (Alpha/2)·‖W‖², W every coefficient
// (intercepts unpenalised): scikit-learn's LogisticRegression(penalty="l2",
// C=1/Alpha) with the lbfgs solver (multinomial for more than two classes).
// The minimiser is gonum's L-BFGS, to a gradient of the mean objective
// below [LogisticGradientTolerance]; stopping short of it is an error. The
// penalty keeps the minimum finite on separable data.
//
// opts.Classes lists the classes (nil: the distinct training labels,
// ordered by [SortClasses]); every training label must be among them, and
// there must be at least two. opts.Positive names the positive class of a
// binary model (empty: Classes[1]).
func FitLogistic(ctx context.Context, batches []arrow.RecordBatch, opts FitOptions) (*Logistic, error) {
	if opts.Algorithm != AlgorithmLogistic {
		return nil, fmt.Errorf("model: fit: FitLogistic needs algorithm %q, got %q", AlgorithmLogistic, opts.Algorithm)
	}
	if _, err := opts.validate(); err != nil {
		return nil, err
	}
	d, err := readDesign(ctx, batches, opts, true)
	if err != nil {
		return nil, err
	}
	if len(d.labels) == 0 {
		return nil, fmt.Errorf("model: fit: no usable rows (%d dropped for a null in %q or a null, NaN or Inf in a feature)", d.dropped, opts.Target)
	}
	classes := opts.Classes
	if classes == nil {
		classes = SortClasses(d.labels)
	}
	if len(classes) < 2 {
		return nil, fmt.Errorf("model: fit: the training rows hold a single class %q; a classifier needs at least two", classes[0])
	}
	t := make([]int, len(d.labels))
	for i, l := range d.labels {
		if t[i] = slices.Index(classes, l); t[i] < 0 {
			return nil, fmt.Errorf("model: fit: training label %q is not among the classes %s", l, quoteAll(classes, ", "))
		}
	}
	m := &Logistic{
		Target: opts.Target, Features: slices.Clone(opts.Features), Classes: slices.Clone(classes),
		Algorithm: AlgorithmLogistic, Alpha: opts.Alpha, Encoding: d.encoding,
		RowsUsed: len(d.labels), RowsDropped: d.dropped,
	}
	binary := len(classes) == 2
	pos := 1
	if binary {
		if opts.Positive != "" {
			if pos = slices.Index(classes, opts.Positive); pos < 0 {
				return nil, fmt.Errorf("model: fit: positive class %q is not among the classes %s", opts.Positive, quoteAll(classes, ", "))
			}
		}
		m.Positive = classes[pos]
		for i := range t {
			if t[i] == pos {
				t[i] = 1
			} else {
				t[i] = 0
			}
		}
	}
	if opts.Standardize {
		m.Standardization = d.standardize()
	}
	rows := 1
	if !binary {
		rows = len(classes)
	}
	x, err := minimizeLogistic(ctx, d, t, rows, opts.Alpha, m)
	if err != nil {
		return nil, err
	}
	p := len(d.cols) + 1
	for k := range rows {
		m.Intercepts = append(m.Intercepts, x[k*p])
		coefs := make([]Coefficient, len(d.cols))
		for j, c := range d.cols {
			coefs[j] = Coefficient{Name: c.name, Level: c.level, Value: x[k*p+1+j]}
		}
		m.Coefficients = append(m.Coefficients, coefs)
	}
	if !binary {
		mean := floats.Sum(m.Intercepts) / float64(rows)
		floats.AddConst(-mean, m.Intercepts)
	}
	return m, nil
}

// minimizeLogistic minimises the mean objective over x, rows blocks of
// [intercept, coefficients...]; t holds each row's class index (0/1 for a
// binary model).
func minimizeLogistic(ctx context.Context, d *design, t []int, rows int, alpha float64, m *Logistic) ([]float64, error) {
	n, q := len(t), len(d.cols)
	p := q + 1
	xs := make([]float64, n*q) // row-major design
	for j, c := range d.cols {
		for i, v := range c.values {
			xs[i*q+j] = v
		}
	}
	scores := make([]float64, rows)
	probs := make([]float64, rows)
	// objective returns the mean objective, and its gradient into grad when
	// not nil.
	objective := func(x, grad []float64) float64 {
		if grad != nil {
			clear(grad)
		}
		var loss float64
		for i := range n {
			row := xs[i*q : (i+1)*q]
			for k := range rows {
				scores[k] = x[k*p] + floats.Dot(x[k*p+1:(k+1)*p], row)
			}
			if rows == 1 {
				z := scores[0]
				// log(1 + e^z) − t·z, computed without overflow.
				loss += math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - float64(t[i])*z
				probs[0] = 1/(1+math.Exp(-z)) - float64(t[i])
			} else {
				lse := floats.LogSumExp(scores)
				loss += lse - scores[t[i]]
				for k := range rows {
					probs[k] = math.Exp(scores[k] - lse)
				}
				probs[t[i]]--
			}
			if grad != nil {
				for k := range rows {
					g := grad[k*p : (k+1)*p]
					g[0] += probs[k]
					floats.AddScaled(g[1:], probs[k], row)
				}
			}
		}
		var pen float64
		for k := range rows {
			w := x[k*p+1 : (k+1)*p]
			pen += floats.Dot(w, w)
			if grad != nil {
				floats.AddScaled(grad[k*p+1:(k+1)*p], alpha, w)
			}
		}
		if grad != nil {
			floats.Scale(1/float64(n), grad)
		}
		return (loss + alpha/2*pen) / float64(n)
	}
	problem := optimize.Problem{
		Func: func(x []float64) float64 { return objective(x, nil) },
		Grad: func(grad, x []float64) { objective(x, grad) },
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-12,
		Converger:         &optimize.FunctionConverge{Absolute: 0, Relative: 0, Iterations: 50},
		MajorIterations:   100_000,
	}
	res, err := optimize.Minimize(problem, make([]float64, rows*p), settings, &optimize.LBFGS{Store: 20})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, fmt.Errorf("model: fit: logistic: %w", err)
	}
	grad := make([]float64, rows*p)
	objective(res.X, grad)
	m.Iterations, m.Gradient = res.MajorIterations, floats.Norm(grad, math.Inf(1))
	if !(m.Gradient <= LogisticGradientTolerance) {
		reason := res.Status.String()
		if err != nil {
			reason = err.Error()
		}
		return nil, fmt.Errorf("model: fit: logistic regression did not converge (gradient %.3g after %d iterations: %s); standardize the features or raise alpha",
			m.Gradient, res.MajorIterations, reason)
	}
	return res.X, nil
}

// Classify implements [Classifier]: probabilities for every class, no
// labels. Feature errors are [Linear.Predict]'s.
func (m *Logistic) Classify(ctx context.Context, batch arrow.RecordBatch) (ClassOutput, error) {
	if len(m.Intercepts) != len(m.Coefficients) || len(m.Intercepts) == 0 {
		return ClassOutput{}, errors.New("model: classify: a logistic model needs one intercept per coefficient row")
	}
	scores := make([][]float64, len(m.Intercepts))
	for k := range m.Intercepts {
		lin := Linear{Target: m.Target, Features: m.Features, Algorithm: m.Algorithm, Intercept: m.Intercepts[k],
			Coefficients: m.Coefficients[k], Encoding: m.Encoding, Standardization: m.Standardization}
		s, err := lin.Predict(ctx, batch)
		if err != nil {
			return ClassOutput{}, err
		}
		scores[k] = s
	}
	n := int(batch.NumRows())
	out := ClassOutput{Proba: make([][]float64, n)}
	binary := len(m.Intercepts) == 1
	if binary && len(m.Classes) != 2 {
		return ClassOutput{}, fmt.Errorf("model: classify: a binary logistic model needs two classes, got %d", len(m.Classes))
	}
	if !binary && len(m.Classes) != len(m.Intercepts) {
		return ClassOutput{}, fmt.Errorf("model: classify: %d score rows for %d classes", len(m.Intercepts), len(m.Classes))
	}
	pos := slices.Index(m.Classes, m.Positive)
	if binary && pos < 0 {
		return ClassOutput{}, fmt.Errorf("model: classify: positive class %q is not among the classes", m.Positive)
	}
	row := make([]float64, len(m.Intercepts))
	for i := range n {
		p := make([]float64, len(m.Classes))
		if binary {
			p[pos] = 1 / (1 + math.Exp(-scores[0][i]))
			p[1-pos] = 1 / (1 + math.Exp(scores[0][i]))
		} else {
			for k := range row {
				row[k] = scores[k][i]
			}
			lse := floats.LogSumExp(row)
			for k := range row {
				p[k] = math.Exp(row[k] - lse)
			}
		}
		out.Proba[i] = p
	}
	return out, nil
}

// String describes the model, e.g. "fitted logistic (alpha 1)".
func (m *Logistic) String() string { return fmt.Sprintf("fitted logistic (alpha %g)", m.Alpha) }
