package fairness

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/result"
)

// Summary is the Details of the summary check "fairness.<feature>": every
// group's rates, every pair's differences and every group metric, each
// with its bootstrap interval, whether bounded or not.
type Summary struct {
	// Feature is the sensitive column; Class the class whose prediction is
	// a selection.
	Feature    string `json:"feature"`
	Class      string `json:"class"`
	Rows       int    `json:"rows"`
	Confidence bool   `json:"confidence"`
	*Assessment
}

// Judged is the Details of a bound's check "fairness.<metric>".
type Judged struct {
	Metric
	Bound      bound.Interval `json:"-"`
	Confidence bool           `json:"-"`
	Level      float64        `json:"-"`
}

// MarshalJSON writes the metric's fields (see [Metric.MarshalJSON]) with
// "bound" (min, max, strict_min, strict_max as set), "confidence" and
// "level".
func (j Judged) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		metricJSON
		Bound      map[string]any `json:"bound"`
		Confidence bool           `json:"confidence"`
		Level      float64        `json:"level"`
	}{j.jsonForm(), j.Bound.Fields(), j.Confidence, j.Level})
}

// Check assesses the outcomes with the spec's options and judges the
// spec's bounds. class names the class whose prediction is a selection
// (for the texts). It returns, in order, the summary check
// "fairness.<feature>" (Kind "fairness_groups", severity warn, always
// passing: it carries the evidence, [Summary]) and one check
// "fairness.<metric>" (Kind "fairness") per bound in spec order: it passes
// when [Metric.Pass] says so, fails with the bound's severity otherwise,
// and is an Error when the metric is undefined (a group without actual
// positives has no TPR).
//
// Check returns an error, and no checks, when the spec is invalid, the
// outcomes are empty or malformed, or hold fewer than two or more than
// [MaxGroups] groups.
func Check(spec *Spec, class string, o Outcomes) ([]result.Check, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	groups := slices.Compact(slices.Sorted(slices.Values(o.Group)))
	if len(groups) > MaxGroups {
		return nil, fmt.Errorf("%w: %q has %d distinct values (%s); at most %d groups are compared: use a categorical column, or bin this one into a column of its own",
			ErrTooManyGroups, spec.Feature, len(groups), shortList(groups, 5), MaxGroups)
	}
	a, err := Assess(o, Options{Resamples: spec.Resamples, Permutations: spec.Permutations, Seed: spec.Seed})
	if err != nil {
		return nil, err
	}
	sum := Summary{Feature: spec.Feature, Class: class, Rows: len(o.Group), Confidence: spec.Confidence, Assessment: a}
	checks := []result.Check{summaryCheck(sum)}
	for _, b := range spec.Bounds {
		m, _ := a.Metric(b.Metric)
		checks = append(checks, boundCheck(spec, sum, b, m))
	}
	return checks, nil
}

func summaryCheck(s Summary) result.Check {
	var parts []string
	for _, g := range s.Groups {
		parts = append(parts, fmt.Sprintf("%s n=%d selection rate %s, TPR %s, FPR %s", g.Name, g.Rows,
			EstimateText(g.SelectionRate), EstimateText(g.TPR), EstimateText(g.FPR)))
	}
	c := result.Check{
		Section:      Section,
		Name:         "fairness." + s.Feature,
		Kind:         "fairness_groups",
		Column:       s.Feature,
		Severity:     result.SeverityWarn,
		Status:       result.Pass,
		Observed:     map[string]any{"groups": len(s.Groups), "rows": s.Rows},
		ObservedText: fmt.Sprintf("%d groups of %s over %d rows", len(s.Groups), s.Feature, s.Rows),
		Expected:     map[string]any{"class": s.Class},
		ExpectedText: fmt.Sprintf("rates of predicting %q per group of %s, reported", s.Class, s.Feature),
		Details:      s,
	}
	c.Message = fmt.Sprintf("%s (selected: predicted %q): %s", c.ObservedText, s.Class, strings.Join(parts, "; "))
	return c
}

func boundCheck(spec *Spec, s Summary, b Bound, m Metric) result.Check {
	sev := cmp.Or(b.Severity, spec.Severity, result.SeverityError)
	c := result.Check{
		Section:      Section,
		Name:         "fairness." + string(b.Metric),
		Kind:         "fairness",
		Column:       s.Feature,
		Severity:     sev,
		Expected:     b.Interval.Fields(),
		ExpectedText: b.Interval.String(),
		Details:      Judged{Metric: m, Bound: b.Interval, Confidence: spec.Confidence, Level: s.Level},
	}
	if spec.Confidence {
		c.ExpectedText += fmt.Sprintf("; fails only when the %g%% interval lies beyond", 100*s.Level)
	}
	where := fmt.Sprintf("between the groups of %s", s.Feature)
	if math.IsNaN(m.Value) {
		c.Status = result.Error
		c.ObservedText = string(b.Metric) + " undefined"
		c.Message = fmt.Sprintf("%s undefined %s: %s", b.Metric, where, m.Undefined)
		return c
	}
	c.Observed = map[string]any{"value": m.Value, "lower": result.Number(m.Lo), "upper": result.Number(m.Hi), "p": result.Number(m.P), "q": result.Number(m.Q)}
	c.ObservedText = fmt.Sprintf("%s %s", b.Metric, EstimateText(m.Estimate))
	pass := m.Pass(b.Interval, spec.Confidence)
	c.Status = result.StatusOf(pass, sev)
	c.Message = fmt.Sprintf("%s %s %s (%s; permutation p=%s, q=%s), expected %s", b.Metric, EstimateText(m.Estimate), where,
		extremes(s, b.Metric), result.Human(m.P), result.Human(m.Q), c.ExpectedText)
	if !pass && spec.Confidence {
		c.Message += ": the whole interval lies beyond"
	} else if pass && spec.Confidence && !b.Interval.Contains(m.Value) {
		c.Message += ": beyond the bound, but the interval reaches it: not significant"
	}
	return c
}

// extremes names the groups a metric compares: those with the highest and
// lowest rate behind it.
func extremes(s Summary, n Name) string {
	rate := func(g Group) float64 { return g.SelectionRate.Value }
	what := "selection rate"
	switch n {
	case EqualOpportunityDifference:
		rate, what = func(g Group) float64 { return g.TPR.Value }, "TPR"
	case EqualizedOddsDifference:
		// The larger of the two spreads.
		spreadOf := func(r func(Group) float64) float64 {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, g := range s.Groups {
				lo, hi = min(lo, r(g)), max(hi, r(g))
			}
			return hi - lo
		}
		tpr := func(g Group) float64 { return g.TPR.Value }
		fpr := func(g Group) float64 { return g.FPR.Value }
		rate, what = tpr, "TPR"
		if spreadOf(fpr) > spreadOf(tpr) {
			rate, what = fpr, "FPR"
		}
	}
	// On a tie the highest is the first group and the lowest the last.
	lo, hi := s.Groups[0], s.Groups[0]
	for _, g := range s.Groups[1:] {
		if rate(g) <= rate(lo) {
			lo = g
		}
		if rate(g) > rate(hi) {
			hi = g
		}
	}
	return fmt.Sprintf("%s: %s %s, %s %s", what, hi.Name, result.Human(rate(hi)), lo.Name, result.Human(rate(lo)))
}

// EstimateText writes an estimate briefly: "0.25 [0.1, 0.4]", "0.25"
// without an interval, "undefined" when it has no value.
func EstimateText(e Estimate) string {
	if math.IsNaN(e.Value) {
		return "undefined"
	}
	s := result.Human(e.Value)
	if !math.IsNaN(e.Lo) {
		s += " [" + result.Human(e.Lo) + ", " + result.Human(e.Hi) + "]"
	}
	return s
}

func shortList(s []string, n int) string {
	q := make([]string, 0, n+1)
	for i, v := range s {
		if i == n {
			q = append(q, fmt.Sprintf("and %d more", len(s)-n))
			break
		}
		q = append(q, fmt.Sprintf("%q", v))
	}
	return strings.Join(q, ", ")
}
