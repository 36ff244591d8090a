package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/report"
)

// svgNode is an element of a chart as encoding/xml reads it.
type svgNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []svgNode  `xml:",any"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// all returns the elements called name under n, depth first.
func (n svgNode) all(name string) []svgNode {
	var out []svgNode
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

// child returns the first direct child called name.
func (n svgNode) child(name string) (svgNode, bool) {
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			return c, true
		}
	}
	return svgNode{}, false
}

// modelCharts parses, as strict XML, every chart of the report's model
// section, keyed by the start of its title.
func modelCharts(t *testing.T, html string) map[string]svgNode {
	t.Helper()
	start := strings.Index(html, `<section id="model"`)
	require.GreaterOrEqual(t, start, 0, "a model section")
	section := html[start:]
	section = section[:strings.Index(section, `</section>`)]
	charts := map[string]svgNode{}
	for _, svg := range regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(section, -1) {
		d := xml.NewDecoder(strings.NewReader(svg))
		d.Strict = true
		var n svgNode
		require.NoError(t, d.Decode(&n), "a chart is well-formed XML:\n%s", svg)
		_, err := d.Token()
		require.ErrorIs(t, err, io.EOF, "one element")
		title, ok := n.child("title")
		require.True(t, ok, "a <title>")
		desc, ok := n.child("desc")
		require.True(t, ok, "a <desc>: %s", title.Text)
		assert.NotEmpty(t, desc.Text)
		assert.Equal(t, "img", n.attr("role"))
		assert.Equal(t, title.Text, n.attr("aria-label"))
		assert.NotContains(t, svg, "NaN")
		for _, key := range []string{"Confusion matrix", "ROC curve", "Reliability diagram"} {
			if strings.HasPrefix(title.Text, key) {
				require.NotContains(t, charts, key, "one chart of each kind")
				charts[key] = n
			}
		}
	}
	return charts
}

func writeHTML(t *testing.T, res *trustml.Result) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, res))
	return b.String()
}

func runSuite(t *testing.T, path string) *trustml.Result {
	t.Helper()
	s, err := trustml.Load(path)
	require.NoError(t, err)
	res, err := s.Run(context.Background(), trustml.RunOptions{})
	require.NoError(t, err)
	return res
}

func titles(nodes []svgNode) []string {
	var out []string
	for _, n := range nodes {
		if t, ok := n.child("title"); ok {
			out = append(out, t.Text)
		}
	}
	return out
}

// points parses an SVG points attribute.
func points(t *testing.T, s string) [][2]float64 {
	var out [][2]float64
	for _, p := range strings.Fields(s) {
		var x, y float64
		_, err := fmt.Sscanf(p, "%g,%g", &x, &y)
		require.NoError(t, err, p)
		out = append(out, [2]float64{x, y})
	}
	return out
}

// TestClassifierChartsBinary: seven rows, labels n n n p p p p with
// P(p) = .1 .6 .3 .8 .4 .9 .7 and threshold 0.5. By hand: the confusion is
// n→n 2, n→p 1, p→n 1, p→p 3; the ROC curve has all 7 thresholds (8
// points, AUC 11/12) and its operating point is (1/3, 3/4); the 4
// reliability bins hold .1 | .3 .4 | .6 .7 | .8 .9.
func TestClassifierChartsBinary(t *testing.T) {
	res := runSuite(t, "testdata/classify/binary.yaml")
	c := res.Model.Classification
	require.NotNil(t, c)
	html := writeHTML(t, res)
	charts := modelCharts(t, html)
	require.Len(t, charts, 3, "confusion matrix, ROC curve and reliability diagram")

	cm := charts["Confusion matrix"]
	assert.Equal(t, []string{
		"true n, predicted n: 2 rows (66.7% of n)", "true n, predicted p: 1 row (33.3% of n)",
		"true p, predicted n: 1 row (25% of p)", "true p, predicted p: 3 rows (75% of p)",
	}, titles(cm.all("rect")))
	var texts []string
	for _, n := range cm.all("text") {
		texts = append(texts, n.Text)
	}
	assert.Equal(t, []string{"n", "2", "1", "p", "1", "3", "n", "p", "predicted class", "true class"}, texts)
	title, _ := cm.child("title")
	assert.Equal(t, "Confusion matrix (7 rows; predicted “p” when its probability is ≥ 0.5)", title.Text)

	roc := charts["ROC curve"]
	title, _ = roc.child("title")
	assert.Equal(t, "ROC curve of “p” (AUC 0.917); dot: the threshold used", title.Text)
	lines := roc.all("polyline")
	require.Len(t, lines, 1)
	got := points(t, lines[0].attr("points"))
	want := [][2]float64{{0, 0}, {0, 0.25}, {0, 0.5}, {0, 0.75}, {1.0 / 3, 0.75}, {1.0 / 3, 1}, {2.0 / 3, 1}, {1, 1}}
	require.Len(t, got, len(want))
	// The plot spans x 64..386 and y 218..12 (chartW 400, chartH 260).
	for i, w := range want {
		assert.InDelta(t, 64+w[0]*322, got[i][0], 0.051, "point %d", i)
		assert.InDelta(t, 218-w[1]*206, got[i][1], 0.051, "point %d", i)
	}
	dots := roc.all("circle")
	require.Len(t, dots, 1)
	assert.Equal(t, []string{"the labels evaluated: false positive rate 0.333, true positive rate 0.75"}, titles(dots))
	assert.Equal(t, 11.0/12, c.ROC[0].AUC.V)

	rel := charts["Reliability diagram"]
	title, _ = rel.child("title")
	assert.Equal(t, "Reliability diagram (4 bins; ECE 0.143)", title.Text, "ECE = (0.1 + 2·0.15 + 2·0.15 + 2·0.15)/7")
	assert.InDelta(t, (0.1+0.3+0.3+0.3)/7, c.Model.ECE.V, 1e-15)
	assert.Equal(t, []string{
		"[0, 0.25]: 1 row, mean probability 0.1, observed 0",
		"(0.25, 0.5]: 2 rows, mean probability 0.35, observed 0.5",
		"(0.5, 0.75]: 2 rows, mean probability 0.65, observed 0.5",
		"(0.75, 1]: 2 rows, mean probability 0.85, observed 1",
	}, titles(rel.all("circle")))
	assert.Equal(t, []string{"[0, 0.25]: 1 row", "(0.25, 0.5]: 2 rows", "(0.5, 0.75]: 2 rows", "(0.75, 1]: 2 rows"}, titles(rel.all("rect")[1:]))
	assert.NotContains(t, html, "is drawn through", "a short curve is drawn whole")

	// The JSON carries what the charts draw.
	var b bytes.Buffer
	require.NoError(t, report.WriteJSON(&b, res))
	var back struct {
		Model struct {
			Classification struct {
				Model struct {
					Confusion [][]int `json:"confusion"`
				} `json:"model"`
				ROC []struct {
					Class      string       `json:"class"`
					Thresholds int          `json:"thresholds"`
					Area       float64      `json:"area"`
					Points     [][2]float64 `json:"points"`
				} `json:"roc"`
				Reliability []struct {
					Edges      [2]float64 `json:"edges"`
					Count      int        `json:"count"`
					Confidence float64    `json:"confidence"`
					Observed   float64    `json:"observed"`
				} `json:"reliability"`
			} `json:"classification"`
		} `json:"model"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	cl := back.Model.Classification
	assert.Equal(t, [][]int{{2, 1}, {1, 3}}, cl.Model.Confusion)
	require.Len(t, cl.ROC, 1)
	assert.Equal(t, "p", cl.ROC[0].Class)
	assert.Equal(t, 7, cl.ROC[0].Thresholds)
	assert.InDelta(t, 11.0/12, cl.ROC[0].Area, 1e-15)
	require.Len(t, cl.ROC[0].Points, 8)
	assert.InDelta(t, 1.0/3, cl.ROC[0].Points[4][0], 1e-15)
	require.Len(t, cl.Reliability, 4)
	assert.Equal(t, []int{1, 2, 2, 2}, []int{cl.Reliability[0].Count, cl.Reliability[1].Count, cl.Reliability[2].Count, cl.Reliability[3].Count})
	assert.InDelta(t, 0.85, cl.Reliability[3].Confidence, 1e-15)
}

// TestClassifierChartsMulticlass: six rows of three classes. By hand, the
// most probable class gives the confusion a→a 2, b→a 1, b→b 1, c→b 1,
// c→c 1; the top-label confidence .5 .7 .8 .4 .6 .6 falls in 2 bins:
// [0, .5] holds .5 (right) and .4 (wrong), (.5, 1] holds .7 (wrong), .8,
// .6, .6 (right).
func TestClassifierChartsMulticlass(t *testing.T) {
	res := runSuite(t, "testdata/classify/multiclass.yaml")
	charts := modelCharts(t, writeHTML(t, res))
	require.Len(t, charts, 3)
	cells := titles(charts["Confusion matrix"].all("rect"))
	require.Len(t, cells, 9, "k × k")
	assert.Equal(t, []string{
		"true a, predicted a: 2 rows (100% of a)", "true a, predicted b: 0 rows (0% of a)", "true a, predicted c: 0 rows (0% of a)",
		"true b, predicted a: 1 row (50% of b)", "true b, predicted b: 1 row (50% of b)", "true b, predicted c: 0 rows (0% of b)",
		"true c, predicted a: 0 rows (0% of c)", "true c, predicted b: 1 row (50% of c)", "true c, predicted c: 1 row (50% of c)",
	}, cells)

	roc := charts["ROC curve"]
	title, _ := roc.child("title")
	assert.True(t, strings.HasPrefix(title.Text, "ROC curves, each class against the rest (macro AUC "), title.Text)
	assert.Len(t, roc.all("polyline"), 3, "one curve per class")
	assert.Empty(t, roc.all("circle"), "no operating point for argmax labels")
	var legend []string
	for _, n := range roc.all("text") {
		if strings.Contains(n.Text, " (AUC ") {
			legend = append(legend, n.Text)
		}
	}
	// By hand: every a scores above every other row on pa (1); on pb,
	// b's .35 and .6 beat 3 of the 4 others each (6/8); on pc, c's .8
	// beats all 4 and its .1 none (4/8). Macro: 0.75.
	assert.Equal(t, []string{"a (AUC 1)", "b (AUC 0.75)", "c (AUC 0.5)"}, legend)
	assert.Equal(t, "ROC curves, each class against the rest (macro AUC 0.75)", title.Text)

	rel := charts["Reliability diagram"]
	assert.Equal(t, []string{
		"[0, 0.5]: 2 rows, mean probability 0.45, observed 0.5",
		"(0.5, 1]: 4 rows, mean probability 0.675, observed 0.75",
	}, titles(rel.all("circle")))
	var x []string
	for _, n := range rel.all("text") {
		x = append(x, n.Text)
	}
	assert.Contains(t, x, "confidence (probability of the top class)")
}

// evaluated builds a classifier's result from n rows of scores drawn in
// memory, k classes (named by name), as a run would from its predictions.
func evaluated(n, k int, name func(int) string, seed uint64) *trustml.Result {
	r := rand.New(rand.NewPCG(seed, 1))
	classes := make([]string, k)
	for c := range classes {
		classes[c] = name(c)
	}
	y := make([]int, n)
	flat := make([]float64, n*k)
	proba := make([][]float64, n)
	for i := range y {
		row := flat[i*k : (i+1)*k : (i+1)*k]
		if k == 2 {
			y[i] = 0
			if r.Float64() < 0.1 {
				y[i] = 1
			}
			z := r.NormFloat64() - 2
			if y[i] == 1 {
				z += 2.5
			}
			p := 1 / (1 + math.Exp(-z))
			row[0], row[1] = 1-p, p
		} else {
			y[i] = r.IntN(k)
			var sum float64
			for c := range row {
				row[c] = r.Float64()
				if c == y[i] {
					row[c] += 0.8
				}
				sum += row[c]
			}
			for c := range row {
				row[c] /= sum
			}
		}
		proba[i] = row
	}
	trainY := make([]int, k)
	for c := range trainY {
		trainY[c] = c
	}
	var thr *model.ThresholdChoice
	if k == 2 {
		thr = &model.ThresholdChoice{Rule: "fixed", Threshold: 0.3}
	}
	ev := model.EvaluateClasses(classes, 1, y, nil, proba, trainY, thr, 10)
	return &trustml.Result{
		Passed: true,
		Model: &trustml.ModelResult{Source: "predictions", Target: "label", Rows: n, Task: model.TaskClassification,
			EvaluatedOn: "every row", Classification: &ev},
	}
}

// TestClassifierChartsManyClasses: twelve classes with long names give a
// 12 × 12 matrix with its column labels turned, the ROC curves of the
// eight classes of lowest AUC with a legend, and no two texts of a chart
// on one another (an estimate; the CI browser test measures them).
func TestClassifierChartsManyClasses(t *testing.T) {
	res := evaluated(3000, 12, func(c int) string { return fmt.Sprintf("a rather long class name %02d", c) }, 9)
	html := writeHTML(t, res)
	charts := modelCharts(t, html)
	require.Len(t, charts, 3)
	cm := charts["Confusion matrix"]
	assert.Len(t, cm.all("rect"), 144)
	turned := 0
	for _, n := range cm.all("text") {
		if strings.HasPrefix(n.attr("transform"), "rotate(-90") && n.Text != "true class" {
			turned++
		}
	}
	assert.Equal(t, 12, turned, "column labels turned")
	var rowLabels []string
	for _, n := range cm.all("text") {
		if n.attr("text-anchor") == "end" && n.attr("transform") == "" {
			rowLabels = append(rowLabels, n.Text)
		}
	}
	require.Len(t, rowLabels, 12)
	assert.Equal(t, "a rath…name 00", rowLabels[0], "cut in the middle, names that share a prefix stay apart")
	assert.Equal(t, "a rath…name 11", rowLabels[11])
	roc := charts["ROC curve"]
	assert.Len(t, roc.all("polyline"), 8)
	title, _ := roc.child("title")
	assert.Contains(t, title.Text, "the 8 classes of lowest AUC")
	desc, _ := roc.child("desc")
	assert.Contains(t, desc.Text, "The 8 classes of lowest AUC of 12 are drawn.")
	assert.Contains(t, html, "Each ROC curve is drawn through at most 400 of its thresholds, chosen so that the area under the drawn curve is within 0.0025 of its AUC.")
}

// TestClassifierChartsLabelsOnly: a model that gives labels only has a
// confusion matrix and neither a ROC curve nor a reliability diagram.
func TestClassifierChartsLabelsOnly(t *testing.T) {
	res := evaluated(100, 2, func(c int) string { return fmt.Sprint(c) }, 3)
	c := res.Model.Classification
	y := make([]int, 0, 100)
	pred := make([]int, 0, 100)
	for i := range 100 {
		y, pred = append(y, i%2), append(pred, i%3%2)
	}
	ev := model.EvaluateClasses(c.Classes, 1, y, pred, nil, []int{0, 1}, nil, 10)
	res.Model.Classification = &ev
	charts := modelCharts(t, writeHTML(t, res))
	assert.Len(t, charts, 1)
	assert.Contains(t, charts, "Confusion matrix")
}

// TestClassifierReportAt10MRows: a binary classifier's result built from
// ten million rows of scores (every one a distinct threshold) writes an
// HTML report under 1 MB whose ROC curve has at most MaxCurvePoints
// points within ROCTolerance of the exact AUC; the JSON is as small.
func TestClassifierReportAt10MRows(t *testing.T) {
	if testing.Short() || raceEnabled {
		// About 30 s of CPU and 2 GB without the race detector, many
		// times that with it.
		t.Skip("ten million rows: run without -race and -short: go test ./report -run TestClassifierReportAt10MRows")
	}
	const n = 10_000_000
	res := evaluated(n, 2, func(c int) string { return []string{"stays", "churns"}[c] }, 1)
	c := res.Model.Classification
	require.Equal(t, n, c.Model.N)
	r := c.ROC[0]
	assert.Greater(t, r.Thresholds, 9_000_000, "nearly every row is its own threshold")
	assert.LessOrEqual(t, len(r.Points), model.MaxCurvePoints)
	assert.InDelta(t, r.AUC.V, r.Area, model.ROCTolerance)
	html := writeHTML(t, res)
	assert.Less(t, len(html), 1_000_000, "the HTML report is under 1 MB")
	charts := modelCharts(t, html)
	assert.Len(t, charts, 3)
	assert.Regexp(t, `The ROC curve is drawn through \d+ of its [\d,]+ thresholds, chosen so that the area under the drawn curve \(0\.\d{5}\) is within 0\.0025 of the AUC \(0\.\d{5}\); at most 400 are drawn\.`, html)
	var js bytes.Buffer
	require.NoError(t, report.WriteJSON(&js, res))
	assert.Less(t, js.Len(), 1_000_000)
	t.Logf("10M rows: HTML %d bytes, JSON %d bytes; ROC %d of %d thresholds, |area − AUC| = %.3g",
		len(html), js.Len(), len(r.Points), r.Thresholds, math.Abs(r.Area-r.AUC.V))
}

// TestClassifierChartsNonFinite: a classification result whose every
// float is NaN or ±Inf still renders (charts may be empty, never a
// panic), and the charts stay well-formed XML.
func TestClassifierChartsNonFinite(t *testing.T) {
	res := runSuite(t, "testdata/classify/binary.yaml")
	k := 0
	poisonFloats(reflect.ValueOf(res.Model.Classification), &k)
	require.Greater(t, k, 20)
	var b bytes.Buffer
	err := report.WriteHTML(&b, res)
	require.NoError(t, err)
	for _, svg := range regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(b.String(), -1) {
		d := xml.NewDecoder(strings.NewReader(svg))
		var n svgNode
		if err := d.Decode(&n); err != nil {
			t.Fatal(errors.Join(err, errors.New(svg)))
		}
	}
}
