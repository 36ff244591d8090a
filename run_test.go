package trustml_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

func writeSuite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return filepath.Join(dir, "suite.yaml")
}

func run(t *testing.T, path string) (*trustml.Result, error) {
	t.Helper()
	s, err := trustml.Load(path)
	require.NoError(t, err)
	return s.Run(context.Background(), trustml.RunOptions{})
}

// y = 2x + 1 exactly, plus a predictions column that is off by +1 on
// every row: hand-computed metrics follow.
const lineCSV = "x,y,yhat,g\n0,1,2,a\n1,3,4,b\n2,5,6,a\n3,7,8,b\n4,9,10,a\n5,11,12,b\n6,13,14,a\n7,15,16,b\n8,17,18,a\n9,19,20,b\n,21,22,a\n"

func TestModelPredictionsColumnHandComputed(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": lineCSV, "suite.yaml": `
data: {path: d.csv}
model:
  target: y
  features: [x]
  predictions: yhat
  metrics:
    mae: {max: 1}
    rmse: {max: 0.5}
    bias: {min: 0.99, max: 1.01}
    r2: {min: 0.9}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	m := res.Model
	// The row with a null x is dropped and counted, even though the
	// predictions column does not need x: every source evaluates the
	// same rows.
	assert.Equal(t, 11, m.Rows)
	assert.Equal(t, 1, m.RowsDropped)
	assert.True(t, m.Partition.OnTrainingData)
	assert.Equal(t, "all 10 rows", m.EvaluatedOn)
	ev := m.Evaluation.Model
	assert.Equal(t, 10, ev.N)
	assert.InDelta(t, 1.0, ev.MAE.V, 1e-15)
	assert.InDelta(t, 1.0, ev.RMSE.V, 1e-15)
	assert.InDelta(t, 1.0, ev.Bias.V, 1e-15)
	// y = 1,3,...,19: mean 10, Σ(y-ȳ)² = 4·(1+9+25+49+81)·... = 330; SSE = 10.
	assert.InDelta(t, 1-10.0/330, ev.R2.V, 1e-15)
	byName := map[string]result.Check{}
	for _, c := range res.Checks {
		byName[c.Name] = c
	}
	assert.Equal(t, result.Pass, byName["model.mae"].Status)
	assert.Equal(t, result.Fail, byName["model.rmse"].Status)
	assert.Equal(t, "rmse 1 on all 10 rows, expected ≤ 0.5 (mean baseline 5.74456)", byName["model.rmse"].Message)
	assert.Equal(t, result.Pass, byName["model.bias"].Status)
	assert.Equal(t, result.Pass, byName["model.r2"].Status)
	assert.Equal(t, 1, res.ExitCode())
}

func TestModelFitIsReproducible(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": lineCSV, "suite.yaml": `
data: {path: d.csv}
model:
  target: y
  features: [x, g]
  train: {algorithm: ridge, alpha: 0.01, standardize: true}
  split: {method: random, test_fraction: 0.3, seed: 9}
  metrics: {r2: {min: 0.99}}
`})
	var sections [2][]byte
	for i := range sections {
		res, err := run(t, p)
		require.NoError(t, err)
		assert.True(t, res.Passed)
		assert.Equal(t, map[string]uint64{"split": 9}, res.Run.Seeds)
		b, err := json.Marshal(struct {
			M *trustml.ModelResult
			C []result.Check
		}{res.Model, res.Checks})
		require.NoError(t, err)
		sections[i] = b
	}
	assert.True(t, bytes.Equal(sections[0], sections[1]), "the model section is byte-identical across runs")
	assert.Contains(t, string(sections[0]), `"train_rows":7,"test_rows":3`)
	assert.Contains(t, string(sections[0]), `"level":"b"`, "g is one-hot encoded with level a dropped")
}

func TestModelUndefinedMetricIsAnError(t *testing.T) {
	// A constant target: R² is undefined, which must not pass a threshold.
	p := writeSuite(t, map[string]string{"d.csv": "x,y\n1,5\n2,5\n3,5\n4,5\n", "suite.yaml": `
data: {path: d.csv}
model:
  target: y
  features: [x]
  train: {algorithm: ridge, alpha: 1}
  metrics: {r2: {min: 0.5}, mae: {max: 1}}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	assert.Equal(t, result.Error, res.Checks[0].Status)
	assert.Contains(t, res.Checks[0].Message, "r2 undefined on the 4 training rows")
	assert.Nil(t, res.Checks[0].Observed)
	assert.Equal(t, result.Pass, res.Checks[1].Status)
	assert.False(t, res.Passed)
	assert.Equal(t, 2, res.ExitCode())
}

func TestModelTimeSplitTrainsOnThePast(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": "t,x,y\n2024-01-05,1,3\n2024-01-01,2,5\n2024-01-03,3,7\n2024-01-02,4,9\n2024-01-04,5,11\n", "suite.yaml": `
data: {path: d.csv}
model:
  target: y
  features: [x]
  train: {algorithm: linear}
  split: {method: time, by: t, test_fraction: 0.4}
  metrics: {mae: {max: 1e-9}}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	assert.Equal(t, "the 2 latest rows by t (trained on the 3 earlier rows)", res.Model.EvaluatedOn)
	assert.True(t, res.Passed, "y = 2x + 1 exactly: the line fitted on the past predicts the future")
}

func TestModelErrors(t *testing.T) {
	for _, tc := range []struct{ name, csv, model, err string }{
		{"missing feature", "x,y\n1,2\n", "{target: y, features: [z], train: {}}", `suite.yaml:3:1: model: `},
		{"no usable rows", "x,y\n1,\n2,\n", "{target: y, features: [x], train: {}}", `suite.yaml:3:1: model: no usable rows: each of the 2 rows has a null, NaN or infinite value in y, x`},
		{"constant feature", "x,y\n1,2\n1,3\n1,4\n", "{target: y, features: [x], train: {}}", `suite.yaml:3:1: model: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeSuite(t, map[string]string{"d.csv": tc.csv, "suite.yaml": "data: {path: d.csv}\n\nmodel: " + tc.model + "\n"})
			_, err := run(t, p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "/"+tc.err)
		})
	}
}
