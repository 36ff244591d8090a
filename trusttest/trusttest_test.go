package trusttest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/trusttest"
)

// recorder is a TestingT that records what it is told.
type recorder struct {
	errors, fatals, logs []string
	helpers              int
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper()         { r.helpers++ }
func (r *recorder) Log(args ...any) { r.logs = append(r.logs, fmt.Sprint(args...)) }

var _ trusttest.TestingT = (*testing.T)(nil)
var _ trusttest.TestingT = (*testing.B)(nil)

func TestCheckPassingSuite(t *testing.T) {
	// A real *testing.T: the airquality suite passes.
	res := trusttest.Check(t, "../examples/airquality/suite.yaml")
	require.NotNil(t, res)
	assert.True(t, res.Passed)
}

func TestCheckFailingSuite(t *testing.T) {
	var r recorder
	dir := t.TempDir()
	res := trusttest.Check(&r, "../examples/airquality/failing.yaml",
		trusttest.WithJSON(filepath.Join(dir, "r.json")), trusttest.WithJUnit(filepath.Join(dir, "r.xml")))
	require.NotNil(t, res)
	assert.Empty(t, r.fatals)
	assert.Len(t, r.errors, 9, "one line per failed error-severity check")
	assert.Contains(t, r.errors, "columns.Ozone.range: 7 of 116 values outside [0, 100] (6.03%), e.g. row 29: 115")
	require.Len(t, r.logs, 1)
	assert.True(t, strings.HasPrefix(r.logs[0], "warning: columns.Solar.R.range: 9 of 146 values outside [0, 300]"), r.logs[0])
	assert.Positive(t, r.helpers)
	for _, f := range []string{"r.json", "r.xml"} {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.NoError(t, err)
	}
}

func TestCheckWithData(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(data, []byte("x\ty\n1\t2\n-5\t7\n"), 0o644))
	var r recorder
	trusttest.Check(&r, "../examples/regression/suite.yaml", trusttest.WithData(data))
	// Two rows: the row count and the split both fail loudly.
	require.Len(t, r.fatals, 1)
	assert.Contains(t, r.fatals[0], "trustml: ")
}

func TestCheckCannotRun(t *testing.T) {
	var r recorder
	res := trusttest.Check(&r, "testdata/nope.yaml")
	assert.Nil(t, res)
	require.Len(t, r.fatals, 1)
	assert.Equal(t, "trustml: suite testdata/nope.yaml: no such file", r.fatals[0])
}

func people(t *testing.T, mem memory.Allocator) arrow.Table {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	tbl, err := array.TableFromJSON(mem, schema, []string{`[
		{"age": 30, "city": "Paris", "price": 61},
		{"age": 150, "city": "Lyon", "price": 301},
		{"age": null, "city": "Paris", "price": 41},
		{"age": 45, "city": "Nice", "price": 91}
	]`})
	require.NoError(t, err)
	return tbl
}

func TestExpect(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := people(t, mem)
	defer tbl.Release()

	var r recorder
	trusttest.Expect(&r, tbl).RowCountBetween(1, 10).HasColumns("age", "city").
		Column("age").HasType("integer").InRange(0, 120).NotNull().Unique().MeanBetween(0, 100)
	trusttest.Expect(&r, tbl).Column("city").InSet("Paris", "Lyon").Mostly(0.7).InSet("Paris", "Lyon").Matches("^[A-Z]").LengthBetween(4, 5)
	trusttest.Expect(&r, tbl).Column("nope").NotNull()
	// The mean (75) is within [0, 100], and Mostly(0.7) tolerates Nice.
	assert.Equal(t, []string{
		"columns.age.range: 1 of 3 values outside [0, 120] (33.3%), e.g. row 1: 150",
		"columns.age.missing: 1 of 4 missing (25.0%), expected count ≤ 0",
		"columns.city.in_set: 1 of 4 values not in {\"Paris\", \"Lyon\"} (25.0%), e.g. row 3: \"Nice\"",
		`columns.nope.missing: expect: column "nope" is not in the data (did you mean "age"?); columns are: age, city, price`,
	}, r.errors)
}

func TestExpectBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := people(t, mem)
	defer tbl.Release()
	rr := array.NewTableReader(tbl, 0)
	defer rr.Release()
	require.True(t, rr.Next())
	var r recorder
	trusttest.ExpectBatch(&r, rr.RecordBatch()).Column("price").AtLeast(50).AtMost(1000)
	assert.Equal(t, []string{"columns.price.range: 1 of 4 values outside ≥ 50 (25.0%), e.g. row 2: 41"}, r.errors)
}

func TestModel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := people(t, mem)
	defer tbl.Release()
	// price = 2·age + 1 on rows 0, 1, 3; row 2 has a null age the model
	// cannot use, so a model that reads price back is exact.
	recs, release := recordsOf(tbl)
	exact, err := model.Fit(t.Context(), recs, model.FitOptions{Target: "price", Features: []string{"age"}})
	release()
	require.NoError(t, err)
	var r recorder
	trusttest.Model(&r, model.PredictionsColumn("price"), tbl, "price").
		Metric("r2").AtLeast(0.999).Metric("rmse").AtMost(1e-9).Metric("mae").Between(0, 0)
	assert.Empty(t, r.errors)

	r = recorder{}
	trusttest.Model(&r, exact, tbl, "price").Metric("r2").AtLeast(0.5)
	require.Len(t, r.errors, 1, "the fitted model cannot predict the row with a null age")
	assert.Contains(t, r.errors[0], "model: ")

	r = recorder{}
	trusttest.Model(&r, model.PredictionsColumn("age"), tbl, "price").Metric("r2").AtLeast(0.9).Metric("r3").AtLeast(0)
	assert.Len(t, r.errors, 1, "age is not a usable prediction: it has a null")
}

func recordsOf(tbl arrow.Table) ([]arrow.RecordBatch, func()) {
	rr := array.NewTableReader(tbl, 0)
	defer rr.Release()
	var out []arrow.RecordBatch
	for rr.Next() {
		b := rr.RecordBatch()
		b.Retain()
		out = append(out, b)
	}
	return out, func() {
		for _, b := range out {
			b.Release()
		}
	}
}
