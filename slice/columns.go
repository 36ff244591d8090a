package slice

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml/result"
)

// column is one slicing column read across batches: numbers as float64
// (null and NaN as NaN), anything else as text with a validity flag.
type column struct {
	name    string
	numeric bool
	num     []float64
	text    []string
	valid   []bool
}

// readColumn reads the column called name from every batch, in row order.
// Integer and floating-point columns are numeric; string-like columns
// (including dictionaries) are read as their values and any other type
// (booleans, dates, timestamps) as Arrow's text for each value.
func readColumn(data []arrow.RecordBatch, name string) (*column, error) {
	c := &column{name: name}
	for b, batch := range data {
		idx := batch.Schema().FieldIndices(name)
		switch len(idx) {
		case 0:
			names := make([]string, batch.NumCols())
			for i := range names {
				names[i] = batch.ColumnName(i)
			}
			return nil, fmt.Errorf("slice: column %q not found (columns: %s)", name, strings.Join(names, ", "))
		case 1:
		default:
			return nil, fmt.Errorf("slice: column %q appears %d times", name, len(idx))
		}
		a := batch.Column(idx[0])
		numeric := arrow.IsInteger(a.DataType().ID()) || arrow.IsFloating(a.DataType().ID())
		if b > 0 && numeric != c.numeric {
			return nil, fmt.Errorf("slice: column %q: batch %d has type %s, unlike batch 0", name, b, a.DataType())
		}
		c.numeric = numeric
		if numeric {
			at := numericAt(a)
			for i := range a.Len() {
				if a.IsValid(i) {
					c.num = append(c.num, at(i))
				} else {
					c.num = append(c.num, math.NaN())
				}
			}
			continue
		}
		at := textAt(a)
		for i := range a.Len() {
			valid := a.IsValid(i)
			v := ""
			if valid {
				v = at(i)
			}
			c.text = append(c.text, v)
			c.valid = append(c.valid, valid)
		}
	}
	return c, nil
}

// numericAt returns a reader of element i of an integer or floating-point
// array as float64 (integers beyond 2⁵³ lose precision).
func numericAt(a arrow.Array) func(i int) float64 {
	switch c := a.(type) {
	case *array.Int8:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Int16:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Int32:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Int64:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Uint8:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Uint16:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Uint32:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Uint64:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Float16:
		return func(i int) float64 { return float64(c.Value(i).Float32()) }
	case *array.Float32:
		return func(i int) float64 { return float64(c.Value(i)) }
	case *array.Float64:
		return c.Value
	}
	panic(fmt.Sprintf("slice: numericAt: %s is not numeric", a.DataType()))
}

// textAt returns a reader of element i of a non-numeric array as text.
func textAt(a arrow.Array) func(i int) string {
	switch c := a.(type) {
	case *array.String:
		return c.Value
	case *array.LargeString:
		return c.Value
	case *array.StringView:
		return c.Value
	}
	return a.ValueStr
}

// Special slice values, in parentheses so that they do not read as data.
const (
	otherValue = "(other)"
	nullValue  = "(null)"
)

// levels is a column cut along one Dim: a code per row, and per code the
// value text of its slice, in report order (values or bins, then
// "(other)", then "(null)"); only codes that have rows exist.
type levels struct {
	dim    Dim
	codes  []int
	values []string
	counts []int
	merged []string  // by value: the values merged into "(other)"
	edges  []float64 // binned: the edges used
}

// cut cuts c along d. By value, a value seen in fewer than minSize rows
// is merged into "(other)".
func cut(c *column, d Dim, minSize int) (*levels, error) {
	if d.byValue() {
		if c.numeric {
			return cutValues(d, c.num, func(v float64) bool { return math.IsNaN(v) }, cmp.Compare[float64], result.FormatFloat, minSize), nil
		}
		isNull := make([]bool, len(c.valid))
		for i, ok := range c.valid {
			isNull[i] = !ok
		}
		rows := make([]int, len(c.text))
		for i := range rows {
			rows[i] = i
		}
		return cutValues(d, rows, func(i int) bool { return isNull[i] }, func(a, b int) int { return strings.Compare(c.text[a], c.text[b]) },
			func(i int) string { return c.text[i] }, minSize), nil
	}
	if !c.numeric {
		what := "bins"
		if d.Quantiles > 0 {
			what = "quantiles"
		}
		return nil, fmt.Errorf("slice: column %q: %s need a numeric column, but it holds text (cut it by value instead)", c.name, what)
	}
	edges := d.Bins
	if d.Quantiles > 0 {
		var err error
		if edges, err = quantileEdges(c, d.Quantiles); err != nil {
			return nil, err
		}
	}
	return cutBins(d, c.num, edges), nil
}

// cutValues cuts by value: vals[i] is row i's value; values are ordered
// by compare and named by text.
func cutValues[T any](d Dim, vals []T, isNull func(T) bool, compare func(a, b T) int, text func(T) string, minSize int) *levels {
	// Sort a permutation of the non-null rows by value to find the
	// distinct values and their counts without a map.
	order := make([]int, 0, len(vals))
	nulls := 0
	for i, v := range vals {
		if isNull(v) {
			nulls++
		} else {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return compare(vals[a], vals[b]) })
	l := &levels{dim: d, codes: make([]int, len(vals))}
	type run struct{ start, end int }
	var runs []run
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && compare(vals[order[i]], vals[order[j]]) == 0 {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	for _, r := range runs {
		name := text(vals[order[r.start]])
		code := len(l.values)
		if r.end-r.start < minSize {
			l.merged = append(l.merged, name)
			code = -1 // assigned once every kept value has its code
		} else {
			l.values = append(l.values, name)
			l.counts = append(l.counts, r.end-r.start)
		}
		for _, row := range order[r.start:r.end] {
			l.codes[row] = code
		}
	}
	if len(l.merged) > 0 {
		other := len(l.values)
		l.values = append(l.values, otherValue)
		l.counts = append(l.counts, 0)
		for _, row := range order {
			if l.codes[row] == -1 {
				l.codes[row] = other
				l.counts[other]++
			}
		}
	}
	if nulls > 0 {
		null := len(l.values)
		l.values = append(l.values, nullValue)
		l.counts = append(l.counts, nulls)
		for i, v := range vals {
			if isNull(v) {
				l.codes[i] = null
			}
		}
	}
	return l
}

// quantileEdges returns the edges of k bins of about equal counts of the
// finite values of c: the minimum, the values at ranks ⌊j·n/k⌋ (so that
// each half-open bin [a,b) holds about n/k values), and the maximum, with
// ties merged.
func quantileEdges(c *column, k int) ([]float64, error) {
	var vals []float64
	for _, v := range c.num {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vals = append(vals, v)
		}
	}
	if len(vals) < k {
		return nil, fmt.Errorf("slice: column %q: quantiles: %d needs at least %d finite values, got %d", c.name, k, k, len(vals))
	}
	slices.Sort(vals)
	n := len(vals)
	edges := []float64{vals[0]}
	for j := 1; j < k; j++ {
		edges = append(edges, vals[j*n/k])
	}
	edges = append(edges, vals[n-1])
	edges = slices.Compact(edges)
	if len(edges) == 1 {
		// A constant column: one closed bin [v,v].
		edges = append(edges, edges[0])
	}
	return edges, nil
}

// cutBins cuts numbers by edges: bins [e_i, e_i+1), the last one closed,
// then "(-Inf,e0)" before them and "(ek,+Inf)" after, then "(null)" for
// NaN. Bins without rows are left out.
func cutBins(d Dim, vals []float64, edges []float64) *levels {
	k := len(edges) - 1
	const below = 0 // raw codes: 0 below, 1..k the bins, k+1 above, k+2 null
	above, null := k+1, k+2
	raw := make([]int, len(vals))
	counts := make([]int, k+3)
	for i, v := range vals {
		var c int
		switch {
		case math.IsNaN(v):
			c = null
		case v < edges[0]:
			c = below
		case v > edges[k]:
			c = above
		case v == edges[k]:
			c = k
		default:
			// The first edge above v closes v's bin.
			j, _ := slices.BinarySearch(edges, v)
			if j < len(edges) && edges[j] == v {
				j++
			}
			c = j
		}
		raw[i] = c
		counts[c]++
	}
	f := result.FormatFloat
	if d.Quantiles > 0 {
		f = edgeFormat(edges)
	}
	name := func(c int) string {
		switch {
		case c == below:
			return "(-Inf," + f(edges[0]) + ")"
		case c == above:
			return "(" + f(edges[k]) + ",+Inf)"
		case c == null:
			return nullValue
		case c == k:
			return "[" + f(edges[k-1]) + "," + f(edges[k]) + "]"
		}
		return "[" + f(edges[c-1]) + "," + f(edges[c]) + ")"
	}
	l := &levels{dim: d, codes: raw, edges: edges}
	remap := make([]int, len(counts))
	for c, n := range counts {
		if n > 0 {
			remap[c] = len(l.values)
			l.values = append(l.values, name(c))
			l.counts = append(l.counts, n)
		}
	}
	for i, c := range raw {
		raw[i] = remap[c]
	}
	return l
}

// edgeFormat returns a formatter for data-derived edges: 6 significant
// digits, or more when fewer would make two edges read the same.
func edgeFormat(edges []float64) func(float64) string {
	for _, prec := range []int{6, 10} {
		f := func(v float64) string { return strconv.FormatFloat(v, 'g', prec, 64) }
		distinct := true
		for i := 1; i < len(edges); i++ {
			distinct = distinct && (edges[i] == edges[i-1] || f(edges[i]) != f(edges[i-1]))
		}
		if distinct {
			return f
		}
	}
	return result.FormatFloat
}
