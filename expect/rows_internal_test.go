package expect

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/result"
)

// colliding returns a batch of two int64 columns, a and b, whose rows 0
// and 1 differ but hash alike: fold(fold(0, a), b) is fold(0, a)·mixer +
// b + 1 under a bijection, so b' = b + (fold(0, 1) − fold(0, 2))·mixer
// makes (2, b') collide with (1, 5). Rows 1 and 3 are equal.
func colliding(t *testing.T) arrow.RecordBatch {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	b2 := 5 + (fold(0, 1)-fold(0, 2))*mixer
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.PrimitiveTypes.Int64}}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3, 2, 9}, nil)
	bld.Field(1).(*array.Int64Builder).AppendValues([]int64{5, int64(b2), 7, int64(b2), 9}, nil)
	rec := bld.NewRecordBatch()
	t.Cleanup(func() { rec.Release(); mem.AssertSize(t, 0) })
	return rec
}

// keyTableOf fills a key table of kind over the batch, from row 10.
func keyTableOf(rec arrow.RecordBatch, kind Kind, keep bool) (*keyTable, *rowsPlan) {
	rp := &rowsPlan{check: &Check{Kind: kind, Columns: []string{"a", "b"}}, names: []string{"a", "b"}, keep: keep,
		dts: []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64}}
	kt := newKeyTable()
	kt.update(rp, []keyCol{keyColOf(rec.Column(0)), keyColOf(rec.Column(1))}, int(rec.NumRows()), 10, -1, nil)
	return kt, rp
}

// rereadOf reads 10 rows of other data, then rec, again.
func rereadOf(rec arrow.RecordBatch, reads *int) RereadFunc {
	return func(_ context.Context, cols []string) (array.RecordReader, error) {
		*reads++
		front := rec.NewSlice(0, 2)
		defer front.Release()
		return array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{front, front, front, front, front, rec})
	}
}

// TestKeyTableTellsCollisionsApart: rows whose keys hash alike but differ
// are not repeats; only equal keys are, told apart by the keys kept in
// memory or read again.
func TestKeyTableTellsCollisionsApart(t *testing.T) {
	rec := colliding(t)
	h := make([]uint64, 5)
	(&keyTable{}).hashRows(&rowsPlan{check: &Check{Kind: UniqueKey}}, []keyCol{keyColOf(rec.Column(0)), keyColOf(rec.Column(1))}, h, nil, 0)
	require.Equal(t, h[0], h[1], "rows 0 and 1 collide")
	require.NotEqual(t, h[0], h[2])

	for _, keep := range []bool{true, false} {
		reads := 0
		kt, rp := keyTableOf(rec, UniqueKey, keep)
		require.NoError(t, kt.resolve(context.Background(), rp, rereadOf(rec, &reads), 15, -1, true))
		assert.Equal(t, int64(2), kt.unexpected, "keep %v", keep)
		if assert.Len(t, kt.sample, 2) {
			assert.Equal(t, int64(11), kt.sample[0].Row)
			assert.Equal(t, int64(13), kt.sample[1].Row)
			assert.Equal(t, result.Tuple{{Column: "a", Value: int64(2)}, {Column: "b", Value: int64(5 + (fold(0, 1)-fold(0, 2))*mixer)}}, kt.sample[0].Value)
		}
		// The bitmap of failing rows: 11 and 13.
		assert.Equal(t, []byte{0, 0b00101000}, kt.failing)
		assert.Equal(t, map[bool]int{true: 0, false: 1}[keep], reads)

		kt, rp = keyTableOf(rec, DuplicateRows, keep)
		require.NoError(t, kt.resolve(context.Background(), rp, rereadOf(rec, &reads), 15, -1, false))
		assert.Equal(t, int64(1), kt.unexpected)
		assert.Equal(t, int64(13), kt.sample[0].Row)
		assert.Nil(t, kt.failing)
	}
}

// TestKeyTableRereadErrors: data that changed between the two reads, or
// that cannot be read again, is an error.
func TestKeyTableRereadErrors(t *testing.T) {
	rec := colliding(t)
	reads := 0
	kt, rp := keyTableOf(rec, UniqueKey, false)
	err := kt.resolve(context.Background(), rp, rereadOf(rec, &reads), 16, -1, false)
	assert.EqualError(t, err, "expect: table.unique_key: the data changed between its two reads: 16 rows, then 15")
	kt, rp = keyTableOf(rec, UniqueKey, false)
	err = kt.resolve(context.Background(), rp, nil, 15, -1, false)
	assert.EqualError(t, err, "expect: table.unique_key: cannot read the data again")
	// Without repeated hashes nothing is read again.
	tail := rec.NewSlice(2, 5)
	defer tail.Release()
	kt, rp = keyTableOf(tail, UniqueKey, false)
	require.NoError(t, kt.resolve(context.Background(), rp, nil, 13, -1, false))
	assert.Zero(t, kt.unexpected)
}

// TestKeyTableSortedRunsRereadErrors: two batches each in key order
// whose runs do not chain are filed from a second read, whose failures
// are errors as the candidates' read's are.
func TestKeyTableSortedRunsRereadErrors(t *testing.T) {
	rec := colliding(t)
	rp := &rowsPlan{check: &Check{Kind: UniqueKey, Columns: []string{"a", "b"}}, names: []string{"a", "b"}, idx: []int{0, 1},
		dts: []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64}}
	fill := func() *keyTable {
		kt := newKeyTable()
		// Rows (1, 5), (2, b') and (2, b'), (3, 7): each batch in order,
		// the second's first key equal to the first's last.
		for k, sl := range [][2]int64{{0, 2}, {1, 3}} {
			b := rec.NewSlice(sl[0], sl[1])
			kt.update(rp, rp.cols(b, nil), int(b.NumRows()), int64(2*k), -1, nil)
			b.Release()
		}
		require.Len(t, kt.sorted, 2)
		return kt
	}
	err := fill().resolve(context.Background(), rp, nil, 4, -1, false)
	assert.EqualError(t, err, "expect: table.unique_key: cannot read the data again")
	reads := 0
	err = fill().resolve(context.Background(), rp, rereadOf(rec, &reads), 4, -1, false)
	assert.EqualError(t, err, "expect: table.unique_key: the data changed between its two reads: 4 rows, then 15")
	assert.Equal(t, 1, reads)
}

// TestFoldSeparatesColumns: the tuple's hash depends on the order of its
// values, and equal tuples hash alike.
func TestFoldSeparatesColumns(t *testing.T) {
	assert.NotEqual(t, fold(fold(0, 1), 2), fold(fold(0, 2), 1))
	assert.Equal(t, fold(fold(0, 1), 2), fold(fold(0, 1), 2))
}

// TestHashRowsWithoutMissing: a batch with no missing value and no filter
// takes hashRows' short path; it must judge and hash every row as the
// general path does under a filter that keeps every row, and a batch with
// one missing value (a NaN) must take the general path and leave that
// row out.
func TestHashRowsWithoutMissing(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.BinaryTypes.String},
		{Name: "c", Type: arrow.PrimitiveTypes.Float64}}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3, 1}, nil)
	bld.Field(1).(*array.StringBuilder).AppendValues([]string{"x", "y", "", "x"}, nil)
	bld.Field(2).(*array.Float64Builder).AppendValues([]float64{0.5, math.Copysign(0, -1), 0, 0.5}, nil)
	rec := bld.NewRecordBatch()
	defer rec.Release()
	rp := &rowsPlan{check: &Check{Kind: UniqueKey, SkipAnyMissing: true}}
	cols := []keyCol{keyColOf(rec.Column(0)), keyColOf(rec.Column(1)), keyColOf(rec.Column(2))}
	short, general := make([]uint64, 4), make([]uint64, 4)
	judged, nulls := (&keyTable{}).hashRows(rp, cols, short, nil, 0)
	assert.Equal(t, [2]int64{4, 0}, [2]int64{judged, nulls})
	judged, nulls = (&keyTable{}).hashRows(rp, cols, general, []byte{0b1111}, 0)
	assert.Equal(t, [2]int64{4, 0}, [2]int64{judged, nulls})
	assert.Equal(t, general, short)
	assert.Equal(t, short[0], short[3], "equal rows hash alike")
	assert.NotContains(t, short, uint64(0), "no judged row is marked left out")

	bld.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	bld.Field(1).(*array.StringBuilder).AppendValues([]string{"x", "y"}, nil)
	bld.Field(2).(*array.Float64Builder).AppendValues([]float64{math.NaN(), 1}, nil)
	withNaN := bld.NewRecordBatch()
	defer withNaN.Release()
	cols = []keyCol{keyColOf(withNaN.Column(0)), keyColOf(withNaN.Column(1)), keyColOf(withNaN.Column(2))}
	h := make([]uint64, 2)
	judged, nulls = (&keyTable{}).hashRows(rp, cols, h, nil, 0)
	assert.Equal(t, [2]int64{1, 1}, [2]int64{judged, nulls})
	assert.Equal(t, uint64(0), h[0], "the row with NaN is left out")
}

// sortedCase is data for the key tables' sorted runs: batches of rows
// (a, b), -1 for a null, the workers' tables that read them (batch k by
// table tables[k]), and a filter per batch (nil: every row).
type sortedCase struct {
	name    string
	kind    Kind
	batches [][][2]int64
	tables  []int
	sel     [][]byte
	reads   int // reads of the data again resolve makes
}

// bruteRepeats is the oracle: the rows (from 0, batch after batch) that
// fail kind, by comparing every judged row with every other one.
func bruteRepeats(c sortedCase) []int64 {
	type row struct {
		n   int64
		key [2]int64
	}
	var judged []row
	var n int64
	for k, b := range c.batches {
		for i, r := range b {
			kept := c.sel == nil || c.sel[k] == nil || c.sel[k][i/8]&(1<<(i%8)) != 0
			// A unique key leaves out a row whose two values are missing.
			if kept && (c.kind == DuplicateRows || r[0] >= 0 || r[1] >= 0) {
				judged = append(judged, row{n, r})
			}
			n++
		}
	}
	var fail []int64
	for x, r := range judged {
		for y, o := range judged {
			if x != y && r.key == o.key && (c.kind != DuplicateRows || y < x) {
				fail = append(fail, r.n)
				break
			}
		}
	}
	return fail
}

// TestKeyTableSortedRuns: batches whose keys strictly increase are judged
// by comparing keys, without hashing; the table reads the data again
// only when the runs do not chain or a batch was out of order, and finds
// the same failing rows as comparing every pair of rows.
func TestKeyTableSortedRuns(t *testing.T) {
	cases := []sortedCase{
		{name: "sorted, one table", kind: UniqueKey, tables: []int{0, 0, 0}, reads: 0,
			batches: [][][2]int64{{{1, 1}, {1, 2}, {2, 0}}, {{3, 5}, {4, 4}}, {{4, 5}, {9, 9}}}},
		{name: "sorted, two tables, chained", kind: UniqueKey, tables: []int{0, 1, 0}, reads: 0,
			batches: [][][2]int64{{{1, 1}, {1, 2}}, {{2, 0}, {3, 3}}, {{3, 4}, {9, 9}}}},
		{name: "a repeat across two runs", kind: UniqueKey, tables: []int{0, 1, 0}, reads: 2,
			batches: [][][2]int64{{{1, 1}, {1, 2}}, {{1, 2}, {3, 3}}, {{3, 4}, {9, 9}}}},
		{name: "a repeat across two runs, not next to each other", kind: UniqueKey, tables: []int{0, 0, 0}, reads: 2,
			batches: [][][2]int64{{{1, 1}, {5, 2}}, {{2, 0}, {3, 3}}, {{3, 4}, {5, 2}}}},
		{name: "out of order after a run", kind: UniqueKey, tables: []int{0, 0}, reads: 2,
			batches: [][][2]int64{{{1, 1}, {2, 2}, {3, 3}}, {{7, 7}, {2, 2}, {7, 7}, {0, 0}}}},
		{name: "equal neighbours", kind: UniqueKey, tables: []int{0}, reads: 1,
			batches: [][][2]int64{{{1, 1}, {1, 1}, {2, 2}}}},
		{name: "missing values left out", kind: UniqueKey, tables: []int{0, 0}, reads: 0,
			batches: [][][2]int64{{{-1, -1}, {1, -1}, {-1, -1}}, {{1, 1}, {-1, -1}, {2, -1}}}},
		{name: "a filter leaves the repeats out", kind: UniqueKey, tables: []int{0, 1}, reads: 0,
			batches: [][][2]int64{{{1, 1}, {5, 5}, {2, 2}}, {{5, 5}, {3, 3}}},
			sel:     [][]byte{{0b101}, {0b10}}},
		{name: "a filter keeps a repeat", kind: UniqueKey, tables: []int{0, 1}, reads: 2,
			batches: [][][2]int64{{{1, 1}, {5, 5}, {2, 2}}, {{5, 5}, {6, 6}}},
			sel:     [][]byte{{0b011}, {0b11}}},
		{name: "duplicate rows across runs", kind: DuplicateRows, tables: []int{0, 1, 1}, reads: 2,
			batches: [][][2]int64{{{-1, -1}, {1, 1}}, {{1, 1}, {2, 2}}, {{2, 2}, {2, 2}, {-1, -1}}}},
		{name: "duplicate rows, sorted", kind: DuplicateRows, tables: []int{1, 0}, reads: 0,
			batches: [][][2]int64{{{-1, -1}, {1, -1}, {1, 1}}, {{2, 2}}}},
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var recs []arrow.RecordBatch
			for _, b := range c.batches {
				bld := array.NewRecordBuilder(mem, schema)
				for _, r := range b {
					for k, v := range r {
						if v < 0 {
							bld.Field(k).AppendNull()
						} else {
							bld.Field(k).(*array.Int64Builder).Append(v)
						}
					}
				}
				recs = append(recs, bld.NewRecordBatch())
				bld.Release()
			}
			defer func() {
				for _, r := range recs {
					r.Release()
				}
			}()
			rp := &rowsPlan{check: &Check{Kind: c.kind, Columns: []string{"a", "b"}}, names: []string{"a", "b"}, idx: []int{0, 1},
				dts: []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64}}
			tables := []*keyTable{newKeyTable(), newKeyTable()}
			var off int64
			for k, rec := range recs {
				var sel []byte
				if c.sel != nil {
					sel = c.sel[k]
				}
				tables[c.tables[k]].update(rp, rp.cols(rec, nil), int(rec.NumRows()), off, -1, sel)
				off += rec.NumRows()
			}
			tables[0].merge(tables[1], -1)
			reads := 0
			reread := func(context.Context, []string) (array.RecordReader, error) {
				reads++
				return array.NewRecordReader(schema, recs)
			}
			kt := tables[0]
			require.NoError(t, kt.resolve(context.Background(), rp, reread, off, -1, true))
			var rows []int64
			for _, f := range kt.sample {
				rows = append(rows, f.Row)
			}
			want := bruteRepeats(c)
			assert.Equal(t, want, rows)
			assert.Equal(t, int64(len(want)), kt.unexpected)
			assert.Equal(t, c.reads, reads, "reads of the data again")
		})
	}
}

// TestOrderIsEncodedOrder: every key column's order compares rows i-1
// and i as bytes.Compare compares their encoded keys (the oracle), over
// values chosen near each encoding's edges: negative and huge integers,
// uint64 beyond MaxInt64, integral and fractional floats, -0, ±Inf,
// strings of 127, 128, 129 and 256 bytes, timestamps and booleans.
func TestOrderIsEncodedOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(3, 4))
	const n = 4000
	pick := func(vals ...any) any { return vals[r.IntN(len(vals))] }
	long := func(k int) string { return strings.Repeat("x", k-1) + string(rune('a'+r.IntN(3))) }
	gens := map[arrow.DataType]func() any{
		arrow.PrimitiveTypes.Int64: func() any {
			return pick(int64(r.IntN(5)-2), int64(math.MaxInt64), int64(math.MinInt64), r.Int64()-r.Int64())
		},
		arrow.PrimitiveTypes.Int8:   func() any { return int8(r.IntN(256) - 128) },
		arrow.PrimitiveTypes.Uint64: func() any { return pick(uint64(r.IntN(3)), uint64(math.MaxInt64), uint64(math.MaxUint64), r.Uint64()) },
		arrow.PrimitiveTypes.Uint16: func() any { return pick(uint16(r.IntN(3)), uint16(math.MaxUint16)) },
		arrow.PrimitiveTypes.Float64: func() any {
			return pick(float64(r.IntN(5)-2), math.Copysign(0, -1), 0.5, -0.5, math.Inf(1), math.Inf(-1), 1e300, -1e300, 0x1p63, -0x1p63, r.NormFloat64())
		},
		arrow.PrimitiveTypes.Float32: func() any { return pick(float32(1), float32(-1), float32(0.25), float32(r.NormFloat64())) },
		arrow.BinaryTypes.String: func() any {
			return pick("", "a", "b", "ab", long(127), long(128), long(129), long(256), long(255))
		},
		arrow.FixedWidthTypes.Boolean:      func() any { return r.IntN(2) == 1 },
		arrow.FixedWidthTypes.Timestamp_us: func() any { return arrow.Timestamp(r.Int64N(5) - 2) },
		arrow.FixedWidthTypes.Date32:       func() any { return arrow.Date32(r.Int32N(5) - 2) },
		arrow.BinaryTypes.LargeString:      func() any { return pick("", "a", long(128), long(200)) },
		arrow.PrimitiveTypes.Int32:         func() any { return int32(r.IntN(7) - 3) },
		arrow.FixedWidthTypes.Duration_ms:  func() any { return arrow.Duration(r.IntN(3)) },
		arrow.BinaryTypes.StringView:       func() any { return pick("", "a", long(20), long(130)) },
		arrow.FixedWidthTypes.Time64ns:     func() any { return arrow.Time64(r.IntN(3)) },
		arrow.PrimitiveTypes.Uint8:         func() any { return uint8(r.IntN(256)) },
	}
	for dt, gen := range gens {
		t.Run(dt.String(), func(t *testing.T) {
			bld := array.NewBuilder(mem, dt)
			defer bld.Release()
			for range n {
				switch v := gen().(type) {
				case int64:
					bld.(*array.Int64Builder).Append(v)
				case int8:
					bld.(*array.Int8Builder).Append(v)
				case int32:
					bld.(*array.Int32Builder).Append(v)
				case uint64:
					bld.(*array.Uint64Builder).Append(v)
				case uint16:
					bld.(*array.Uint16Builder).Append(v)
				case uint8:
					bld.(*array.Uint8Builder).Append(v)
				case float64:
					bld.(*array.Float64Builder).Append(v)
				case float32:
					bld.(*array.Float32Builder).Append(v)
				case string:
					switch b := bld.(type) {
					case *array.StringBuilder:
						b.Append(v)
					case *array.LargeStringBuilder:
						b.Append(v)
					case *array.StringViewBuilder:
						b.Append(v)
					}
				case bool:
					bld.(*array.BooleanBuilder).Append(v)
				case arrow.Timestamp:
					bld.(*array.TimestampBuilder).Append(v)
				case arrow.Date32:
					bld.(*array.Date32Builder).Append(v)
				case arrow.Duration:
					bld.(*array.DurationBuilder).Append(v)
				case arrow.Time64:
					bld.(*array.Time64Builder).Append(v)
				}
			}
			arr := bld.NewArray()
			defer arr.Release()
			c := keyColOf(arr)
			st := make([]int8, n)
			require.True(t, c.order(st), "no value is missing")
			signs := map[int8]int{}
			for i := 1; i < n; i++ {
				a, _ := c.key(nil, i-1)
				b, _ := c.key(nil, i)
				want := int8(-bytes.Compare(a, b))
				if st[i] != want {
					t.Fatalf("rows %d and %d (%v, %v): order %d, encoded keys %d", i-1, i, c.show(i-1), c.show(i), st[i], want)
				}
				signs[want]++
			}
			assert.Len(t, signs, 3, "greater, smaller and equal neighbours all seen: %v", signs)
		})
	}

	// A missing value (null, or NaN) stops the comparison.
	f := array.NewFloat64Builder(mem)
	defer f.Release()
	f.AppendValues([]float64{1, math.NaN()}, nil)
	nan := f.NewArray()
	defer nan.Release()
	assert.False(t, keyColOf(nan).order(make([]int8, 2)))
	f.AppendValues([]float64{1, 2}, []bool{true, false})
	null := f.NewArray()
	defer null.Release()
	assert.False(t, keyColOf(null).order(make([]int8, 2)))
}
