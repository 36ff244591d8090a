package trustml_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/fairness"
	"github.com/trustml/trustml/result"
)

// Twelve decisions, positive class "yes", labels from the model, every row
// evaluated (no split). By hand:
//
//	F: 6 rows, 3 actual yes (2 predicted yes), 3 actual no (1 predicted yes):
//	   selection rate 3/6, TPR 2/3, FPR 1/3
//	M: 6 rows, 2 actual yes (1 predicted yes), 4 actual no (1 predicted yes):
//	   selection rate 2/6, TPR 1/2, FPR 1/4
//
// so demographic parity difference 1/2 − 1/3 = 1/6, ratio (1/3)/(1/2) =
// 2/3, equal opportunity difference 2/3 − 1/2 = 1/6, equalized odds
// difference max(1/6, 1/3 − 1/4) = 1/6; the pair F − M differs by 1/6,
// 1/6 and 1/12.
const fairCSV = `y,lab,p,sex,age
yes,yes,0.9,F,31.5
yes,yes,0.8,F,40.1
yes,no,0.3,F,22.0
no,yes,0.7,F,51.2
no,no,0.2,F,33.3
no,no,0.1,F,45.0
yes,yes,0.6,M,28.4
yes,no,0.4,M,36.6
no,yes,0.55,M,60.0
no,no,0.35,M,19.9
no,no,0.2,M,27.7
no,no,0.05,M,44.4
`

func fairSuite(section string) map[string]string {
	return map[string]string{"d.csv": fairCSV, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  positive: "yes"
  predictions: {label: lab}
fairness:
` + section}
}

func checksByName(res *trustml.Result) map[string]result.Check {
	out := map[string]result.Check{}
	for _, c := range res.Checks {
		out[c.Name] = c
	}
	return out
}

func TestFairnessHandComputed(t *testing.T) {
	p := writeSuite(t, fairSuite(`  feature: sex
  demographic_parity_difference: {max: 0.1}
  demographic_parity_ratio: {min: 0.6}
  equal_opportunity_difference: {max: 0.2}
  equalized_odds_difference: {max: 0.1, severity: warn}
`))
	res, err := run(t, p)
	require.NoError(t, err)
	checks := checksByName(res)

	sum := checks["fairness.sex"]
	assert.Equal(t, fairness.Section, sum.Section)
	assert.Equal(t, result.Pass, sum.Status)
	s, ok := sum.Details.(fairness.Summary)
	require.True(t, ok, "%T", sum.Details)
	assert.Equal(t, "yes", s.Class)
	assert.Equal(t, 12, s.Rows)
	require.Len(t, s.Groups, 2)
	f, m := s.Groups[0], s.Groups[1]
	assert.Equal(t, []any{"F", 6, 3, 3, 3}, []any{f.Name, f.Rows, f.Positives, f.Negatives, f.Selected})
	assert.Equal(t, []any{"M", 6, 2, 4, 2}, []any{m.Name, m.Rows, m.Positives, m.Negatives, m.Selected})
	for _, c := range []struct {
		got  fairness.Estimate
		want float64
	}{
		{f.SelectionRate, 0.5}, {f.TPR, 2.0 / 3}, {f.FPR, 1.0 / 3},
		{m.SelectionRate, 1.0 / 3}, {m.TPR, 0.5}, {m.FPR, 0.25},
		{s.Pairs[0].SelectionRate, 1.0 / 6}, {s.Pairs[0].TPR, 1.0 / 6}, {s.Pairs[0].FPR, 1.0 / 12},
	} {
		assert.InDelta(t, c.want, c.got.Value, 1e-15)
		assert.LessOrEqual(t, c.got.Lo, c.want, "the interval holds the estimate")
		assert.GreaterOrEqual(t, c.got.Hi, c.want)
	}

	want := map[string]struct {
		value  float64
		status result.Status
	}{
		"fairness.demographic_parity_difference": {1.0 / 6, result.Fail},
		"fairness.demographic_parity_ratio":      {2.0 / 3, result.Pass},
		"fairness.equal_opportunity_difference":  {1.0 / 6, result.Pass},
		"fairness.equalized_odds_difference":     {1.0 / 6, result.Warn},
	}
	for name, w := range want {
		c := checks[name]
		assert.Equal(t, w.status, c.Status, name)
		assert.InDelta(t, w.value, c.Observed.(map[string]any)["value"], 1e-15, name)
	}
	assert.Contains(t, checks["fairness.demographic_parity_difference"].Message, "selection rate: F 0.5, M 0.333")
	assert.Equal(t, 1, res.Summary.Fail)
	assert.Equal(t, uint64(trustml.DefaultSeed), res.Run.Seeds["fairness"])

	// The result's JSON holds every group's rates and every pair's
	// differences with their intervals.
	b, err := json.Marshal(res)
	require.NoError(t, err)
	js := string(b)
	for _, key := range []string{`"groups":[{"name":"F","rows":6,"positives":3,"negatives":3,"selected":3,"selection_rate":{"value":0.5,"lower":`,
		`"pairs":[{"a":"F","b":"M","selection_rate":{"value":0.16666666666666669`, `"name":"demographic_parity_ratio","value":0.6666666666666666`} {
		assert.Contains(t, js, key)
	}
}

// TestFairnessConfidence: with confidence the 1/6 difference, well inside
// the noise of twelve rows, passes, and the message says why.
func TestFairnessConfidence(t *testing.T) {
	p := writeSuite(t, fairSuite(`  feature: sex
  confidence: true
  demographic_parity_difference: {max: 0.1}
`))
	res, err := run(t, p)
	require.NoError(t, err)
	c := checksByName(res)["fairness.demographic_parity_difference"]
	assert.Equal(t, result.Pass, c.Status)
	assert.Contains(t, c.Message, "beyond the bound, but the interval reaches it: not significant")
	assert.Contains(t, c.ExpectedText, "fails only when the 95% interval lies beyond")
}

// TestFairnessSeed: the section's seed, else the suite's, fixes the
// intervals: the same seed gives the same result, another seed another.
func TestFairnessSeed(t *testing.T) {
	// The permutation p-values (999 shuffles) tell draws apart.
	var csv strings.Builder
	csv.WriteString("y,lab,sex\n")
	for i := range 200 {
		sex, y, lab := "M", "no", "no"
		if i%2 == 1 {
			sex = "F"
		}
		if i%3 == 0 {
			y = "yes"
		}
		if i%5 < 2 || (sex == "F" && i%7 == 0) {
			lab = "yes"
		}
		fmt.Fprintf(&csv, "%s,%s,%s\n", y, lab, sex)
	}
	lo := func(extra string) []float64 {
		files := fairSuite("  feature: sex\n" + extra)
		files["d.csv"] = csv.String()
		p := writeSuite(t, files)
		res, err := run(t, p)
		require.NoError(t, err)
		var ps []float64
		for _, m := range checksByName(res)["fairness.sex"].Details.(fairness.Summary).Metrics {
			ps = append(ps, m.P, m.Lo, m.Hi)
		}
		return ps
	}
	a, b, c := lo("  seed: 7\n"), lo("  seed: 7\n"), lo("  seed: 8\n")
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
}

// TestFairnessErrors: what cannot be judged is an error naming its place
// in the suite file.
func TestFairnessErrors(t *testing.T) {
	for _, tc := range []struct {
		name, suite, want string
		atRun             bool
	}{
		{name: "missing column", suite: "  feature: gender\n", atRun: true,
			want: `suite.yaml:9:12: fairness.feature: `},
		{name: "float column", suite: "  feature: age\n", atRun: true,
			want: `suite.yaml:9:12: fairness.feature: column "age" is float64, not categorical`},
		{name: "unknown class", suite: "  feature: sex\n  class: maybe\n", atRun: true,
			want: `suite.yaml:8:1: fairness.class: "maybe" is not a class of "y" (classes: "no", "yes")`},
		{name: "near-miss key", suite: "  feature: sex\n  demographic_parity_diference: {max: 0.1}\n",
			want: `suite.yaml:10:3: fairness.demographic_parity_diference: unknown key "demographic_parity_diference" (did you mean "demographic_parity_difference"?)`},
		{name: "empty bound", suite: "  feature: sex\n  equal_opportunity_difference: {}\n",
			want: `suite.yaml:10:33: fairness.equal_opportunity_difference: needs at least one of min or max`},
		{name: "no feature", suite: "  confidence: true\n",
			want: `suite.yaml:9:3: fairness.feature: missing: the sensitive column whose values are the groups`},
		{name: "target", suite: "  feature: y\n",
			want: `suite.yaml:9:12: fairness.feature: is the model's target "y"; the sensitive feature is another column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeSuite(t, fairSuite(tc.suite))
			s, err := trustml.Load(p)
			if !tc.atRun {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
				return
			}
			require.NoError(t, err)
			_, err = s.Run(context.Background(), trustml.RunOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestFairnessNeedsClassifier: on a regressor, or without a model, the
// section is a suite error at its key.
func TestFairnessNeedsClassifier(t *testing.T) {
	for _, tc := range []struct{ model, want string }{
		{"", "suite.yaml:3:1: fairness: fairness judges a classifier's decisions: add a model section with task: classification"},
		{"model: {target: p, predictions: p}\n", "suite.yaml:4:1: fairness: fairness judges a classifier's decisions (selection, true and false positive rates); the model is a regressor: add task: classification"},
	} {
		p := writeSuite(t, map[string]string{"d.csv": fairCSV, "suite.yaml": "\ndata: {path: d.csv}\n" + tc.model + "fairness: {feature: sex}\n"})
		_, err := trustml.Load(p)
		require.Error(t, err)
		assert.True(t, strings.HasSuffix(err.Error(), tc.want), err.Error())
	}
}

// TestFairnessBins cuts the numeric column age of fairCSV at 35. By hand:
//
//	[0,35):   31.5 22.0 33.3 28.4 19.9 27.7 — 3 actual yes (2 selected),
//	          3 actual no (none): selection rate 2/6, TPR 2/3, FPR 0
//	[35,100]: 40.1 51.2 45.0 36.6 60.0 44.4 — 2 actual yes (1 selected),
//	          4 actual no (2 selected): selection rate 3/6, TPR 1/2, FPR 1/2
//
// so the pair differs by −1/6, 1/6 and −1/2, and the equalized odds
// difference is max(1/6, 1/2) = 1/2.
func TestFairnessBins(t *testing.T) {
	p := writeSuite(t, fairSuite(`  feature: {column: age, bins: [0, 35, 100]}
  equalized_odds_difference: {max: 0.6}
`))
	res, err := run(t, p)
	require.NoError(t, err)
	checks := checksByName(res)
	s := checks["fairness.age"].Details.(fairness.Summary)
	require.Len(t, s.Groups, 2)
	assert.Equal(t, []string{"[0,35)", "[35,100]"}, []string{s.Groups[0].Name, s.Groups[1].Name})
	pr := s.Pairs[0]
	assert.InDelta(t, -1.0/6, pr.SelectionRate.Value, 1e-15)
	assert.InDelta(t, 1.0/6, pr.TPR.Value, 1e-15)
	assert.InDelta(t, -0.5, pr.FPR.Value, 1e-15)
	eo := checks["fairness.equalized_odds_difference"]
	assert.InDelta(t, 0.5, eo.Observed.(map[string]any)["value"], 1e-15)
	assert.Equal(t, result.Pass, eo.Status)
	assert.Contains(t, eo.Message, "FPR: [35,100] 0.5, [0,35) 0")

	for _, tc := range []struct{ suite, want string }{
		{"  feature: {column: age, bins: [35, 0]}\n", "suite.yaml:9:32: fairness.feature.bins: edges must increase strictly: 0 follows 35"},
		{"  feature: {colum: age}\n", `suite.yaml:9:13: fairness.feature.colum: unknown key "colum" (did you mean "column"?)`},
	} {
		_, err := trustml.Load(writeSuite(t, fairSuite(tc.suite)))
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
	s2, err := trustml.Load(writeSuite(t, fairSuite("  feature: {column: sex, bins: [0, 1]}\n")))
	require.NoError(t, err)
	_, err = s2.Run(context.Background(), trustml.RunOptions{})
	assert.ErrorContains(t, err, `suite.yaml:9:12: fairness.feature: column "sex" is utf8: bins cut a numeric column; give a categorical one without bins`)
}

// TestFairnessMulticlass: a multiclass model needs the class whose
// prediction is a selection. With class b, by hand: group F (rows 0-2)
// predicts b twice in 3 rows, group M (rows 3-5) once: selection rates 2/3
// and 1/3.
func TestFairnessMulticlass(t *testing.T) {
	csv := "y,lab,g\na,b,F\nb,b,F\nc,a,F\nb,b,M\nc,a,M\na,c,M\n"
	suite := func(class string) string {
		return "data: {path: d.csv}\nmodel: {task: classification, target: y, predictions: {label: lab}}\nfairness: {feature: g" + class + "}\n"
	}
	s, err := trustml.Load(writeSuite(t, map[string]string{"d.csv": csv, "suite.yaml": suite("")}))
	require.NoError(t, err)
	_, err = s.Run(context.Background(), trustml.RunOptions{})
	assert.ErrorContains(t, err, `suite.yaml:3:1: fairness: the model has 3 classes ("a", "b", "c"): name the class whose prediction is a selection, class: CLASS`)

	res, err := run(t, writeSuite(t, map[string]string{"d.csv": csv, "suite.yaml": suite(", class: b")}))
	require.NoError(t, err)
	sum := checksByName(res)["fairness.g"].Details.(fairness.Summary)
	assert.Equal(t, "b", sum.Class)
	assert.InDelta(t, 2.0/3, sum.Groups[0].SelectionRate.Value, 1e-15)
	assert.InDelta(t, 1.0/3, sum.Groups[1].SelectionRate.Value, 1e-15)
	// Actual b: row 1 (F, selected) and row 3 (M, selected): TPR 1 and 1.
	assert.Equal(t, 1.0, sum.Groups[0].TPR.Value)
	assert.Equal(t, 1.0, sum.Groups[1].TPR.Value)
}
