package profile

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Options configure a Profiler. The zero value uses the defaults.
type Options struct {
	// RelativeAccuracy is the sketches' α, in (0, 1); 0 means
	// DefaultRelativeAccuracy.
	RelativeAccuracy float64
	// MaxDistinct is the most distinct values counted exactly per column;
	// 0 means DefaultMaxDistinct.
	MaxDistinct int
}

func (o Options) withDefaults() Options {
	if o.RelativeAccuracy == 0 {
		o.RelativeAccuracy = DefaultRelativeAccuracy
	}
	if o.MaxDistinct == 0 {
		o.MaxDistinct = DefaultMaxDistinct
	}
	return o
}

// Profiler accumulates the profile of some columns over record batches.
// It is not safe for concurrent use; profile parts of the data with
// several Profilers and Merge them.
type Profiler struct {
	opts Options
	rows int64
	cols []*acc
}

// New returns a Profiler of the named columns of schema, in that order
// (every column in schema order when columns is empty). A name schema lacks
// or lists twice is an error. It panics when opts.RelativeAccuracy is not
// in (0, 1) or opts.MaxDistinct is negative.
func New(schema *arrow.Schema, columns []string, opts Options) (*Profiler, error) {
	opts = opts.withDefaults()
	if !(opts.RelativeAccuracy > 0 && opts.RelativeAccuracy < 1) || opts.MaxDistinct < 0 {
		panic(fmt.Sprintf("profile: invalid options %+v", opts))
	}
	if len(columns) == 0 {
		for _, f := range schema.Fields() {
			columns = append(columns, f.Name)
		}
	}
	p := &Profiler{opts: opts}
	seen := map[string]bool{}
	for _, name := range columns {
		if seen[name] {
			return nil, fmt.Errorf("profile: column %q is listed twice", name)
		}
		seen[name] = true
		idx := schema.FieldIndices(name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("profile: no column %q; columns are %s", name, strings.Join(fieldNames(schema), ", "))
		}
		p.cols = append(p.cols, newAcc(name, schema.Field(idx[0]).Type, opts))
	}
	return p, nil
}

func fieldNames(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

// Update adds the rows of b. Its columns are found by name; it panics when
// b lacks one or holds it with another type than the schema given to New.
func (p *Profiler) Update(b arrow.RecordBatch) {
	p.rows += b.NumRows()
	sc := b.Schema()
	for _, a := range p.cols {
		idx := sc.FieldIndices(a.name)
		if len(idx) == 0 {
			panic(fmt.Sprintf("profile: batch has no column %q", a.name))
		}
		col := b.Column(idx[0])
		if !arrow.TypeEqual(col.DataType(), a.dt) {
			panic(fmt.Sprintf("profile: column %q is %s in this batch, %s before", a.name, col.DataType(), a.dt))
		}
		a.update(col)
	}
}

// Merge adds what other has seen to p; other must profile the same columns
// with the same types and options (else Merge panics) and is not to be
// used afterwards.
func (p *Profiler) Merge(other *Profiler) {
	if len(p.cols) != len(other.cols) || p.opts != other.opts {
		panic("profile: Merge of profilers of different columns or options")
	}
	p.rows += other.rows
	for i, a := range p.cols {
		b := other.cols[i]
		if a.name != b.name || !arrow.TypeEqual(a.dt, b.dt) {
			panic(fmt.Sprintf("profile: Merge of column %q (%s) with %q (%s)", a.name, a.dt, b.name, b.dt))
		}
		a.merge(b)
	}
}

// Finish returns the profile of everything seen so far. The Profiler may
// go on being updated; the Profile does not change with it.
func (p *Profiler) Finish() *Profile {
	out := &Profile{Version: Version, Rows: p.rows, RelativeAccuracy: p.opts.RelativeAccuracy, MaxDistinct: p.opts.MaxDistinct,
		Columns: make([]Column, len(p.cols))}
	for i, a := range p.cols {
		out.Columns[i] = a.finish()
	}
	return out
}

// Read profiles the named columns (every column when columns is empty) of
// every batch rr yields, with the default Options. It does not release rr.
func Read(ctx context.Context, rr array.RecordReader, columns []string) (*Profile, error) {
	p, err := New(rr.Schema(), columns, Options{})
	if err != nil {
		return nil, err
	}
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.Update(rr.RecordBatch())
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	return p.Finish(), nil
}

// KindOf returns the Kind of an Arrow type.
func KindOf(dt arrow.DataType) Kind {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64:
		return Numeric
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return String
	case arrow.DICTIONARY:
		if KindOf(dt.(*arrow.DictionaryType).ValueType) == String {
			return String
		}
	case arrow.BOOL:
		return Boolean
	}
	return Other
}

// acc accumulates one column.
type acc struct {
	name string
	dt   arrow.DataType
	kind Kind
	opts Options

	count, nulls int64

	// numeric
	mean, m2, min, max float64
	sketch             *ddsketch.DDSketch
	nums               map[float64]int64
	buf                []float64 // one batch's non-null values

	// string and boolean
	strs           map[string]int64
	minLen, maxLen int64
	dictCounts     []int64

	high bool // more than MaxDistinct distinct values
}

func newAcc(name string, dt arrow.DataType, opts Options) *acc {
	a := &acc{name: name, dt: dt, kind: KindOf(dt), opts: opts, min: math.Inf(1), max: math.Inf(-1), minLen: math.MaxInt64, maxLen: -1}
	switch a.kind {
	case Numeric:
		a.sketch = newSketch(opts.RelativeAccuracy)
		a.nums = map[float64]int64{}
	case String, Boolean:
		a.strs = map[string]int64{}
	}
	return a
}

func (a *acc) update(col arrow.Array) {
	switch a.kind {
	case Numeric:
		a.updateNumeric(col)
	case String:
		a.updateString(col)
	case Boolean:
		a.updateBool(col.(*array.Boolean))
	default:
		a.nulls += int64(col.NullN())
		a.count += int64(col.Len() - col.NullN())
	}
}

// values appends the non-null, non-NaN values of col to buf as float64.
func appendValues[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](buf []float64, vals []T, col arrow.Array) []float64 {
	if col.NullN() == 0 {
		for _, v := range vals {
			buf = append(buf, float64(v))
		}
		return buf
	}
	for i, v := range vals {
		if col.IsValid(i) {
			buf = append(buf, float64(v))
		}
	}
	return buf
}

func (a *acc) updateNumeric(col arrow.Array) {
	buf := a.buf[:0]
	switch c := col.(type) {
	case *array.Int8:
		buf = appendValues(buf, c.Int8Values(), col)
	case *array.Int16:
		buf = appendValues(buf, c.Int16Values(), col)
	case *array.Int32:
		buf = appendValues(buf, c.Int32Values(), col)
	case *array.Int64:
		buf = appendValues(buf, c.Int64Values(), col)
	case *array.Uint8:
		buf = appendValues(buf, c.Uint8Values(), col)
	case *array.Uint16:
		buf = appendValues(buf, c.Uint16Values(), col)
	case *array.Uint32:
		buf = appendValues(buf, c.Uint32Values(), col)
	case *array.Uint64:
		buf = appendValues(buf, c.Uint64Values(), col)
	case *array.Float32:
		buf = appendValues(buf, c.Float32Values(), col)
	case *array.Float64:
		buf = appendValues(buf, c.Float64Values(), col)
	default:
		panic(fmt.Sprintf("profile: column %q: unexpected array %T", a.name, col))
	}
	if a.dt.ID() == arrow.FLOAT32 || a.dt.ID() == arrow.FLOAT64 {
		// NaN is null, as in package expect.
		buf = slices.DeleteFunc(buf, math.IsNaN)
	}
	a.buf = buf
	a.nulls += int64(col.Len() - len(buf))
	if len(buf) == 0 {
		return
	}
	// The batch's moments in two passes, then Chan et al.'s merge.
	var sum float64
	lo, hi := a.min, a.max
	for _, v := range buf {
		sum += v
		lo = min(lo, v)
		hi = max(hi, v)
	}
	a.min, a.max = lo, hi
	// While the values are counted exactly the sketch is built from the
	// counts, at the end or when there are too many of them.
	rest := buf
	if a.nums != nil {
		rest = nil
		for i, v := range buf {
			a.nums[v]++
			if len(a.nums) > a.opts.MaxDistinct {
				a.flushNums()
				rest = buf[i+1:]
				break
			}
		}
	}
	for _, v := range rest {
		addClamped(a.sketch, v)
	}
	nb := float64(len(buf))
	mb := sum / nb
	var m2b float64
	if !math.IsInf(mb, 0) && !math.IsNaN(mb) {
		for _, v := range buf {
			d := v - mb
			m2b += d * d
		}
	} else {
		m2b = math.NaN()
	}
	a.addMoments(int64(len(buf)), mb, m2b)
}

// flushNums moves the exact counts into the sketch and marks the column
// high-cardinality.
func (a *acc) flushNums() {
	for v, c := range a.nums {
		addCountClamped(a.sketch, v, float64(c))
	}
	a.nums = nil
	a.high = true
}

// addMoments merges a group of n values of mean mb and sum of squared
// deviations m2b into the running moments.
func (a *acc) addMoments(n int64, mb, m2b float64) {
	if n == 0 {
		return
	}
	na, nb := float64(a.count), float64(n)
	tot := na + nb
	if a.count == 0 {
		a.mean, a.m2 = mb, m2b
	} else {
		d := mb - a.mean
		a.mean += d * nb / tot
		a.m2 += m2b + d*d*na*nb/tot
	}
	a.count += n
}

// checkCardinality drops the exact counts once there are too many.
func (a *acc) checkCardinality(distinct int) {
	if distinct > a.opts.MaxDistinct {
		a.high = true
		a.nums, a.strs = nil, nil
	}
}

type stringArray interface {
	arrow.Array
	Value(int) string
}

func (a *acc) updateString(col arrow.Array) {
	if d, ok := col.(*array.Dictionary); ok {
		a.updateDictionary(d)
		return
	}
	c := col.(stringArray)
	n := c.Len()
	lo, hi := a.minLen, a.maxLen
	var valid int64
	for i := 0; i < n; i++ {
		if c.IsNull(i) {
			continue
		}
		valid++
		s := c.Value(i)
		l := int64(utf8.RuneCountInString(s))
		lo = min(lo, l)
		hi = max(hi, l)
		if a.strs != nil {
			if _, ok := a.strs[s]; !ok {
				// Map keys must not alias the batch's buffers.
				s = strings.Clone(s)
			}
			a.strs[s]++
			if len(a.strs) > a.opts.MaxDistinct {
				a.checkCardinality(len(a.strs))
			}
		}
	}
	a.minLen, a.maxLen = lo, hi
	a.count += valid
	a.nulls += int64(n) - valid
}

// updateDictionary counts indices first, so each value costs an array
// increment, and each dictionary entry one map update per batch.
func (a *acc) updateDictionary(d *array.Dictionary) {
	dict := d.Dictionary().(stringArray)
	counts := a.dictCounts[:0]
	for range dict.Len() {
		counts = append(counts, 0)
	}
	n := d.Len()
	var valid int64
	for i := 0; i < n; i++ {
		if d.IsNull(i) {
			continue
		}
		valid++
		counts[d.GetValueIndex(i)]++
	}
	a.dictCounts = counts
	for j, c := range counts {
		if c == 0 {
			continue
		}
		s := dict.Value(j)
		l := int64(utf8.RuneCountInString(s))
		a.minLen, a.maxLen = min(a.minLen, l), max(a.maxLen, l)
		if a.strs != nil {
			a.strs[strings.Clone(s)] += c
			a.checkCardinality(len(a.strs))
		}
	}
	a.count += valid
	a.nulls += int64(n) - valid
}

func (a *acc) updateBool(c *array.Boolean) {
	var t, f int64
	for i := 0; i < c.Len(); i++ {
		if c.IsNull(i) {
			continue
		}
		if c.Value(i) {
			t++
		} else {
			f++
		}
	}
	if t > 0 {
		a.strs["true"] += t
	}
	if f > 0 {
		a.strs["false"] += f
	}
	a.count += t + f
	a.nulls += int64(c.NullN())
}

func (a *acc) merge(b *acc) {
	a.nulls += b.nulls
	switch a.kind {
	case Numeric:
		a.min, a.max = min(a.min, b.min), max(a.max, b.max)
		if err := a.sketch.MergeWith(b.sketch); err != nil {
			panic(fmt.Sprintf("profile: merge sketches: %v", err)) // same options, same mapping
		}
		a.addMoments(b.count, b.mean, b.m2)
		switch {
		case a.nums != nil && b.nums != nil:
			for v, c := range b.nums {
				a.nums[v] += c
			}
			if len(a.nums) > a.opts.MaxDistinct {
				a.flushNums()
			}
		case a.nums != nil:
			a.flushNums()
		case b.nums != nil:
			for v, c := range b.nums {
				addCountClamped(a.sketch, v, float64(c))
			}
		}
		return
	case String:
		a.minLen, a.maxLen = min(a.minLen, b.minLen), max(a.maxLen, b.maxLen)
	}
	a.count += b.count
	a.high = a.high || b.high
	if a.high {
		a.strs = nil
	} else if a.strs != nil {
		for v, c := range b.strs {
			a.strs[v] += c
		}
		a.checkCardinality(len(a.strs))
	}
}

func (a *acc) finish() Column {
	c := Column{Name: a.name, Type: a.dt.String(), Kind: a.kind, Count: a.count, Nulls: a.nulls, HighCardinality: a.high}
	switch a.kind {
	case Numeric:
		if a.count > 0 {
			sd := math.NaN()
			if a.count > 1 {
				sd = math.Sqrt(a.m2 / float64(a.count-1))
			}
			sk := a.sketch
			if a.nums != nil {
				sk = a.sketch.Copy()
				for v, n := range a.nums {
					addCountClamped(sk, v, float64(n))
				}
			}
			ns := &NumericSummary{Min: Float(a.min), Max: Float(a.max), Mean: Float(a.mean), Stddev: Float(sd),
				Sketch: saveSketch(sk, a.opts.RelativeAccuracy)}
			if !a.high {
				ns.Values = make([]NumberCount, 0, len(a.nums))
				for v, n := range a.nums {
					ns.Values = append(ns.Values, NumberCount{Value: Float(v), Count: n})
				}
				slices.SortFunc(ns.Values, func(x, y NumberCount) int { return cmpFloat(float64(x.Value), float64(y.Value)) })
			}
			c.Numeric = ns
		}
		if !a.high {
			d := int64(len(a.nums))
			c.Distinct = &d
		}
	case String, Boolean:
		if !a.high {
			c.Values = make([]ValueCount, 0, len(a.strs))
			for v, n := range a.strs {
				c.Values = append(c.Values, ValueCount{Value: v, Count: n})
			}
			slices.SortFunc(c.Values, func(x, y ValueCount) int { return strings.Compare(x.Value, y.Value) })
			d := int64(len(a.strs))
			c.Distinct = &d
		}
		if a.kind == String && a.count > 0 {
			c.Lengths = &Lengths{Min: a.minLen, Max: a.maxLen}
		}
	}
	return c
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
