package trusttest_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/trusttest"
)

// printT prints what a *testing.T would report, so the examples can show
// their failure messages.
type printT struct{}

func (printT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (printT) Fatalf(format string, args ...any) { fmt.Printf("FATAL: "+format+"\n", args...) }
func (printT) Helper()                           {}
func (printT) Log(args ...any)                   { fmt.Println(append([]any{"LOG:"}, args...)...) }

func orders() arrow.Table {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "country", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	tbl, err := array.TableFromJSON(memory.DefaultAllocator, schema, []string{`[
		{"id": 1, "age": 34, "country": "FR", "amount": 20.5},
		{"id": 2, "age": 151, "country": "DE", "amount": 13.0},
		{"id": 2, "age": null, "country": "XX", "amount": 9.5},
		{"id": 4, "age": 28, "country": "FR", "amount": 41.0}
	]`})
	if err != nil {
		panic(err)
	}
	return tbl
}

// Assertions on a table built in code. In a test, pass t; each failed
// assertion is one t.Errorf line, and the chain goes on.
func ExampleExpect() {
	t := printT{} // in a test: t *testing.T
	tbl := orders()
	defer tbl.Release()

	trusttest.Expect(t, tbl).RowCountBetween(1, 1000)
	trusttest.Expect(t, tbl).Column("id").Unique()
	trusttest.Expect(t, tbl).Column("age").NotNull().InRange(0, 120)
	trusttest.Expect(t, tbl).Column("country").InSet("FR", "DE", "IT")
	trusttest.Expect(t, tbl).Column("amount").MeanBetween(10, 30).Mostly(0.75).AtLeast(10)
	// Output:
	// FAIL: columns.id.unique: 2 of 4 values repeated (50.0%), e.g. row 1: 2
	// FAIL: columns.age.missing: 1 of 4 missing (25.0%), expected count ≤ 0
	// FAIL: columns.age.range: 1 of 3 values outside [0, 120] (33.3%), e.g. row 1: 151
	// FAIL: columns.country.in_set: 1 of 4 values not in {"FR", "DE", "IT"} (25.0%), e.g. row 2: "XX"
}

// A model's objectives on a table: here predictions already in the data.
func ExampleModel() {
	t := printT{}
	tbl := orders()
	defer tbl.Release()

	m := model.PredictionsColumn("amount") // any model.Regressor: fitted, an endpoint, your own type
	trusttest.Model(t, m, tbl, "amount").Metric("r2").AtLeast(0.99).Metric("rmse").AtMost(0.01)
	trusttest.Model(t, model.PredictionsColumn("id"), tbl, "amount").Metric("mae").AtMost(5)
	// Output:
	// FAIL: model.mae: mae 18.75 on 4 rows, expected ≤ 5
}

// A whole suite file, as a CI job would run it, inside go test.
func ExampleCheck() {
	t := printT{}
	res := trusttest.Check(t, "../examples/airquality/suite.yaml")
	fmt.Println("passed:", res.Passed)
	// Output:
	// LOG: warning: checklist.ozone is never predicted negative: 5 of 27 cases failed (18.5%, 95% CI 8.2–36.7%): e.g. template 0 (Solar.R 10, Wind 20, Temp 57): ŷ -31.6881, expected ≥ 0
	// passed: true
}

// A suite file run on an Arrow table built in code instead of its data.
func ExampleCheckTable() {
	t := printT{}
	tbl := orders()
	defer tbl.Release()
	res := trusttest.CheckTable(t, "testdata/orders.yaml", tbl)
	fmt.Println("passed:", res.Passed, "rows:", res.Run.Data.Rows)
	// Output:
	// FAIL: columns.id.unique: 2 of 4 values repeated (50.0%), e.g. row 1: 2
	// FAIL: columns.age.range: 1 of 3 values outside [0, 120] (33.3%), e.g. row 1: 151
	// FAIL: columns.country.in_set: 1 of 4 values not in {"FR", "DE"} (25.0%), e.g. row 2: "XX"
	// passed: false rows: 4
}
