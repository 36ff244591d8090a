package trustml_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/report"
	"github.com/trustml/trustml/result"
)

// Six rows, two classifiers. By hand, with P(no) = 1 − P(yes):
//
//	a: labels yes yes no no no yes, right on 4 of 6; log loss
//	   −(ln .9 + ln .6 + ln .4 + ln .7 + ln .8 + ln .3)/6; Brier 1.15/6
//	b: labels yes no no yes no yes, right on 2 of 6; log loss
//	   −(ln .6 + ln .5 + ln .3 + ln .6 + ln .55 + ln .5)/6; Brier 1.5125/6
const compareClassCSV = `y,la,pa,lb,pb
yes,yes,0.9,yes,0.6
yes,yes,0.6,no,0.5
yes,no,0.4,no,0.3
no,no,0.3,yes,0.4
no,no,0.2,no,0.45
no,yes,0.7,yes,0.5
`

var (
	logLossA = -(math.Log(.9) + math.Log(.6) + math.Log(.4) + math.Log(.7) + math.Log(.8) + math.Log(.3)) / 6
	logLossB = -(math.Log(.6) + math.Log(.5) + math.Log(.3) + math.Log(.6) + math.Log(.55) + math.Log(.5)) / 6
)

func TestClassifierChampionHandComputed(t *testing.T) {
	for _, tc := range []struct {
		name               string
		model, champ       string
		accuracy, champAcc float64
		logLoss, champLoss float64
		status             result.Status
		better             bool
	}{
		{"challenger better", "{label: la, proba: pa}", "{label: lb, proba: pb}", 4.0 / 6, 2.0 / 6, logLossA, logLossB, result.Pass, true},
		{"challenger worse", "{label: lb, proba: pb}", "{label: la, proba: pa}", 2.0 / 6, 4.0 / 6, logLossB, logLossA, result.Fail, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeSuite(t, map[string]string{"d.csv": compareClassCSV, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  positive: "yes"
  predictions: ` + tc.model + `
  compare_to:
    name: old
    predictions: ` + tc.champ + `
    max_worse: {accuracy: 0.1, log_loss: 0.05}
    n_boot: 200
`})
			res, err := run(t, p)
			require.NoError(t, err)
			cmp := res.Model.Comparison
			require.NotNil(t, cmp)
			assert.Equal(t, 6, cmp.N)
			byMetric := map[string]float64{}
			for _, m := range cmp.Metrics {
				if m.Difference != nil {
					byMetric[m.Metric] = *m.Difference
				}
			}
			assert.InDelta(t, tc.accuracy-tc.champAcc, byMetric["accuracy"], 1e-15)
			assert.InDelta(t, tc.logLoss-tc.champLoss, byMetric["log_loss"], 1e-15)
			require.NotNil(t, cmp.Loss)
			assert.Equal(t, "log_loss", cmp.Loss.Loss, "both give probabilities")
			assert.InDelta(t, tc.logLoss, cmp.Loss.Model, 1e-15)
			assert.InDelta(t, tc.champLoss, cmp.Loss.Champion, 1e-15)
			assert.Equal(t, tc.better, cmp.Loss.Better)
			require.NotNil(t, cmp.Loss.Lower)
			assert.LessOrEqual(t, *cmp.Loss.Lower, *cmp.Loss.Upper)
			checks := checksByName(res)
			assert.Equal(t, tc.status, checks["model.compare.accuracy"].Status)
			assert.Equal(t, tc.status, checks["model.compare.log_loss"].Status)
			assert.Equal(t, uint64(1), res.Run.Seeds["compare"])
		})
	}
}

// TestClassifierChampionLabelsOnly: a champion without probabilities is
// compared on the 0/1 error (challenger 2/6 wrong, champion 4/6), and a
// metric it cannot give is an error of its check.
func TestClassifierChampionLabelsOnly(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": compareClassCSV, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  predictions: {label: la, proba: pa}
  compare_to: {predictions: {label: lb}, max_worse: {f1: 0.2, brier: 0.1}}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	l := res.Model.Comparison.Loss
	assert.Equal(t, "zero_one", l.Loss)
	assert.InDelta(t, 2.0/6, l.Model, 1e-15)
	assert.InDelta(t, 4.0/6, l.Champion, 1e-15)
	checks := checksByName(res)
	assert.Equal(t, result.Pass, checks["model.compare.f1"].Status)
	assert.Equal(t, result.Error, checks["model.compare.brier"].Status)
	assert.Contains(t, checks["model.compare.brier"].Message, "the model gives labels, not probabilities")
}

func TestClassifierChampionSuiteErrors(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": compareClassCSV, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  predictions: {label: la}
  compare_to: {predictions: {}, max_worse: {rmse: 1, acuracy: 0.1}}
`})
	_, err := trustmlLoad(p)
	require.Error(t, err)
	for _, want := range []string{
		"model.compare_to.max_worse.rmse: rmse is a regression metric; classification metrics are accuracy,",
		`model.compare_to.max_worse.acuracy: unknown metric "acuracy" (did you mean "accuracy"?)`,
		"model.compare_to.predictions: must name the predictions column",
	} {
		assert.Contains(t, err.Error(), want)
	}
}

// TestClassifierChampionReport: the report states the loss comparison.
func TestClassifierChampionReport(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": compareClassCSV, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  predictions: {label: la, proba: pa}
  compare_to: {name: old, predictions: {label: lb, proba: pb}, max_worse: {accuracy: 0.1}}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, res))
	assert.Regexp(t, `<p>Mean per-row log loss: this model 0\.553, old 0\.702; difference -0\.149 \([^)]*\): lower\.</p>`, b.String())
	assert.Contains(t, b.String(), "<td>accuracy</td>")
}

// TestClassifierChampionSlices: the comparison by slice. On the slice
// lb=no (rows 2, 3, 5 of compareClassCSV, true yes, yes, no) the
// challenger's labels yes, no, no are right twice and the champion's no,
// no, no once: accuracy 2/3 against 1/3.
func TestClassifierChampionSlices(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": compareClassCSV, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  predictions: {label: la, proba: pa}
  compare_to: {predictions: {label: lb, proba: pb}}
slices: {by: [lb], min_size: 2, n_boot: 100}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	found := false
	for _, s := range res.Model.Comparison.Slices {
		if s.Slice == "lb=no" && s.Metric == "accuracy" {
			found = true
			assert.InDelta(t, 2.0/3, *s.Model, 1e-15)
			assert.InDelta(t, 1.0/3, *s.Champion, 1e-15)
			assert.True(t, *s.Better)
		}
	}
	assert.True(t, found, "%+v", res.Model.Comparison.Slices)
}
