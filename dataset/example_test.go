package dataset_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/dataset"
)

// Open a CSV file, read two of its columns in batches, and record its
// fingerprint.
func ExampleOpen() {
	path := filepath.Join("testdata", "airquality.csv")
	r, err := dataset.Open(context.Background(), path, dataset.Options{
		Columns:   []string{"Temp", "Ozone"},
		BatchSize: 100,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()

	fmt.Println(r.Schema().Field(0).Name, r.Schema().Field(0).Type, r.Schema().Field(1).Name, r.Schema().Field(1).Type)
	var missing int
	for r.Next() {
		rec := r.RecordBatch()
		missing += rec.Column(1).NullN()
		fmt.Println("batch of", rec.NumRows(), "rows")
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	fp, err := r.Fingerprint()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("missing ozone:", missing)
	fmt.Println(fp.Rows, "rows;", fp.Schema)
	// Output:
	// Temp int64 Ozone int64
	// batch of 100 rows
	// batch of 53 rows
	// missing ozone: 37
	// 153 rows; Ozone:int64, Solar.R:int64, Wind:float64, Temp:int64, Month:int64, Day:int64
}

// A ParseError names the file, the line, the field and the column, and
// says how to change the column's type.
func ExampleParseError() {
	_, err := dataset.FormatFromPath("data.xlsx")
	fmt.Println(err != nil)

	pe := &dataset.ParseError{Path: "data.csv", Line: 12, Column: 3, Field: "age", Err: fmt.Errorf(`"12.5" is not a valid int64`)}
	fmt.Println(pe)
	// Output:
	// true
	// data.csv:12:3: column "age": "12.5" is not a valid int64
}

// An Arrow table built in Go is a Source, as files are: scan the columns
// wanted, then read the fingerprint of its content.
func ExampleFromTable() {
	schema := arrow.NewSchema([]arrow.Field{{Name: "age", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(`[{"age": 31}, {"age": 47}]`))
	if err != nil {
		log.Fatal(err)
	}
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()

	sc, err := dataset.FromTable(tbl).Scan(context.Background(), []string{"age"})
	if err != nil {
		log.Fatal(err)
	}
	defer sc.Close()
	for sc.Next() {
		fmt.Println(sc.RecordBatch().Column(0))
	}
	fp, err := sc.Fingerprint()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fp.Kind, fp.Rows, fp.Schema)
	// Output:
	// [31 47]
	// table 2 age:int64
}
