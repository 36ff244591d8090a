package report

import (
	"fmt"
	"html/template"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/slice"
)

// finding is one line of the plain-language summary: a check that did
// not pass, said in one sentence with its number.
type finding struct {
	Anchor, Status, Name string
	Sentence             template.HTML
	// excess says how far beyond its bound the check is, relative to the
	// larger of the two (0 at the bound, 1 when the bound is 0, NaN when
	// there is no number to compare); gap is the plain difference, which
	// orders findings of equal excess.
	excess, gap float64
	order       int
}

// findings are the checks that did not pass, worst first: by status
// (error, fail, warn), then by how far beyond their bound they are, then
// in result order.
func findings(checks []result.Check) []finding {
	var out []finding
	for i, c := range checks {
		if c.Status == result.Pass {
			continue
		}
		s := sentenceOf(c)
		out = append(out, finding{Anchor: fmt.Sprintf("check-%d", i), Status: string(c.Status), Name: c.Name,
			Sentence: s.html, excess: s.excess, gap: s.gap, order: i})
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if statusRank[x.Status] != statusRank[y.Status] {
			return statusRank[x.Status] > statusRank[y.Status]
		}
		if ex, ey := nanLow(x.excess), nanLow(y.excess); ex != ey {
			return ex > ey
		}
		if gx, gy := nanLow(x.gap), nanLow(y.gap); gx != gy {
			return gx > gy
		}
		return x.order < y.order
	})
	return out
}

func nanLow(v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(-1)
	}
	return v
}

// sentence is a finding's words and how far beyond its bound it is.
type sentence struct {
	html        template.HTML
	excess, gap float64
}

// say builds a sentence: %s verbs take strings (escaped) or numbers
// (num), written through formatNumber with the full value in a title.
func say(format string, args ...any) template.HTML {
	out := make([]any, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case num:
			out[i] = numHTML(x.v, x.s)
		case template.HTML:
			out[i] = x
		default:
			out[i] = template.HTMLEscapeString(fmt.Sprint(x))
		}
	}
	return template.HTML(fmt.Sprintf(format, out...))
}

type num struct {
	v float64
	s numStyle
}

// beyond measures a value against bounds: (v − bound) / max(|v|, |bound|)
// on the side it is beyond, 0 within.
func beyond(v float64, lo, hi *float64) (excess, gap float64) {
	rel := func(d, a, b float64) float64 {
		m := math.Max(math.Abs(a), math.Abs(b))
		if m == 0 {
			return 0
		}
		return d / m
	}
	switch {
	case math.IsNaN(v):
		return math.NaN(), math.NaN()
	case hi != nil && v > *hi:
		return rel(v-*hi, v, *hi), v - *hi
	case lo != nil && v < *lo:
		return rel(*lo-v, v, *lo), *lo - v
	}
	return 0, 0
}

// allowed says bounds in words: "at most 10%", "at least 365",
// "between 0 and 100", with the numbers in style s.
func allowed(lo, hi *float64, s numStyle) template.HTML {
	switch {
	case lo != nil && hi != nil && *lo == *hi:
		return say("exactly %s", num{*lo, s})
	case lo != nil && hi != nil:
		return say("between %s and %s", num{*lo, s}, num{*hi, s})
	case lo != nil:
		return say("at least %s", num{*lo, s})
	case hi != nil && *hi == 0:
		return "none"
	case hi != nil:
		return say("at most %s", num{*hi, s})
	}
	return "any"
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// field is m[key] as a number, nil when absent or not a number.
func field(m map[string]any, key string) *float64 {
	if f, ok := toFloat(m[key]); ok {
		return &f
	}
	return nil
}

// subject names what a check is about: "Ozone" or "the data".
func subject(c result.Check) string {
	if c.Column != "" {
		return c.Column
	}
	return "the data"
}

// statWords are the plain names of the statistics a check bounds.
var statWords = map[string]string{
	"mean": "the mean", "median": "the median", "stddev": "the standard deviation", "min": "the smallest value",
	"max": "the largest value", "sum": "the sum", "distinct": "the number of distinct values",
}

// rowWords say what makes a value unexpected for each row-wise kind.
var rowWords = map[string]string{
	"in_set": "not in the allowed set", "not_in_set": "in the excluded set", "regex": "not matching the pattern",
	"length": "of a length out of bounds", "unique": "repeated", "type": "of the wrong type",
}

// sentences hold how each kind of check is said; kinds not here are said
// by their name and message.
var sentences = map[string]func(c result.Check) (sentence, bool){
	"missing":      missingSentence,
	"range":        rowSentence,
	"in_set":       rowSentence,
	"not_in_set":   rowSentence,
	"regex":        rowSentence,
	"length":       rowSentence,
	"unique":       rowSentence,
	"mean":         statSentence,
	"median":       statSentence,
	"stddev":       statSentence,
	"min":          statSentence,
	"max":          statSentence,
	"sum":          statSentence,
	"distinct":     statSentence,
	"row_count":    countSentence,
	"column_count": countSentence,
	"required":     requiredSentence,
	"imbalance":    imbalanceSentence,
	"metric":       metricSentence,
	"compare":      compareSentence,
	"MFT":          checklistSentence,
	"INV":          checklistSentence,
	"DIR":          checklistSentence,
	"slice":        sliceSentence,
	"ks":           driftSentence,
	"psi":          driftSentence,
	"wasserstein":  driftSentence,
	"chi_square":   driftSentence,
	"new_categories": func(c result.Check) (sentence, bool) {
		n, hi := field(asMap(c.Observed), "count"), field(asMap(c.Expected), "max")
		if n == nil || hi == nil {
			return sentence{}, false
		}
		s := sentence{}
		s.excess, s.gap = beyond(*n, nil, hi)
		s.html = say("%s has %s values not in the reference (allowed: %s)", subject(c), num{*n, count}, allowed(nil, hi, count))
		return s, true
	},
}

// sentenceOf says a check that did not pass in one sentence. A check
// that could not be evaluated, or whose result lacks the numbers its
// kind's sentence needs, is said by its name and message.
func sentenceOf(c result.Check) sentence {
	if f, ok := sentences[c.Kind]; ok && c.Status != result.Error {
		if s, ok := f(c); ok {
			return s
		}
	}
	return sentence{html: say("%s: %s", c.Name, humanText(c.Message)), excess: math.NaN(), gap: math.NaN()}
}

func missingSentence(c result.Check) (sentence, bool) {
	obs, exp := asMap(c.Observed), asMap(c.Expected)
	n, frac := field(obs, "count"), field(obs, "fraction")
	if n == nil || frac == nil {
		return sentence{}, false
	}
	rows := 0.0
	if *frac > 0 {
		rows = math.Round(*n / *frac)
	}
	var s sentence
	if lo, hi := field(exp, "min_fraction"), field(exp, "max_fraction"); lo != nil || hi != nil {
		s.excess, s.gap = beyond(*frac, lo, hi)
		s.html = say("%s is missing on %s of rows (%s of %s; allowed: %s)", subject(c), num{*frac, percent}, num{*n, count}, num{rows, count}, allowed(lo, hi, percent))
		return s, true
	}
	lo, hi := field(exp, "min"), field(exp, "max")
	s.excess, s.gap = beyond(*n, lo, hi)
	if rows > 0 {
		s.gap /= rows // a share of rows, as for the row-wise checks
	}
	s.html = say("%s is missing on %s of rows (%s of %s; allowed: %s)", subject(c), num{*frac, percent}, num{*n, count}, num{rows, count}, allowed(lo, hi, count))
	return s, true
}

func rowSentence(c result.Check) (sentence, bool) {
	if c.UnexpectedCount == nil || c.UnexpectedFraction == nil || c.ElementCount == nil {
		return sentence{}, false
	}
	what := rowWords[c.Kind]
	if c.Kind == "range" {
		exp := asMap(c.Expected)
		lo, hi := field(exp, "min"), field(exp, "max")
		switch {
		case lo != nil && hi != nil:
			what = string(say("outside the range %s to %s", num{*lo, value}, num{*hi, value}))
		case lo != nil:
			what = string(say("below %s", num{*lo, value}))
		case hi != nil:
			what = string(say("above %s", num{*hi, value}))
		}
	}
	frac := *c.UnexpectedFraction
	var limit float64
	if c.Mostly != nil {
		limit = 1 - *c.Mostly
	}
	s := sentence{}
	s.excess, s.gap = beyond(frac, nil, &limit)
	s.html = say("%s of %s values of %s (%s) are %s (allowed: %s)", num{float64(*c.UnexpectedCount), count}, num{float64(*c.ElementCount), count},
		subject(c), num{frac, percent}, template.HTML(what), allowed(nil, &limit, percent))
	return s, true
}

func statSentence(c result.Check) (sentence, bool) {
	v, ok := toFloat(c.Observed)
	if !ok {
		return sentence{}, false
	}
	exp := asMap(c.Expected)
	lo, hi := field(exp, "min"), field(exp, "max")
	st := value
	if c.Kind == "distinct" {
		st = count
	}
	s := sentence{}
	s.excess, s.gap = beyond(v, lo, hi)
	s.html = say("In %s, %s is %s (allowed: %s)", subject(c), statWords[c.Kind], num{v, st}, allowed(lo, hi, st))
	return s, true
}

func countSentence(c result.Check) (sentence, bool) {
	v, ok := toFloat(c.Observed)
	if !ok {
		return sentence{}, false
	}
	exp := asMap(c.Expected)
	lo, hi := field(exp, "min"), field(exp, "max")
	what := "rows"
	if c.Kind == "column_count" {
		what = "columns"
	}
	s := sentence{}
	s.excess, s.gap = beyond(v, lo, hi)
	s.html = say("The data has %s %s (allowed: %s)", num{v, count}, what, allowed(lo, hi, count))
	return s, true
}

func requiredSentence(c result.Check) (sentence, bool) {
	have, _ := c.Observed.([]string)
	want, _ := c.Expected.([]string)
	var missing []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			missing = append(missing, fmt.Sprintf("%q", w))
		}
	}
	if len(missing) == 0 || len(want) == 0 {
		return sentence{}, false
	}
	word := "column is"
	if len(missing) > 1 {
		word = "columns are"
	}
	return sentence{html: say("%s required %s missing: %s", num{float64(len(missing)), count}, word, strings.Join(missing, ", ")),
		excess: float64(len(missing)) / float64(len(want)), gap: float64(len(missing))}, true
}

func imbalanceSentence(c result.Check) (sentence, bool) {
	obs, exp := asMap(c.Observed), asMap(c.Expected)
	frac := field(obs, "minority_fraction")
	if frac == nil {
		return sentence{}, false
	}
	class := ""
	if list, ok := obs["classes"].([]any); ok && len(list) > 0 {
		if n, ok := toFloat(obs["class_count"]); ok && int(n) == len(list) {
			class = fmt.Sprintf(" (%q)", fmt.Sprint(asMap(list[len(list)-1])["value"]))
		}
	}
	if lo := field(exp, "min_fraction"); lo != nil {
		s := sentence{}
		s.excess, s.gap = beyond(*frac, lo, nil)
		s.html = say("The smallest class of %s%s is %s of values (allowed: %s)", subject(c), class, num{*frac, percent}, allowed(lo, nil, percent))
		return s, true
	}
	if hi, r := field(exp, "max_ratio"), field(obs, "ratio"); hi != nil && r != nil {
		s := sentence{}
		s.excess, s.gap = beyond(*r, nil, hi)
		s.html = say("The largest class of %s is %s the smallest%s (allowed: %s)", subject(c), num{*r, ratio}, class, allowed(nil, hi, ratio))
		return s, true
	}
	return sentence{}, false
}

func metricSentence(c result.Check) (sentence, bool) {
	v, ok := toFloat(c.Observed)
	if !ok {
		return sentence{}, false
	}
	exp := asMap(c.Expected)
	lo, hi := field(exp, "min"), field(exp, "max")
	s := sentence{}
	s.excess, s.gap = beyond(v, lo, hi)
	s.html = say("The model's %s is %s (allowed: %s)", strings.TrimPrefix(c.Name, "model."), num{v, value}, allowed(lo, hi, value))
	return s, true
}

func compareSentence(c result.Check) (sentence, bool) {
	obs, exp := asMap(c.Observed), asMap(c.Expected)
	by, limit := field(obs, "worse_by"), field(exp, "max_worse")
	if by == nil || limit == nil {
		return sentence{}, false
	}
	s := sentence{}
	s.excess, s.gap = beyond(*by, nil, limit)
	s.html = say("The model's %s is worse than the champion's by %s (allowed: %s)", strings.TrimPrefix(c.Name, "model.compare."), num{*by, value}, allowed(nil, limit, value))
	return s, true
}

func checklistSentence(c result.Check) (sentence, bool) {
	d, ok := c.Details.(checklist.Details)
	if !ok || d.Applicable == 0 {
		return sentence{}, false
	}
	rate := float64(d.Failed) / float64(d.Applicable)
	s := sentence{}
	s.excess, s.gap = beyond(rate, nil, &d.MaxFailureRate)
	s.html = say("Behavioural test “%s” fails on %s of %s cases (%s; allowed: %s)", strings.TrimPrefix(c.Name, "checklist."),
		num{float64(d.Failed), count}, num{float64(d.Applicable), count}, num{rate, percent}, allowed(nil, &d.MaxFailureRate, percent))
	return s, true
}

func sliceSentence(c result.Check) (sentence, bool) {
	d, ok := c.Details.(slice.Slice)
	if !ok {
		return sentence{}, false
	}
	for _, r := range d.Rules {
		if !r.Failed {
			continue
		}
		metric, kind, _ := strings.Cut(r.Rule, "_")
		i := slices.IndexFunc(d.Metrics, func(e slice.Estimate) bool { return e.Metric == metric })
		if i < 0 || d.Metrics[i].Value == nil {
			continue
		}
		e := d.Metrics[i]
		s := sentence{}
		if kind == "ratio" && e.Ratio != nil {
			s.excess, s.gap = beyond(*e.Ratio, nil, &r.Limit)
			s.html = say("In slice %s (%s rows), %s is %s, %s the overall value (allowed: %s)", d.Name, num{float64(d.N), count}, metric,
				num{*e.Value, value}, num{*e.Ratio, ratio}, allowed(nil, &r.Limit, ratio))
			return s, true
		}
		a := math.Abs(*e.Value)
		s.excess, s.gap = beyond(a, nil, &r.Bound)
		s.html = say("In slice %s (%s rows), %s is %s (allowed: %s)", d.Name, num{float64(d.N), count}, metric,
			num{*e.Value, value}, say("between %s and %s", num{-r.Bound, value}, num{r.Bound, value}))
		return s, true
	}
	return sentence{}, false
}

// driftWords name the drift statistics and the observed field each bound
// applies to.
var driftWords = map[string]struct{ name, field string }{
	"ks": {"the KS statistic", "statistic"}, "psi": {"the PSI", "psi"}, "wasserstein": {"the Wasserstein distance", "distance"},
	"chi_square": {"the chi-square statistic", "statistic"},
}

func driftSentence(c result.Check) (sentence, bool) {
	obs, exp := asMap(c.Observed), asMap(c.Expected)
	w := driftWords[c.Kind]
	s := sentence{excess: math.NaN(), gap: math.NaN()}
	var parts []template.HTML
	if v, hi := field(obs, w.field), field(exp, "max_statistic"); v != nil && hi != nil && *v > *hi {
		s.excess, s.gap = beyond(*v, nil, hi)
		parts = append(parts, say("%s is %s (allowed: %s)", w.name, num{*v, value}, allowed(nil, hi, value)))
	}
	if v, hi := field(obs, w.field), field(exp, "max"); v != nil && hi != nil && *v > *hi {
		s.excess, s.gap = beyond(*v, nil, hi)
		parts = append(parts, say("%s is %s (allowed: %s)", w.name, num{*v, value}, allowed(nil, hi, value)))
	}
	if p, lo := field(obs, "p_value"), field(exp, "min_p_value"); p != nil && lo != nil && *p < *lo {
		e, g := beyond(*p, lo, nil)
		if math.IsNaN(s.excess) || e > s.excess {
			s.excess, s.gap = e, g
		}
		parts = append(parts, say("the p-value is %s (allowed: %s)", num{*p, value}, allowed(lo, nil, value)))
	}
	if len(parts) == 0 {
		return sentence{}, false
	}
	joined := make([]string, len(parts))
	for i, p := range parts {
		joined[i] = string(p)
	}
	s.html = say("%s has drifted from the reference: %s", subject(c), template.HTML(strings.Join(joined, "; ")))
	return s, true
}

// numberRE finds the numbers in a text written by a check: an optional
// minus, digits, an optional fraction and exponent.
var numberRE = regexp.MustCompile(`-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?`)

// humanText rewrites the numbers of a check's text through formatNumber
// (whole numbers as counts, others as values) and keeps the text as
// written in a title. Numbers inside quotes, or joined to a letter, dot,
// digit, colon or slash (names, dates, times), stay as they are.
func humanText(s string) template.HTML {
	var b strings.Builder
	last := 0
	quoted := false
	qpos := 0
	changed := false
	for _, m := range numberRE.FindAllStringIndex(s, -1) {
		for ; qpos < m[0]; qpos++ {
			if s[qpos] == '"' {
				quoted = !quoted
			}
		}
		lit := s[m[0]:m[1]]
		if quoted || joined(s, m[0], m[1]) {
			continue
		}
		if lit[0] == '-' && m[0] > 0 && isWordByte(s[m[0]-1]) {
			continue // a hyphen, not a minus
		}
		var f float64
		if _, err := fmt.Sscan(lit, &f); err != nil {
			continue
		}
		out := formatNumber(f, value)
		if !strings.ContainsAny(lit, ".eE") {
			out = formatNumber(f, count)
		}
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		b.WriteString(template.HTMLEscapeString(out))
		last = m[1]
		changed = changed || out != lit
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	if !changed {
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(`<span title="` + template.HTMLEscapeString(s) + `">` + b.String() + `</span>`)
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// joined reports whether the number s[i:j] is part of a word, name,
// date or time.
func joined(s string, i, j int) bool {
	if i > 0 {
		if p := s[i-1]; isWordByte(p) || p == '.' || p == ':' && i > 1 && isWordByte(s[i-2]) && s[i-2] >= '0' && s[i-2] <= '9' || p == '/' || p == '-' && s[i] != '-' {
			return true
		}
	}
	if j < len(s) {
		if n := s[j]; isWordByte(n) || n == '/' || n == '-' || n == ':' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' || n == '.' && j+1 < len(s) && isWordByte(s[j+1]) {
			return true
		}
	}
	return false
}
