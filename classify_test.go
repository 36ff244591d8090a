package trustml_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

// Six rows, positive class yes; the model's labels and P(yes):
// confusion [[2 1] [1 2]] (rows no, yes), ROC AUC 8/9 (8 of the 9
// positive-negative pairs ordered right), log loss −(ln .9 + ln .4 + ln .8)/3.
const binaryCSV = "y,lab,p,q\nyes,yes,0.9,0.1\nyes,no,0.4,0.6\nno,no,0.2,0.8\nno,yes,0.6,0.4\nyes,yes,0.8,0.2\nno,no,0.1,0.9\n"

func TestClassifierPredictionsHandComputed(t *testing.T) {
	p := writeSuite(t, map[string]string{"d.csv": binaryCSV, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  predictions: {label: lab, proba: p}
  metrics:
    accuracy: {min: 0.6}
    roc_auc: {min: 0.9}
    log_loss: {max: 1}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	c := res.Model.Classification
	require.NotNil(t, c)
	assert.Equal(t, "classification", res.Model.Task)
	assert.Equal(t, []string{"no", "yes"}, c.Classes)
	assert.Equal(t, "yes", c.Positive, "the second class by default")
	assert.Equal(t, "model", c.LabelsFrom)
	assert.Nil(t, c.Threshold)
	assert.Equal(t, [][]int{{2, 1}, {1, 2}}, c.Model.Confusion)
	assert.InDelta(t, 4.0/6, c.Model.Accuracy.V, 1e-15)
	assert.InDelta(t, 8.0/9, c.Model.ROCAUC.V, 1e-15)
	assert.InDelta(t, -(math.Log(0.9)+math.Log(0.4)+math.Log(0.8))/3, c.Model.LogLoss.V, 1e-15)
	// The baseline: the prior (½, ½) of the training rows (all of them,
	// split none) and its majority class, "no" on the tie.
	assert.Equal(t, []float64{0.5, 0.5}, c.TrainPrior)
	assert.Equal(t, "no", c.Majority)
	assert.Equal(t, 0.5, c.Baseline.Accuracy.V)
	assert.Equal(t, math.Ln2, c.Baseline.LogLoss.V)
	assert.Equal(t, "the predictions hold a single class", c.Baseline.MCC.Reason)
	assert.Zero(t, res.Model.Evaluation.Model.N, "a classifier has no regression metrics")
	statuses := map[string]result.Status{}
	for _, ch := range res.Checks {
		statuses[ch.Name] = ch.Status
	}
	assert.Equal(t, map[string]result.Status{"model.accuracy": result.Pass, "model.roc_auc": result.Fail, "model.log_loss": result.Pass}, statuses)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"evaluation"`)
	assert.NotContains(t, string(b), `"plot"`)
	assert.Contains(t, string(b), `"confusion":[[2,1],[1,2]]`)
}

// TestClassifierThreshold: a fixed threshold overrides the labels; one
// chosen for a recall on the training rows is recorded.
func TestClassifierThreshold(t *testing.T) {
	for _, tc := range []struct {
		threshold string
		want      float64
		rule      string
		confusion [][]int
	}{
		{"0.85", 0.85, "fixed", [][]int{{3, 0}, {2, 1}}},
		// Scores of yes: 0.9, 0.8, 0.4: recall ≥ 0.6 needs 2 of 3, first
		// reached at ≥ 0.8 (precision 1).
		{"{recall: 0.6}", 0.8, "recall ≥ 0.6 on the training rows", [][]int{{3, 0}, {1, 2}}},
		// Precision at ≥ 0.9, 0.8, 0.6, 0.4, 0.2: 1, 1, 2/3, 3/4, 3/5. The
		// lowest threshold reaching 0.7 is 0.4 (precision is not monotone);
		// 0.8 is the lowest reaching 0.8.
		{"{precision: 0.7}", 0.4, "precision ≥ 0.7 on the training rows", [][]int{{2, 1}, {0, 3}}},
		{"{precision: 0.8}", 0.8, "precision ≥ 0.8 on the training rows", [][]int{{3, 0}, {1, 2}}},
	} {
		t.Run(tc.threshold, func(t *testing.T) {
			p := writeSuite(t, map[string]string{"d.csv": binaryCSV, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  positive: "yes"
  threshold: ` + tc.threshold + `
  predictions: {label: lab, proba: {"yes": p, "no": q}}
`})
			res, err := run(t, p)
			require.NoError(t, err)
			c := res.Model.Classification
			assert.Equal(t, "threshold", c.LabelsFrom)
			require.NotNil(t, c.Threshold)
			assert.Equal(t, tc.want, c.Threshold.Threshold)
			assert.Equal(t, tc.rule, c.Threshold.Rule)
			assert.Equal(t, tc.confusion, c.Model.Confusion)
		})
	}
}

// TestClassifierBadProbabilities: probabilities that do not sum to 1 stop
// the run, naming the data rows (row 1, dropped for a null, shifts them).
func TestClassifierBadProbabilities(t *testing.T) {
	csv := "y,a,b,c\nx,0.2,0.3,0.5\nx,,0.5,0.5\ny,0.2,0.3,0.6\nz,0.1,0.1,0.8\nz,0.5,0.5,0.5\n"
	p := writeSuite(t, map[string]string{"d.csv": csv, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  predictions: {proba: {x: a, y: b, z: c}}
`})
	_, err := run(t, p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `suite.yaml:3:1: model: probability columns "a", "b", "c": data rows 2, 4: probabilities sum to 1.1, not 1 (within 1e-06)`)

	p = writeSuite(t, map[string]string{"d.csv": csv, "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  predictions: {proba: {x: a, y: b, w: c}}
`})
	_, err = run(t, p)
	assert.ErrorContains(t, err, `model: predictions: proba names 3 classes for the 3 of the target ("x", "y", "z"); missing "z"; not a class of the target: "w"`)
}

func TestClassifierSuiteErrors(t *testing.T) {
	for _, tc := range []struct{ model, want string }{
		{"{task: classification, target: y, features: [x], train: {algorithm: ridge, alpha: 1}}", `model.train.algorithm: a classifier is fitted with algorithm: logistic, got "ridge"`},
		{"{target: y, features: [x], train: {algorithm: logistic, alpha: 1}}", "model.train.algorithm: logistic fits a classifier: add task: classification to the model section"},
		{"{task: classification, target: y, features: [x], train: {algorithm: logistic}}", "model.train.alpha: missing: logistic needs a penalty alpha > 0"},
		{"{task: classification, target: y, predictions: p, metrics: {rmse: {max: 1}}}", "model.metrics.rmse: rmse is a regression metric; classification metrics are accuracy,"},
		{"{target: y, predictions: p, metrics: {roc_auc: {min: 0.5}}}", "model.metrics.roc_auc: roc_auc is a classification metric: add task: classification to the model section"},
		{"{target: y, predictions: p, positive: a}", "model.positive: applies to classification: add task: classification to the model section"},
		{"{task: clasification, target: y, predictions: p}", `model.task: unknown task "clasification"; tasks are regression and classification`},
		{"{task: classification, target: y, predictions: p, threshold: {precision: 0.9, recall: 0.8}}", "model.threshold: give one of a threshold value, precision or recall"},
		{"{task: classification, target: y, predictions: p, threshold: 1.5}", "model.threshold: value must be between 0 and 1, got 1.5"},
		{"{target: y, predictions: {proba: p}}", "model.predictions: probability columns apply to classification"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			p := writeSuite(t, map[string]string{"d.csv": "x,y,p\n1,a,0.5\n", "suite.yaml": "data: {path: d.csv}\nmodel: " + tc.model + "\n"})
			_, err := trustml.Load(p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestClassifierEndpointAndCommand: a multiclass endpoint answering
// probability lists, and a command answering labels (a boolean target).
func TestClassifierEndpointAndCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Instances []struct{ X float64 } }
		require.NoError(t, json.NewDecoder(r.Body).Decode(&req))
		var out [][]float64
		for _, in := range req.Instances {
			switch {
			case in.X < 2:
				out = append(out, []float64{0.8, 0.1, 0.1})
			case in.X < 4:
				out = append(out, []float64{0.1, 0.8, 0.1})
			default:
				out = append(out, []float64{0.1, 0.1, 0.8})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"predictions": out})
	}))
	defer srv.Close()
	p := writeSuite(t, map[string]string{"d.csv": "x,y\n0,0\n1,0\n2,1\n3,1\n4,2\n5,1\n", "suite.yaml": fmt.Sprintf(`
data: {path: d.csv}
model:
  task: classification
  target: y
  features: [x]
  endpoint: {url: %s}
  metrics: {accuracy: {min: 0.8}, f1_macro: {min: 0.8}}
`, srv.URL)})
	res, err := run(t, p)
	require.NoError(t, err)
	c := res.Model.Classification
	assert.Equal(t, []string{"0", "1", "2"}, c.Classes)
	assert.Equal(t, "argmax", c.LabelsFrom)
	assert.Equal(t, [][]int{{2, 0, 0}, {0, 2, 1}, {0, 0, 1}}, c.Model.Confusion)
	assert.Len(t, c.ROC, 3)
	assert.Equal(t, 0, res.ExitCode(), "accuracy 5/6, macro F1 (1 + 0.8 + 2/3)/3")

	p = writeSuite(t, map[string]string{"d.csv": "x,y\n0,false\n1,true\n2,true\n", "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  features: [x]
  command: [sh, -c, 'while read l; do echo true; done']
  metrics: {recall: {min: 1}, precision: {min: 0.9}}
`})
	res, err = run(t, p)
	require.NoError(t, err)
	c = res.Model.Classification
	assert.Equal(t, "true", c.Positive)
	assert.Equal(t, 1.0, c.Model.Recall.V)
	assert.InDelta(t, 2.0/3, c.Model.Precision.V, 1e-15)
	assert.Equal(t, "the model gives labels, not probabilities", c.Model.ROCAUC.Reason)
	assert.Equal(t, 1, res.ExitCode())

	p = writeSuite(t, map[string]string{"d.csv": "x,y\n0,false\n1,true\n2,true\n", "suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  features: [x]
  command: [sh, -c, 'while read l; do echo maybe; done']
`})
	_, err = run(t, p)
	assert.ErrorContains(t, err, `data row 0: output line "maybe" is not one JSON value (a label or a list of probabilities)`)
}
