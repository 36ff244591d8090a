package history

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hand-computed cases, one per method.
func TestMethodsByHand(t *testing.T) {
	// batch_normal: mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32, sample
	// variance 32/7; z of 9 = 4 / sqrt(32/7).
	s, err := batchNormal([]float64{2, 4, 4, 4, 5, 5, 7, 9}, 9, Params{})
	require.NoError(t, err)
	assert.Equal(t, 5.0, s.Expected)
	assert.InDelta(t, math.Sqrt(32.0/7), s.Scale, 1e-12)
	assert.InDelta(t, 4/math.Sqrt(32.0/7), s.Z, 1e-12)

	// mad: median of 1 1 2 2 4 6 9 is 2; |v−2| sorted 0 0 1 1 2 4 7, median 1;
	// scale 1.4826; z of 8 = 6 / 1.4826.
	s, err = mad([]float64{1, 1, 2, 2, 4, 6, 9}, 8, Params{})
	require.NoError(t, err)
	assert.Equal(t, 2.0, s.Expected)
	assert.InDelta(t, 1.4826, s.Scale, 1e-12)
	assert.InDelta(t, 6/1.4826, s.Z, 1e-12)

	// holt_winters, season 2, α = β = γ = 0.5, on 10 20 12 22 15:
	// season means 15 and 17, so b = (17−15)/2 = 1; the line 15 + (t−0.5)
	// gives ℓ = 15.5 at t = 1 and seasonal indices 10−14.5 = −4.5, 20−15.5 = 4.5.
	// t=2: f = 15.5+1−4.5 = 12, e = 0;  ℓ = .5(12+4.5)+.5(16.5) = 16.5, b = 1, s = −4.5
	// t=3: f = 16.5+1+4.5 = 22, e = 0;  ℓ = .5(22−4.5)+.5(17.5) = 17.5, b = 1, s = 4.5
	// t=4: f = 17.5+1−4.5 = 14, e = 1;  ℓ = .5(15+4.5)+.5(18.5) = 19, b = .5(1.5)+.5(1) = 1.25
	// next = 19 + 1.25 + 4.5 = 24.75; scale = sqrt((0+0+1)/3).
	s, err = holtWinters([]float64{10, 20, 12, 22, 15}, 30, Params{Season: 2, Alpha: 0.5, Beta: 0.5, Gamma: 0.5})
	require.NoError(t, err)
	assert.InDelta(t, 24.75, s.Expected, 1e-12)
	scale := math.Sqrt(1.0 / 3)
	assert.InDelta(t, scale, s.Scale, 1e-12)
	assert.InDelta(t, (30-24.75)/scale, s.Z, 1e-12)
}

func TestMethodEdges(t *testing.T) {
	// A constant history: any other value is infinitely far, the same value 0.
	for _, m := range Methods {
		past := []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3}
		s, err := m.Score(past, 3, Params{Season: 2})
		require.NoError(t, err, m.Name)
		assert.Equal(t, 0.0, s.Z, m.Name)
		s, err = m.Score(past, 4, Params{Season: 2})
		require.NoError(t, err, m.Name)
		assert.True(t, math.IsInf(s.Z, 1), m.Name)
	}
	_, err := batchNormal([]float64{1}, 1, Params{})
	assert.Error(t, err)
	_, err = holtWinters([]float64{1, 2, 3, 4}, 1, Params{Season: 2})
	assert.ErrorContains(t, err, "needs 5 values")
	_, err = holtWinters([]float64{1, 2, 3, 4}, 1, Params{})
	assert.ErrorContains(t, err, "season length")

	// A series that is exactly a line plus a season of 4: Holt-Winters
	// forecasts the next value exactly whatever the smoothing.
	var y []float64
	pat := []float64{3, -1, -4, 2}
	for i := range 20 {
		y = append(y, 10+0.5*float64(i)+pat[i%4])
	}
	s, err := holtWinters(y[:19], y[19], Params{Season: 4, Alpha: 0.3, Beta: 0.2, Gamma: 0.4})
	require.NoError(t, err)
	assert.InDelta(t, y[19], s.Expected, 1e-9)
}

// The acceptance series: 200 daily runs, a weekly pattern, a trend, noise,
// and 5 planted anomalies. Each day is scored against the 30 days before it
// (as a run is against its history) and flagged when |z| > 4.
func TestAnomalySeries(t *testing.T) {
	y, planted := acceptanceSeries()
	const window, maxZ = 30, 4.0
	type tally struct{ found, falseAlarms int }
	got := map[string]tally{}
	for _, m := range Methods {
		var tl tally
		for day := window; day < len(y); day++ {
			s, err := m.Score(y[day-window:day], y[day], Params{Season: 7})
			require.NoError(t, err)
			if math.Abs(s.Z) <= maxZ {
				continue
			}
			if planted[day] {
				tl.found++
			} else {
				tl.falseAlarms++
			}
		}
		got[m.Name] = tl
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| method | planted found (of %d) | false alarms (of %d normal days) |\n|---|---|---|\n", len(planted), len(y)-window-len(planted))
	for _, m := range Methods {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", m.Name, got[m.Name].found, got[m.Name].falseAlarms)
	}
	t.Logf("window %d, |z| > %g:\n%s", window, maxZ, b.String())
	hw := got["holt_winters"]
	assert.Equal(t, 5, hw.found, "holt_winters must find every planted anomaly")
	assert.LessOrEqual(t, hw.falseAlarms, 2, "holt_winters false alarms")
}

// acceptanceSeries returns 200 days of 500 rows a day growing by 2 a day,
// a weekly pattern (quiet weekends), Gaussian noise of sd 4 from a fixed
// seed, and ±40 (10 sd) added on five days.
func acceptanceSeries() ([]float64, map[int]bool) {
	rng := rand.New(rand.NewPCG(17, 2026))
	week := []float64{10, 14, 12, 9, 6, -20, -31}
	y := make([]float64, 200)
	for i := range y {
		y[i] = 500 + 2*float64(i) + week[i%7] + 4*rng.NormFloat64()
	}
	planted := map[int]bool{}
	for i, day := range []int{45, 80, 117, 150, 186} {
		sign := 1.0
		if i%2 == 1 {
			sign = -1
		}
		y[day] += sign * 40
		planted[day] = true
	}
	return y, planted
}
