package slice

import (
	"hash/fnv"
	"math/rand/v2"

	boot "github.com/trustml/trustml/internal/bootstrap"
	"github.com/trustml/trustml/model"
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

// bootstrap resamples the rows of (y, yhat) with replacement nBoot times,
// measures each resample with model.Measure and returns, per metric, the
// percentile interval at [Level] of the metric over the resamples, by the
// type-7 rule of package internal/bootstrap.
func bootstrap(y, yhat []float64, metrics []string, nBoot int, rng *rand.Rand) []interval {
	n := len(y)
	by, bh := make([]float64, n), make([]float64, n)
	reps := make([][]float64, len(metrics))
	boot.Resample(rng, n, nBoot, func(rows []int) {
		for i, j := range rows {
			by[i], bh[i] = y[j], yhat[j]
		}
		m := model.Measure(by, bh)
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
