package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/fairness"
	"github.com/trustml/trustml/report"
)

// TestFairnessTables: the report shows each group's rates, each pair's
// differences and each metric, with intervals, and the bound's verdict.
func TestFairnessTables(t *testing.T) {
	// Group a: 4 rows, 2 positives (both selected), 2 negatives (one
	// selected): selection rate 3/4, TPR 1, FPR 1/2. Group b: 4 rows,
	// 2 positives (one selected), 2 negatives (none): 1/4, 1/2, 0.
	o := fairness.Outcomes{
		Actual:   []bool{true, true, false, false, true, true, false, false},
		Selected: []bool{true, true, true, false, true, false, false, false},
		Group:    []string{"a", "a", "a", "a", "b", "b", "b", "b"},
	}
	spec := &fairness.Spec{Feature: "g", Seed: 1, Resamples: 200, Permutations: 99,
		Bounds: []fairness.Bound{{Metric: fairness.DemographicParityDifference, Interval: bound.AtMost(0.1)}}}
	checks, err := fairness.Check(spec, "yes", o)
	require.NoError(t, err)
	res := &trustml.Result{Checks: checks}
	res.Summary.Sections = nil
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, res))
	html := b.String()
	assert.Contains(t, html, `<h2 id="h-fairness">Fairness across g</h2>`)
	assert.Contains(t, html, "A selection is a prediction of “yes”; 8 evaluated rows.")
	row := func(cells ...string) string { return "<tr><td>" + strings.Join(cells, `</td><td class="num">`) }
	// The group rows start with the counts; the rates carry intervals.
	assert.Contains(t, html, row("a", "4", "2", "2", "3", "0.750 (0.250–1.000)"))
	assert.Contains(t, html, row("b", "4", "2", "2", "1", "0.250 (0–0.750)"))
	assert.Contains(t, html, row("a − b", "0.500 (-0.250 to 1.000)", "0.500 (0–1.000)", "0.500 (0–1.000)"))
	assert.Regexp(t, `<td>demographic_parity_difference</td><td class="num">0.500 \([^)]*\)</td>.*<td>≤ 0.1</td><td><span class="badge fail">FAIL</span>`, html)
	assert.Regexp(t, `<td>equalized_odds_difference</td><td class="num">0.500 \([^)]*\)</td>.*no bound`, html)
}
