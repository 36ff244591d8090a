package slice

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/trustml/trustml/model"

	"github.com/trustml/trustml/result"
)

// handFixture has four slices of Month whose metrics are worked out by
// hand in TestHandCheckedMetrics.
//
//	Month   y            ŷ            residuals ŷ−y
//	5       10 20 30 40  13 17 33 37  +3 −3 +3 −3
//	6       10 10 20 20  11 11 21 21  +1 +1 +1 +1
//	7       0 10         6 2          +6 −8
//	null    5 5          5 9          0 +4
func handFixture(t *testing.T) (arrow.RecordBatch, []float64, []float64) {
	month := []int64{5, 6, 7, 5, 6, 0, 5, 6, 7, 5, 6, 0}
	null := []bool{false, false, false, false, false, true, false, false, false, false, false, true}
	y := []float64{10, 10, 0, 20, 10, 5, 30, 20, 10, 40, 20, 5}
	yhat := []float64{13, 11, 6, 17, 11, 5, 33, 21, 2, 37, 21, 9}
	return newBatch(t, intCol("Month", month, null...)), y, yhat
}

func TestHandCheckedMetrics(t *testing.T) {
	data, y, yhat := handFixture(t)
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Month"}}}
	spec.MinSize = 2
	spec.NBoot = 0
	checks := run(t, spec, data, y, yhat)
	require.Equal(t, []string{"slices.Month", "slices.Month=5", "slices.Month=6", "slices.Month=7", "slices.Month=(null)"}, names(checks))

	// Overall: Σr² = 36+4+100+16 = 156 over 12 rows; Σ|r| = 12+4+14+4 = 34;
	// Σr = 0+4−2+4 = 6; ȳ = 15 and Σ(y−ȳ)² = 1450.
	sum := checks[0].Details.(Summary)
	overall := map[string]float64{"mse": 13, "rmse": math.Sqrt(13), "mae": 34.0 / 12, "bias": 0.5, "r2": 1 - 156.0/1450}
	for _, e := range sum.Overall {
		if want, ok := overall[e.Metric]; ok {
			assert.InDelta(t, want, *e.Value, 1e-12, "overall %s", e.Metric)
		}
	}

	type want struct {
		n                   int
		mse, rmse, mae, r2v float64
		bias                float64
		r2Undefined         bool
	}
	wants := map[string]want{
		// ȳ = 25, Σ(y−ȳ)² = 500, R² = 1 − 36/500.
		"slices.Month=5": {n: 4, mse: 9, rmse: 3, mae: 3, r2v: 1 - 36.0/500, bias: 0},
		// ȳ = 15, Σ(y−ȳ)² = 100, R² = 1 − 4/100.
		"slices.Month=6": {n: 4, mse: 1, rmse: 1, mae: 1, r2v: 0.96, bias: 1},
		// ȳ = 5, Σ(y−ȳ)² = 50, R² = 1 − 100/50.
		"slices.Month=7": {n: 2, mse: 50, rmse: math.Sqrt(50), mae: 7, r2v: -1, bias: -1},
		// Constant targets: R² is undefined.
		"slices.Month=(null)": {n: 2, mse: 8, rmse: math.Sqrt(8), mae: 2, bias: 2, r2Undefined: true},
	}
	for _, c := range checks[1:] {
		w := wants[c.Name]
		s := c.Details.(Slice)
		assert.Equal(t, w.n, s.N, c.Name)
		assert.Equal(t, result.Pass, c.Status, c.Name)
		assert.Equal(t, "slice", c.Kind)
		assert.Equal(t, "Month", c.Column)
		for name, v := range map[string]float64{"mse": w.mse, "rmse": w.rmse, "mae": w.mae, "bias": w.bias} {
			e := metric(t, s, name)
			assert.InDelta(t, v, *e.Value, 1e-12, "%s %s", c.Name, name)
			assert.InDelta(t, v-overall[name], *e.Difference, 1e-12, "%s %s difference", c.Name, name)
			if overall[name] != 0 {
				assert.InDelta(t, v/overall[name], *e.Ratio, 1e-12, "%s %s ratio", c.Name, name)
			}
			assert.Nil(t, e.Lower, "n_boot 0 computes no interval")
		}
		r2 := metric(t, s, "r2")
		if w.r2Undefined {
			assert.Nil(t, r2.Value)
			assert.Equal(t, "target is constant", r2.Reason)
		} else {
			assert.InDelta(t, w.r2v, *r2.Value, 1e-12, c.Name)
		}
	}
	assert.Equal(t, "Month=6 (n=4): mse 1 (0.0769231× overall), rmse 1 (0.27735× overall), mae 1 (0.352941× overall), r2 0.96 (1.07573× overall), bias 1",
		checks[2].Message)
}

// groupBy is an independent oracle: per value of key, the MSE, MAE and
// bias of the residuals, computed with plain loops.
func groupBy(keys []string, y, yhat []float64) map[string][4]float64 {
	type acc struct{ n, sq, abs, sum float64 }
	accs := map[string]*acc{}
	for i, k := range keys {
		a := accs[k]
		if a == nil {
			a = &acc{}
			accs[k] = a
		}
		r := yhat[i] - y[i]
		a.n++
		a.sq += r * r
		a.abs += math.Abs(r)
		a.sum += r
	}
	out := map[string][4]float64{}
	for k, a := range accs {
		out[k] = [4]float64{a.n, a.sq / a.n, a.abs / a.n, a.sum / a.n}
	}
	return out
}

func TestAgreesWithGroupBy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 600
	regions := []string{"north", "south", "east", "west"}
	month := make([]int64, n)
	region := make([]string, n)
	y, yhat := make([]float64, n), make([]float64, n)
	keys := make([]string, n)
	for i := range n {
		month[i] = 5 + rng.Int64N(5)
		region[i] = regions[rng.IntN(len(regions))]
		y[i] = rng.NormFloat64() * 10
		yhat[i] = y[i] + rng.NormFloat64()*float64(month[i]-3)
		keys[i] = "Month=" + result.FormatFloat(float64(month[i])) + "&Region=" + region[i]
	}
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Month"}, {Column: "Region"}}}
	spec.MinSize = 1
	spec.NBoot = 0
	checks := run(t, spec, newBatch(t, intCol("Month", month), strCol("Region", region)), y, yhat)
	oracle := groupBy(keys, y, yhat)
	require.Len(t, checks, 1+len(oracle))
	for _, c := range checks[1:] {
		s := c.Details.(Slice)
		w, ok := oracle[s.Name]
		require.True(t, ok, s.Name)
		assert.Equal(t, int(w[0]), s.N, s.Name)
		assert.InDelta(t, w[1], *metric(t, s, "mse").Value, 1e-9, s.Name)
		assert.InDelta(t, math.Sqrt(w[1]), *metric(t, s, "rmse").Value, 1e-9, s.Name)
		assert.InDelta(t, w[2], *metric(t, s, "mae").Value, 1e-9, s.Name)
		assert.InDelta(t, w[3], *metric(t, s, "bias").Value, 1e-9, s.Name)
	}
	// Ordered by Month numerically, then Region lexically.
	assert.Equal(t, "slices.Month=5&Region=east", checks[1].Name)
	assert.Equal(t, "slices.Month=9&Region=west", checks[len(checks)-1].Name)
}

func TestMinSizeMergesRareValuesIntoOther(t *testing.T) {
	var region []string
	var null []bool
	add := func(v string, k int, isNull bool) {
		for range k {
			region = append(region, v)
			null = append(null, isNull)
		}
	}
	add("b", 12, false)
	add("a", 12, false)
	add("d", 2, false)
	add("c", 3, false)
	add("", 4, true)
	n := len(region)
	y, yhat := make([]float64, n), make([]float64, n)
	for i := range n {
		yhat[i] = float64(i % 3)
	}
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Region"}}}
	spec.MinSize = 5
	spec.NBoot = 50
	checks := run(t, spec, newBatch(t, strCol("Region", region, null...)), y, yhat)
	assert.Equal(t, []string{"slices.Region", "slices.Region=a", "slices.Region=b", "slices.Region=(other)"}, names(checks))
	other := checks[3].Details.(Slice)
	assert.Equal(t, 5, other.N, "c and d merged")
	sum := checks[0].Details.(Summary)
	assert.Equal(t, []string{"c", "d"}, sum.Cuts[0].Merged)
	require.Len(t, sum.Small, 1, "the null slice is never merged, and is too small")
	assert.Equal(t, "Region=(null)", sum.Small[0].Name)
	assert.Equal(t, 4, sum.Small[0].N)
	assert.Nil(t, sum.Small[0].Metrics[0].Lower, "small slices get no interval")
	assert.Equal(t, result.Pass, checks[0].Status)
	assert.Equal(t, "Region: 4 slices over 33 rows: 3 judged, 1 with fewer than 5 rows (Region=(null) n=4); Region values c, d merged into Region=(other)", checks[0].Message)

	// With rules but nothing large enough to judge, the summary warns.
	spec.MinSize = 50
	spec.FailIf = []Rule{{Metric: "rmse", Kind: Ratio, Limit: 2}}
	checks = run(t, spec, newBatch(t, strCol("Region", region, null...)), y, yhat)
	require.Len(t, checks, 1)
	assert.Equal(t, result.Warn, checks[0].Status)
	assert.Contains(t, checks[0].Message, "no slice is large enough to judge")
}

func TestNullSliceFromFloatNaNAndNull(t *testing.T) {
	temp := []float64{60, math.NaN(), 70, math.NaN(), 80, 90}
	y := make([]float64, len(temp))
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Temp", Bins: []float64{50, 75, 100}}}}
	spec.MinSize = 1
	spec.NBoot = 0
	checks := run(t, spec, newBatch(t, floatCol("Temp", temp)), y, y)
	got := map[string]int{}
	for _, c := range checks[1:] {
		got[c.Name] = c.Details.(Slice).N
	}
	assert.Equal(t, map[string]int{"slices.Temp=[50,75)": 2, "slices.Temp=[75,100]": 2, "slices.Temp=(null)": 2}, got)
	assert.Equal(t, "slices.Temp=(null)", checks[len(checks)-1].Name, "null comes last")
}

func TestBinEdges(t *testing.T) {
	// Bins are [a,b) but the last is [a,b]; outside values get their own
	// slices; empty bins are left out.
	wind := []float64{-1, 0, 7.999, 8, 12, 24.9, 25, 30, math.NaN()}
	y := make([]float64, len(wind))
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Wind", Bins: []float64{0, 8, 12, 25, 40, 50}}}}
	spec.MinSize = 1
	spec.NBoot = 0
	checks := run(t, spec, newBatch(t, floatCol("Wind", wind)), y, y)
	var got []string
	for _, c := range checks[1:] {
		got = append(got, c.Name+" "+result.FormatFloat(float64(c.Details.(Slice).N)))
	}
	assert.Equal(t, []string{
		"slices.Wind=(-Inf,0) 1",
		"slices.Wind=[0,8) 2",
		"slices.Wind=[8,12) 1",
		"slices.Wind=[12,25) 2",
		"slices.Wind=[25,40) 2",
		"slices.Wind=(null) 1",
	}, got)

	spec.By = []Slicing{{{Column: "Wind", Bins: []float64{0, 8, 25}}}}
	checks = run(t, spec, newBatch(t, floatCol("Wind", wind)), y, y)
	got = got[:0]
	for _, c := range checks[1:] {
		got = append(got, c.Name+" "+result.FormatFloat(float64(c.Details.(Slice).N)))
	}
	assert.Equal(t, []string{
		"slices.Wind=(-Inf,0) 1",
		"slices.Wind=[0,8) 2",
		"slices.Wind=[8,25] 4",
		"slices.Wind=(25,+Inf) 1",
		"slices.Wind=(null) 1",
	}, got)
}

func TestQuantileEdges(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vals  []float64
		k     int
		edges []float64
		want  []string
	}{
		{"even", []float64{8, 7, 6, 5, 4, 3, 2, 1}, 4, []float64{1, 3, 5, 7, 8},
			[]string{"T=[1,3) 2", "T=[3,5) 2", "T=[5,7) 2", "T=[7,8] 2"}},
		{"ties merge", []float64{1, 1, 1, 1, 1, 1, 2, 3}, 4, []float64{1, 2, 3},
			[]string{"T=[1,2) 6", "T=[2,3] 2"}},
		{"constant", []float64{4, 4, 4}, 2, []float64{4, 4},
			[]string{"T=[4,4] 3"}},
		{"infinities fall outside", []float64{math.Inf(-1), 1, 2, 3, 4, math.Inf(1)}, 2, []float64{1, 3, 4},
			[]string{"T=(-Inf,1) 1", "T=[1,3) 2", "T=[3,4] 2", "T=(4,+Inf) 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := make([]float64, len(tc.vals))
			spec := NewSpec()
			spec.By = []Slicing{{{Column: "T", Quantiles: tc.k}}}
			spec.MinSize = 1
			spec.NBoot = 0
			checks := run(t, spec, newBatch(t, floatCol("T", tc.vals)), y, y)
			assert.Equal(t, tc.edges, checks[0].Details.(Summary).Cuts[0].Edges)
			var got []string
			for _, c := range checks[1:] {
				got = append(got, strings.TrimPrefix(c.Name, "slices.")+" "+result.FormatFloat(float64(c.Details.(Slice).N)))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// ruleFixture has three slices of G:
//
//	ok     200 rows, residuals ±1           rmse 1, bias 0
//	bad     40 rows, residuals +4 ×30, −4 ×10   rmse 4 in every resample, bias 2
//	noisy   10 rows, residuals 0 ×9, +10 ×1  rmse √10 ≈ 3.16, bias 1
//
// Overall rmse = √((200 + 640 + 100)/250) ≈ 1.94, so rmse_ratio 1.5 puts
// the bound at ≈ 2.91: both bad and noisy exceed it, but a resample of
// noisy often misses its one large residual, so its interval reaches 0.
func ruleFixture(t *testing.T) (arrow.RecordBatch, []float64, []float64) {
	var g []string
	var r []float64
	for i := range 200 {
		g, r = append(g, "ok"), append(r, float64(1-2*(i%2)))
	}
	for i := range 40 {
		v := 4.0
		if i%4 == 3 {
			v = -4
		}
		g, r = append(g, "bad"), append(r, v)
	}
	for i := range 10 {
		v := 0.0
		if i == 4 {
			v = 10
		}
		g, r = append(g, "noisy"), append(r, v)
	}
	y := make([]float64, len(r))
	yhat := make([]float64, len(r))
	for i := range r {
		y[i] = float64(i % 17)
		yhat[i] = y[i] + r[i]
	}
	return newBatch(t, strCol("G", g)), y, yhat
}

func TestFailIf(t *testing.T) {
	for _, tc := range []struct {
		confidence bool
		want       map[string]result.Status
	}{
		{false, map[string]result.Status{"slices.G=bad": result.Fail, "slices.G=noisy": result.Fail, "slices.G=ok": result.Pass}},
		{true, map[string]result.Status{"slices.G=bad": result.Fail, "slices.G=noisy": result.Pass, "slices.G=ok": result.Pass}},
	} {
		t.Run(map[bool]string{false: "point", true: "confidence"}[tc.confidence], func(t *testing.T) {
			data, y, yhat := ruleFixture(t)
			spec := NewSpec()
			spec.By = []Slicing{{{Column: "G"}}}
			spec.Metrics = []string{"rmse"}
			spec.FailIf = []Rule{{Metric: "rmse", Kind: Ratio, Limit: 1.5}, {Metric: "bias", Kind: Abs, Limit: 0.5}}
			spec.Confidence = tc.confidence
			spec.NBoot = 400
			spec.Seed = 7
			checks := byName(t, run(t, spec, data, y, yhat))
			for name, st := range tc.want {
				assert.Equal(t, st, checks[name].Status, "%s: %s", name, checks[name].Message)
			}
			bad := checks["slices.G=bad"]
			s := bad.Details.(Slice)
			assert.Equal(t, []string{"rmse", "bias"}, []string{s.Metrics[0].Metric, s.Metrics[1].Metric}, "rule metrics are reported")
			assert.InDelta(t, 4, *s.Metrics[0].Lower, 1e-12, "every resample of bad has rmse 4")
			assert.InDelta(t, 1.5*math.Sqrt(940.0/250), s.Rules[0].Bound, 1e-12)
			assert.Equal(t, map[string]any{"rmse_ratio": s.Rules[0].Bound, "bias_abs": 0.5}, bad.Expected)

			noisy := checks["slices.G=noisy"].Details.(Slice)
			assert.True(t, noisy.Rules[0].Beyond)
			assert.False(t, *noisy.Rules[0].IntervalBeyond)
			assert.InDelta(t, 0, *noisy.Metrics[0].Lower, 1e-12)
			if tc.confidence {
				assert.Equal(t, "G=noisy (n=10): rmse 3.16228 [0, 5.47723] (1.63082× overall), bias 1 [0, 3]; within the rules: rmse 3.16228 > 2.90861 = 1.5 × overall 1.93907, but its 95% interval [0, 5.47723] reaches the bound: not significant; bias 1 is outside [-0.5, 0.5], but its 95% interval [0, 3] reaches the bound: not significant",
					checks["slices.G=noisy"].Message)
				assert.Contains(t, bad.Message, "rmse 4 > 2.90861 = 1.5 × overall 1.93907, and its 95% interval [4, 4] lies beyond")
			} else {
				assert.Equal(t, "G=noisy (n=10): rmse 3.16228 > 2.90861 = 1.5 × overall 1.93907; bias 1 is outside [-0.5, 0.5]",
					checks["slices.G=noisy"].Message)
				assert.Equal(t, "rmse ≤ 2.90861 (1.5 × overall 1.93907), |bias| ≤ 0.5", bad.ExpectedText)
			}
		})
	}
}

func TestSeverityWarn(t *testing.T) {
	data, y, yhat := ruleFixture(t)
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "G"}}}
	spec.FailIf = []Rule{{Metric: "rmse", Kind: Ratio, Limit: 1.5}}
	spec.NBoot = 0
	spec.Severity = result.SeverityWarn
	checks := byName(t, run(t, spec, data, y, yhat))
	assert.Equal(t, result.Warn, checks["slices.G=bad"].Status)
	assert.Equal(t, result.Pass, checks["slices.G=ok"].Status)
}

func TestDeterministicIntervals(t *testing.T) {
	data, y, yhat := ruleFixture(t)
	x := make([]int64, len(y))
	for i := range x {
		x[i] = int64(i % 3)
	}
	data2 := newBatch(t, strCol("G", stringsOf(data)), intCol("X", x))
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "G"}}}
	spec.NBoot = 200
	spec.Seed = 11
	a, _ := json.Marshal(run(t, spec, data, y, yhat))
	b, _ := json.Marshal(run(t, spec, data, y, yhat))
	assert.Equal(t, string(a), string(b), "same seed, same result")

	// A slice's interval does not depend on what else is sliced.
	spec2 := NewSpec()
	spec2.By = []Slicing{{{Column: "X"}}, {{Column: "G"}}}
	spec2.NBoot = 200
	spec2.Seed = 11
	c := byName(t, run(t, spec2, data2, y, yhat))
	first := byName(t, run(t, spec, data, y, yhat))
	assert.Equal(t, first["slices.G=ok"].Details, c["slices.G=ok"].Details)

	spec.Seed = 12
	d, _ := json.Marshal(run(t, spec, data, y, yhat))
	assert.NotEqual(t, string(a), string(d), "another seed, other resamples")
}

func stringsOf(b arrow.RecordBatch) []string {
	c, err := readColumn([]arrow.RecordBatch{b}, "G")
	if err != nil {
		panic(err)
	}
	return c.text
}

func TestRunErrors(t *testing.T) {
	data := newBatch(t, strCol("Region", []string{"a", "b", "c"}), floatCol("Temp", []float64{1, 2, math.NaN()}))
	y := []float64{1, 2, 3}
	for _, tc := range []struct {
		name string
		by   Slicing
		y    []float64
		want string
	}{
		{"missing column", Slicing{{Column: "Month"}}, y, `slice: column "Month" not found (columns: Region, Temp)`},
		{"bins on text", Slicing{{Column: "Region", Bins: []float64{0, 1}}}, y, `slice: column "Region": bins need a numeric column, but it holds text (cut it by value instead)`},
		{"quantiles on text", Slicing{{Column: "Region", Quantiles: 2}}, y, `slice: column "Region": quantiles need a numeric column, but it holds text (cut it by value instead)`},
		{"too few rows for quantiles", Slicing{{Column: "Temp", Quantiles: 3}}, y, `slice: column "Temp": quantiles: 3 needs at least 3 finite values, got 2`},
		{"row count", Slicing{{Column: "Region"}}, y[:2], `slice: the data has 3 rows but there are 2 targets; pass the columns of exactly the evaluated rows`},
		{"NaN target", Slicing{{Column: "Region"}}, []float64{1, math.NaN(), 3}, `model: slices: row 1 of 3: target is NaN`},
		{"invalid spec", Slicing{{Column: "Temp", Bins: []float64{2, 1}}}, y, `slice: by[0].bins: edges must increase strictly: 1 follows 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := NewSpec()
			spec.By = []Slicing{tc.by}
			yhat := make([]float64, len(tc.y))
			_, err := Run(context.Background(), spec, []arrow.RecordBatch{data}, tc.y, yhat)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
	_, err := Run(context.Background(), NewSpec(), nil, nil, nil)
	assert.EqualError(t, err, "slice: no rows to slice")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Region"}}}
	spec.MinSize = 1
	_, err = Run(ctx, spec, []arrow.RecordBatch{data}, y, y)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestRunRowErrorsNameDataRows: the error about a non-finite target or
// prediction is a *model.RowError at its position among the evaluated rows,
// which the caller turns into the data row with model.AtDataRows (issue
// 19, class 6).
func TestRunRowErrorsNameDataRows(t *testing.T) {
	data := newBatch(t, strCol("Region", []string{"a", "b", "c"}))
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Region"}}}
	for _, tc := range []struct {
		name    string
		y, yhat []float64
		want    string
	}{
		{"target", []float64{1, 2, math.Inf(1)}, []float64{1, 2, 3}, "model: slices: data row 90: target is +Inf"},
		{"prediction", []float64{1, 2, 3}, []float64{1, math.NaN(), 3}, "model: slices: data row 41: prediction is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), spec, []arrow.RecordBatch{data}, tc.y, tc.yhat)
			var re *model.RowError
			require.ErrorAs(t, err, &re)
			require.Same(t, re, err, "returned unwrapped, for AtDataRows")
			assert.EqualError(t, model.AtDataRows(err, []int{7, 41, 90}), tc.want)
		})
	}
}

func TestValidate(t *testing.T) {
	spec := &Spec{
		By:         []Slicing{{{Column: "A"}, {Column: "A"}}, {{Column: "B", Bins: []float64{1, 2}, Quantiles: 3}}},
		Metrics:    []string{"rsme"},
		FailIf:     []Rule{{Metric: "r2", Kind: Ratio, Limit: 2}},
		Confidence: true,
		Search:     &Search{FDR: 2, Metric: "l2"},
	}
	// The messages are the suite decoder's for a regressor, at the key a
	// suite would write.
	assert.EqualError(t, spec.ValidateFor(model.TaskRegression), `slice: by[0][1]: column "A" appears twice in one cross
slice: by[1].quantiles: bins and quantiles exclude each other; keep one
slice: metrics[0]: unknown metric "rsme" (did you mean "rmse"?)
slice: confidence: needs bootstrap intervals; n_boot must be > 0
slice: fail_if.r2_ratio: unknown rule "r2_ratio"; r2 has no slice rule (a slice's R² depends on the spread of its targets); rules are mse_ratio, rmse_ratio, mae_ratio, mape_ratio, median_ae_ratio, max_error_ratio, bias_abs
slice: search.fdr: must be a rate strictly between 0 and 1, got 2
slice: search.metric: unknown loss "l2"; losses are squared_error, absolute_error`)
	assert.NoError(t, (&Spec{}).Validate(), "the zero spec is valid")
}

// Two batches are read as one table, in order.
func TestSeveralBatches(t *testing.T) {
	a := newBatch(t, strCol("G", []string{"x", "y"}))
	b := newBatch(t, strCol("G", []string{"x", "x"}))
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "G"}}}
	spec.MinSize = 1
	spec.NBoot = 0
	y := []float64{0, 0, 0, 0}
	yhat := []float64{1, 5, 2, 3}
	checks, err := Run(context.Background(), spec, []arrow.RecordBatch{a, b}, y, yhat)
	require.NoError(t, err)
	x := checks[1].Details.(Slice)
	assert.Equal(t, "G=x", x.Name)
	assert.Equal(t, 3, x.N)
	assert.InDelta(t, 2, *metric(t, x, "mae").Value, 1e-12)
}

func TestDictionaryAndBooleanColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	db := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
	bb := array.NewBooleanBuilder(mem)
	for i, v := range []string{"west", "east", "west", "", "east"} {
		if v == "" {
			db.AppendNull()
		} else {
			require.NoError(t, db.AppendString(v))
		}
		bb.Append(i%2 == 0)
	}
	dict, flag := db.NewArray(), bb.NewArray()
	db.Release()
	bb.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "Zone", Type: dt, Nullable: true}, {Name: "Wet", Type: arrow.FixedWidthTypes.Boolean}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{dict, flag}, 5)
	dict.Release()
	flag.Release()
	defer rec.Release()

	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Zone"}, {Column: "Wet"}}}
	spec.MinSize = 1
	spec.NBoot = 0
	y := make([]float64, 5)
	checks := run(t, spec, rec, y, y)
	// Rows: west/true, east/false, west/true, null/false, east/true.
	assert.Equal(t, []string{"slices.Zone&Wet", "slices.Zone=east&Wet=false", "slices.Zone=east&Wet=true", "slices.Zone=west&Wet=true", "slices.Zone=(null)&Wet=false"}, names(checks))
	assert.Equal(t, 2, checks[3].Details.(Slice).N)
}
