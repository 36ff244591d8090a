package expect

import (
	"context"
	"math"
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
	(&keyTable{}).hashRows(&rowsPlan{check: &Check{Kind: UniqueKey}}, []keyCol{keyColOf(rec.Column(0)), keyColOf(rec.Column(1))}, h, nil)
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
	judged, nulls := (&keyTable{}).hashRows(rp, cols, short, nil)
	assert.Equal(t, [2]int64{4, 0}, [2]int64{judged, nulls})
	judged, nulls = (&keyTable{}).hashRows(rp, cols, general, []byte{0b1111})
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
	judged, nulls = (&keyTable{}).hashRows(rp, cols, h, nil)
	assert.Equal(t, [2]int64{1, 1}, [2]int64{judged, nulls})
	assert.Equal(t, uint64(0), h[0], "the row with NaN is left out")
}
