package expect

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/trustml/trustml/result"
)

// finish turns the merged state into one result per check, in suite order.
func (p *plan) finish(rows int64, st *state) []result.Check {
	out := make([]result.Check, 0, p.suite.Len())
	for i := range p.suite.Table {
		out = append(out, p.tableCheck(&p.suite.Table[i], rows))
	}
	byName := map[string]int{}
	for i, cp := range p.cols {
		byName[cp.name] = i
	}
	// Statistics, quantile selection included, per column in parallel.
	stats := make([]*colStats, len(p.cols))
	var wg sync.WaitGroup
	for i, cp := range p.cols {
		wg.Go(func() { stats[i] = summarize(p, cp, st.cols[i]) })
	}
	wg.Wait()
	for _, col := range p.suite.Columns {
		i := byName[col.Name]
		for k := range col.Checks {
			out = append(out, p.columnCheck(&col.Checks[k], p.cols[i], st.cols[i], stats[i]))
		}
	}
	return out
}

// colStats are the statistics of one column's non-null values.
type colStats struct {
	n            int64
	mean, stddev float64 // NaN when undefined
	sum          float64
	infinite     bool // the values include ±Inf
	nvalues      int  // values kept for quantiles
	// order holds the order statistics the column's median and quantile
	// checks read, by rank.
	order map[int]float64
}

func summarize(p *plan, cp *colPlan, cs *colState) *colStats {
	s := &colStats{n: cs.count, mean: math.NaN(), stddev: math.NaN()}
	if cp.moments && len(cs.moments) > 0 {
		ms := cs.moments
		sort.Slice(ms, func(i, j int) bool { return ms[i].batch < ms[j].batch })
		var sum, comp, m2, mean float64
		var n, pinf, ninf int64
		for _, m := range ms {
			pinf += m.pinf
			ninf += m.ninf
			fin := m.n - m.pinf - m.ninf
			if fin == 0 {
				continue
			}
			for _, v := range []float64{m.sum, m.comp} {
				t := sum + v
				if math.Abs(sum) >= math.Abs(v) {
					comp += (sum - t) + v
				} else {
					comp += (v - t) + sum
				}
				sum = t
			}
			// Chan et al.'s pairwise update of the sum of squared deviations.
			bm := (m.sum + m.comp) / float64(fin)
			if n == 0 {
				mean, m2 = bm, m.m2
			} else {
				nt := n + fin
				d := bm - mean
				m2 += m.m2 + d*d*float64(n)*float64(fin)/float64(nt)
				mean += d * float64(fin) / float64(nt)
			}
			n += fin
		}
		s.sum = sum + comp
		if n > 0 {
			s.mean = s.sum / float64(n)
		}
		if n > 1 {
			s.stddev = math.Sqrt(m2 / float64(n-1))
		}
		// Infinities: the sum and mean are infinite (NaN when both signs
		// occur) and the standard deviation is undefined.
		if pinf > 0 || ninf > 0 {
			s.infinite = true
			switch {
			case pinf > 0 && ninf > 0:
				s.sum = math.NaN()
			case pinf > 0:
				s.sum = math.Inf(1)
			default:
				s.sum = math.Inf(-1)
			}
			s.mean, s.stddev = s.sum, math.NaN()
		}
	}
	if cp.values {
		s.nvalues = cs.values.n
		if ranks := p.ranks(cp, s.nvalues); len(ranks) > 0 {
			vals := orderStats(cs.values.c, cs.min, cs.max, ranks)
			s.order = make(map[int]float64, len(ranks))
			for i, r := range ranks {
				s.order[r] = vals[i]
			}
		}
		cs.values = chunks[float64]{}
	}
	return s
}

// ranks returns the order statistics (0-based ranks among n values,
// sorted) that the column's median and quantile checks read.
func (p *plan) ranks(cp *colPlan, n int) []int {
	if n == 0 {
		return nil
	}
	var out []int
	for _, col := range p.suite.Columns {
		if col.Name != cp.name {
			continue
		}
		for _, c := range col.Checks {
			switch c.Kind {
			case Median:
				lo, hi := orderRanks(0.5, n)
				out = append(out, lo, hi)
			case Quantiles:
				for _, q := range c.Quantiles {
					lo, hi := orderRanks(q.Q, n)
					out = append(out, lo, hi)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// orderRanks returns the ranks of the order statistics around the
// q-quantile of n values: h = q·(n−1) lies between lo and hi.
func orderRanks(q float64, n int) (lo, hi int) {
	h := q * float64(n-1)
	lo = int(math.Floor(h))
	return lo, min(lo+1, n-1)
}

// quantile returns the q-quantile of the values, interpolated between the
// order statistics at h = q·(n−1) by method (see Check.Interpolation; ""
// is linear, R's type 7); NaN when there are no values.
func (s *colStats) quantile(q float64, method string) float64 {
	n := s.nvalues
	if n == 0 {
		return math.NaN()
	}
	h := q * float64(n-1)
	lo, hi := orderRanks(q, n)
	a, b := s.order[lo], s.order[hi]
	frac := h - float64(lo)
	switch method {
	case "lower":
		return a
	case "higher":
		if frac == 0 {
			return a
		}
		return b
	case "nearest":
		if int(math.RoundToEven(h)) == lo {
			return a
		}
		return b
	case "midpoint":
		if frac == 0 {
			return a
		}
		return a/2 + b/2
	}
	if q == 0.5 && (n-1)%2 == 1 {
		return a/2 + b/2 // the mean of the two middle values
	}
	return a + frac*(b-a)
}

func (p *plan) tableCheck(c *Check, rows int64) result.Check {
	r := result.Check{Section: result.Expectations, Name: c.Name(), Kind: string(c.Kind), Severity: c.severity()}
	names := make([]string, p.schema.NumFields())
	for i, f := range p.schema.Fields() {
		names[i] = f.Name
	}
	var ok bool
	switch c.Kind {
	case RowCount, ColumnCount:
		v, what := float64(rows), "rows"
		if c.Kind == ColumnCount {
			v, what = float64(len(names)), "columns"
		}
		ok = within(v, c)
		r.Observed, r.Expected = int64(v), boundsJSON(c)
		r.ObservedText, r.ExpectedText = fmt.Sprintf("%d %s", int64(v), what), boundsText(c)
		r.Message = fmt.Sprintf("%d %s, expected %s", int64(v), what, boundsText(c))
	case RequiredColumns:
		var missing []string
		for _, n := range c.Columns {
			if !slices.Contains(names, n) {
				missing = append(missing, n)
			}
		}
		ok = len(missing) == 0
		r.Observed, r.Expected = names, c.Columns
		r.ExpectedText = "columns include " + strings.Join(c.Columns, ", ")
		r.ObservedText = "columns are " + strings.Join(names, ", ")
		if ok {
			r.Message = fmt.Sprintf("all %d required columns present", len(c.Columns))
		} else {
			r.Message = fmt.Sprintf("missing %s; columns are %s", quoteList(missing), strings.Join(names, ", "))
		}
	case ExactColumns:
		ok = sameColumns(names, c.Columns, c.Ordered)
		r.Observed, r.Expected = names, c.Columns
		r.ObservedText = "columns are " + strings.Join(names, ", ")
		r.ExpectedText = "columns are exactly " + strings.Join(c.Columns, ", ")
		if c.Ordered {
			r.ExpectedText += ", in this order"
		}
		if ok {
			r.Message = r.ObservedText
		} else {
			r.Message = columnDiff(names, c.Columns, c.Ordered)
		}
	}
	r.Status = result.StatusOf(ok, r.Severity)
	return r
}

func sameColumns(have, want []string, ordered bool) bool {
	if len(have) != len(want) {
		return false
	}
	if ordered {
		return slices.Equal(have, want)
	}
	a, b := slices.Clone(have), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func columnDiff(have, want []string, ordered bool) string {
	var extra, missing []string
	for _, h := range have {
		if !slices.Contains(want, h) {
			extra = append(extra, h)
		}
	}
	for _, w := range want {
		if !slices.Contains(have, w) {
			missing = append(missing, w)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+quoteList(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "unexpected "+quoteList(extra))
	}
	if len(parts) == 0 && ordered {
		parts = append(parts, "same columns in another order: "+strings.Join(have, ", "))
	}
	return strings.Join(parts, "; ")
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func within(v float64, c *Check) bool {
	if c.Min != nil && (v < *c.Min || (c.StrictMin && v == *c.Min)) {
		return false
	}
	if c.Max != nil && (v > *c.Max || (c.StrictMax && v == *c.Max)) {
		return false
	}
	return true
}

func boundsJSON(c *Check) map[string]any {
	m := map[string]any{}
	if c.Min != nil {
		m["min"] = *c.Min
	}
	if c.Max != nil {
		m["max"] = *c.Max
	}
	if c.StrictMin {
		m["strict_min"] = true
	}
	if c.StrictMax {
		m["strict_max"] = true
	}
	if c.Mostly != nil {
		m["mostly"] = *c.Mostly
	}
	return m
}

// boundsText writes bounds as an interval: "[0, 120]", "(0, 120]", "≥ 5".
func boundsText(c *Check) string { return interval(c.Min, c.Max, c.StrictMin, c.StrictMax) }

func interval(lo, hi *float64, strictLo, strictHi bool) string {
	f := result.FormatFloat
	switch {
	case lo != nil && hi != nil:
		if *lo == *hi && !strictLo && !strictHi {
			return "= " + f(*lo)
		}
		l, r := "[", "]"
		if strictLo {
			l = "("
		}
		if strictHi {
			r = ")"
		}
		return l + f(*lo) + ", " + f(*hi) + r
	case lo != nil:
		if strictLo {
			return "> " + f(*lo)
		}
		return "≥ " + f(*lo)
	case hi != nil:
		if strictHi {
			return "< " + f(*hi)
		}
		return "≤ " + f(*hi)
	}
	return "any"
}

func (p *plan) columnCheck(c *Check, cp *colPlan, cs *colState, s *colStats) result.Check {
	r := result.Check{Section: result.Expectations, Name: c.Name(), Kind: string(c.Kind), Column: c.Column, Severity: c.severity()}
	r.NullCount = result.Ptr(cs.nulls)
	var ok bool
	switch c.Kind {
	case Type:
		ok = false
		for _, t := range c.Types {
			if TypeMatches(cp.dt, t) {
				ok = true
			}
		}
		r.Observed, r.Expected = cp.dt.String(), c.Types
		r.ObservedText, r.ExpectedText = cp.dt.String(), strings.Join(c.Types, " or ")
		r.Message = fmt.Sprintf("type %s, expected %s", cp.dt, r.ExpectedText)
		// Every value of a column of the wrong type is unexpected.
		r.ElementCount = result.Ptr(cs.count)
		r.UnexpectedCount = result.Ptr(int64(0))
		r.Sample = []result.Failure{}
		if k := slices.IndexFunc(cp.rowCheck, func(rc *rowCheck) bool { return rc.check == c }); k >= 0 {
			r.UnexpectedCount = result.Ptr(cs.count)
			if cs.row[k].sample != nil {
				r.Sample = cs.row[k].sample
			}
		}
	case Missing:
		ok = p.missing(c, cs, &r)
	case Range, InSet, NotInSet, Regex, Length:
		k := slices.IndexFunc(cp.rowCheck, func(rc *rowCheck) bool { return rc.check == c })
		rs := cs.row[k]
		ok = rowWise(c, &r, cs.count, rs.unexpected, rs.sample, p.describe(c))
		switch c.Kind {
		case Range:
			if cs.count > 0 {
				r.Observed = map[string]any{"unexpected_count": rs.unexpected, "min": result.Number(cs.min), "max": result.Number(cs.max)}
			}
		case Length:
			if cs.count > 0 {
				r.Observed = map[string]any{"unexpected_count": rs.unexpected, "min_length": cs.minLen, "max_length": cs.maxLen}
			}
		}
	case Unique:
		unexpected, sample := cs.freq.duplicates(p.sample)
		ok = rowWise(c, &r, cs.count, unexpected, sample, "repeated")
	case Distinct:
		d := int64(cs.freq.distinct())
		ok = within(float64(d), c)
		r.Observed, r.Expected = d, boundsJSON(c)
		r.ObservedText, r.ExpectedText = fmt.Sprintf("%d distinct values", d), boundsText(c)
		r.Message = fmt.Sprintf("%d distinct values, expected %s", d, boundsText(c))
	case Imbalance:
		ok = imbalance(c, cs, &r)
	case Mean, Median, Stddev, Min, Max, Sum:
		var v float64
		switch c.Kind {
		case Mean:
			v = s.mean
		case Stddev:
			v = s.stddev
		case Sum:
			v = s.sum
		case Min, Max:
			v = math.NaN()
			if cs.count > 0 {
				v = cs.min
				if c.Kind == Max {
					v = cs.max
				}
			}
		case Median:
			v = s.quantile(0.5, "")
		}
		ok = statistic(c, &r, v, cs.count, s.infinite)
	case Quantiles:
		ok = quantiles(c, &r, s)
	case DistinctValues:
		ok = distinctValues(c, cs, &r)
	case KLDivergence:
		ok = p.klDivergence(c, cp, cs, &r)
	case ChiSquare:
		ok = p.chiSquare(c, cs, &r)
	}
	if r.Status == "" {
		r.Status = result.StatusOf(ok, r.Severity)
	}
	return r
}

func (p *plan) missing(c *Check, cs *colState, r *result.Check) bool {
	frac := 0.0
	if cs.rows > 0 {
		frac = float64(cs.nulls) / float64(cs.rows)
	}
	ok := within(float64(cs.nulls), c)
	if c.MinFraction != nil && frac < *c.MinFraction {
		ok = false
	}
	if c.MaxFraction != nil && frac > *c.MaxFraction {
		ok = false
	}
	exp := boundsJSON(c)
	var parts []string
	if c.Min != nil || c.Max != nil {
		parts = append(parts, "count "+boundsText(c))
	}
	if c.MinFraction != nil || c.MaxFraction != nil {
		if c.MinFraction != nil {
			exp["min_fraction"] = *c.MinFraction
		}
		if c.MaxFraction != nil {
			exp["max_fraction"] = *c.MaxFraction
		}
		parts = append(parts, "fraction "+interval(c.MinFraction, c.MaxFraction, false, false))
	}
	r.Observed = map[string]any{"count": cs.nulls, "fraction": frac}
	r.Expected = exp
	// The unexpected values are the missing ones, unless the check only
	// asks for missing values (a lower bound): then they are the others.
	r.UnexpectedCount = result.Ptr(cs.nulls)
	r.UnexpectedFraction = result.Ptr(frac)
	r.Sample = cs.nullSample
	if c.Max == nil && c.MaxFraction == nil {
		r.UnexpectedCount = result.Ptr(cs.rows - cs.nulls)
		r.UnexpectedFraction = result.Ptr(1 - frac)
		if cs.rows == 0 {
			r.UnexpectedFraction = result.Ptr(0.0)
		}
		r.Sample = cs.valueSample
	}
	if r.Sample == nil {
		r.Sample = []result.Failure{}
	}
	r.ElementCount = result.Ptr(cs.rows)
	r.ObservedText = fmt.Sprintf("%d of %d missing (%s)", cs.nulls, cs.rows, percent(frac))
	r.ExpectedText = "missing " + strings.Join(parts, ", ")
	r.Message = r.ObservedText + ", expected " + strings.Join(parts, ", ")
	return ok
}

// rowWise fills a row-wise check's result; what describes a failing value
// ("outside [0, 120]").
func rowWise(c *Check, r *result.Check, evaluated, unexpected int64, sample []result.Failure, what string) bool {
	mostly := 1.0
	if c.Mostly != nil {
		mostly = *c.Mostly
	}
	frac := 0.0
	if evaluated > 0 {
		frac = float64(unexpected) / float64(evaluated)
	}
	// Vacuously true without values, as in Great Expectations; the result
	// says there was nothing to check.
	ok := evaluated == 0 || float64(evaluated-unexpected)/float64(evaluated) >= mostly
	r.ElementCount = result.Ptr(evaluated)
	r.UnexpectedCount = result.Ptr(unexpected)
	r.UnexpectedFraction = result.Ptr(frac)
	r.Mostly = c.Mostly
	r.Sample = sample
	if r.Sample == nil {
		r.Sample = []result.Failure{}
	}
	r.Observed = unexpected
	exp := boundsJSON(c)
	switch c.Kind {
	case InSet, NotInSet:
		vals := make([]any, len(c.Set))
		for i, v := range c.Set {
			vals[i] = v.json()
		}
		exp["values"] = vals
	case Regex:
		exp = map[string]any{"pattern": c.Pattern.String()}
		if c.Mostly != nil {
			exp["mostly"] = *c.Mostly
		}
	case Unique:
		exp = map[string]any{"unique": true}
		if c.Mostly != nil {
			exp["mostly"] = *c.Mostly
		}
	}
	r.Expected = exp
	r.ExpectedText = "every value " + wanted(c)
	if c.Mostly != nil {
		r.ExpectedText = fmt.Sprintf("at least %s of values %s", percent(mostly), wanted(c))
	}
	if evaluated == 0 {
		r.ObservedText = "no non-null values to check"
		r.Message = r.ObservedText
		return ok
	}
	r.ObservedText = fmt.Sprintf("%d of %d values %s (%s)", unexpected, evaluated, what, percent(frac))
	r.Message = r.ObservedText
	if c.Mostly != nil {
		r.Message += fmt.Sprintf(", at most %s allowed", percent(1-mostly))
	}
	if len(sample) > 0 {
		r.Message += fmt.Sprintf(", e.g. row %d: %s", sample[0].Row, show(sample[0].Value))
	}
	return ok
}

// wanted says what a passing value of a row-wise check is, for the
// expected text ("in [0, 120]", "not in {...}", "unique").
func wanted(c *Check) string {
	switch c.Kind {
	case Range:
		return "in " + boundsText(c)
	case InSet:
		return "in " + setText(c.Set)
	case NotInSet:
		return "not in " + setText(c.Set)
	case Regex:
		return fmt.Sprintf("matching /%s/", c.Pattern)
	case Length:
		return "with length in " + boundsText(c)
	case Unique:
		return "unique"
	}
	return "passing"
}

func (p *plan) describe(c *Check) string {
	switch c.Kind {
	case Range:
		return "outside " + boundsText(c)
	case InSet:
		return "not in " + setText(c.Set)
	case NotInSet:
		return "in " + setText(c.Set)
	case Regex:
		return fmt.Sprintf("not matching /%s/", c.Pattern)
	case Length:
		return "with length outside " + boundsText(c)
	}
	return "failing"
}

func setText(vals []Value) string {
	const limit = 8
	parts := make([]string, 0, limit+1)
	for i, v := range vals {
		if i == limit {
			parts = append(parts, fmt.Sprintf("… %d more", len(vals)-limit))
			break
		}
		if v.IsNum || v.IsBool {
			parts = append(parts, v.Text)
		} else {
			parts = append(parts, fmt.Sprintf("%q", v.Text))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func show(v any) string { return result.ShowValue(v) }

func percent(f float64) string {
	p := f * 100
	switch {
	case p == 0 || p == 100:
		return fmt.Sprintf("%.0f%%", p)
	case p < 0.01:
		return fmt.Sprintf("%.2g%%", p)
	case p < 10:
		return fmt.Sprintf("%.2f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

func statistic(c *Check, r *result.Check, v float64, n int64, infinite bool) bool {
	r.Expected = boundsJSON(c)
	r.ExpectedText = boundsText(c)
	r.ElementCount = result.Ptr(n)
	if math.IsNaN(v) {
		r.Observed = nil
		r.ObservedText = "undefined"
		why := "no non-null values"
		switch {
		case infinite && n > 0:
			why = "the values include infinities"
		case c.Kind == Stddev && n == 1:
			why = "one value; a sample standard deviation needs two"
		}
		r.Message = fmt.Sprintf("%s undefined (%s), expected %s", c.Kind, why, boundsText(c))
		return false
	}
	r.Observed = result.Number(v)
	r.ObservedText = fmt.Sprintf("%s %s", c.Kind, result.Human(v))
	r.Message = fmt.Sprintf("%s %s, expected %s", c.Kind, result.Human(v), boundsText(c))
	return within(v, c)
}

func quantiles(c *Check, r *result.Check, s *colStats) bool {
	ok := true
	obs := make([]any, len(c.Quantiles))
	exp := make([]any, len(c.Quantiles))
	var got, want, bad []string
	for i, q := range c.Quantiles {
		v := s.quantile(q.Q, c.Interpolation)
		obs[i] = map[string]any{"q": q.Q, "value": result.Number(v)}
		e := map[string]any{"q": q.Q}
		if q.Min != nil {
			e["min"] = *q.Min
		}
		if q.Max != nil {
			e["max"] = *q.Max
		}
		exp[i] = e
		iv := interval(q.Min, q.Max, false, false)
		name := "q" + result.FormatFloat(q.Q)
		got = append(got, name+" "+result.Human(v))
		want = append(want, name+" "+iv)
		if math.IsNaN(v) || (q.Min != nil && v < *q.Min) || (q.Max != nil && v > *q.Max) {
			ok = false
			bad = append(bad, fmt.Sprintf("%s %s not %s", name, result.Human(v), iv))
		}
	}
	r.Observed, r.Expected = obs, exp
	r.ObservedText, r.ExpectedText = strings.Join(got, ", "), strings.Join(want, ", ")
	r.ElementCount = result.Ptr(int64(s.nvalues))
	if ok {
		r.Message = r.ObservedText
	} else {
		r.Message = strings.Join(bad, "; ")
	}
	return ok
}

func imbalance(c *Check, cs *colState, r *result.Check) bool {
	classes := cs.freq.classes()
	sort.Slice(classes, func(i, j int) bool {
		if classes[i].count != classes[j].count {
			return classes[i].count > classes[j].count
		}
		return fmt.Sprint(classes[i].value) < fmt.Sprint(classes[j].value)
	})
	n := cs.count
	exp := map[string]any{}
	var want []string
	if c.MinFraction != nil {
		exp["min_fraction"] = *c.MinFraction
		want = append(want, "every class ≥ "+percent(*c.MinFraction))
	}
	if c.MaxRatio != nil {
		exp["max_ratio"] = *c.MaxRatio
		want = append(want, "majority/minority ≤ "+result.FormatFloat(*c.MaxRatio))
	}
	if c.MinCount != nil {
		exp["min_count"] = *c.MinCount
		want = append(want, fmt.Sprintf("every class ≥ %d rows", *c.MinCount))
	}
	r.Expected = exp
	r.ExpectedText = strings.Join(want, ", ")
	r.ElementCount = result.Ptr(n)
	if len(classes) == 0 {
		r.ObservedText = "no non-null values"
		r.Message = "no classes: no non-null values"
		return false
	}
	const listed = 50
	list := make([]any, 0, min(len(classes), listed))
	for i, cc := range classes {
		if i == listed {
			break
		}
		list = append(list, map[string]any{"value": cc.value, "count": cc.count, "fraction": float64(cc.count) / float64(n)})
	}
	minor, major := classes[len(classes)-1], classes[0]
	minFrac := float64(minor.count) / float64(n)
	ratio := float64(major.count) / float64(minor.count)
	r.Observed = map[string]any{"classes": list, "class_count": len(classes), "minority_fraction": minFrac, "ratio": ratio}
	r.ObservedText = fmt.Sprintf("%d classes; minority %s %s (%d rows), majority %s %s; ratio %.3g",
		len(classes), show(minor.value), percent(minFrac), minor.count, show(major.value), percent(float64(major.count)/float64(n)), ratio)
	ok := true
	var bad []string
	if c.MinFraction != nil && minFrac < *c.MinFraction {
		ok = false
		bad = append(bad, fmt.Sprintf("class %s is %s of values, below %s", show(minor.value), percent(minFrac), percent(*c.MinFraction)))
	}
	if c.MaxRatio != nil && ratio > *c.MaxRatio {
		ok = false
		bad = append(bad, fmt.Sprintf("majority/minority ratio %.3g above %s", ratio, result.FormatFloat(*c.MaxRatio)))
	}
	if c.MinCount != nil && minor.count < *c.MinCount {
		ok = false
		bad = append(bad, fmt.Sprintf("class %s has %d rows, below %d", show(minor.value), minor.count, *c.MinCount))
	}
	if ok {
		r.Message = r.ObservedText
	} else {
		r.Message = strings.Join(bad, "; ")
	}
	return ok
}
