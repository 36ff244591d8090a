package report

import (
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/trustml/trustml/result"
)

// numKind says what a number is, and so how people read it.
type numKind int

const (
	// asValue is a measured value: at most 3 significant digits, trailing
	// zeros dropped, integer digits kept below a million (1,235),
	// scientific from a million (1.23e12) and below 0.001 (1e-12).
	asValue numKind = iota
	// asCount is a whole count: every digit, with thousands separators.
	asCount
	// asPercent is a fraction written as a percentage: 0.242 is "24.2%".
	asPercent
	// asRatio is a multiple: 1.68719 is "1.69×".
	asRatio
	// asTick is an axis tick: SI suffixes (300k, 3M) and as many
	// significant digits as the spacing of the ticks needs (numStyle.digits).
	asTick
	// asFixed is a value with numStyle.digits decimals, as the bounds of an
	// interval are written with the decimals of its estimate; beyond a
	// million, or where that would read as zero, it is an asValue.
	asFixed
)

// numStyle is how formatNumber writes a number: its kind and, for asTick
// and asFixed, its digits.
type numStyle struct {
	kind   numKind
	digits int
}

var (
	value   = numStyle{kind: asValue}
	count   = numStyle{kind: asCount}
	percent = numStyle{kind: asPercent}
	ratio   = numStyle{kind: asRatio}
)

// formatNumber is the report's one way of writing a number for people.
// Every number the report writes, in prose, tables and charts, goes
// through it; the JSON keeps the full values. NaN is "NaN", infinities
// are "∞" and "-∞" (with the kind's unit), zero is "0".
func formatNumber(v float64, s numStyle) string {
	unit := ""
	switch s.kind {
	case asPercent:
		v, unit = v*100, "%"
	case asRatio:
		unit = "×"
	}
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "∞" + unit
	case math.IsInf(v, -1):
		return "-∞" + unit
	case v == 0:
		return "0" + unit
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	var body string
	switch s.kind {
	case asCount:
		body = thousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	case asTick:
		body = siNumber(v, max(s.digits, 1))
	case asFixed:
		body = strconv.FormatFloat(v, 'f', max(s.digits, 0), 64)
		if v >= 1e6 || strings.Trim(body, "0.") == "" {
			body = significant(v, 3)
		} else {
			ip, fp, ok := strings.Cut(body, ".")
			body = thousands(ip)
			if ok {
				body += "." + fp
			}
		}
	default:
		body = significant(v, 3)
	}
	if body == "0" {
		sign = "" // no "-0"
	}
	return sign + body + unit
}

// significant writes a positive v with at most sig significant digits,
// trailing zeros dropped: fixed notation from 0.001 to a million, without
// rounding away integer digits (12,346, not 12,300), scientific outside
// (1.23e12, 1e-12).
func significant(v float64, sig int) string {
	if v >= 1e6 || v < 1e-3 {
		m := strconv.FormatFloat(v, 'e', sig-1, 64)
		mant, exp, _ := strings.Cut(m, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		e, _ := strconv.Atoi(exp)
		return mant + "e" + strconv.Itoa(e)
	}
	mag := int(math.Floor(math.Log10(v)))
	dec := max(sig-1-mag, 0)
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if r, _ := strconv.ParseFloat(s, 64); r >= 1e6 {
		return significant(r, sig)
	}
	ip, fp, _ := strings.Cut(s, ".")
	if fp = strings.TrimRight(fp, "0"); fp != "" {
		return thousands(ip) + "." + fp
	}
	return thousands(ip)
}

// siNumber writes a positive v with sig significant digits and an SI
// suffix from k (10³) to T (10¹²), trailing zeros dropped: 300000 is
// "300k", 2500000 "2.5M", 0.05 "0.05".
func siNumber(v float64, sig int) string {
	suffix := ""
	for _, p := range []struct {
		f float64
		s string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= p.f*0.9995 {
			v, suffix = v/p.f, p.s
			break
		}
	}
	if v >= 1e4 || v < 1e-3 {
		return significant(v, sig) + suffix
	}
	mag := int(math.Floor(math.Log10(v)))
	s := strconv.FormatFloat(v, 'f', max(sig-1-mag, 0), 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + suffix
}

// thousands puts commas between groups of three digits of an unsigned
// integer string.
func thousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	lead := len(digits) % 3
	if lead > 0 {
		b.WriteString(digits[:lead])
	}
	for i := lead; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// numHTML writes v for people with its full value in a title attribute
// when the short form leaves digits out.
func numHTML(v float64, s numStyle) template.HTML {
	short := formatNumber(v, s)
	full := result.FormatFloat(v)
	if s.kind == asPercent {
		full = result.FormatFloat(v*100) + "%"
	}
	if short == full || strings.ReplaceAll(short, ",", "") == full {
		return template.HTML(template.HTMLEscapeString(short))
	}
	return template.HTML(`<span title="` + template.HTMLEscapeString(full) + `">` + template.HTMLEscapeString(short) + `</span>`)
}

// intervalText writes an estimate with its interval, the bounds with the
// decimals of the estimate at 3 significant digits: 26.0 (4.0–43.6), or
// -13.1 (-35.3 to 1.9) when a bound is negative, where a dash would read
// as a minus.
func intervalText(v, lo, hi float64) string {
	st := value
	if a := math.Abs(v); a >= 1e-3 && a < 1e6 {
		st = numStyle{kind: asFixed, digits: max(2-int(math.Floor(math.Log10(a))), 0)}
	}
	sep := "–"
	if lo < 0 || hi < 0 {
		sep = " to "
	}
	return formatNumber(v, st) + " (" + formatNumber(lo, st) + sep + formatNumber(hi, st) + ")"
}
