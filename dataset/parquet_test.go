package dataset

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAtRecorder records the longest ReadAt made through it.
type readAtRecorder struct {
	*os.File
	mu      sync.Mutex
	longest int
}

func (r *readAtRecorder) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	r.longest = max(r.longest, len(p))
	r.mu.Unlock()
	return r.File.ReadAt(p, off)
}

// writePagedParquet writes n rows of columns i (int64 i, odd rows null) and
// x (float64 i/2) in one row group of pages of about pageBytes.
func writePagedParquet(t testing.TB, n int, pageBytes int64) string {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range n {
		if i%2 == 1 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
		}
		b.Field(1).(*array.Float64Builder).Append(float64(i) / 2)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "paged.parquet")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	props := parquet.NewWriterProperties(parquet.WithDictionaryDefault(false), parquet.WithDataPageSize(pageBytes))
	w, err := pqarrow.NewFileWriter(sc, f, props, pqarrow.DefaultWriterProps())
	require.NoError(t, err)
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	return path
}

// TestParquetReadsPages checks that a column chunk is read page by page,
// not into one buffer the size of the chunk, and that the values read are
// those written.
func TestParquetReadsPages(t *testing.T) {
	const n, page = 200_000, 32 << 10 // a chunk of x is 1.6 MB
	path := writePagedParquet(t, n, page)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rec := &readAtRecorder{File: f}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, err := newParquetSource(context.Background(), rec, path, Options{BatchSize: 10_000, Allocator: mem}.withDefaults())
	require.NoError(t, err)
	defer src.release()
	var rows, nulls int
	var sumI, sumX float64
	for {
		b, err := src.next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		is, xs := b.Column(0).(*array.Int64), b.Column(1).(*array.Float64)
		for k := range b.NumRows() {
			if is.IsNull(int(k)) {
				nulls++
			} else {
				sumI += float64(is.Value(int(k)))
			}
			sumX += xs.Value(int(k))
		}
		rows += int(b.NumRows())
		b.Release()
	}
	assert.Equal(t, n, rows)
	assert.Equal(t, n/2, nulls)
	assert.Equal(t, float64(n/2)*float64(n-2)/2, sumI, "0+2+...+(n-2)")
	assert.Equal(t, float64(n)*float64(n-1)/4, sumX, "(0+1+...+(n-1))/2")
	assert.Less(t, rec.longest, 4*page, "the longest read is a page or the page header buffer, not the %d-byte chunk", 8*n)
	assert.Greater(t, rec.longest, 0)
}
