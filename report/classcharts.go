package report

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trustml/trustml/model"
)

// A classifier's charts: its confusion matrix, its ROC curve (each class
// against the rest for a multiclass model) and its reliability diagram
// (the positive class's probability of a binary model, the top-label
// confidence of a multiclass one). Each is inline SVG with a <title> and a
// <desc> that says in words what it shows, every label written as text.

// maxROCCurves bounds the curves one ROC chart draws: a model with more
// classes draws those with the lowest AUC and says so.
const maxROCCurves = 8

// The charts' own colours are presentation attributes, so that the
// report's stylesheet needs nothing for them and they print as shown.
const inkColour = "#1f2328"

// rocStyles tell up to maxROCCurves curves apart by colour and by dash, so
// that they read in greyscale print too.
var rocStyles = []string{
	`fill="none" stroke-width="2" stroke="#0969da"`,
	`fill="none" stroke-width="2" stroke="#cf222e" stroke-dasharray="7 3"`,
	`fill="none" stroke-width="2" stroke="#1a7f37" stroke-dasharray="2 2"`,
	`fill="none" stroke-width="2" stroke="#8250df" stroke-dasharray="9 3 2 3"`,
	`fill="none" stroke-width="2" stroke="#9a6700" stroke-dasharray="4 4"`,
	`fill="none" stroke-width="2" stroke="#bf3989" stroke-dasharray="12 4"`,
	`fill="none" stroke-width="2" stroke="#1b7c83" stroke-dasharray="1 3"`,
	`fill="none" stroke-width="2" stroke="#59636e" stroke-dasharray="6 2 1 2"`,
}

// glyphW is the width of a character of chart text (11px system-ui),
// generously, to lay labels out without measuring them.
const glyphW = 6.6

// classCharts draws what a classifier's result holds: the confusion
// matrix always, the ROC curve and the reliability diagram when the model
// gives probabilities. note says how the ROC curves were thinned, "" when
// every threshold is drawn.
func classCharts(c *model.ClassEvaluation) (charts []template.HTML, note string) {
	charts = append(charts, confusionSVG(c))
	if len(c.ROC) > 0 {
		charts = append(charts, rocSVG(c))
	}
	if len(c.Reliability) > 0 {
		charts = append(charts, reliabilitySVG(c))
	}
	for _, r := range c.ROC {
		if len(r.Points) == r.Thresholds+1 {
			continue
		}
		if len(c.ROC) == 1 {
			note = fmt.Sprintf("The ROC curve is drawn through %s of its %s thresholds, chosen so that the area under the drawn curve (%s) is within %s of the AUC (%s); at most %s are drawn.",
				formatNumber(float64(len(r.Points)), count), formatNumber(float64(r.Thresholds), count), fixed(r.Area, 5),
				formatNumber(model.ROCTolerance, value), fixed(r.AUC.V, 5), formatNumber(model.MaxCurvePoints, count))
		} else {
			note = fmt.Sprintf("Each ROC curve is drawn through at most %s of its thresholds, chosen so that the area under the drawn curve is within %s of its AUC.",
				formatNumber(model.MaxCurvePoints, count), formatNumber(model.ROCTolerance, value))
		}
		break
	}
	return charts, note
}

// rows writes a number of rows: "1 row", "1,234 rows".
func rows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return formatNumber(float64(n), count) + " rows"
}

// fixed writes v with d decimals, for values people compare digit by
// digit.
func fixed(v float64, d int) string { return formatNumber(v, numStyle{kind: asFixed, digits: d}) }

// quoted writes a class name for a title.
func quoted(s string) string { return "“" + s + "”" }

// labelsFrom says in words where the evaluated labels came from.
func labelsFrom(c *model.ClassEvaluation) string {
	switch c.LabelsFrom {
	case "threshold":
		t := model.DefaultThreshold
		if c.Threshold != nil {
			t = c.Threshold.Threshold
		}
		return "predicted " + quoted(c.Positive) + " when its probability is ≥ " + formatNumber(t, value)
	case "argmax":
		return "predicted class: the most probable"
	}
	return "labels from the model"
}

// truncateMiddle cuts s to n runes keeping its start and its end, which
// tells apart names that share a prefix ("class_2024_a" and "…_b").
func truncateMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

// withDesc closes a frame's svg with desc written after its title, and
// wraps it in its figure.
func withDesc(f *frame, desc string) template.HTML {
	f.b.WriteString(`</svg>`)
	svg := strings.Replace(f.b.String(), `</title>`, `</title><desc>`+template.HTMLEscapeString(desc)+`</desc>`, 1)
	return figure(svg, f.title)
}

// confusionSVG draws the confusion matrix: one row per true class, one
// column per predicted class, each cell its count, shaded by its share of
// the row (the true class), the diagonal outlined.
func confusionSVG(c *model.ClassEvaluation) template.HTML {
	m := c.Model
	k := len(m.Classes)
	rowLabels := make([]string, k)
	widest := 0
	for i, cl := range m.Classes {
		rowLabels[i] = truncateMiddle(cl, 14)
		widest = max(widest, utf8.RuneCountInString(rowLabels[i]))
	}
	left := titleX + 10 + float64(widest)*glyphW + 6
	avail := chartW - padR - left
	cs := math.Min(avail/float64(k), 80)
	cs = math.Max(cs, 16) // beyond this the chart grows and is shown scaled down
	gridW := cs * float64(k)
	colLabels := make([]string, k)
	horizontal := true
	for i, cl := range m.Classes {
		colLabels[i] = truncateMiddle(cl, 14)
		if float64(utf8.RuneCountInString(colLabels[i]))*glyphW > cs-4 {
			horizontal = false
		}
	}
	labelsH := 16.0
	if !horizontal {
		widest := 0
		for i, cl := range m.Classes {
			colLabels[i] = truncateMiddle(cl, 12)
			widest = max(widest, utf8.RuneCountInString(colLabels[i]))
		}
		labelsH = float64(widest)*glyphW + 8
	}
	top := padT
	bottom := top + gridW
	w := math.Max(chartW, left+gridW+padR)
	h := bottom + labelsH + 22
	title := fmt.Sprintf("Confusion matrix (%s rows; %s)", formatNumber(float64(m.N), count), labelsFrom(c))

	desc := fmt.Sprintf("Rows are the true class and columns the predicted class; each cell counts the rows, shaded by its share of the true class, the diagonal (right) outlined. %s of %s rows are on the diagonal.",
		formatNumber(float64(m.N)*m.Accuracy.V, count), formatNumber(float64(m.N), count))
	if !m.Accuracy.Defined {
		desc = "Rows are the true class and columns the predicted class; there are no rows."
	}
	if k <= 4 {
		var parts []string
		for i := range k {
			for j := range k {
				parts = append(parts, fmt.Sprintf("true %s predicted %s: %s", m.Classes[i], m.Classes[j], formatNumber(float64(m.Confusion[i][j]), count)))
			}
		}
		desc += " " + strings.Join(parts, "; ") + "."
	}

	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg viewBox="0 0 %g %.1f" width="%g" height="%.1f" role="img" aria-label="%s"><title>%s</title><desc>%s</desc>`,
		w, h, chartW, h*chartW/w, esc(title), esc(title), esc(desc))
	for i := range k {
		total := 0
		for _, n := range m.Confusion[i] {
			total += n
		}
		y := top + cs*float64(i)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick" text-anchor="end">%s</text>`, left-5, y+cs/2+3.5, esc(rowLabels[i]))
		for j := range k {
			n := m.Confusion[i][j]
			share := 0.0
			if total > 0 {
				share = float64(n) / float64(total)
			}
			x := left + cs*float64(j)
			// The diagonal is outlined, so it reads without colour.
			cls := `class="cm" stroke="#fff"`
			if i == j {
				cls = `class="cm hit" stroke="` + inkColour + `" stroke-width="1.5"`
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#54aeff" %s fill-opacity="%.2f"><title>true %s, predicted %s: %s (%s of %s)</title></rect>`,
				x, y, cs, cs, cls, 0.06+0.94*share, esc(m.Classes[i]), esc(m.Classes[j]), rows(n), formatNumber(share, percent), esc(m.Classes[i]))
			// The count in full, else in short (8.56M), at 11px, else at
			// 9px; left out (it is in the cell's title) when neither fits.
		fit:
			for _, txt := range []string{formatNumber(float64(n), count), formatNumber(float64(n), numStyle{kind: asTick, digits: 3})} {
				for _, size := range []float64{11, 9} {
					if float64(utf8.RuneCountInString(txt))*size*glyphW/11 <= cs-4 {
						fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="cmn" fill="`+inkColour+`" font-size="%g" text-anchor="middle">%s</text>`, x+cs/2, y+cs/2+size*0.32, size, txt)
						break fit
					}
				}
			}
		}
	}
	for j := range k {
		x := left + cs*float64(j) + cs/2
		if horizontal {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick" text-anchor="middle">%s</text>`, x, bottom+13, esc(colLabels[j]))
		} else {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick" text-anchor="end" transform="rotate(-90 %.1f %.1f)">%s</text>`,
				x+3.5, bottom+5, x+3.5, bottom+5, esc(colLabels[j]))
		}
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="label" text-anchor="middle">predicted class</text>`, left+gridW/2, h-7)
	mid := top + gridW/2
	fmt.Fprintf(&b, `<text x="%g" y="%.1f" class="label" text-anchor="middle" transform="rotate(-90 %g %.1f)">true class</text>`, titleX, mid, titleX, mid)
	b.WriteString(`</svg>`)
	return figure(b.String(), title)
}

// rocSVG draws the ROC curves, the chance diagonal and, for a binary
// model whose labels come from a threshold, the operating point.
func rocSVG(c *model.ClassEvaluation) template.HTML {
	curves := slices.Clone(c.ROC)
	binary := len(c.Classes) == 2
	var title, desc string
	if binary {
		r := curves[0]
		title = fmt.Sprintf("ROC curve of %s (AUC %s)", quoted(r.Class), valueText(r.AUC))
		desc = fmt.Sprintf("The true positive rate against the false positive rate of %s as the threshold on its probability falls, from (0, 0) to (1, 1); the dashed diagonal is a model that guesses.", quoted(r.Class))
	} else {
		title = fmt.Sprintf("ROC curves, each class against the rest (macro AUC %s)", valueText(c.Model.ROCAUC))
		desc = "For each class, the true positive rate against the false positive rate of its probability against the other classes (one-vs-rest), as the threshold falls; the dashed diagonal is a model that guesses."
		if len(curves) > maxROCCurves {
			slices.SortStableFunc(curves, func(a, b model.ROCCurve) int { return cmp.Compare(a.AUC.V, b.AUC.V) })
			curves = curves[:maxROCCurves]
			desc += fmt.Sprintf(" The %d classes of lowest AUC of %d are drawn.", maxROCCurves, len(c.ROC))
			title = fmt.Sprintf("ROC curves of the %d classes of lowest AUC, each against the rest (macro AUC %s)", maxROCCurves, valueText(c.Model.ROCAUC))
		}
	}
	var aucs []string
	for _, r := range curves {
		aucs = append(aucs, fmt.Sprintf("%s: AUC %s, drawn through %s of %s thresholds", r.Class, valueText(r.AUC),
			formatNumber(float64(len(r.Points)), count), formatNumber(float64(r.Thresholds), count)))
	}
	desc += " " + strings.Join(aucs, "; ") + "."

	fpr, tpr, op := operatingPoint(c)
	if op {
		title += "; dot: the threshold used"
		desc += fmt.Sprintf(" The dot is the threshold the labels were evaluated at: false positive rate %s, true positive rate %s.", formatNumber(fpr, value), formatNumber(tpr, value))
	}
	f := newFrame(axis{0, 1}, axis{0, 1}, title, "false positive rate", "true positive rate")
	f.line(0, 0, 1, 1, "ref")
	for i, r := range curves {
		fmt.Fprintf(&f.b, `<polyline class="roc" %s points="`, rocStyles[i%len(rocStyles)])
		for j, p := range r.Points {
			if j > 0 {
				f.b.WriteByte(' ')
			}
			fmt.Fprintf(&f.b, "%.1f,%.1f", f.px(p[0]), f.py(p[1]))
		}
		fmt.Fprintf(&f.b, `"><title>%s</title></polyline>`, template.HTMLEscapeString(aucs[i]))
	}
	if op {
		fmt.Fprintf(&f.b, `<circle cx="%.1f" cy="%.1f" r="4" class="op" fill="`+inkColour+`"><title>the labels evaluated: false positive rate %s, true positive rate %s</title></circle>`,
			f.px(fpr), f.py(tpr), formatNumber(fpr, value), formatNumber(tpr, value))
	}
	if !binary {
		// The legend, in the lower right where ROC curves seldom go.
		const rowH = 13.0
		widest := 0
		labels := make([]string, len(curves))
		for i, r := range curves {
			labels[i] = truncateMiddle(r.Class, 14) + " (AUC " + formatNumber(r.AUC.V, value) + ")"
			widest = max(widest, utf8.RuneCountInString(labels[i]))
		}
		lw := 28 + float64(widest)*glyphW
		x0, y1 := chartW-padR-lw-4, chartH-padB-4
		y0 := y1 - rowH*float64(len(curves)) - 4
		fmt.Fprintf(&f.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="legend" fill="#fff" fill-opacity=".9" stroke="#d1d9e0"/>`, x0, y0, lw, y1-y0)
		for i, l := range labels {
			y := y0 + 2 + rowH*float64(i) + rowH/2
			fmt.Fprintf(&f.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="roc" %s/><text x="%.1f" y="%.1f" class="tick">%s</text>`,
				x0+4, y, x0+22, y, rocStyles[i%len(rocStyles)], x0+26, y+3.5, template.HTMLEscapeString(l))
		}
	}
	return withDesc(f, desc)
}

// operatingPoint is the false and true positive rates of a binary model's
// labels chosen by a threshold, from its confusion matrix; ok is false for
// labels the model gave, or a multiclass model.
func operatingPoint(c *model.ClassEvaluation) (fpr, tpr float64, ok bool) {
	pos := slices.Index(c.Classes, c.Positive)
	if c.LabelsFrom != "threshold" || pos < 0 || len(c.Model.Confusion) != 2 {
		return 0, 0, false
	}
	neg := 1 - pos
	cm := c.Model.Confusion
	p, n := cm[pos][pos]+cm[pos][neg], cm[neg][pos]+cm[neg][neg]
	if p == 0 || n == 0 {
		return 0, 0, false
	}
	return float64(cm[neg][pos]) / float64(n), float64(cm[pos][pos]) / float64(p), true
}

// reliabilitySVG draws the reliability diagram: each non-empty bin's mean
// probability against the share observed, the diagonal of a calibrated
// model, and bars of the rows per bin along the bottom.
func reliabilitySVG(c *model.ClassEvaluation) template.HTML {
	bins := c.Reliability
	xlabel, ylabel, what := "confidence (probability of the top class)", "share correct", "the share of rows whose most probable class is right"
	if len(c.Classes) == 2 {
		xlabel, ylabel = "predicted probability of "+quoted(truncate(c.Positive, 20)), "observed share "+quoted(truncate(c.Positive, 12))
		what = "the share of rows that are " + quoted(c.Positive)
	}
	title := fmt.Sprintf("Reliability diagram (%d bins; ECE %s)", len(bins), valueText(c.Model.ECE))
	most := 0
	for _, b := range bins {
		most = max(most, b.Count)
	}
	desc := fmt.Sprintf("Rows are put in %d equal-width bins by predicted probability; each point is a bin's mean probability (x) against %s (y). On the dashed diagonal the model is calibrated. The bars along the bottom show the rows in each bin, the tallest %s rows.",
		len(bins), what, formatNumber(float64(most), count))
	f := newFrame(axis{0, 1}, axis{0, 1}, title, xlabel, ylabel)
	barTop := 0.25 // the tallest bar's height, a share of the plot's
	var pts []string
	var listed []string
	for i, b := range bins {
		if b.Count == 0 {
			continue
		}
		x0, x1 := f.px(b.Edges[0]), f.px(b.Edges[1])
		y0 := f.py(barTop * float64(b.Count) / float64(most))
		// A value on an edge belongs to the lower bin: the first is closed.
		open := "("
		if i == 0 {
			open = "["
		}
		edges := fmt.Sprintf("%s%s, %s]", open, formatNumber(b.Edges[0], value), formatNumber(b.Edges[1], value))
		fmt.Fprintf(&f.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="cnt" fill="#d1d9e0"><title>%s: %s</title></rect>`,
			x0, y0, math.Max(x1-x0-0.5, 0.5), f.py(0)-y0, edges, rows(b.Count))
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", f.px(b.Confidence), f.py(b.Observed)))
		listed = append(listed, fmt.Sprintf("%s: %s, mean probability %s, observed %s", edges,
			rows(b.Count), formatNumber(b.Confidence, value), formatNumber(b.Observed, value)))
	}
	f.line(0, 0, 1, 1, "ref")
	fmt.Fprintf(&f.b, `<polyline class="relline" fill="none" stroke="#0969da" stroke-width="1.5" points="%s"/>`, strings.Join(pts, " "))
	for i, p := range pts {
		x, y, _ := strings.Cut(p, ",")
		fmt.Fprintf(&f.b, `<circle cx="%s" cy="%s" r="3" class="relpt" fill="#0969da"><title>%s</title></circle>`, x, y, template.HTMLEscapeString(listed[i]))
	}
	fmt.Fprintf(&f.b, `<text x="%.1f" y="%.1f" class="tick">bars: rows per bin (tallest %s)</text>`, f.left+6, padT+14, formatNumber(float64(most), numStyle{kind: asTick, digits: 3}))
	if len(listed) <= 20 {
		desc += " Bins: " + strings.Join(listed, "; ") + "."
	}
	return withDesc(f, desc)
}
