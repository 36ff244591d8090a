package ksdist

import (
	"math"
	"testing"
)

// TestOneSamplePR pins the exact p-values to R 4.x's own implementation
// of the exact one-sample distribution, computed offline with
//
//	1 - .Call(stats:::C_pKolmogorov2x, d, n)
//
// (the function ks.test(exact = TRUE) calls).
func TestOneSamplePR(t *testing.T) {
	for _, tc := range []struct {
		n    int
		d, p float64
	}{
		{5, 0.2, 0.9616},
		{5, 0.3, 0.664},
		{5, 0.5, 0.112},
		{10, 0.1, 0.99963712},
		{10, 0.2, 0.74871904},
		{10, 0.3, 0.2705355748},
		{10, 0.5, 0.00777740999999976},
		{20, 0.1, 0.976255094592155},
		{20, 0.2, 0.352720173623416},
		{20, 0.3, 0.0430670666585178},
		{20, 0.5, 3.78759524055639e-05},
		{100, 0.05, 0.953215971063573},
		{100, 0.1, 0.25269275700639},
		{100, 0.2, 0.000555192732804133},
		{500, 0.02, 0.985987178543257},
		{500, 0.05, 0.158662639220626},
		{500, 0.1, 8.34229306784229e-05},
		{1000, 0.02, 0.810897131070215},
		{1000, 0.05, 0.0130120713099776},
	} {
		p, exact := OneSampleP(tc.d, tc.n)
		if !exact || math.Abs(p-tc.p) > 1e-9*max(tc.p, 1e-3) {
			t.Errorf("OneSampleP(%v, %d) = %v (exact %v), R %v", tc.d, tc.n, p, exact, tc.p)
		}
	}
}

// TestOneSampleEdges: D_1 = max(U, 1−U) ≥ 1/2, so P(D_1 ≥ d) = 1 for
// d ≤ 1/2 and 2(1−d) above; beyond ExactMaxN the asymptotic form; NaN
// for no values.
func TestOneSampleEdges(t *testing.T) {
	for _, d := range []float64{0.1, 0.5, 0.6, 0.9} {
		want := 1.0
		if d > 0.5 {
			want = 2 * (1 - d)
		}
		if p, _ := OneSampleP(d, 1); math.Abs(p-want) > 1e-12 {
			t.Errorf("OneSampleP(%v, 1) = %v, want %v", d, p, want)
		}
	}
	if p, exact := OneSampleP(0.01, ExactMaxN+1); exact || math.Abs(p-Q((math.Sqrt(ExactMaxN+1)+0.12+0.11/math.Sqrt(ExactMaxN+1))*0.01)) > 1e-15 {
		t.Errorf("beyond ExactMaxN: %v %v", p, exact)
	}
	if p, _ := OneSampleP(0.1, 0); !math.IsNaN(p) {
		t.Errorf("no values: %v", p)
	}
	if p, _ := OneSampleP(0, 10); p != 1 {
		t.Errorf("d = 0: %v", p)
	}
}
