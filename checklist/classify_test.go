package checklist_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// clf is an in-process classifier of the fixture's x, known exactly.
//
//   - binary (classes no, yes): P(yes) = min(x/100, 1), probabilities only,
//     so the label is yes when x ≥ 50 (at the default threshold 0.5).
//   - thirds (classes a, b, c): the label a for x < 33, b for x < 66, else
//     c; with proba, the label's probability is 0.8 and the others' 0.1.
type clf struct {
	thirds bool
	labels bool // give labels
	proba  bool // give probabilities
	calls  int
}

func (m *clf) Classify(_ context.Context, b arrow.RecordBatch) (model.ClassOutput, error) {
	m.calls++
	var x *array.Float64
	for i := range int(b.NumCols()) {
		if b.ColumnName(i) == "x" {
			x = b.Column(i).(*array.Float64)
		}
	}
	n := int(b.NumRows())
	var o model.ClassOutput
	if m.labels {
		o.Labels = make([]string, n)
	}
	if m.proba {
		o.Proba = make([][]float64, n)
	}
	for i := range n {
		v := x.Value(i)
		if !m.thirds {
			p := min(v/100, 1)
			if m.labels {
				o.Labels[i] = map[bool]string{true: "yes", false: "no"}[p >= 0.5]
			}
			if m.proba {
				o.Proba[i] = []float64{1 - p, p}
			}
			continue
		}
		c := 2
		switch {
		case v < 33:
			c = 0
		case v < 66:
			c = 1
		}
		if m.labels {
			o.Labels[i] = []string{"a", "b", "c"}[c]
		}
		if m.proba {
			row := []float64{0.1, 0.1, 0.1}
			row[c] = 0.8
			o.Proba[i] = row
		}
	}
	return o, nil
}

func (m *clf) String() string { return "test classifier" }

var (
	yesNo  = checklist.Classes{Names: []string{"no", "yes"}, Positive: 1}
	thirds = checklist.Classes{Names: []string{"a", "b", "c"}}
)

func label(s string) *string { return &s }

// runOne runs one test against m and returns its check.
func runOne(t *testing.T, m model.Classifier, classes checklist.Classes, test checklist.Test) result.Check {
	t.Helper()
	mem := newMem(t)
	checks, err := checklist.RunClassifier(context.Background(), m, classes, fixture(t, mem), []checklist.Test{test},
		checklist.Options{Features: []string{"x"}, Target: "y", Mem: mem})
	require.NoError(t, err)
	require.Len(t, checks, 1)
	return checks[0]
}

// TestClassifierTests: each kind of classifier test on models whose every
// output is known, with the failing cases counted by hand.
func TestClassifierTests(t *testing.T) {
	add5 := []checklist.Perturbation{checklist.Add("x", 5)}
	for _, tc := range []struct {
		name          string
		m             *clf
		classes       checklist.Classes
		test          checklist.Test
		cases, failed int
		status        result.Status
		worst         string
	}{
		{
			// x = 80 gives yes; x = 30 gives no; x = 49.9 gives no: two fail.
			name: "MFT label", m: &clf{proba: true}, classes: yesNo,
			test: checklist.Test{Type: checklist.MFT, Expect: &checklist.Bounds{Label: label("yes")}, Cases: []checklist.Case{
				{Input: checklist.Input{"x": 80}}, {Input: checklist.Input{"x": 30}}, {Input: checklist.Input{"x": 49.9}}}},
			cases: 3, failed: 2, status: result.Fail,
			// The worst is the one the model is surest of: P(yes) 0.3
			// leads by 0.3 − 0.7 = −0.4.
			worst: "case 1 (x 30): predicted no (P(no) 0.7), expected label yes",
		},
		{
			// A binary test without a class bounds P(yes): x = 10 fails.
			name: "MFT probability of the positive class", m: &clf{proba: true}, classes: yesNo,
			test: checklist.Test{Type: checklist.MFT, Expect: &checklist.Bounds{Interval: bound.AtLeast(0.5)},
				Templates: []checklist.Template{{Vary: []checklist.Values{{Column: "x", Values: []any{10, 60, 90}}}}}},
			cases: 3, failed: 1, status: result.Fail,
			worst: "template 0 (x 10): P(yes) 0.1, expected P(yes) ≥ 0.5",
		},
		{
			name: "MFT probability of a named class", m: &clf{proba: true}, classes: yesNo,
			test: checklist.Test{Type: checklist.MFT, Cases: []checklist.Case{
				{Input: checklist.Input{"x": 10}, Expect: &checklist.Bounds{Class: "no", Interval: bound.Between(0.85, 0.95)}},
				{Input: checklist.Input{"x": 20}, Expect: &checklist.Bounds{Class: "no", Interval: bound.Between(0.85, 0.95)}}}},
			cases: 2, failed: 1, status: result.Fail,
			worst: "case 1 (x 20): P(no) 0.8, expected P(no) in [0.85, 0.95]",
		},
		{
			// Adding 5 to x = 45..49 turns no into yes: 5 of the 100 rows.
			name: "INV label unchanged", m: &clf{proba: true}, classes: yesNo,
			test:  checklist.Test{Type: checklist.INV, Perturb: add5, MaxFailureRate: 0.05},
			cases: 100, failed: 5, status: result.Pass,
		},
		{
			// ΔP(yes) is 0.05 for x ≤ 95, then 1 − x/100 ≤ 0.04: 96 of 100
			// move more than 0.045.
			name: "INV probabilities of every class", m: &clf{proba: true}, classes: yesNo,
			test:  checklist.Test{Type: checklist.INV, Perturb: add5, Tolerance: checklist.Tolerance{Proba: true, Abs: 0.045}},
			cases: 100, failed: 96, status: result.Fail,
		},
		{
			name: "INV probability of a class", m: &clf{proba: true}, classes: yesNo,
			test:  checklist.Test{Type: checklist.INV, Perturb: add5, Tolerance: checklist.Tolerance{Class: "no", Abs: 0.05 + 1e-12}},
			cases: 100, failed: 0, status: result.Pass,
		},
		{
			name: "DIR increase of the positive class", m: &clf{proba: true}, classes: yesNo,
			test:  checklist.Test{Type: checklist.DIR, Perturb: add5, Change: checklist.Change{Direction: checklist.Increase}},
			cases: 100, failed: 0, status: result.Pass,
		},
		{
			// P(no) = 1 − x/100 falls on every row (to 0 from x ≥ 95).
			name: "DIR increase of a class that falls", m: &clf{proba: true}, classes: yesNo,
			test:  checklist.Test{Type: checklist.DIR, Perturb: add5, Change: checklist.Change{Class: "no", Direction: checklist.Increase}},
			cases: 100, failed: 100, status: result.Fail,
		},
		{
			// Δ P(yes) ≥ 0.02 fails only at x = 99 (Δ 0.01).
			name: "DIR change bounds", m: &clf{proba: true}, classes: yesNo,
			test: checklist.Test{Type: checklist.DIR, Perturb: add5,
				Change: checklist.Change{Class: "yes", Interval: bound.AtLeast(0.02)}},
			cases: 100, failed: 1, status: result.Fail,
			worst: "base row 99: x 99→104 moved P(yes) 0.99→1 (expected ΔP(yes) ≥ 0.02)",
		},
		{
			// A sweep of x from 0 to 100: P(c) rises at 66 and never falls.
			name: "DIR sweep", m: &clf{thirds: true, proba: true}, classes: thirds,
			test: checklist.Test{Type: checklist.DIR, N: 3, Sweep: &checklist.Sweep{Column: "x", From: ptr(0), To: ptr(100)},
				Change: checklist.Change{Class: "c", Direction: checklist.Increase}},
			cases: 3, failed: 0, status: result.Pass,
		},
		{
			// Labels only: x = 32 → 33 and 65 → 66 change the label.
			name: "INV label of a labels-only multiclass model", m: &clf{thirds: true, labels: true}, classes: thirds,
			test:  checklist.Test{Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)}},
			cases: 100, failed: 2, status: result.Fail,
			worst: "base row 32: x 32→33 changed the label a→b (expected the label unchanged)",
		},
		{
			name: "MFT label of a labels-only multiclass model", m: &clf{thirds: true, labels: true}, classes: thirds,
			test: checklist.Test{Type: checklist.MFT, Cases: []checklist.Case{
				{Input: checklist.Input{"x": 10}, Expect: &checklist.Bounds{Label: label("a")}},
				{Input: checklist.Input{"x": 50}, Expect: &checklist.Bounds{Label: label("a")}}}},
			cases: 2, failed: 1, status: result.Fail,
			worst: "case 1 (x 50): predicted b, expected label a",
		},
		{
			// The model's labels are used unless a threshold is set:
			// here its labels (P ≥ 0.5) say yes at x = 60.
			name: "model labels", m: &clf{labels: true, proba: true}, classes: yesNo,
			test: checklist.Test{Type: checklist.MFT, Expect: &checklist.Bounds{Label: label("yes")},
				Cases: []checklist.Case{{Input: checklist.Input{"x": 60}}}},
			cases: 1, failed: 0, status: result.Pass,
		},
		{
			name: "threshold", m: &clf{labels: true, proba: true},
			classes: checklist.Classes{Names: []string{"no", "yes"}, Positive: 1, Threshold: ptr(0.7)},
			test: checklist.Test{Type: checklist.MFT, Expect: &checklist.Bounds{Label: label("yes")},
				Cases: []checklist.Case{{Input: checklist.Input{"x": 60}}, {Input: checklist.Input{"x": 70}}}},
			cases: 2, failed: 1, status: result.Fail,
			worst: "case 0 (x 60): predicted no (P(no) 0.4), expected label yes",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.test.Name = tc.name
			c := runOne(t, tc.m, tc.classes, tc.test)
			d := details(t, c)
			assert.Equal(t, tc.cases, d.Cases)
			assert.Equal(t, tc.cases, d.Applicable)
			assert.Equal(t, tc.failed, d.Failed)
			assert.Equal(t, tc.status, c.Status, c.Message)
			lo, hi := checklist.Wilson(tc.failed, tc.cases)
			assert.Equal(t, checklist.Interval{Low: lo, High: hi, Level: 0.95}, d.Wilson)
			if tc.worst != "" {
				require.NotEmpty(t, d.Examples)
				assert.Equal(t, tc.worst, d.Examples[0].Text)
			}
		})
	}
}

// TestClassifierBatching: the rows of a test go to the classifier in
// batches of BatchSize, and the failure rate carries its Wilson interval.
func TestClassifierBatching(t *testing.T) {
	mem := newMem(t)
	m := &clf{proba: true}
	test := checklist.Test{Name: "t", Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 5)}}
	checks, err := checklist.RunClassifier(context.Background(), m, yesNo, fixture(t, mem), []checklist.Test{test},
		checklist.Options{Features: []string{"x"}, BatchSize: 64, Mem: mem})
	require.NoError(t, err)
	d := details(t, checks[0])
	// 100 bases and 100 variants in ⌈200/64⌉ = 4 calls.
	assert.Equal(t, 200, d.Rows)
	assert.Equal(t, 4, d.Calls)
	assert.Equal(t, 4, m.calls)
	// 5 of 100: the Wilson interval by hand, z = 1.959964:
	// centre (0.05 + z²/200)/(1 + z²/100), half z/(1 + z²/100)·√(0.05·0.95/100 + z²/40000).
	z := 1.959963984540054
	den := 1 + z*z/100
	centre := (0.05 + z*z/200) / den
	half := z / den * math.Sqrt(0.05*0.95/100+z*z/40000)
	assert.InDelta(t, centre-half, d.Wilson.Low, 1e-12)
	assert.InDelta(t, centre+half, d.Wilson.High, 1e-12)
	assert.Equal(t, "5 of 100 cases failed (5.0%, 95% CI 2.2–11.2%): e.g. base row 49: x 49→54 changed the label no→yes (expected the label unchanged)", checks[0].Message)
}

// TestClassifierErrors: what a classifier's tests cannot judge is an
// error naming the test, every problem of it at once.
func TestClassifierErrors(t *testing.T) {
	add := []checklist.Perturbation{checklist.Add("x", 1)}
	for _, tc := range []struct {
		name    string
		m       *clf
		classes checklist.Classes
		test    checklist.Test
		want    string
	}{
		{"probability test of a labels-only model", &clf{thirds: true, labels: true}, thirds,
			checklist.Test{Type: checklist.DIR, Perturb: add, Change: checklist.Change{Class: "b", Direction: checklist.Increase}},
			"judges class probabilities, but test classifier returns labels only"},
		{"probability tolerance of a labels-only model", &clf{thirds: true, labels: true}, thirds,
			checklist.Test{Type: checklist.INV, Perturb: add, Tolerance: checklist.Tolerance{Proba: true, Abs: 0.1}},
			"judges class probabilities, but test classifier returns labels only"},
		{"unknown label and class", &clf{thirds: true, proba: true}, thirds,
			checklist.Test{Type: checklist.MFT, Cases: []checklist.Case{
				{Input: checklist.Input{"x": 1}, Expect: &checklist.Bounds{Label: label("B")}},
				{Input: checklist.Input{"x": 1}, Expect: &checklist.Bounds{Class: "d", Interval: bound.AtLeast(0.5)}}}},
			`cases[0].expect.label: label "B" is not a class of the model (classes: "a", "b", "c"); did you mean "b"?` + "\n" +
				`cases[1].expect.class: class "d" is not a class of the model (classes: "a", "b", "c")`},
		{"multiclass DIR without a class", &clf{thirds: true, proba: true}, thirds,
			checklist.Test{Type: checklist.DIR, Perturb: add, Change: checklist.Change{Direction: checklist.Increase}},
			`expect: needs class: the model has 3 classes ("a", "b", "c"); name the class whose probability is judged`},
		{"multiclass MFT bounds without a class", &clf{thirds: true, proba: true}, thirds,
			checklist.Test{Type: checklist.MFT, Expect: &checklist.Bounds{Interval: bound.AtLeast(0.5)}, Cases: []checklist.Case{{Input: checklist.Input{"x": 1}}}},
			`expect: needs class: the model has 3 classes`},
		{"relative probability tolerance", &clf{proba: true}, yesNo,
			checklist.Test{Type: checklist.INV, Perturb: add, Tolerance: checklist.Tolerance{Proba: true, Rel: 0.1}},
			"tolerance.rel: a class probability's tolerance is absolute: give abs (and class)"},
		{"label and bounds together", &clf{proba: true}, yesNo,
			checklist.Test{Type: checklist.MFT, Expect: &checklist.Bounds{Label: label("yes"), Interval: bound.AtLeast(0.5)},
				Cases: []checklist.Case{{Input: checklist.Input{"x": 1}}}},
			"expect: label and min/max/value/class are exclusive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			tc.test.Name = "t"
			_, err := checklist.RunClassifier(context.Background(), tc.m, tc.classes, fixture(t, mem), []checklist.Test{tc.test},
				checklist.Options{Features: []string{"x"}, Mem: mem})
			require.Error(t, err)
			assert.Contains(t, err.Error(), `checklist: test "t": `+tc.want)
			var te *checklist.TestError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "t", te.Name)
		})
	}
}

// TestClassifierBadOutputs: probabilities that are not probabilities are
// an error naming the data rows behind the inputs.
func TestClassifierBadOutputs(t *testing.T) {
	mem := newMem(t)
	test := checklist.Test{Name: "t", Type: checklist.INV, Perturb: []checklist.Perturbation{checklist.Add("x", 1)}}
	_, err := checklist.RunClassifier(context.Background(), &clf{proba: true}, checklist.Classes{Names: []string{"no", "yes", "maybe"}},
		fixture(t, mem), []checklist.Test{test}, checklist.Options{Features: []string{"x"}, Mem: mem})
	require.Error(t, err)
	assert.Equal(t, `checklist: test "t": model: test classifier: data rows 0, 0, 1, 1, 2, … (200 rows): 2 probabilities for 3 classes ("no", "yes", "maybe")`, err.Error())
}

// TestRegressorRejectsClassKeys: a regressor's test that names a label or
// a class is an error.
func TestRegressorRejectsClassKeys(t *testing.T) {
	mem := newMem(t)
	test := checklist.Test{Name: "t", Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
		Change: checklist.Change{Class: "b", Direction: checklist.Increase}}
	_, err := checklist.Run(context.Background(), &local{f: linear}, fixture(t, mem), []checklist.Test{test}, checklist.Options{Mem: mem})
	require.Error(t, err)
	assert.Equal(t, `checklist: test "t": expect.class: applies to a classifier (task: classification); this model is a regressor`, err.Error())
}

func TestClassifierDecode(t *testing.T) {
	tests, err := decodeTask(t, "classification", `
  - {name: m, type: MFT, cases: [{input: {x: 1}, expect: {label: 1}}, {input: {x: 2}, expect: {label: true}}], expect: {class: b, min: 0.5}}
  - {name: i, type: INV, perturb: {column: x, add: 1}, tolerance: {class: b, abs: 0}}
  - {name: i2, type: INV, perturb: {column: x, add: 1}}
  - {name: d, type: DIR, perturb: {column: x, add: 1}, expect: {class: b, direction: increase, slack: 0.01}}
  - {name: s, type: DIR, sweep: {column: x}, expect: {class: b, direction: increasing}}
`)
	require.NoError(t, err)
	require.Len(t, tests, 5)
	assert.Equal(t, "1", *tests[0].Cases[0].Expect.Label)
	assert.Equal(t, "true", *tests[0].Cases[1].Expect.Label)
	assert.Equal(t, "b", tests[0].Expect.Class)
	assert.Equal(t, checklist.Tolerance{Proba: true, Class: "b"}, tests[1].Tolerance, "a zero tolerance on probabilities is not the label test")
	assert.Equal(t, checklist.Tolerance{}, tests[2].Tolerance)
	assert.Equal(t, checklist.Change{Class: "b", Direction: checklist.Increase, Slack: 0.01}, tests[3].Change)
	assert.Equal(t, checklist.Change{Class: "b", Direction: checklist.Increase}, tests[4].Change)

	for _, tc := range []struct{ task, src, want string }{
		{"regression", `[{name: m, type: MFT, cases: [{input: {x: 1}, expect: {label: a}}]}]`,
			"suite.yaml:1:67: checklist[0].cases[0].expect.label: applies to a classifier (task: classification); this model is a regressor"},
		{"", `[{name: d, type: DIR, perturb: {column: x, add: 1}, expect: {class: a, direction: increase}}]`,
			"suite.yaml:1:73: checklist[0].expect.class: applies to a classifier"},
		{"classification", `[{name: i, type: INV, perturb: {column: x, add: 1}, tolerance: {rel: 0.1}}]`,
			"suite.yaml:1:75: checklist[0].tolerance: needs abs: how far a class probability may move (leave tolerance out to demand an unchanged label)"},
		{"classification", `[{name: i, type: INV, perturb: {column: x, add: 1}, tolerance: {abs: 0.1, scale: prediction}}]`,
			"checklist[0].tolerance.scale: a class probability's tolerance is absolute"},
		{"classification", `[{name: m, type: MFT, cases: [{input: {x: 1}, expect: {label: 1.5}}]}]`,
			"suite.yaml:1:74: checklist[0].cases[0].expect.label: must be a class label (a string, an integer or a boolean), got the number 1.5"},
		{"classification", `[{name: d, type: DIR, perturb: {column: x, add: 1}, expect: {class: b}}]`,
			"checklist[0].expect: needs direction, min_change or max_change"},
		{"classification", `[{name: m, type: MFT, cases: [{input: {x: 1}, expect: {label: a, min: 0.5}}]}]`,
			"checklist[0].cases[0].expect: label and min/max/value/class are exclusive"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := decodeTask(t, tc.task, " "+tc.src)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// decodeTask decodes a checklist section under a model of task.
func decodeTask(t *testing.T, task, list string) ([]checklist.Test, error) {
	t.Helper()
	src := "checklist:" + strings.TrimRight(list, "\n") + "\n"
	root, err := yamlx.Parse("suite.yaml", []byte(src))
	require.NoError(t, err)
	d := &yamlx.Decoder{File: "suite.yaml"}
	fields, ok := d.Mapping(root, "", []string{"checklist"})
	require.True(t, ok)
	tests := section.Decode("checklist", d, nil, fields[0].Value, fields[0].Path, section.Env{Task: task}).([]checklist.Test)
	return tests, d.Err()
}

// TestLabelsOnlyStopsAtFirstBatch: a probability test of a model that
// gives labels only stops after the first batch.
func TestLabelsOnlyStopsAtFirstBatch(t *testing.T) {
	mem := newMem(t)
	m := &clf{thirds: true, labels: true}
	test := checklist.Test{Name: "t", Type: checklist.DIR, Perturb: []checklist.Perturbation{checklist.Add("x", 1)},
		Change: checklist.Change{Class: "c", Direction: checklist.Increase}}
	_, err := checklist.RunClassifier(context.Background(), m, thirds, fixture(t, mem), []checklist.Test{test},
		checklist.Options{Features: []string{"x"}, BatchSize: 10, Mem: mem})
	require.Error(t, err)
	assert.Equal(t, 1, m.calls, "200 rows in batches of 10: the first tells")
}
