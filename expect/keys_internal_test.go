package expect

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestKeyTableManyChunks files 1,200,000 keys (id, s) in batches of
// 65,536 rows, several chunks in every bucket, over two workers' tables
// merged, and reads the repeats again. Row i < 1,100,000 is (i, s(i)),
// s(id) "bb" when id is a multiple of 3, else "a"; row 1,100,000 + j
// repeats row j's key, but for j < 1,000 (s is "c") and j = 50,005 (s is
// null). Hand-computed: the keys of j in [1,000, 100,000) but 50,005
// repeat, 98,999 keys of 2 rows each. Rows 0 and 1 are swapped, so that
// the first table files every batch it reads; the second's batches are in
// key order and filed from the data read again.
func TestKeyTableManyChunks(t *testing.T) {
	const n, dup, batch = 1_200_000, 1_100_000, 1 << 16
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for lo := 0; lo < n; lo += batch {
		bld := array.NewRecordBuilder(mem, schema)
		for i := lo; i < min(lo+batch, n); i++ {
			id := i
			switch {
			case i >= dup:
				id = i - dup
			case i < 2:
				// Rows 0 and 1 swapped: this worker's first batch is out
				// of order, so that it files every batch it reads.
				id = 1 - i
			}
			s := "a"
			if id%3 == 0 {
				s = "bb"
			}
			if i >= dup && id < 1000 {
				s = "c"
			}
			bld.Field(0).(*array.Int64Builder).Append(int64(id))
			if i == dup+50_005 {
				bld.Field(1).AppendNull()
			} else {
				bld.Field(1).(*array.StringBuilder).Append(s)
			}
		}
		recs = append(recs, bld.NewRecordBatch())
		bld.Release()
	}
	c := &Check{Kind: UniqueKey, Columns: []string{"id", "s"}}
	rp := &rowsPlan{check: c, def: registry[UniqueKey], names: c.Columns, idx: []int{0, 1},
		dts: []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String}}
	tables := []*keyTable{newKeyTable(), newKeyTable()}
	var off int64
	for k, rec := range recs {
		tables[k%4/3].update(rp, rp.cols(rec, nil), int(rec.NumRows()), off, 20, nil)
		off += rec.NumRows()
	}
	tables[0].seal()
	for _, bk := range tables[0].buckets {
		if len(bk) < 2 {
			t.Fatalf("a bucket holds %d chunks, want at least 2", len(bk))
		}
	}
	tables[0].merge(tables[1], 20)
	reread := func(context.Context, []string) (array.RecordReader, error) {
		return array.NewRecordReader(schema, recs)
	}
	kt := tables[0]
	if err := kt.resolve(context.Background(), rp, reread, off, 20, true); err != nil {
		t.Fatal(err)
	}
	want := int64(2 * 98_999)
	if kt.unexpected != want {
		t.Errorf("%d rows share a key, want %d", kt.unexpected, want)
	}
	if kt.rows != n {
		t.Errorf("%d rows judged, want %d (a row with one null of two is judged)", kt.rows, n)
	}
	if len(kt.sample) != 20 || kt.sample[0].Row != 1000 || kt.sample[19].Row != 1019 {
		t.Errorf("sample rows %v..., want 1000 to 1019", kt.sample[0].Row)
	}
	for _, row := range []int{999, 1000, 50_004, 50_005, 99_999, 100_000, dup + 999, dup + 1000, dup + 50_005, n - 1} {
		j := row % dup
		failing := j >= 1000 && j < 100_000 && j != 50_005
		if got := kt.failing[row/8]&(1<<(row%8)) != 0; got != failing {
			t.Errorf("row %d failing: %v, want %v", row, got, failing)
		}
	}
}
