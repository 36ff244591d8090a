package trustml

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/dataset"
)

// TestRereader: files, directories and Sources that may be scanned again
// can be read again; a pipe, or a once-only Source built in Go, cannot,
// and the checks are told so (nil).
func TestRereader(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "d.csv")
	require.NoError(t, os.WriteFile(file, []byte("a\n1\n"), 0o644))
	fifo := filepath.Join(dir, "pipe.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	assert.NotNil(t, rereader(nil, file, false, nil))
	assert.NotNil(t, rereader(nil, dir, false, nil))
	assert.NotNil(t, rereader(nil, filepath.Join(dir, "*.csv"), false, nil), "a glob")
	assert.Nil(t, rereader(nil, fifo, false, nil))
	assert.NotNil(t, rereader(nil, "", false, nil), "a SQL source")

	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues([]int64{1, 2}, nil)
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 2)
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	assert.NotNil(t, rereader(dataset.FromTable(tbl), "", true, nil), "a table built in Go")
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	require.NoError(t, err)
	defer rr.Release()
	assert.Nil(t, rereader(dataset.FromRecordReader(rr), "", true, nil), "a record reader, read once")
}
