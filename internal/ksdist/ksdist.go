// Package ksdist holds the distributions of Kolmogorov–Smirnov
// statistics that more than one package needs (drift's two-sample tests,
// expect's one-sample test), so that those packages need not import each
// other.
package ksdist

import "math"

// Q returns Q_KS(λ) = P(K > λ) for the Kolmogorov distribution (the limit
// of √n·D_n; scipy's kstwobign.sf): 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²).
// For λ < 1.18 it sums the equivalent series
// 1 − (√(2π)/λ) Σ_{k≥1} exp(−(2k−1)²π²/(8λ²)), which converges fast there
// (Numerical Recipes, 3rd ed., §6.14). Q(NaN) is NaN; Q(λ ≤ 0) is 1.
func Q(lambda float64) float64 {
	switch {
	case math.IsNaN(lambda):
		return math.NaN()
	case lambda <= 0:
		return 1
	case lambda < 1.18:
		y := math.Exp(-math.Pi * math.Pi / (8 * lambda * lambda))
		// Σ y^{(2k−1)²} for k = 1..4 is exact to double precision here.
		s := y + math.Pow(y, 9) + math.Pow(y, 25) + math.Pow(y, 49)
		return 1 - math.Sqrt(2*math.Pi)/lambda*s
	}
	var q float64
	sign := 1.0
	for k := 1; k <= 100; k++ {
		term := math.Exp(-2 * float64(k*k) * lambda * lambda)
		q += sign * term
		if term < 1e-17 {
			break
		}
		sign = -sign
	}
	return min(max(2*q, 0), 1)
}

// ExactMaxN is the largest sample size for which OneSampleP computes the
// exact distribution: the matrix method's cost grows as (n·d)³, and
// beyond a thousand values the corrected asymptotic form is within about
// 1% of the exact p-value where it matters (above 1e-8).
const ExactMaxN = 1000

// OneSampleP returns the p-value P(D_n ≥ d) of the one-sample, two-sided
// Kolmogorov–Smirnov statistic d of n values against a continuous
// distribution, and whether it is exact. Up to ExactMaxN values it is
// exact: 1 − K(n, d) by Marsaglia, Tsang and Wang's matrix method
// ("Evaluating Kolmogorov's distribution", J. Stat. Softw. 8(18), 2003),
// with their closed form 2·exp(−(2.000071 + 0.331/√n + 1.409/n)·n·d²)
// where n·d² > 9.5 (p-values below about 1e-8). Beyond, it is asymptotic with Stephens'
// correction: Q((√n + 0.12 + 0.11/√n)·d). NaN for n < 1 or d NaN.
func OneSampleP(d float64, n int) (p float64, exact bool) {
	switch {
	case n < 1 || math.IsNaN(d):
		return math.NaN(), false
	case d <= 0:
		return 1, true
	case d >= 1:
		return 0, true
	case n > ExactMaxN:
		sn := math.Sqrt(float64(n))
		return Q((sn + 0.12 + 0.11/sn) * d), false
	}
	return min(max(1-kolmogorovCDF(n, d), 0), 1), true
}

// kolmogorovCDF is K(n, d) = P(D_n < d), Marsaglia, Tsang and Wang's
// algorithm: the (k,k) element of Hⁿ times n!/nⁿ, with H the m×m matrix
// of their paper (k = ⌊nd⌋+1, m = 2k−1, h = k − nd), the powers kept
// with a separate decimal exponent against overflow.
func kolmogorovCDF(n int, d float64) float64 {
	nf := float64(n)
	s := d * d * nf
	if s > 9.5 {
		return 1 - 2*math.Exp(-(2.000071+0.331/math.Sqrt(nf)+1.409/nf)*s)
	}
	k := int(nf*d) + 1
	m := 2*k - 1
	h := float64(k) - nf*d
	H := make([]float64, m*m)
	for i := range m {
		for j := range m {
			if i-j+1 >= 0 {
				H[i*m+j] = 1
			}
		}
	}
	for i := range m {
		H[i*m] -= math.Pow(h, float64(i+1))
		H[(m-1)*m+i] -= math.Pow(h, float64(m-i))
	}
	if 2*h-1 > 0 {
		H[(m-1)*m] += math.Pow(2*h-1, float64(m))
	}
	for i := range m {
		for j := range m {
			if i-j+1 > 0 {
				for g := 1; g <= i-j+1; g++ {
					H[i*m+j] /= float64(g)
				}
			}
		}
	}
	Q, eQ := matPower(H, 0, m, n)
	v := Q[(k-1)*m+k-1]
	for i := 1; i <= n; i++ {
		v = v * float64(i) / nf
		if v < 1e-140 {
			v *= 1e140
			eQ -= 140
		}
	}
	return v * math.Pow(10, float64(eQ))
}

// matPower returns Aⁿ as a matrix and a power of ten, A being m×m with
// exponent eA.
func matPower(A []float64, eA, m, n int) ([]float64, int) {
	if n == 1 {
		return append([]float64(nil), A...), eA
	}
	V, eV := matPower(A, eA, m, n/2)
	B := matMul(V, V, m)
	eB := 2 * eV
	if n%2 == 0 {
		V, eV = B, eB
	} else {
		V, eV = matMul(A, B, m), eA+eB
	}
	if V[(m/2)*m+m/2] > 1e140 {
		for i := range V {
			V[i] *= 1e-140
		}
		eV += 140
	}
	return V, eV
}

func matMul(A, B []float64, m int) []float64 {
	C := make([]float64, m*m)
	for i := range m {
		for g := range m {
			a := A[i*m+g]
			if a == 0 {
				continue
			}
			row := B[g*m : g*m+m]
			out := C[i*m : i*m+m]
			for j, b := range row {
				out[j] += a * b
			}
		}
	}
	return C
}
