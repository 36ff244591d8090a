package slice

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/result"
)

// searchData draws n rows with features Region (4 values), Temp (uniform
// on [50, 100)), Wind (uniform on [0, 20)) and Day (1–28, searched by
// value), and residuals N(0, 1); with plant, residuals of the rows with
// Region = c and Temp ≥ 87.5 (the top quartile) are N(0, 2.5²) instead.
func searchData(t *testing.T, seed uint64, n int, plant bool) (arrow.RecordBatch, []float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 42))
	region := make([]string, n)
	temp, wind := make([]float64, n), make([]float64, n)
	day := make([]int64, n)
	y, yhat := make([]float64, n), make([]float64, n)
	for i := range n {
		region[i] = string(rune('a' + rng.IntN(4)))
		temp[i] = 50 + 50*rng.Float64()
		wind[i] = 20 * rng.Float64()
		day[i] = 1 + rng.Int64N(28)
		y[i] = 40 + 0.5*temp[i] + 5*rng.NormFloat64()
		sd := 1.0
		if plant && region[i] == "c" && temp[i] >= 87.5 {
			sd = 2.5
		}
		yhat[i] = y[i] + sd*rng.NormFloat64()
	}
	return newBatch(t, strCol("Region", region), floatCol("Temp", temp), floatCol("Wind", wind), intCol("Day", day)), y, yhat
}

func searchSpec() *Spec {
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "Region"}}, {{Column: "Temp", Quantiles: 4}}}
	spec.NBoot = 0
	spec.Search = NewSearch()
	spec.Search.Features = []Dim{{Column: "Region"}, {Column: "Temp"}, {Column: "Wind"}}
	return spec
}

func TestSearchFindsPlantedPair(t *testing.T) {
	data, y, yhat := searchData(t, 1, 3000, true)
	checks := run(t, searchSpec(), data, y, yhat)
	c := checks[len(checks)-1]
	require.Equal(t, "slices.search", c.Name)
	assert.Equal(t, result.Warn, c.Status, "found slices warn by default")
	res := c.Details.(SearchResult)
	for _, f := range res.Found {
		t.Logf("%-28s n=%4d mean loss %6.3f vs %6.3f  d=%.3f  t=%.2f  df=%.0f  q=%.3g", f.Name, f.N, f.MeanLoss, f.RestMeanLoss, f.Effect, f.T, f.DF, f.Q)
	}
	t.Logf("%d candidates, %d significant", res.Candidates, res.Significant)
	require.NotEmpty(t, res.Found)
	top := res.Found[0]
	require.Len(t, top.Values, 2, "the planted slice is a pair: %s", top.Name)
	assert.Equal(t, Value{Column: "Region", Value: "c"}, top.Values[0])
	assert.Equal(t, "Temp", top.Values[1].Column)
	assert.True(t, strings.HasSuffix(top.Values[1].Value, "]"), "the top quartile of Temp: %s", top.Values[1].Value)
	assert.Less(t, top.Q, 1e-6)
	assert.Greater(t, top.Effect, 0.8)
	// Singles and pairs of 3 features cut into 4: 12 singles and 48 pairs.
	assert.Equal(t, 60, res.Candidates)
	assert.Equal(t, []string{"value", "quantiles", "quantiles"}, []string{res.Features[0].By, res.Features[1].By, res.Features[2].By})
	for _, f := range res.Found {
		assert.LessOrEqual(t, f.Q, 0.05)
		overlaps := false
		for _, v := range f.Values {
			overlaps = overlaps || v == Value{Column: "Region", Value: "c"} || (v.Column == "Temp" && strings.HasSuffix(v.Value, "]"))
		}
		assert.True(t, overlaps, "every slice found overlaps the planted one: %s", f.Name)
	}
	assert.Contains(t, c.Message, "7 of 60 candidate slices significantly worse; worst: "+top.Name+" (n=187, mean loss 6.01")
}

func TestSearchNoPlantedEffect(t *testing.T) {
	// Under no effect at all, Benjamini–Hochberg at 5% should report
	// nothing in about 95% of datasets (it controls the family-wise rate
	// when every null is true).
	const datasets = 20
	withFinds := 0
	for seed := range uint64(datasets) {
		data, y, yhat := searchData(t, 100+seed, 800, false)
		spec := searchSpec()
		spec.Search.Features = append(spec.Search.Features, Dim{Column: "Day"})
		checks := run(t, spec, data, y, yhat)
		c := checks[len(checks)-1]
		res := c.Details.(SearchResult)
		if res.Significant > 0 {
			withFinds++
			t.Logf("seed %d: %s", seed, c.Message)
		} else {
			assert.Equal(t, result.Pass, c.Status)
			assert.Empty(t, res.Found)
		}
	}
	t.Logf("%d of %d datasets without effect reported a slice", withFinds, datasets)
	assert.LessOrEqual(t, withFinds, 3)
}

func TestSearchSeverityAndDefaults(t *testing.T) {
	data, y, yhat := searchData(t, 1, 3000, true)
	spec := searchSpec()
	spec.Search = &Search{Severity: result.SeverityError, Metric: AbsoluteError, TopK: 2}
	checks := run(t, spec, data, y, yhat)
	c := checks[len(checks)-1]
	assert.Equal(t, result.Fail, c.Status)
	res := c.Details.(SearchResult)
	assert.Len(t, res.Found, 2)
	// Zero fields take the defaults; Pairs is false in a Search literal,
	// and features default to the columns of by, cut as by cuts them.
	assert.Equal(t, 8, res.Candidates)
	assert.Equal(t, 20, res.MinSupport)
	assert.Equal(t, AbsoluteError, res.Loss)
	assert.Equal(t, "Region=c", res.Found[0].Name)
}

func TestWelchAgainstDirectComputation(t *testing.T) {
	loss := []float64{1, 2, 3, 4, 10, 12, 9, 11, 0, 1, 2}
	g := group{name: "g", rows: []int{4, 5, 6, 7}}
	mean, ss := 0.0, 0.0
	for _, l := range loss {
		mean += l
	}
	mean /= float64(len(loss))
	for _, l := range loss {
		ss += (l - mean) * (l - mean)
	}
	f, ok := welch(g, loss, len(loss), mean, ss, 2)
	require.True(t, ok)
	// Slice {10, 12, 9, 11}: mean 10.5, variance 5/3. Rest {1,2,3,4,0,1,2}:
	// mean 13/7, variance (Σx² − 7·mean²)/6 = (35 − 169/7)/6 = 38/21.
	v1, v2 := 5.0/3, 38.0/21
	a, b := v1/4, v2/7
	assert.InDelta(t, 10.5, f.MeanLoss, 1e-12)
	assert.InDelta(t, 13.0/7, f.RestMeanLoss, 1e-12)
	assert.InDelta(t, (10.5-13.0/7)/math.Sqrt(a+b), f.T, 1e-9)
	assert.InDelta(t, (a+b)*(a+b)/(a*a/3+b*b/6), f.DF, 1e-9)
	assert.InDelta(t, (10.5-13.0/7)/math.Sqrt((3*v1+6*v2)/9), f.Effect, 1e-9)
	assert.Less(t, f.P, 1e-4)

	_, ok = welch(g, loss, len(loss), mean, ss, 5)
	assert.False(t, ok, "below min_support")
}

func TestBenjaminiHochberg(t *testing.T) {
	// p = 0.01, 0.04, 0.03, 0.5 → sorted 0.01, 0.03, 0.04, 0.5;
	// p·m/rank = 0.04, 0.06, 0.0533, 0.5; running minimum from the top.
	cands := []candidate{{Finding: Finding{P: 0.01}}, {Finding: Finding{P: 0.04}}, {Finding: Finding{P: 0.03}}, {Finding: Finding{P: 0.5}}}
	benjaminiHochberg(cands)
	var q []float64
	for _, c := range cands {
		q = append(q, c.Q)
	}
	assert.InDeltaSlice(t, []float64{0.04, 0.16 / 3, 0.16 / 3, 0.5}, q, 1e-12)
}
