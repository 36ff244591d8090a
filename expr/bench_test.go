package expr

import (
	"context"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// benchBatch is a batch of 1<<16 rows like the benchmark data's: age
// (int64), region (utf8, eight names), income, x and y (float64).
func benchBatch(mem memory.Allocator) arrow.RecordBatch {
	const n = 1 << 16
	r := rand.New(rand.NewPCG(1, 2))
	regions := []string{"north", "south", "east", "west", "central", "coast", "mountain", "island"}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "income", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for range n {
		b.Field(0).(*array.Int64Builder).Append(int64(r.IntN(90)))
		b.Field(1).(*array.StringBuilder).Append(regions[r.IntN(len(regions))])
		if r.IntN(50) == 0 {
			b.Field(2).(*array.Float64Builder).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(r.Float64() * 1e5)
		}
		x := r.Float64() * 100
		b.Field(3).(*array.Float64Builder).Append(x)
		b.Field(4).(*array.Float64Builder).Append(3.2*x + 5 + r.NormFloat64()*4)
	}
	return b.NewRecordBatch()
}

// BenchmarkEval evaluates the benchmark suite's filter and rules
// (examples/bench/suite_rules.yaml) over a batch of 65,536 rows:
//
//	go test ./expr -run '^$' -bench Eval
func BenchmarkEval(b *testing.B) {
	rec := benchBatch(memory.DefaultAllocator)
	defer rec.Release()
	for _, src := range []string{
		"region IN ('north', 'south')",
		"age >= 18 AND region IN ('north', 'south')",
		"abs(y - (3.2 * x + 5)) < 30",
		"income > 0",
	} {
		for _, alloc := range []string{"go", "recycler"} {
			b.Run(src+"/"+alloc, func(b *testing.B) {
				p, err := Compile(src, rec.Schema())
				if err != nil {
					b.Fatal(err)
				}
				opts := Options{}
				if alloc == "recycler" {
					opts.Mem = &Recycler{}
				}
				cpu0 := cpuTime()
				for b.Loop() {
					out, err := p.Eval(context.Background(), rec, opts)
					if err != nil {
						b.Fatal(err)
					}
					out.Release()
				}
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/float64(rec.NumRows()), "cpu-ns/row")
			})
		}
	}
}

// cpuTime is the process's user and system CPU time so far, in
// nanoseconds: on a loaded machine a steadier figure than the wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
