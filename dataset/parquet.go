package dataset

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetSource reads the projected columns of a Parquet file, and only
// those: the column chunks of other columns are never read. It decodes the
// columns of a batch in parallel on goroutines of its own, so that a panic
// inside arrow-go's decoder on a corrupt file is recovered into an error
// that names the row group, instead of ending the process (pqarrow's own
// parallel reader does not recover).
type parquetSource struct {
	path      string
	fs, ps    *arrow.Schema
	cols      []*pqarrow.ColumnReader
	names     []string // of each projected column
	mem       memory.Allocator
	batchSize int64
	rows      int64   // in the file, from its footer
	groupEnd  []int64 // the row after each row group, from the footer
	read      int64   // rows returned so far
	err       error
	// schemaOnly: opened for its schema alone; it has no column readers
	// and returns no batch.
	schemaOnly bool
}

func (s *parquetSource) totalRows() int64 { return s.rows }

// newParquetSource opens the Parquet file f, named path in messages.
func newParquetSource(ctx context.Context, f parquet.ReaderAtSeeker, path string, opts Options) (source, error) {
	props := parquet.NewReaderProperties(opts.Allocator)
	// Column chunks are read page by page, each page's bytes with pread
	// straight into the page reader's decompression buffer, which it reuses
	// from page to page. Unbuffered, arrow-go reads each whole column chunk
	// (some 8 MB in the benchmark's file) into a fresh heap slice, zeroed
	// first, and then copies every page out of it: on the benchmark's 10M
	// rows that zeroing and copying was a fifth of the CPU time of a run.
	props.BufferedStreamEnabled = true
	pf, err := file.NewParquetReader(f, file.WithReadProps(props))
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Parquet file: %w", path, err)
	}
	// Parallel is off so that pqarrow starts no goroutine of its own:
	// next decodes the columns in parallel, under recover.
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(opts.BatchSize)}, opts.Allocator)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Parquet file: %w", path, err)
	}
	fs, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("%s: unsupported Parquet schema: %w", path, err)
	}
	if err := duplicateColumns(path, "Parquet", fs); err != nil {
		return nil, err
	}
	idx, ps, err := projection(path, fs, opts.Columns)
	if err != nil {
		return nil, err
	}
	if pf.NumRows() == 0 {
		return nil, &emptyError{path: path, why: "the Parquet file has a schema but no rows"}
	}
	s := &parquetSource{path: path, fs: fs, mem: opts.Allocator, rows: pf.NumRows(), batchSize: int64(opts.BatchSize)}
	var end int64
	for g := range pf.NumRowGroups() {
		end += pf.MetaData().RowGroup(g).NumRows()
		s.groupEnd = append(s.groupEnd, end)
	}
	if end != s.rows {
		return nil, fmt.Errorf("%s: not a valid Parquet file: the row groups hold %d rows, the footer says %d", path, end, s.rows)
	}
	if opts.schemaOnly {
		// A file set's schema pass needs only the footer: opening the
		// column readers would read column chunks.
		s.ps, s.schemaOnly = fs, true
		return s, nil
	}
	groups := make([]int, pf.NumRowGroups())
	for g := range groups {
		groups[g] = g
	}
	fields := make([]arrow.Field, len(idx))
	for k, i := range idx {
		leaves := map[int]bool{}
		for _, l := range appendLeaves(nil, &fr.Manifest.Fields[i]) {
			leaves[l] = true
		}
		cr, err := fr.GetFieldReader(ctx, i, leaves, groups)
		if err != nil {
			s.release()
			return nil, fmt.Errorf("%s: reading Parquet column %q: %w", path, fs.Field(i).Name, err)
		}
		s.cols = append(s.cols, cr)
		s.names = append(s.names, fs.Field(i).Name)
		fields[k] = *cr.Field()
	}
	md := ps.Metadata()
	s.ps = arrow.NewSchema(fields, &md)
	return s, nil
}

// appendLeaves appends the Parquet leaf column indices under f.
func appendLeaves(dst []int, f *pqarrow.SchemaField) []int {
	if f.IsLeaf() {
		return append(dst, f.ColIndex)
	}
	for i := range f.Children {
		dst = appendLeaves(dst, &f.Children[i])
	}
	return dst
}

func (s *parquetSource) fileSchema() *arrow.Schema { return s.fs }
func (s *parquetSource) schema() *arrow.Schema     { return s.ps }

// rowGroup returns the row group that holds row.
func (s *parquetSource) rowGroup(row int64) int {
	for g, end := range s.groupEnd {
		if row < end {
			return g
		}
	}
	return len(s.groupEnd) - 1
}

func (s *parquetSource) next() (arrow.RecordBatch, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.read >= s.rows || s.schemaOnly {
		return nil, io.EOF
	}
	want := min(s.batchSize, s.rows-s.read)
	arrs := make([]arrow.Array, len(s.cols))
	errs := make([]error, len(s.cols))
	var wg sync.WaitGroup
	for k := range s.cols {
		wg.Go(func() { arrs[k], errs[k] = s.readColumn(k, want) })
	}
	wg.Wait()
	for k, err := range errs {
		if err == nil && arrs[k].Len() != int(want) {
			err = fmt.Errorf("%d values where the footer promises %d", arrs[k].Len(), want)
		}
		if err != nil {
			for _, a := range arrs {
				if a != nil {
					a.Release()
				}
			}
			first, last := s.read, s.read+want-1
			g, h := s.rowGroup(first), s.rowGroup(last)
			where := fmt.Sprintf("row group %d", g)
			if h != g {
				where = fmt.Sprintf("row groups %d..%d", g, h)
			}
			s.err = fmt.Errorf("%s: %s (rows %d..%d): column %q: cannot decode Parquet data: %w", s.path, where, first+1, last+1, s.names[k], err)
			return nil, s.err
		}
	}
	rec := array.NewRecordBatch(s.ps, arrs, want)
	for _, a := range arrs {
		a.Release()
	}
	s.read += want
	return rec, nil
}

// readColumn reads the next n values of projected column k as one
// validated array, turning a panic of the decoder into an error.
func (s *parquetSource) readColumn(k int, n int64) (arr arrow.Array, err error) {
	defer func() {
		if p := recover(); p != nil {
			if arr != nil {
				arr.Release()
			}
			arr, err = nil, fmt.Errorf("%v", p)
		}
	}()
	ch, err := s.cols[k].NextBatch(n)
	if err != nil {
		return nil, err
	}
	defer ch.Release()
	switch len(ch.Chunks()) {
	case 0:
		return nil, fmt.Errorf("no values where the footer promises %d", n)
	case 1:
		arr = ch.Chunk(0)
		arr.Retain()
	default:
		arr, err = array.Concatenate(ch.Chunks(), s.mem)
		if err != nil {
			return nil, err
		}
	}
	// The arrays are built by arrow-go's builders from decoded values, not
	// read from the file, so their offsets are consistent by construction:
	// the O(1) checks suffice (a full check cost about 0.4 s per 10M rows of
	// the benchmark file, some 10% of the read).
	if err := array.Validate(arr); err != nil {
		arr.Release()
		return nil, err
	}
	return arr, nil
}

func (s *parquetSource) release() {
	// A reader a corrupt page left in a bad state may panic on release.
	defer func() { _ = recover() }()
	for _, c := range s.cols {
		c.Release()
	}
	s.cols = nil
}
