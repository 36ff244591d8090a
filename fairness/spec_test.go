package fairness

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trustml/trustml/bound"
)

func TestGroupOf(t *testing.T) {
	s := &Spec{Bins: []float64{0, 10, 20.5}}
	for v, want := range map[float64]string{
		-1: "(-Inf,0)", 0: "[0,10)", 9.99: "[0,10)", 10: "[10,20.5]", 20.5: "[10,20.5]", 21: "(20.5,+Inf)", math.NaN(): "(null)",
	} {
		assert.Equal(t, want, s.GroupOf(v), "%v", v)
	}
	two := &Spec{Bins: []float64{1, 2}}
	assert.Equal(t, "[1,2]", two.GroupOf(1))
	assert.Equal(t, "[1,2]", two.GroupOf(2))
}

func TestSpecValidate(t *testing.T) {
	s := &Spec{Bins: []float64{1}, Resamples: -1, Severity: "fatal", Bounds: []Bound{
		{Metric: "parity", Interval: bound.AtMost(1)},
		{Metric: DemographicParityRatio},
		{Metric: EqualOpportunityDifference, Interval: bound.Between(2, 1)},
		{Metric: EqualOpportunityDifference, Interval: bound.AtMost(1)},
	}}
	assert.EqualError(t, s.Validate(), `fairness.feature: missing: the sensitive column whose values are the groups
fairness.feature.bins: needs between 2 and 19 edges, got 1
fairness.parity: unknown fairness metric "parity"; metrics are demographic_parity_difference, demographic_parity_ratio, equal_opportunity_difference, equalized_odds_difference
fairness.demographic_parity_ratio: needs at least one of min or max
fairness.equal_opportunity_difference: min 2 > max 1: no value can pass
fairness.equal_opportunity_difference: is bounded twice
fairness.n_boot: must be between 1 and 100000, got -1
fairness.severity: must be error or warn, got "fatal"`)
}
