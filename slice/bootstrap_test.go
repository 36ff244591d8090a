package slice

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestBootstrapCoverage simulates datasets whose residuals are drawn from
// N(μ, σ²), so that the true bias, RMSE and MAE are known in closed form,
// and counts how often the 95% percentile interval covers each.
func TestBootstrapCoverage(t *testing.T) {
	const (
		datasets = 200
		n        = 60
		nBoot    = 500
		mu       = 0.5
		sigma    = 2.0
	)
	// E|X| for X ~ N(μ, σ²): σ√(2/π)·exp(−μ²/2σ²) + μ(1 − 2Φ(−μ/σ)).
	phi := distuv.UnitNormal.CDF(-mu / sigma)
	truth := map[string]float64{
		"bias": mu,
		"rmse": math.Sqrt(mu*mu + sigma*sigma),
		"mae":  sigma*math.Sqrt(2/math.Pi)*math.Exp(-mu*mu/(2*sigma*sigma)) + mu*(1-2*phi),
	}
	metrics := []string{"bias", "rmse", "mae"}
	covered := map[string]int{}
	data := rand.New(rand.NewPCG(1, 2))
	y, yhat := make([]float64, n), make([]float64, n)
	for d := range datasets {
		for i := range n {
			y[i] = 10 * data.Float64()
			yhat[i] = y[i] + mu + sigma*data.NormFloat64()
		}
		ivs := bootstrapOf(y, yhat, metrics, nBoot, rand.New(rand.NewPCG(uint64(d), 99)))
		for k, m := range metrics {
			if ivs[k].lo <= truth[m] && truth[m] <= ivs[k].hi {
				covered[m]++
			}
		}
	}
	for _, m := range metrics {
		rate := float64(covered[m]) / datasets
		t.Logf("%s: the 95%% interval covered the true value in %d of %d datasets (%.1f%%)", m, covered[m], datasets, 100*rate)
		assert.GreaterOrEqual(t, rate, 0.90, m)
		assert.LessOrEqual(t, rate, 0.99, "%s: an interval this wide is not a 95%% interval", m)
	}
}

func TestBootstrapDeterministicAndUndefined(t *testing.T) {
	y := []float64{1, 1, 1, 2}
	yhat := []float64{1.5, 0.5, 1, 2}
	a := bootstrapOf(y, yhat, []string{"r2", "mae"}, 300, streamFor(5, "s"))
	b := bootstrapOf(y, yhat, []string{"r2", "mae"}, 300, streamFor(5, "s"))
	assert.Equal(t, a, b)
	var ry, rh []float64
	for i := range 30 {
		ry, rh = append(ry, float64(i)), append(rh, float64(i)+math.Sin(float64(i)))
	}
	c := bootstrapOf(ry, rh, []string{"mae"}, 300, streamFor(5, "s"))
	e := bootstrapOf(ry, rh, []string{"mae"}, 300, streamFor(5, "t"))
	assert.NotEqual(t, c, e, "another slice name, another stream")
	// R² is undefined when a resample draws only targets equal to 1
	// (probability (3/4)⁴ ≈ 32%): those resamples are left out.
	assert.Less(t, a[0].replicates, 300)
	assert.Greater(t, a[0].replicates, 150)
	assert.Equal(t, 300, a[1].replicates)

	// A slice whose targets are all equal never defines R².
	none := bootstrapOf([]float64{3, 3}, []float64{1, 2}, []string{"r2"}, 50, streamFor(1, "x"))
	assert.False(t, none[0].ok)
}

// bootstrapOf bootstraps every row of a regressor's (y, yhat).
func bootstrapOf(y, yhat []float64, metrics []string, nBoot int, rng *rand.Rand) []interval {
	return bootstrap(regression(y, yhat).measure, allRows(len(y)), metrics, nBoot, rng)
}
