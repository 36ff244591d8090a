package trustml_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/result"
)

// thirdsServer answers P(0), P(1), P(2) = 0.8 for the class of x's third
// (x < 2: 0, x < 4: 1, else 2) and 0.1 for the others.
func thirdsServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Instances []struct{ X float64 } }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := make([][]float64, len(req.Instances))
		for i, in := range req.Instances {
			row := []float64{0.1, 0.1, 0.1}
			switch {
			case in.X < 2:
				row[0] = 0.8
			case in.X < 4:
				row[1] = 0.8
			default:
				row[2] = 0.8
			}
			out[i] = row
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"predictions": out})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestClassifierChecklistSuite: a multiclass endpoint's behavioural tests
// through Load and Run, each outcome counted by hand over the six rows
// x = 0..5.
func TestClassifierChecklistSuite(t *testing.T) {
	srv := thirdsServer(t)
	p := writeSuite(t, map[string]string{"d.csv": "x,y\n0,0\n1,0\n2,1\n3,1\n4,2\n5,2\n", "suite.yaml": fmt.Sprintf(`
data: {path: d.csv}
model:
  task: classification
  target: y
  features: [x]
  endpoint: {url: %s}
checklist:
  - {name: small x is class 0, type: MFT, cases: [{input: {x: 1}, expect: {label: 0}}, {input: {x: 3}, expect: {label: 0}}]}
  - {name: x up by one keeps the class, type: INV, perturb: {column: x, add: 1}, max_failure_rate: 0.5}
  - {name: large x raises P(2), type: DIR, perturb: {column: x, add: 2}, expect: {class: 2, direction: increase}}
  - {name: P(1) moves little, type: INV, perturb: {column: x, add: 1}, tolerance: {class: 1, abs: 0.5}}
`, srv.URL)})
	res, err := run(t, p)
	require.NoError(t, err)
	got := map[string][2]int{}
	status := map[string]result.Status{}
	for _, c := range res.Checks {
		if c.Section == result.Checklist {
			d := c.Details.(checklist.Details)
			got[c.Name] = [2]int{d.Failed, d.Applicable}
			status[c.Name] = c.Status
		}
	}
	assert.Equal(t, map[string][2]int{
		// x = 3 is class 1.
		"checklist.small x is class 0": {1, 2},
		// x → x + 1 changes the class at x = 1 and x = 3.
		"checklist.x up by one keeps the class": {2, 6},
		// P(2) never falls as x grows.
		"checklist.large x raises P(2)": {0, 6},
		// P(1) moves by 0.7 where the class enters or leaves 1: x = 1, 3.
		"checklist.P(1) moves little": {2, 6},
	}, got)
	assert.Equal(t, result.Fail, status["checklist.small x is class 0"])
	assert.Equal(t, result.Pass, status["checklist.x up by one keeps the class"], "2 of 6 ≤ 0.5")
	assert.Equal(t, uint64(trustml.DefaultSeed), res.Run.Seeds["checklist"])
}

// TestClassifierChecklistErrors: what the classes or the source cannot
// answer is an error positioned at the test in the suite file.
func TestClassifierChecklistErrors(t *testing.T) {
	srv := thirdsServer(t)
	p := writeSuite(t, map[string]string{"d.csv": "x,y\n0,0\n1,0\n2,1\n3,1\n4,2\n5,2\n", "suite.yaml": fmt.Sprintf(`
data: {path: d.csv}
model: {task: classification, target: y, features: [x], endpoint: {url: %s}}
checklist:
  - {name: fine, type: MFT, cases: [{input: {x: 0}, expect: {label: 0}}]}
  - {name: no such class, type: MFT, cases: [{input: {x: 0}, expect: {label: 3}}]}
  - {name: which class, type: DIR, perturb: {column: x, add: 1}, expect: increase}
`, srv.URL)})
	_, err := run(t, p)
	require.Error(t, err)
	assert.Equal(t, p+`:6:5: checklist: test "no such class": cases[0].expect.label: label "3" is not a class of the model (classes: "0", "1", "2"); did you mean "0"?`+"\n"+
		p+`:7:5: checklist: test "which class": expect: needs class: the model has 3 classes ("0", "1", "2"); name the class whose probability is judged`, err.Error())

	// A command that answers labels only cannot have its probabilities
	// tested: the error names the source.
	p = writeSuite(t, map[string]string{"d.csv": "x,y\n0,false\n1,true\n2,true\n", "suite.yaml": `
data: {path: d.csv}
model: {task: classification, target: y, features: [x], command: [sh, -c, 'while read l; do echo true; done']}
checklist:
  - {name: labels, type: INV, perturb: {column: x, add: 1}}
  - {name: probabilities, type: DIR, perturb: {column: x, add: 1}, expect: increase}
`})
	_, err = run(t, p)
	require.Error(t, err)
	assert.Equal(t, p+`:6:5: checklist: test "probabilities": judges class probabilities, but command ["sh" "-c" "while read l; do echo true; done"] returns labels only: test its labels ({label: ...} in MFT, INV without tolerance) or serve probabilities`, err.Error())

	// A regressor's test naming a class is a suite error, found by Load.
	p = writeSuite(t, map[string]string{"d.csv": "x,y\n0,1\n", "suite.yaml": `
data: {path: d.csv}
checklist:
  - {name: d, type: DIR, perturb: {column: x, add: 1}, expect: {class: a, direction: increase}}
model: {target: y, features: [x], train: {algorithm: linear}}
`})
	_, err = trustml.Load(p)
	require.Error(t, err)
	assert.Equal(t, p+`:4:65: checklist[0].expect.class: applies to a classifier (task: classification); this model is a regressor`, err.Error())
}

// TestClassBalanceSuite: the class counts of each split are in the
// result, and class_balance bounds them. Split by time, the first six
// rows (a a a b b c) train and the last four (a a b b) test.
func TestClassBalanceSuite(t *testing.T) {
	p := writeSuite(t, map[string]string{
		"d.csv": "t,y,lab\n1,a,a\n2,a,a\n3,a,a\n4,b,b\n5,b,b\n6,c,c\n7,a,a\n8,a,a\n9,b,b\n10,b,b\n",
		"suite.yaml": `
data: {path: d.csv}
model:
  task: classification
  target: y
  predictions: lab
  split: {by: t, test_fraction: 0.4}
  class_balance: {min_fraction: 0.15, max_ratio: 3}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	got := res.Model.ClassBalance
	require.Len(t, got, 2)
	assert.Equal(t, []int{3, 2, 1}, got[0].Counts)
	assert.Equal(t, []int{2, 2, 0}, got[1].Counts)
	c := res.Checks[len(res.Checks)-1]
	assert.Equal(t, "model.class_balance", c.Name)
	assert.Equal(t, result.Fail, c.Status)
	assert.Equal(t, "test split: class c is 0% of 4 rows, below 15%; test split: majority/minority ratio ∞ (a/c) above 3", c.Message)

	for _, tc := range []struct{ model, want string }{
		{"{target: y, predictions: lab, class_balance: {min_fraction: 0.1}}", "model.class_balance: applies to classification: add task: classification to the model section"},
		{"{task: classification, target: y, predictions: lab, class_balance: {max_ratio: 0.5}}", "model.class_balance.max_ratio: must be ≥ 1 (the majority class's count over the minority's), got 0.5"},
		{"{task: classification, target: y, predictions: lab, class_balance: {}}", "model.class_balance: needs a bound: min_fraction, max_ratio or min_count"},
		{"{task: classification, target: y, predictions: lab, class_balance: {min_fraction: 2}}", "model.class_balance.min_fraction: must be a fraction between 0 and 1, got 2"},
	} {
		p := writeSuite(t, map[string]string{"d.csv": "y,lab\na,a\n", "suite.yaml": "data: {path: d.csv}\nmodel: " + tc.model + "\n"})
		_, err := trustml.Load(p)
		require.Error(t, err, tc.model)
		assert.Contains(t, err.Error(), tc.want)
	}
}
