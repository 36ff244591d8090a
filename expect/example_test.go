package expect_test

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/expect"
)

// A suite built in code: each Check names its kind and the fields that
// kind reads (Validate, which Evaluate runs, rejects the others).
func ExampleSuite_Evaluate() {
	schema := arrow.NewSchema([]arrow.Field{{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{31, 47, 150, 0}, []bool{true, true, true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, _ := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	defer rr.Release()

	s := &expect.Suite{Columns: []expect.Column{{Name: "age", Checks: []expect.Check{
		{Kind: expect.Range, Interval: bound.Between(0, 120)},
		{Kind: expect.InSet, Set: []expect.Value{expect.IntValue(31), expect.IntValue(47)}},
		{Kind: expect.ProportionUnique, Interval: bound.AtLeast(1)},
	}}}}
	res, err := s.Evaluate(context.Background(), rr, expect.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Printf("%s %s: %s\n", r.Name, r.Status, r.Message)
	}
	// Output:
	// columns.age.range fail: 1 of 3 values outside [0, 120] (33.3%), e.g. row 2: 150
	// columns.age.in_set fail: 1 of 3 values not in {31, 47} (33.3%), e.g. row 2: 150
	// columns.age.proportion_unique pass: proportion_unique 1, expected ≥ 1
}

// A check's definition as aggregates, for a SQL engine.
func ExampleCheck_Definition() {
	c := expect.Check{Kind: expect.Range, Column: "age", Interval: bound.Between(0, 120)}
	d := c.Definition()
	fmt.Println(d.Rule)
	for _, a := range d.Aggregates {
		fmt.Printf("%s = %s(%s) FILTER (WHERE %s)\n", a.Name, a.Func, a.Arg, a.Filter)
	}
	// Output:
	// "age" >= 0 AND "age" <= 120
	// element_count = count("age") FILTER (WHERE )
	// unexpected_count = count("age") FILTER (WHERE NOT ("age" >= 0 AND "age" <= 120))
}

// Checks over two columns and over time, built in code: an end never
// before its start, and a newest start at most a day before the run's
// instant (fixed, as check --now fixes it).
func ExampleSuite_Evaluate_pairsAndTime() {
	ts := &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}
	schema := arrow.NewSchema([]arrow.Field{{Name: "start", Type: ts, Nullable: true}, {Name: "end", Type: ts, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	// 2024-05-01 08:00, 09:00 and 10:00 UTC; the second ends before it starts.
	b.Field(0).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1714550400, 1714554000, 1714557600}, nil)
	b.Field(1).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1714552200, 1714550400, 0}, []bool{true, true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, _ := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	defer rr.Release()

	s := &expect.Suite{Columns: []expect.Column{
		{Name: "end", Checks: []expect.Check{{Kind: expect.Compare, Op: ">=", With: "start"}}},
		{Name: "start", Checks: []expect.Check{{Kind: expect.Freshness, MaxAge: 24 * time.Hour}}},
	}}
	now := time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)
	res, err := s.Evaluate(context.Background(), rr, expect.Options{Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Printf("%s %s: %s\n", r.Name, r.Status, r.Message)
	}
	// Output:
	// columns.end.compare fail: 1 of 2 rows breaking end >= start (50.0%), e.g. row 1: end = "2024-05-01T08:00:00Z", start = "2024-05-01T09:00:00Z"
	// columns.start.freshness pass: newest value 2024-05-01T10:00:00Z, 23h0m0s old
}
