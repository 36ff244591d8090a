package bootstrap

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPercentileMatchesR pins values of R 4's quantile(x, q) (type = 7,
// the default), computed by hand from its definition
// h = (n−1)q, x[⌊h⌋] + (h−⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
func TestPercentileMatchesR(t *testing.T) {
	seq := make([]float64, 1000) // 0:999
	for i := range seq {
		seq[i] = float64(i)
	}
	pi := []float64{1, 1, 2, 3, 4, 5, 6, 9} // sort(c(3,1,4,1,5,9,2,6))
	for _, c := range []struct {
		name string
		x    []float64
		q    float64
		want float64
	}{
		{"0:999 at 2.5%", seq, 0.025, 24.975}, // gonum's LinInterp gives 24
		{"0:999 at 97.5%", seq, 0.975, 974.025},
		{"0:999 at 50%", seq, 0.5, 499.5},
		{"pi digits at 25%", pi, 0.25, 1.75},
		{"pi digits at 90%", pi, 0.9, 6.9},
		{"pi digits at 0", pi, 0, 1},
		{"pi digits at 1", pi, 1, 9},
		{"1:4 at 30%", []float64{1, 2, 3, 4}, 0.3, 1.9},
		{"one value", []float64{7}, 0.025, 7},
	} {
		assert.InDelta(t, c.want, Percentile(c.x, c.q), 1e-12, c.name)
	}
	assert.True(t, math.IsNaN(Percentile(nil, 0.5)))
	assert.Panics(t, func() { Percentile(pi, 1.5) })
	assert.Panics(t, func() { Percentile(pi, math.NaN()) })
}

func TestInterval(t *testing.T) {
	reps := make([]float64, 1000)
	for i := range reps {
		reps[i] = float64(999 - i) // unsorted: Interval sorts
	}
	lo, hi := Interval(reps, 0.95)
	assert.InDelta(t, 24.975, lo, 1e-12)
	assert.InDelta(t, 974.025, hi, 1e-12)
	lo, hi = Interval(nil, 0.95)
	assert.True(t, math.IsNaN(lo) && math.IsNaN(hi))
}

func TestResample(t *testing.T) {
	var got [][]int
	Resample(rand.New(rand.NewPCG(1, 2)), 5, 3, func(rows []int) {
		assert.Len(t, rows, 5)
		for _, r := range rows {
			assert.True(t, r >= 0 && r < 5)
		}
		got = append(got, append([]int(nil), rows...))
	})
	assert.Len(t, got, 3)
	// The same seed draws the same indices as rng.IntN in turn.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, rows := range got {
		for _, r := range rows {
			assert.Equal(t, rng.IntN(5), r)
		}
	}
}
