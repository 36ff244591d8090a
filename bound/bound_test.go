package bound_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trustml/trustml/bound"
)

func ptr(v float64) *float64 { return &v }

func TestContains(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		b    bound.Interval
		v    float64
		want bool
	}{
		{bound.Interval{}, 3, true},
		{bound.Interval{}, inf, true},
		{bound.Interval{}, math.NaN(), false},
		{bound.Between(0, 120), 0, true},
		{bound.Between(0, 120), 120, true},
		{bound.Between(0, 120), 120.0000001, false},
		{bound.Between(0, 120), -inf, false},
		{bound.Interval{Min: ptr(0), StrictMin: true}, 0, false},
		{bound.Interval{Min: ptr(0), StrictMin: true}, 1e-300, true},
		{bound.Interval{Max: ptr(1), StrictMax: true}, 1, false},
		{bound.AtLeast(5), inf, true},
		{bound.AtMost(5), -inf, true},
		{bound.AtMost(5), 5, true},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.b.Contains(c.v), "%s contains %v", c.b, c.v)
	}
}

func TestValidate(t *testing.T) {
	assert.NoError(t, bound.Between(1, 1).Validate())
	assert.NoError(t, bound.Interval{Min: ptr(math.Inf(-1)), Max: ptr(math.Inf(1))}.Validate())
	assert.EqualError(t, bound.Between(2, 1).Validate(), "min 2 > max 1: no value can pass")
	assert.EqualError(t, bound.Interval{Min: ptr(1), Max: ptr(1), StrictMax: true}.Validate(), "min = max = 1 with a strict end: no value can pass")
	assert.EqualError(t, bound.Interval{Min: ptr(math.NaN())}.Validate(), "min is NaN")
	assert.EqualError(t, bound.Interval{StrictMax: true}.Validate(), "strict_max without max")
}

func TestString(t *testing.T) {
	assert.Equal(t, "[0, 120]", bound.Between(0, 120).String())
	assert.Equal(t, "(0, 1]", bound.Interval{Min: ptr(0), Max: ptr(1), StrictMin: true}.String())
	assert.Equal(t, "≥ 5", bound.AtLeast(5).String())
	assert.Equal(t, "< 3", bound.Interval{Max: ptr(3), StrictMax: true}.String())
	assert.Equal(t, "= 7", bound.Between(7, 7).String())
	assert.Equal(t, "any", bound.Interval{}.String())
	assert.Equal(t, map[string]any{"min": 0.0, "strict_max": true, "max": 2.5},
		bound.Interval{Min: ptr(0), Max: ptr(2.5), StrictMax: true}.Fields())
}
