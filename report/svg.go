package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are written as compact inline SVG: no script, no external
// resource, readable in print. Every chart is drawn on one frame: the same
// width, height, margins, fonts and axis layout (tick labels next to the
// plot, axis titles beyond them), with "nice" 1–2–5 ticks labelled by
// formatNumber. A chart with more categories than fit at the standard
// height grows taller, never narrower. Coordinates are rounded to one
// decimal to keep the files small.

const (
	chartW, chartH = 400.0, 260.0
	padR, padT     = 14.0, 12.0
	padB           = 42.0  // x tick labels, then the x axis title
	padNum         = 64.0  // left margin beside a numeric y axis
	padCat         = 136.0 // left margin beside category labels
	catRowMin      = 16.0  // the least height of a category row
	titleX         = 12.0  // baseline of the rotated y axis title
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

// frame is one chart being drawn: a numeric x axis, and either a numeric
// y axis or one row per category.
type frame struct {
	x, y    axis
	cats    int // > 0: the y axis is categories, one row each
	left, h float64
	title   string
	b       strings.Builder
}

// newFrame starts a chart with numeric axes x and y.
func newFrame(x, y axis, title, xlabel, ylabel string) *frame {
	f := &frame{x: x, y: y, left: padNum, h: chartH, title: title}
	f.open(xlabel, ylabel)
	yt := ticks(y)
	for i, lbl := range tickLabels(yt) {
		py := f.py(yt[i])
		fmt.Fprintf(&f.b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" class="grid"/><text x="%g" y="%.1f" class="tick" text-anchor="end">%s</text>`,
			f.left, py, chartW-padR, py, f.left-5, py+3.5, lbl)
	}
	return f
}

// newCatFrame starts a chart with a numeric x axis and one row per label,
// labels written beside the plot.
func newCatFrame(x axis, labels []string, title, xlabel, ylabel string) *frame {
	h := math.Max(chartH, padT+padB+catRowMin*float64(len(labels)))
	f := &frame{x: x, cats: len(labels), left: padCat, h: h, title: title}
	f.open(xlabel, ylabel)
	for i, l := range labels {
		fmt.Fprintf(&f.b, `<text x="%g" y="%.1f" class="tick" text-anchor="end">%s</text>`,
			f.left-5, f.rowY(i)+f.rowH()/2+3.5, template.HTMLEscapeString(truncate(l, 18)))
	}
	return f
}

// open writes the svg element, its title, the plot area, the x ticks and
// both axis titles.
func (f *frame) open(xlabel, ylabel string) {
	title := template.HTMLEscapeString(f.title)
	fmt.Fprintf(&f.b, `<svg viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s"><title>%s</title>`,
		chartW, f.h, chartW, f.h, title, title)
	bottom := f.h - padB
	fmt.Fprintf(&f.b, `<rect x="%g" y="%g" width="%g" height="%g" class="plot"/>`, f.left, padT, chartW-padR-f.left, bottom-padT)
	xt := ticks(f.x)
	for i, lbl := range tickLabels(xt) {
		px := f.px(xt[i])
		fmt.Fprintf(&f.b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" class="grid"/><text x="%.1f" y="%g" class="tick" text-anchor="middle">%s</text>`,
			px, padT, px, bottom, px, bottom+14, lbl)
	}
	fmt.Fprintf(&f.b, `<text x="%g" y="%g" class="label" text-anchor="middle">%s</text>`, f.left+(chartW-padR-f.left)/2, f.h-8, template.HTMLEscapeString(xlabel))
	if ylabel != "" {
		mid := padT + (bottom-padT)/2
		fmt.Fprintf(&f.b, `<text x="%g" y="%g" class="label" text-anchor="middle" transform="rotate(-90 %g %g)">%s</text>`,
			titleX, mid, titleX, mid, template.HTMLEscapeString(truncate(ylabel, 30)))
	}
}

func (f *frame) px(v float64) float64 {
	return f.left + (v-f.x.lo)/f.x.span()*(chartW-padR-f.left)
}

func (f *frame) py(v float64) float64 {
	return f.h - padB - (v-f.y.lo)/f.y.span()*(f.h-padT-padB)
}

func (f *frame) rowH() float64 { return (f.h - padT - padB) / float64(f.cats) }

func (f *frame) rowY(i int) float64 { return padT + f.rowH()*float64(i) }

func (f *frame) line(x1, y1, x2, y2 float64, class string) {
	fmt.Fprintf(&f.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="%s"/>`, f.px(x1), f.py(y1), f.px(x2), f.py(y2), class)
}

// vline draws a vertical line at x over the whole plot height.
func (f *frame) vline(x float64, class string) {
	fmt.Fprintf(&f.b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" class="%s"/>`, f.px(x), padT, f.px(x), f.h-padB, class)
}

func (f *frame) html() template.HTML {
	f.b.WriteString(`</svg>`)
	return figure(f.b.String(), f.title)
}

// figure wraps a chart with its visible caption.
func figure(svg, caption string) template.HTML {
	return template.HTML(`<figure>` + svg + `<figcaption>` + template.HTMLEscapeString(caption) + `</figcaption></figure>`)
}

// ticks returns the multiples of a 1, 2 or 5 × 10^k step within a, at
// most six of them and at least two where the span allows.
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
	for k := math.Ceil(a.lo / step); k*step <= a.hi+step*1e-9; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		out = append(out, v)
	}
	return out
}

// tickLabels writes ticks through formatNumber with SI suffixes and the
// significant digits that tell neighbouring ticks apart.
func tickLabels(t []float64) []string {
	if len(t) == 0 {
		return nil
	}
	top := 0.0
	for _, v := range t {
		top = math.Max(top, math.Abs(v))
	}
	digits := 1
	if len(t) > 1 && top > 0 {
		step := math.Abs(t[1] - t[0])
		digits = int(math.Floor(math.Log10(top))-math.Floor(math.Log10(step)*(1+1e-12))) + 1
		digits = min(max(digits, 1), 6)
	}
	out := make([]string, len(t))
	for i, v := range t {
		out[i] = formatNumber(v, numStyle{kind: asTick, digits: digits})
	}
	return out
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
	bottom := f.h - padB
	if bmin != nil {
		fmt.Fprintf(&f.b, `<rect x="%g" y="%g" width="%.1f" height="%g" class="out"/>`, f.left, padT, math.Max(f.px(*bmin)-f.left, 0), bottom-padT)
	}
	if bmax != nil {
		px := f.px(*bmax)
		fmt.Fprintf(&f.b, `<rect x="%.1f" y="%g" width="%.1f" height="%g" class="out"/>`, px, padT, math.Max(chartW-padR-px, 0), bottom-padT)
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
		fmt.Fprintf(&f.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"><title>[%s, %s): %s rows</title></rect>`,
			x0, y0, math.Max(x1-x0-0.5, 0.5), bottom-y0, formatNumber(a, value), formatNumber(b, value), formatNumber(float64(c), count))
	}
	if bmin != nil {
		f.vline(*bmin, "bound")
	}
	if bmax != nil {
		f.vline(*bmax, "bound")
	}
	return f.html()
}

// barsSVG draws horizontal bars of shares (0..1), one row per label, and
// a vertical threshold line at minShare when it is set.
func barsSVG(labels []string, shares []float64, title, ylabel string, minShare *float64) template.HTML {
	if len(labels) == 0 {
		return ""
	}
	top := 0.0
	for _, s := range shares {
		top = math.Max(top, s)
	}
	if minShare != nil {
		top = math.Max(top, *minShare)
	}
	shown := labels
	if minShare != nil {
		// Below the minimum is said in words beside the class, not only
		// by the bar's colour.
		shown = make([]string, len(labels))
		for i, l := range labels {
			shown[i] = l
			if shares[i] < *minShare {
				shown[i] = truncate(l, 12) + " (low)"
			}
		}
	}
	f := newCatFrame(axis{0, math.Min(top*1.2, 1)}, shown, title, "share of values", ylabel)
	rh := f.rowH()
	for i, s := range shares {
		y := f.rowY(i)
		cls := "bar"
		if minShare != nil && s < *minShare {
			cls = "bar low"
		}
		fmt.Fprintf(&f.b, `<rect x="%g" y="%.1f" width="%.1f" height="%.1f" class="%s"><title>%s: %s</title></rect>`,
			f.left, y+rh*0.15, math.Max(f.px(s)-f.left, 0.5), rh*0.7, cls, template.HTMLEscapeString(labels[i]), formatNumber(s, percent))
	}
	if minShare != nil {
		f.vline(*minShare, "bound")
	}
	return f.html()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// intervalBarsSVG draws one horizontal bar per label from zero to its
// value, a whisker from lo to hi, and a dashed line at overall (when not
// NaN).
func intervalBarsSVG(labels []string, vals, lo, hi []float64, overall float64, title, xlabel, ylabel string) template.HTML {
	a := axis{0, 0}
	for i := range vals {
		a.lo = math.Min(a.lo, math.Min(vals[i], lo[i]))
		a.hi = math.Max(a.hi, math.Max(vals[i], hi[i]))
	}
	if !math.IsNaN(overall) {
		a.lo, a.hi = math.Min(a.lo, overall), math.Max(a.hi, overall)
	}
	f := newCatFrame(pad(a), labels, title, xlabel, ylabel)
	rh := f.rowH()
	for i, l := range labels {
		y := f.rowY(i)
		x0, x1 := f.px(math.Min(0, vals[i])), f.px(math.Max(0, vals[i]))
		fmt.Fprintf(&f.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"><title>%s: %s</title></rect>`,
			x0, y+rh*0.2, math.Max(x1-x0, 0.5), rh*0.6, template.HTMLEscapeString(l), intervalText(vals[i], lo[i], hi[i]))
		fmt.Fprintf(&f.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="whisker"/>`, f.px(lo[i]), y+rh/2, f.px(hi[i]), y+rh/2)
	}
	if !math.IsNaN(overall) {
		f.vline(overall, "ref")
	}
	return f.html()
}
