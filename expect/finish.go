package expect

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/result"
)

// finish turns the merged state into one result per check, in suite
// order, each by its kind's finish.
func (p *plan) finish(rows int64, st *state) []result.Check {
	out := make([]result.Check, 0, p.suite.Len())
	names := make([]string, p.schema.NumFields())
	for i, f := range p.schema.Fields() {
		names[i] = f.Name
	}
	tableRows := rows
	if p.tableFilter >= 0 {
		tableRows = st.kept[p.tableFilter]
	}
	for i := range p.suite.Table {
		c := &p.suite.Table[i]
		e := &eval{p: p, rows: tableRows, names: names}
		for k, rp := range p.rows {
			if rp.check == c {
				e.rp, e.acc = rp, st.rows[k]
			}
		}
		r := conclude(e, c)
		p.whereOf(&r, p.tableFilter, st.kept)
		out = append(out, r)
	}
	// Statistics, quantile selection included, per column in parallel.
	stats := make([]*colStats, len(p.cols))
	var wg sync.WaitGroup
	for i, cp := range p.cols {
		wg.Go(func() { stats[i] = summarize(cp, st.cols[i]) })
	}
	wg.Wait()
	for _, col := range p.suite.Columns {
		for k := range col.Checks {
			c := &col.Checks[k]
			i := p.colOf[c]
			e := &eval{p: p, rows: rows, names: names, cp: p.cols[i], cs: st.cols[i], st: stats[i]}
			r := conclude(e, c)
			p.whereOf(&r, p.cols[i].filter, st.kept)
			out = append(out, r)
		}
	}
	for k, rp := range p.rules {
		r := conclude(&eval{p: p, rows: rows, names: names, rule: &st.rules[k]}, rp.check)
		p.whereOf(&r, rp.filter, st.kept)
		out = append(out, r)
	}
	return out
}

// conclude is check c's result, by its kind's finish.
func conclude(e *eval, c *Check) result.Check {
	r := newResult(c)
	if e.cs != nil {
		r.NullCount = result.Ptr(e.cs.Nulls)
	}
	ok := registry[c.Kind].finish(e, c, &r)
	if r.Status == "" {
		r.Status = result.StatusOf(ok, r.Severity)
	}
	return r
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

func summarize(cp *colPlan, cs *colState) *colStats {
	s := &colStats{n: cs.Count, mean: math.NaN(), stddev: math.NaN()}
	if cp.moments {
		m := cs.Summarize()
		s.sum, s.mean, s.stddev, s.infinite = m.Sum, m.Mean, m.Stddev, m.Infinite
	}
	if cp.values {
		s.nvalues = cs.values.n
		if ranks := cp.ranks(s.nvalues); len(ranks) > 0 {
			vals := orderStats(cs.values.c, cs.Min, cs.Max, ranks)
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
// sorted) that the column's checks read (colPlan.quantiles).
func (cp *colPlan) ranks(n int) []int {
	if n == 0 {
		return nil
	}
	var out []int
	for _, q := range cp.quantiles {
		lo, hi := orderRanks(q, n)
		out = append(out, lo, hi)
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

func boundsJSON(c *Check) map[string]any { return withMostly(c, c.Fields()) }

// interval writes the bounds of a fraction: "[0.1, 0.5]", "≤ 0.05".
func interval(lo, hi *float64) string { return bound.Interval{Min: lo, Max: hi}.String() }

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
