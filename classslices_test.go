package trustml_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/slice"
)

func sliceMetric(t *testing.T, c result.Check, name string) slice.Estimate {
	t.Helper()
	s, ok := c.Details.(slice.Slice)
	require.True(t, ok, "%s: %T", c.Name, c.Details)
	for _, e := range s.Metrics {
		if e.Metric == name {
			return e
		}
	}
	t.Fatalf("%s has no %s", c.Name, name)
	return slice.Estimate{}
}

// TestClassifierSlicesHandComputed slices the twelve decisions of fairCSV
// by sex. By hand, with P(yes) in column p and P(no) = 1 − p:
//
//	F: right on 4 of 6; recall of yes 2/3 and of no 2/3, balanced 2/3;
//	   log loss −(ln .9 + ln .8 + ln .3 + ln .3 + ln .8 + ln .9)/6;
//	   Brier (.01 + .04 + .49 + .49 + .04 + .01)/6 = 0.18
//	M: right on 4 of 6; recall of yes 1/2 and of no 3/4, balanced 5/8;
//	   log loss −(ln .6 + ln .4 + ln .45 + ln .65 + ln .8 + ln .95)/6;
//	   Brier (.16 + .36 + .3025 + .1225 + .04 + .0025)/6 = 0.9875/6
//
// and over all twelve rows the balanced accuracy is (3/5 + 5/7)/2 = 23/35,
// so balanced_accuracy_drop 0.03 bounds a slice at 23/35 − 0.03 ≈ 0.627:
// M (0.625) fails and F passes.
func TestClassifierSlicesHandComputed(t *testing.T) {
	files := fairSuite("  feature: sex\n")
	files["suite.yaml"] = `
data: {path: d.csv}
model:
  task: classification
  target: y
  positive: "yes"
  predictions: {label: lab, proba: p}
slices:
  by: [sex]
  min_size: 5
  fail_if: {balanced_accuracy_drop: 0.03, log_loss_ratio: 2}
  search: {min_support: 3}
`
	res, err := run(t, writeSuite(t, files))
	require.NoError(t, err)
	checks := checksByName(res)
	f, m := checks["slices.sex=F"], checks["slices.sex=M"]
	lnF := -(math.Log(.9) + math.Log(.8) + math.Log(.3) + math.Log(.3) + math.Log(.8) + math.Log(.9)) / 6
	lnM := -(math.Log(.6) + math.Log(.4) + math.Log(.45) + math.Log(.65) + math.Log(.8) + math.Log(.95)) / 6
	for _, c := range []struct {
		check  result.Check
		metric string
		want   float64
	}{
		{f, "accuracy", 4.0 / 6}, {f, "balanced_accuracy", 2.0 / 3}, {f, "log_loss", lnF}, {f, "brier", 0.18},
		{m, "accuracy", 4.0 / 6}, {m, "balanced_accuracy", 5.0 / 8}, {m, "log_loss", lnM}, {m, "brier", 0.9875 / 6},
	} {
		e := sliceMetric(t, c.check, c.metric)
		require.NotNil(t, e.Value, "%s %s", c.check.Name, c.metric)
		assert.InDelta(t, c.want, *e.Value, 1e-12, "%s %s", c.check.Name, c.metric)
		require.NotNil(t, e.Lower, "a judged slice has a bootstrap interval")
		assert.LessOrEqual(t, *e.Lower, *e.Upper)
	}
	overall := sliceMetric(t, f, "balanced_accuracy").Overall
	assert.InDelta(t, 23.0/35, *overall, 1e-12)
	assert.InDelta(t, (6*lnF+6*lnM)/12, *sliceMetric(t, f, "log_loss").Overall, 1e-12)
	assert.Equal(t, result.Pass, f.Status)
	assert.Equal(t, result.Fail, m.Status)
	assert.Contains(t, m.Message, "balanced_accuracy 0.625 < 0.627143 = overall 0.657143 − 0.03")

	search := checks["slices.search"].Details.(slice.SearchResult)
	assert.Equal(t, slice.LogLoss, search.Loss, "a classifier with probabilities searches by log loss")
	assert.Equal(t, uint64(1), res.Run.Seeds["slices"])
}

// TestClassifierSlicesLabelsOnly: without probabilities the defaults are
// the label metrics and the search compares the 0/1 error; a rule on a
// metric undefined on a slice (ROC AUC of a slice of one class) makes the
// slice's check an error.
func TestClassifierSlicesLabelsOnly(t *testing.T) {
	files := fairSuite("  feature: sex\n")
	files["suite.yaml"] = `
data: {path: d.csv}
model: {task: classification, target: y, positive: "yes", predictions: {label: lab}}
slices: {by: [sex], min_size: 5, search: {features: [sex], min_support: 3}}
`
	res, err := run(t, writeSuite(t, files))
	require.NoError(t, err)
	checks := checksByName(res)
	var names []string
	for _, e := range checks["slices.sex=F"].Details.(slice.Slice).Metrics {
		names = append(names, e.Metric)
	}
	assert.Equal(t, []string{"accuracy", "balanced_accuracy"}, names)
	assert.Equal(t, slice.ZeroOne, checks["slices.search"].Details.(slice.SearchResult).Loss)

	files["suite.yaml"] = `
data: {path: d.csv}
model: {task: classification, target: y, positive: "yes", predictions: {label: lab, proba: p}}
slices: {by: [y], min_size: 5, fail_if: {roc_auc_drop: 0.1}}
`
	res, err = run(t, writeSuite(t, files))
	require.NoError(t, err)
	c := checksByName(res)["slices.y=no"]
	assert.Equal(t, result.Error, c.Status)
	assert.Contains(t, c.Message, `roc_auc undefined on the slice: no row of class "yes"`)
}

// TestClassifierSlicesSuiteErrors: a regression metric, rule or loss in
// the slices of a classifier is a suite error at its place.
func TestClassifierSlicesSuiteErrors(t *testing.T) {
	files := fairSuite("  feature: sex\n")
	files["suite.yaml"] = `
data: {path: d.csv}
model: {task: classification, target: y, predictions: {label: lab}}
slices:
  by: [sex]
  metrics: [accuracy, rmse, acuracy]
  fail_if: {rmse_ratio: 2, accuracy_ratio: 2}
  search: {metric: squared_error}
`
	_, err := trustmlLoad(writeSuite(t, files))
	require.Error(t, err)
	for _, want := range []string{
		`suite.yaml:6:23: slices.metrics[1]: rmse is a regression metric; the model is a classifier, whose metrics are accuracy,`,
		`suite.yaml:6:29: slices.metrics[2]: unknown metric "acuracy" (did you mean "accuracy"?)`,
		`suite.yaml:7:13: slices.fail_if.rmse_ratio: rmse_ratio is a rule of a regressor; the model is a classifier, whose rules are accuracy_drop,`,
		`suite.yaml:7:28: slices.fail_if.accuracy_ratio: unknown rule "accuracy_ratio" (the rule on accuracy is accuracy_drop)`,
		`suite.yaml:8:20: slices.search.metric: squared_error is not a loss of a classifier; its losses are log_loss, zero_one`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func trustmlLoad(path string) (*trustml.Suite, error) { return trustml.Load(path) }
