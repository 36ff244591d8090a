package expect

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/result"
)

// freqColumns are the shapes of column the numeric frequency table treats
// differently: dense integers (bitmaps), sparse 64-bit integers (radix
// sort of all bytes), floats with NaN, ±Inf and both zeros, timestamps,
// a column dense in its first half and sparse in its second (parts of
// both kinds when the halves go to different workers), and identifiers in
// row order, which batches of consecutive values collect as runs of keys:
// dense (ids, whose last third repeats rows 500 to 1499), in blocks of
// 500 far apart (idfar, split by hash; its last block repeats the first),
// and int8 counting up past 127 to -128 (small), consecutive in int8
// arithmetic but not as numbers.
var freqSchema = arrow.NewSchema([]arrow.Field{
	{Name: "dense", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "sparse", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "float", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
	{Name: "uniq", Type: arrow.PrimitiveTypes.Int32},
	{Name: "mixed", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ids", Type: arrow.PrimitiveTypes.Int64},
	{Name: "idfar", Type: arrow.PrimitiveTypes.Int64},
	{Name: "small", Type: arrow.PrimitiveTypes.Int8},
}, nil)

const freqRows = 3000

// freqData returns the columns' values (nil for null) and the table.
func freqData(t *testing.T, mem memory.Allocator) ([][]any, arrow.Table) {
	r := rand.New(rand.NewPCG(7, 8))
	sparsePool := make([]int64, 2500)
	for i := range sparsePool {
		sparsePool[i] = int64(r.Uint64())
	}
	floatPool := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}
	for len(floatPool) < 2000 {
		floatPool = append(floatPool, math.Round(r.NormFloat64()*1e6)/100)
	}
	perm := r.Perm(freqRows)
	cols := make([][]any, len(freqSchema.Fields()))
	bld := array.NewRecordBuilder(mem, freqSchema)
	defer bld.Release()
	null := func() bool { return r.IntN(20) == 0 }
	for i := range freqRows {
		ids, block := int64(i), int64(i/500)
		if i >= 2000 {
			ids = int64(i - 1500)
		}
		if block == 5 {
			block = 0
		}
		vals := []any{nil, nil, nil, nil, int64(perm[i]), nil, ids, block*1e12 + int64(i%500), int64(int8(i))}
		if !null() {
			vals[0] = int64(r.IntN(2000))
		}
		if !null() {
			vals[1] = sparsePool[r.IntN(len(sparsePool))]
		}
		if !null() {
			vals[2] = floatPool[r.IntN(len(floatPool))]
		}
		if !null() {
			vals[3] = int64(1.7e12) + int64(r.IntN(1500))*86400000
		}
		if i < freqRows/2 {
			vals[5] = int64(r.IntN(1000))
		} else {
			vals[5] = sparsePool[r.IntN(len(sparsePool))]
		}
		for c, v := range vals {
			cols[c] = append(cols[c], v)
			b := bld.Field(c)
			switch {
			case v == nil:
				b.AppendNull()
			case c == 2:
				b.(*array.Float64Builder).Append(v.(float64))
			case c == 3:
				b.(*array.TimestampBuilder).Append(arrow.Timestamp(v.(int64)))
			case c == 4:
				b.(*array.Int32Builder).Append(int32(v.(int64)))
			case c == 8:
				b.(*array.Int8Builder).Append(int8(v.(int64)))
			default:
				b.(*array.Int64Builder).Append(v.(int64))
			}
		}
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	return cols, array.NewTableFromRecords(freqSchema, []arrow.RecordBatch{rec})
}

// oracle computes a column's unique and distinct results by brute force.
func oracle(vals []any, display func(any) any, limit int) (distinct int, unexpected int64, sample []result.Failure) {
	key := func(v any) (any, bool) {
		if f, ok := v.(float64); ok {
			if math.IsNaN(f) {
				return nil, false
			}
			return f + 0, true
		}
		return v, v != nil
	}
	counts := map[any]int64{}
	for _, v := range vals {
		if k, ok := key(v); ok {
			counts[k]++
		}
	}
	for _, c := range counts {
		if c > 1 {
			unexpected += c
		}
	}
	for row, v := range vals {
		if k, ok := key(v); ok && counts[k] > 1 && (limit < 0 || len(sample) < limit) {
			sample = append(sample, result.Failure{Row: int64(row), Value: display(k)})
		}
	}
	if sample == nil {
		sample = []result.Failure{}
	}
	return len(counts), unexpected, sample
}

// TestNumericFrequencyOracle checks unique and distinct on every shape of
// numeric column against a brute-force count, whatever the batch size,
// the number of workers, the sample size and the point where the workers'
// tables switch from hashing to collecting.
func TestNumericFrequencyOracle(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols, tbl := freqData(t, mem)
	defer tbl.Release()
	saved := freqSwitch
	defer func() { freqSwitch = saved }()

	suite := &Suite{}
	for _, f := range freqSchema.Fields() {
		zero := 0.0
		suite.Columns = append(suite.Columns, Column{Name: f.Name, Checks: []Check{
			{Kind: Unique, Mostly: &zero},
			{Kind: Distinct, Interval: bound.Interval{Min: &zero}},
		}})
	}
	displays := []func(any) any{
		func(v any) any { return v }, func(v any) any { return v }, func(v any) any { return v },
		func(v any) any {
			return arrow.Timestamp(v.(int64)).ToTime(arrow.Millisecond).Format("2006-01-02T15:04:05.999999999Z07:00")
		},
		func(v any) any { return v }, func(v any) any { return v },
		func(v any) any { return v }, func(v any) any { return v }, func(v any) any { return v },
	}
	for _, limit := range []int{20, -1} {
		for _, sw := range []int{2, 50, 1 << 16} {
			freqSwitch = sw
			for _, tc := range []struct {
				batch   int64
				workers int
			}{{freqRows, 1}, {1, 2}, {7, 3}, {256, 2}, {freqRows / 2, 2}} {
				rr := array.NewTableReader(tbl, tc.batch)
				res, err := suite.Evaluate(context.Background(), rr, Options{Workers: tc.workers, SampleSize: limit})
				rr.Release()
				require.NoError(t, err)
				for c, f := range freqSchema.Fields() {
					name := fmt.Sprintf("%s limit %d switch %d batch %d workers %d", f.Name, limit, sw, tc.batch, tc.workers)
					distinct, unexpected, sample := oracle(cols[c], displays[c], limit)
					u, d := res[2*c], res[2*c+1]
					assert.Equal(t, unexpected, *u.UnexpectedCount, "%s: unexpected", name)
					assert.Equal(t, sample, u.Sample, "%s: sample", name)
					assert.Equal(t, int64(distinct), d.Observed, "%s: distinct", name)
				}
			}
		}
	}
}

// TestNumericClassesAcrossSwitch checks that the checks reading every
// class with its count (imbalance, distinct_values, categorical
// partitions) see the same counts whether the tables hash or collect.
func TestNumericClassesAcrossSwitch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, tbl := freqData(t, mem)
	defer tbl.Release()
	saved := freqSwitch
	defer func() { freqSwitch = saved }()
	one := int64(1)
	suite := &Suite{}
	for _, f := range freqSchema.Fields() {
		checks := []Check{{Kind: Imbalance, MinCount: &one}}
		if f.Type.ID() != arrow.TIMESTAMP {
			checks = append(checks, Check{Kind: DistinctValues, Contains: []Value{NumberValue(1), NumberValue(0)}})
		}
		suite.Columns = append(suite.Columns, Column{Name: f.Name, Checks: checks})
	}
	run := func(sw int, batch int64, workers int) []result.Check {
		freqSwitch = sw
		rr := array.NewTableReader(tbl, batch)
		defer rr.Release()
		res, err := suite.Evaluate(context.Background(), rr, Options{Workers: workers})
		require.NoError(t, err)
		return res
	}
	ref := run(1<<30, freqRows, 1)
	for _, sw := range []int{2, 50} {
		for _, workers := range []int{1, 2, 3} {
			got := run(sw, 7, workers)
			for i := range ref {
				assert.Equal(t, ref[i].Observed, got[i].Observed, "%s switch %d workers %d", ref[i].Name, sw, workers)
			}
		}
	}
}

// TestSortKeys compares the radix sort with the standard library's sort on
// keys that vary in every byte, in a few bytes, in the top bytes only
// (splits that recurse) and not at all, from chunks of several sizes.
func TestSortKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gens := map[string]func() uint64{
		"random":   r.Uint64,
		"low":      func() uint64 { return r.Uint64N(1 << 20) },
		"high":     func() uint64 { return r.Uint64N(1<<12) << 50 },
		"constant": func() uint64 { return 42 },
		"floats":   func() uint64 { return floatKey(r.Float64() * 100) },
	}
	for name, gen := range gens {
		for _, n := range []int{0, 1, 65, 1000, msdMin + 1, 3 * msdMin} {
			var src [][]uint64
			var all []uint64
			for len(all) < n {
				c := make([]uint64, min(n-len(all), 1+r.IntN(70000)))
				for i := range c {
					c[i] = gen()
				}
				src = append(src, c)
				all = append(all, c...)
			}
			got := sortKeys(src, n, false)
			slices.Sort(all)
			if all == nil {
				all = []uint64{}
			}
			require.Equal(t, all, got, "%s n=%d", name, n)
		}
	}
}

// TestOrderStats compares the radix selection with sorting, for ranks
// spread over the data, on values with many ties, infinities and zeros of
// both signs.
func TestOrderStats(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name string
		gen  func() float64
	}{
		{"normal", func() float64 { return 100 + 15*r.NormFloat64() }},
		{"ties", func() float64 { return float64(r.IntN(7)) }},
		{"wide", func() float64 { return math.Ldexp(r.Float64()-0.5, r.IntN(200)-100) }},
		{"specials", func() float64 {
			return []float64{math.Inf(-1), math.Inf(1), 0, 1e-300, -1e300, 3}[r.IntN(6)]
		}},
	} {
		sizes := []int{1, 2, 300, 5000, 100000}
		if tc.name == "ties" || tc.name == "wide" {
			sizes = append(sizes, 1<<20+3) // the first pass takes topBits
		}
		for _, n := range sizes {
			var src [][]float64
			var all []float64
			for len(all) < n {
				c := make([]float64, 0, min(n-len(all), 1+r.IntN(40000)))
				for range cap(c) {
					c = append(c, tc.gen()+0)
				}
				src = append(src, c)
				all = append(all, c...)
			}
			sorted := slices.Clone(all)
			slices.Sort(sorted)
			ranks := []int{0, n / 3, n / 2, (n - 1) / 2, n - 1}
			slices.Sort(ranks)
			ranks = slices.Compact(ranks)
			got := orderStats(src, sorted[0], sorted[n-1], ranks)
			for i, rk := range ranks {
				assert.Equal(t, sorted[rk], got[i], "%s n=%d rank %d", tc.name, n, rk)
			}
		}
	}
}
