package expect

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	// keep: the key tables keep every row's encoded key, as the data
	// cannot be read again (Options.Reread is nil).
	keep bool
}

// RereadFunc reads the data of the pass again from its first row,
// projected onto columns (names of the pass's schema, in that order; nil:
// every column of the pass), yielding the same rows in the same order.
// The caller releases the reader.
type RereadFunc func(ctx context.Context, columns []string) (array.RecordReader, error)

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
		rp := &rowsPlan{check: c, def: def, names: c.Columns, keep: p.reread == nil}
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
	// hash folds the value of row lo+i of the batch into h[i] (see fold)
	// for every i of h, column-wise, counts a missing value in nul[i],
	// and returns the number of missing values. Values whose keys are
	// equal fold alike.
	hash(h []uint64, nul []int32, lo int) int
	// order compares the values of rows i-1 and i of the batch for every
	// i in [1, len(st)) with st[i] == 0, as their encoded keys compare
	// (bytes.Compare), and sets st[i] to 1 when row i's is greater, -1
	// when it is smaller; it returns false, leaving st unfinished, when
	// the column has a missing value (or cannot compare its values).
	order(st []int8) bool
}

// sign is 1 when a < b, -1 when a > b, 0 when they are equal: st's sign
// for a row whose value b follows a.
func sign[T cmp.Ordered](a, b T) int8 {
	return int8(cmp.Compare(b, a))
}

// fold mixes the hash v of a row's next value into the row's hash h (the
// finalizer of MurmurHash3 over h·mixer + v): a hash of the tuple, column
// after column, position-dependent.
func fold(h, v uint64) uint64 {
	k := h*mixer + v + 1
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	return k ^ k>>33
}

// nullHash is the hash folded for a missing value.
const nullHash = 0x6e756c6c

// hashValues folds the hash of every row of a column into h, the missing
// ones (valid reports false) as nullHash, and returns how many were
// missing.
func hashValues(h []uint64, nul []int32, v func(i int) (uint64, bool)) int {
	missing := 0
	for i := range h {
		x, ok := v(i)
		if !ok {
			nul[i]++
			missing++
			x = nullHash
		}
		h[i] = fold(h[i], x)
	}
	return missing
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

func (c intKeys[T]) hash(h []uint64, nul []int32, lo int) int {
	vals := c.vals[lo : lo+len(h)]
	if c.a.NullN() == 0 {
		for i, v := range vals {
			h[i] = fold(h[i], uint64(v))
		}
		return 0
	}
	return hashValues(h, nul, func(i int) (uint64, bool) { return uint64(vals[i]), c.a.IsValid(lo + i) })
}

// order compares as the encoding does: by the value's 64 bits, unsigned
// (a negative value after every other; a uint64 beyond MaxInt64, tagged
// tagUint, after every one tagged tagInt).
func (c intKeys[T]) order(st []int8) bool {
	if c.a.NullN() > 0 {
		return false
	}
	v := c.vals[:len(st)]
	for i := 1; i < len(v); i++ {
		if st[i] == 0 {
			st[i] = sign(uint64(int64(v[i-1])), uint64(int64(v[i])))
		}
	}
	return true
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

func (c timeKeys[T]) hash(h []uint64, nul []int32, lo int) int {
	return intKeys[T]{a: c.a, vals: c.vals}.hash(h, nul, lo)
}

func (c timeKeys[T]) order(st []int8) bool {
	return intKeys[T]{a: c.a, vals: c.vals}.order(st)
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

// hash folds a float's bits, -0 as +0 (v + 0); NaN is missing.
func (c floatKeys[T]) hash(h []uint64, nul []int32, lo int) int {
	vals := c.vals[lo : lo+len(h)]
	return hashValues(h, nul, func(i int) (uint64, bool) {
		v := float64(vals[i])
		return math.Float64bits(v + 0), c.a.IsValid(lo+i) && !math.IsNaN(v)
	})
}

// order compares as appendFloat encodes: an integer's tagInt and its 64
// bits after every other value's tagFloat and its bits.
func (c floatKeys[T]) order(st []int8) bool {
	if c.a.NullN() > 0 {
		return false
	}
	v := c.vals[:len(st)]
	for _, x := range v {
		if x != x {
			return false // NaN is missing
		}
	}
	enc := func(x T) (byte, uint64) {
		f := float64(x)
		if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
			return tagInt, uint64(int64(f))
		}
		return tagFloat, math.Float64bits(f)
	}
	for i := 1; i < len(v); i++ {
		if st[i] == 0 {
			ta, a := enc(v[i-1])
			tb, b := enc(v[i])
			if st[i] = sign(ta, tb); st[i] == 0 {
				st[i] = sign(a, b)
			}
		}
	}
	return true
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

func (c strKeys[S]) hash(h []uint64, nul []int32, lo int) int {
	if c.a.NullN() == 0 {
		for i := range h {
			h[i] = fold(h[i], maphash.String(keySeed, c.col.at(lo+i)))
		}
		return 0
	}
	return hashValues(h, nul, func(i int) (uint64, bool) {
		if c.a.IsNull(lo + i) {
			return 0, false
		}
		return maphash.String(keySeed, c.col.at(lo+i)), true
	})
}

// order compares as appendString encodes: by the uvarint of the length,
// then by the bytes.
func (c strKeys[S]) order(st []int8) bool {
	if c.a.NullN() > 0 {
		return false
	}
	for i := 1; i < len(st); i++ {
		if st[i] == 0 {
			st[i] = int8(-compareStrKeys(c.col.at(i-1), c.col.at(i)))
		}
	}
	return true
}

// compareStrKeys compares the encoded keys of two strings.
func compareStrKeys(a, b string) int {
	if len(a) == len(b) {
		return strings.Compare(a, b)
	}
	if len(a) < 0x80 && len(b) < 0x80 {
		return cmp.Compare(len(a), len(b))
	}
	// Uvarints are prefix-free: their first difference decides.
	var x, y [binary.MaxVarintLen64]byte
	return bytes.Compare(binary.AppendUvarint(x[:0], uint64(len(a))), binary.AppendUvarint(y[:0], uint64(len(b))))
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

func (c boolKeys) hash(h []uint64, nul []int32, lo int) int {
	return hashValues(h, nul, func(i int) (uint64, bool) {
		if c.a.IsNull(lo + i) {
			return 0, false
		}
		if c.a.Value(lo + i) {
			return 1, true
		}
		return 0, true
	})
}

func (c boolKeys) order(st []int8) bool {
	if c.a.NullN() > 0 {
		return false
	}
	for i := 1; i < len(st); i++ {
		if st[i] == 0 {
			a, b := c.a.Value(i-1), c.a.Value(i)
			switch {
			case a == b:
			case b:
				st[i] = 1
			default:
				st[i] = -1
			}
		}
	}
	return true
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
func (nullKeys) order([]int8) bool                    { return false }

func (nullKeys) hash(h []uint64, nul []int32, _ int) int {
	for i := range h {
		nul[i]++
		h[i] = fold(h[i], nullHash)
	}
	return len(h)
}

type dictKeys struct {
	a      *array.Dictionary
	dict   keyCol
	hashed *dictHashes // the dictionary's, once hash needs them
}

// dictHashes holds the hash of each value of a dictionary, and whether
// it is missing.
type dictHashes struct {
	h   []uint64
	nul []int32
}

func (c dictKeys) key(dst []byte, i int) ([]byte, bool) {
	if c.a.IsNull(i) {
		return append(dst, tagNull), true
	}
	return c.dict.key(dst, c.a.GetValueIndex(i))
}

// hash hashes each value of the dictionary once a batch, then folds them
// by the rows' indices.
func (c dictKeys) hash(h []uint64, nul []int32, lo int) int {
	if c.hashed.h == nil {
		d := c.a.Dictionary().Len()
		c.hashed.h, c.hashed.nul = make([]uint64, d), make([]int32, d)
		c.dict.hash(c.hashed.h, c.hashed.nul, 0)
	}
	dh, dn := c.hashed.h, c.hashed.nul
	return hashValues(h, nul, func(i int) (uint64, bool) {
		if c.a.IsNull(lo + i) {
			return 0, false
		}
		k := c.a.GetValueIndex(lo + i)
		return dh[k], dn[k] == 0
	})
}

// order leaves a dictionary's batch to sortedBatch's comparison of
// encoded keys.
func (dictKeys) order([]int8) bool { return false }

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
		return dictKeys{a: a, dict: keyColOf(a.Dictionary()), hashed: &dictHashes{}}
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

// tuple returns the values of row i as results show them, in the
// check's column order.
func (rp *rowsPlan) tuple(cols []keyCol, i int) result.Tuple {
	t := make(result.Tuple, len(cols))
	for k, c := range cols {
		t[k] = result.Field{Column: rp.names[k], Value: c.show(i)}
	}
	return t
}

// resolveKeys finds the failing rows of the key tables once the pass, of
// total rows, is over.
func (p *plan) resolveKeys(ctx context.Context, st *state, total int64) error {
	for i, rp := range p.rows {
		if t, ok := st.rows[i].(*keyTable); ok {
			if err := t.resolve(ctx, rp, p.reread, total, p.sample, p.out.late(rp.check)); err != nil {
				return err
			}
		}
	}
	return nil
}

// keyTable finds the repeated keys of a composite key (unique_key) or the
// duplicate rows exactly. During the pass it computes each row's 64-bit
// hash of its tuple column by column over the batch (keyCol.hash), and
// keeps:
//   - when the data can be read again (Options.Reread): 56 bits of the
//     hashes of the rows judged (packedID), grouped by bucketOf as they
//     come (6 bytes per row, not in row order), and a bitmap of the rows
//     judged;
//   - otherwise (rowsPlan.keep): per batch, every row's hash in row order
//     (0: left out) and its key encoded into a byte arena.
//
// When the data can be read again, a batch whose judged rows' keys
// strictly increase (as encoded bytes: equal keys encode alike, so a
// strictly increasing run holds no repeat) is not hashed: it is kept as a
// sortedRun, its first and last keys. Data sorted by its key, as a table
// exported by its primary key is, is then judged by comparing each key
// with the one before. The first batch that breaks the order (in each
// worker) and every batch after it are filed; at the end, when the runs
// do not chain (each run's last key below the next run's first) or some
// batch was filed, the runs' rows are filed too, from the data read
// again.
//
// At the end (resolve) each bucket's hashes are counted in a small
// open-addressing table (repeatedPacked, or countBuckets as the unique
// check's numbers) to find those that occur more than once. The judged rows with such a hash
// are the candidates, found in the chunks or by hashing the data read
// again; their keys, kept or read again, are grouped by their bytes, so
// that two keys are one only when they are equal: a hash collision never
// makes a repeat.
type keyTable struct {
	rows  int64
	nulls int64    // rows left out for their missing values
	h     []uint64 // scratch: a block's hashes
	nul   []int32  // scratch: a block's missing values per row, zero between blocks

	// Data read again: the hashes by bucket, 6 bytes each (see file), in
	// chunks of chunkBytes, and the rows judged. Bucket b's last chunk,
	// open[b], is filled until it has fewer than 8 bytes left (left[b]);
	// seal moves it to buckets[b].
	buckets [256][][]byte
	open    [256]*[chunkBytes]byte
	left    [256]int32
	judged  []judgedRun

	// Data read again and sorted so far: the batches not filed, and
	// whether some batch was (unsorted). prev and cur are scratch keys.
	sorted    []sortedRun
	unsorted  bool
	prev, cur []byte
	st        []int8

	// Keys kept.
	chunks []keyChunk
	n      int // rows held
	width  int // bytes per kept key in the last batch, plus one

	// Set by resolve: the failing rows (every row of a repeated key for
	// unique_key, the rows repeating an earlier one for duplicate_rows),
	// the first of them with their values, and, for the failed-rows
	// output, a bitmap of them by row number.
	unexpected int64
	sample     []result.Failure
	failing    []byte
}

// keyChunk holds the rows of one batch: row row0+i has hash hashes[i] (0:
// left out) and key keys[offs[i]:offs[i+1]].
type keyChunk struct {
	row0   int64
	hashes []uint64
	offs   []uint32
	keys   []byte
}

// sortedRun is a batch of n rows from row0 whose judged rows' keys
// strictly increase, from first to last (encoded); it has at least one
// judged row.
type sortedRun struct {
	row0        int64
	n           int
	first, last []byte
}

// judgedRun says which rows of a batch were judged: row row0+i when bit i
// of bits is set, every one of its n rows when bits is nil.
type judgedRun struct {
	row0 int64
	n    int
	bits []byte
}

// keySeed seeds the hashes of strings in every worker alike, so that their
// tables merge.
var keySeed = maphash.MakeSeed()

func newKeyTable() *keyTable { return &keyTable{} }

// skip reports whether a row with nulls of its n values missing is left
// out of c's judgement.
func (c *Check) skip(nulls, n int) bool {
	if c.Kind == DuplicateRows {
		return false
	}
	return nulls == n || (c.SkipAnyMissing && nulls > 0)
}

// hashBlock is the number of rows hashed at a time, so that the hashes'
// scratch is 8 KiB whatever the batch's size (hashing whole batches of
// 65,536 rows measured no faster: BenchmarkKeyTable).
const hashBlock = 1024

// hashRows sets h[i] to the hash of the batch's row lo+i over cols for
// every i of h, 0 for a row left out (by the suite's filter sel, or for
// its missing values), and returns the number of rows judged and of rows
// left out for missing values.
func (t *keyTable) hashRows(rp *rowsPlan, cols []keyCol, h []uint64, sel []byte, lo int) (judged, nulls int64) {
	n := len(h)
	if cap(t.nul) < n {
		t.nul = make([]int32, n)
	}
	nul := t.nul[:n]
	clear(h)
	missing := 0
	for _, c := range cols {
		missing += c.hash(h, nul, lo)
	}
	if missing == 0 && sel == nil {
		// Every row judged: only a hash of 0, which means "left out",
		// is moved.
		for i, x := range h {
			if x == 0 {
				h[i] = 1
			}
		}
		return int64(n), 0
	}
	defer clear(nul)
	for i := range h {
		switch {
		case sel != nil && !bitutil.BitIsSet(sel, lo+i):
			// Left out by the suite's filter, as a skipped row.
			h[i] = 0
		case rp.check.skip(int(nul[i]), len(cols)):
			h[i] = 0
			nulls++
		default:
			if h[i] == 0 {
				h[i] = 1
			}
			judged++
		}
	}
	return judged, nulls
}

func (t *keyTable) update(rp *rowsPlan, cols []keyCol, n int, row0 int64, _ int, sel []byte) {
	if rp.keep {
		ch := keyChunk{row0: row0, hashes: make([]uint64, n)}
		for lo := 0; lo < n; lo += hashBlock {
			judged, nulls := t.hashRows(rp, cols, ch.hashes[lo:min(lo+hashBlock, n)], sel, lo)
			t.rows += judged
			t.nulls += nulls
		}
		t.keepKeys(&ch, cols)
		t.chunks = append(t.chunks, ch)
		t.n += n
		return
	}
	if !t.unsorted {
		if t.sortedBatch(rp, cols, n, row0, sel) {
			return
		}
		t.unsorted = true
	}
	if cap(t.h) < hashBlock {
		t.h = make([]uint64, hashBlock)
	}
	run := judgedRun{row0: row0, n: n}
	for lo := 0; lo < n; lo += hashBlock {
		h := t.h[:min(hashBlock, n-lo)]
		judged, nulls := t.hashRows(rp, cols, h, sel, lo)
		t.rows += judged
		t.nulls += nulls
		switch {
		case judged < int64(len(h)):
			if run.bits == nil {
				// The rows before this block were all judged.
				run.bits = make([]byte, bitutil.BytesForBits(int64(n)))
				bitutil.SetBitsTo(run.bits, 0, int64(lo), true)
			}
			for i, x := range h {
				if x != 0 {
					bitutil.SetBit(run.bits, lo+i)
				}
			}
		case run.bits != nil:
			bitutil.SetBitsTo(run.bits, int64(lo), int64(len(h)), true)
		}
		t.file(h)
	}
	t.judged = append(t.judged, run)
}

// sortedBatch judges a batch of n rows from row0 by comparing each judged
// row's key with the one before: when they strictly increase, it counts
// the rows, keeps the batch as a sortedRun with its judgedRun, and
// returns true; else it changes nothing and returns false.
func (t *keyTable) sortedBatch(rp *rowsPlan, cols []keyCol, n int, row0 int64, sel []byte) bool {
	if sel == nil && n > 0 {
		// Column by column, while no value is missing.
		if cap(t.st) < n {
			t.st = make([]int8, n)
		}
		st := t.st[:n]
		clear(st)
		ordered := true
		for _, c := range cols {
			if !c.order(st) {
				ordered = false
				break
			}
		}
		if ordered {
			for _, x := range st[1:] {
				if x <= 0 {
					return false
				}
			}
			var first, last []byte
			for _, c := range cols {
				first, _ = c.key(first, 0)
				last, _ = c.key(last, n-1)
			}
			t.rows += int64(n)
			t.sorted = append(t.sorted, sortedRun{row0: row0, n: n, first: first, last: last})
			t.judged = append(t.judged, judgedRun{row0: row0, n: n})
			return true
		}
	}
	var judged, nulls int64
	var bits []byte // the rows judged, once one is not
	var first []byte
	prev, cur := t.prev[:0], t.cur[:0]
	defer func() { t.prev, t.cur = prev, cur }()
	leftOut := func(i int) {
		if bits == nil {
			bits = make([]byte, bitutil.BytesForBits(int64(n)))
			bitutil.SetBitsTo(bits, 0, int64(i), true)
		}
	}
	for i := range n {
		if sel != nil && !bitutil.BitIsSet(sel, i) {
			leftOut(i)
			continue
		}
		cur = cur[:0]
		missing := 0
		for _, c := range cols {
			var null bool
			if cur, null = c.key(cur, i); null {
				missing++
			}
		}
		if rp.check.skip(missing, len(cols)) {
			leftOut(i)
			nulls++
			continue
		}
		if judged > 0 && bytes.Compare(prev, cur) >= 0 {
			return false
		}
		if judged == 0 {
			first = bytes.Clone(cur)
		}
		judged++
		if bits != nil {
			bitutil.SetBit(bits, i)
		}
		prev, cur = cur, prev
	}
	t.rows += judged
	t.nulls += nulls
	if judged > 0 {
		t.sorted = append(t.sorted, sortedRun{row0: row0, n: n, first: first, last: bytes.Clone(prev)})
	}
	t.judged = append(t.judged, judgedRun{row0: row0, n: n, bits: bits})
	return true
}

// chained reports whether the sorted runs, put in row order, chain: each
// one's last key below the next one's first, so that every key judged
// strictly increases.
func (t *keyTable) chained() bool {
	t.sortRuns()
	for k := 1; k < len(t.sorted); k++ {
		if bytes.Compare(t.sorted[k-1].last, t.sorted[k].first) >= 0 {
			return false
		}
	}
	return true
}

// sortRuns puts the sorted runs in row order.
func (t *keyTable) sortRuns() {
	slices.SortFunc(t.sorted, func(a, b sortedRun) int { return cmp.Compare(a.row0, b.row0) })
}

// fileSorted files the judged rows of the sorted runs from the data read
// again.
func (t *keyTable) fileSorted(ctx context.Context, rp *rowsPlan, reread RereadFunc, total int64) error {
	t.sortRuns()
	var buf []uint64
	run := 0
	err := t.readAgain(ctx, rp, reread, total, func(row int64, x uint64, _ []keyCol, _ int) {
		for run < len(t.sorted) && t.sorted[run].row0+int64(t.sorted[run].n) <= row {
			run++
		}
		if run == len(t.sorted) || t.sorted[run].row0 > row {
			return
		}
		if buf = append(buf, x); len(buf) == hashBlock {
			t.file(buf)
			buf = buf[:0]
		}
	})
	t.file(buf)
	t.sorted = nil
	return err
}

// file writes the non-zero hashes of h into their buckets' open chunks.
func (t *keyTable) file(h []uint64) {
	for _, x := range h {
		if x == 0 {
			continue
		}
		m := x * mixer
		b := m >> 56
		if t.left[b] < 8 {
			t.newChunk(b)
		}
		at := chunkBytes - t.left[b]
		// 8 bytes written, 6 kept: the next entry overwrites the 2 over.
		binary.LittleEndian.PutUint64(t.open[b][at:at+8], m>>8)
		t.left[b] -= packedSize
	}
}

// newChunk seals bucket b's open chunk and opens an empty one.
func (t *keyTable) newChunk(b uint64) {
	if c := t.open[b]; c != nil {
		t.buckets[b] = append(t.buckets[b], c[:chunkBytes-t.left[b]])
	}
	t.open[b], t.left[b] = new([chunkBytes]byte), chunkBytes
}

// seal moves every bucket's open chunk to its full ones.
func (t *keyTable) seal() {
	for b, c := range t.open {
		if c != nil {
			t.buckets[b] = append(t.buckets[b], c[:chunkBytes-t.left[b]])
		}
	}
	t.open, t.left = [256]*[chunkBytes]byte{}, [256]int32{}
}

// A key table filing hashes for a second read keeps 6 bytes of each: the
// hash x is spread as m = x·mixer (a bijection), whose top 8 bits are its
// bucket and the next 48 are kept, so that a repeat is decided on 56 bits
// of m (packedID). Among 10 million distinct keys, two share 56 bits with
// a chance below 1 in 1,000; when they do, the second read of their rows
// compares their keys exactly, so a collision costs time, never a false
// repeat. 6 bytes a row instead of 8: a quarter less memory to fault in.
const packedSize = 6

// packedID is the 56 bits of x·mixer a filed hash keeps, bucket included.
func packedID(x uint64) uint64 { return (x * mixer) >> 8 }

// chunkBytes is the size of a chunk of a key table's bucket, 2,047
// hashes and the 2 bytes the last one writes over: fixed, so that the
// chunks waste at most one chunk per bucket (about 3 MiB per worker), and
// one of the garbage collector's size classes, so that none is lost.
const chunkBytes = 12288

// repeatedPacked counts the filed hashes bucket by bucket, in parallel,
// each bucket's in an open-addressing table (as countBuckets), and returns
// the packedIDs filed more than once, sorted.
func (t *keyTable) repeatedPacked() []uint64 {
	t.seal()
	most := 0
	for b := range t.buckets {
		n := 0
		for _, c := range t.buckets[b] {
			n += len(c) / packedSize
		}
		most = max(most, n)
	}
	workers := runtime.GOMAXPROCS(0)
	res := make([][]uint64, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ct := newCounter(most)
			for b := int(next.Add(1)) - 1; b < 256; b = int(next.Add(1)) - 1 {
				for _, c := range t.buckets[b] {
					for i := 0; i+packedSize <= len(c); i += packedSize {
						ct.add(uint64(binary.LittleEndian.Uint32(c[i:])) | uint64(binary.LittleEndian.Uint16(c[i+4:]))<<32)
					}
				}
				from := len(res[w])
				ct.drain(&res[w], true)
				for k := from; k < len(res[w]); k++ {
					res[w][k] |= uint64(b) << 48
				}
			}
		})
	}
	wg.Wait()
	var rep []uint64
	for _, r := range res {
		rep = append(rep, r...)
	}
	slices.Sort(rep)
	return rep
}

// keepKeys encodes the key of every row judged into the chunk's arena.
func (t *keyTable) keepKeys(ch *keyChunk, cols []keyCol) {
	n := len(ch.hashes)
	ch.offs = make([]uint32, n+1)
	// Room for the keys as long as the last batch's were, a little more,
	// so that the arena seldom grows.
	width := t.width
	if width == 0 {
		width = 16 * len(cols)
	}
	keys := make([]byte, 0, n*width+n*width/8)
	for i, h := range ch.hashes {
		if h != 0 {
			for _, c := range cols {
				keys, _ = c.key(keys, i)
			}
		}
		ch.offs[i+1] = uint32(len(keys))
	}
	ch.keys = keys
	if n > 0 {
		t.width = len(keys)/n + 1
	}
}

func (t *keyTable) merge(other rowsAcc, _ int) {
	o := other.(*keyTable)
	t.seal()
	o.seal()
	t.sorted = append(t.sorted, o.sorted...)
	t.unsorted = t.unsorted || o.unsorted
	t.chunks = append(t.chunks, o.chunks...)
	t.n += o.n
	for b := range t.buckets {
		t.buckets[b] = append(t.buckets[b], o.buckets[b]...)
	}
	t.judged = append(t.judged, o.judged...)
	t.rows += o.rows
	t.nulls += o.nulls
	*o = keyTable{}
}

// candidate is a row whose hash repeats, with its encoded key.
type candidate struct {
	row int64
	key string
}

// resolve finds the failing rows once the pass, of total rows, is over.
// It keeps the first limit failing rows (all when limit < 0) with their
// values, and, with rowBits, a bitmap of every failing row.
func (t *keyTable) resolve(ctx context.Context, rp *rowsPlan, reread RereadFunc, total int64, limit int, rowBits bool) error {
	t.sample = []result.Failure{}
	var cand []candidate
	if rp.keep {
		cand = t.keptCandidates()
	} else {
		// Keys that strictly increase throughout hold no repeat.
		if (t.unsorted || !t.chained()) && len(t.sorted) > 0 {
			if err := t.fileSorted(ctx, rp, reread, total); err != nil {
				return err
			}
		}
		t.sorted = nil
		rep := t.repeatedPacked()
		t.buckets = [256][][]byte{}
		if len(rep) > 0 {
			var err error
			if cand, err = t.readCandidates(ctx, rp, reread, rep, total); err != nil {
				return err
			}
		}
		t.judged = nil
	}
	if rowBits {
		t.failing = make([]byte, bitutil.BytesForBits(total))
	}
	// The rows of each key, in row order.
	groups := map[string][]int64{}
	for _, c := range cand {
		groups[c.key] = append(groups[c.key], c.row)
	}
	firsts := rp.check.Kind != DuplicateRows
	for _, c := range cand {
		g := groups[c.key]
		if len(g) < 2 || (!firsts && g[0] == c.row) {
			continue
		}
		t.unexpected++
		if limit < 0 || len(t.sample) < limit {
			t.sample = append(t.sample, result.Failure{Row: c.row, Value: rp.decode(c.key)})
		}
		if rowBits {
			bitutil.SetBit(t.failing, int(c.row))
		}
	}
	return nil
}

// keptCandidates returns the rows whose hash repeats, with their kept
// keys, in row order.
func (t *keyTable) keptCandidates() []candidate {
	src := make([][]uint64, len(t.chunks))
	for k, ch := range t.chunks {
		src[k] = ch.hashes
	}
	sp := splitKeys(src, t.n, false)
	_, _, rep := countBuckets(func(b int, dst [][]uint64) [][]uint64 { return append(dst, sp.bucket(b)) }, true)
	if len(rep) > 0 && rep[0] == 0 {
		rep = rep[1:] // the rows left out
	}
	var cand []candidate
	if len(rep) > 0 {
		in := inSorted(rep)
		for _, ch := range t.chunks {
			for i, h := range ch.hashes {
				if h != 0 && in(h) {
					cand = append(cand, candidate{row: ch.row0 + int64(i), key: string(ch.keys[ch.offs[i]:ch.offs[i+1]])})
				}
			}
		}
	}
	t.chunks = nil
	// The workers' chunks interleave: put the candidates in row order.
	slices.SortFunc(cand, func(a, b candidate) int { return cmp.Compare(a.row, b.row) })
	return cand
}

// readCandidates reads the key columns again through reread and returns
// the judged rows whose hash's packedID is among rep (sorted), with
// their keys, in row order.
func (t *keyTable) readCandidates(ctx context.Context, rp *rowsPlan, reread RereadFunc, rep []uint64, total int64) ([]candidate, error) {
	in := inSorted(rep)
	var cand []candidate
	var buf []byte
	err := t.readAgain(ctx, rp, reread, total, func(row int64, x uint64, cols []keyCol, i int) {
		if !in(packedID(x)) {
			return
		}
		buf = buf[:0]
		for _, c := range cols {
			buf, _ = c.key(buf, i)
		}
		cand = append(cand, candidate{row: row, key: string(buf)})
	})
	return cand, err
}

// readAgain reads the key columns again through reread, after checking
// that the data has the column types of the pass, and calls visit, in row
// order, with each judged row's number, its hash as in the pass, the
// batch's columns and the row's index in the batch. It checks that the
// data still has total rows.
func (t *keyTable) readAgain(ctx context.Context, rp *rowsPlan, reread RereadFunc, total int64, visit func(row int64, x uint64, cols []keyCol, i int)) error {
	name := rp.check.Name()
	if reread == nil {
		return fmt.Errorf("expect: %s: cannot read the data again", name)
	}
	rr, err := reread(ctx, rp.names)
	if err != nil {
		return fmt.Errorf("expect: %s: reading the data again: %w", name, err)
	}
	defer rr.Release()
	schema := rr.Schema()
	idx := make([]int, len(rp.names))
	for k, col := range rp.names {
		i := schema.FieldIndices(col)
		if len(i) == 0 || !arrow.TypeEqual(schema.Field(i[0]).Type, rp.dts[k]) {
			return fmt.Errorf("expect: %s: the data read again has no column %q of type %s", name, col, rp.dts[k])
		}
		idx[k] = i[0]
	}
	// The runs of judged rows, in row order.
	slices.SortFunc(t.judged, func(a, b judgedRun) int { return cmp.Compare(a.row0, b.row0) })
	cols := make([]keyCol, len(idx))
	if cap(t.h) < hashBlock {
		t.h = make([]uint64, hashBlock)
	}
	var off int64
	run := 0
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := rr.RecordBatch()
		n := int(b.NumRows())
		for c, i := range idx {
			cols[c] = keyColOf(b.Column(i))
		}
		for lo := 0; lo < n; lo += hashBlock {
			h := t.h[:min(hashBlock, n-lo)]
			// Every row's hash, as in the pass; the filter and the
			// missing values are the judged runs'.
			t.hashRows(rp, cols, h, nil, lo)
			for i, x := range h {
				row := off + int64(lo+i)
				for run < len(t.judged) && t.judged[run].row0+int64(t.judged[run].n) <= row {
					run++
				}
				if x == 0 || run == len(t.judged) {
					continue
				}
				if jr := t.judged[run]; jr.row0 > row || (jr.bits != nil && !bitutil.BitIsSet(jr.bits, int(row-jr.row0))) {
					continue
				}
				visit(row, x, cols, lo+i)
			}
		}
		off += int64(n)
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("expect: %s: reading the data again: %w", name, err)
	}
	if off != total {
		return fmt.Errorf("expect: %s: the data changed between its two reads: %d rows, then %d", name, total, off)
	}
	return nil
}

// decode returns the values of an encoded key as results show them, in
// the check's column order.
func (rp *rowsPlan) decode(key string) result.Tuple {
	t := make(result.Tuple, len(rp.names))
	for k, name := range rp.names {
		t[k].Column = name
		dt := rp.dts[k]
		if d, ok := dt.(*arrow.DictionaryType); ok {
			dt = d.ValueType
		}
		tag := key[0]
		key = key[1:]
		switch tag {
		case tagNull:
			t[k].Value = nil
		case tagInt, tagUint, tagFloat:
			u := binary.BigEndian.Uint64([]byte(key[:8]))
			key = key[8:]
			switch {
			case tag == tagFloat:
				t[k].Value = result.Number(math.Float64frombits(u))
			case classOf(dt) == classFloat:
				t[k].Value = float64(int64(u))
			case tag == tagUint || dt.ID() == arrow.UINT64:
				t[k].Value = u
			default:
				t[k].Value = int64(u)
			}
		case tagTime:
			u := binary.BigEndian.Uint64([]byte(key[1:9]))
			key = key[9:]
			t[k].Value = (&colPlan{dt: dt}).display(int64(u))
		case tagBool:
			t[k].Value = key[0] == 1
			key = key[1:]
		case tagStr:
			n, w := binary.Uvarint([]byte(key[:min(len(key), binary.MaxVarintLen64)]))
			s := key[w : w+int(n)]
			key = key[w+int(n):]
			t[k].Value, _ = result.Cut(s, result.MaxValueRunes)
		}
	}
	return t
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
			r.failed(i)
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
