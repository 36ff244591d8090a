package benchdata

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// WriteCSV writes the first rows rows for seed as CSV to w: a header line,
// commas, "\n" line ends, an empty field for a null, integers in decimal
// and floats in the shortest form that reads back to the same float64
// (strconv's 'g' with precision -1). The rows are made and written one at
// a time, so any number of rows streams in constant memory.
func WriteCSV(w io.Writer, rows int64, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	line := make([]byte, 0, 256)
	for i, f := range Schema.Fields() {
		if i > 0 {
			line = append(line, ',')
		}
		line = append(line, f.Name...)
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return err
	}
	g := NewGenerator(seed)
	var row Row
	for range max(rows, 0) {
		g.Next(&row)
		line = appendCSV(line[:0], &row)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func appendCSV(b []byte, row *Row) []byte {
	b = strconv.AppendInt(b, row.ID, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, row.Age, 10)
	b = append(b, ',')
	if row.IncomeValid {
		b = strconv.AppendFloat(b, row.Income, 'g', -1, 64)
	}
	b = append(b, ',')
	if row.ScoreValid {
		b = strconv.AppendFloat(b, row.Score, 'g', -1, 64)
	}
	b = append(b, ',')
	b = append(b, Regions[row.Region]...)
	b = append(b, ',')
	b = strconv.AppendInt(b, row.Label, 10)
	b = append(b, ',')
	b = strconv.AppendFloat(b, row.X, 'g', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, row.Y, 'g', -1, 64)
	return append(b, '\n')
}

// WriteParquet writes the rows of rr to w as Parquet: Snappy-compressed,
// one row group per batch of at most batch rows, the Arrow schema stored in
// the footer.
func WriteParquet(w io.Writer, rr array.RecordReader, batch int64, mem memory.Allocator) error {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(batch), parquet.WithAllocator(mem))
	fw, err := pqarrow.NewFileWriter(rr.Schema(), w, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
	if err != nil {
		return fmt.Errorf("benchdata: parquet: %w", err)
	}
	return writeAll(rr, fw.Write, fw.Close)
}

// WriteIPC writes the rows of rr to w as an Arrow IPC file, one record
// batch per batch of rr, uncompressed.
func WriteIPC(w io.Writer, rr array.RecordReader, mem memory.Allocator) error {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(rr.Schema()), ipc.WithAllocator(mem))
	if err != nil {
		return fmt.Errorf("benchdata: arrow: %w", err)
	}
	return writeAll(rr, fw.Write, fw.Close)
}

func writeAll(rr array.RecordReader, write func(arrow.RecordBatch) error, close func() error) error {
	for rr.Next() {
		if err := write(rr.RecordBatch()); err != nil {
			_ = close()
			return err
		}
	}
	if err := rr.Err(); err != nil {
		_ = close()
		return err
	}
	return close()
}
