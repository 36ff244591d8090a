package expect

import (
	"math"
	"strconv"
)

// The first scan reads a column's median and standard deviation where
// the engine's aggregates give the local engine's answer, and the second
// pass settles them exactly where they might not.
//
// The median without the count n. PostgreSQL's percentile_disc(f)
// returns "the first value whose position in the ordering equals or
// exceeds the fraction": the K-th of the n sorted values (1-based), K the
// smallest integer with K ≥ f·n, that is K = max(1, ⌈f·n⌉), f·n rounded
// to a double first (orderedsetaggs.c: rownum = ceil(percentile *
// number_of_rows)); DuckDB's quantile_disc reads the same position
// (tested below). For n < 2³⁹:
//
//   - f = ½: f·n = n/2 is exact. n = 2m: K = m, rank m−1; n = 2m+1:
//     K = ⌈m + ½⌉ = m+1, rank m.
//   - f = ½ + 2⁻⁴⁰, a double. n = 2m: the exact product m + m·2⁻³⁹ lies
//     strictly between the doubles m and m+1 (0 < m·2⁻³⁹ < ½), so it
//     rounds into [m, m+1]; to m only if m·2⁻³⁹ were at most half the
//     spacing of doubles above m, 2^(⌊log₂ m⌋−53), but it is at least
//     2^(⌊log₂ m⌋−39). So K = m+1, rank m. n = 2m+1: the exact product
//     m + ½ + n·2⁻⁴⁰ lies strictly between the doubles m+½ and m+1
//     (0 < n·2⁻⁴⁰ < ½) and rounds into [m+½, m+1]: K = m+1, rank m.
//
// So percentile_disc(½) and percentile_disc(½ + 2⁻⁴⁰) are the ranks
// ⌈n/2⌉−1 and ⌊n/2⌋: the two middle values for even n, the middle one
// twice for odd n (TestMiddleRanks* compare them with a sort for
// n = 1..50 on each engine). For odd n = 2m+1 trustml's median is
// a + 0·(b − a), a the value of rank m and b of rank m+1: a itself
// whenever b − a is finite, so the first scan's value stands unless a is
// infinite or the values include +Inf (then 0·∞ is NaN; settleMiddle
// leaves it to the second pass).
var middleFractions = [2]float64{0.5, 0.5 + 0x1p-40}

// middleOnly reports whether the order statistics column cp's checks
// read are the median's alone (median, or quantiles at q = ½ only).
func middleOnly(cp *colPlan) bool {
	if !cp.values || len(cp.quantiles) == 0 {
		return false
	}
	for _, q := range cp.quantiles {
		if q != 0.5 {
			return false
		}
	}
	return true
}

// middle spells the aggregates of the middle order statistics of x.
func (q *SQLDialect) middle(x string) (lo, hi string) {
	if q.Middle != nil {
		return q.Middle(x)
	}
	// One quantile_disc over both fractions, read as its two elements:
	// DuckDB computes it once, where two calls each gather and select the
	// column's values (sqlbench: 1.18 → 1.08 of the hand-written query's
	// CPU at 10M rows).
	both := Elements("quantile_disc("+x+", ["+strconv.FormatFloat(middleFractions[0], 'g', -1, 64)+", "+
		strconv.FormatFloat(middleFractions[1], 'g', -1, 64)+"])", 2)
	return both[0], both[1]
}

func (q *SQLDialect) stddevSamp(x string) string {
	if q.StddevSamp != nil {
		return q.StddevSamp(x)
	}
	return "stddev_samp(" + x + ")"
}

// plainCol spells column cp as it is, NaN included, NULL in the rows its
// filter drops.
func (pd *Pushdown) plainCol(cp *colPlan) string {
	x := ident(cp.name)
	if q := pd.colQ(cp); q.where != "" {
		return "CASE WHEN " + q.where + " THEN " + x + " END"
	}
	return x
}

// middleArg is what the middle order statistics of cp are read over: a
// float column as it is where the dialect says so (SQLDialect.RawMiddle;
// the first scan then counts its values with NaN, settleMiddle compares),
// as a statistic's argument otherwise.
func (pd *Pushdown) middleArg(cp *colPlan) string {
	if cp.class == classFloat && pd.dialect.RawMiddle {
		return pd.dialect.double(pd.plainCol(cp))
	}
	return pd.arg(cp)
}

// settleMiddle takes column ci's median from the first scan, or leaves
// it to the second pass (settleOrder) when the scan read the column with
// a NaN among its values, or when n is odd and the rank above the middle,
// which the scan does not read, might be +Inf (see middleFractions).
func (pd *Pushdown) settleMiddle(st *pushState, ci int) {
	cs, s, m := st.cols[ci], st.stats[ci], st.mid[ci]
	n := cs.Count
	if m.all >= 0 && m.all != n {
		return // NaN in the column: its order has NaN among the values
	}
	if n%2 == 1 {
		topInf := math.IsInf(m.top, 1) || (!pd.p.cols[ci].moments && math.IsNaN(m.top))
		if pd.p.cols[ci].moments {
			topInf = s.infinite
		}
		if math.IsInf(m.lo, 0) || topInf {
			return
		}
	}
	st.settleOrder[ci] = false
	s.nvalues = int(n)
	s.order = map[int]float64{}
	if n == 0 {
		return
	}
	lo, hi := orderRanks(0.5, int(n))
	s.order[lo], s.order[hi] = m.lo, m.hi
	if n%2 == 1 {
		// rank m+1 is not read; any finite value gives a + 0·(b − a) = a.
		s.order[hi] = m.lo
	}
}

// unitRoundoff is u of IEEE double precision, 2⁻⁵³.
const unitRoundoff = 0x1p-53

// stddevMargin is the relative distance from a bound within which the
// one-pass standard deviation sd of n values with mean mean may not
// decide a verdict, and ok is false when the one-pass value may differ
// from the local engine's by more than 1e-9 relative: then the second
// pass computes it as the local engine does.
//
// The engines' stddev_samp are updating algorithms: PostgreSQL's
// Youngs–Cramer (float8_accum), DuckDB's Welford, each combined across
// workers by Chan's formula. Chan, Golub and LeVeque ("Algorithms for
// computing the sample variance", 1983) bound the relative error of the
// sum of squared deviations S they compute by about n·κ·u, where
// κ = √(1 + n·mean²/S) is the condition number of the data and
// u = 2⁻⁵³; the standard deviation √(S/(n−1)) has half of it. The local
// engine's two-pass value, with compensated sums, is within a few u
// (plus terms in (n·κ·u)²). So the two differ by less than n·κ·u, and a
// verdict can differ only when the bound lies within that of the value:
// the margin is twice it, and at least 1e-9, the relative difference
// the conformance tests allow between engines. n·κ·u is a worst case,
// reached only when every rounding error has the same sign; rounding
// errors of either sign add up as √n (the statistical estimate of the
// same analysis), so the value is reported when 4·√n·κ·u ≤ 1e-9: for
// the benchmark's 10M values with mean 100 and standard deviation 15
// (κ ≈ 6.7) that is 9e-12, while its worst-case n·κ·u, 7e-9, still
// keeps verdicts exact through the margin.
func stddevMargin(n int64, mean, sd float64) (margin float64, ok bool) {
	if n < 2 || !(sd > 0) || math.IsInf(sd, 0) || math.IsNaN(mean) || math.IsInf(mean, 0) {
		return 0, false
	}
	nf := float64(n)
	kappa := math.Sqrt(1 + nf*(mean/sd)*(mean/sd)/(nf-1))
	if math.IsInf(kappa, 0) || math.IsNaN(kappa) || 4*math.Sqrt(nf)*kappa*unitRoundoff > 1e-9 {
		return 0, false
	}
	return max(1e-9, 2*nf*kappa*unitRoundoff), true
}

// settleStddev takes column ci's standard deviation from the first
// scan's one-pass value, or marks it for the second pass (settleSD) when
// the value is within stddevMargin of a bound a check compares it to, or
// may be off by more than 1e-9. A standard deviation of fewer than two
// values, or of values with infinities, is undefined (NaN), as locally.
func (pd *Pushdown) settleStddev(st *pushState, ci int) {
	cs, s := st.cols[ci], st.stats[ci]
	if cs.Count < 2 || s.infinite {
		return
	}
	sd := st.sd1[ci]
	margin, ok := stddevMargin(cs.Count, s.mean, sd)
	for _, b := range pd.sdBounds[ci] {
		if math.Abs(sd-b) <= margin*max(math.Abs(sd), math.Abs(b)) {
			ok = false
		}
	}
	if !ok {
		st.settleSD[ci] = true
		return
	}
	s.stddev = sd
}

// twoClasses fills the classes of integer column cp from the first scan
// when its values span at most two integers, and reports whether it did:
// with min ≤ x ≤ min+1, Σ(x − min) counts the values equal to max, so
// the count of max is sum − min·n and of min the rest. The first scan's
// sum is of the values as doubles; while max(|min|, |max|)·n < 2⁵³ every
// partial sum is an integer a double holds, in any order of addition
// (shards, workers), so the sum and the counts are exact.
func twoClasses(cs *colState, sum float64, cp *colPlan) bool {
	lo, hi, n := cs.Min, cs.Max, cs.Count
	if n == 0 || hi-lo > 1 || math.IsNaN(sum) || max(math.Abs(lo), math.Abs(hi))*float64(n) >= 1<<53 {
		return false
	}
	f := cs.freq.(*sqlFreq)
	if hi == lo {
		f.cls = append(f.cls, classCount{value: display(cp, int64(lo)), count: n})
		return true
	}
	top := sum - lo*float64(n)
	if top < 1 || top >= float64(n) || top != math.Trunc(top) {
		return false // not two classes after all: count them
	}
	f.cls = append(f.cls, classCount{value: display(cp, int64(lo)), count: n - int64(top)},
		classCount{value: display(cp, int64(hi)), count: int64(top)})
	return true
}
