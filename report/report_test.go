package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenResult runs the small fixed suite in testdata/golden with a fixed
// clock, version and duration, so that every output is byte-stable.
func goldenResult(t *testing.T) *trustml.Result {
	t.Helper()
	old := trustml.Version
	trustml.Version = "v0.0.0-golden"
	t.Cleanup(func() { trustml.Version = old })
	s, err := trustml.Load("testdata/golden/suite.yaml")
	require.NoError(t, err)
	res, err := s.Run(context.Background(), trustml.RunOptions{
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
	})
	require.NoError(t, err)
	res.Run.DurationSeconds = 0.25
	return res
}

func TestGolden(t *testing.T) {
	res := goldenResult(t)
	for _, tc := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"result.json", func(b *bytes.Buffer) error { return report.WriteJSON(b, res) }},
		{"result.junit.xml", func(b *bytes.Buffer) error { return report.WriteJUnit(b, res) }},
		{"summary.txt", func(b *bytes.Buffer) error { return report.WriteText(b, res, report.TextOptions{}) }},
		{"report.html", func(b *bytes.Buffer) error { return report.WriteHTML(b, res) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var got bytes.Buffer
			require.NoError(t, tc.write(&got))
			path := filepath.Join("testdata", "golden", tc.file)
			if *update {
				require.NoError(t, os.WriteFile(path, got.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./report -update to create the golden files")
			if diff := lineDiff(string(want), got.String()); diff != "" {
				t.Errorf("%s differs (-want +got); go test ./report -update rewrites it:\n%s", path, diff)
			}
		})
	}
}

// lineDiff lists the lines that differ between want and got, at most 20,
// each with its line number; "" when they are equal.
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		shown++
		fmt.Fprintf(&b, "line %d:\n-%s\n+%s\n", i+1, truncateLine(wl), truncateLine(gl))
	}
	if len(w) != len(g) {
		fmt.Fprintf(&b, "(%d lines wanted, %d got)\n", len(w), len(g))
	}
	return b.String()
}

func truncateLine(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// TestHTMLIsSelfContained: no script, no external resource of any kind,
// and the verdict and every section are there in words.
func TestHTMLIsSelfContained(t *testing.T) {
	res := goldenResult(t)
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, res))
	html := b.String()
	assert.NotRegexp(t, `(?i)<script|<link|<iframe|<img|@import|url\(`, html)
	assert.NotRegexp(t, `(?i)(src|href)\s*=\s*"(?:https?:)?//`, html)
	assert.NotContains(t, html, "http://")
	assert.NotContains(t, html, "https://")
	for _, s := range []string{"FAILED · houses", `id="provenance"`, `id="expectations"`, `id="model"`, `id="checklist"`, `id="slices"`,
		"Predicted against actual", "Residuals against predicted", "rmse by region", "Class shares of region"} {
		assert.Contains(t, html, s)
	}
	// Every failure in the banner links to its evidence further down.
	links := regexp.MustCompile(`<a href="#(check-\d+)">`).FindAllStringSubmatch(html, -1)
	require.NotEmpty(t, links)
	for _, l := range links {
		assert.Contains(t, html, `id="`+l[1]+`"`, "the banner links to %s", l[1])
	}
	// Pass and fail are said in words, not only in colour.
	assert.Contains(t, html, ">FAIL<")
	assert.Contains(t, html, ">PASS<")
	assert.Contains(t, html, ">WARN<")
}

// TestEveryFailureLinksToItsEvidence: in a run where checks of several
// kinds fail (a range, a metric, a comparison with a champion), each line
// of the banner links to an element of the page.
func TestEveryFailureLinksToItsEvidence(t *testing.T) {
	s, err := trustml.Load("testdata/compare/suite.yaml")
	require.NoError(t, err)
	res, err := s.Run(context.Background(), trustml.RunOptions{})
	require.NoError(t, err)
	require.Equal(t, 3, res.Summary.Fail, "range, rmse and compare.rmse fail; compare.mae passes")
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, res))
	html := b.String()
	links := regexp.MustCompile(`<li><span class="badge [a-z]+">[A-Z]+</span> [^\n]*<a href="#(check-\d+)">`).FindAllStringSubmatch(html, -1)
	require.Len(t, links, 3)
	for _, l := range links {
		assert.Contains(t, html, `id="`+l[1]+`"`, "the banner links to %s", l[1])
	}
	assert.Contains(t, html, "Against champion")
}

// TestHTMLSizeIsBounded: the report of a model evaluated on 200,000 rows is
// no bigger than that of a small one by more than the bounded plot sample.
func TestHTMLSizeIsBounded(t *testing.T) {
	res := goldenResult(t)
	m := *res.Model
	pts := make([][2]float64, trustml.MaxPlotPoints)
	for i := range pts {
		pts[i] = [2]float64{float64(i) * 1.2345, float64(i)*1.2345 + 0.5}
	}
	m.Plot.Points, m.Plot.Every = pts, 100
	m.Evaluation.Model.N = 200000
	res.Model = &m
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, res))
	assert.Less(t, b.Len(), 1<<20, "under 1 MB")
	assert.True(t, strings.Contains(b.String(), "every 100-th of the 200,000 evaluated rows"), "the sampling is stated")
}

// TestHTMLStructure: the page has one main landmark between the banner
// and the footer, every section is a region named by its heading, every
// table has a caption and scoped header cells, and every chart keeps its
// title and caption.
func TestHTMLStructure(t *testing.T) {
	res := goldenResult(t)
	var b bytes.Buffer
	require.NoError(t, report.WriteHTML(&b, res))
	html := b.String()
	assert.Equal(t, 1, strings.Count(html, "<main>"))
	assert.Regexp(t, `(?s)^.*<body>\s*<header [^>]*>.*</header>\s*<main>.*</main>\s*<footer>.*</footer>\s*</body>`, html)
	for _, m := range regexp.MustCompile(`<section id="([a-z]+)" aria-labelledby="([^"]+)">`).FindAllStringSubmatch(html, -1) {
		assert.Contains(t, html, `<h2 id="`+m[2]+`">`, "section %s is named by its heading", m[1])
	}
	assert.Equal(t, 5, strings.Count(html, "<section "), "provenance, expectations, model, checklist, slices")
	tables := strings.Count(html, "<table")
	assert.Equal(t, tables, strings.Count(html, "<caption>"), "every table has a caption")
	assert.NotContains(t, html, "<th>", "every header cell has a scope")
	svgs := strings.Count(html, "<svg ")
	assert.Positive(t, svgs)
	assert.Equal(t, svgs, len(regexp.MustCompile(`<svg [^>]*role="img" aria-label="[^"]+"><title>[^<]+</title>`).FindAllString(html, -1)))
	assert.Equal(t, svgs, strings.Count(html, "</svg><figcaption>"))
	// The summary is first and says each finding in words, linked.
	top := html[:strings.Index(html, "<main>")]
	assert.Contains(t, top, `What to look at first`)
	assert.Contains(t, top, `age is missing on 2.5% of rows (1 of 40; allowed: none). <a href="#check-5">columns.age.missing</a>`)
}

// poisonFloats sets every settable float reachable from v to the next of
// NaN, +Inf and −Inf, and every float held in an interface likewise.
func poisonFloats(v reflect.Value, k *int) {
	next := func() float64 {
		*k++
		return []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[*k%3]
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if v.CanSet() {
			v.SetFloat(next())
		}
	case reflect.Pointer:
		if !v.IsNil() {
			poisonFloats(v.Elem(), k)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if e.Kind() == reflect.Float64 && v.CanSet() {
			v.Set(reflect.ValueOf(next()))
			return
		}
		cp := reflect.New(e.Type()).Elem()
		cp.Set(e)
		poisonFloats(cp, k)
		if v.CanSet() {
			v.Set(cp)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				poisonFloats(v.Field(i), k)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			poisonFloats(v.Index(i), k)
		}
	case reflect.Map:
		for _, key := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(key))
			poisonFloats(e, k)
			v.SetMapIndex(key, e)
		}
	}
}

// Every float of a full result (data, model, checklist, slices, drift,
// profile) set to NaN or ±Inf still gives JSON that decodes.
func TestJSONWithEveryFloatNonFinite(t *testing.T) {
	res := goldenResult(t)
	k := 0
	poisonFloats(reflect.ValueOf(res), &k)
	require.Greater(t, k, 100, "floats poisoned")
	var b bytes.Buffer
	require.NoError(t, report.WriteJSON(&b, res))
	var back map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.Contains(t, b.String(), `"+Inf"`)
	assert.Contains(t, b.String(), `"-Inf"`)
	require.NoError(t, report.WriteJUnit(&bytes.Buffer{}, res))
	require.NoError(t, report.WriteHTML(&bytes.Buffer{}, res))
}
