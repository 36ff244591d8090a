package model

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// diabetesBatch reads testdata/diabetes.csv (all columns float64).
func diabetesBatch(t *testing.T) arrow.RecordBatch {
	t.Helper()
	f, err := os.Open("testdata/diabetes.csv")
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	header, rows := recs[0], recs[1:]
	cols := make([]column, len(header))
	for j, name := range header {
		vals := make([]float64, len(rows))
		for i, r := range rows {
			vals[i], err = strconv.ParseFloat(r[j], 64)
			require.NoError(t, err)
		}
		cols[j] = floats64(name, vals)
	}
	return newBatch(t, newMem(t), cols...)
}

func TestFitDiabetesOLS(t *testing.T) {
	batch := diabetesBatch(t)
	features := []string{"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"}
	m, err := Fit(context.Background(), []arrow.RecordBatch{batch}, FitOptions{Target: "progression", Features: features})
	require.NoError(t, err)

	// Oracle: the exact least-squares solution, obtained by solving the
	// normal equations XᵀX b = Xᵀy in exact rational arithmetic (Python's
	// fractions.Fraction over the decimal strings of the CSV, Gauss-Jordan
	// elimination), then rounded to float64. Exact, so independent of any
	// floating-point solver; it matches the published intercept -334.567,
	// bmi 5.6030 and s5 68.4831.
	wantIntercept := -334.56713851878726
	want := map[string]float64{
		"age": -0.036361224223625449,
		"sex": -22.859648090498389,
		"bmi": 5.6029620919237049,
		"bp":  1.1168079933181905,
		"s1":  -1.0899963340632408,
		"s2":  0.74645045551422662,
		"s3":  0.37200471508915395,
		"s4":  6.5338319359903387,
		"s5":  68.483124964788303,
		"s6":  0.28011698932150447,
	}
	relClose := func(name string, want, got float64) {
		t.Logf("%-9s oracle %.17g fit %.17g rel.err %.1e", name, want, got, math.Abs(got-want)/math.Abs(want))
		assert.LessOrEqualf(t, math.Abs(got-want), 1e-8*math.Abs(want), "%s: want %.17g, got %.17g", name, want, got)
	}
	relClose("intercept", wantIntercept, m.Intercept)
	require.Len(t, m.Coefficients, len(features))
	for i, c := range m.Coefficients {
		assert.Equal(t, features[i], c.Name)
		assert.Empty(t, c.Level)
		relClose(c.Name, want[c.Name], c.Value)
	}
	assert.Equal(t, 442, m.RowsUsed)
	assert.Zero(t, m.RowsDropped)
	assert.Equal(t, AlgorithmLinear, m.Algorithm)
}

func TestFitStandardizeKeepsOLSPredictions(t *testing.T) {
	batch := diabetesBatch(t)
	batches := []arrow.RecordBatch{batch}
	opts := FitOptions{Target: "progression", Features: []string{"age", "bmi", "bp", "s5"}}
	raw, err := Fit(context.Background(), batches, opts)
	require.NoError(t, err)
	opts.Standardize = true
	std, err := Fit(context.Background(), batches, opts)
	require.NoError(t, err)
	require.Len(t, std.Standardization, 4)
	// OLS is equivariant: a standardised slope is the raw slope times the
	// column's standard deviation, and predictions do not change.
	for j, c := range std.Coefficients {
		s := std.Standardization[j]
		assert.Equal(t, c.Name, s.Name)
		assert.InDelta(t, raw.Coefficients[j].Value*s.Scale, c.Value, 1e-9*math.Abs(c.Value))
	}
	p1, err := raw.Predict(context.Background(), batch)
	require.NoError(t, err)
	p2, err := std.Predict(context.Background(), batch)
	require.NoError(t, err)
	assert.InDeltaSlice(t, p1, p2, 1e-9)
}

func TestFitRidgeOneFeatureByHand(t *testing.T) {
	// x = 1,2,3, y = 1,3,2: x̄ = ȳ = 2, Sxx = 2, Sxy = 1; with α = 1 the
	// ridge slope is Sxy/(Sxx+α) = 1/3 and the intercept ȳ - x̄/3 = 4/3.
	mem := newMem(t)
	b := newBatch(t, mem, f64("x", 1, 2, 3), f64("y", 1, 3, 2))
	m, err := Fit(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "y", Features: []string{"x"}, Algorithm: "ridge", Alpha: 1})
	require.NoError(t, err)
	assert.InDelta(t, 4.0/3, m.Intercept, 1e-14)
	assert.InDelta(t, 1.0/3, m.Coefficients[0].Value, 1e-14)
}

// ridgeClosedForm returns the intercept and slopes of ridge regression by
// the textbook formula on centred data, β = (XcᵀXc + αI)⁻¹ Xcᵀ yc, with an
// explicit inverse: a different method from Fit's augmented QR.
func ridgeClosedForm(t *testing.T, cols [][]float64, y []float64, alpha float64) (float64, []float64) {
	n, p := len(y), len(cols)
	xc := mat.NewDense(n, p, nil)
	means := make([]float64, p)
	for j, c := range cols {
		for _, v := range c {
			means[j] += v / float64(n)
		}
		for i, v := range c {
			xc.Set(i, j, v-means[j])
		}
	}
	ym := 0.0
	for _, v := range y {
		ym += v / float64(n)
	}
	yc := mat.NewVecDense(n, nil)
	for i, v := range y {
		yc.SetVec(i, v-ym)
	}
	var a, inv mat.Dense
	a.Mul(xc.T(), xc)
	for j := range p {
		a.Set(j, j, a.At(j, j)+alpha)
	}
	require.NoError(t, inv.Inverse(&a))
	var xty, beta mat.VecDense
	xty.MulVec(xc.T(), yc)
	beta.MulVec(&inv, &xty)
	b0 := ym
	out := make([]float64, p)
	for j := range out {
		out[j] = beta.AtVec(j)
		b0 -= means[j] * out[j]
	}
	return b0, out
}

func TestFitRidgeClosedForm(t *testing.T) {
	x1 := []float64{1, 2, 3, 4, 5, 6}
	x2 := []float64{2, 1, 4, 3, 6, 8}
	x3 := []float64{2, 4, 6, 8, 10, 12} // 2·x1: collinear, fine for ridge
	y := []float64{3, 4, 8, 9, 13, 16}
	for _, tc := range []struct {
		name  string
		cols  [][]float64
		alpha float64
	}{
		{"two features", [][]float64{x1, x2}, 0.5},
		{"collinear", [][]float64{x1, x2, x3}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			cols := []column{floats64("y", y)}
			var names []string
			for j, c := range tc.cols {
				names = append(names, "x"+strconv.Itoa(j+1))
				cols = append(cols, floats64(names[j], c))
			}
			b := newBatch(t, mem, cols...)
			m, err := Fit(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "y", Features: names, Algorithm: "ridge", Alpha: tc.alpha})
			require.NoError(t, err)
			b0, beta := ridgeClosedForm(t, tc.cols, y, tc.alpha)
			assert.InDelta(t, b0, m.Intercept, 1e-10)
			for j, c := range m.Coefficients {
				assert.InDelta(t, beta[j], c.Value, 1e-10, c.Name)
			}
		})
	}
}

func TestFitRidgeStandardizedClosedForm(t *testing.T) {
	mem := newMem(t)
	x1 := []float64{1, 2, 3, 4, 5, 6}
	x2 := []float64{2, 1, 4, 3, 6, 8}
	y := []float64{3, 4, 8, 9, 13, 16}
	b := newBatch(t, mem, floats64("x1", x1), floats64("x2", x2), floats64("y", y))
	m, err := Fit(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "y", Features: []string{"x1", "x2"}, Algorithm: "ridge", Alpha: 1, Standardize: true})
	require.NoError(t, err)
	// Standardise by hand: x1 has mean 3.5 and population variance 35/12;
	// x2 has mean 4 and population variance (4+9+0+1+4+16)/6 = 34/6.
	z := func(x []float64, mean, sd float64) []float64 {
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = (v - mean) / sd
		}
		return out
	}
	s1, s2 := math.Sqrt(35.0/12), math.Sqrt(34.0/6)
	b0, beta := ridgeClosedForm(t, [][]float64{z(x1, 3.5, s1), z(x2, 4, s2)}, y, 1)
	assert.InDelta(t, b0, m.Intercept, 1e-10)
	assert.InDelta(t, 53.0/6, m.Intercept, 1e-10) // the mean of y
	assert.InDelta(t, beta[0], m.Coefficients[0].Value, 1e-10)
	assert.InDelta(t, beta[1], m.Coefficients[1].Value, 1e-10)
	assert.Equal(t, []Scaling{{Name: "x1", Mean: 3.5, Scale: s1}, {Name: "x2", Mean: 4, Scale: s2}}, roundScalings(m.Standardization))
}

func roundScalings(s []Scaling) []Scaling {
	out := make([]Scaling, len(s))
	for i, v := range s {
		v.Mean = math.Round(v.Mean*1e12) / 1e12
		out[i] = v
	}
	return out
}

// oneHotBatches holds y = 1 + 2x + 3·[c = green] + 5·[c = red] exactly,
// split over a string batch and a dictionary batch, with rows that must be
// dropped (null x, NaN x, null y, null c).
func oneHotBatches(t *testing.T) []arrow.RecordBatch {
	mem := newMem(t)
	b1 := newBatch(t, mem,
		f64("x", 0, 1, 2, 3, nil, 5),
		str("c", "blue", "green", "red", "blue", "red", "green"),
		f64("y", 1, 6, 10, 7, 0, 14),
	)
	b2 := newBatch(t, mem,
		f64("x", 1, 4, nan, 2, 3, 0),
		dict("c", "red", "green", "red", "blue", nil, "green"),
		f64("y", 8, 12, 0, nil, 0, 4),
	)
	return []arrow.RecordBatch{b1, b2}
}

func TestFitOneHot(t *testing.T) {
	batches := oneHotBatches(t)
	m, err := Fit(context.Background(), batches, FitOptions{Target: "y", Features: []string{"x", "c"}})
	require.NoError(t, err)
	assert.Equal(t, 8, m.RowsUsed)
	assert.Equal(t, 4, m.RowsDropped)
	assert.Equal(t, []Encoding{{Column: "c", Levels: []string{"blue", "green", "red"}, Reference: "blue"}}, m.Encoding)
	require.Len(t, m.Coefficients, 3)
	assert.InDelta(t, 1, m.Intercept, 1e-12)
	want := []Coefficient{{Name: "x", Value: 2}, {Name: "c", Level: "green", Value: 3}, {Name: "c", Level: "red", Value: 5}}
	for j, c := range m.Coefficients {
		assert.Equal(t, want[j].Name, c.Name)
		assert.Equal(t, want[j].Level, c.Level)
		assert.InDelta(t, want[j].Value, c.Value, 1e-12)
	}

	mem := newMem(t)
	ok := newBatch(t, mem, str("c", "red", "blue", "green"), f64("x", 1, 1, 10))
	got, err := m.Predict(context.Background(), ok)
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{8, 3, 24}, got, 1e-12)

	unseen := newBatch(t, mem, f64("x", 1, 2), str("c", "red", "purple"))
	_, err = m.Predict(context.Background(), unseen)
	require.Error(t, err)
	assert.Equal(t, `model: predict: column "c": row 1 of 2: level "purple" was not seen in training (levels: blue, green, red)`, err.Error())
	// The caller who knows which data rows the batch holds names them.
	assert.EqualError(t, AtDataRows(err, []int{17, 90}), `model: predict: column "c": data row 90: level "purple" was not seen in training (levels: blue, green, red)`)

	null := newBatch(t, mem, f64("x", 1, nil), str("c", "red", "red"))
	_, err = m.Predict(context.Background(), null)
	assert.EqualError(t, err, `model: predict: column "x": row 1 of 2: null value`)
}

func TestFitRowsOption(t *testing.T) {
	batches := oneHotBatches(t)
	// Rows 0..3 alone: x = 0,1,2,3, c = blue,green,red,blue, y exact.
	// Rows 4 (null x) is selected but dropped; rows 5.. are not selected.
	m, err := Fit(context.Background(), batches, FitOptions{Target: "y", Features: []string{"x"}, Rows: []int{3, 0, 4, 0}})
	require.NoError(t, err)
	assert.Equal(t, 2, m.RowsUsed)
	assert.Equal(t, 1, m.RowsDropped)
	// Through (0, 1) and (3, 7): slope 2, intercept 1.
	assert.InDelta(t, 1, m.Intercept, 1e-12)
	assert.InDelta(t, 2, m.Coefficients[0].Value, 1e-12)

	_, err = Fit(context.Background(), batches, FitOptions{Target: "y", Features: []string{"x"}, Rows: []int{12}})
	assert.EqualError(t, err, "model: fit: row 12 out of range [0, 12)")
}

func TestFitJSONRoundTrip(t *testing.T) {
	batches := oneHotBatches(t)
	m, err := Fit(context.Background(), batches, FitOptions{Target: "y", Features: []string{"x", "c"}, Algorithm: "ridge", Alpha: 0.1, Standardize: true})
	require.NoError(t, err)
	data, err := json.Marshal(m)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), `{"target":"y","features":["x","c"],"algorithm":"ridge","alpha":0.1,"intercept":`), string(data))
	var back Linear
	require.NoError(t, json.Unmarshal(data, &back))
	mem := newMem(t)
	clean := newBatch(t, mem, f64("x", 0, 7), str("c", "green", "blue"))
	want, err := m.Predict(context.Background(), clean)
	require.NoError(t, err)
	got, err := back.Predict(context.Background(), clean)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestFitErrors(t *testing.T) {
	mem := newMem(t)
	b := newBatch(t, mem,
		f64("x1", 1, 2, 3, 4, 5),
		f64("x2", 0, 1, 0, 1, 1),
		f64("k", 5, 5, 5, 5, 5),
		f64("z", 1, 4, 3, 6, 7),   // x1 + 2·x2
		f64("w", 4, 5, 6, 7, 8),   // 3 + x1
		f64("red", 1, 0, 0, 1, 0), // the indicator of c = red
		str("c", "red", "blue", "blue", "red", "green"),
		str("one", "a", "a", "a", "a", "a"),
		f64("y", 1, 3, 2, 5, 4),
		str("s", "1", "2", "3", "4", "5"),
	)
	batches := []arrow.RecordBatch{b}
	for _, tc := range []struct {
		name string
		opts FitOptions
		want string
	}{
		{"constant", FitOptions{Target: "y", Features: []string{"x1", "k"}},
			`model: fit: column "k" is constant (5 in every training row); drop the column(s) or use ridge`},
		{"collinear", FitOptions{Target: "y", Features: []string{"x1", "x2", "z"}},
			`model: fit: column "z" is collinear with "x1", "x2" (rank-deficient design at relative tolerance 1e-10); drop one of them or use ridge`},
		{"collinear with intercept", FitOptions{Target: "y", Features: []string{"x1", "w"}},
			`model: fit: column "w" is collinear with the intercept, "x1" (rank-deficient design at relative tolerance 1e-10); drop one of them or use ridge`},
		{"collinear with a level", FitOptions{Target: "y", Features: []string{"c", "red"}},
			`model: fit: column "red" is collinear with "c=red" (rank-deficient design at relative tolerance 1e-10); drop one of them or use ridge`},
		{"single level", FitOptions{Target: "y", Features: []string{"x1", "one"}},
			`model: fit: column "one" has a single level "a" in the training rows; drop the column(s) or use ridge`},
		{"too few rows", FitOptions{Target: "y", Features: []string{"x1", "x2", "c"}, Rows: []int{0, 1, 2}},
			`model: fit: 3 rows are too few for 4 coefficients (intercept included); drop the column(s) or use ridge`},
		{"missing column", FitOptions{Target: "y", Features: []string{"nope"}},
			`model: fit: batch 0: feature: column "nope" not found (columns: x1, x2, k, z, w, red, c, one, y, s)`},
		{"string target", FitOptions{Target: "s", Features: []string{"x1"}},
			`model: fit: target "s": type utf8 is not numeric`},
		{"bad options", FitOptions{Target: "y", Features: []string{"y", "x1", "x1"}, Algorithm: "lasso"},
			"model: fit: feature \"y\" is the target\nfeature \"x1\" is listed twice\nunknown algorithm \"lasso\" (want \"linear\" or \"ridge\")"},
		{"ridge alpha", FitOptions{Target: "y", Features: []string{"x1"}, Algorithm: "ridge"},
			"model: fit: ridge needs a finite alpha > 0, got 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(context.Background(), batches, tc.opts)
			assert.Nil(t, m)
			assert.EqualError(t, err, tc.want)
		})
	}

	// Ridge is well posed on the same designs: finite coefficients, and a
	// constant column gets 0.
	m, err := Fit(context.Background(), batches, FitOptions{Target: "y", Features: []string{"x1", "k", "z", "one"}, Algorithm: "ridge", Alpha: 1})
	require.NoError(t, err)
	require.Len(t, m.Coefficients, 3)
	assert.Zero(t, m.Coefficients[1].Value)
	for _, c := range m.Coefficients {
		assert.False(t, math.IsNaN(c.Value))
	}
}

func TestFitNoUsableRows(t *testing.T) {
	mem := newMem(t)
	b := newBatch(t, mem, f64("x", nil, 1), f64("y", 1, nan))
	_, err := Fit(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "y", Features: []string{"x"}})
	assert.EqualError(t, err, `model: fit: no usable rows (2 dropped for null, NaN or Inf in "y" or a feature)`)
}

func TestFitCancelled(t *testing.T) {
	mem := newMem(t)
	b := newBatch(t, mem, f64("x", 1, 2, 3), f64("y", 1, 2, 4))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Fit(ctx, []arrow.RecordBatch{b}, FitOptions{Target: "y", Features: []string{"x"}})
	assert.ErrorIs(t, err, context.Canceled)
}
