// Command layouts writes the benchmark's rows as the many-file layouts the
// README measures, next to the generated single files:
//
//	DIR/parts/region=R/part-K.parquet  8 Hive partitions by region, 4 Parquet
//	                                   files each, region only in the path
//	DIR/csv100/part-NNN.csv            the rows as 100 CSV files, in order
//	DIR/small10k/part-NNNNN.csv        the first 100,000 rows as 10,000 CSV
//	                                   files of 10 rows each
//	DIR/small10k.csv                   those 100,000 rows as one file
//
// It reads DIR/bench.parquet and DIR/bench.csv (see ../README.md):
//
//	go run ./examples/bench/layouts -dir /tmp/benchdata
//
// go test does not need it.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/trustml/trustml/dataset"
)

func main() {
	dir := flag.String("dir", "/tmp/benchdata", "the directory of bench.parquet and bench.csv")
	flag.Parse()
	if err := partitions(*dir); err != nil {
		log.Fatal(err)
	}
	if err := splitCSV(filepath.Join(*dir, "bench.csv"), filepath.Join(*dir, "csv100"), "part-%03d.csv", -1, 100, ""); err != nil {
		log.Fatal(err)
	}
	if err := splitCSV(filepath.Join(*dir, "bench.csv"), filepath.Join(*dir, "small10k"), "part-%05d.csv", 100000, 10000, filepath.Join(*dir, "small10k.csv")); err != nil {
		log.Fatal(err)
	}
}

// partitions writes bench.parquet as 8 region partitions of 4 files each:
// file K of a partition holds its rows from the K-th quarter of the file.
func partitions(dir string) error {
	ctx := context.Background()
	out := filepath.Join(dir, "parts")
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	rdr, err := dataset.Open(ctx, filepath.Join(dir, "bench.parquet"), dataset.Options{BatchSize: 1 << 20})
	if err != nil {
		return err
	}
	defer rdr.Close()
	_, total, _ := rdr.Progress()
	regionIdx := rdr.Schema().FieldIndices("region")[0]
	var fields []arrow.Field
	for i, f := range rdr.Schema().Fields() {
		if i != regionIdx {
			fields = append(fields, f)
		}
	}
	schema := arrow.NewSchema(fields, nil)
	writers := map[string]*pqarrow.FileWriter{}
	files := map[string]*os.File{}
	writer := func(region string, k int64) (*pqarrow.FileWriter, error) {
		key := fmt.Sprintf("region=%s/part-%d.parquet", region, k)
		if w, ok := writers[key]; ok {
			return w, nil
		}
		p := filepath.Join(out, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		f, err := os.Create(p)
		if err != nil {
			return nil, err
		}
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithMaxRowGroupLength(1<<20))
		w, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return nil, err
		}
		writers[key], files[key] = w, f
		return w, nil
	}
	var offset int64
	for rdr.Next() {
		b := rdr.RecordBatch()
		k := offset * 4 / total
		offset += b.NumRows()
		regions := b.Column(regionIdx).(*array.String)
		seen := map[string]bool{}
		for i := range regions.Len() {
			seen[regions.Value(i)] = true
		}
		for region := range seen {
			mb := array.NewBooleanBuilder(memory.DefaultAllocator)
			for i := range regions.Len() {
				mb.Append(regions.IsValid(i) && regions.Value(i) == region)
			}
			mask := mb.NewArray()
			mb.Release()
			sel, err := compute.FilterRecordBatch(ctx, b, mask, compute.DefaultFilterOptions())
			mask.Release()
			if err != nil {
				return err
			}
			cols := make([]arrow.Array, 0, len(fields))
			for i, c := range sel.Columns() {
				if i != regionIdx {
					cols = append(cols, c)
				}
			}
			rec := array.NewRecordBatch(schema, cols, sel.NumRows())
			w, err := writer(region, k)
			if err == nil {
				err = w.WriteBuffered(rec)
			}
			rec.Release()
			sel.Release()
			if err != nil {
				return err
			}
		}
	}
	if err := rdr.Err(); err != nil {
		return err
	}
	for key, w := range writers {
		if err := w.Close(); err != nil {
			return err
		}
		files[key].Close()
	}
	fmt.Printf("%s: %d files\n", out, len(writers))
	return nil
}

// splitCSV copies the header and the first rows data rows of src (all when
// rows < 0) into n files of equal row counts under dir, and also into one
// file, whole, when whole is set.
func splitCSV(src, dir, name string, rows int64, n int, whole string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	in := bufio.NewReaderSize(f, 1<<20)
	header, err := in.ReadString('\n')
	if err != nil {
		return err
	}
	if rows < 0 {
		// Count the rows first: the files hold equal shares.
		rows = 0
		for {
			_, err := in.ReadSlice('\n')
			if err == io.EOF {
				break
			}
			if err != nil && err != bufio.ErrBufferFull {
				return err
			}
			if err == nil {
				rows++
			}
		}
		if _, err := f.Seek(int64(len(header)), io.SeekStart); err != nil {
			return err
		}
		in.Reset(f)
	}
	var all *bufio.Writer
	if whole != "" {
		wf, err := os.Create(whole)
		if err != nil {
			return err
		}
		defer wf.Close()
		all = bufio.NewWriter(wf)
		all.WriteString(header)
	}
	per := rows / int64(n)
	for i := range n {
		out, err := os.Create(filepath.Join(dir, fmt.Sprintf(name, i)))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(out, 1<<20)
		w.WriteString(header)
		count := per
		if i == n-1 {
			count = rows - per*int64(n-1)
		}
		for range count {
			line, err := in.ReadString('\n')
			if err != nil {
				return err
			}
			w.WriteString(line)
			if all != nil {
				all.WriteString(line)
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
	if all != nil {
		if err := all.Flush(); err != nil {
			return err
		}
	}
	fmt.Printf("%s: %d files\n", dir, n)
	return nil
}
