package checklist

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/stat"

	"github.com/trustml/trustml/result"

	"github.com/trustml/trustml/internal/arrowx"
)

// kind tells how the values of a column are held and perturbed.
type kind int

const (
	numeric kind = iota + 1 // integer and floating-point types, held as float64
	text                    // string, large string, string view, dictionary of strings
	other                   // any other type, held as the text of ValueStr
)

// column holds every value of one feature in the data.
type column struct {
	name    string
	typ     arrow.DataType
	kind    kind
	integer bool
	num     []float64 // numeric
	str     []string  // text and other
	valid   []bool

	// statistics, computed on first use
	defaultSet bool
	def        cell
	levels     []cell
}

// cell is one value of a row: num for numeric columns, str for the others.
type cell struct {
	num  float64
	str  string
	null bool
}

func (c cell) equal(o cell) bool {
	if c.null || o.null {
		return c.null == o.null
	}
	return c.str == o.str && (c.num == o.num || (math.IsNaN(c.num) && math.IsNaN(o.num)))
}

// row holds one cell per feature, in feature order.
type row []cell

func (r row) clone() row { return slices.Clone(r) }

func (r row) equal(o row) bool {
	return slices.EqualFunc(r, o, cell.equal)
}

// frame is the data the base rows are drawn from.
type frame struct {
	cols   []*column
	index  map[string]int
	n      int
	target []float64 // finite target values; nil when Options.Target is empty
	origin []int     // Options.DataRows: data row of each row; nil: identity
}

// dataRow returns the data row of row i.
func (f *frame) dataRow(i int) int {
	if f.origin == nil {
		return i
	}
	return f.origin[i]
}

// readFrame reads the feature columns (and the target) of data.
func readFrame(data []arrow.RecordBatch, features []string, target string) (*frame, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("checklist: no data: the base rows are drawn from it")
	}
	schema := data[0].Schema()
	if features == nil {
		for _, f := range schema.Fields() {
			if f.Name != target {
				features = append(features, f.Name)
			}
		}
	}
	if len(features) == 0 {
		return nil, fmt.Errorf("checklist: no feature columns")
	}
	f := &frame{index: map[string]int{}}
	for i, name := range features {
		if _, dup := f.index[name]; dup {
			return nil, fmt.Errorf("checklist: feature %q is listed twice", name)
		}
		f.index[name] = i
	}
	for b, batch := range data {
		for i, name := range features {
			a, err := arrowx.Column(batch, name)
			if err != nil {
				return nil, fmt.Errorf("checklist: data batch %d: %w", b, err)
			}
			if b == 0 {
				f.cols = append(f.cols, newColumn(name, a.DataType()))
			}
			if err := f.cols[i].read(a); err != nil {
				return nil, fmt.Errorf("checklist: data batch %d: column %q: %w", b, name, err)
			}
		}
		if target != "" {
			a, err := arrowx.Column(batch, target)
			if err != nil {
				return nil, fmt.Errorf("checklist: data batch %d: target: %w", b, err)
			}
			at, ok := arrowx.NumericAt(a)
			if !ok {
				return nil, fmt.Errorf("checklist: target %q: type %s is not numeric", target, a.DataType())
			}
			for i := range a.Len() {
				if v, valid := at(i); valid && !math.IsNaN(v) && !math.IsInf(v, 0) {
					f.target = append(f.target, v)
				}
			}
		}
		f.n += int(batch.NumRows())
	}
	return f, nil
}

func newColumn(name string, t arrow.DataType) *column {
	c := &column{name: name, typ: t, kind: other}
	switch {
	case arrow.IsInteger(t.ID()):
		c.kind, c.integer = numeric, true
	case arrow.IsFloating(t.ID()):
		c.kind = numeric
	case isText(t):
		c.kind = text
	}
	return c
}

func isText(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	case arrow.DICTIONARY:
		return isText(t.(*arrow.DictionaryType).ValueType)
	}
	return false
}

func (c *column) read(a arrow.Array) error {
	if !arrow.TypeEqual(a.DataType(), c.typ) {
		return fmt.Errorf("type %s differs from %s in the first batch", a.DataType(), c.typ)
	}
	switch c.kind {
	case numeric:
		at, _ := arrowx.NumericAt(a)
		for i := range a.Len() {
			v, valid := at(i)
			c.num = append(c.num, v)
			c.valid = append(c.valid, valid)
		}
	case text:
		at, _ := arrowx.StringAt(a)
		for i := range a.Len() {
			s, valid := at(i)
			c.str = append(c.str, s)
			c.valid = append(c.valid, valid)
		}
	default:
		for i := range a.Len() {
			valid := a.IsValid(i)
			s := ""
			if valid {
				s = a.ValueStr(i)
			}
			c.str = append(c.str, s)
			c.valid = append(c.valid, valid)
		}
	}
	return nil
}

func (c *column) at(i int) cell {
	if !c.valid[i] {
		return cell{null: true}
	}
	if c.kind == numeric {
		return cell{num: c.num[i]}
	}
	return cell{str: c.str[i]}
}

// finite returns the column's non-null, finite values (numeric columns).
func (c *column) finite() []float64 {
	var out []float64
	for i, v := range c.num {
		if c.valid[i] && !math.IsNaN(v) && !math.IsInf(v, 0) {
			out = append(out, v)
		}
	}
	return out
}

// defaultCell is the value a column takes when an input does not name it:
// the median of a numeric column (the mean of the two middle values,
// rounded on integer columns), the most frequent value of another (the
// smallest on a tie), null when the column has no value.
func (c *column) defaultCell() cell {
	if c.defaultSet {
		return c.def
	}
	c.defaultSet = true
	c.def = cell{null: true}
	if c.kind == numeric {
		v := c.finite()
		if len(v) == 0 {
			return c.def
		}
		slices.Sort(v)
		m := v[len(v)/2]
		if len(v)%2 == 0 {
			m = (v[len(v)/2-1] + m) / 2
		}
		if c.integer {
			m = math.Round(m)
		}
		c.def = cell{num: m}
		return c.def
	}
	counts := map[string]int{}
	for i, s := range c.str {
		if c.valid[i] {
			counts[s]++
		}
	}
	best, bestN := "", 0
	for s, n := range counts {
		if n > bestN || (n == bestN && s < best) {
			best, bestN = s, n
		}
	}
	if bestN > 0 {
		c.def = cell{str: best}
	}
	return c.def
}

// distinct returns the column's distinct non-null values, sorted.
func (c *column) distinct() []cell {
	if c.levels != nil {
		return c.levels
	}
	seen := map[cell]bool{}
	for i := range c.valid {
		if x := c.at(i); !x.null && !math.IsNaN(x.num) {
			seen[x] = true
		}
	}
	c.levels = make([]cell, 0, len(seen))
	for x := range seen {
		c.levels = append(c.levels, x)
	}
	slices.SortFunc(c.levels, func(a, b cell) int {
		return cmp.Or(cmp.Compare(a.num, b.num), strings.Compare(a.str, b.str))
	})
	return c.levels
}

// stddev is the sample standard deviation of the column's finite values.
func (c *column) stddev() (float64, error) {
	v := c.finite()
	if len(v) < 2 {
		return 0, fmt.Errorf("column %q has %d finite values; a standard deviation needs 2", c.name, len(v))
	}
	return stat.StdDev(v, nil), nil
}

// span returns the smallest and largest finite value of the column.
func (c *column) span() (lo, hi float64, err error) {
	v := c.finite()
	if len(v) == 0 {
		return 0, 0, fmt.Errorf("column %q has no finite value", c.name)
	}
	return slices.Min(v), slices.Max(v), nil
}

// value converts a value given in a suite or in Go to a cell of c. An
// explicit number written to an integer column must be an integer in the
// column type's range.
func (c *column) value(v any) (cell, error) {
	if v == nil {
		return cell{null: true}, nil
	}
	switch c.kind {
	case numeric:
		f, ok := toFloat(v)
		if !ok {
			return cell{}, fmt.Errorf("column %q is %s: %v (%T) is not a number", c.name, c.typ, v, v)
		}
		if err := c.fits(f); err != nil {
			return cell{}, err
		}
		return cell{num: f}, nil
	case text:
		switch v := v.(type) {
		case string:
			return cell{str: v}, nil
		case bool:
			return cell{str: strconv.FormatBool(v)}, nil
		}
		if f, ok := toFloat(v); ok {
			return cell{str: strconv.FormatFloat(f, 'g', -1, 64)}, nil
		}
		return cell{}, fmt.Errorf("column %q is %s: %v (%T) is not text", c.name, c.typ, v, v)
	}
	s := fmt.Sprint(v)
	b := array.NewBuilder(memory.DefaultAllocator, c.typ)
	defer b.Release()
	if err := b.AppendValueFromString(s); err != nil {
		return cell{}, fmt.Errorf("column %q is %s: %q does not fit: %w", c.name, c.typ, s, err)
	}
	return cell{str: s}, nil
}

// fits reports a number that an integer column cannot hold.
func (c *column) fits(f float64) error {
	if !c.integer || math.IsNaN(f) {
		return nil
	}
	if f != math.Trunc(f) {
		return fmt.Errorf("column %q is %s: %s is not an integer", c.name, c.typ, result.Human(f))
	}
	lo, hi := intRange(c.typ)
	if f < lo || f > hi {
		return fmt.Errorf("column %q is %s: %s is out of range", c.name, c.typ, result.Human(f))
	}
	return nil
}

// derived rounds a computed number for an integer column and checks it.
func (c *column) derived(f float64) (float64, error) {
	if c.integer {
		f = math.Round(f)
	}
	return f, c.fits(f)
}

func intRange(t arrow.DataType) (lo, hi float64) {
	switch t.ID() {
	case arrow.INT8:
		return math.MinInt8, math.MaxInt8
	case arrow.INT16:
		return math.MinInt16, math.MaxInt16
	case arrow.INT32:
		return math.MinInt32, math.MaxInt32
	case arrow.UINT8:
		return 0, math.MaxUint8
	case arrow.UINT16:
		return 0, math.MaxUint16
	case arrow.UINT32:
		return 0, math.MaxUint32
	case arrow.UINT64:
		return 0, math.MaxUint64
	}
	return math.MinInt64, math.MaxInt64
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}

// show formats a cell for people and its JSON value.
func (c *column) show(x cell) string {
	switch {
	case x.null:
		return "null"
	case c.kind == numeric:
		return result.Human(x.num)
	}
	return x.str
}

func (c *column) jsonValue(x cell) any {
	switch {
	case x.null:
		return nil
	case c.kind == numeric:
		return result.Number(x.num)
	}
	return x.str
}

// complete returns the rows in which no feature is null, NaN or ±Inf.
func (f *frame) complete() []int {
	var rows []int
	for i := range f.n {
		ok := true
		for _, c := range f.cols {
			if !c.valid[i] || (c.kind == numeric && (math.IsNaN(c.num[i]) || math.IsInf(c.num[i], 0))) {
				ok = false
				break
			}
		}
		if ok {
			rows = append(rows, i)
		}
	}
	return rows
}

func (f *frame) row(i int) row {
	r := make(row, len(f.cols))
	for j, c := range f.cols {
		r[j] = c.at(i)
	}
	return r
}

// column returns the feature called name, or an error listing the features.
func (f *frame) column(name string) (int, *column, error) {
	j, ok := f.index[name]
	if !ok {
		names := make([]string, len(f.cols))
		for i, c := range f.cols {
			names[i] = c.name
		}
		return 0, nil, fmt.Errorf("column %q is not a feature (features: %s)", name, strings.Join(names, ", "))
	}
	return j, f.cols[j], nil
}

// fill makes a row from an input: named columns take its values, the
// others their default.
func (f *frame) fill(in Input) (row, error) {
	r := make(row, len(f.cols))
	for j, c := range f.cols {
		if _, named := in[c.name]; !named {
			r[j] = c.defaultCell()
		}
	}
	for _, name := range sortedKeys(in) {
		j, c, err := f.column(name)
		if err != nil {
			return nil, err
		}
		if r[j], err = c.value(in[name]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// batch builds rows as a record batch of the features, in their types.
func (f *frame) batch(mem memory.Allocator, rows []row) (arrow.RecordBatch, error) {
	fields := make([]arrow.Field, len(f.cols))
	arrs := make([]arrow.Array, 0, len(f.cols))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for j, c := range f.cols {
		fields[j] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		a, err := c.build(mem, rows, j)
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, a)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(len(rows))), nil
}

func (c *column) build(mem memory.Allocator, rows []row, j int) (arrow.Array, error) {
	b := array.NewBuilder(mem, c.typ)
	defer b.Release()
	b.Reserve(len(rows))
	for _, r := range rows {
		x := r[j]
		if x.null {
			b.AppendNull()
			continue
		}
		if err := appendCell(b, c, x); err != nil {
			return nil, fmt.Errorf("column %q: %w", c.name, err)
		}
	}
	return b.NewArray(), nil
}

func appendCell(b array.Builder, c *column, x cell) error {
	v := x.num
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(int8(v))
	case *array.Int16Builder:
		b.Append(int16(v))
	case *array.Int32Builder:
		b.Append(int32(v))
	case *array.Int64Builder:
		b.Append(int64(v))
	case *array.Uint8Builder:
		b.Append(uint8(v))
	case *array.Uint16Builder:
		b.Append(uint16(v))
	case *array.Uint32Builder:
		b.Append(uint32(v))
	case *array.Uint64Builder:
		b.Append(uint64(v))
	case *array.Float16Builder:
		b.Append(float16.New(float32(v)))
	case *array.Float32Builder:
		b.Append(float32(v))
	case *array.Float64Builder:
		b.Append(v)
	case *array.StringBuilder:
		b.Append(x.str)
	case *array.LargeStringBuilder:
		b.Append(x.str)
	case *array.StringViewBuilder:
		b.Append(x.str)
	case *array.BinaryDictionaryBuilder:
		return b.AppendString(x.str)
	default:
		if c.kind == numeric {
			return fmt.Errorf("unsupported numeric type %s", c.typ)
		}
		return b.AppendValueFromString(x.str)
	}
	return nil
}
