package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/trustml/trustml/internal/arrowx"
)

// Algorithms accepted by [FitOptions].
const (
	AlgorithmLinear = "linear" // ordinary least squares
	AlgorithmRidge  = "ridge"  // least squares with an L2 penalty on the slopes
)

// RankTolerance is the threshold below which [Fit] declares an ordinary
// least-squares design rank-deficient. The design (intercept first, then the
// model's columns in order) is scaled so that every column has unit
// Euclidean norm and factorised as QR; column j is rank-deficient when
// |R[j][j]| ≤ RankTolerance, that is when the part of column j orthogonal
// to the columns before it is at most RankTolerance of its norm (the sine
// of the angle between the column and their span).
const RankTolerance = 1e-10

// FitOptions configures [Fit]. The zero value is not usable: Target and
// Features are required.
type FitOptions struct {
	// Target is the numeric column to predict.
	Target string `json:"target"`
	// Features are the columns to predict from, in the order the
	// coefficients are reported. Integer and floating-point columns are
	// used as is; string, large string, string view and dictionary-of-string
	// columns are one-hot encoded.
	Features []string `json:"features"`
	// Algorithm is AlgorithmLinear (the default when empty) or
	// AlgorithmRidge.
	Algorithm string `json:"algorithm,omitempty"`
	// Alpha is the ridge penalty, > 0 for ridge and 0 for linear. The
	// penalty applies to the slopes in the space they are fitted in (after
	// standardisation when Standardize is set), never to the intercept.
	Alpha float64 `json:"alpha,omitempty"`
	// Standardize centres each model column (one-hot columns included) on
	// its training mean and divides it by its population standard
	// deviation before fitting.
	Standardize bool `json:"standardize,omitempty"`
	// Classes and Positive are [FitLogistic]'s: the classes in probability
	// order (nil: the training labels, sorted) and the positive class of a
	// binary model.
	Classes  []string `json:"-"`
	Positive string   `json:"-"`
	// Tune, when set, has a source's Open choose Alpha by
	// cross-validation over the training rows ([TuneAlpha]) before
	// fitting; Fit and FitLogistic ignore it.
	Tune *Tune `json:"-"`
	// Rows, when not nil, restricts fitting to these zero-based row
	// numbers, counted across the batches in order (for example the Train
	// rows of a [Partition]). Order does not matter and a repeated row
	// counts once. Nil means every row.
	Rows []int `json:"-"`
}

// Coefficient is the weight of one model column. For a numeric feature
// Name is the column and Level is empty; for a one-hot column Name is the
// categorical column and Level the level it indicates.
type Coefficient struct {
	Name  string  `json:"name"`
	Level string  `json:"level,omitempty"`
	Value float64 `json:"value"`
}

// Encoding records the levels of a one-hot encoded column as seen in the
// training rows, sorted in byte order (Go string comparison, so "10" sorts
// before "9" and "Z" before "a"). Levels[0], also given as Reference, is
// the dropped reference level: it has no coefficient and its rows are
// predicted by the intercept and the other columns alone. Because the empty
// string sorts first, an empty level is always the reference.
type Encoding struct {
	Column    string   `json:"column"`
	Levels    []string `json:"levels"`
	Reference string   `json:"reference"`
}

// Scaling is the standardisation applied to one model column: the model
// sees (x - Mean) / Scale. Scale is the population standard deviation of
// the column over the training rows, or 1 when that is 0 (possible only
// with ridge). Name and Level identify the column as in [Coefficient].
type Scaling struct {
	Name  string  `json:"name"`
	Level string  `json:"level,omitempty"`
	Mean  float64 `json:"mean"`
	Scale float64 `json:"scale"`
}

// Linear is a fitted linear model. It implements [Regressor]:
//
//	ŷ = Intercept + Σ Coefficients[j].Value · x_j
//
// where x_j is the j-th model column (a numeric feature, or 1/0 for a
// one-hot level), transformed by Standardization[j] when that is not nil.
// Coefficients are therefore in standardised units when the model was
// fitted with standardisation. All fields are exported and JSON-serialisable
// in a stable order, and a Linear decoded from its JSON predicts the same.
// It holds no resources and is safe for concurrent use once fitted.
type Linear struct {
	// Target and Features are those of the FitOptions.
	Target   string   `json:"target"`
	Features []string `json:"features"`
	// Algorithm and Alpha are those used (Algorithm is never empty).
	Algorithm string  `json:"algorithm"`
	Alpha     float64 `json:"alpha,omitempty"`
	// Intercept is b₀.
	Intercept float64 `json:"intercept"`
	// Coefficients hold one weight per model column: features in order,
	// a categorical feature giving one column per non-reference level.
	Coefficients []Coefficient `json:"coefficients"`
	// Encoding lists the categorical features, in feature order.
	Encoding []Encoding `json:"encoding,omitempty"`
	// Standardization is parallel to Coefficients, nil without
	// standardisation.
	Standardization []Scaling `json:"standardization,omitempty"`
	// RowsUsed is the number of rows the model was fitted on.
	RowsUsed int `json:"rows_used"`
	// RowsDropped is the number of selected rows left out because the
	// target or a feature was null, NaN or ±Inf.
	RowsDropped int `json:"rows_dropped"`
}

// Fit fits a linear model of opts.Target on opts.Features over the rows of
// batches (a table read as a sequence of record batches sharing a schema).
//
// Rows (among opts.Rows) with a null, NaN or ±Inf in the target or any
// feature are dropped and counted in RowsDropped. String columns are one-hot
// encoded over the levels present in the remaining rows, the first level in
// byte order being dropped (see [Encoding]).
//
// AlgorithmLinear solves the least-squares problem by QR factorisation.
// A constant column, a categorical column with a single level, or a column
// that is a linear combination of the intercept and the columns before it
// (see [RankTolerance]) is an error naming the column(s); so are fewer rows
// than coefficients. AlgorithmRidge minimises ‖y - b₀ - Xβ‖² + Alpha·‖β‖²
// with the intercept b₀ unpenalised, by least squares on the centred data
// augmented with √Alpha·I; it is well posed for any design, and a constant
// column gets coefficient 0.
//
// Fit only reads the batches and does not retain them. ctx is checked
// between batches.
func Fit(ctx context.Context, batches []arrow.RecordBatch, opts FitOptions) (*Linear, error) {
	algo, err := opts.validate()
	if err != nil {
		return nil, err
	}
	if algo == AlgorithmLogistic {
		return nil, fmt.Errorf("model: fit: %q is a classifier: use FitLogistic", algo)
	}
	d, err := readDesign(ctx, batches, opts, false)
	if err != nil {
		return nil, err
	}
	m := &Linear{
		Target:      opts.Target,
		Features:    slices.Clone(opts.Features),
		Algorithm:   algo,
		Alpha:       opts.Alpha,
		Encoding:    d.encoding,
		RowsUsed:    len(d.y),
		RowsDropped: d.dropped,
	}
	if len(d.y) == 0 {
		return nil, fmt.Errorf("model: fit: no usable rows (%d dropped for null, NaN or Inf in %s or a feature)", d.dropped, strconv.Quote(opts.Target))
	}
	if algo == AlgorithmLinear {
		if err := d.checkOLS(); err != nil {
			return nil, err
		}
	}
	if opts.Standardize {
		m.Standardization = d.standardize()
	}
	var beta []float64
	if algo == AlgorithmLinear {
		m.Intercept, beta, err = d.solveOLS()
	} else {
		m.Intercept, beta, err = d.solveRidge(opts.Alpha)
	}
	if err != nil {
		return nil, err
	}
	m.Coefficients = make([]Coefficient, len(beta))
	for j, b := range beta {
		m.Coefficients[j] = Coefficient{Name: d.cols[j].name, Level: d.cols[j].level, Value: b}
	}
	return m, nil
}

func (o FitOptions) validate() (string, error) {
	var errs []error
	if o.Target == "" {
		errs = append(errs, errors.New("target is required"))
	}
	if len(o.Features) == 0 {
		errs = append(errs, errors.New("at least one feature is required"))
	}
	seen := map[string]bool{}
	for _, f := range o.Features {
		if f == o.Target {
			errs = append(errs, fmt.Errorf("feature %q is the target", f))
		}
		if seen[f] {
			errs = append(errs, fmt.Errorf("feature %q is listed twice", f))
		}
		seen[f] = true
	}
	algo := o.Algorithm
	if algo == "" {
		algo = AlgorithmLinear
	}
	switch algo {
	case AlgorithmLinear:
		if o.Alpha != 0 {
			errs = append(errs, fmt.Errorf("alpha %v is only used by %q", o.Alpha, AlgorithmRidge))
		}
	case AlgorithmRidge, AlgorithmLogistic:
		if !(o.Alpha > 0) || math.IsInf(o.Alpha, 0) {
			errs = append(errs, fmt.Errorf("%s needs a finite alpha > 0, got %v", algo, o.Alpha))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown algorithm %q (want %q or %q)", o.Algorithm, AlgorithmLinear, AlgorithmRidge))
	}
	if err := errors.Join(errs...); err != nil {
		return "", fmt.Errorf("model: fit: %w", err)
	}
	return algo, nil
}

// designColumn is one column of the model matrix.
type designColumn struct {
	name, level string
	values      []float64
}

func (c designColumn) label() string {
	if c.level == "" {
		return strconv.Quote(c.name)
	}
	return strconv.Quote(c.name + "=" + c.level)
}

// design is the model matrix (without the intercept) and the target.
type design struct {
	cols     []designColumn
	y        []float64
	labels   []string // the class of each row, when the target is a label
	encoding []Encoding
	// single holds categorical columns with a single level: they add no
	// model column.
	single  []string
	dropped int
}

// readDesign reads the model matrix of opts over batches; with labels, the
// target is a class label (design.labels) rather than a number (design.y,
// then left at 0 for every row).
func readDesign(ctx context.Context, batches []arrow.RecordBatch, opts FitOptions, labels bool) (*design, error) {
	total := 0
	for _, b := range batches {
		total += int(b.NumRows())
	}
	var selected []bool
	if opts.Rows != nil {
		selected = make([]bool, total)
		for _, r := range opts.Rows {
			if r < 0 || r >= total {
				return nil, fmt.Errorf("model: fit: row %d out of range [0, %d)", r, total)
			}
			selected[r] = true
		}
	}
	nf := len(opts.Features)
	kinds := make([]columnKind, nf)
	nums := make([][]float64, nf)
	strs := make([][]string, nf)
	var y []float64
	var ys []string
	dropped, offset := 0, 0
	for b, batch := range batches {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := int(batch.NumRows())
		tcol, err := arrowx.Column(batch, opts.Target)
		if err != nil {
			return nil, fmt.Errorf("model: fit: batch %d: target: %w", b, err)
		}
		tAt, ok := arrowx.NumericAt(tcol)
		var lAt func(int) (string, bool)
		if labels {
			if lAt, ok = labelAt(tcol); !ok {
				return nil, fmt.Errorf("model: fit: target %q: type %s cannot hold class labels (want a string, boolean or integer column)", opts.Target, tcol.DataType())
			}
			tAt = func(i int) (float64, bool) { _, valid := lAt(i); return 0, valid }
		} else if !ok {
			return nil, fmt.Errorf("model: fit: target %q: type %s is not numeric", opts.Target, tcol.DataType())
		}
		numAt := make([]func(int) (float64, bool), nf)
		strAt := make([]func(int) (string, bool), nf)
		for f, name := range opts.Features {
			col, err := arrowx.Column(batch, name)
			if err != nil {
				return nil, fmt.Errorf("model: fit: batch %d: feature: %w", b, err)
			}
			k := kindOf(col.DataType())
			switch {
			case k == 0:
				return nil, fmt.Errorf("model: fit: feature %q: unsupported type %s (want a number or a string)", name, col.DataType())
			case kinds[f] != 0 && kinds[f] != k:
				return nil, fmt.Errorf("model: fit: feature %q: %s in batch %d but %s before", name, k, b, kinds[f])
			}
			kinds[f] = k
			if k == kindNumeric {
				numAt[f], _ = arrowx.NumericAt(col)
			} else {
				strAt[f], _ = arrowx.StringAt(col)
			}
		}
	rows:
		for i := range n {
			if selected != nil && !selected[offset+i] {
				continue
			}
			t, valid := tAt(i)
			if !valid || !finite(t) {
				dropped++
				continue
			}
			for f := range nf {
				if numAt[f] != nil {
					v, valid := numAt[f](i)
					if !valid || !finite(v) {
						dropped++
						continue rows
					}
				} else if _, valid := strAt[f](i); !valid {
					dropped++
					continue rows
				}
			}
			y = append(y, t)
			if labels {
				l, _ := lAt(i)
				ys = append(ys, l)
			}
			for f := range nf {
				if numAt[f] != nil {
					v, _ := numAt[f](i)
					nums[f] = append(nums[f], v)
				} else {
					s, _ := strAt[f](i)
					strs[f] = append(strs[f], s)
				}
			}
		}
		offset += n
	}
	if len(batches) == 0 {
		return nil, errors.New("model: fit: no batches")
	}
	d := &design{y: y, labels: ys, dropped: dropped}
	for f, name := range opts.Features {
		if kinds[f] == kindNumeric {
			d.cols = append(d.cols, designColumn{name: name, values: nums[f]})
			continue
		}
		levels := slices.Compact(slices.Sorted(slices.Values(strs[f])))
		if len(y) > 0 {
			d.encoding = append(d.encoding, Encoding{Column: name, Levels: levels, Reference: levels[0]})
		}
		if len(levels) == 1 {
			d.single = append(d.single, name)
		}
		for _, lvl := range levels[min(1, len(levels)):] {
			v := make([]float64, len(y))
			for i, s := range strs[f] {
				if s == lvl {
					v[i] = 1
				}
			}
			d.cols = append(d.cols, designColumn{name: name, level: lvl, values: v})
		}
	}
	return d, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// checkOLS reports problems that make the least-squares solution not
// unique and that can be named without a factorisation.
func (d *design) checkOLS() error {
	var errs []error
	for _, name := range d.single {
		errs = append(errs, fmt.Errorf("column %q has a single level %q in the training rows", name, d.encodingOf(name).Levels[0]))
	}
	for _, c := range d.cols {
		if floats.Min(c.values) == floats.Max(c.values) {
			errs = append(errs, fmt.Errorf("column %s is constant (%v in every training row)", c.label(), c.values[0]))
		}
	}
	if p := len(d.cols) + 1; len(errs) == 0 && len(d.y) < p {
		errs = append(errs, fmt.Errorf("%d rows are too few for %d coefficients (intercept included)", len(d.y), p))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("model: fit: %w; drop the column(s) or use ridge", err)
	}
	return nil
}

func (d *design) encodingOf(name string) Encoding {
	for _, e := range d.encoding {
		if e.Column == name {
			return e
		}
	}
	return Encoding{}
}

// standardize centres and scales every column in place and returns the
// transformation.
func (d *design) standardize() []Scaling {
	out := make([]Scaling, len(d.cols))
	for j, c := range d.cols {
		mean, sd := stat.PopMeanStdDev(c.values, nil)
		if sd == 0 {
			sd = 1
		}
		for i, v := range c.values {
			c.values[i] = (v - mean) / sd
		}
		out[j] = Scaling{Name: c.name, Level: c.level, Mean: mean, Scale: sd}
	}
	return out
}

// solveOLS solves min ‖y - b₀ - Xβ‖² by QR on the column-equilibrated
// design [1 X], after checking its numerical rank.
func (d *design) solveOLS() (float64, []float64, error) {
	n, p := len(d.y), len(d.cols)+1
	a := mat.NewDense(n, p, nil)
	norms := make([]float64, p)
	norms[0] = math.Sqrt(float64(n))
	for i := range n {
		a.Set(i, 0, 1/norms[0])
	}
	for j, c := range d.cols {
		norms[j+1] = floats.Norm(c.values, 2)
		for i, v := range c.values {
			a.Set(i, j+1, v/norms[j+1])
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var r mat.Dense
	qr.RTo(&r)
	for j := range p {
		if math.Abs(r.At(j, j)) <= RankTolerance {
			return 0, nil, d.collinear(&r, j)
		}
	}
	var x mat.Dense
	if err := qr.SolveTo(&x, false, mat.NewVecDense(n, slices.Clone(d.y))); err != nil {
		// A mat.Condition error is only a warning: the rank check above
		// already rejected designs whose solution is not unique.
		var cond mat.Condition
		if !errors.As(err, &cond) {
			return 0, nil, fmt.Errorf("model: fit: least squares: %w", err)
		}
	}
	beta := make([]float64, p-1)
	for j := range beta {
		beta[j] = x.At(j+1, 0) / norms[j+1]
	}
	return x.At(0, 0) / norms[0], beta, nil
}

// collinear builds the error for the first rank-deficient column j (in the
// equilibrated design, 0 being the intercept): it expresses column j in the
// columns before it, which are of full rank, to name its partners.
func (d *design) collinear(r *mat.Dense, j int) error {
	label := func(k int) string {
		if k == 0 {
			return "the intercept"
		}
		return d.cols[k-1].label()
	}
	// Back substitution: R[:j,:j] c = R[:j,j].
	c := make([]float64, j)
	for i := j - 1; i >= 0; i-- {
		s := r.At(i, j)
		for k := i + 1; k < j; k++ {
			s -= r.At(i, k) * c[k]
		}
		c[i] = s / r.At(i, i)
	}
	var partners []string
	for k, v := range c {
		// Columns have unit norm, so |c[k]| measures the share of column k.
		if math.Abs(v) > 1e-6 {
			partners = append(partners, label(k))
		}
	}
	return fmt.Errorf("model: fit: column %s is collinear with %s (rank-deficient design at relative tolerance %g); drop one of them or use ridge",
		label(j), strings.Join(partners, ", "), RankTolerance)
}

// solveRidge minimises ‖yc - Xc β‖² + α‖β‖² on centred data through the
// augmented least-squares system [Xc; √α I] β = [yc; 0], then recovers the
// unpenalised intercept from the means.
func (d *design) solveRidge(alpha float64) (float64, []float64, error) {
	n, p := len(d.y), len(d.cols)
	ymean := stat.Mean(d.y, nil)
	if p == 0 {
		return ymean, nil, nil
	}
	means := make([]float64, p)
	a := mat.NewDense(n+p, p, nil)
	for j, c := range d.cols {
		means[j] = stat.Mean(c.values, nil)
		for i, v := range c.values {
			a.Set(i, j, v-means[j])
		}
		a.Set(n+j, j, math.Sqrt(alpha))
	}
	b := mat.NewVecDense(n+p, nil)
	for i, v := range d.y {
		b.SetVec(i, v-ymean)
	}
	var qr mat.QR
	qr.Factorize(a)
	var x mat.Dense
	if err := qr.SolveTo(&x, false, b); err != nil {
		var cond mat.Condition
		if !errors.As(err, &cond) {
			return 0, nil, fmt.Errorf("model: fit: ridge: %w", err)
		}
	}
	beta := make([]float64, p)
	intercept := ymean
	for j := range beta {
		beta[j] = x.At(j, 0)
		intercept -= means[j] * beta[j]
	}
	return intercept, beta, nil
}

// Predict implements [Regressor]. Every feature must be present in batch,
// numeric features with an integer or floating-point type and categorical
// ones with a string-like type. A null, NaN or ±Inf feature value, or a
// level not seen in training, is an error naming the column and the row
// (and the level). The batch is only read.
func (m *Linear) Predict(ctx context.Context, batch arrow.RecordBatch) ([]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(m.Standardization) != 0 && len(m.Standardization) != len(m.Coefficients) {
		return nil, fmt.Errorf("model: predict: %d standardisation entries for %d coefficients", len(m.Standardization), len(m.Coefficients))
	}
	n := int(batch.NumRows())
	out := make([]float64, n)
	for i := range out {
		out[i] = m.Intercept
	}
	j := 0 // next coefficient
	// term is the contribution of model column c at value x.
	term := func(c int, x float64) float64 {
		if len(m.Standardization) != 0 {
			s := m.Standardization[c]
			x = (x - s.Mean) / s.Scale
		}
		return m.Coefficients[c].Value * x
	}
	for _, name := range m.Features {
		col, err := arrowx.Column(batch, name)
		if err != nil {
			return nil, fmt.Errorf("model: predict: %w", err)
		}
		enc, categorical := m.encodingOf(name)
		if !categorical {
			if j >= len(m.Coefficients) || m.Coefficients[j].Name != name {
				return nil, fmt.Errorf("model: predict: no coefficient for feature %q at position %d", name, j)
			}
			at, ok := arrowx.NumericAt(col)
			if !ok {
				return nil, fmt.Errorf("model: predict: column %q: type %s is not numeric", name, col.DataType())
			}
			for i := range n {
				v, valid := at(i)
				if !valid {
					return nil, rowErrorf(fmt.Sprintf("predict: column %q", name), i, n, "null value")
				}
				if !finite(v) {
					return nil, rowErrorf(fmt.Sprintf("predict: column %q", name), i, n, "value %v", v)
				}
				out[i] += term(j, v)
			}
			j++
			continue
		}
		at, ok := arrowx.StringAt(col)
		if !ok {
			return nil, fmt.Errorf("model: predict: column %q: type %s is not a string type", name, col.DataType())
		}
		first := j
		for _, lvl := range enc.Levels[min(1, len(enc.Levels)):] {
			if j >= len(m.Coefficients) || m.Coefficients[j].Name != name || m.Coefficients[j].Level != lvl {
				return nil, fmt.Errorf("model: predict: no coefficient for %q level %q at position %d", name, lvl, j)
			}
			j++
		}
		for i := range n {
			s, valid := at(i)
			if !valid {
				return nil, rowErrorf(fmt.Sprintf("predict: column %q", name), i, n, "null value")
			}
			k, found := slices.BinarySearch(enc.Levels, s)
			if !found {
				return nil, rowErrorf(fmt.Sprintf("predict: column %q", name), i, n, "level %q was not seen in training (levels: %s)",
					s, strings.Join(enc.Levels, ", "))
			}
			// With standardisation every one-hot column contributes, the
			// indicated one at 1 and the others at 0.
			for c := first; c < j; c++ {
				x := 0.0
				if c-first == k-1 {
					x = 1
				}
				out[i] += term(c, x)
			}
		}
	}
	if j != len(m.Coefficients) {
		return nil, fmt.Errorf("model: predict: %d coefficients for %d model columns", len(m.Coefficients), j)
	}
	return out, nil
}

func (m *Linear) encodingOf(name string) (Encoding, bool) {
	for _, e := range m.Encoding {
		if e.Column == name {
			return e, true
		}
	}
	return Encoding{}, false
}
