package trustml

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/trustml/trustml/expect"
)

// FailedRowsWriter writes the failed-rows output (every row that failed a
// row-wise check, a rule or a key check, see expect.FailedRowsWriter) to
// an io.Writer as it streams in, as Parquet or CSV. Close completes the file; nothing
// written before it is a valid file.
type FailedRowsWriter interface {
	expect.FailedRowsWriter
	// Close writes what the format keeps for the end (Parquet's footer)
	// and flushes; it does not close the underlying io.Writer. A run
	// that found no failing row still yields a file with the header.
	Close() error
}

// FailedRowsFormat returns the format of a failed-rows path by its
// extension: "parquet" for .parquet, "csv" for .csv and for - (standard
// output); anything else is an error.
func FailedRowsFormat(path string) (string, error) {
	if path == "-" {
		return "csv", nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet":
		return "parquet", nil
	case ".csv":
		return "csv", nil
	}
	return "", fmt.Errorf("failed rows are written as Parquet (.parquet) or CSV (.csv); %q has neither extension", path)
}

// NewFailedRowsWriter returns a FailedRowsWriter of format ("parquet" or
// "csv", see FailedRowsFormat) writing to w. Parquet row groups hold at
// most 65536 rows, so that memory stays bounded whatever the failures,
// and columns are not dictionary-encoded: the row numbers are all
// distinct, and the dictionaries' hash tables cost more memory than
// they save bytes (on the benchmark's 110,242 failing rows: 10 MiB less
// peak RSS and a file of 1.03 MB instead of 1.35).
func NewFailedRowsWriter(w io.Writer, format string) (FailedRowsWriter, error) {
	switch format {
	case "parquet":
		return &parquetRows{w: w}, nil
	case "csv":
		return &csvRows{w: w}, nil
	}
	return nil, fmt.Errorf("trustml: failed rows: unknown format %q (want parquet or csv)", format)
}

type parquetRows struct {
	w  io.Writer
	fw *pqarrow.FileWriter
}

func (p *parquetRows) Begin(schema *arrow.Schema) error {
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(1<<16), parquet.WithCompression(compress.Codecs.Snappy), parquet.WithDictionaryDefault(false))
	fw, err := pqarrow.NewFileWriter(schema, nopCloser{p.w}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return err
	}
	p.fw = fw
	return nil
}

func (p *parquetRows) Write(rec arrow.RecordBatch) error { return p.fw.WriteBuffered(rec) }

func (p *parquetRows) Close() error {
	if p.fw == nil {
		return errors.New("trustml: failed rows: the run wrote no schema")
	}
	return p.fw.Close()
}

// nopCloser keeps pqarrow's Close from closing the caller's writer.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

type csvRows struct {
	w      io.Writer
	cw     *csv.Writer
	schema *arrow.Schema
	wrote  bool
}

func (c *csvRows) Begin(schema *arrow.Schema) error {
	c.cw = csv.NewWriter(c.w, schema, csv.WithHeader(true), csv.WithNullWriter(""))
	c.schema = schema
	return nil
}

func (c *csvRows) Write(rec arrow.RecordBatch) error {
	c.wrote = true
	return c.cw.Write(rec)
}

func (c *csvRows) Close() error {
	if c.cw == nil {
		return errors.New("trustml: failed rows: the run wrote no schema")
	}
	if !c.wrote {
		// The header, for a run without failing rows.
		b := array.NewRecordBuilder(memory.DefaultAllocator, c.schema)
		defer b.Release()
		empty := b.NewRecordBatch()
		defer empty.Release()
		if err := c.Write(empty); err != nil {
			return err
		}
	}
	return c.cw.Flush()
}
