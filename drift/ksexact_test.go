package drift

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seq(lo, hi float64) []float64 {
	var out []float64
	for x := lo; x <= hi; x++ {
		out = append(out, x)
	}
	return out
}

func reps(values []float64, times []int) []float64 {
	var out []float64
	for i, v := range values {
		for range times[i] {
			out = append(out, v)
		}
	}
	return out
}

// TestKSPValueExactR pins the exact p-values to R 4.2.2's ks.test, computed
// offline with
//
//	f <- function(x, y) { t <- suppressWarnings(ks.test(x, y, exact = TRUE)); sprintf("%.15g %.15g", t$statistic, t$p.value) }
//
// on the vectors below (R ≥ 4.2 is ties-aware in its exact test).
func TestKSPValueExactR(t *testing.T) {
	for _, tc := range []struct {
		name string
		x, y []float64
		d, p float64
	}{
		// f(c(1,2,2,3,3,3,4,5), c(2,3,4,4,5,6,6,7))
		{"ties", []float64{1, 2, 2, 3, 3, 3, 4, 5}, []float64{2, 3, 4, 4, 5, 6, 6, 7}, 0.5, 0.185703185703185},
		// f(c(0.61, ..., -2.47), c(2.1, ..., 0.8))
		{"no ties", []float64{0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28, 2.36, 1.31, 1.05, -0.32, -0.4, 1.06, -2.47},
			[]float64{2.1, 0.9, 1.4, 0.2, 1.8, 2.6, 0.7, 1.1, 3.2, 1.5, 0.3, 2.2, 1.9, 0.8, 2.9}, 0.586666666666667, 0.00167738011710605},
		// f(rep(1:3, c(10,5,5)), rep(1:3, c(4,8,8)))
		{"three values", reps([]float64{1, 2, 3}, []int{10, 5, 5}), reps([]float64{1, 2, 3}, []int{4, 8, 8}), 0.3, 0.123705129624759},
		// f(1:7, c(3,5,8:16))
		{"unequal sizes", seq(1, 7), append([]float64{3, 5}, seq(8, 16)...), 0.818181818181818, 0.00254524886877272},
		// f(rep(1:10, 10), rep(3:12, 10)): n·m = 10000, the threshold
		{"at the threshold", reps(seq(1, 10), []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}), reps(seq(3, 12), []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}), 0.2, 0.018363717359843},
		// f(c(1,2,3), c(1,2,3))
		{"identical", []float64{1, 2, 3}, []float64{1, 2, 3}, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := sample(tc.x...), sample(tc.y...)
			assert.InDelta(t, tc.d, KS(a, b), 1e-12)
			got := KSPValueExact(a, b)
			assert.InEpsilon(t, tc.p, got, 1e-9)
			p, method := KSPValueFor(a, b, true)
			assert.Equal(t, PValueExact, method)
			assert.Equal(t, got, p)
		})
	}
}

// TestKSPValueExactDriftExample pins the drift example's columns (61 vs 61
// rows, with ties) to R 4.2.2:
//
//	r <- read.csv("reference.csv"); c <- read.csv("current.csv")
//	ks.test(na.omit(r$Temp), na.omit(c$Temp), exact = TRUE)$p.value   # 0.000373592292458369
//	ks.test(na.omit(r$Wind), na.omit(c$Wind), exact = TRUE)$p.value   # 0.132729603542902
//	ks.test(na.omit(r$Ozone), na.omit(c$Ozone), exact = TRUE)$p.value # 0.0105296047991463 (35 vs 55)
//
// The asymptotic p-values, 0.000716 and 0.189, are what trustml gave before.
func TestKSPValueExactDriftExample(t *testing.T) {
	ref, cur := readColumns(t, "../examples/drift/reference.csv"), readColumns(t, "../examples/drift/current.csv")
	for col, want := range map[string]float64{"Temp": 0.000373592292458369, "Wind": 0.132729603542902, "Ozone": 0.0105296047991463} {
		a, b := sample(ref[col]...), sample(cur[col]...)
		p, method := KSPValueFor(a, b, true)
		assert.Equal(t, PValueExact, method, col)
		assert.InEpsilon(t, want, p, 1e-9, col)
	}
}

// readColumns reads a CSV's numeric columns, leaving out NA.
func readColumns(t *testing.T, path string) map[string][]float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	out := map[string][]float64{}
	for _, r := range rows[1:] {
		for j, s := range r {
			if v, err := strconv.ParseFloat(s, 64); err == nil {
				out[rows[0][j]] = append(out[rows[0][j]], v)
			}
		}
	}
	return out
}

// TestKSPValueExactBruteForce checks the dynamic programme against an
// enumeration of every split of the pooled values (the permutation
// distribution itself), on small samples with and without ties.
func TestKSPValueExactBruteForce(t *testing.T) {
	for _, tc := range []struct{ x, y []float64 }{
		{[]float64{1, 2, 2, 3}, []float64{2, 3, 3, 3, 4}},
		{[]float64{1, 5, 9}, []float64{2, 3, 4, 6, 7, 8}},
		{[]float64{1, 1, 1, 2}, []float64{1, 2, 2, 2, 2, 3}},
		{[]float64{0, 1, 2, 3, 4, 5, 6}, []float64{3, 4, 5, 6, 7, 8, 9}},
		{[]float64{7}, []float64{1, 2, 3}},
	} {
		pooled := append(append([]float64{}, tc.x...), tc.y...)
		n, total := len(tc.x), len(pooled)
		d := KS(sample(tc.x...), sample(tc.y...))
		var hits, all int
		for mask := 0; mask < 1<<total; mask++ {
			if popcount(mask) != n {
				continue
			}
			var xs, ys []float64
			for i, v := range pooled {
				if mask&(1<<i) != 0 {
					xs = append(xs, v)
				} else {
					ys = append(ys, v)
				}
			}
			all++
			if KS(sample(xs...), sample(ys...)) >= d-1e-12 {
				hits++
			}
		}
		assert.InDelta(t, float64(hits)/float64(all), KSPValueExact(sample(tc.x...), sample(tc.y...)), 1e-12, "%v vs %v", tc.x, tc.y)
	}
}

func popcount(x int) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

// Beyond the threshold, or from sketches, the p-value is asymptotic.
func TestKSPValueForMethod(t *testing.T) {
	a, b := sample(seq(1, 101)...), sample(seq(3, 103)...) // 101·101 > 10000
	p, method := KSPValueFor(a, b, true)
	assert.Equal(t, PValueAsymptotic, method)
	assert.Equal(t, KSPValue(KS(a, b), 101, 101), p)
	_, method = KSPValueFor(sample(1, 2, 3), sample(4, 5), false)
	assert.Equal(t, PValueAsymptotic, method)
	assert.True(t, math.IsNaN(KSPValueExact(Dist{}, sample(1))))
	// A small p-value keeps its relative precision: two disjoint samples
	// of 40 have p = 2/C(80, 40).
	lo, hi := sample(seq(1, 40)...), sample(seq(41, 80)...)
	assert.InEpsilon(t, 2/math.Exp(lchoose(80, 40)), KSPValueExact(lo, hi), 1e-9)
}
