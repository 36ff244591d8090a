package drift

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Epsilon replaces an empty bin's fraction in the Population Stability
// Index, whose terms ln(c/r) are otherwise infinite. It is not renormalised:
// an empty bin contributes (c − ε)·ln(c/ε), about 9.2·c for a current
// fraction c.
const Epsilon = 1e-4

// Dist is a discrete distribution: distinct values in increasing order and
// their counts (all positive).
type Dist struct {
	Values []float64
	Counts []float64
}

func (d Dist) total() float64 {
	var n float64
	for _, c := range d.Counts {
		n += c
	}
	return n
}

// KS returns the two-sample Kolmogorov–Smirnov statistic
// D = sup_x |F_a(x) − F_b(x)| of the empirical distributions a and b
// (gonum's stat.KolmogorovSmirnov over weighted values), 0 when both are
// empty and 1 when one is.
func KS(a, b Dist) float64 {
	return stat.KolmogorovSmirnov(a.Values, a.Counts, b.Values, b.Counts)
}

// KSPValue returns the asymptotic p-value of a two-sample KS statistic d
// between samples of sizes n and m: Q_KS(√(nm/(n+m))·d), where
// Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²) is the survival function of
// the Kolmogorov distribution (Smirnov's limit; scipy's kstwobign.sf). The
// approximation is good when nm/(n+m) is above about 4; with tied values
// (discrete data) it is conservative.
func KSPValue(d float64, n, m float64) float64 {
	if n <= 0 || m <= 0 {
		return math.NaN()
	}
	return KolmogorovQ(math.Sqrt(n*m/(n+m)) * d)
}

// KolmogorovQ returns Q_KS(λ) = P(K > λ) for the Kolmogorov distribution.
// For λ < 1.18 it sums the equivalent series
// 1 − (√(2π)/λ) Σ_{k≥1} exp(−(2k−1)²π²/(8λ²)), which converges fast there
// (Numerical Recipes, 3rd ed., §6.14).
func KolmogorovQ(lambda float64) float64 {
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

// Wasserstein returns the first Wasserstein (earth mover's) distance
// between the normalised distributions a and b, W1 = ∫|F_a(x) − F_b(x)| dx,
// which equals ∫₀¹ |Q_a(u) − Q_b(u)| du over the quantile functions. It
// returns NaN when either is empty.
func Wasserstein(a, b Dist) float64 {
	na, nb := a.total(), b.total()
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	var w, fa, fb, ca, cb float64
	i, j := 0, 0
	prev := math.Min(a.Values[0], b.Values[0])
	for i < len(a.Values) || j < len(b.Values) {
		x := math.Inf(1)
		if i < len(a.Values) {
			x = a.Values[i]
		}
		if j < len(b.Values) {
			x = math.Min(x, b.Values[j])
		}
		if x > prev {
			w += math.Abs(fa-fb) * (x - prev)
		}
		prev = x
		for i < len(a.Values) && a.Values[i] == x {
			ca += a.Counts[i]
			i++
		}
		for j < len(b.Values) && b.Values[j] == x {
			cb += b.Counts[j]
			j++
		}
		fa, fb = ca/na, cb/nb
	}
	return w
}

// Fractions returns the fraction of d's mass in each bin (e_{k−1}, e_k] for
// the increasing edges e_1 … e_{K−1}, with e_0 = −∞ and e_K = +∞: len(edges)+1
// fractions.
func Fractions(d Dist, edges []float64) []float64 {
	out := make([]float64, len(edges)+1)
	n := d.total()
	if n == 0 {
		return out
	}
	for i, v := range d.Values {
		k := sort.SearchFloat64s(edges, v) // first edge ≥ v: v is in bin k
		out[k] += d.Counts[i] / n
	}
	return out
}

// PSI returns the Population Stability Index of the current fractions cur
// against the reference fractions ref (the same bins):
// Σ (c_i − r_i)·ln(c_i/r_i), with an empty fraction replaced by Epsilon.
// It panics when the lengths differ.
func PSI(ref, cur []float64) float64 {
	if len(ref) != len(cur) {
		panic("drift: PSI of fractions of different lengths")
	}
	var psi float64
	for i := range ref {
		r, c := ref[i], cur[i]
		if r == 0 && c == 0 {
			continue
		}
		if r == 0 {
			r = Epsilon
		}
		if c == 0 {
			c = Epsilon
		}
		psi += (c - r) * math.Log(c/r)
	}
	return psi
}

// ChiSquare returns Pearson's chi-square test of homogeneity of two count
// vectors over the same categories (a 2×k contingency table, without
// continuity correction: scipy's chi2_contingency(correction=False)):
// the statistic Σ (O − E)²/E with E = row total × column total / N, its
// degrees of freedom k' − 1 over the k' categories with a non-zero total,
// and the p-value from the chi-square distribution (gonum distuv). With
// fewer than two such categories the statistic is 0 and the p-value 1; it
// is NaN when either vector sums to 0.
func ChiSquare(ref, cur []float64) (statistic float64, df int, p float64) {
	if len(ref) != len(cur) {
		panic("drift: ChiSquare of counts of different lengths")
	}
	var nr, nc float64
	for i := range ref {
		nr += ref[i]
		nc += cur[i]
	}
	if nr == 0 || nc == 0 {
		return math.NaN(), 0, math.NaN()
	}
	n := nr + nc
	k := 0
	for i := range ref {
		col := ref[i] + cur[i]
		if col == 0 {
			continue
		}
		k++
		er, ec := nr*col/n, nc*col/n
		statistic += (ref[i]-er)*(ref[i]-er)/er + (cur[i]-ec)*(cur[i]-ec)/ec
	}
	if k < 2 {
		return 0, 0, 1
	}
	df = k - 1
	return statistic, df, distuv.ChiSquared{K: float64(df)}.Survival(statistic)
}
