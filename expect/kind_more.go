package expect

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// More column kinds: most_common, zscore and monotonic.
const (
	// MostCommon: every most common non-null value is in Set; a value
	// outside the set with the same count fails the check unless TiesOK.
	MostCommon Kind = "most_common"
	// ZScore: each value's z-score (v − mean)/sd, against the column's
	// own mean and sample standard deviation, lies in the Interval;
	// row-wise. The check keeps every value with its row (16 bytes each):
	// the mean and sd are known only after the pass, and mostly needs the
	// exact count beyond them.
	ZScore Kind = "zscore"
	// Monotonic: the non-null values increase (Direction "increasing") or
	// decrease, strictly when Strict, in data order or, with OrderBy, in
	// the order of that column (then the check keeps every pair of values,
	// 24 bytes each); row-wise: a value that breaks the order with the
	// previous one fails.
	Monotonic Kind = "monotonic"
)

func init() {
	register(kindDef{
		kind: MostCommon, example: "{in_set: [1, 2]}", reads: setClasses, needs: accFreq | accClasses,
		decode: decodeMostCommon,
		validate: func(c *Check) error {
			if len(c.Set) == 0 {
				return fmt.Errorf("most_common needs in_set: the values allowed to be most common")
			}
			return nil
		},
		bind: func(cp *colPlan, c *Check) error {
			for _, v := range c.Set {
				if err := cp.canMatch(v); err != nil {
					return err
				}
			}
			return nil
		},
		finish: finishMostCommon,
		define: histogramDefinition,
	})
	register(kindDef{
		kind: ZScore, rowWise: true, example: "{max: 3}", reads: numericClasses,
		decode: func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
			decodeRowBounds(d, c, n, path, append(yamlx.IntervalKeys, "mostly", "severity"), false)
		},
		bind: func(cp *colPlan, c *Check) error {
			idx := cp.idx
			cp.addCustom(c, func() customAcc { return &rowValuesAcc{col: idx} })
			return nil
		},
		finish: finishZScore,
		define: func(c *Check, _ *SQLDialect) Definition {
			x := ident(c.Column)
			z := "((" + x + " - avg(" + x + ") OVER ()) / stddev_samp(" + x + ") OVER ())"
			return rowWiseDefinition(c, sqlWithin(z, c.Interval))
		},
	})
	register(kindDef{
		kind: Monotonic, rowWise: true, example: "increasing", reads: valueClasses,
		decode: decodeMonotonic,
		validate: func(c *Check) error {
			if c.Direction != "increasing" && c.Direction != "decreasing" {
				return fmt.Errorf("monotonic needs a direction, increasing or decreasing; got %q", c.Direction)
			}
			return nil
		},
		bind:   bindMonotonic,
		finish: finishMonotonic,
		define: func(c *Check, _ *SQLDialect) Definition {
			x := ident(c.Column)
			order := "rowid"
			if c.OrderBy != "" {
				order = ident(c.OrderBy) + ", rowid"
			}
			op := map[[2]bool]string{{true, false}: ">=", {true, true}: ">", {false, false}: "<=", {false, true}: "<"}[[2]bool{c.Direction == "increasing", c.Strict}]
			return rowWiseDefinition(c, "coalesce("+x+" "+op+" lag("+x+") IGNORE NULLS OVER (ORDER BY "+order+"), TRUE)")
		},
	})
}

// decodeMostCommon reads [values] or {in_set: [...], ties_ok, severity}.
func decodeMostCommon(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	if r := yamlx.Resolve(n); r == nil || r.Kind != yaml.MappingNode {
		c.Set = decodeValues(d, n, path)
		return
	}
	fields, ok := d.Mapping(n, path, []string{"in_set", "ties_ok", "severity"})
	if !ok {
		return
	}
	c.Severity = d.SeverityIn(fields, c.Severity)
	for _, g := range fields {
		switch g.Key {
		case "in_set":
			c.Set = decodeValues(d, g.Value, g.Path)
		case "ties_ok":
			c.TiesOK, _ = d.Bool(g.Value, g.Path)
		}
	}
	if child(n, "in_set") == nil {
		d.Errorf(n, path, "needs in_set: [...]")
	}
}

func finishMostCommon(e *eval, c *Check, r *result.Check) bool {
	r.Expected = map[string]any{"in_set": valuesJSON(c.Set)}
	r.ExpectedText = "most common value in " + setText(c.Set)
	classes := e.cs.freq.classes()
	if len(classes) == 0 {
		r.ObservedText = "no non-null values"
		r.Message = "no non-null values: no value is most common"
		return false
	}
	top := int64(0)
	for _, cl := range classes {
		top = max(top, cl.count)
	}
	counts, others := e.cs.freq.match(c.Set)
	var inTop, outTop []any
	for i, n := range counts {
		if n == top {
			inTop = append(inTop, c.Set[i].json())
		}
	}
	for _, o := range others {
		if o.count == top {
			outTop = append(outTop, o.value)
		}
	}
	mostCommon := append(slices.Clone(inTop), outTop...)
	sort.Slice(mostCommon, func(i, j int) bool { return fmt.Sprint(mostCommon[i]) < fmt.Sprint(mostCommon[j]) })
	r.Observed = map[string]any{"most_common": mostCommon, "count": top}
	var shown []string
	for _, v := range mostCommon {
		shown = append(shown, show(v))
	}
	r.ObservedText = fmt.Sprintf("most common %s (%d times)", strings.Join(shown, ", "), top)
	ok := len(outTop) == 0 || (c.TiesOK && len(inTop) > 0)
	r.Message = r.ObservedText
	if !ok {
		r.Message += ", not in " + setText(c.Set)
	}
	return ok
}

// rowValuesAcc keeps the non-missing values of a column with their rows.
type rowValuesAcc struct {
	col  int
	vals []float64
	rows []int64
}

func (a *rowValuesAcc) add(j job) error {
	read, err := cellReader(j.batch.Column(a.col))
	if err != nil {
		return err
	}
	for i := range int(j.batch.NumRows()) {
		if x := read(i); x.kind == cellNum {
			a.vals = append(a.vals, x.num)
			a.rows = append(a.rows, j.offset+int64(i))
		}
	}
	return nil
}

func (a *rowValuesAcc) merge(o customAcc, _ int) {
	b := o.(*rowValuesAcc)
	a.vals = append(a.vals, b.vals...)
	a.rows = append(a.rows, b.rows...)
}

func finishZScore(e *eval, c *Check, r *result.Check) bool {
	a := e.customState(c).(*rowValuesAcc)
	n := len(a.vals)
	// Two passes over the kept values: the mean, then the squared
	// deviations from it.
	mean, m2 := 0.0, 0.0
	for _, v := range a.vals {
		mean += v
	}
	mean /= float64(n)
	for _, v := range a.vals {
		m2 += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(m2 / float64(n-1))
	var fails []result.Failure
	var unexpected int64
	if n > 1 {
		for i, v := range a.vals {
			z := (v - mean) / sd
			if math.IsNaN(z) || !c.Interval.Contains(z) {
				unexpected++
				fails = append(fails, result.Failure{Row: a.rows[i], Value: v})
			}
		}
	}
	iv := c.Interval.String()
	good, bad := "with z-score "+iv, "with z-score not "+iv
	if strings.HasPrefix(iv, "[") || strings.HasPrefix(iv, "(") {
		good, bad = "with z-score in "+iv, "with z-score outside "+iv
	}
	ok := rowWise(c, r, int64(n), unexpected, sortedRows(fails, e.p.sample), bad, good)
	r.Details = map[string]any{"mean": result.Number(mean), "stddev": result.Number(sd)}
	if n < 2 || sd == 0 || math.IsNaN(sd) || math.IsInf(sd, 0) {
		r.Status = result.Error
		r.Message = fmt.Sprintf("z-scores are undefined: %d values, standard deviation %s", n, result.FormatFloat(sd))
		return false
	}
	r.Message += fmt.Sprintf(" (mean %s, sd %s)", result.Human(mean), result.Human(sd))
	return ok
}

// decodeMonotonic reads increasing | decreasing or {direction, strict,
// by, mostly, severity}.
func decodeMonotonic(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	if r := yamlx.Resolve(n); r == nil || r.Kind != yaml.MappingNode {
		c.Direction, _ = d.Word(n, path, "increasing", "decreasing")
		return
	}
	fields, ok := d.Mapping(n, path, []string{"direction", "strict", "by", "mostly", "severity"})
	if !ok {
		return
	}
	decodeBounds(d, c, n, path, fields, false)
	for _, g := range fields {
		switch g.Key {
		case "direction":
			c.Direction, _ = d.Word(g.Value, g.Path, "increasing", "decreasing")
		case "strict":
			c.Strict, _ = d.Bool(g.Value, g.Path)
		case "by":
			c.OrderBy, _ = d.String(g.Value, g.Path)
		}
	}
	if child(n, "direction") == nil {
		d.Errorf(n, path, "needs direction: increasing or decreasing")
	}
}

// monoSegment is one batch's part of a monotonic check in data order: its
// first and last values, the violations inside it, and the first of them.
type monoSegment struct {
	batch       int
	first, last cell
	firstRow    int64
	unexpected  int64
	sample      []result.Failure
}

// monoAcc is a monotonic check's accumulator: segments in data order, or
// every (order, value, row) with OrderBy.
type monoAcc struct {
	check    *Check
	col, by  int
	limit    int
	segments []monoSegment
	keyed    []monoRow
}

type monoRow struct {
	key, val cell
	row      int64
}

func bindMonotonic(cp *colPlan, c *Check) error {
	by := -1
	if c.OrderBy != "" {
		idx, _, err := cp.otherColumn(c.OrderBy)
		if err != nil {
			return err
		}
		by = idx
	}
	col, limit := cp.idx, cp.sample
	cp.addCustom(c, func() customAcc { return &monoAcc{check: c, col: col, by: by, limit: limit} })
	return nil
}

// breaks reports whether value b after a breaks the check's order.
func (c *Check) breaks(a, b cell) bool {
	cmp := b.compare(a)
	if c.Direction == "decreasing" {
		cmp = -cmp
	}
	return cmp < 0 || (c.Strict && cmp == 0)
}

func (a *monoAcc) add(j job) error {
	read, err := cellReader(j.batch.Column(a.col))
	if err != nil {
		return err
	}
	n := int(j.batch.NumRows())
	if a.by >= 0 {
		key, err := cellReader(j.batch.Column(a.by))
		if err != nil {
			return err
		}
		for i := range n {
			if v := read(i); v.kind != cellMissing {
				a.keyed = append(a.keyed, monoRow{key: key(i), val: v, row: j.offset + int64(i)})
			}
		}
		return nil
	}
	s := monoSegment{batch: j.index}
	for i := range n {
		v := read(i)
		if v.kind == cellMissing {
			continue
		}
		if s.first.kind == cellMissing {
			s.first, s.firstRow = v, j.offset+int64(i)
		} else if a.check.breaks(s.last, v) {
			s.unexpected++
			if a.limit < 0 || len(s.sample) < a.limit {
				s.sample = append(s.sample, result.Failure{Row: j.offset + int64(i), Value: v.display})
			}
		}
		s.last = v
	}
	if s.first.kind != cellMissing {
		a.segments = append(a.segments, s)
	}
	return nil
}

func (a *monoAcc) merge(o customAcc, _ int) {
	b := o.(*monoAcc)
	a.segments = append(a.segments, b.segments...)
	a.keyed = append(a.keyed, b.keyed...)
}

// violations returns the count of values breaking the order, the first
// of them and the number of values evaluated.
func (a *monoAcc) violations(limit int) (unexpected, evaluated int64, sample []result.Failure) {
	c := a.check
	if a.by >= 0 {
		rows := a.keyed
		// By the order column, then by row; rows without an order come last.
		sort.Slice(rows, func(i, j int) bool {
			ki, kj := rows[i].key, rows[j].key
			if (ki.kind == cellMissing) != (kj.kind == cellMissing) {
				return kj.kind == cellMissing
			}
			if ki.kind != cellMissing {
				if cmp := ki.compare(kj); cmp != 0 {
					return cmp < 0
				}
			}
			return rows[i].row < rows[j].row
		})
		for i := 1; i < len(rows); i++ {
			if c.breaks(rows[i-1].val, rows[i].val) {
				unexpected++
				sample = append(sample, result.Failure{Row: rows[i].row, Value: rows[i].val.display})
			}
		}
		return unexpected, int64(len(rows)), sortedRows(sample, limit)
	}
	segs := a.segments
	sort.Slice(segs, func(i, j int) bool { return segs[i].batch < segs[j].batch })
	for i, s := range segs {
		unexpected += s.unexpected
		sample = append(sample, s.sample...)
		if i > 0 && c.breaks(segs[i-1].last, s.first) {
			unexpected++
			sample = append(sample, result.Failure{Row: s.firstRow, Value: s.first.display})
		}
	}
	// In data order the values evaluated are the column's non-null ones,
	// which finish reads from the column's count.
	return unexpected, 0, sortedRows(sample, limit)
}

func finishMonotonic(e *eval, c *Check, r *result.Check) bool {
	a := e.customState(c).(*monoAcc)
	unexpected, evaluated, sample := a.violations(e.p.sample)
	if a.by < 0 {
		evaluated = e.cs.Count
	}
	order := c.Direction
	if c.Strict {
		order = "strictly " + order
	}
	what := "in data order"
	if c.OrderBy != "" {
		what = "ordered by " + c.OrderBy
	}
	ok := rowWise(c, r, evaluated, unexpected, sample, "breaking the "+order+" order "+what, order+" "+what)
	exp := map[string]any{"direction": c.Direction, "strict": c.Strict}
	if c.OrderBy != "" {
		exp["by"] = c.OrderBy
	}
	r.Expected = withMostly(c, exp)
	return ok
}
