package report

import (
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

var updateFindings = flag.Bool("update-findings", false, "rewrite testdata/golden/findings.txt")

var tagRE = regexp.MustCompile(`<[^>]*>`)

// plain is a finding as a reader sees it: status, sentence, link target.
func plain(f finding) string {
	s := tagRE.ReplaceAllString(string(f.Sentence), "")
	s = strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
	return strings.ToUpper(f.Status) + " " + s + " → #" + f.Anchor + " " + f.Name
}

// TestFindingsGolden pins the plain-language summary of three runs: the
// report's own fixture, a model compared with a champion, and the
// airquality example's failing suite. Each number in the golden file was
// checked by hand against the result's JSON (37 of 153 rows missing is
// 24.2%; 148 of 153 repeated is 96.7%; ...), and the order against the
// rule: status, then relative distance beyond the bound, then the
// difference.
func TestFindingsGolden(t *testing.T) {
	var b strings.Builder
	for _, suite := range []string{"testdata/golden/suite.yaml", "testdata/compare/suite.yaml", "../examples/airquality/failing.yaml"} {
		s, err := trustml.Load(suite)
		require.NoError(t, err)
		res, err := s.Run(context.Background(), trustml.RunOptions{})
		require.NoError(t, err)
		b.WriteString("== " + suite + "\n")
		for _, f := range findings(res.Checks) {
			b.WriteString(plain(f) + "\n")
		}
	}
	path := filepath.Join("testdata", "golden", "findings.txt")
	if *updateFindings {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}

// TestFindingsOrder: failures before warnings whatever their distance;
// within a status the check furthest beyond its bound first; a check
// without a number to compare last.
func TestFindingsOrder(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	checks := []result.Check{
		{Name: "a.mean", Kind: "mean", Column: "a", Status: result.Warn, Observed: 1000.0, Expected: map[string]any{"max": 1.0}},
		{Name: "b.mean", Kind: "mean", Column: "b", Status: result.Fail, Observed: 11.0, Expected: map[string]any{"max": 10.0}},
		{Name: "c.mean", Kind: "mean", Column: "c", Status: result.Fail, Observed: 20.0, Expected: map[string]any{"max": 10.0}},
		{Name: "d.row_count", Kind: "row_count", Status: result.Fail, Observed: int64(5), Expected: map[string]any{"min": 10.0}},
		{Name: "e.regex", Kind: "regex", Column: "e", Status: result.Error, Message: "no such column"},
		{Name: "f.ok", Kind: "mean", Status: result.Pass, Observed: 1.0},
		{Name: "g.missing", Kind: "missing", Column: "g", Status: result.Fail, Observed: map[string]any{"count": int64(30), "fraction": 0.3},
			Expected: map[string]any{"max_fraction": 0.1}, UnexpectedFraction: f(0.3)},
	}
	var got []string
	for _, x := range findings(checks) {
		got = append(got, x.Name)
	}
	// Excess: c (20−10)/20 = 0.5, d (10−5)/10 = 0.5 with a smaller
	// difference, g (0.3−0.1)/0.3 = 0.667, b (11−10)/11 = 0.09.
	assert.Equal(t, []string{"e.regex", "g.missing", "c.mean", "d.row_count", "b.mean", "a.mean"}, got)
}

func TestSentences(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	i := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		c    result.Check
		want string
	}{
		{result.Check{Kind: "missing", Column: "Ozone", Status: result.Fail, Observed: map[string]any{"count": int64(37), "fraction": 37.0 / 153},
			Expected: map[string]any{"max_fraction": 0.1}},
			"Ozone is missing on 24.2% of rows (37 of 153; allowed: at most 10%)"},
		{result.Check{Kind: "range", Column: "age", Status: result.Warn, UnexpectedCount: i(1234567), ElementCount: i(10000000),
			UnexpectedFraction: f(0.1234567), Mostly: f(0.99), Expected: map[string]any{"min": 0.0, "max": 120.0, "mostly": 0.99}},
			"1,234,567 of 10,000,000 values of age (12.3%) are outside the range 0 to 120 (allowed: at most 1%)"},
		{result.Check{Kind: "unique", Column: "id", Status: result.Fail, UnexpectedCount: i(0), ElementCount: i(100000000000), UnexpectedFraction: f(1e-12)},
			"0 of 100,000,000,000 values of id (1e-10%) are repeated (allowed: none)"},
		{result.Check{Kind: "stddev", Column: "Temp", Status: result.Fail, Observed: 9.465269740971456, Expected: map[string]any{"max": 5.0}},
			"In Temp, the standard deviation is 9.47 (allowed: at most 5)"},
		{result.Check{Kind: "mean", Column: "x", Status: result.Fail, Observed: math.NaN(), Expected: map[string]any{"min": -1.0, "max": 1.0}},
			"In x, the mean is NaN (allowed: between -1 and 1)"},
		{result.Check{Kind: "row_count", Status: result.Fail, Observed: int64(153), Expected: map[string]any{"min": 365.0}},
			"The data has 153 rows (allowed: at least 365)"},
		{result.Check{Kind: "metric", Name: "model.rmse", Status: result.Fail, Observed: 1.4142135623730951, Expected: map[string]any{"max": 1.0}},
			"The model's rmse is 1.41 (allowed: at most 1)"},
		{result.Check{Kind: "compare", Name: "model.compare.rmse", Status: result.Fail, Observed: map[string]any{"worse_by": 0.41421356237309515},
			Expected: map[string]any{"max_worse": 0.1}},
			"The model's rmse is worse than the champion's by 0.414 (allowed: at most 0.1)"},
		{result.Check{Kind: "ks", Column: "Temp", Status: result.Fail, Observed: map[string]any{"statistic": 0.360655737704918, "p_value": 0.0007163948697228755},
			Expected: map[string]any{"max_statistic": 0.2, "min_p_value": 0.01}},
			"Temp has drifted from the reference: the KS statistic is 0.361 (allowed: at most 0.2); the p-value is 7.16e-4 (allowed: at least 0.01)"},
		{result.Check{Kind: "new_categories", Column: "Month", Status: result.Fail, Observed: map[string]any{"count": 2, "rows": int64(61)},
			Expected: map[string]any{"max": 0.0}},
			"Month has 2 values not in the reference (allowed: none)"},
		{result.Check{Kind: "mean", Name: "columns.y.mean", Status: result.Error, Message: "no values in 1000000 rows"},
			"columns.y.mean: no values in 1,000,000 rows"},
	} {
		s := sentenceOf(tc.c)
		assert.Equal(t, tc.want, plain(finding{Status: "x", Sentence: s.html})[2:len(tc.want)+2], tc.want)
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		a    axis
		want string
	}{
		{axis{0, 3.15e6}, "0 1M 2M 3M"},
		{axis{0, 2.6e6}, "0 500k 1M 1.5M 2M 2.5M"},
		{axis{0, 320000}, "0 100k 200k 300k"},
		{axis{-0.07, 0.42}, "0 0.1 0.2 0.3 0.4"},
		{axis{99.93, 100.21}, "99.95 100 100.05 100.1 100.15 100.2"},
		{axis{-40, 40}, "-40 -20 0 20 40"},
		{axis{0, 1.2e12}, "0 200G 400G 600G 800G 1T 1.2T"},
		{axis{1e-12, 5e-12}, "1e-12 2e-12 3e-12 4e-12 5e-12"},
	} {
		assert.Equal(t, tc.want, strings.Join(tickLabels(ticks(tc.a)), " "), "%v", tc.a)
	}
	assert.Empty(t, ticks(axis{math.NaN(), 1}))
	assert.Empty(t, ticks(axis{0, math.Inf(1)}))
}

// TestChartsShareOneFrame: every chart has the same width, the standard
// height unless it has more categories than fit, a <title> and a caption.
func TestChartsShareOneFrame(t *testing.T) {
	charts := []string{
		string(scatterSVG([][2]float64{{1, 2}, {3, 4}}, "s", "x", "y", true, false)),
		string(histogramSVG(0, 10, []int64{3000000, 200000}, "h", "x", nil, f64(8))),
		string(barsSVG([]string{"a", "b"}, []float64{0.9, 0.1}, "b", "col", f64(0.2))),
		string(intervalBarsSVG([]string{"a", "b"}, []float64{1, 2}, []float64{0.5, 1.5}, []float64{1.5, 2.5}, 1.5, "i", "rmse", "by")),
	}
	size := regexp.MustCompile(`<svg viewBox="0 0 400 260" width="400" height="260" role="img" aria-label="[^"]+"><title>[^<]+</title>`)
	for _, c := range charts {
		assert.Regexp(t, size, c)
		assert.Regexp(t, `</svg><figcaption>[^<]+</figcaption></figure>$`, c)
	}
	assert.Contains(t, charts[2], ">b (low)</text>", "a class below the minimum share says so in words")
	tall := string(barsSVG(make([]string, 30), make([]float64, 30), "t", "c", nil))
	assert.Contains(t, tall, `width="400" height="534"`, "30 rows of 16 px and the margins")
}

func f64(v float64) *float64 { return &v }
