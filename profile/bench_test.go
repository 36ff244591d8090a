package profile

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkProfiler measures the cost per value of profiling one column of
// 65536 rows (one default batch), by kind: ns/op divided by 65536 is the
// cost per value.
func BenchmarkProfiler(b *testing.B) {
	const rows = 65536
	rng := rand.New(rand.NewPCG(1, 2))
	mem := memory.NewGoAllocator()
	cases := []struct {
		name  string
		dt    arrow.DataType
		build func(array.Builder)
	}{
		{"float64-continuous", arrow.PrimitiveTypes.Float64, func(bl array.Builder) {
			for range rows {
				bl.(*array.Float64Builder).Append(rng.NormFloat64()*10 + 50)
			}
		}},
		{"int64-low-cardinality", arrow.PrimitiveTypes.Int64, func(bl array.Builder) {
			for range rows {
				bl.(*array.Int64Builder).Append(int64(rng.IntN(50)))
			}
		}},
		{"string-low-cardinality", arrow.BinaryTypes.String, func(bl array.Builder) {
			for range rows {
				bl.(*array.StringBuilder).Append(fmt.Sprintf("city-%d", rng.IntN(30)))
			}
		}},
		{"string-high-cardinality", arrow.BinaryTypes.String, func(bl array.Builder) {
			for i := range rows {
				bl.(*array.StringBuilder).Append(fmt.Sprintf("id-%d", i))
			}
		}},
	}
	for _, tc := range cases {
		sc := arrow.NewSchema([]arrow.Field{{Name: "c", Type: tc.dt}}, nil)
		bl := array.NewBuilder(mem, tc.dt)
		tc.build(bl)
		arr := bl.NewArray()
		bl.Release()
		rec := array.NewRecordBatch(sc, []arrow.Array{arr}, rows)
		arr.Release()
		b.Run(tc.name, func(b *testing.B) {
			p, err := New(sc, nil, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				p.Update(rec)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/value")
		})
		rec.Release()
	}
}
