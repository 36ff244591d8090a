package expect

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/result"
)

// Table checks that read rows: composite keys, duplicate rows, values
// unique within a record, and references to another dataset. Each reads
// the values of its columns row by row, as one key: the row's values
// encoded one after the other, each with a tag for its kind, so that two
// keys are equal exactly when their values are. Integers and floats that
// hold the same integer encode alike (1 and 1.0 are one key, as in GX and
// SQL), so that an int64 key can reference a float64 one; a string never
// equals a number.

// Dataset is another table a check compares with (references,
// row_count_ratio): a file, a glob or a directory, read with the reading
// options of a suite's data section.
type Dataset struct {
	// Path is the file, glob or directory, as the suite names it (the
	// suite's loader resolves it against the suite file's directory).
	Path string
	// Options is what the suite's loader decoded from the dataset's
	// reading options; expect only hands it back to Options.Open.
	Options any
	// Line and Col locate the dataset's path in the suite file (0 for a
	// suite built in code), where errors reading it point.
	Line, Col int
	// KeyPath is the key path of the dataset in the suite file
	// ("expectations.table.references[0].data").
	KeyPath string

	// node is the dataset's value in the suite file, for DecodeWith.
	node *yaml.Node
}

// OpenFunc opens another dataset for a check, projected onto columns, in
// that order; nil columns asks for any columns, to count the rows. A
// column the dataset lacks is an error that wraps ErrNoColumn. The caller
// releases the reader.
type OpenFunc func(ctx context.Context, d *Dataset, columns []string) (array.RecordReader, error)

// ErrNoColumn is wrapped by an OpenFunc's error for a column the other
// dataset lacks.
var ErrNoColumn = errors.New("no such column")

// PositionError is an error about what a suite names, found while the
// data is read (a referenced file or column that does not exist), at the
// position of the key that names it (Line 0 for a suite built in code).
type PositionError struct {
	Line, Col int
	Path      string // the key path, "expectations.table.references[0].to"
	Err       error
}

func (e *PositionError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *PositionError) Unwrap() error { return e.Err }

// rowsPlan is a table check that reads rows, bound to the schema.
type rowsPlan struct {
	check *Check
	def   *kindDef
	names []string
	idx   []int
	dts   []arrow.DataType
	// refs holds the keys of the referenced columns (references); other
	// is the other dataset's row count (row_count_ratio).
	refs  map[string]struct{}
	other int64
}

// rowsAcc is one worker's accumulator of a rows check.
type rowsAcc interface {
	update(rp *rowsPlan, cols []keyCol, n int, row0 int64, limit int, sel []byte)
	merge(other rowsAcc, limit int)
}

// compileRows binds the table checks that read rows to the schema: each
// column they name must exist and hold values a key can read.
func (p *plan) compileRows(s *Suite, rs *arrow.Schema) []error {
	var errs []error
	for i := range s.Table {
		c := &s.Table[i]
		def := registry[c.Kind]
		if def.newRows == nil && def.prepare == nil {
			continue
		}
		rp := &rowsPlan{check: c, def: def, names: c.Columns}
		if def.allColumns && len(c.Columns) == 0 {
			for _, f := range rs.Fields() {
				rp.names = append(rp.names, f.Name)
			}
		}
		for _, name := range rp.names {
			idx := rs.FieldIndices(name)
			if len(idx) == 0 {
				errs = append(errs, c.at("columns", MissingColumnError(name, rs)))
				continue
			}
			dt := rs.Field(idx[0]).Type
			if !keyable(dt) {
				errs = append(errs, c.at("columns", fmt.Errorf("column %q is %s; %s reads numbers, strings, booleans and dates or times", name, dt, c.Kind)))
				continue
			}
			rp.idx = append(rp.idx, idx[0])
			rp.dts = append(rp.dts, dt)
		}
		p.rows = append(p.rows, rp)
	}
	return errs
}

// prepareRows reads what the rows checks need from other datasets before
// the pass.
func (p *plan) prepareRows(ctx context.Context, open OpenFunc) error {
	var errs []error
	for _, rp := range p.rows {
		if rp.def.prepare == nil {
			continue
		}
		if open == nil {
			errs = append(errs, fmt.Errorf("expect: %s: reads another dataset, and Options.Open is nil", rp.check.Name()))
			continue
		}
		if err := rp.def.prepare(ctx, rp, open); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// at wraps err as a PositionError at the check's key (or its key's child
// key) when the check comes from a suite file, and names the check.
func (c *Check) at(key string, err error) error {
	path := "expectations." + c.Key()
	line, col := c.Line, c.Col
	if key == "data" && c.Other != nil {
		path, line, col = c.Other.KeyPath, c.Other.Line, c.Other.Col
		if path == "" {
			path = "expectations." + c.Key() + ".data"
		}
	} else if key != "" {
		path += "." + key
	}
	return &PositionError{Line: line, Col: col, Path: path, Err: fmt.Errorf("%s: %w", c.Name(), err)}
}

// keyable reports whether a key can read a column of type dt.
func keyable(dt arrow.DataType) bool {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		return keyable(d.ValueType)
	}
	switch classOf(dt) {
	case classInt, classFloat, classString, classBool, classTemporal, classNull:
		return true
	}
	return false
}

// keyCol reads one column of a batch as parts of keys.
type keyCol interface {
	// key appends the encoded value of row i to dst; null reports a
	// missing value (null, or NaN in a float column), encoded as 0.
	key(dst []byte, i int) (out []byte, null bool)
	// show returns row i's value as results show it.
	show(i int) any
}

// Tags of encoded values.
const (
	tagNull  = 0
	tagInt   = 'i'
	tagUint  = 'u' // an unsigned value beyond MaxInt64
	tagFloat = 'f'
	tagStr   = 's'
	tagBool  = 'b'
	tagTime  = 't' // a temporal value: its type's ID, then its integer value
)

func appendInt(dst []byte, tag byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, tag), uint64(v))
}

// appendFloat encodes a float as the integer it holds, when it holds one
// that int64 can (so that 1.0 and 1 are one key; -0 is 0).
func appendFloat(dst []byte, v float64) []byte {
	if v == math.Trunc(v) && v >= -(1<<63) && v < 1<<63 {
		return appendInt(dst, tagInt, int64(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, tagFloat), math.Float64bits(v))
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(append(dst, tagStr), uint64(len(s)))
	return append(dst, s...)
}

type intKeys[T integer] struct {
	a    arrow.Array
	vals []T
	u64  bool
}

func (c intKeys[T]) key(dst []byte, i int) ([]byte, bool) {
	if c.a.IsNull(i) {
		return append(dst, tagNull), true
	}
	v := c.vals[i]
	if c.u64 && uint64(v) > math.MaxInt64 {
		return appendInt(dst, tagUint, int64(v)), false
	}
	return appendInt(dst, tagInt, int64(v)), false
}

func (c intKeys[T]) show(i int) any {
	if c.a.IsNull(i) {
		return nil
	}
	if c.u64 {
		return uint64(c.vals[i])
	}
	return int64(c.vals[i])
}

type timeKeys[T integer] struct {
	a    arrow.Array
	vals []T
	cp   colPlan // for display
}

func (c timeKeys[T]) key(dst []byte, i int) ([]byte, bool) {
	if c.a.IsNull(i) {
		return append(dst, tagNull), true
	}
	// The tag, the type's ID (a date32 never equals a timestamp), the value.
	return appendInt(append(dst, tagTime), byte(c.cp.dt.ID()), int64(c.vals[i])), false
}

func (c timeKeys[T]) show(i int) any {
	if c.a.IsNull(i) {
		return nil
	}
	return c.cp.display(int64(c.vals[i]))
}

type floatKeys[T float32 | float64] struct {
	a    arrow.Array
	vals []T
}

func (c floatKeys[T]) key(dst []byte, i int) ([]byte, bool) {
	v := float64(c.vals[i])
	if c.a.IsNull(i) || math.IsNaN(v) {
		return append(dst, tagNull), true
	}
	return appendFloat(dst, v), false
}

func (c floatKeys[T]) show(i int) any {
	v := float64(c.vals[i])
	if c.a.IsNull(i) || math.IsNaN(v) {
		return nil
	}
	return result.Number(v)
}

type strKeys[S strCol] struct {
	a   arrow.Array
	col S
}

func (c strKeys[S]) key(dst []byte, i int) ([]byte, bool) {
	if c.a.IsNull(i) {
		return append(dst, tagNull), true
	}
	return appendString(dst, c.col.at(i)), false
}

func (c strKeys[S]) show(i int) any {
	if c.a.IsNull(i) {
		return nil
	}
	s, _ := result.Cut(c.col.at(i), result.MaxValueRunes)
	return s
}

type boolKeys struct{ a *array.Boolean }

func (c boolKeys) key(dst []byte, i int) ([]byte, bool) {
	if c.a.IsNull(i) {
		return append(dst, tagNull), true
	}
	if c.a.Value(i) {
		return append(dst, tagBool, 1), false
	}
	return append(dst, tagBool, 0), false
}

func (c boolKeys) show(i int) any {
	if c.a.IsNull(i) {
		return nil
	}
	return c.a.Value(i)
}

type nullKeys struct{}

func (nullKeys) key(dst []byte, _ int) ([]byte, bool) { return append(dst, tagNull), true }
func (nullKeys) show(int) any                         { return nil }

type dictKeys struct {
	a    *array.Dictionary
	dict keyCol
}

func (c dictKeys) key(dst []byte, i int) ([]byte, bool) {
	if c.a.IsNull(i) {
		return append(dst, tagNull), true
	}
	return c.dict.key(dst, c.a.GetValueIndex(i))
}

func (c dictKeys) show(i int) any {
	if c.a.IsNull(i) {
		return nil
	}
	return c.dict.show(c.a.GetValueIndex(i))
}

// keyColOf reads arr (of a type keyable accepts) as parts of keys.
func keyColOf(arr arrow.Array) keyCol {
	switch a := arr.(type) {
	case *array.Int8:
		return intKeys[int8]{a: a, vals: a.Int8Values()}
	case *array.Int16:
		return intKeys[int16]{a: a, vals: a.Int16Values()}
	case *array.Int32:
		return intKeys[int32]{a: a, vals: a.Int32Values()}
	case *array.Int64:
		return intKeys[int64]{a: a, vals: a.Int64Values()}
	case *array.Uint8:
		return intKeys[uint8]{a: a, vals: a.Uint8Values()}
	case *array.Uint16:
		return intKeys[uint16]{a: a, vals: a.Uint16Values()}
	case *array.Uint32:
		return intKeys[uint32]{a: a, vals: a.Uint32Values()}
	case *array.Uint64:
		return intKeys[uint64]{a: a, vals: a.Uint64Values(), u64: true}
	case *array.Float32:
		return floatKeys[float32]{a: a, vals: a.Float32Values()}
	case *array.Float64:
		return floatKeys[float64]{a: a, vals: a.Float64Values()}
	case *array.Float16:
		vals := make([]float32, a.Len())
		for i, v := range a.Values() {
			vals[i] = v.Float32()
		}
		return floatKeys[float32]{a: a, vals: vals}
	case *array.Date32:
		return timeKeys[arrow.Date32]{a: a, vals: a.Date32Values(), cp: colPlan{dt: a.DataType()}}
	case *array.Date64:
		return timeKeys[arrow.Date64]{a: a, vals: a.Date64Values(), cp: colPlan{dt: a.DataType()}}
	case *array.Timestamp:
		return timeKeys[arrow.Timestamp]{a: a, vals: a.TimestampValues(), cp: colPlan{dt: a.DataType()}}
	case *array.Time32:
		return timeKeys[arrow.Time32]{a: a, vals: a.Time32Values(), cp: colPlan{dt: a.DataType()}}
	case *array.Time64:
		return timeKeys[arrow.Time64]{a: a, vals: a.Time64Values(), cp: colPlan{dt: a.DataType()}}
	case *array.Duration:
		return timeKeys[arrow.Duration]{a: a, vals: a.DurationValues(), cp: colPlan{dt: a.DataType()}}
	case *array.String:
		return strKeys[utf8Col]{a: a, col: utf8Col{a}}
	case *array.LargeString:
		return strKeys[largeUTF8Col]{a: a, col: largeUTF8Col{a}}
	case *array.StringView:
		return strKeys[viewCol]{a: a, col: viewCol{a}}
	case *array.Boolean:
		return boolKeys{a}
	case *array.Dictionary:
		return dictKeys{a: a, dict: keyColOf(a.Dictionary())}
	}
	return nullKeys{}
}

// keyClass is the family of values a key column holds, for references:
// keys of different families never match.
func keyClass(dt arrow.DataType) string {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch classOf(dt) {
	case classInt, classFloat:
		return "numbers"
	case classString:
		return "strings"
	case classBool:
		return "booleans"
	case classNull:
		return "nulls"
	}
	return dt.String()
}

// rowKeys reads the batch's columns of a rows check.
func (rp *rowsPlan) cols(b arrow.RecordBatch, scratch []keyCol) []keyCol {
	scratch = scratch[:0]
	for _, i := range rp.idx {
		scratch = append(scratch, keyColOf(b.Column(i)))
	}
	return scratch
}

// tuple returns the values of row i as results show them: a mapping from
// column name to value.
func (rp *rowsPlan) tuple(cols []keyCol, i int) map[string]any {
	m := make(map[string]any, len(cols))
	for k, c := range cols {
		m[rp.names[k]] = c.show(i)
	}
	return m
}

// showTuple writes a sampled tuple for a message: (a=1, b="x").
func showTuple(names []string, v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return show(v)
	}
	parts := make([]string, len(names))
	for i, n := range names {
		if x, ok := m[n]; ok && x != nil {
			parts[i] = n + "=" + show(x)
		} else {
			parts[i] = n + "=null"
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// keyTable holds the keys of every row judged, to find the repeated ones
// exactly at the end: per batch, each row's key encoded into one byte
// arena and its 64-bit hash. No hash map is filled during the pass. At the
// end the hashes are sorted (a radix sort) to find those that occur more
// than once; only the rows with such a hash are then grouped by their
// key's bytes, so that two keys are one only when they are equal (a hash
// collision is told apart).
type keyTable struct {
	chunks []keyChunk
	n      int // keys held
	rows   int64
	nulls  int64 // rows left out for their missing values
	seed   maphash.Seed
	width  int // bytes per key in the last batch, plus one
}

// keyChunk holds the keys of one batch: row row0+i has key
// keys[offs[i]:offs[i+1]] (empty for a row left out) and hash hashes[i].
type keyChunk struct {
	row0   int64
	hashes []uint64
	offs   []uint32
	keys   []byte
}

// keySeed seeds the hashes of every worker alike, so that their tables
// merge.
var keySeed = maphash.MakeSeed()

func newKeyTable() *keyTable { return &keyTable{seed: keySeed} }

// skip reports whether a row with nulls of its n values missing is left
// out of c's judgement.
func (c *Check) skip(nulls, n int) bool {
	if c.Kind == DuplicateRows {
		return false
	}
	return nulls == n || (c.SkipAnyMissing && nulls > 0)
}

func (t *keyTable) update(rp *rowsPlan, cols []keyCol, n int, row0 int64, _ int, sel []byte) {
	ch := keyChunk{row0: row0, hashes: make([]uint64, n), offs: make([]uint32, n+1)}
	// Room for the keys as long as the last batch's were, a little more,
	// so that the arena seldom grows.
	width := t.width
	if width == 0 {
		width = 16 * len(cols)
	}
	keys := make([]byte, 0, n*width+n*width/8)
	for i := range n {
		start, nulls := len(keys), 0
		if sel != nil && !bitutil.BitIsSet(sel, i) {
			// Left out by the suite's filter: an empty key, as a skipped row.
			ch.offs[i+1] = uint32(len(keys))
			continue
		}
		for _, c := range cols {
			var null bool
			if keys, null = c.key(keys, i); null {
				nulls++
			}
		}
		if rp.check.skip(nulls, len(cols)) {
			keys = keys[:start]
			t.nulls++
		} else {
			ch.hashes[i] = maphash.Bytes(t.seed, keys[start:])
			t.rows++
		}
		ch.offs[i+1] = uint32(len(keys))
	}
	ch.keys = keys
	if n > 0 {
		t.width = len(keys)/n + 1
	}
	t.chunks = append(t.chunks, ch)
	t.n += n
}

func (t *keyTable) merge(other rowsAcc, _ int) {
	o := other.(*keyTable)
	t.chunks = append(t.chunks, o.chunks...)
	t.n += o.n
	t.rows += o.rows
	t.nulls += o.nulls
	*o = keyTable{}
}

// repeated returns the rows of repeated keys: with firsts, every row of a
// repeated key (unique); without, the rows that repeat an earlier row
// (duplicate_rows). It returns their number and the first limit of them
// (all when limit < 0), each with its values.
func (t *keyTable) repeated(rp *rowsPlan, firsts bool, limit int) (int64, []result.Failure) {
	src := make([][]uint64, 0, len(t.chunks))
	for _, ch := range t.chunks {
		src = append(src, ch.hashes)
	}
	sorted := sortKeys(src, t.n, false)
	dup := map[uint64]bool{}
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			dup[sorted[i]] = true
		}
	}
	sorted = nil
	if len(dup) == 0 {
		return 0, []result.Failure{}
	}
	// The rows of the hashes that repeat, grouped by their key.
	groups := map[string][]int64{}
	for _, ch := range t.chunks {
		for i, h := range ch.hashes {
			if dup[h] && ch.offs[i+1] > ch.offs[i] {
				k := string(ch.keys[ch.offs[i]:ch.offs[i+1]])
				groups[k] = append(groups[k], ch.row0+int64(i))
			}
		}
	}
	type failing struct {
		row int64
		key string
	}
	var n int64
	var fails []failing
	for k, rows := range groups {
		if len(rows) < 2 {
			continue
		}
		slices.Sort(rows)
		if !firsts {
			rows = rows[1:]
		}
		n += int64(len(rows))
		for _, r := range rows {
			fails = append(fails, failing{r, k})
		}
	}
	slices.SortFunc(fails, func(a, b failing) int { return cmp.Compare(a.row, b.row) })
	if limit >= 0 && len(fails) > limit {
		fails = fails[:limit]
	}
	sample := make([]result.Failure, len(fails))
	for i, f := range fails {
		sample[i] = result.Failure{Row: f.row, Value: rp.decode(f.key)}
	}
	return n, sample
}

// decode returns the values of an encoded key as results show them: a
// mapping from column name to value.
func (rp *rowsPlan) decode(key string) map[string]any {
	m := make(map[string]any, len(rp.names))
	for k, name := range rp.names {
		dt := rp.dts[k]
		if d, ok := dt.(*arrow.DictionaryType); ok {
			dt = d.ValueType
		}
		tag := key[0]
		key = key[1:]
		switch tag {
		case tagNull:
			m[name] = nil
		case tagInt, tagUint, tagFloat:
			u := binary.BigEndian.Uint64([]byte(key[:8]))
			key = key[8:]
			switch {
			case tag == tagFloat:
				m[name] = result.Number(math.Float64frombits(u))
			case classOf(dt) == classFloat:
				m[name] = float64(int64(u))
			case tag == tagUint || dt.ID() == arrow.UINT64:
				m[name] = u
			default:
				m[name] = int64(u)
			}
		case tagTime:
			u := binary.BigEndian.Uint64([]byte(key[1:9]))
			key = key[9:]
			m[name] = (&colPlan{dt: dt}).display(int64(u))
		case tagBool:
			m[name] = key[0] == 1
			key = key[1:]
		case tagStr:
			n, w := binary.Uvarint([]byte(key[:min(len(key), binary.MaxVarintLen64)]))
			s := key[w : w+int(n)]
			key = key[w+int(n):]
			m[name], _ = result.Cut(s, result.MaxValueRunes)
		}
	}
	return m
}

// recordCheck judges each row on its own (unique_within_record,
// references): the rows judged, those left out for missing values, and
// the failing rows.
type recordCheck struct {
	rows, nulls int64
	rowState
	bufs [][]byte
	buf  []byte
}

func (r *recordCheck) update(rp *rowsPlan, cols []keyCol, n int, row0 int64, limit int, sel []byte) {
	if rp.check.Kind == References {
		r.references(rp, cols, n, row0, limit, sel)
		return
	}
	for len(r.bufs) < len(cols) {
		r.bufs = append(r.bufs, nil)
	}
	for i := range n {
		if sel != nil && !bitutil.BitIsSet(sel, i) {
			continue
		}
		nulls := 0
		vals := r.bufs[:0]
		for k, c := range cols {
			b, null := c.key(r.bufs[k][:0], i)
			r.bufs[k] = b
			if null {
				nulls++
				continue
			}
			vals = append(vals, b)
		}
		if rp.check.skip(nulls, len(cols)) {
			r.nulls++
			continue
		}
		r.rows++
		if repeats(vals) {
			r.fail(rp, cols, i, row0, limit)
		}
	}
}

// repeats reports whether two of the encoded values are equal.
func repeats(vals [][]byte) bool {
	for a := range vals {
		for b := a + 1; b < len(vals); b++ {
			if string(vals[a]) == string(vals[b]) {
				return true
			}
		}
	}
	return false
}

// references judges each row whose values are all present: its key must
// be among the referenced keys.
func (r *recordCheck) references(rp *rowsPlan, cols []keyCol, n int, row0 int64, limit int, sel []byte) {
	for i := range n {
		if sel != nil && !bitutil.BitIsSet(sel, i) {
			continue
		}
		buf, null := r.buf[:0], false
		for _, c := range cols {
			var isNull bool
			buf, isNull = c.key(buf, i)
			null = null || isNull
		}
		r.buf = buf
		if null {
			r.nulls++
			continue
		}
		r.rows++
		if _, ok := rp.refs[string(buf)]; !ok {
			r.fail(rp, cols, i, row0, limit)
			r.failed(i)
		}
	}
}

func (r *recordCheck) fail(rp *rowsPlan, cols []keyCol, i int, row0 int64, limit int) {
	r.unexpected++
	if r.keep(limit) {
		r.sample = append(r.sample, result.Failure{Row: row0 + int64(i), Value: rp.tuple(cols, i)})
	}
}

func (r *recordCheck) merge(other rowsAcc, limit int) {
	o := other.(*recordCheck)
	r.rows += o.rows
	r.nulls += o.nulls
	r.unexpected += o.unexpected
	r.sample = sortedRows(append(r.sample, o.sample...), limit)
}

// loadKeys streams the referenced columns of the other dataset into the
// set of their keys (tuples with a missing value are left out); the
// types of the two sides must be able to match.
func loadKeys(ctx context.Context, rp *rowsPlan, open OpenFunc) error {
	c := rp.check
	to := c.To
	if len(to) == 0 {
		to = c.Columns
	}
	rr, err := open(ctx, c.Other, to)
	if errors.Is(err, ErrNoColumn) {
		if len(c.To) == 0 {
			return c.at("columns", err)
		}
		return c.at("to", err)
	}
	if err != nil {
		return c.at("data", err)
	}
	defer rr.Release()
	schema := rr.Schema()
	for k, name := range to {
		idx := schema.FieldIndices(name)
		if len(idx) == 0 {
			key := "to"
			if len(c.To) == 0 {
				key = "columns"
			}
			return c.at(key, fmt.Errorf("the referenced data %s: %w", c.Other.Path, MissingColumnError(name, schema)))
		}
		dt := schema.Field(idx[0]).Type
		if !keyable(dt) {
			return c.at("to", fmt.Errorf("the referenced column %q is %s, which keys cannot read", name, dt))
		}
		if k < len(rp.dts) && keyClass(dt) != keyClass(rp.dts[k]) && keyClass(dt) != "nulls" && keyClass(rp.dts[k]) != "nulls" {
			return c.at("to", fmt.Errorf("column %q is %s and the referenced column %q is %s: no value can match (set data.types so that both are read alike)", rp.names[k], rp.dts[k], name, dt))
		}
	}
	set := map[string]struct{}{}
	idx := make([]int, len(to))
	for k, name := range to {
		idx[k] = schema.FieldIndices(name)[0]
	}
	var buf []byte
	cols := make([]keyCol, len(to))
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := rr.RecordBatch()
		for k, i := range idx {
			cols[k] = keyColOf(b.Column(i))
		}
		for i := range int(b.NumRows()) {
			buf = buf[:0]
			null := false
			for _, col := range cols {
				var isNull bool
				buf, isNull = col.key(buf, i)
				null = null || isNull
			}
			if !null {
				if _, ok := set[string(buf)]; !ok {
					set[string(buf)] = struct{}{}
				}
			}
		}
	}
	if err := rr.Err(); err != nil {
		return c.at("data", fmt.Errorf("reading %s: %w", c.Other.Path, err))
	}
	rp.refs = set
	return nil
}

// countRows counts the rows of the other dataset.
func countRows(ctx context.Context, rp *rowsPlan, open OpenFunc) error {
	rr, err := open(ctx, rp.check.Other, nil)
	if err != nil {
		return rp.check.at("data", err)
	}
	defer rr.Release()
	var n int64
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
	}
	if err := rr.Err(); err != nil {
		return rp.check.at("data", fmt.Errorf("reading %s: %w", rp.check.Other.Path, err))
	}
	rp.other = n
	return nil
}
