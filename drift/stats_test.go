package drift

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func sample(xs ...float64) Dist {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	var d Dist
	for _, x := range xs {
		if n := len(d.Values); n > 0 && d.Values[n-1] == x {
			d.Counts[n-1]++
			continue
		}
		d.Values = append(d.Values, x)
		d.Counts = append(d.Counts, 1)
	}
	return d
}

// TestKS pins the statistic to values computed by hand from the empirical
// CDFs (and equal to scipy.stats.ks_2samp's statistic).
func TestKS(t *testing.T) {
	// F_x − F_y over x = 1..5 and y = 3..8 peaks at 5: 5/5 − 3/6 = 0.5.
	assert.InDelta(t, 0.5, KS(sample(1, 2, 3, 4, 5), sample(3, 4, 5, 6, 7, 8)), 1e-15)
	// Ties: at 2, F_x = 3/4 and F_y = 1/4.
	assert.InDelta(t, 0.5, KS(sample(1, 2, 2, 3), sample(2, 3, 3, 3)), 1e-15)
	assert.Equal(t, 0.0, KS(sample(1, 2, 3), sample(3, 2, 1)))
	assert.Equal(t, 1.0, KS(sample(1, 2), sample(3, 4)))
}

// TestKolmogorovQ pins Q_KS(λ) = 1 − K(λ) to the Kolmogorov distribution's
// table (K(0.5) = 0.0361, K(0.8) = 0.4559, K(1.0) = 0.7300, K(1.2) = 0.8878,
// K(1.5) = 0.9778; also partial sums of 2Σ(−1)^{k−1}e^{−2k²λ²} by hand:
// Q(1.0) = 2(e^{−2} − e^{−8} + e^{−18}) = 0.270000, and for Q(0.5) six terms
// 1.2130613 − 0.2706706 + 0.0222180 − 0.0006709 + 0.0000075 − 0.0000000 = 0.9639452) and to
// the classic critical values √(−ln(α/2)/2): Q(1.3581) = 0.05 and
// Q(1.6276) = 0.01 (scipy: kstwobign.isf(0.05) = 1.3581, isf(0.01) = 1.6276).
func TestKolmogorovQ(t *testing.T) {
	for _, tc := range []struct{ lambda, q, tol float64 }{
		{0.5, 1 - 0.0361, 1e-4}, {0.8, 1 - 0.4559, 1e-4}, {1.0, 1 - 0.7300, 1e-4},
		{1.2, 1 - 0.8878, 1e-4}, {1.5, 1 - 0.9778, 1e-4},
		{1.0, 2 * (math.Exp(-2) - math.Exp(-8) + math.Exp(-18) - math.Exp(-32)), 1e-12},
		{0.5, 0.9639452, 1e-7},
		{1.3581, 0.05, 2e-5}, {1.6276, 0.01, 1e-5},
		{0, 1, 0}, {10, 0, 1e-80},
	} {
		assert.InDelta(t, tc.q, KolmogorovQ(tc.lambda), tc.tol, "λ = %v", tc.lambda)
	}
	// The two series agree where KolmogorovQ switches between them.
	assert.InDelta(t, KolmogorovQ(1.18-1e-12), KolmogorovQ(1.18), 1e-9)
	// KSPValue scales by √(nm/(n+m)): n = m = 50 gives √25 = 5, and
	// D = 0.27162 gives λ = 1.3581.
	assert.InDelta(t, 0.05, KSPValue(1.3581/5, 50, 50), 2e-5)
	assert.True(t, math.IsNaN(KSPValue(0.1, 0, 5)))
}

// TestChiSquare pins the test to a 2×3 table computed by hand: row totals
// 60 and 60, column totals 30, 40, 50, expected counts 15, 20, 25 in both
// rows, χ² = 2·(25/15 + 0 + 25/25) = 16/3, two degrees of freedom, whose
// survival function is e^{−x/2}: p = e^{−8/3} = 0.0694835
// (scipy.stats.chi2_contingency([[10,20,30],[20,20,20]], correction=False)).
func TestChiSquare(t *testing.T) {
	x2, df, p := ChiSquare([]float64{10, 20, 30}, []float64{20, 20, 20})
	assert.InDelta(t, 16.0/3, x2, 1e-12)
	assert.Equal(t, 2, df)
	assert.InDelta(t, math.Exp(-8.0/3), p, 1e-12)
	assert.InDelta(t, 0.0694835, p, 1e-7)
	// A category absent from both is ignored; one absent from the
	// reference counts. Table [[5, 0], [5, 10]]: E = [[2.5, 2.5], [7.5, 7.5]],
	// χ² = 6.25/2.5·2 + 6.25/7.5·2 = 6.6667, df 1.
	x2, df, _ = ChiSquare([]float64{5, 0, 0}, []float64{5, 10, 0})
	assert.InDelta(t, 20.0/3, x2, 1e-12)
	assert.Equal(t, 1, df)
	x2, df, p = ChiSquare([]float64{3}, []float64{9})
	assert.Equal(t, []any{0.0, 0, 1.0}, []any{x2, df, p})
}

// TestPSI pins the index to sums computed by hand.
func TestPSI(t *testing.T) {
	// (0.4−0.5)ln(0.4/0.5) + 0 + (0.3−0.2)ln(0.3/0.2) = 0.0223144 + 0.0405465.
	assert.InDelta(t, 0.0628609, PSI([]float64{0.5, 0.3, 0.2}, []float64{0.4, 0.3, 0.3}), 1e-7)
	// An empty reference bin takes ε = 1e-4:
	// (0.5−1)ln(0.5) + (0.5−1e-4)ln(0.5/1e-4) = 0.3465736 + 0.4999·8.5171932.
	assert.InDelta(t, 4.6043185, PSI([]float64{1, 0}, []float64{0.5, 0.5}), 1e-7)
	assert.Equal(t, 0.0, PSI([]float64{0.2, 0.8, 0}, []float64{0.2, 0.8, 0}))
}

func TestFractions(t *testing.T) {
	d := sample(1, 2, 2, 3, 10)
	// Bins (−∞, 2], (2, 5], (5, ∞).
	assert.InDeltaSlice(t, []float64{0.6, 0.2, 0.2}, Fractions(d, []float64{2, 5}), 1e-15)
	assert.Equal(t, []float64{1}, Fractions(d, nil))
}

// TestWasserstein pins W1 to areas between CDFs computed by hand.
func TestWasserstein(t *testing.T) {
	// A shift by 5 moves every unit of mass 5.
	assert.InDelta(t, 5, Wasserstein(sample(0, 1, 3), sample(5, 6, 8)), 1e-12)
	// The CDFs differ by 1/3 on [3, 4).
	assert.InDelta(t, 1.0/3, Wasserstein(sample(1, 2, 3), sample(1, 2, 4)), 1e-12)
	// Half the mass moves from 0 to 2: 0.5·2.
	assert.InDelta(t, 1, Wasserstein(sample(0, 0), sample(0, 2)), 1e-12)
	assert.Equal(t, 0.0, Wasserstein(sample(4, 4, 7), sample(7, 4, 4)))
	assert.True(t, math.IsNaN(Wasserstein(sample(), sample(1))))
}

// TestWassersteinMetric checks W1(a, b) = W1(b, a) and the triangle
// inequality on random samples.
func TestWassersteinMetric(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	draw := func(n int, shift float64) Dist {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Round(rng.NormFloat64()*3+shift) / 2
		}
		return sample(xs...)
	}
	for range 20 {
		a, b, c := draw(40, 0), draw(30, 1), draw(50, -1)
		assert.InDelta(t, Wasserstein(a, b), Wasserstein(b, a), 1e-12)
		assert.LessOrEqual(t, Wasserstein(a, c), Wasserstein(a, b)+Wasserstein(b, c)+1e-12)
	}
}
