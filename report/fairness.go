package report

import (
	"math"
	"strings"

	"github.com/trustml/trustml/fairness"
	"github.com/trustml/trustml/result"
)

// fairnessView is the fairness section: each group's rates, each pair's
// differences and the bounded metrics, every number with its interval.
type fairnessView struct {
	Summary                 checkView
	Feature, Class          string
	Rows                    int
	LevelText               string // the intervals' level, "95%"
	Resamples, Permutations int
	Confidence              bool
	Groups                  []fairGroupRow
	Pairs                   []fairPairRow
	Metrics                 []fairMetricRow
}

type fairGroupRow struct {
	Name                                 string
	Rows, Positives, Negatives, Selected int
	SelectionRate, TPR, FPR              string
}

type fairPairRow struct {
	A, B                    string
	SelectionRate, TPR, FPR string
}

type fairMetricRow struct {
	Name, Value, P, Q, Bound, Status, Anchor string
}

// newFairnessView builds the section from its checks (nil without any).
func newFairnessView(checks []result.Check, views []checkView) *fairnessView {
	var v *fairnessView
	bounded := map[fairness.Name]int{}
	for i, c := range checks {
		if j, ok := c.Details.(fairness.Judged); ok {
			bounded[j.Name] = i
		}
	}
	for i, c := range checks {
		s, ok := c.Details.(fairness.Summary)
		if !ok || s.Assessment == nil {
			continue
		}
		v = &fairnessView{Summary: views[i], Feature: s.Feature, Class: s.Class, Rows: s.Rows, LevelText: formatNumber(s.Level, percent),
			Resamples: s.Resamples, Permutations: s.Permutations, Confidence: s.Confidence}
		for _, g := range s.Groups {
			v.Groups = append(v.Groups, fairGroupRow{Name: g.Name, Rows: g.Rows, Positives: g.Positives, Negatives: g.Negatives, Selected: g.Selected,
				SelectionRate: estimateCell(g.SelectionRate), TPR: estimateCell(g.TPR), FPR: estimateCell(g.FPR)})
		}
		for _, p := range s.Pairs {
			v.Pairs = append(v.Pairs, fairPairRow{A: p.A, B: p.B, SelectionRate: estimateCell(p.SelectionRate), TPR: estimateCell(p.TPR), FPR: estimateCell(p.FPR)})
		}
		for _, m := range s.Metrics {
			row := fairMetricRow{Name: string(m.Name), Value: estimateCell(m.Estimate), P: pCell(m.P), Q: pCell(m.Q)}
			if m.Undefined != "" {
				row.Value = "undefined (" + m.Undefined + ")"
			}
			if k, ok := bounded[m.Name]; ok {
				row.Bound, row.Status, row.Anchor = views[k].Expected, views[k].Status, views[k].Anchor
			}
			v.Metrics = append(v.Metrics, row)
		}
	}
	return v
}

func estimateCell(e fairness.Estimate) string {
	switch {
	case math.IsNaN(e.Value):
		return "undefined"
	case math.IsNaN(e.Lo):
		return formatNumber(e.Value, value)
	}
	return intervalText(e.Value, e.Lo, e.Hi)
}

func pCell(p float64) string {
	if math.IsNaN(p) {
		return "—"
	}
	return strings.TrimSpace(formatNumber(p, value))
}
