package slice

import (
	"hash/fnv"
	"math/rand/v2"

	boot "github.com/trustml/trustml/internal/bootstrap"
)

// interval is a percentile bootstrap interval; ok is false when no
// resample defined the metric (R² of resamples whose targets are all
// equal, for example, is undefined and left out).
type interval struct {
	lo, hi     float64
	replicates int // resamples that defined the metric
	ok         bool
}

// streamFor returns a PCG source for the slice called name: the same
// (seed, name) always gives the same stream, whatever else is measured.
func streamFor(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// bootstrap resamples rows (the evaluated rows of a slice) with
// replacement nBoot times, measures each resample with measure and
// returns, per metric, the percentile interval at [Level] of the metric
// over the resamples in which it is defined, by the type-7 rule of package
// internal/bootstrap.
func bootstrap(measure func(rows []int) metricSet, rows []int, metrics []string, nBoot int, rng *rand.Rand) []interval {
	n := len(rows)
	sample := make([]int, n)
	reps := make([][]float64, len(metrics))
	boot.Resample(rng, n, nBoot, func(idx []int) {
		for i, j := range idx {
			sample[i] = rows[j]
		}
		m := measure(sample)
		for k, name := range metrics {
			if v, err := m.Get(name); err == nil && v.Defined {
				reps[k] = append(reps[k], v.V)
			}
		}
	})
	out := make([]interval, len(metrics))
	for k, r := range reps {
		if len(r) == 0 {
			continue
		}
		lo, hi := boot.Interval(r, Level)
		out[k] = interval{lo: lo, hi: hi, replicates: len(r), ok: true}
	}
	return out
}
