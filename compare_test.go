package trustml_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

// y = 0..9; the challenger is off by +1 on every row, the champion by +2
// on the even rows and 0 on the odd ones. Hand-computed on all 10 rows:
// challenger MAE 1, RMSE 1, bias 1; champion MAE 1, RMSE √2, bias 1.
const cmpCSV = "x,g,y,new,old\n" +
	"0,a,0,1,2\n1,b,1,2,1\n2,a,2,3,4\n3,b,3,4,3\n4,a,4,5,6\n" +
	"5,b,5,6,5\n6,a,6,7,8\n7,b,7,8,7\n8,a,8,9,10\n9,b,9,10,9\n"

func TestCompareTo(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": cmpCSV, "suite.yaml": `
data: {path: d.csv}
seed: 11
model:
  target: y
  features: [x]
  predictions: new
  compare_to:
    name: v1
    predictions: old
    max_worse: {rmse: 0, mae: 0, bias: 0}
slices: {by: [g], metrics: [rmse, mae], min_size: 1}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	cmp := res.Model.Comparison
	require.NotNil(t, cmp)
	assert.Equal(t, "v1", cmp.Champion)
	assert.Equal(t, 10, cmp.N)
	assert.Equal(t, uint64(11), cmp.Seed, "the suite's seed when compare_to sets none")
	assert.Equal(t, uint64(11), res.Run.Seeds["compare"])
	byMetric := map[string]trustml.MetricComparison{}
	for _, m := range cmp.Metrics {
		byMetric[m.Metric] = m
	}
	rmse := byMetric["rmse"]
	assert.InDelta(t, 1.0, rmse.Model.V, 1e-15)
	assert.InDelta(t, 1.4142135623730951, rmse.Champion.V, 1e-15)
	assert.InDelta(t, 1-1.4142135623730951, *rmse.Difference, 1e-15)
	assert.True(t, *rmse.Better)
	require.NotNil(t, rmse.Lower)
	assert.LessOrEqual(t, *rmse.Lower, *rmse.Difference)
	assert.GreaterOrEqual(t, *rmse.Upper, *rmse.Difference)
	mae := byMetric["mae"]
	assert.InDelta(t, 0, *mae.Difference, 1e-15)
	assert.False(t, *mae.Better, "equal is not better")

	checks := map[string]result.Check{}
	for _, c := range res.Checks {
		checks[c.Name] = c
	}
	assert.Equal(t, result.Pass, checks["model.compare.rmse"].Status)
	assert.Equal(t, result.Pass, checks["model.compare.mae"].Status, "not worse by more than 0")
	assert.Equal(t, result.Pass, checks["model.compare.bias"].Status)
	assert.Contains(t, checks["model.compare.rmse"].Message, "rmse 1 vs v1 1.41421: better by 0.414214 (95% interval of the difference")

	// Per slice: on g=b (odd rows) the champion is exact and the challenger
	// is off by 1 everywhere, so the challenger is worse there; on g=a the
	// champion is off by 2.
	got := map[string]float64{}
	for _, s := range cmp.Slices {
		if s.Metric == "mae" {
			got[s.Slice] = *s.Difference
		}
	}
	assert.Equal(t, map[string]float64{"g=a": -1, "g=b": 1}, got)

	// The same seed gives the same intervals.
	again, err := run(t, p)
	require.NoError(t, err)
	assert.Equal(t, cmp, again.Model.Comparison)
}

func TestCompareToWorseFails(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": cmpCSV, "suite.yaml": `
data: {path: d.csv}
model:
  target: y
  features: [x]
  predictions: old
  compare_to: {predictions: new, max_worse: {rmse: 0.1}}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	c := res.Checks[len(res.Checks)-1]
	assert.Equal(t, "model.compare.rmse", c.Name)
	assert.Equal(t, result.Fail, c.Status)
	assert.Contains(t, c.Message, "rmse 1.41421 vs champion 1: worse by 0.414214")
	assert.Contains(t, c.Message, "may be worse by at most 0.1")
}
