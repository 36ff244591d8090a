package trustml_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
)

// TestTuneUsesOnlyTheTrainingSplit plants a leak through the suite: two
// data files differ only in the targets of the test split's rows (×1000 in
// the second). The tuning, every candidate's fold scores included, is the
// same for both; only the test metrics differ.
func TestTuneUsesOnlyTheTrainingSplit(t *testing.T) {
	suite := `
data: {path: d.csv}
model:
  target: y
  features: [x, z]
  train: {algorithm: ridge, tune: {alpha: [0.01, 1, 100], cv: {folds: 4}}}
  split: {test_fraction: 0.25, seed: 11}
`
	rows := func(scale func(i int) float64) string {
		var b strings.Builder
		b.WriteString("x,z,y\n")
		for i := range 80 {
			x, z := float64(i%13), float64((i*5)%7)
			fmt.Fprintf(&b, "%g,%g,%g\n", x, z, (3*x-z+math.Cos(float64(i)))*scale(i))
		}
		return b.String()
	}
	clean, err := run(t, writeSuite(t, map[string]string{"d.csv": rows(func(int) float64 { return 1 }), "suite.yaml": suite}))
	require.NoError(t, err)
	m := clean.Model
	require.NotNil(t, m.Tuning)
	assert.Equal(t, uint64(11), clean.Run.Seeds["tune"])
	assert.Equal(t, 60, m.Tuning.TrainRows)
	assert.Equal(t, []int{15, 15, 15, 15}, m.Tuning.FoldRows)
	assert.Equal(t, m.Tuning.Alpha, m.Fit.Alpha, "the fit uses the chosen penalty")
	// The test rows are those of the split; the second file scales them.
	test := map[int]bool{}
	part, err := clean.Model.Split.Rows(80, nil)
	require.NoError(t, err)
	for _, r := range part.Test {
		test[r] = true
	}
	leaky, err := run(t, writeSuite(t, map[string]string{"d.csv": rows(func(i int) float64 {
		if test[i] {
			return 1000
		}
		return 1
	}), "suite.yaml": suite}))
	require.NoError(t, err)
	assert.Equal(t, m.Tuning, leaky.Model.Tuning)
	assert.Equal(t, m.Fit.Coefficients, leaky.Model.Fit.Coefficients)
	assert.Greater(t, leaky.Model.Evaluation.Model.RMSE.V, 100*m.Evaluation.Model.RMSE.V, "the test rows did change")
}

func TestTuneSuiteErrors(t *testing.T) {
	for _, tc := range []struct{ train, want string }{
		{"{algorithm: ridge, alpha: 1, tune: {alpha: [1, 2], cv: {folds: 5}}}", "model.train.alpha: tune chooses alpha among its candidates: remove alpha"},
		{"{algorithm: linear, tune: {alpha: [1], cv: {folds: 5}}}", "model.train.tune: tunes the penalty of ridge or logistic; set algorithm: ridge"},
		{"{algorithm: ridge, tune: {alpha: [0, 1], cv: {folds: 1, method: time}}}", "model.train.tune.alpha: every candidate must be a finite number > 0, got 0"},
		{"{algorithm: ridge, tune: {alpha: [1], cv: {folds: 1, method: time}}}", "model.train.tune.cv.by: missing: rolling-origin cross-validation needs the time column"},
		{"{algorithm: ridge, tune: {alpha: [1], cv: {folds: 5, methd: time}}}", `model.train.tune.cv.methd: unknown key "methd"`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			p := writeSuite(t, map[string]string{"d.csv": "x,y\n1,2\n", "suite.yaml": "data: {path: d.csv}\nmodel: {target: y, features: [x], train: " + tc.train + "}\n"})
			_, err := trustml.Load(p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
