package profile

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml/internal/accum"
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
	opts    Options
	rows    int64
	batches int // batches seen, numbering the moments of each
	scratch accum.Scratch
	cols    []*acc
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
		a.col.AddArray(&p.scratch, col, p.batches)
	}
	p.batches++
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
		// other's batches come after p's.
		b.col.ShiftBatches(p.batches)
		a.col.Merge(b.col)
	}
	p.batches += other.batches
}

// Columns returns the names of the profiled columns, in profile order.
func (p *Profiler) Columns() []string {
	out := make([]string, len(p.cols))
	for i, a := range p.cols {
		out[i] = a.name
	}
	return out
}

// Accumulators returns, for the column at index i of Columns, a new empty
// accumulator with the distribution the profile reads turned on: what a
// scan that computes the profile's statistics itself (package expect's,
// one per worker) fills and hands back with Absorb.
func (p *Profiler) Accumulators(i int) *accum.Column {
	c := accum.NewColumn(p.cols[i].name)
	enable(c, p.cols[i].kind, p.opts)
	return c
}

// Kind returns the profile kind of the column at index i of Columns.
func (p *Profiler) Kind(i int) Kind { return p.cols[i].kind }

// Absorb adds rows rows, over which the profiled columns were
// accumulated in cols (one per column of Columns, in that order, from
// Accumulators, filled and merged elsewhere over batches that come after
// any the Profiler has seen), to the profile. cols are not to be used
// afterwards; Absorb panics when their number is not the profile's.
func (p *Profiler) Absorb(rows int64, cols []*accum.Column) {
	if len(cols) != len(p.cols) {
		panic(fmt.Sprintf("profile: Absorb of %d columns into a profile of %d", len(cols), len(p.cols)))
	}
	p.rows += rows
	n := 0
	for i, c := range cols {
		for _, m := range c.Batches {
			n = max(n, m.Batch+1)
		}
		c.ShiftBatches(p.batches)
		p.cols[i].col.Merge(c)
	}
	p.batches += n
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

// acc accumulates one column in the accumulators package expect shares.
type acc struct {
	name string
	dt   arrow.DataType
	kind Kind
	opts Options
	col  *accum.Column
}

func newAcc(name string, dt arrow.DataType, opts Options) *acc {
	a := &acc{name: name, dt: dt, kind: KindOf(dt), opts: opts, col: accum.NewColumn(name)}
	enable(a.col, a.kind, opts)
	return a
}

// enable turns on the distribution a profile of kind reads.
func enable(c *accum.Column, kind Kind, opts Options) {
	switch kind {
	case Numeric:
		c.EnableNumbers(opts.RelativeAccuracy, opts.MaxDistinct)
	case String, Boolean:
		c.EnableStrings(opts.MaxDistinct)
	}
}

func (a *acc) finish() Column {
	ac := a.col
	c := Column{Name: a.name, Type: a.dt.String(), Kind: a.kind, Count: ac.Count, Nulls: ac.Nulls, HighCardinality: ac.High}
	switch a.kind {
	case Numeric:
		if ac.Count > 0 {
			m := ac.Summarize()
			ns := &NumericSummary{Min: Float(ac.Min), Max: Float(ac.Max), Mean: Float(m.Mean), Stddev: Float(m.Stddev),
				Sketch: saveSketch(ac.FullSketch(), a.opts.RelativeAccuracy)}
			if !ac.High {
				ns.Values = make([]NumberCount, 0, len(ac.Nums))
				for v, n := range ac.Nums {
					ns.Values = append(ns.Values, NumberCount{Value: Float(v), Count: n})
				}
				slices.SortFunc(ns.Values, func(x, y NumberCount) int { return cmpFloat(float64(x.Value), float64(y.Value)) })
			}
			c.Numeric = ns
		}
		if !ac.High {
			d := int64(len(ac.Nums))
			c.Distinct = &d
		}
	case String, Boolean:
		if !ac.High {
			c.Values = make([]ValueCount, 0, len(ac.Strs))
			for v, n := range ac.Strs {
				c.Values = append(c.Values, ValueCount{Value: v, Count: n})
			}
			slices.SortFunc(c.Values, func(x, y ValueCount) int { return strings.Compare(x.Value, y.Value) })
			d := int64(len(ac.Strs))
			c.Distinct = &d
		}
		if a.kind == String && ac.Count > 0 {
			c.Lengths = &Lengths{Min: int64(ac.MinLen), Max: int64(ac.MaxLen)}
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
