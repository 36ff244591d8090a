package dataset

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// FromTable returns a Source over an Arrow table built in Go, read
// DefaultBatchSize rows at a time. It may be scanned any number of times.
// The caller keeps ownership of tbl: it must not be released before every
// Scan of it is closed; each Scan retains it while open.
//
// The Fingerprint's Kind is "table", Path is "", Format is "", Algorithm
// is DefaultHash unless WithFingerprint says otherwise, and Hash covers the
// content: the schema (names, types, nullability; not the
// metadata) and every value of every column, projected or not, in row
// order, with nulls marked. It does not depend on how the table is chunked
// into batches, so equal tables fingerprint equally.
func FromTable(tbl arrow.Table, opts ...SourceOption) Source {
	return &tableSource{tbl: tbl, alg: sourceHash(opts)}
}

// SourceOption adjusts a Source built in Go (FromTable, FromRecordReader).
type SourceOption func(*HashAlgorithm)

// WithFingerprint makes the Source's Fingerprint use alg instead of
// DefaultHash. An unknown algorithm makes Scan fail.
func WithFingerprint(alg HashAlgorithm) SourceOption {
	return func(a *HashAlgorithm) { *a = alg }
}

func sourceHash(opts []SourceOption) HashAlgorithm {
	var a HashAlgorithm
	for _, o := range opts {
		o(&a)
	}
	return a
}

// FromRecordReader returns a Source over the batches of rr, which it reads
// once: a second Scan is an error. The caller keeps ownership of rr (the
// Scan retains it while open and releases it when closed); rr's batches
// may be any length. The Fingerprint is FromTable's, over the batches read.
func FromRecordReader(rr array.RecordReader, opts ...SourceOption) Source {
	return &readerSource{rr: rr, alg: sourceHash(opts)}
}

// Repeatable reports whether src may be scanned more than once, as a
// check whose failing rows are known only at the end of a pass reads the
// data again: every Source may, except one that says otherwise with a
// method ScansOnce() bool returning true, as FromRecordReader's does.
func Repeatable(src Source) bool {
	o, ok := src.(interface{ ScansOnce() bool })
	return !ok || !o.ScansOnce()
}

type tableSource struct {
	tbl arrow.Table
	alg HashAlgorithm
}

func (s *tableSource) Scan(ctx context.Context, columns []string) (Scan, error) {
	rr := array.NewTableReader(s.tbl, DefaultBatchSize)
	sc, err := newMemScan(ctx, rr, columns, s.tbl.NumRows(), s.alg)
	rr.Release() // newMemScan retained it
	return sc, err
}

type readerSource struct {
	rr   array.RecordReader
	alg  HashAlgorithm
	used atomic.Bool
}

// ScansOnce is true: rr is read once (see Repeatable).
func (s *readerSource) ScansOnce() bool { return true }

func (s *readerSource) Scan(ctx context.Context, columns []string) (Scan, error) {
	if s.used.Swap(true) {
		return nil, errors.New("dataset: a record reader source can be scanned only once")
	}
	return newMemScan(ctx, s.rr, columns, 0, s.alg)
}

// memScan projects the batches of an in-memory reader and hashes them.
type memScan struct {
	ctx     context.Context
	rr      array.RecordReader
	idx     []int
	schema  *arrow.Schema
	cur     arrow.RecordBatch
	rows    int64
	total   int64
	done    atomic.Int64
	ended   bool
	err     error
	alg     HashAlgorithm
	hashes  []hash.Hash // one per column of rr
	scratch []byte
	refs    atomic.Int64
	closed  sync.Once
}

func newMemScan(ctx context.Context, rr array.RecordReader, columns []string, total int64, alg HashAlgorithm) (*memScan, error) {
	alg, err := ParseHashAlgorithm(string(alg))
	if err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	idx, out, err := projection("table", rr.Schema(), columns)
	if err != nil {
		return nil, err
	}
	rr.Retain()
	s := &memScan{ctx: ctx, rr: rr, idx: idx, schema: out, total: total, alg: alg}
	s.refs.Store(1)
	s.hashes = make([]hash.Hash, rr.Schema().NumFields())
	for i := range s.hashes {
		s.hashes[i] = newHash(alg)
	}
	return s, nil
}

func (s *memScan) Schema() *arrow.Schema      { return s.schema }
func (s *memScan) TableSchema() *arrow.Schema { return s.rr.Schema() }

func (s *memScan) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	if s.err != nil || s.ended {
		return false
	}
	if err := s.ctx.Err(); err != nil {
		s.err = fmt.Errorf("table: %w", err)
		return false
	}
	if !s.rr.Next() {
		s.ended = true
		if err := s.rr.Err(); err != nil {
			s.err = err
		} else if s.rows == 0 {
			s.err = &emptyError{path: "table", why: "the table has no rows"}
		}
		return false
	}
	b := s.rr.RecordBatch()
	for i, c := range b.Columns() {
		s.hashArray(s.hashes[i], c)
	}
	cols := make([]arrow.Array, len(s.idx))
	for i, j := range s.idx {
		cols[i] = b.Column(j)
	}
	s.cur = array.NewRecordBatch(s.schema, cols, b.NumRows())
	s.rows += b.NumRows()
	s.done.Store(s.rows)
	return true
}

// hashArray writes each value of a to h: a null as byte 0, a value as byte
// 1 and its canonical bytes (fixed-width values little-endian, strings and
// binaries length-prefixed, other types as their text).
func (s *memScan) hashArray(h hash.Hash, a arrow.Array) {
	buf := s.scratch[:0]
	flush := func() {
		if len(buf) > 32<<10 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	switch c := a.(type) {
	case *array.Int64:
		for i := range c.Len() {
			if c.IsNull(i) {
				buf = append(buf, 0)
			} else {
				buf = binary.LittleEndian.AppendUint64(append(buf, 1), uint64(c.Value(i)))
			}
			flush()
		}
	case *array.Float64:
		for i := range c.Len() {
			if c.IsNull(i) {
				buf = append(buf, 0)
			} else {
				buf = binary.LittleEndian.AppendUint64(append(buf, 1), math.Float64bits(c.Value(i)))
			}
			flush()
		}
	case interface{ Value(int) string }: // utf8, large_utf8, utf8_view
		for i := range a.Len() {
			if a.IsNull(i) {
				buf = append(buf, 0)
			} else {
				v := c.Value(i)
				buf = binary.AppendUvarint(append(buf, 1), uint64(len(v)))
				buf = append(buf, v...)
			}
			flush()
		}
	case interface{ Value(int) []byte }: // binaries
		for i := range a.Len() {
			if a.IsNull(i) {
				buf = append(buf, 0)
			} else {
				v := c.Value(i)
				buf = binary.AppendUvarint(append(buf, 1), uint64(len(v)))
				buf = append(buf, v...)
			}
			flush()
		}
	default:
		for i := range a.Len() {
			if a.IsNull(i) {
				buf = append(buf, 0)
			} else {
				v := a.ValueStr(i)
				buf = binary.AppendUvarint(append(buf, 1), uint64(len(v)))
				buf = append(buf, v...)
			}
			flush()
		}
	}
	h.Write(buf)
	s.scratch = buf[:0]
}

func (s *memScan) RecordBatch() arrow.RecordBatch { return s.cur }

// Record returns the current batch.
//
// Deprecated: Use RecordBatch; Record is kept for array.RecordReader.
func (s *memScan) Record() arrow.RecordBatch { return s.cur }
func (s *memScan) Err() error                { return s.err }
func (s *memScan) Retain()                   { s.refs.Add(1) }
func (s *memScan) Release() {
	if s.refs.Add(-1) == 0 {
		s.Close()
	}
}

func (s *memScan) Close() error {
	s.closed.Do(func() {
		if s.cur != nil {
			s.cur.Release()
			s.cur = nil
		}
		s.rr.Release()
	})
	return nil
}

func (s *memScan) Progress() (done, total int64, unit string) {
	return s.done.Load(), s.total, "rows"
}

func (s *memScan) Fingerprint() (Fingerprint, error) {
	if !s.ended || s.err != nil {
		return Fingerprint{}, errors.New("table: fingerprint: the data has not been read to the end")
	}
	fs := s.rr.Schema()
	h := newHash(s.alg)
	for i, f := range fs.Fields() {
		fmt.Fprintf(h, "%q:%s:%t:%s\n", f.Name, f.Type, f.Nullable, hexSum(s.hashes[i]))
	}
	fmt.Fprintf(h, "rows:%d\n", s.rows)
	return Fingerprint{
		Kind:      "table",
		Algorithm: s.alg,
		Hash:      hexSum(h),
		Rows:      s.rows,
		Columns:   fs.NumFields(),
		Schema:    schemaString(fs),
	}, nil
}
