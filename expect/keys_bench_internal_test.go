package expect

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkKeyTable runs the composite key (id, region) of the benchmark
// suite over rows like its data's (distinct ids in increasing order, eight
// regions), in batches of 65,536 rows, as one worker: the pass (update)
// and the end (resolve), in CPU nanoseconds a row and the heap it holds.
// The key (id, region) increases in row order, so its batches are sorted
// runs; (region, id), the same tuples in another order, does not, so
// every row is hashed and filed:
//
//	go test ./expect -run '^$' -bench KeyTable -benchtime 3x
func BenchmarkKeyTable(b *testing.B) {
	const batch = 1 << 16
	for _, bc := range []struct {
		key  string
		n    int
		cols []int
	}{{"id,region", 10_000_000, []int{0, 1}}, {"region,id", 1 << 20, []int{1, 0}}, {"region,id", 10_000_000, []int{1, 0}}} {
		n := bc.n
		b.Run(fmt.Sprintf("key=%s/rows=%d", bc.key, n), func(b *testing.B) {
			schema := arrow.NewSchema([]arrow.Field{
				{Name: "id", Type: arrow.PrimitiveTypes.Int64},
				{Name: "region", Type: arrow.BinaryTypes.String},
			}, nil)
			regions := []string{"north", "south", "east", "west", "central", "coast", "mountain", "island"}
			r := rand.New(rand.NewPCG(1, 2))
			var recs []arrow.RecordBatch
			for lo := 0; lo < n; lo += batch {
				bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
				for i := lo; i < min(lo+batch, n); i++ {
					bld.Field(0).(*array.Int64Builder).Append(int64(i))
					bld.Field(1).(*array.StringBuilder).Append(regions[r.IntN(len(regions))])
				}
				recs = append(recs, bld.NewRecordBatch())
				bld.Release()
			}
			names := []string{"id", "region"}
			dts := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String}
			c := &Check{Kind: UniqueKey, Columns: []string{names[bc.cols[0]], names[bc.cols[1]]}}
			rp := &rowsPlan{check: c, def: registry[UniqueKey], names: c.Columns, idx: bc.cols,
				dts: []arrow.DataType{dts[bc.cols[0]], dts[bc.cols[1]]}}
			reread := func(context.Context, []string) (array.RecordReader, error) {
				return array.NewRecordReader(schema, recs)
			}
			var upd, res int64
			var heap uint64
			for b.Loop() {
				t := newKeyTable()
				var cols []keyCol
				c0 := cpuNanos()
				var off int64
				for _, rec := range recs {
					cols = rp.cols(rec, cols)
					t.update(rp, cols, int(rec.NumRows()), off, 20, nil)
					off += rec.NumRows()
				}
				c1 := cpuNanos()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heap = ms.HeapInuse
				if err := t.resolve(context.Background(), rp, reread, off, 20, false); err != nil {
					b.Fatal(err)
				}
				if t.unexpected != 0 {
					b.Fatalf("%d repeated keys, want 0", t.unexpected)
				}
				upd += c1 - c0
				res += cpuNanos() - c1
			}
			b.ReportMetric(float64(upd)/float64(b.N)/float64(n), "update-cpu-ns/row")
			b.ReportMetric(float64(res)/float64(b.N)/float64(n), "resolve-cpu-ns/row")
			b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
			for _, rec := range recs {
				rec.Release()
			}
		})
	}
}

// cpuNanos is the process's user and system CPU time so far.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
