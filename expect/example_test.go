package expect_test

import (
	"context"
	"fmt"

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
