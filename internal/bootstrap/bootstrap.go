// Package bootstrap holds the one percentile bootstrap every section uses:
// the model comparison's paired intervals (compare_to) and the per-slice
// intervals of package slice.
//
// Rows are resampled with replacement, drawing each of the n indices of a
// resample with rng.IntN(n), so a seed fixes every resample. An interval
// is read off the sorted replicates with [Percentile], which interpolates
// linearly between order statistics: Hyndman and Fan's type 7, the default
// of R's quantile() and of numpy.percentile. Type 7 was chosen because it is
// what users reproduce a trustml interval with; it differs from gonum's
// stat.LinInterp (for the replicates 0..999 the 2.5% point is 24.975 under
// type 7 and 24 under LinInterp).
package bootstrap

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Percentile returns the q-quantile of sorted, which must be in ascending
// order, by type 7: with h = q·(n−1), the order statistic ⌊h⌋ (0-based)
// plus (h − ⌊h⌋) times the gap to the next. q = 0 gives the smallest value
// and q = 1 the largest. It returns NaN for an empty slice and panics
// when q is outside [0, 1] or NaN (a programming error).
func Percentile(sorted []float64, q float64) float64 {
	if !(q >= 0 && q <= 1) {
		panic(fmt.Sprintf("bootstrap: percentile %v outside [0, 1]", q))
	}
	if len(sorted) == 0 {
		return math.NaN()
	}
	h := q * float64(len(sorted)-1)
	i := int(math.Floor(h))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

// Interval returns the central percentile interval at level (0.95 for a
// 95% interval) of the replicates reps: their [Percentile]s at
// (1 − level)/2 and (1 + level)/2. It sorts reps in place. With no
// replicates both ends are NaN.
func Interval(reps []float64, level float64) (lo, hi float64) {
	slices.Sort(reps)
	alpha := (1 - level) / 2
	return Percentile(reps, alpha), Percentile(reps, 1-alpha)
}

// Resample draws nBoot resamples of n rows with replacement from rng and
// calls each with the row indices of every resample, in order. The index
// slice is reused between calls; each must not keep it.
func Resample(rng *rand.Rand, n, nBoot int, each func(rows []int)) {
	rows := make([]int, n)
	for range nBoot {
		for i := range rows {
			rows[i] = rng.IntN(n)
		}
		each(rows)
	}
}
