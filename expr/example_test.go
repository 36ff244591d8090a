package expr_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/expr"
)

func Example() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "Ozone", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "Solar.R", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(
		`[{"Ozone": 41, "Solar.R": 190}, {"Ozone": null, "Solar.R": 118}, {"Ozone": 12, "Solar.R": null}, {"Ozone": 250, "Solar.R": 99}]`))
	if err != nil {
		panic(err)
	}
	defer rec.Release()

	p, err := expr.Predicate(`Ozone BETWEEN 0 AND 200 OR "Solar.R" < 100`, schema)
	if err != nil {
		panic(err)
	}
	res, err := p.Eval(context.Background(), rec, expr.Options{})
	if err != nil {
		panic(err)
	}
	defer res.Release()
	pass, fail, null := expr.Tally(res.(*array.Boolean))
	fmt.Println(res)
	fmt.Printf("passed %d, failed %d, null %d\n", pass, fail, null)
	fmt.Println(p.SQL(expr.DuckDB))
	// Output:
	// [true (null) true true]
	// passed 3, failed 0, null 1
	// "Ozone" BETWEEN 0 AND 200 OR "Solar.R" < 100
}

func ExampleCompile_error() {
	schema := arrow.NewSchema([]arrow.Field{{Name: "Solar.R", Type: arrow.PrimitiveTypes.Float64}, {Name: "Month", Type: arrow.BinaryTypes.String}}, nil)
	_, err := expr.Compile("Solar_R > 0 AND\n  Month = 5", schema)
	fmt.Println(err)
	// Output:
	// 1:1: unknown column "Solar_R" (did you mean "Solar.R"?)
	// 2:11: cannot compare VARCHAR with BIGINT (quote or unquote the constant to match the column)
}

func ExamplePrint() {
	e, err := expr.Parse(`ts > now() - interval '1 day' and (a+b)*2 not between 1 and 10`)
	if err != nil {
		panic(err)
	}
	fmt.Println(expr.String(e))
	d := *expr.DuckDB
	d.Now = time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	fmt.Println(expr.Print(e, &d))
	// Output:
	// ts > now() - INTERVAL '1 days' AND (a + b) * 2 NOT BETWEEN 1 AND 10
	// ts > TIMESTAMPTZ '2026-11-30 06:00:00+00' - INTERVAL '1 days' AND (a + b) * 2 NOT BETWEEN 1 AND 10
}
