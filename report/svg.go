package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/trustml/trustml/result"
)

// Charts are written as compact inline SVG: no script, no external
// resource, readable in print. Coordinates are rounded to one decimal to
// keep the files small.

const (
	chartW, chartH = 360.0, 240.0
	padL, padR     = 48.0, 12.0
	padT, padB     = 12.0, 36.0
)

type axis struct{ lo, hi float64 }

func (a axis) span() float64 {
	if a.hi > a.lo {
		return a.hi - a.lo
	}
	return 1
}

func pad(a axis) axis {
	if a.hi == a.lo {
		return axis{a.lo - 1, a.hi + 1}
	}
	d := (a.hi - a.lo) * 0.04
	return axis{a.lo - d, a.hi + d}
}

type frame struct {
	x, y  axis
	title string
	b     strings.Builder
}

func newFrame(x, y axis, title, xlabel, ylabel string) *frame {
	f := &frame{x: x, y: y, title: title}
	fmt.Fprintf(&f.b, `<svg viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`,
		chartW, chartH, chartW, chartH, template.HTMLEscapeString(title))
	fmt.Fprintf(&f.b, `<title>%s</title>`, template.HTMLEscapeString(title))
	fmt.Fprintf(&f.b, `<rect x="%g" y="%g" width="%g" height="%g" class="plot"/>`, padL, padT, chartW-padL-padR, chartH-padT-padB)
	for _, t := range ticks(x) {
		px := f.px(t)
		fmt.Fprintf(&f.b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" class="grid"/><text x="%.1f" y="%g" class="tick" text-anchor="middle">%s</text>`,
			px, padT, px, chartH-padB, px, chartH-padB+13, tickLabel(t))
	}
	for _, t := range ticks(y) {
		py := f.py(t)
		fmt.Fprintf(&f.b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" class="grid"/><text x="%g" y="%.1f" class="tick" text-anchor="end">%s</text>`,
			padL, py, chartW-padR, py, padL-4, py+3, tickLabel(t))
	}
	fmt.Fprintf(&f.b, `<text x="%g" y="%g" class="label" text-anchor="middle">%s</text>`, padL+(chartW-padL-padR)/2, chartH-4, template.HTMLEscapeString(xlabel))
	fmt.Fprintf(&f.b, `<text x="12" y="%g" class="label" text-anchor="middle" transform="rotate(-90 12 %g)">%s</text>`,
		padT+(chartH-padT-padB)/2, padT+(chartH-padT-padB)/2, template.HTMLEscapeString(ylabel))
	return f
}

func (f *frame) px(v float64) float64 {
	return padL + (v-f.x.lo)/f.x.span()*(chartW-padL-padR)
}

func (f *frame) py(v float64) float64 {
	return chartH - padB - (v-f.y.lo)/f.y.span()*(chartH-padT-padB)
}

func (f *frame) line(x1, y1, x2, y2 float64, class string) {
	fmt.Fprintf(&f.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="%s"/>`, f.px(x1), f.py(y1), f.px(x2), f.py(y2), class)
}

func (f *frame) html() template.HTML {
	f.b.WriteString(`</svg>`)
	return figure(f.b.String(), f.title)
}

// figure wraps a chart with its visible caption.
func figure(svg, caption string) template.HTML {
	return template.HTML(`<figure>` + svg + `<figcaption>` + template.HTMLEscapeString(caption) + `</figcaption></figure>`)
}

// ticks returns about five round values within a.
func ticks(a axis) []float64 {
	span := a.hi - a.lo
	if span <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return nil
	}
	step := math.Pow(10, math.Floor(math.Log10(span/5)))
	for _, m := range []float64{1, 2, 5, 10} {
		if span/(step*m) <= 6 {
			step *= m
			break
		}
	}
	var out []float64
	for v := math.Ceil(a.lo/step) * step; v <= a.hi+step*1e-9; v += step {
		out = append(out, v)
	}
	return out
}

func tickLabel(v float64) string {
	if math.Abs(v) < 1e-12 {
		return "0"
	}
	return result.Human(v)
}

// scatterSVG draws points (x, y) with an optional reference line y = x.
func scatterSVG(points [][2]float64, title, xlabel, ylabel string, identity, zero bool) template.HTML {
	if len(points) == 0 {
		return ""
	}
	x := axis{math.Inf(1), math.Inf(-1)}
	y := x
	for _, p := range points {
		x.lo, x.hi = math.Min(x.lo, p[0]), math.Max(x.hi, p[0])
		y.lo, y.hi = math.Min(y.lo, p[1]), math.Max(y.hi, p[1])
	}
	if identity {
		lo, hi := math.Min(x.lo, y.lo), math.Max(x.hi, y.hi)
		x, y = axis{lo, hi}, axis{lo, hi}
	}
	if zero {
		y.lo, y.hi = math.Min(y.lo, 0), math.Max(y.hi, 0)
	}
	f := newFrame(pad(x), pad(y), title, xlabel, ylabel)
	if identity {
		f.line(f.x.lo, f.x.lo, f.x.hi, f.x.hi, "ref")
	}
	if zero {
		f.line(f.x.lo, 0, f.x.hi, 0, "ref")
	}
	f.b.WriteString(`<g class="pts">`)
	for _, p := range points {
		fmt.Fprintf(&f.b, `<circle cx="%.1f" cy="%.1f" r="2"/>`, f.px(p[0]), f.py(p[1]))
	}
	f.b.WriteString(`</g>`)
	return f.html()
}

// histogramSVG draws counts in equal-width bins over [lo, hi], shading the
// region outside [min, max] (either may be nil) as out of bounds.
func histogramSVG(lo, hi float64, counts []int64, title, xlabel string, bmin, bmax *float64) template.HTML {
	if len(counts) == 0 {
		return ""
	}
	var top int64
	for _, c := range counts {
		top = max(top, c)
	}
	x := axis{lo, hi}
	if bmin != nil {
		x.lo = math.Min(x.lo, *bmin)
	}
	if bmax != nil {
		x.hi = math.Max(x.hi, *bmax)
	}
	f := newFrame(pad(x), axis{0, float64(top) * 1.05}, title, xlabel, "rows")
	if bmin != nil {
		fmt.Fprintf(&f.b, `<rect x="%g" y="%g" width="%.1f" height="%g" class="out"/>`, padL, padT, math.Max(f.px(*bmin)-padL, 0), chartH-padT-padB)
	}
	if bmax != nil {
		px := f.px(*bmax)
		fmt.Fprintf(&f.b, `<rect x="%.1f" y="%g" width="%.1f" height="%g" class="out"/>`, px, padT, math.Max(chartW-padR-px, 0), chartH-padT-padB)
	}
	w := (hi - lo) / float64(len(counts))
	for i, c := range counts {
		if c == 0 {
			continue
		}
		a, b := lo+float64(i)*w, lo+float64(i+1)*w
		if w == 0 {
			a, b = lo-0.5, lo+0.5
		}
		x0, x1 := f.px(a), f.px(b)
		y0 := f.py(float64(c))
		fmt.Fprintf(&f.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"><title>[%s, %s): %d</title></rect>`,
			x0, y0, math.Max(x1-x0-0.5, 0.5), chartH-padB-y0, result.Human(a), result.Human(b), c)
	}
	if bmin != nil {
		f.line(*bmin, f.y.lo, *bmin, f.y.hi, "bound")
	}
	if bmax != nil {
		f.line(*bmax, f.y.lo, *bmax, f.y.hi, "bound")
	}
	return f.html()
}

// barsSVG draws horizontal bars of shares (0..1) with labels, and a
// vertical threshold line at minShare when it is set.
func barsSVG(labels []string, shares []float64, title string, minShare *float64) template.HTML {
	if len(labels) == 0 {
		return ""
	}
	const rowH, labelW = 18.0, 110.0
	h := padT + rowH*float64(len(labels)) + 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s"><title>%s</title>`,
		chartW, h, chartW, h, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	top := 0.0
	for _, s := range shares {
		top = math.Max(top, s)
	}
	if minShare != nil {
		top = math.Max(top, *minShare)
	}
	scale := (chartW - labelW - padR - 40) / math.Max(top, 1e-9)
	for i, l := range labels {
		y := padT + rowH*float64(i)
		cls := "bar"
		if minShare != nil && shares[i] < *minShare {
			cls = "bar low"
		}
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" class="tick" text-anchor="end">%s</text><rect x="%g" y="%.1f" width="%.1f" height="%g" class="%s"/><text x="%.1f" y="%.1f" class="tick">%s</text>`,
			labelW-4, y+12, template.HTMLEscapeString(truncate(l, 18)), labelW, y+2, shares[i]*scale, rowH-5, cls, labelW+shares[i]*scale+4, y+12, pct(shares[i]))
	}
	if minShare != nil {
		x := labelW + *minShare*scale
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%.1f" class="bound"/><text x="%.1f" y="%.1f" class="tick" text-anchor="middle">min %s</text>`,
			x, padT, x, h-18, x, h-6, pct(*minShare))
	}
	b.WriteString(`</svg>`)
	return figure(b.String(), title)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func pct(f float64) string {
	switch p := f * 100; {
	case p >= 10:
		return fmt.Sprintf("%.0f%%", p)
	case p >= 1:
		return fmt.Sprintf("%.1f%%", p)
	default:
		return fmt.Sprintf("%.2g%%", p)
	}
}

// intervalBarsSVG draws one horizontal bar per label from zero to its
// value, a whisker from lo to hi, and a dashed line at overall (when not
// NaN).
func intervalBarsSVG(labels []string, vals, lo, hi []float64, overall float64, title string) template.HTML {
	const rowH, labelW = 20.0, 120.0
	h := padT + rowH*float64(len(labels)) + 30
	a := axis{0, 0}
	for i := range vals {
		a.lo = math.Min(a.lo, math.Min(vals[i], lo[i]))
		a.hi = math.Max(a.hi, math.Max(vals[i], hi[i]))
	}
	if !math.IsNaN(overall) {
		a.lo, a.hi = math.Min(a.lo, overall), math.Max(a.hi, overall)
	}
	a = pad(a)
	x := func(v float64) float64 { return labelW + (v-a.lo)/a.span()*(chartW-labelW-padR) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s"><title>%s</title>`,
		chartW, h, chartW, h, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	for _, t := range ticks(a) {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%.1f" class="grid"/><text x="%.1f" y="%.1f" class="tick" text-anchor="middle">%s</text>`,
			x(t), padT, x(t), h-24, x(t), h-12, tickLabel(t))
	}
	for i, l := range labels {
		y := padT + rowH*float64(i)
		x0, x1 := x(math.Min(0, vals[i])), x(math.Max(0, vals[i]))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" class="tick" text-anchor="end">%s</text><rect x="%.1f" y="%.1f" width="%.1f" height="%g" class="bar"><title>%s: %s [%s, %s]</title></rect>`,
			labelW-4, y+13, template.HTMLEscapeString(truncate(l, 20)), x0, y+3, math.Max(x1-x0, 0.5), rowH-8,
			template.HTMLEscapeString(l), result.Human(vals[i]), result.Human(lo[i]), result.Human(hi[i]))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="whisker"/>`, x(lo[i]), y+rowH/2-1, x(hi[i]), y+rowH/2-1)
	}
	if !math.IsNaN(overall) {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%.1f" class="ref"/>`, x(overall), padT, x(overall), h-24)
	}
	b.WriteString(`</svg>`)
	return figure(b.String(), title)
}
