package dataset

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var tableSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
}, nil)

const tableRows = `[
	{"id": 1, "x": 1.5, "s": "a", "b": true},
	{"id": 2, "x": null, "s": "", "b": null},
	{"id": 3, "x": -0.25, "s": null, "b": false},
	{"id": 4, "x": 8, "s": "dd", "b": true}
]`

// chunked builds the table's rows as chunks of the given sizes.
func chunked(t testing.TB, mem memory.Allocator, rows string, sizes ...int) arrow.Table {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, tableSchema, strings.NewReader(rows))
	require.NoError(t, err)
	defer rec.Release()
	var recs []arrow.RecordBatch
	lo := int64(0)
	for _, n := range sizes {
		recs = append(recs, rec.NewSlice(lo, lo+int64(n)))
		lo += int64(n)
	}
	tbl := array.NewTableFromRecords(tableSchema, recs)
	for _, r := range recs {
		r.Release()
	}
	return tbl
}

func scanMem(t testing.TB, src Source, columns ...string) (rows [][]string, fp Fingerprint) {
	t.Helper()
	sc, err := src.Scan(context.Background(), columns)
	require.NoError(t, err)
	defer sc.Close()
	for sc.Next() {
		b := sc.RecordBatch()
		for i := range int(b.NumRows()) {
			row := make([]string, b.NumCols())
			for j, c := range b.Columns() {
				row[j] = c.ValueStr(i)
			}
			rows = append(rows, row)
		}
	}
	require.NoError(t, sc.Err())
	fp, err = sc.Fingerprint()
	require.NoError(t, err)
	return rows, fp
}

func TestFromTable(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := chunked(t, mem, tableRows, 4)
	defer tbl.Release()
	src := FromTable(tbl)
	rows, fp := scanMem(t, src, "s", "id")
	assert.Equal(t, [][]string{{"a", "1"}, {"", "2"}, {"(null)", "3"}, {"dd", "4"}}, rows)
	assert.Equal(t, "table", fp.Kind)
	assert.Equal(t, int64(4), fp.Rows)
	assert.Equal(t, 4, fp.Columns)
	assert.Equal(t, "id:int64, x:float64, s:utf8, b:bool", fp.Schema)
	assert.Len(t, fp.Hash, 32)
	assert.Equal(t, XXH3, fp.Algorithm)

	// Scanned again, projected otherwise: the same fingerprint, which
	// covers every column.
	_, fp2 := scanMem(t, src, "x")
	assert.Equal(t, fp.Hash, fp2.Hash)

	// Chunked otherwise: the same content, the same fingerprint.
	other := chunked(t, mem, tableRows, 1, 2, 1)
	defer other.Release()
	_, fp3 := scanMem(t, FromTable(other))
	assert.Equal(t, fp.Hash, fp3.Hash)

	// One value changed, a null moved, an empty string made null: another
	// fingerprint each.
	for _, change := range [][2]string{{`"x": -0.25`, `"x": -0.5`}, {`"x": null, "s": ""`, `"x": 0, "s": ""`}, {`"s": "", "b": null`, `"s": null, "b": null`}} {
		changed := chunked(t, mem, strings.Replace(tableRows, change[0], change[1], 1), 4)
		_, fpc := scanMem(t, FromTable(changed))
		changed.Release()
		assert.NotEqual(t, fp.Hash, fpc.Hash, change[1])
	}

	_, err := src.Scan(context.Background(), []string{"nope"})
	var mc *MissingColumnsError
	require.ErrorAs(t, err, &mc)
	assert.Equal(t, "table", mc.Path)
}

func TestFromRecordReader(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := chunked(t, mem, tableRows, 3, 1)
	defer tbl.Release()
	rr := array.NewTableReader(tbl, 2)
	src := FromRecordReader(rr)
	rows, fp := scanMem(t, src, "id")
	rr.Release()
	assert.Equal(t, [][]string{{"1"}, {"2"}, {"3"}, {"4"}}, rows)
	_, want := scanMem(t, FromTable(tbl))
	assert.Equal(t, want.Hash, fp.Hash, "a reader fingerprints as the table it reads")

	_, err := src.Scan(context.Background(), nil)
	assert.EqualError(t, err, "dataset: a record reader source can be scanned only once")
}

func TestFromTableEmpty(t *testing.T) {
	tbl := chunked(t, memory.DefaultAllocator, `[]`)
	defer tbl.Release()
	sc, err := FromTable(tbl).Scan(context.Background(), nil)
	require.NoError(t, err)
	defer sc.Close()
	assert.False(t, sc.Next())
	assert.ErrorIs(t, sc.Err(), ErrEmpty)
}
