package drift_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/drift"
	"github.com/trustml/trustml/profile"
	"github.com/trustml/trustml/result"
)

// These tests run drift.Compare as a suite does, on profiles of seeded
// data: a reference, a resample of the same distribution ("same") and a
// shifted copy ("shifted"), and check that the drift section flags the
// shift and not the resample, with thresholds taken from the null
// distributions of the statistics rather than tuned to the samples.

const (
	nRows     = 5000 // rows in every sample
	batchRows = 1000 // rows per Arrow batch
)

// population is what a sample is drawn from: a normal column x and a
// categorical column cat.
type population struct {
	mean, sd float64
	cats     []string
	probs    []float64
}

var (
	basePop = population{mean: 50, sd: 10, cats: []string{"a", "b", "c"}, probs: []float64{0.5, 0.3, 0.2}}
	// shiftedPop moves x's mean by 0.3 standard deviation and 10 points of
	// share from category "a" to "b".
	shiftedPop = population{mean: 53, sd: 10, cats: []string{"a", "b", "c"}, probs: []float64{0.4, 0.4, 0.2}}
)

var sampleSchema = arrow.NewSchema([]arrow.Field{
	{Name: "x", Type: arrow.PrimitiveTypes.Float64},
	{Name: "cat", Type: arrow.BinaryTypes.String},
}, nil)

// draw returns nRows rows of pop from a PCG seeded with seed, in batches
// of batchRows; the caller releases them.
func draw(mem memory.Allocator, pop population, seed uint64) []arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var out []arrow.RecordBatch
	for start := 0; start < nRows; start += batchRows {
		xb := array.NewFloat64Builder(mem)
		cb := array.NewStringBuilder(mem)
		for range batchRows {
			xb.Append(pop.mean + pop.sd*rng.NormFloat64())
			u, k := rng.Float64(), 0
			for ; k < len(pop.probs)-1 && u >= pop.probs[k]; k++ {
				u -= pop.probs[k]
			}
			cb.Append(pop.cats[k])
		}
		x, c := xb.NewArray(), cb.NewArray()
		out = append(out, array.NewRecordBatch(sampleSchema, []arrow.Array{x, c}, batchRows))
		x.Release()
		c.Release()
		xb.Release()
		cb.Release()
	}
	return out
}

// profileUpdate profiles a sample batch by batch with profile.New, Update
// and Finish.
func profileUpdate(t *testing.T, pop population, seed uint64, opts profile.Options) *profile.Profile {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batches := draw(mem, pop, seed)
	p, err := profile.New(sampleSchema, nil, opts)
	require.NoError(t, err)
	for _, b := range batches {
		p.Update(b)
		b.Release()
	}
	return p.Finish()
}

// profileRead profiles a sample through a RecordReader with profile.Read.
func profileRead(t *testing.T, pop population, seed uint64) *profile.Profile {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	batches := draw(mem, pop, seed)
	rr, err := array.NewRecordReader(sampleSchema, batches)
	require.NoError(t, err)
	for _, b := range batches {
		b.Release()
	}
	defer rr.Release()
	p, err := profile.Read(context.Background(), rr, nil)
	require.NoError(t, err)
	return p
}

// Null bounds for two samples of n = m = nRows rows.
var (
	alpha = 0.01
	// scale is 1/n + 1/m, the variance scale of every two-sample statistic.
	scale = 2.0 / nRows

	// PSI: for two samples from one distribution over B fixed bins,
	// PSI / (1/n + 1/m) tends to χ² with B − 1 degrees of freedom
	// (Yurdakul 2018); bins cut at the reference's quantiles have the
	// same limit. The bounds are the 99.9th percentiles: 0.0112 for the
	// ten decile bins of x, 0.0055 for the three categories. The rule
	// of thumb PSI ≤ 0.1 is no null bound: it is about 90 times the
	// null mean at this size, and the population PSI of the shift tested
	// here is 0.086 on x (over the reference's deciles) and 0.051 on cat,
	// below it.
	psiMaxX   = scale * distuv.ChiSquared{K: 9}.Quantile(0.999)
	psiMaxCat = scale * distuv.ChiSquared{K: 2}.Quantile(0.999)

	// W1: for two samples from one distribution F with standard deviation
	// σ, √(nm/(n+m))·W1 tends to ∫|B(F(x))| dx, B a Brownian bridge
	// (del Barrio, Giné & Matrán 1999). Its mean is
	// √(2/π)·∫√(F(1−F)) dx = 1.2884·σ for a normal F, and it is the
	// supremum of the Gaussian process ∫g·B(F) dx over |g| ≤ 1, whose
	// largest variance (g = 1) is σ², so by the Borell–TIS inequality it
	// exceeds its mean by u·σ with probability at most exp(−u²/2): 0.1%
	// for u = 3.7. From sketches W1 moves by at most α·(E|X_ref| + E|X_cur|)
	// (the package's bound), 0.005·(50 + 50) = 0.5 here. So
	// W1 ≤ (1.2884 + 3.7)·σ·√(1/n + 1/m) + 0.5 = 1.498 with probability
	// 0.999; the shift tested here has W1 = 0.3σ = 3.
	wMax = (math.Sqrt(2/math.Pi)*normalBridgeIntegral()+3.7)*basePop.sd*math.Sqrt(scale) +
		profile.DefaultRelativeAccuracy*2*basePop.mean
)

// normalBridgeIntegral returns ∫√(Φ(z)(1−Φ(z))) dz over the real line for
// the standard normal Φ (1.6147), by the midpoint rule over [−12, 12].
func normalBridgeIntegral() float64 {
	n := distuv.UnitNormal
	const lo, hi, steps = -12.0, 12.0, 24000
	h := (hi - lo) / steps
	var s float64
	for i := range steps {
		f := n.CDF(lo + (float64(i)+0.5)*h)
		s += math.Sqrt(f*(1-f)) * h
	}
	return s
}

// driftSpec is the suite's drift section with the null bounds above.
func driftSpec() *drift.Spec {
	return &drift.Spec{Columns: []drift.Column{
		{Name: "x", Tests: []drift.Test{
			{Kind: drift.KSTest, PValue: bound.AtLeast(alpha)},
			{Kind: drift.PSITest, Statistic: bound.AtMost(psiMaxX)},
			{Kind: drift.WassersteinTest, Statistic: bound.AtMost(wMax)},
		}},
		{Name: "cat", Tests: []drift.Test{
			{Kind: drift.ChiSquareTest, PValue: bound.AtLeast(alpha)},
			{Kind: drift.PSITest, Statistic: bound.AtMost(psiMaxCat)},
			{Kind: drift.NewCategories, Statistic: bound.AtMost(0)},
		}},
	}}
}

// observed returns a check's statistic or p-value by key.
func observed(t *testing.T, c result.Check, key string) float64 {
	t.Helper()
	obs, ok := c.Observed.(map[string]any)
	require.True(t, ok, "%s: observed is %T", c.Name, c.Observed)
	switch v := obs[key].(type) {
	case float64:
		return v
	case int:
		return float64(v)
	}
	require.Failf(t, "no number", "%s: observed[%q] is %T", c.Name, key, obs[key])
	return 0
}

func byName(checks []result.Check) map[string]result.Check {
	out := map[string]result.Check{}
	for _, c := range checks {
		out[c.Name] = c
	}
	return out
}

// TestNullBounds pins the bounds the other tests use to the values their
// comments derive.
func TestNullBounds(t *testing.T) {
	assert.InDelta(t, 1.6147, normalBridgeIntegral(), 1e-4)
	assert.InDelta(t, 0.0112, psiMaxX, 1e-4)
	assert.InDelta(t, 0.0055, psiMaxCat, 1e-4)
	assert.InDelta(t, 1.498, wMax, 1e-3)
}

// TestDriftShiftedNotResampled profiles a seeded reference, a resample of
// the same distribution and a shifted copy, and compares each with the
// reference: every check passes on the resample; on the shifted copy
// KS, PSI, Wasserstein and chi-square fail, and the statistics are near
// their population values.
func TestDriftShiftedNotResampled(t *testing.T) {
	ref := profileUpdate(t, basePop, 1, profile.Options{})
	same := profileRead(t, basePop, 2)
	shifted := profileRead(t, shiftedPop, 3)
	require.True(t, ref.Column("x").HighCardinality, "x should be compared through its sketch")
	spec := driftSpec()

	sameChecks, err := drift.Compare(spec, ref, same)
	require.NoError(t, err)
	require.Len(t, sameChecks, spec.Len())
	for _, c := range sameChecks {
		assert.Equal(t, result.Pass, c.Status, "same: %s", c.Message)
		t.Logf("same:    %s: %s", c.Name, c.ObservedText)
	}

	shiftedChecks, err := drift.Compare(spec, ref, shifted)
	require.NoError(t, err)
	require.Len(t, shiftedChecks, spec.Len())
	for _, c := range shiftedChecks {
		t.Logf("shifted: %s: %s", c.Name, c.ObservedText)
	}
	got := byName(shiftedChecks)
	for _, name := range []string{"drift.x.ks", "drift.x.psi", "drift.x.wasserstein", "drift.cat.chi_square", "drift.cat.psi"} {
		assert.Equal(t, result.Fail, got[name].Status, "shifted: %s", got[name].Message)
	}
	assert.Equal(t, result.Pass, got["drift.cat.new_categories"].Status, "no category is new")

	// Population values of the shift δ = 0.3σ: D = 2Φ(δ/2) − 1 = 0.1192,
	// W1 = δ = 3, PSI over the reference's deciles 0.0861 and over the
	// categories 0.0511. The tolerances are about four sampling standard
	// deviations (√(1/n+1/m) ≈ 0.02 times the statistic's scale) plus, for
	// x, the sketches' error bounds (D short by at most max_error, W1 off
	// by at most 0.5).
	ks := got["drift.x.ks"]
	d, maxErr := observed(t, ks, "statistic"), observed(t, ks, "max_error")
	assert.Less(t, maxErr, 0.03)
	assert.InDelta(t, 2*distuv.UnitNormal.CDF(0.15)-1, d, 0.04+maxErr)
	assert.Less(t, observed(t, ks, "p_value"), 1e-12)
	assert.InDelta(t, 3, observed(t, got["drift.x.wasserstein"], "distance"), 0.8+0.5)
	assert.InDelta(t, 0.0861, observed(t, got["drift.x.psi"], "psi"), 0.03)
	assert.InDelta(t, 0.0511, observed(t, got["drift.cat.psi"], "psi"), 0.02)
	assert.Less(t, observed(t, got["drift.cat.chi_square"], "p_value"), 1e-12)
}

// TestDriftResampleCalibrated repeats the resample over 20 pairs of seeds:
// at α = 0.01 the KS and chi-square tests may flag a resample about once
// in a hundred comparisons, so at most 2 of 20 (probability 0.999 for a
// calibrated test). The KS test is run both from sketches (the default
// profile: conservative, the statistic is never larger than the exact one)
// and from exact values (MaxDistinct above the row count); the exact
// p-values must also spread over (0, 1) as a uniform sample does, rather
// than sit near 1, so that passing says they are calibrated, not inert.
func TestDriftResampleCalibrated(t *testing.T) {
	const trials = 20
	exactOpts := profile.Options{MaxDistinct: 2 * nRows}
	spec := &drift.Spec{Columns: []drift.Column{
		{Name: "x", Tests: []drift.Test{{Kind: drift.KSTest, PValue: bound.AtLeast(alpha)}}},
		{Name: "cat", Tests: []drift.Test{{Kind: drift.ChiSquareTest, PValue: bound.AtLeast(alpha)}}},
	}}
	flagged := map[string]int{}
	var exactP, sketchP []float64
	for trial := range uint64(trials) {
		refSeed, curSeed := 100+2*trial, 101+2*trial
		for _, mode := range []string{"sketch", "exact"} {
			opts := profile.Options{}
			if mode == "exact" {
				opts = exactOpts
			}
			ref := profileUpdate(t, basePop, refSeed, opts)
			cur := profileUpdate(t, basePop, curSeed, opts)
			checks, err := drift.Compare(spec, ref, cur)
			require.NoError(t, err)
			require.Len(t, checks, 2)
			ks, chi := checks[0], checks[1]
			require.Equal(t, mode == "exact", ks.Observed.(map[string]any)["exact"], "trial %d %s", trial, mode)
			p := observed(t, ks, "p_value")
			if p < alpha {
				flagged["ks "+mode]++
			}
			if mode == "sketch" {
				sketchP = append(sketchP, p)
			} else {
				exactP = append(exactP, p)
				if observed(t, chi, "p_value") < alpha {
					flagged["chi_square"]++
				}
			}
			// The verdict follows the p-value.
			assert.Equal(t, p >= alpha, ks.Status == result.Pass, "trial %d %s: %s", trial, mode, ks.Message)
		}
	}
	t.Logf("false positives at α = %v over %d resamples: %v; KS p-values exact %.3f, from sketches %.3f",
		alpha, trials, flagged, exactP, sketchP)
	for _, k := range []string{"ks sketch", "ks exact", "chi_square"} {
		assert.LessOrEqual(t, flagged[k], 2, "%s flagged %d of %d resamples", k, flagged[k], trials)
	}
	// Uniform p-values: the mean is 0.5 with standard deviation
	// 1/√(12·20) ≈ 0.065 (within 0.2 with probability 0.998), and between
	// 4 and 16 of the 20 are below 0.5 with probability 0.997.
	var sum float64
	below := 0
	for _, p := range exactP {
		sum += p
		if p < 0.5 {
			below++
		}
	}
	assert.InDelta(t, 0.5, sum/trials, 0.2, "mean exact KS p-value")
	assert.GreaterOrEqual(t, below, 4, "exact KS p-values below 0.5")
	assert.LessOrEqual(t, below, 16, "exact KS p-values below 0.5")
}
