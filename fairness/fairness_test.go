package fairness

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/bound"
)

// build makes outcomes from per-group lists of (actual, selected) pairs
// written as strings: "TS" is an actual positive that was selected, "Fs"
// an actual negative that was not, and so on.
func build(groups map[string][]string) Outcomes {
	var o Outcomes
	for _, g := range []string{"a", "b", "c"} {
		for _, row := range groups[g] {
			o.Group = append(o.Group, g)
			o.Actual = append(o.Actual, row[0] == 'T')
			o.Selected = append(o.Selected, row[1] == 'S')
		}
	}
	return o
}

// Group a: 4 actual positives (3 selected), 6 negatives (2 selected).
// Group b: 5 actual positives (1 selected), 3 negatives (1 selected).
// Group c: 2 actual positives (2 selected), 2 negatives (1 selected).
var (
	groupA = []string{"TS", "TS", "TS", "Ts", "FS", "FS", "Fs", "Fs", "Fs", "Fs"}
	groupB = []string{"TS", "Ts", "Ts", "Ts", "Ts", "FS", "Fs", "Fs"}
	groupC = []string{"TS", "TS", "FS", "Fs"}
)

func TestHandComputedTwoGroups(t *testing.T) {
	a, err := Assess(build(map[string][]string{"a": groupA, "b": groupB}), Options{Resamples: 200, Permutations: 199, Seed: 1})
	require.NoError(t, err)
	require.Len(t, a.Groups, 2)
	ga, gb := a.Groups[0], a.Groups[1]
	assert.Equal(t, []int{10, 4, 6, 5}, []int{ga.Rows, ga.Positives, ga.Negatives, ga.Selected})
	assert.Equal(t, []int{8, 5, 3, 2}, []int{gb.Rows, gb.Positives, gb.Negatives, gb.Selected})
	// SR_a = 5/10, TPR_a = 3/4, FPR_a = 2/6; SR_b = 2/8, TPR_b = 1/5, FPR_b = 1/3.
	assert.InDelta(t, 0.5, ga.SelectionRate.Value, 1e-15)
	assert.InDelta(t, 0.75, ga.TPR.Value, 1e-15)
	assert.InDelta(t, 1.0/3, ga.FPR.Value, 1e-15)
	assert.InDelta(t, 0.25, gb.SelectionRate.Value, 1e-15)
	assert.InDelta(t, 0.2, gb.TPR.Value, 1e-15)
	assert.InDelta(t, 1.0/3, gb.FPR.Value, 1e-15)

	require.Len(t, a.Pairs, 1)
	assert.Equal(t, "a", a.Pairs[0].A)
	assert.InDelta(t, 0.25, a.Pairs[0].SelectionRate.Value, 1e-15)
	assert.InDelta(t, 0.55, a.Pairs[0].TPR.Value, 1e-15)
	assert.InDelta(t, 0, a.Pairs[0].FPR.Value, 1e-15)

	want := map[Name]float64{
		DemographicParityDifference: 0.25,
		DemographicParityRatio:      0.5,
		EqualOpportunityDifference:  0.55,
		EqualizedOddsDifference:     0.55,
	}
	for n, v := range want {
		m, ok := a.Metric(n)
		require.True(t, ok, n)
		assert.InDelta(t, v, m.Value, 1e-15, n)
		assert.Empty(t, m.Undefined, n)
		assert.LessOrEqual(t, m.Lo, m.Hi, n)
		assert.True(t, m.P > 0 && m.P <= 1, "%s: p = %v", n, m.P)
		assert.GreaterOrEqual(t, m.Q, m.P, n)
	}
}

func TestHandComputedThreeGroups(t *testing.T) {
	a, err := Assess(build(map[string][]string{"a": groupA, "b": groupB, "c": groupC}), Options{Resamples: 100, Permutations: 99, Seed: 2})
	require.NoError(t, err)
	// SR: a 0.5, b 0.25, c 0.75. TPR: a 0.75, b 0.2, c 1. FPR: a 1/3, b 1/3, c 1/2.
	want := map[Name]float64{
		DemographicParityDifference: 0.5,
		DemographicParityRatio:      1.0 / 3,
		EqualOpportunityDifference:  0.8,
		EqualizedOddsDifference:     0.8,
	}
	for n, v := range want {
		m, _ := a.Metric(n)
		assert.InDelta(t, v, m.Value, 1e-15, n)
	}
	require.Len(t, a.Pairs, 3)
	assert.Equal(t, [][2]string{{"a", "b"}, {"a", "c"}, {"b", "c"}}, [][2]string{{a.Pairs[0].A, a.Pairs[0].B}, {a.Pairs[1].A, a.Pairs[1].B}, {a.Pairs[2].A, a.Pairs[2].B}})
	assert.InDelta(t, 1.0/3-0.5, a.Pairs[1].FPR.Value, 1e-15)
}

func TestUndefinedRates(t *testing.T) {
	// Group b has no actual positives: its TPR, and both odds metrics,
	// are undefined; demographic parity still is.
	a, err := Assess(build(map[string][]string{"a": groupA, "b": {"FS", "Fs", "Fs"}}), Options{Resamples: 50, Permutations: 49})
	require.NoError(t, err)
	assert.True(t, math.IsNaN(a.Groups[1].TPR.Value))
	for _, n := range []Name{EqualOpportunityDifference, EqualizedOddsDifference} {
		m, _ := a.Metric(n)
		assert.True(t, math.IsNaN(m.Value), n)
		assert.True(t, math.IsNaN(m.P) && math.IsNaN(m.Q), n)
		assert.Equal(t, `group "b" has no actual positives`, m.Undefined, n)
		assert.False(t, m.Pass(bound.AtMost(1), false), "an undefined metric never passes")
	}
	dp, _ := a.Metric(DemographicParityDifference)
	assert.InDelta(t, 0.5-1.0/3, dp.Value, 1e-15)

	// Nobody selected: the ratio is 0/0.
	none := build(map[string][]string{"a": {"Ts", "Fs"}, "b": {"Ts", "Fs"}})
	a, err = Assess(none, Options{Resamples: 10, Permutations: 9})
	require.NoError(t, err)
	r, _ := a.Metric(DemographicParityRatio)
	assert.True(t, math.IsNaN(r.Value))
	assert.Equal(t, "no group has a selected row", r.Undefined)
}

func TestBenjaminiHochberg(t *testing.T) {
	// Sorted: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02, 0.03·4/3 = 0.04,
	// 0.04·4/4 = 0.04; step-up minima leave them so.
	q := benjaminiHochberg([]float64{0.01, 0.04, 0.03, 0.005})
	for i, want := range []float64{0.02, 0.04, 0.04, 0.02} {
		assert.InDelta(t, want, q[i], 1e-15)
	}
	// A smaller adjusted value later pulls earlier ones down; NaN is kept
	// and not counted in m.
	q = benjaminiHochberg([]float64{0.02, 0.021, math.NaN()})
	assert.InDelta(t, 0.021, q[0], 1e-15)
	assert.InDelta(t, 0.021, q[1], 1e-15)
	assert.True(t, math.IsNaN(q[2]))
}

func TestPermutationPValueMatchesEnumeration(t *testing.T) {
	// Two selected rows in group a, two unselected in b, all actual
	// negatives: demographic parity difference 1. Of the C(4,2) = 6 ways
	// to place group a's two labels, 2 give a difference of 1, so the
	// exact p-value is 1/3.
	o := Outcomes{
		Actual:   []bool{false, false, false, false},
		Selected: []bool{true, true, false, false},
		Group:    []string{"a", "a", "b", "b"},
	}
	const n = 9999
	a, err := Assess(o, Options{Resamples: 10, Permutations: n, Seed: 7})
	require.NoError(t, err)
	m, _ := a.Metric(DemographicParityDifference)
	assert.Equal(t, 1.0, m.Value)
	// Three binomial standard errors of a proportion 1/3 over n draws.
	assert.InDelta(t, 1.0/3, m.P, 3*math.Sqrt(1.0/3*2.0/3/n))
}

// generate draws n rows per group with P(actual) = base, and selection
// probabilities tpr (actual positives) and fpr (actual negatives) per group.
func generate(rng *rand.Rand, n int, base float64, tpr, fpr map[string]float64) Outcomes {
	var o Outcomes
	for _, g := range []string{"a", "b"} {
		for range n {
			actual := rng.Float64() < base
			p := fpr[g]
			if actual {
				p = tpr[g]
			}
			o.Group = append(o.Group, g)
			o.Actual = append(o.Actual, actual)
			o.Selected = append(o.Selected, rng.Float64() < p)
		}
	}
	return o
}

func TestPlantedDisparityIsFound(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	// Group b's qualified rows are selected 60% of the time against a's
	// 80%; both groups' unqualified rows 10%. Equal opportunity (TPR
	// difference 0.2) and equalized odds are violated; demographic parity
	// too, by 0.4·0.2 = 0.08.
	o := generate(rng, 2000, 0.4, map[string]float64{"a": 0.8, "b": 0.6}, map[string]float64{"a": 0.1, "b": 0.1})
	a, err := Assess(o, Options{Seed: 3})
	require.NoError(t, err)
	for _, n := range []Name{DemographicParityDifference, EqualOpportunityDifference, EqualizedOddsDifference} {
		m, _ := a.Metric(n)
		t.Logf("%s = %.4f [%.4f, %.4f], p = %.4f, q = %.4f", n, m.Value, m.Lo, m.Hi, m.P, m.Q)
		assert.Less(t, m.Q, 0.01, "%s: q = %v", n, m.Q)
	}
	eo, _ := a.Metric(EqualOpportunityDifference)
	assert.InDelta(t, 0.2, eo.Value, 0.06)
	assert.Less(t, eo.Lo, 0.2)
	assert.Greater(t, eo.Hi, 0.2)
	// The interval lies beyond a 0.05 bound: confidence or not, it fails;
	// against a 0.3 bound it passes either way.
	assert.False(t, eo.Pass(bound.AtMost(0.05), true))
	assert.False(t, eo.Pass(bound.AtMost(0.05), false))
	assert.True(t, eo.Pass(bound.AtMost(0.3), true))
}

func TestNoDisparityIsRarelyFlagged(t *testing.T) {
	flagged := 0
	for i := range 20 {
		rng := rand.New(rand.NewPCG(uint64(100+i), 1))
		o := generate(rng, 500, 0.3, map[string]float64{"a": 0.7, "b": 0.7}, map[string]float64{"a": 0.2, "b": 0.2})
		a, err := Assess(o, Options{Resamples: 100, Seed: uint64(i)})
		require.NoError(t, err)
		for _, m := range a.Metrics {
			if m.Q < 0.01 {
				flagged++
				break
			}
		}
	}
	t.Logf("%d of 20 datasets with no disparity flagged at q < 0.01", flagged)
	assert.LessOrEqual(t, flagged, 1)
}

func TestIntervalWidthMatchesNormalApproximation(t *testing.T) {
	// A selection rate p over n rows has standard error sqrt(p(1−p)/n);
	// the 95% percentile interval is close to ±1.96 of them.
	rng := rand.New(rand.NewPCG(5, 6))
	o := generate(rng, 2000, 0.5, map[string]float64{"a": 0.3, "b": 0.3}, map[string]float64{"a": 0.3, "b": 0.3})
	a, err := Assess(o, Options{Resamples: 2000, Permutations: 9, Seed: 9})
	require.NoError(t, err)
	sr := a.Groups[0].SelectionRate
	se := math.Sqrt(sr.Value * (1 - sr.Value) / 2000)
	assert.InEpsilon(t, 2*1.96*se, sr.Hi-sr.Lo, 0.15)
	assert.Equal(t, 2000, sr.Resamples)
}

func TestPassWithConfidence(t *testing.T) {
	m := Metric{Estimate: Estimate{Value: 0.12, Lo: 0.08, Hi: 0.16}}
	assert.False(t, m.Pass(bound.AtMost(0.1), false), "the value is beyond the bound")
	assert.True(t, m.Pass(bound.AtMost(0.1), true), "the interval still reaches the bound")
	assert.False(t, m.Pass(bound.AtMost(0.07), true))
	assert.True(t, m.Pass(bound.Interval{Max: ptr(0.08)}, true))
	assert.False(t, m.Pass(bound.Interval{Max: ptr(0.08), StrictMax: true}, true))
	// A ratio bounded below.
	r := Metric{Estimate: Estimate{Value: 0.75, Lo: 0.7, Hi: 0.79}}
	assert.False(t, r.Pass(bound.AtLeast(0.8), false))
	assert.False(t, r.Pass(bound.AtLeast(0.8), true))
	assert.True(t, r.Pass(bound.AtLeast(0.78), true))
}

func ptr(f float64) *float64 { return &f }

func TestBadInput(t *testing.T) {
	_, err := Assess(Outcomes{Actual: []bool{true}, Selected: []bool{true, false}, Group: []string{"a"}}, Options{})
	assert.EqualError(t, err, "fairness: 1 actual labels, 2 selections and 1 groups: want one of each per row")
	_, err = Assess(Outcomes{}, Options{})
	assert.EqualError(t, err, "fairness: no rows")
	_, err = Assess(build(map[string][]string{"a": groupA}), Options{})
	assert.ErrorIs(t, err, ErrTooFewGroups)
	assert.EqualError(t, err, `fairness: fewer than two groups: every row is in group "a"`)
	_, err = Assess(build(map[string][]string{"a": groupA, "b": groupB}), Options{Resamples: MaxResamples + 1})
	assert.EqualError(t, err, "fairness: resamples 100001 outside 1..100000")
	_, err = Assess(build(map[string][]string{"a": groupA, "b": groupB}), Options{Level: 1.5})
	assert.EqualError(t, err, "fairness: level 1.5 outside (0, 1)")
}

func TestDeterministic(t *testing.T) {
	o := build(map[string][]string{"a": groupA, "b": groupB, "c": groupC})
	x, err := Assess(o, Options{Resamples: 100, Permutations: 99, Seed: 4})
	require.NoError(t, err)
	y, err := Assess(o, Options{Resamples: 100, Permutations: 99, Seed: 4})
	require.NoError(t, err)
	assert.Equal(t, x, y)
}
