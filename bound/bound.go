// Package bound holds the one numeric bounds type every section of a suite
// shares: expectations, model objectives, behavioural tests, slices and
// drift tests all say "min ≤ v ≤ max" with [Interval].
//
// An Interval with neither end set bounds nothing; callers that require a
// bound say so when they validate their own spec ([Interval.IsZero]).
package bound

import (
	"errors"
	"fmt"
	"math"

	"github.com/trustml/trustml/result"
)

// Interval bounds a number: Min ≤ v ≤ Max, with either end optional (nil)
// and either end strict (Min < v, v < Max). The zero value bounds nothing
// and contains every number except NaN.
type Interval struct {
	Min, Max             *float64
	StrictMin, StrictMax bool
}

// AtLeast returns the interval [min, +∞).
func AtLeast(min float64) Interval { return Interval{Min: &min} }

// AtMost returns the interval (-∞, max].
func AtMost(max float64) Interval { return Interval{Max: &max} }

// Between returns the closed interval [min, max].
func Between(min, max float64) Interval { return Interval{Min: &min, Max: &max} }

// IsZero reports whether the interval sets neither end.
func (b Interval) IsZero() bool { return b.Min == nil && b.Max == nil }

// Contains reports whether v lies within the interval. NaN is never
// contained; ±Inf is contained when no end excludes it.
func (b Interval) Contains(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if b.Min != nil && (v < *b.Min || (b.StrictMin && v == *b.Min)) {
		return false
	}
	if b.Max != nil && (v > *b.Max || (b.StrictMax && v == *b.Max)) {
		return false
	}
	return true
}

// Validate reports a NaN end, a strict flag on an absent end, and an
// interval that contains nothing (min > max, or min = max with either end
// strict). Infinite ends are allowed. The error names the keys min and max
// as a suite spells them.
func (b Interval) Validate() error {
	var errs []error
	if b.Min != nil && math.IsNaN(*b.Min) {
		errs = append(errs, errors.New("min is NaN"))
	}
	if b.Max != nil && math.IsNaN(*b.Max) {
		errs = append(errs, errors.New("max is NaN"))
	}
	if b.StrictMin && b.Min == nil {
		errs = append(errs, errors.New("strict_min without min"))
	}
	if b.StrictMax && b.Max == nil {
		errs = append(errs, errors.New("strict_max without max"))
	}
	if len(errs) == 0 && b.Min != nil && b.Max != nil {
		lo, hi := *b.Min, *b.Max
		switch {
		case lo > hi:
			errs = append(errs, fmt.Errorf("min %s > max %s: no value can pass", result.FormatFloat(lo), result.FormatFloat(hi)))
		case lo == hi && (b.StrictMin || b.StrictMax):
			errs = append(errs, fmt.Errorf("min = max = %s with a strict end: no value can pass", result.FormatFloat(lo)))
		}
	}
	return errors.Join(errs...)
}

// String writes the interval as people read it: "[0, 120]", "(0, 1]",
// "≥ 5", "< 3", "= 7", or "any" when it bounds nothing.
func (b Interval) String() string {
	f := result.FormatFloat
	switch {
	case b.Min != nil && b.Max != nil:
		if *b.Min == *b.Max && !b.StrictMin && !b.StrictMax {
			return "= " + f(*b.Min)
		}
		l, r := "[", "]"
		if b.StrictMin {
			l = "("
		}
		if b.StrictMax {
			r = ")"
		}
		return l + f(*b.Min) + ", " + f(*b.Max) + r
	case b.Min != nil:
		if b.StrictMin {
			return "> " + f(*b.Min)
		}
		return "≥ " + f(*b.Min)
	case b.Max != nil:
		if b.StrictMax {
			return "< " + f(*b.Max)
		}
		return "≤ " + f(*b.Max)
	}
	return "any"
}

// Fields returns the interval as the keys a suite and a result's
// "expected" object use: min, max, strict_min and strict_max, each only
// when set. The map is new on every call.
func (b Interval) Fields() map[string]any {
	m := map[string]any{}
	if b.Min != nil {
		m["min"] = *b.Min
	}
	if b.Max != nil {
		m["max"] = *b.Max
	}
	if b.StrictMin {
		m["strict_min"] = true
	}
	if b.StrictMax {
		m["strict_max"] = true
	}
	return m
}
