package fairness

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// Section is the result section of the fairness checks (see [Check]).
const Section result.Section = "fairness"

// MaxGroups bounds the groups of a sensitive feature that [Check] compares:
// every pair of groups is a row of the result, so a column with hundreds of
// distinct values (an identifier, a continuous measurement) is an error
// rather than a result of tens of thousands of pairs.
const MaxGroups = 20

// Spec is a suite's `fairness` section: the sensitive feature, the class
// whose selection is measured, and the bounds on the group metrics. Build
// one in Go or let a suite file declare it; [Spec.Validate] is the one
// check of its rules either way.
type Spec struct {
	// Feature is the sensitive column: its values are the groups. It must
	// be categorical (text, boolean or integer) unless Bins cut it; null
	// (and NaN) is the group "(null)".
	Feature string
	// Bins, when set, are edges e0 < e1 < ... < ek that cut a numeric
	// Feature into groups (see [Spec.GroupOf]).
	Bins []float64
	// Class is the class whose prediction counts as a selection; "" means
	// the positive class of a binary model. A multiclass model needs one.
	Class string
	// Bounds bound group metrics, in suite order, each metric at most once.
	Bounds []Bound
	// Confidence makes a bound fail only when the metric's whole bootstrap
	// interval lies beyond it (see [Metric.Pass]).
	Confidence bool
	// Resamples and Permutations are those of [Options]; 0 means their
	// defaults.
	Resamples, Permutations int
	// Seed seeds the bootstraps and the permutation tests.
	Seed uint64
	// Severity of the bound checks; "" means error.
	Severity result.Severity

	// Line and Col locate the section's key in a suite, FeatureLine and
	// FeatureCol its feature (0 when built in Go).
	Line, Col, FeatureLine, FeatureCol int
}

// Bound is one bound of a spec: the metric must lie within Interval.
type Bound struct {
	Metric   Name
	Interval bound.Interval
	// Severity of the check; "" means the spec's.
	Severity result.Severity
}

// Validate reports every problem of s at once, each line naming the key
// path a suite spells it with ("fairness.feature: ..."). A decoded suite
// reports the same problems positioned in its file.
func (s *Spec) Validate() error {
	var fs yamlx.Findings
	s.validate("fairness", &fs)
	return fs.Err()
}

func (s *Spec) validate(path string, fs *yamlx.Findings) {
	at := func(key string) string { return yamlx.Join(path, key) }
	if s.Feature == "" {
		fs.AddAt(path, at("feature"), "missing: the sensitive column whose values are the groups")
	}
	if s.Bins != nil {
		if p := binsProblem(s.Bins); p != "" {
			fs.Add(yamlx.Join(at("feature"), "bins"), "%s", p)
		}
	}
	for i, b := range s.Bounds {
		p := at(string(b.Metric))
		switch {
		case !slices.Contains(Names, b.Metric):
			fs.Add(p, "%s", nameProblem(string(b.Metric)))
			continue
		case slices.ContainsFunc(s.Bounds[:i], func(o Bound) bool { return o.Metric == b.Metric }):
			fs.Add(p, "is bounded twice")
			continue
		case b.Interval.IsZero():
			fs.Add(p, "needs at least one of min or max")
		default:
			if err := b.Interval.Validate(); err != nil {
				fs.Add(p, "%s", err.Error())
			}
		}
		fs.Severity(yamlx.Join(p, "severity"), b.Severity)
	}
	if s.Resamples < 0 || s.Resamples > MaxResamples {
		fs.Add(at("n_boot"), "must be between 1 and %d, got %d", MaxResamples, s.Resamples)
	}
	if s.Permutations < 0 || s.Permutations > MaxPermutations {
		fs.Add(at("permutations"), "must be between 1 and %d, got %d", MaxPermutations, s.Permutations)
	}
	fs.Severity(at("severity"), s.Severity)
}

func binsProblem(b []float64) string {
	if len(b) < 2 || len(b) > MaxGroups-1 {
		return fmt.Sprintf("needs between 2 and %d edges, got %d", MaxGroups-1, len(b))
	}
	for i, e := range b {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return fmt.Sprintf("edges must be finite, got %v", e)
		}
		if i > 0 && !(e > b[i-1]) {
			return fmt.Sprintf("edges must increase strictly: %s follows %s", result.FormatFloat(e), result.FormatFloat(b[i-1]))
		}
	}
	return ""
}

// GroupOf returns the group of a value of a Feature cut by Bins: the bins
// are [e0,e1), [e1,e2), ... and the last one [ek-1,ek] is closed, as
// package slice cuts a column; a value below e0 is in "(-Inf,e0)", one
// above ek in "(ek,+Inf)", NaN in "(null)". Edges are written as
// result.FormatFloat writes them.
func (s *Spec) GroupOf(v float64) string {
	b, f := s.Bins, result.FormatFloat
	k := len(b) - 1
	switch {
	case math.IsNaN(v):
		return NullGroup
	case v < b[0]:
		return "(-Inf," + f(b[0]) + ")"
	case v > b[k]:
		return "(" + f(b[k]) + ",+Inf)"
	case v == b[k]:
		return "[" + f(b[k-1]) + "," + f(b[k]) + "]"
	}
	i := sort.SearchFloat64s(b, v) // the first edge ≥ v
	if b[i] == v {
		i++
	}
	if i == k {
		return "[" + f(b[k-1]) + "," + f(b[k]) + "]"
	}
	return "[" + f(b[i-1]) + "," + f(b[i]) + ")"
}

// NullGroup is the group of a null (or NaN) value of the feature.
const NullGroup = "(null)"

// nameProblem says why name is not a group metric, with a hint.
func nameProblem(name string) string {
	names := make([]string, len(Names))
	for i, n := range Names {
		names[i] = string(n)
	}
	msg := fmt.Sprintf("unknown fairness metric %q", name)
	if h := yamlx.Suggest(name, names); h != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", h)
	}
	return msg + "; metrics are " + strings.Join(names, ", ")
}

// ErrTooManyGroups is returned by [Check] when the feature has more than
// [MaxGroups] groups.
var ErrTooManyGroups = errors.New("fairness: too many groups")
