package dataset

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetSource reads the projected columns of a Parquet file, and only
// those: the column chunks of other columns are never read.
type parquetSource struct {
	path string
	fs   *arrow.Schema
	rr   pqarrow.RecordReader
	rows int64 // in the file, from its footer
}

func (s *parquetSource) totalRows() int64 { return s.rows }

func newParquetSource(ctx context.Context, f *os.File, path string, opts Options) (source, error) {
	pf, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(opts.Allocator)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Parquet file: %w", path, err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{Parallel: true, BatchSize: int64(opts.BatchSize)}, opts.Allocator)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Parquet file: %w", path, err)
	}
	fs, err := fr.Schema()
	if err != nil {
		return nil, fmt.Errorf("%s: unsupported Parquet schema: %w", path, err)
	}
	idx, _, err := projection(path, fs, opts.Columns)
	if err != nil {
		return nil, err
	}
	if pf.NumRows() == 0 {
		return nil, &emptyError{path: path, why: "the Parquet file has a schema but no rows"}
	}
	if opts.schemaOnly {
		// GetRecordReader would read the first row group's column chunks.
		return &parquetSource{path: path, fs: fs, rows: pf.NumRows()}, nil
	}
	var leaves []int
	for _, i := range idx {
		leaves = appendLeaves(leaves, &fr.Manifest.Fields[i])
	}
	rr, err := fr.GetRecordReader(ctx, leaves, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: reading Parquet columns: %w", path, err)
	}
	return &parquetSource{path: path, fs: fs, rr: rr, rows: pf.NumRows()}, nil
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
func (s *parquetSource) schema() *arrow.Schema {
	if s.rr == nil {
		return s.fs
	}
	return s.rr.Schema()
}

func (s *parquetSource) next() (arrow.RecordBatch, error) {
	if s.rr == nil {
		return nil, io.EOF
	}
	if !s.rr.Next() {
		if err := s.rr.Err(); err != nil {
			return nil, fmt.Errorf("%s: reading Parquet data: %w", s.path, err)
		}
		return nil, io.EOF
	}
	rec := s.rr.RecordBatch()
	rec.Retain()
	return rec, nil
}

func (s *parquetSource) release() {
	if s.rr != nil {
		s.rr.Release()
	}
}
