package report

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/slice"
)

// checklistView is the behavioural tests section: CheckList's summary
// matrix of failure rates by capability and test type, then each test.
type checklistView struct {
	Types  []string
	Matrix []matrixRow
	Tests  []testView
}

type matrixRow struct {
	Capability string
	Cells      []matrixCell
}

type matrixCell struct {
	Text, Status string
}

type testView struct {
	checkView
	Capability string
	Rate       string
	Calls      int
	Examples   []exampleView
}

type exampleView struct {
	Base, Input, Variant, Prediction, VariantPrediction, Margin string
}

func newChecklistView(checks []result.Check, views []checkView) *checklistView {
	if len(checks) == 0 {
		return nil
	}
	v := &checklistView{Types: []string{"MFT", "INV", "DIR"}}
	type agg struct {
		failed, applicable, tests int
		worst                     result.Status
	}
	cells := map[[2]string]*agg{}
	var caps []string
	for i, c := range checks {
		tv := testView{checkView: views[i]}
		d, ok := c.Details.(checklist.Details)
		if ok {
			tv.Capability = d.Capability
			tv.Calls = d.Calls
			tv.Rate = formatNumber(float64(d.Failed), count) + " of " + formatNumber(float64(d.Applicable), count) + " cases failed"
			if d.Applicable > 0 {
				tv.Rate += fmt.Sprintf(" (%s; 95%% interval %s–%s)", formatNumber(float64(d.Failed)/float64(d.Applicable), percent),
					formatNumber(d.Wilson.Low, percent), formatNumber(d.Wilson.High, percent))
			}
			for _, e := range d.Examples {
				tv.Examples = append(tv.Examples, exampleView{
					Base: e.Base, Input: kv(e.Input), Variant: kv(e.Variant),
					Prediction: anyText(e.Prediction), VariantPrediction: anyText(e.VariantPrediction), Margin: anyText(e.Margin),
				})
			}
			capName := d.Capability
			if capName == "" {
				capName = "(none)"
			}
			key := [2]string{capName, string(d.Type)}
			a := cells[key]
			if a == nil {
				a = &agg{}
				cells[key] = a
				if !contains(caps, capName) {
					caps = append(caps, capName)
				}
			}
			a.failed += d.Failed
			a.applicable += d.Applicable
			a.tests++
			if a.worst == "" || statusRank[string(c.Status)] > statusRank[string(a.worst)] {
				a.worst = c.Status
			}
		}
		v.Tests = append(v.Tests, tv)
	}
	for _, capName := range caps {
		row := matrixRow{Capability: capName}
		for _, t := range v.Types {
			a := cells[[2]string{capName, t}]
			if a == nil {
				row.Cells = append(row.Cells, matrixCell{Text: "—"})
				continue
			}
			cell := matrixCell{Status: "pass", Text: formatNumber(float64(a.failed), count) + "/" + formatNumber(float64(a.applicable), count) + " failed"}
			if a.applicable > 0 {
				cell.Text += " (" + formatNumber(float64(a.failed)/float64(a.applicable), percent) + ")"
			}
			cell.Text += ", " + formatNumber(float64(a.tests), count) + " test"
			if a.tests > 1 {
				cell.Text += "s"
			}
			cell.Status = string(a.worst)
			row.Cells = append(row.Cells, cell)
		}
		v.Matrix = append(v.Matrix, row)
	}
	return v
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// kv writes a row as "a 1, b x" in key order.
func kv(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + anyText(m[k])
	}
	return strings.Join(parts, ", ")
}

func anyText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return formatNumber(x, value)
	case float32:
		return formatNumber(float64(x), value)
	}
	return fmt.Sprint(v)
}

// slicesView is the slices section: one block per slicing, then the search.
type slicesView struct {
	Slicings []slicingView
	Search   *searchView
}

type slicingView struct {
	Summary checkView
	By      string // the slicing's name without "slices."
	Metrics []string
	Rows    []sliceRow
	Charts  []template.HTML
	Overall []string
}

type sliceRow struct {
	Anchor, Name, Status string
	N                    int
	Values               []template.HTML
	Judged               bool
}

type searchView struct {
	checkView
	Candidates, Significant int
	Loss                    string
	Found                   []slice.Finding
}

func newSlicesView(checks []result.Check, views []checkView) *slicesView {
	if len(checks) == 0 {
		return nil
	}
	v := &slicesView{}
	var cur *slicingView
	var judged [][]slice.Slice
	for i, c := range checks {
		switch d := c.Details.(type) {
		case slice.Summary:
			sv := slicingView{Summary: views[i], By: strings.TrimPrefix(c.Name, "slices.")}
			for _, e := range d.Overall {
				sv.Metrics = append(sv.Metrics, e.Metric)
				sv.Overall = append(sv.Overall, e.Metric+" "+estimateText(e, false))
			}
			v.Slicings = append(v.Slicings, sv)
			cur = &v.Slicings[len(v.Slicings)-1]
			judged = append(judged, nil)
			for _, s := range d.Small {
				cur.Rows = append(cur.Rows, sliceRowOf(s, "", "not judged", false))
			}
		case slice.Slice:
			if cur == nil {
				continue
			}
			cur.Rows = append(cur.Rows, sliceRowOf(d, views[i].Anchor, views[i].Status, true))
			judged[len(judged)-1] = append(judged[len(judged)-1], d)
		case slice.SearchResult:
			v.Search = &searchView{checkView: views[i], Candidates: d.Candidates, Significant: d.Significant, Loss: string(d.Loss), Found: d.Found}
		}
	}
	for k := range v.Slicings {
		sv := &v.Slicings[k]
		// Judged slices first, in the order the slicing defines, then small ones.
		sort.SliceStable(sv.Rows, func(a, b int) bool { return sv.Rows[a].Judged && !sv.Rows[b].Judged })
		for _, m := range sv.Metrics {
			if chart := sliceChart(sv.Summary.Name, m, judged[k]); chart != "" {
				sv.Charts = append(sv.Charts, chart)
			}
		}
	}
	return v
}

func sliceRowOf(s slice.Slice, anchor, status string, judged bool) sliceRow {
	r := sliceRow{Anchor: anchor, Name: s.Name, Status: status, N: s.N, Judged: judged}
	for _, e := range s.Metrics {
		r.Values = append(r.Values, estimateHTML(e))
	}
	return r
}

// estimateText writes an estimate with its interval, 26.0 (4.0–43.6),
// and, withRatio, its ratio to the overall value: · 1.69×.
func estimateText(e slice.Estimate, withRatio bool) string {
	if e.Value == nil {
		return "undefined"
	}
	s := formatNumber(*e.Value, value)
	if e.Lower != nil && e.Upper != nil {
		s = intervalText(*e.Value, *e.Lower, *e.Upper)
	}
	if withRatio && e.Ratio != nil && e.Metric != "bias" {
		s += " · " + formatNumber(*e.Ratio, ratio)
	}
	return s
}

// estimateHTML is estimateText with ratio, and the full values in a title.
func estimateHTML(e slice.Estimate) template.HTML {
	short := template.HTMLEscapeString(estimateText(e, true))
	if e.Value == nil {
		return template.HTML(short)
	}
	full := result.FormatFloat(*e.Value)
	if e.Lower != nil && e.Upper != nil {
		full += " (" + result.FormatFloat(*e.Lower) + " to " + result.FormatFloat(*e.Upper) + ")"
	}
	if e.Ratio != nil && e.Metric != "bias" {
		full += ", " + result.FormatFloat(*e.Ratio) + " × overall"
	}
	return template.HTML(`<span title="` + template.HTMLEscapeString(full) + `">` + short + `</span>`)
}

// sliceChart draws one metric per judged slice: a bar with its interval
// as a whisker and the overall value as a dashed line.
func sliceChart(slicing, metric string, slices []slice.Slice) template.HTML {
	var labels []string
	var vals, lo, hi []float64
	overall := math.NaN()
	for _, s := range slices {
		for _, e := range s.Metrics {
			if e.Metric != metric || e.Value == nil {
				continue
			}
			labels = append(labels, s.Name)
			vals = append(vals, *e.Value)
			l, h := *e.Value, *e.Value
			if e.Lower != nil && e.Upper != nil {
				l, h = *e.Lower, *e.Upper
			}
			lo, hi = append(lo, l), append(hi, h)
			if e.Overall != nil {
				overall = *e.Overall
			}
		}
	}
	if len(labels) == 0 {
		return ""
	}
	by := strings.TrimPrefix(slicing, "slices.")
	title := fmt.Sprintf("%s by %s: bars the slice, whiskers its 95%% interval, dashed line overall", metric, by)
	return intervalBarsSVG(labels, vals, lo, hi, overall, title, metric, by)
}
