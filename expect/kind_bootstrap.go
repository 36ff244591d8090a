package expect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/ksdist"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// BootstrapKS: Great Expectations' bootstrapped Kolmogorov–Smirnov test
// of the column against a numeric Partition read as a piecewise-linear
// CDF. It draws BootstrapSamples samples of BootstrapSize values (with
// replacement, seeded by Seed), tests each against the CDF, and passes
// when (1 + the number of samples whose p-value is at least Alpha) /
// (BootstrapSamples + 1) is above Alpha. Small samples keep the test from
// rejecting a partition only for having compressed the data into bins.
// The check keeps every value (8 bytes each).
const BootstrapKS Kind = "bootstrap_ks"

// Defaults of bootstrap_ks, as Great Expectations': 1,000 samples, each
// of twice as many values as the partition has bins.
const DefaultBootstrapSamples = 1000

func init() {
	register(kindDef{
		kind: BootstrapKS, example: "{partition: {bins: [0, 1, 2, 3], weights: [0.3, 0.4, 0.3]}, alpha: 0.05}", reads: numericClasses,
		decode:   decodeBootstrapKS,
		validate: validateBootstrapKS,
		bind: func(cp *colPlan, c *Check) error {
			idx := cp.idx
			cp.addCustom(c, func() customAcc { return &valuesAcc{col: idx} })
			return nil
		},
		finish: finishBootstrapKS,
		define: histogramDefinition,
	})
}

// decodeBootstrapKS reads {partition, alpha, samples, sample_size, seed,
// severity}.
func decodeBootstrapKS(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, []string{"partition", "alpha", "samples", "sample_size", "seed", "severity"})
	if !ok {
		return
	}
	c.Severity = d.SeverityIn(fields, c.Severity)
	for _, g := range fields {
		switch g.Key {
		case "partition":
			c.Partition = decodePartition(d, g.Value, g.Path)
		case "alpha":
			if v, ok := d.Fraction(g.Value, g.Path); ok {
				c.Alpha = &v
			}
		case "samples", "sample_size":
			if v, ok := d.Count(g.Value, g.Path); ok {
				if v < 1 || v > 100000 {
					d.Errorf(g.Value, g.Path, "must be between 1 and 100000, got %d", v)
				}
				if g.Key == "samples" {
					c.BootstrapSamples = int(v)
				} else {
					c.BootstrapSize = int(v)
				}
			}
		case "seed":
			if v, ok := d.Count(g.Value, g.Path); ok {
				c.Seed = uint64(v)
			}
		}
	}
	if child(n, "partition") == nil {
		d.Errorf(n, path, "needs partition: {bins: [...], weights: [...]}")
	}
	if child(n, "alpha") == nil {
		d.Errorf(n, path, "needs alpha")
	}
}

// validateBootstrapKS states bootstrap_ks's rules: a partition of finite
// bins without tail weights.
func validateBootstrapKS(c *Check) error {
	p := c.Partition
	switch {
	case p == nil:
		return fmt.Errorf("bootstrap_ks needs a partition")
	case c.Alpha == nil:
		return fmt.Errorf("bootstrap_ks needs alpha")
	case p.Categorical():
		return atKey("partition", fmt.Errorf("bootstrap_ks needs a partition with bins; a KS test compares numeric distributions"))
	case p.TailWeights != nil:
		return atKey("partition", fmt.Errorf("a partition for bootstrap_ks cannot have tail_weights: its CDF runs from the first edge to the last"))
	case c.BootstrapSamples < 0 || c.BootstrapSize < 0:
		return fmt.Errorf("samples and sample_size are positive")
	}
	for _, b := range p.Bins {
		if math.IsInf(b, 0) || math.IsNaN(b) {
			return atKey("partition", fmt.Errorf("partition endpoints must be finite, got %s", result.FormatFloat(b)))
		}
	}
	return atKey("partition", c.validatePartition())
}

// partitionCDF is the piecewise-linear CDF through (Bins[i], the
// cumulative weight below it): numpy.interp, 0 below the first edge and
// 1 above the last.
func partitionCDF(p *Partition) func(float64) float64 {
	cum := make([]float64, len(p.Bins))
	for i, w := range p.Weights {
		cum[i+1] = cum[i] + w
	}
	return func(x float64) float64 {
		bins := p.Bins
		switch {
		case x <= bins[0]:
			return cum[0]
		case x >= bins[len(bins)-1]:
			return cum[len(cum)-1]
		}
		i := sort.SearchFloat64s(bins, x) // bins[i-1] < x ≤ bins[i]
		f := (x - bins[i-1]) / (bins[i] - bins[i-1])
		return cum[i-1] + f*(cum[i]-cum[i-1])
	}
}

func finishBootstrapKS(e *eval, c *Check, r *result.Check) bool {
	xs := e.customState(c).(*valuesAcc).vals
	sort.Float64s(xs)
	p := c.Partition
	alpha := *c.Alpha
	samples, size := c.BootstrapSamples, c.BootstrapSize
	if samples == 0 {
		samples = DefaultBootstrapSamples
	}
	if size == 0 {
		size = 2 * len(p.Weights)
	}
	r.Expected = map[string]any{"alpha": alpha, "samples": samples, "sample_size": size, "seed": c.Seed}
	r.ExpectedText = fmt.Sprintf("bootstrapped KS share above %s", result.FormatFloat(alpha))
	if len(xs) == 0 {
		r.Status = result.Error
		r.Message = "no non-null values: the KS test is undefined"
		r.ObservedText = r.Message
		return false
	}
	cdf := partitionCDF(p)
	rng := rand.New(rand.NewPCG(c.Seed, 0x9e3779b97f4a7c15))
	sample := make([]float64, size)
	passing := 0
	// The p-value falls as D grows: a sample's p-value is at least alpha
	// when its D is at most the critical value, found once by bisection.
	crit := criticalD(size, alpha)
	for range samples {
		for i := range sample {
			sample[i] = xs[rng.IntN(len(xs))]
		}
		slices.Sort(sample)
		if ksStatistic(sample, cdf) <= crit {
			passing++
		}
	}
	share := float64(1+passing) / float64(samples+1)
	r.Observed = share
	r.Details = bootstrapDetails(xs, p, samples, size)
	r.ObservedText = fmt.Sprintf("%d of %d bootstrap samples of %d values have a KS p-value of at least %s: share %s",
		passing, samples, size, result.FormatFloat(alpha), result.FormatFloat(share))
	ok := share > alpha
	r.Message = r.ObservedText
	if !ok {
		r.Message += ", at most alpha: the values do not follow the partition"
	}
	return ok
}

// criticalD returns the largest D whose one-sample KS p-value over n
// values is at least alpha (to 1e-13).
func criticalD(n int, alpha float64) float64 {
	lo, hi := 0.0, 1.0
	if p, _ := ksdist.OneSampleP(hi, n); p >= alpha {
		return hi
	}
	for hi-lo > 1e-13 {
		mid := (lo + hi) / 2
		if p, _ := ksdist.OneSampleP(mid, n); p >= alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// bootstrapDetails describes the observed distribution as Great
// Expectations does: the partition's bins, extended to the smallest and
// largest value when values fall outside, their weights, and both CDFs.
func bootstrapDetails(xs []float64, p *Partition, samples, size int) map[string]any {
	n := float64(len(xs))
	k := len(p.Bins) - 1
	counts := make([]int64, k+2) // below, bins, above
	for _, x := range xs {
		bin(p.Bins, counts, x)
	}
	bins := slices.Clone(p.Bins)
	weights := make([]float64, 0, k+2)
	if counts[0] > 0 {
		bins = append([]float64{xs[0]}, bins...)
		weights = append(weights, float64(counts[0])/n)
	}
	for _, cnt := range counts[1 : k+1] {
		weights = append(weights, float64(cnt)/n)
	}
	if counts[k+1] > 0 {
		bins = append(bins, xs[len(xs)-1])
		weights = append(weights, float64(counts[k+1])/n)
	}
	cumulative := func(ws []float64) []float64 {
		out := []float64{0}
		s := 0.0
		for _, w := range ws {
			s += w
			out = append(out, s)
		}
		return out
	}
	return map[string]any{
		"bootstrap_samples":     samples,
		"bootstrap_sample_size": size,
		"observed_partition":    map[string]any{"bins": bins, "weights": weights},
		"expected_partition":    map[string]any{"bins": p.Bins, "weights": p.Weights},
		"observed_cdf":          map[string]any{"x": bins, "cdf_values": cumulative(weights)},
		"expected_cdf":          map[string]any{"x": p.Bins, "cdf_values": cumulative(p.Weights)},
	}
}
