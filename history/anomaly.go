package history

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Method scores a new value x against the values before it (oldest first).
// It returns the value it expected, the scale of normal variation around
// that expectation, and z = (x − expected) / scale. A scale of 0 gives
// z = 0 when x equals the expectation, else ±Inf.
type Method struct {
	// Name is the method's name in a suite: batch_normal, mad, holt_winters.
	Name string
	// About says in a few words what it computes, for messages and docs.
	About string
	// MinRuns is the history the method needs for a given season length.
	MinRuns func(season int) int
	// Score computes the expectation and scale from past and scores x.
	Score func(past []float64, x float64, p Params) (Score, error)
}

// Params tune a method. Season is Holt-Winters' season length (e.g. 7 for
// daily runs with a weekly pattern). Alpha, Beta and Gamma, when all set
// (in (0,1)), fix Holt-Winters' smoothing parameters; otherwise they are
// chosen on the window by least squares over a grid.
type Params struct {
	Season             int
	Alpha, Beta, Gamma float64
}

// Score is a method's verdict on one value.
type Score struct {
	Expected float64 `json:"expected"`
	Scale    float64 `json:"scale"`
	Z        float64 `json:"z"`
	// Alpha, Beta, Gamma are Holt-Winters' fitted smoothing parameters.
	Alpha float64 `json:"alpha,omitempty"`
	Beta  float64 `json:"beta,omitempty"`
	Gamma float64 `json:"gamma,omitempty"`
}

// Methods lists the anomaly methods by name.
var Methods = []Method{
	{
		Name: "batch_normal", About: "z against the mean and standard deviation of the window",
		MinRuns: func(int) int { return 3 },
		Score:   batchNormal,
	},
	{
		Name: "mad", About: "z against the median and 1.4826 × the median absolute deviation of the window",
		MinRuns: func(int) int { return 3 },
		Score:   mad,
	},
	{
		Name: "holt_winters", About: "robust additive Holt-Winters fitted on the window; z of the forecast error against the fit's one-step errors",
		MinRuns: func(season int) int { return 2*season + 3 },
		Score:   holtWinters,
	},
}

// MethodNamed returns the method called name.
func MethodNamed(name string) (Method, bool) {
	for _, m := range Methods {
		if m.Name == name {
			return m, true
		}
	}
	return Method{}, false
}

func methodNames() []string {
	out := make([]string, len(Methods))
	for i, m := range Methods {
		out[i] = m.Name
	}
	return out
}

func zOf(x, expected, scale float64) float64 {
	d := x - expected
	switch {
	case scale > 0:
		return d / scale
	case d == 0:
		return 0
	case d > 0:
		return math.Inf(1)
	}
	return math.Inf(-1)
}

// batchNormal: the sample mean and the sample standard deviation (n − 1)
// of past.
func batchNormal(past []float64, x float64, _ Params) (Score, error) {
	if len(past) < 2 {
		return Score{}, fmt.Errorf("batch_normal needs 2 values, got %d", len(past))
	}
	var sum float64
	for _, v := range past {
		sum += v
	}
	mean := sum / float64(len(past))
	var ss float64
	for _, v := range past {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(len(past)-1))
	return Score{Expected: mean, Scale: sd, Z: zOf(x, mean, sd)}, nil
}

// MADScale makes the median absolute deviation estimate the standard
// deviation of normal data: 1 / Φ⁻¹(3/4).
const MADScale = 1.4826

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// mad: the median of past, and MADScale × the median of |v − median|.
func mad(past []float64, x float64, _ Params) (Score, error) {
	if len(past) < 1 {
		return Score{}, fmt.Errorf("mad needs 1 value, got 0")
	}
	m := median(past)
	dev := make([]float64, len(past))
	for i, v := range past {
		dev[i] = math.Abs(v - m)
	}
	s := MADScale * median(dev)
	return Score{Expected: m, Scale: s, Z: zOf(x, m, s)}, nil
}

// hwFit runs additive Holt-Winters over y with season m and the given
// smoothing parameters. Initial state: the trend is the difference of the
// means of the first two seasons divided by m; the line through the first
// season's mean with that slope gives the level at t = m − 1 and the
// seasonal indices (the first season's deviations from the line), so a
// series that is exactly a line plus a season is forecast exactly.
// From t = m on, each value is forecast one step ahead (level + trend +
// the seasonal index of t − m), its error e = y − f recorded, and the
// state updated with y* = f + clip(e, ±limit):
//
//	ℓ = α(y* − s) + (1−α)(ℓ + b)
//	b = β(ℓ − ℓprev) + (1−β)b
//	s = γ(y* − ℓprev − bprev) + (1−γ)s
//
// A limit of +Inf is the classical method; a finite one is robust
// Holt-Winters (Gelper, Fried & Croux, 2010): an outlier in the window
// moves the state no more than a value at the limit would.
// It returns the one-step errors (unclipped) and the forecast of the value
// after y.
func hwFit(y []float64, m int, a, b, g, limit float64) (errs []float64, next float64) {
	var s1, s2 float64
	for i := 0; i < m; i++ {
		s1 += y[i]
		s2 += y[m+i]
	}
	mean1 := s1 / float64(m)
	trend := (s2/float64(m) - mean1) / float64(m)
	// The first season's mean is the level at its middle, (m−1)/2; the
	// trend carries it to the season's last point, where smoothing starts.
	mid := float64(m-1) / 2
	level := mean1 + trend*mid
	season := make([]float64, 0, len(y)+1)
	for i := 0; i < m; i++ {
		season = append(season, y[i]-(mean1+trend*(float64(i)-mid)))
	}
	errs = make([]float64, 0, len(y)-m)
	for t := m; t < len(y); t++ {
		st := season[t-m]
		f := level + trend + st
		e := y[t] - f
		errs = append(errs, e)
		yc := f + max(-limit, min(limit, e))
		prevL, prevB := level, trend
		level = a*(yc-st) + (1-a)*(prevL+prevB)
		trend = b*(level-prevL) + (1-b)*prevB
		season = append(season, g*(yc-prevL-prevB)+(1-g)*st)
	}
	return errs, level + trend + season[len(y)-m]
}

// HuberK is the number of scales beyond which robust Holt-Winters clips a
// one-step error before it updates the state.
const HuberK = 2.0

// robustScale is 1.4826 × the median absolute deviation of errs from 0,
// or their root mean square when that is 0.
func robustScale(errs []float64) float64 {
	abs := make([]float64, len(errs))
	for i, e := range errs {
		abs[i] = math.Abs(e)
	}
	if s := MADScale * median(abs); s > 0 {
		return s
	}
	return rms(errs)
}

func rms(v []float64) float64 {
	var ss float64
	for _, e := range v {
		ss += e * e
	}
	return math.Sqrt(ss / float64(len(v)))
}

// hwGrid is the grid Holt-Winters' smoothing parameters are chosen from.
var hwGrid = []float64{0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}

// holtWinters: fits robust additive Holt-Winters to past (at least two
// seasons and one value). For each (α, β, γ) — from hwGrid, or fixed by
// Params — a classical pass gives the one-step errors and their robust
// scale σ₀ (robustScale); a second pass clips errors at HuberK·σ₀ before
// updating (hwFit). The parameters minimising the sum of squared clipped
// errors win; the expectation is their forecast of the next value and the
// scale the root mean square of their clipped errors.
func holtWinters(past []float64, x float64, p Params) (Score, error) {
	m := p.Season
	if m < 1 {
		return Score{}, fmt.Errorf("holt_winters needs a season length ≥ 1, got %d", m)
	}
	if len(past) < 2*m+1 {
		return Score{}, fmt.Errorf("holt_winters with season %d needs %d values, got %d", m, 2*m+1, len(past))
	}
	fixed := p.Alpha > 0 && p.Beta > 0 && p.Gamma > 0
	best := Score{}
	bestSSE := math.Inf(1)
	try := func(a, b, g float64) {
		raw, _ := hwFit(past, m, a, b, g, math.Inf(1))
		limit := HuberK * robustScale(raw)
		errs, next := hwFit(past, m, a, b, g, limit)
		var sse float64
		for _, e := range errs {
			c := max(-limit, min(limit, e))
			sse += c * c
		}
		if sse < bestSSE {
			bestSSE = sse
			best = Score{Expected: next, Scale: math.Sqrt(sse / float64(len(errs))), Alpha: a, Beta: b, Gamma: g}
		}
	}
	if fixed {
		try(p.Alpha, p.Beta, p.Gamma)
	} else {
		for _, a := range hwGrid {
			for _, b := range hwGrid {
				for _, g := range hwGrid {
					try(a, b, g)
				}
			}
		}
	}
	best.Z = zOf(x, best.Expected, best.Scale)
	return best, nil
}
