package expect_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/expect"
)

// benchSchema is the table BenchmarkEvaluate reads: a column per type and
// shape the engine has a kernel for.
var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "int", Type: arrow.PrimitiveTypes.Int64},                         // uniform 0..100, 0.1% at -1 or 150
	{Name: "intnull", Type: arrow.PrimitiveTypes.Int64, Nullable: true},     // the same, 1% null
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},                          // 0..n-1, shuffled
	{Name: "idsorted", Type: arrow.PrimitiveTypes.Int64},                    // 0..n-1 in order
	{Name: "idsparse", Type: arrow.PrimitiveTypes.Int64},                    // random 64-bit integers
	{Name: "label", Type: arrow.PrimitiveTypes.Int64},                       // 0 or 1 (10% ones)
	{Name: "float", Type: arrow.PrimitiveTypes.Float64},                     // normal(100, 15)
	{Name: "floatnull", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, // the same, 1% null
	{Name: "str", Type: arrow.BinaryTypes.String, Nullable: true},           // 8 regions, 0.5% null
	{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	{Name: "bool", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}, // 10% true, 0.5% null
}, nil)

var benchRegions = []string{"north", "south", "east", "west", "central", "coast", "mountain", "island"}

// benchTable builds n rows of benchSchema from a seeded source, in record
// batches of 65,536 rows (the dataset package's default).
func benchTable(tb testing.TB, n int) arrow.Table {
	tb.Helper()
	mem := memory.NewGoAllocator()
	r := rand.New(rand.NewPCG(1, 2))
	perm := r.Perm(n)
	const batch = 1 << 16
	var recs []arrow.RecordBatch
	for start := 0; start < n; start += batch {
		m := min(batch, n-start)
		bld := array.NewRecordBuilder(mem, benchSchema)
		for i := start; i < start+m; i++ {
			age := int64(r.IntN(101))
			if r.IntN(1000) == 0 {
				age = []int64{-1, 150}[r.IntN(2)]
			}
			bld.Field(0).(*array.Int64Builder).Append(age)
			if r.IntN(100) == 0 {
				bld.Field(1).AppendNull()
			} else {
				bld.Field(1).(*array.Int64Builder).Append(age)
			}
			bld.Field(2).(*array.Int64Builder).Append(int64(perm[i]))
			bld.Field(3).(*array.Int64Builder).Append(int64(i))
			bld.Field(4).(*array.Int64Builder).Append(int64(r.Uint64()))
			label := int64(0)
			if r.IntN(10) == 0 {
				label = 1
			}
			bld.Field(5).(*array.Int64Builder).Append(label)
			x := 100 + 15*r.NormFloat64()
			bld.Field(6).(*array.Float64Builder).Append(x)
			if r.IntN(100) == 0 {
				bld.Field(7).AppendNull()
			} else {
				bld.Field(7).(*array.Float64Builder).Append(x)
			}
			region := benchRegions[r.IntN(len(benchRegions))]
			if r.IntN(200) == 0 {
				bld.Field(8).AppendNull()
				bld.Field(9).AppendNull()
			} else {
				bld.Field(8).(*array.StringBuilder).Append(region)
				if err := bld.Field(9).(*array.BinaryDictionaryBuilder).AppendString(region); err != nil {
					tb.Fatal(err)
				}
			}
			if r.IntN(200) == 0 {
				bld.Field(10).AppendNull()
			} else {
				bld.Field(10).(*array.BooleanBuilder).Append(label == 1)
			}
		}
		recs = append(recs, bld.NewRecordBatch())
		bld.Release()
	}
	tbl := array.NewTableFromRecords(benchSchema, recs)
	for _, rec := range recs {
		rec.Release()
	}
	return tbl
}

// benchChecks are the cases of BenchmarkEvaluate: one check kind on one
// column, as a suite's columns section.
var benchChecks = []struct{ name, suite string }{
	{"int64/range", `int: {range: {min: 0, max: 120}}`},
	{"int64/range-nulls", `intnull: {range: {min: 0, max: 120}}`},
	{"int64/in_set", `int: {in_set: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}`},
	{"int64/missing", `intnull: {missing: {max_fraction: 0.5}}`},
	{"int64/mean-stddev", `int: {mean: {min: 0}, stddev: {min: 0}}`},
	{"int64/median", `int: {median: {min: 0}}`},
	{"int64/imbalance", `label: {imbalance: {min_fraction: 0.01}}`},
	{"int64/unique-distinct", `id: {unique: true, distinct: {min: 1}}`},
	{"int64/unique-distinct-sorted", `idsorted: {unique: true, distinct: {min: 1}}`},
	{"int64/unique-distinct-sparse", `idsparse: {unique: true, distinct: {min: 1}}`},
	{"int64/distinct", `id: {distinct: {min: 1}}`},
	{"int64/unique-lowcard", `int: {unique: true, distinct: {min: 1}}`},
	{"float64/range", `float: {range: {min: 0, max: 200}}`},
	{"float64/range-nulls", `floatnull: {range: {min: 0, max: 200}}`},
	{"float64/missing", `floatnull: {missing: {max_fraction: 0.5}}`},
	{"float64/min-max", `float: {min: {min: 0}, max: {max: 1000}}`},
	{"float64/mean-stddev", `floatnull: {mean: {min: 0}, stddev: {min: 0}}`},
	{"float64/median", `floatnull: {median: {min: 0}}`},
	{"float64/quantiles", `float: {quantiles: [{q: 0.01, min: 0}, {q: 0.25, min: 0}, {q: 0.75, min: 0}, {q: 0.99, min: 0}]}`},
	{"float64/unique-distinct", `float: {unique: true, distinct: {min: 1}}`},
	{"string/in_set", `str: {in_set: [` + strings.Join(benchRegions, ", ") + `]}`},
	{"string/regex", `str: {regex: "^[a-z]+$"}`},
	{"string/missing", `str: {missing: {max_fraction: 0.5}}`},
	{"string/imbalance", `str: {imbalance: {min_fraction: 0.01}}`},
	{"string/unique-distinct", `str: {unique: {mostly: 0}, distinct: {min: 1}}`},
	{"dictionary/in_set", `dict: {in_set: [` + strings.Join(benchRegions, ", ") + `]}`},
	{"dictionary/regex", `dict: {regex: "^[a-z]+$"}`},
	{"dictionary/imbalance", `dict: {imbalance: {min_fraction: 0.01}}`},
	{"bool/in_set", `bool: {in_set: [true, false]}`},
	{"bool/mean", `bool: {mean: {min: 0}}`},
	{"bool/imbalance", `bool: {imbalance: {min_fraction: 0.01}}`},
	{"bool/missing", `bool: {missing: {max_fraction: 0.5}}`},
}

// BenchmarkEvaluate times Suite.Evaluate over in-memory batches, per
// column type and check kind, graded by row count (rows=1e3 … 1e7; the
// table of a size is built once). ns/row is the time per row. Keep the
// largest size affordable with -benchtime, e.g.
//
//	go test ./expect -run '^$' -bench 'Evaluate/rows=1e7' -benchtime 3x
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1e3, 1e4, 1e5, 1e6, 1e7} {
		b.Run(fmt.Sprintf("rows=1e%d", len(fmt.Sprint(n))-1), func(b *testing.B) {
			tbl := benchTable(b, n)
			defer tbl.Release()
			for _, bc := range benchChecks {
				s := decode(b, "columns:\n  "+bc.suite+"\n")
				b.Run(bc.name, func(b *testing.B) {
					for b.Loop() {
						rr := array.NewTableReader(tbl, 1<<16)
						_, err := s.Evaluate(context.Background(), rr, expect.Options{})
						rr.Release()
						if err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
				})
			}
		})
	}
}
