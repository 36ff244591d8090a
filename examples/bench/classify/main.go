// Command classify writes a binary classifier's predictions as a Parquet
// file, for the classifier report at scale: `label` is "churns" for about
// 10% of the rows, else "stays", and `p_churn` is a probability of
// "churns" (a logistic of a normal score shifted by 2 for churners), a
// distinct value on nearly every row, so the ROC curve has about as many
// thresholds as rows. Row i depends only on the seed.
//
//	go run ./examples/bench/classify -rows 10000000 -seed 1 -out /tmp/churn.parquet
//	./trustml check examples/bench/classify/suite.yaml --data /tmp/churn.parquet --html /tmp/churn.html
//
// The file is written beside its final name and renamed into place when
// complete.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// schema is the file's: the true class and the model's probability of
// "churns".
var schema = arrow.NewSchema([]arrow.Field{
	{Name: "label", Type: arrow.BinaryTypes.String},
	{Name: "p_churn", Type: arrow.PrimitiveTypes.Float64},
}, nil)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "classify:", err)
		os.Exit(2)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rows := fs.Int64("rows", 10_000_000, "number of rows")
	seed := fs.Uint64("seed", 1, "seed of the random stream")
	out := fs.String("out", "churn.parquet", "the Parquet file to write")
	batch := fs.Int64("batch", 1_000_000, "rows per row group")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rows < 0 || *batch <= 0 {
		return errors.New("-rows must be ≥ 0 and -batch > 0")
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// Hide Close: Parquet's writer closes a sink that has one; the file is
	// closed here, after its last byte.
	if err := write(struct{ io.Writer }{tmp}, *rows, *seed, *batch); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", *out, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d rows (seed %d) to %s, %d bytes\n", *rows, *seed, *out, st.Size())
	return nil
}

func write(w io.Writer, rows int64, seed uint64, batch int64) error {
	mem := memory.DefaultAllocator
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithMaxRowGroupLength(batch))
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 0x636875726e)) // "churn"
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	label := b.Field(0).(*array.StringBuilder)
	p := b.Field(1).(*array.Float64Builder)
	for left := rows; left > 0; {
		n := min(batch, left)
		left -= n
		for range n {
			z := r.NormFloat64() - 2.5
			if r.Float64() < 0.1 {
				label.Append("churns")
				z += 2
			} else {
				label.Append("stays")
			}
			p.Append(1 / (1 + math.Exp(-z)))
		}
		rec := b.NewRecordBatch()
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			_ = fw.Close()
			return err
		}
	}
	return fw.Close()
}
