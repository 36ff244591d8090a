package trustml_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

// driftChecks returns the checks of res in section drift, by name.
func driftChecks(res *trustml.Result) map[string]result.Check {
	out := map[string]result.Check{}
	for _, c := range res.Checks {
		if c.Section == result.Drift {
			out[c.Name] = c
		}
	}
	return out
}

func observed(t *testing.T, c result.Check, key string) any {
	t.Helper()
	m, ok := c.Observed.(map[string]any)
	require.True(t, ok, "observed of %s is %T", c.Name, c.Observed)
	return m[key]
}

// The current data holds the six rows of binaryCSV: y 3 no / 3 yes, the
// model's labels lab 3 no / 3 yes, P(yes) = p. The reference holds four
// rows: y 3 no / 1 yes, every label no, P(yes) 0.1..0.4.
const driftRefCSV = "y,lab,p,q\nno,no,0.1,0.9\nno,no,0.2,0.8\nno,no,0.3,0.7\nyes,no,0.4,0.6\n"

// TestLabelAndPredictionDriftSuite: label drift compares the target's
// classes, prediction drift the model's labels or a class's probability,
// each figure by hand.
func TestLabelAndPredictionDriftSuite(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": binaryCSV, "ref.csv": driftRefCSV, "suite.yaml": `
data: {path: d.csv, reference: ref.csv}
model: {task: classification, target: y, predictions: {label: lab, proba: p}}
drift:
  label: {chi_square: {min_p_value: 0.01}, psi: {max: 0.1}}
  prediction: {new_categories: 0, chi_square: {min_p_value: 0.5}}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	got := driftChecks(res)
	require.Len(t, got, 4)
	// Label: the 2×2 table [[3 1] [3 3]] (no, yes), expected counts
	// [[2.4 1.6] [3.6 2.4]]: χ² = 0.36/2.4 + 0.36/1.6 + 0.36/3.6 + 0.36/2.4
	// = 0.625, df 1; PSI = (0.5 − 0.75)·ln(0.5/0.75) + (0.5 − 0.25)·ln(0.5/0.25).
	chi := got["drift.label.chi_square"]
	assert.Equal(t, "y", chi.Column)
	assert.InDelta(t, 0.625, observed(t, chi, "statistic"), 1e-12)
	assert.InDelta(t, math.Erfc(math.Sqrt(0.625/2)), observed(t, chi, "p_value"), 1e-12)
	assert.Equal(t, result.Pass, chi.Status)
	psi := (0.5-0.75)*math.Log(0.5/0.75) + (0.5-0.25)*math.Log(0.5/0.25)
	assert.InDelta(t, psi, observed(t, got["drift.label.psi"], "psi"), 1e-12)
	assert.Equal(t, result.Fail, got["drift.label.psi"].Status)
	// Prediction: the reference's labels are all no; yes is new, in 3 rows.
	nc := got["drift.prediction.new_categories"]
	assert.Equal(t, result.Fail, nc.Status)
	assert.Equal(t, `1 value not in the reference (3 rows): "yes", expected new values ≤ 0`, nc.Message)
	// Over [[4 0] [3 3]] the expected counts are [[2.8 1.2] [4.2 1.8]], so
	// χ² = 1.2²/2.8 + 1.2²/1.2 + 1.2²/4.2 + 1.2²/1.8.
	x2 := 1.44/2.8 + 1.44/1.2 + 1.44/4.2 + 1.44/1.8
	assert.InDelta(t, x2, observed(t, got["drift.prediction.chi_square"], "statistic"), 1e-12)
	assert.Equal(t, 1, res.ExitCode())

	// The probability of a class: P(yes) of the reference 0.1, 0.2, 0.3,
	// 0.4 against 0.9, 0.4, 0.2, 0.6, 0.8, 0.1: the largest gap of the two
	// CDFs is at 0.4, 1 − 3/6 = 0.5.
	p = writeSuite(t, map[string]string{"d.csv": binaryCSV, "ref.csv": driftRefCSV, "suite.yaml": `
data: {path: d.csv, reference: ref.csv}
model: {task: classification, target: y, predictions: {label: lab, proba: p}}
drift:
  prediction: {class: yes, ks: {max_statistic: 0.6}, wasserstein: {max: 0.1}}
`})
	res, err = run(t, p)
	require.NoError(t, err)
	got = driftChecks(res)
	require.Len(t, got, 2)
	assert.InDelta(t, 0.5, observed(t, got["drift.prediction.ks"], "statistic"), 1e-12)
	assert.Equal(t, result.Pass, got["drift.prediction.ks"].Status)
	// W₁ = ∫|F_ref − F_cur|: on [0.1, 0.2) 1/4 − 1/6, [0.2, 0.3) 2/4 − 2/6,
	// [0.3, 0.4) 3/4 − 2/6, [0.4, 0.6) 1 − 3/6, [0.6, 0.8) 1 − 4/6,
	// [0.8, 0.9) 1 − 5/6.
	w := 0.1*(1.0/4-1.0/6) + 0.1*(2.0/4-2.0/6) + 0.1*(3.0/4-2.0/6) + 0.2*(1-3.0/6) + 0.2*(1-4.0/6) + 0.1*(1-5.0/6)
	assert.InDelta(t, w, observed(t, got["drift.prediction.wasserstein"], "distance"), 1e-12)
	assert.Equal(t, result.Fail, got["drift.prediction.wasserstein"].Status)
}

// TestPredictionDriftEndpoint: predictions from an endpoint, not a column:
// the multiclass thirds model labels the reference's x = 0, 1, 0, 1 all
// "0", and the current rows x = 0..5 two of each class. Over [[4 0 0]
// [2 2 2]] the expected counts are [[2.4 0.8 0.8] [3.6 1.2 1.2]]: χ² =
// 1.6²/2.4 + 0.8 + 0.8 + 1.6²/3.6 + 2·0.8²/1.2 = 40/9, df 2, p = e^(−20/9).
func TestPredictionDriftEndpoint(t *testing.T) {
	srv := thirdsServer(t)
	p := writeSuite(t, map[string]string{"d.csv": "x,y\n0,0\n1,0\n2,1\n3,1\n4,2\n5,2\n", "ref.csv": "x,y\n0,0\n1,0\n0,0\n1,1\n", "suite.yaml": fmt.Sprintf(`
data: {path: d.csv, reference: ref.csv}
model: {task: classification, target: y, features: [x], endpoint: {url: %s}}
drift:
  prediction: {chi_square: {min_p_value: 0.05}}
`, srv.URL)})
	res, err := run(t, p)
	require.NoError(t, err)
	c := driftChecks(res)["drift.prediction.chi_square"]
	assert.InDelta(t, 40.0/9, observed(t, c, "statistic"), 1e-12)
	assert.Equal(t, 2, observed(t, c, "df"))
	assert.InDelta(t, math.Exp(-20.0/9), observed(t, c, "p_value"), 1e-12)
	assert.Equal(t, result.Pass, c.Status, "p = 0.108")
}

// TestPredictionDriftRegressor: a regressor's predictions are numbers.
func TestPredictionDriftRegressor(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": "y,yhat\n1,1\n2,2\n3,3\n4,4\n", "ref.csv": "y,yhat\n1,1\n2,2\n3,3\n", "suite.yaml": `
data: {path: d.csv, reference: ref.csv}
model: {target: y, predictions: yhat}
drift:
  prediction: {ks: {max_statistic: 0.2}}
  label: {wasserstein: {max: 1}}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	got := driftChecks(res)
	// F_ref − F_cur is 1/3 − 1/4, 2/3 − 2/4, 1 − 3/4 at 1, 2, 3.
	assert.InDelta(t, 0.25, observed(t, got["drift.prediction.ks"], "statistic"), 1e-12)
	assert.Equal(t, result.Fail, got["drift.prediction.ks"].Status)
	// The target y: W₁ = (1/3 − 1/4) + (2/3 − 2/4) + (1 − 3/4) = 0.5.
	assert.InDelta(t, 0.5, observed(t, got["drift.label.wasserstein"], "distance"), 1e-12)
}

func TestModelDriftErrors(t *testing.T) {
	for _, tc := range []struct{ suite, want string }{
		{`
data: {path: d.csv, reference: ref.csv}
drift:
  label: {chi_square: {min_p_value: 0.01}}
`, ":4:3: drift.label: label drift compares the model's target: add a model section"},
		{`
data: {path: d.csv, reference: ref.json}
model: {task: classification, target: y, predictions: {label: lab, proba: p}}
drift:
  prediction: {psi: {max: 0.1}}
`, ":5:3: drift.prediction: prediction drift runs the model on the reference's rows: data.reference must be a data file, not a saved profile"},
		{`
data: {path: d.csv, reference: ref.csv}
model: {task: classification, target: y, predictions: {label: lab, proba: p}}
drift:
  prediction: {ks: {max_statistic: 0.1}}
`, ":5:16: drift.prediction.ks: compares numbers; a classifier's labels are categories: use chi_square, psi or new_categories"},
	} {
		p := writeSuite(t, map[string]string{"d.csv": binaryCSV, "ref.csv": driftRefCSV, "suite.yaml": tc.suite})
		_, err := trustml.Load(p)
		require.Error(t, err)
		assert.Equal(t, p+tc.want, err.Error())
	}

	// Found when the model has run: a class it does not have, a
	// reference without the model's columns, a labels-only model.
	for _, tc := range []struct{ model, drift, ref, want string }{
		{"predictions: {label: lab, proba: p}", "{class: maybe, ks: {max_statistic: 0.1}}", driftRefCSV,
			`:5:3: drift.prediction: class "maybe" is not a class of the model (classes: "no", "yes")`},
		{"predictions: lab", "{class: yes, ks: {max_statistic: 0.1}}", driftRefCSV,
			`:5:3: drift.prediction: compares the probability of class "yes", but predictions column "lab" returns labels only`},
		{"predictions: {label: lab, proba: p}", "{psi: {max: 0.1}}", "y,lab\nno,no\n",
			`:5:3: drift.prediction: the reference: `},
	} {
		p := writeSuite(t, map[string]string{"d.csv": binaryCSV, "ref.csv": tc.ref, "suite.yaml": fmt.Sprintf(`
data: {path: d.csv, reference: ref.csv}
model: {task: classification, target: y, %s}
drift:
  prediction: %s
`, tc.model, tc.drift)})
		_, err := run(t, p)
		require.Error(t, err)
		assert.Contains(t, err.Error(), p+tc.want)
		if tc.ref != driftRefCSV {
			assert.Contains(t, err.Error(), `ref.csv: no column "p"`)
		}
	}
}

// TestPredictionDriftFittedAndCommand: with the current data as its own
// reference and no split (the evaluated rows are every row), a fitted
// model's and a command's predictions cannot drift: χ² 0, p-value 1, PSI
// 0, whatever the model.
func TestPredictionDriftFittedAndCommand(t *testing.T) {
	var csv = "x,z,y\n"
	for i := range 30 {
		csv += fmt.Sprintf("%d,%d,%s\n", i, (i*7)%5, []string{"a", "b", "c"}[(i/10+i%2)%3])
	}
	for _, src := range []string{
		"train: {algorithm: logistic, alpha: 1, standardize: true}",
		`command: [sh, -c, 'while read l; do echo \"b\"; done']`,
	} {
		p := writeSuite(t, map[string]string{"d.csv": csv, "suite.yaml": `
data: {path: d.csv, reference: d.csv}
model: {task: classification, target: y, features: [x, z], ` + src + `}
drift:
  label: {chi_square: {min_p_value: 0.99}}
  prediction: {chi_square: {min_p_value: 0.99}, psi: {max: 0}}
`})
		res, err := run(t, p)
		require.NoError(t, err, src)
		got := driftChecks(res)
		require.Len(t, got, 3, src)
		for _, name := range []string{"drift.label.chi_square", "drift.prediction.chi_square"} {
			assert.Equal(t, 0.0, observed(t, got[name], "statistic"), src)
			assert.Equal(t, 1.0, observed(t, got[name], "p_value"), src)
		}
		assert.Equal(t, 0.0, observed(t, got["drift.prediction.psi"], "psi"), src)
		assert.True(t, res.Passed, src)
	}
}
