package drift

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/trustml/trustml/internal/ksdist"
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

// ExactKSMaxProduct is the largest product n·m of the sample sizes for
// which [KSPValueFor] uses the exact distribution of the two-sample KS
// statistic; beyond it, the asymptotic one. 10000 is R's threshold
// (ks.test computes exactly when n·m < 10000, and trustml includes 10000).
const ExactKSMaxProduct = 10000

// P-value methods, as a result names them.
const (
	PValueExact      = "exact"
	PValueAsymptotic = "asymptotic"
)

// KSPValueFor returns the p-value of the two-sample KS test between a and
// b and the method used: [KSPValueExact] when n·m ≤ ExactKSMaxProduct and
// exact is true (the distributions hold the data's values, not a
// sketch's buckets), else [KSPValue] of the statistic [KS].
func KSPValueFor(a, b Dist, exact bool) (p float64, method string) {
	n, m := a.total(), b.total()
	if exact && n > 0 && m > 0 && n*m <= ExactKSMaxProduct {
		return KSPValueExact(a, b), PValueExact
	}
	return KSPValue(KS(a, b), n, m), PValueAsymptotic
}

// KSPValueExact returns the exact two-sided p-value P(D ≥ d) of the
// two-sample KS statistic d between a and b, under the null hypothesis
// that the pooled values are split between the samples at random (each
// of the C(n+m, n) splits equally likely). It is ties-aware: with tied
// values, D is compared only between distinct values, as R (≥ 4.2)
// ks.test(exact = TRUE) does. Counts must be whole numbers. It counts
// lattice paths (one step per pooled value, in order) by dynamic
// programming in O(n·m) time and O(m) memory, summing the probability of
// the paths at the point where they first reach d, so that small p-values
// keep their relative precision. It returns NaN when a sample is empty.
func KSPValueExact(a, b Dist) float64 {
	n, m := int(a.total()), int(b.total())
	if n == 0 || m == 0 {
		return math.NaN()
	}
	// The cumulative counts at the end of each block of tied values: the
	// points where the statistic is read, and D·n·m as an integer.
	check := make([]bool, n+m+1)
	var dnm int64
	ia, ib, ca, cb := 0, 0, 0, 0
	for ia < len(a.Values) || ib < len(b.Values) {
		x := math.Inf(1)
		if ia < len(a.Values) {
			x = a.Values[ia]
		}
		if ib < len(b.Values) {
			x = min(x, b.Values[ib])
		}
		for ia < len(a.Values) && a.Values[ia] == x {
			ca += int(a.Counts[ia])
			ia++
		}
		for ib < len(b.Values) && b.Values[ib] == x {
			cb += int(b.Counts[ib])
			ib++
		}
		check[ca+cb] = true
		dnm = max(dnm, absInt64(int64(ca)*int64(m)-int64(cb)*int64(n)))
	}
	if dnm == 0 {
		return 1
	}
	lTotal := lchoose(n+m, m)
	// u[j] is, at row i, the fraction of the C(i+j, j) paths to (i, j)
	// that have not reached D ≥ d at an earlier check point.
	u := make([]float64, m+1)
	var p float64
	for i := 0; i <= n; i++ {
		for j := 0; j <= m; j++ {
			switch {
			case i == 0 && j == 0:
				u[0] = 1
				continue
			case i == 0:
				// u[j] = u[j-1]: paths along the edge are one path.
				u[j] = u[j-1]
			case j > 0:
				u[j] = (float64(i)*u[j] + float64(j)*u[j-1]) / float64(i+j)
			}
			if u[j] > 0 && check[i+j] && absInt64(int64(i)*int64(m)-int64(j)*int64(n)) >= dnm {
				// These paths reach d here first; each goes on to (n, m)
				// in C(n+m−i−j, m−j) ways.
				p += u[j] * math.Exp(lchoose(i+j, j)+lchoose(n+m-i-j, m-j)-lTotal)
				u[j] = 0
			}
		}
	}
	return min(p, 1)
}

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// lchoose returns ln C(n, k).
func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// KolmogorovQ returns Q_KS(λ) = P(K > λ) for the Kolmogorov distribution
// (see ksdist.Q, which it is).
func KolmogorovQ(lambda float64) float64 { return ksdist.Q(lambda) }

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
