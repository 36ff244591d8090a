package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

// Sparkline geometry, in SVG user units.
const (
	sparkW, sparkH, sparkPad = 120.0, 24.0, 2.0
)

// historyView is the report's history section: where the run was recorded
// and a sparkline per trend.
type historyView struct {
	Store string
	RunID int64
	Error string
	Rows  []trendRow
}

type trendRow struct {
	Name   string
	Runs   int
	Last   string
	Bounds string
	SVG    template.HTML
}

func newHistoryView(h *trustml.HistoryInfo) *historyView {
	if h == nil {
		return nil
	}
	v := &historyView{Store: h.Store, RunID: h.RunID, Error: h.Error}
	for _, t := range h.Trends {
		if len(t.Values) == 0 {
			continue
		}
		name := t.Check
		if t.Field != "value" {
			name += " · " + t.Field
		}
		row := trendRow{Name: name, Runs: len(t.Values), Last: result.Human(t.Values[len(t.Values)-1]), SVG: sparkline(t.Values, t.Lower, t.Upper)}
		switch {
		case t.Lower != nil && t.Upper != nil:
			row.Bounds = fmt.Sprintf("[%s, %s]", result.Human(*t.Lower), result.Human(*t.Upper))
		case t.Lower != nil:
			row.Bounds = "≥ " + result.Human(*t.Lower)
		case t.Upper != nil:
			row.Bounds = "≤ " + result.Human(*t.Upper)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// sparkline draws values (oldest first) as an inline SVG line, the band
// between lo and hi (either may be nil) shaded, and the last value marked
// red when it lies outside the band. Non-finite values are skipped. For
// trustml.TrendRuns values it stays well under 2 KB.
func sparkline(values []float64, lo, hi *float64) template.HTML {
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			ymin, ymax = min(ymin, v), max(ymax, v)
		}
	}
	if math.IsInf(ymin, 1) {
		return ""
	}
	for _, b := range []*float64{lo, hi} {
		if b != nil && !math.IsInf(*b, 0) && !math.IsNaN(*b) {
			ymin, ymax = min(ymin, *b), max(ymax, *b)
		}
	}
	if ymax == ymin {
		ymin, ymax = ymin-1, ymax+1
	}
	x := func(i int) float64 {
		if len(values) == 1 {
			return sparkW / 2
		}
		return sparkPad + float64(i)*(sparkW-2*sparkPad)/float64(len(values)-1)
	}
	y := func(v float64) float64 {
		v = max(ymin, min(ymax, v))
		return sparkPad + (ymax-v)/(ymax-ymin)*(sparkH-2*sparkPad)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" role="img">`, sparkW, sparkH, sparkW, sparkH)
	if lo != nil || hi != nil {
		top, bottom := sparkPad, sparkH-sparkPad
		if hi != nil {
			top = y(*hi)
		}
		if lo != nil {
			bottom = y(*lo)
		}
		fmt.Fprintf(&b, `<rect x="0" y="%.1f" width="%g" height="%.1f" fill="#2e7d3222"/>`, top, sparkW, max(bottom-top, 0.5))
	}
	b.WriteString(`<polyline fill="none" stroke="#555" stroke-width="1" points="`)
	last := -1
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if last >= 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", x(i), y(v))
		last = i
	}
	b.WriteString(`"/>`)
	if last >= 0 {
		v := values[last]
		color := "#555"
		if (lo != nil && v < *lo) || (hi != nil && v > *hi) {
			color = "#c62828"
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2" fill="%s"/>`, x(last), y(v), color)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built here from numbers only
}
