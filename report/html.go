package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/fairness"
	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/profile"
	"github.com/trustml/trustml/result"
)

//go:embed report.css
var reportCSS string

//go:embed report.html.tmpl
var reportTmpl string

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper": strings.ToUpper,
	"css":   func() template.CSS { return template.CSS(reportCSS) },
	"add":   func(a, b int) int { return a + b },
	"count": func(n any) template.HTML {
		f, _ := toFloat(n)
		return numHTML(f, count)
	},
	"value": func(v float64) template.HTML { return numHTML(v, value) },
	"human": humanText,
	"cell":  cellHTML,
}).Parse(reportTmpl))

// cellHTML writes a value of the data for people: a number through
// formatNumber (whole numbers as counts), anything else as text, null as
// "null".
func cellHTML(v any) template.HTML {
	switch x := v.(type) {
	case nil:
		return "null"
	case float64, float32:
		f, _ := toFloat(x)
		return numHTML(f, value)
	case int, int64, int32, uint64:
		f, _ := toFloat(x)
		return numHTML(f, count)
	}
	return template.HTML(template.HTMLEscapeString(fmt.Sprint(v)))
}

// WriteHTML writes the trust report: one self-contained HTML file (inline
// CSS and SVG, no script, no external resource) that reads verdict first,
// then the evidence. Its size is bounded whatever the number of rows: the
// result holds only bounded samples and histograms.
func WriteHTML(w io.Writer, r *trustml.Result) error {
	var buf bytes.Buffer
	if err := htmlTmpl.Execute(&buf, newView(r)); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type view struct {
	Title     string
	Passed    bool
	Findings  []finding
	Summary   trustml.Summary
	Sections  []sectionView
	Run       trustml.RunInfo
	Seeds     []string
	Started   string
	Table     []checkView
	Columns   []columnView
	Model     *modelView
	Checklist *checklistView
	Slices    *slicesView
	Fairness  *fairnessView
	Drift     []checkView
	History   *historyView
}

type sectionView struct {
	Name string
	result.Summary
}

type checkView struct {
	Anchor     string
	Name       string
	Short      string // name without the section/column prefix
	Kind       string
	Status     string
	Severity   string
	Expected   string
	Observed   string
	Unexpected string
	Message    string
	Sample     []result.Failure
	Rows       string // for checks whose failing values are all null
	More       int64  // failing values not in the sample
}

type columnView struct {
	Name   string
	Checks []checkView
	Charts []template.HTML
	Status string // worst status of its checks
	checks []result.Check
}

type modelView struct {
	*trustml.ModelResult
	// Baseline names the baseline's column.
	Baseline string
	Metrics  []metricView
	Charts   []template.HTML
	Sampled  string
	Compare  *compareView
}

type compareView struct {
	Champion, Source string
	N, NBoot         int
	Metrics          []compareRow
	Slices           []compareRow
	// Loss says how a classifier's mean per-row loss compares.
	Loss string
}

type compareRow struct {
	Slice                                      string
	N                                          int
	Name, Model, Champion, Difference, Verdict string
	// The max_worse check on this metric, when the suite sets one.
	Anchor, Allowed, Status string
}

func verdict(better *bool, diff *float64) string {
	switch {
	case better == nil:
		return ""
	case *better:
		return "better"
	case *diff == 0:
		return "equal"
	}
	return "worse"
}

func ptrText(v *float64) string {
	if v == nil {
		return "undefined"
	}
	return formatNumber(*v, value)
}

func newCompareView(c *trustml.Comparison, checks map[string]checkView) *compareView {
	cv := &compareView{Champion: c.Champion, Source: c.Source, N: c.N, NBoot: c.NBoot, Loss: lossText(c)}
	for _, m := range c.Metrics {
		row := compareRow{Name: m.Metric, Model: valueText(m.Model), Champion: valueText(m.Champion), Difference: ptrText(m.Difference), Verdict: verdict(m.Better, m.Difference)}
		if m.Lower != nil && m.Upper != nil && m.Difference != nil {
			row.Difference = intervalText(*m.Difference, *m.Lower, *m.Upper)
		}
		if ck, ok := checks["compare."+m.Metric]; ok {
			row.Anchor, row.Allowed, row.Status = ck.Anchor, ck.Expected, ck.Status
		}
		cv.Metrics = append(cv.Metrics, row)
	}
	for _, s := range c.Slices {
		cv.Slices = append(cv.Slices, compareRow{Slice: s.Slice, N: s.N, Name: s.Metric, Model: ptrText(s.Model), Champion: ptrText(s.Champion),
			Difference: ptrText(s.Difference), Verdict: verdict(s.Better, s.Difference)})
	}
	return cv
}

type metricView struct {
	Name, Model, Baseline, Threshold, Status, Anchor string
}

var statusRank = map[string]int{"pass": 0, "warn": 1, "fail": 2, "error": 3}

func newView(r *trustml.Result) *view {
	v := &view{Passed: r.Passed, Summary: r.Summary, Run: r.Run, Findings: findings(r.Checks), History: newHistoryView(r.History)}
	name := r.Run.Name
	if name == "" {
		name = r.Run.Suite
	}
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	v.Title = fmt.Sprintf("trustml: %s — %s", name, verdict)
	v.Started = r.Run.Start.Format(time.RFC3339)
	for _, sec := range []result.Section{result.Expectations, result.Drift, result.Model, result.Checklist, result.Slices, fairness.Section, history.Section} {
		if s, ok := r.Summary.Sections[sec]; ok {
			v.Sections = append(v.Sections, sectionView{Name: string(sec), Summary: s})
		}
	}
	keys := make([]string, 0, len(r.Run.Seeds))
	for k := range r.Run.Seeds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Seeds = append(v.Seeds, fmt.Sprintf("%s: %d", k, r.Run.Seeds[k]))
	}
	cols := map[string]*columnView{}
	metricChecks := map[string]checkView{}
	var clChecks, slChecks, frChecks []result.Check
	var clViews, slViews, frViews []checkView
	for i, c := range r.Checks {
		cv := checkOf(i, c)
		switch {
		case c.Section == result.Expectations && c.Column == "":
			cv.Short = strings.TrimPrefix(c.Name, "table.")
			v.Table = append(v.Table, cv)
		case c.Section == result.Expectations:
			col := cols[c.Column]
			if col == nil {
				col = &columnView{Name: c.Column, Status: "pass"}
				cols[c.Column] = col
				v.Columns = append(v.Columns, columnView{})
			}
			cv.Short = c.Kind
			col.Checks = append(col.Checks, cv)
			if statusRank[cv.Status] > statusRank[col.Status] {
				col.Status = cv.Status
			}
			col.checks = append(col.checks, c)
		case c.Section == result.Model:
			metricChecks[strings.TrimPrefix(c.Name, "model.")] = cv
		case c.Section == result.Checklist:
			clChecks, clViews = append(clChecks, c), append(clViews, cv)
		case c.Section == result.Slices:
			slChecks, slViews = append(slChecks, c), append(slViews, cv)
		case c.Section == result.Drift:
			v.Drift = append(v.Drift, cv)
		case c.Section == fairness.Section:
			frChecks, frViews = append(frChecks, c), append(frViews, cv)
		}
	}
	// Columns in first-appearance order.
	v.Columns = v.Columns[:0]
	seen := map[string]bool{}
	for _, c := range r.Checks {
		if c.Section == result.Expectations && c.Column != "" && !seen[c.Column] {
			seen[c.Column] = true
			cv := *cols[c.Column]
			cv.Charts = columnCharts(r.Profile, c.Column, cv.checks)
			v.Columns = append(v.Columns, cv)
		}
	}
	if r.Model != nil {
		v.Model = newModelView(r.Model, metricChecks)
	}
	v.Checklist = newChecklistView(clChecks, clViews)
	v.Slices = newSlicesView(slChecks, slViews)
	v.Fairness = newFairnessView(frChecks, frViews)
	return v
}

func checkOf(i int, c result.Check) checkView {
	cv := checkView{
		Anchor:   fmt.Sprintf("check-%d", i),
		Name:     c.Name,
		Kind:     c.Kind,
		Status:   string(c.Status),
		Severity: string(c.Severity),
		Expected: c.ExpectedText,
		Observed: c.ObservedText,
		Message:  c.Message,
	}
	if c.Kind == "missing" && len(c.Sample) > 0 {
		// The failing values of a missing check are nulls: list the rows.
		rows := make([]string, len(c.Sample))
		for i, f := range c.Sample {
			rows[i] = formatNumber(float64(f.Row), count)
			if f.File != "" {
				rows[i] = f.File + ":" + rows[i]
			}
		}
		cv.Rows = "rows " + strings.Join(rows, ", ")
	} else {
		for _, f := range c.Sample {
			v := f.Value
			if v == nil {
				v = "null"
			}
			cv.Sample = append(cv.Sample, result.Failure{File: f.File, Row: f.Row, Value: v})
		}
	}
	if c.UnexpectedCount != nil && c.UnexpectedFraction != nil && c.Kind != "missing" {
		cv.Unexpected = formatNumber(float64(*c.UnexpectedCount), count) + " (" + formatNumber(*c.UnexpectedFraction, percent) + ")"
		cv.More = *c.UnexpectedCount - int64(len(c.Sample))
	}
	return cv
}

// columnCharts draws a column's distribution from the run's profile when
// there is one: a histogram of a numeric column with the bounds of its
// range check drawn on it, or the class shares of a categorical column
// with the minimum share of its imbalance check. Without a profile it
// draws what an imbalance check's own result shows.
func columnCharts(p *profile.Profile, name string, checks []result.Check) []template.HTML {
	var lo, hi, minShare *float64
	var imb *result.Check
	for i, c := range checks {
		exp, _ := c.Expected.(map[string]any)
		switch c.Kind {
		case "range":
			if f, ok := exp["min"].(float64); ok {
				lo = &f
			}
			if f, ok := exp["max"].(float64); ok {
				hi = &f
			}
		case "imbalance":
			imb = &checks[i]
			if f, ok := exp["min_fraction"].(float64); ok {
				minShare = &f
			}
		}
	}
	var col *profile.Column
	if p != nil {
		for i := range p.Columns {
			if p.Columns[i].Name == name {
				col = &p.Columns[i]
			}
		}
	}
	const maxBars = 30
	switch {
	case col != nil && col.Kind == profile.Numeric && col.Numeric != nil:
		bins := col.Histogram(30)
		if len(bins) == 0 {
			return nil
		}
		counts := make([]int64, len(bins))
		for i, b := range bins {
			counts[i] = b.Count
		}
		title := fmt.Sprintf("Distribution of %s (%s values", name, formatNumber(float64(col.Count), count))
		if lo != nil || hi != nil {
			title += "; shaded: outside the expected range"
		}
		title += ")"
		return []template.HTML{histogramSVG(bins[0].Lo, bins[len(bins)-1].Hi, counts, title, name, lo, hi)}
	case col != nil:
		cats, ok := col.Categories()
		if !ok || len(cats) == 0 || len(cats) > maxBars || col.Count == 0 {
			break
		}
		sort.SliceStable(cats, func(i, j int) bool { return cats[i].Count > cats[j].Count })
		labels := make([]string, len(cats))
		shares := make([]float64, len(cats))
		for i, c := range cats {
			labels[i], shares[i] = c.Value, float64(c.Count)/float64(col.Count)
		}
		return []template.HTML{barsSVG(labels, shares, "Class shares of "+name, name, minShare)}
	}
	if imb != nil {
		if chart := checkChart(*imb); chart != "" {
			return []template.HTML{chart}
		}
	}
	return nil
}

// checkChart draws what a check's own result can show: the class shares
// of an imbalance check against its minimum share.
func checkChart(c result.Check) template.HTML {
	if c.Kind != "imbalance" {
		return ""
	}
	obs, ok := c.Observed.(map[string]any)
	if !ok {
		return ""
	}
	classes, _ := obs["classes"].([]any)
	var labels []string
	var shares []float64
	for _, x := range classes {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		f, _ := m["fraction"].(float64)
		labels = append(labels, fmt.Sprint(m["value"]))
		shares = append(shares, f)
	}
	var minShare *float64
	if exp, ok := c.Expected.(map[string]any); ok {
		if f, ok := exp["min_fraction"].(float64); ok {
			minShare = &f
		}
	}
	return barsSVG(labels, shares, "Class shares of "+c.Column, c.Column, minShare)
}

func newModelView(m *trustml.ModelResult, checks map[string]checkView) *modelView {
	mv := &modelView{ModelResult: m, Baseline: "mean baseline"}
	if m.Comparison != nil {
		mv.Compare = newCompareView(m.Comparison, checks)
	}
	if c := m.Classification; c != nil {
		mv.Baseline = "prior baseline"
		mv.Charts, mv.Sampled = classCharts(c)
		for _, name := range model.ClassMetricNames() {
			mval, _ := c.Model.Get(name)
			bval, _ := c.Baseline.Get(name)
			row := metricView{Name: name, Model: valueText(mval), Baseline: valueText(bval)}
			if c, ok := checks[name]; ok {
				row.Threshold, row.Status, row.Anchor = c.Expected, c.Status, c.Anchor
			}
			mv.Metrics = append(mv.Metrics, row)
		}
		return mv
	}
	for _, name := range model.MetricNames() {
		mval, _ := m.Evaluation.Model.Get(name)
		bval, _ := m.Evaluation.Baseline.Get(name)
		row := metricView{Name: name, Model: valueText(mval), Baseline: valueText(bval)}
		if c, ok := checks[name]; ok {
			row.Threshold, row.Status, row.Anchor = c.Expected, c.Status, c.Anchor
		}
		mv.Metrics = append(mv.Metrics, row)
	}
	p := m.Plot
	if p.Every > 1 {
		mv.Sampled = fmt.Sprintf("Scatter plots show every %s-th of the %s evaluated rows (%s points); the residual histogram counts all of them.",
			formatNumber(float64(p.Every), count), formatNumber(float64(m.Evaluation.Model.N), count), formatNumber(float64(len(p.Points)), count))
	}
	resid := make([][2]float64, len(p.Points))
	for i, pt := range p.Points {
		resid[i] = [2]float64{pt[1], pt[1] - pt[0]}
	}
	mv.Charts = append(mv.Charts,
		scatterSVG(p.Points, "Predicted against actual", "actual "+m.Target, "predicted", true, false),
		scatterSVG(resid, "Residuals against predicted", "predicted", "residual (ŷ − y)", false, true),
		histogramSVG(p.Residuals.Lo, p.Residuals.Hi, p.Residuals.Counts, "Residuals", "residual (ŷ − y)", nil, nil),
	)
	return mv
}

func valueText(v model.Value) string {
	if !v.Defined {
		return "undefined (" + v.Reason + ")"
	}
	return formatNumber(v.V, value)
}
