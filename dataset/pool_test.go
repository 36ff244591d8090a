package dataset

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolAllocator(t *testing.T) {
	p := NewPoolAllocator(128 << 10)
	a := p.Allocate(10000)
	require.Len(t, a, 10000)
	assert.Equal(t, 10000, cap(a), "as long as its capacity")
	assert.Zero(t, uintptr(unsafe.Pointer(&a[0]))%64, "64-byte aligned")
	for i := range a {
		a[i] = 0xff
	}
	p.Free(a)
	assert.Equal(t, int64(10240), p.Retained())
	b := p.Allocate(9000) // the same class: the same memory, zeroed
	assert.Same(t, &a[0], &b[0])
	assert.Equal(t, make([]byte, 9000), b)
	assert.Equal(t, int64(0), p.Retained())

	// Grown in place within the class, the new bytes are zero.
	for i := range b {
		b[i] = 1
	}
	b = p.Reallocate(8000, b)
	b = p.Reallocate(10000, b)
	assert.Equal(t, make([]byte, 2000), b[8000:])
	// Grown beyond the class: the old buffer goes back to the pool.
	c := p.Reallocate(50000, b)
	assert.Equal(t, byte(1), c[0])
	assert.Equal(t, int64(10240), p.Retained())

	// The bound: what does not fit is left to the garbage collector.
	p.Free(c) // class 57344: 67584 retained
	p.Free(p.Allocate(20000))
	assert.Equal(t, int64(88064), p.Retained())
	p.Free(p.Allocate(60000)) // class 65536, taken fresh: over the bound
	assert.Equal(t, int64(88064), p.Retained())
	// Small buffers and foreign slices are not kept.
	p.Free(p.Allocate(100))
	p.Free(make([]byte, 5000))
	assert.Equal(t, int64(88064), p.Retained())
}

// TestPoolAllocatorRead reads CSV, TSV and Parquet through a checked
// allocator over a pool, in many batches, and checks that every byte is
// released, that the pool was reused, and that the values are those read
// with the Go allocator. Parquet, whose decoder is arrow-go's, is also read
// through a poisonAllocator: a reader that kept using a buffer it had freed
// (which a pool would hand out again) would read the poison.
func TestPoolAllocatorRead(t *testing.T) {
	tbl := poolTable(t, 20000)
	defer tbl.Release()
	var csv strings.Builder
	csv.WriteString("i,x,s\n")
	rr := array.NewTableReader(tbl, 0)
	for rr.Next() {
		b := rr.RecordBatch()
		for r := range int(b.NumRows()) {
			for c, col := range b.Columns() {
				if c > 0 {
					csv.WriteByte(',')
				}
				if col.IsValid(r) {
					csv.WriteString(col.ValueStr(r))
				}
			}
			csv.WriteByte('\n')
		}
	}
	rr.Release()
	for _, path := range []string{writeFile(t, "d.csv", csv.String()), writeFile(t, "d.tsv", strings.ReplaceAll(csv.String(), ",", "\t"))} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			want := mustRead(t, path, Options{BatchSize: 1024})
			pool := NewPoolAllocator(64 << 20)
			// read checks that every byte allocated is freed.
			got := mustRead(t, path, Options{BatchSize: 1024, Allocator: pool})
			assert.Equal(t, want.rows, got.rows)
			assert.Equal(t, 20000, len(got.rows))
			assert.Positive(t, pool.Retained(), "freed buffers were kept for reuse")
		})
	}
	// Row groups smaller, larger than and equal to a batch, so that batches
	// span row groups and row groups span batches; strings in dictionary
	// pages, nulls.
	for _, group := range []int64{20000, 3000, 1000} {
		path := writeParquet(t, tbl, group)
		for _, batch := range []int{1000, 4096} {
			t.Run(fmt.Sprintf("parquet/group=%d/batch=%d", group, batch), func(t *testing.T) {
				want := mustRead(t, path, Options{BatchSize: batch, Allocator: memory.NewGoAllocator()})
				require.Equal(t, 20000, len(want.rows))
				pool := NewPoolAllocator(64 << 20)
				got := mustRead(t, path, Options{BatchSize: batch, Allocator: pool})
				assert.Equal(t, want.rows, got.rows)
				assert.Positive(t, pool.Retained(), "freed buffers were kept for reuse")
				poison := &poisonAllocator{out: map[*byte]bool{}}
				got = mustRead(t, path, Options{BatchSize: batch, Allocator: poison})
				assert.Equal(t, want.rows, got.rows)
				assert.Positive(t, poison.freed, "buffers were freed, and poisoned")
			})
		}
	}
}

// TestParquetDefaultPool: Open reads Parquet through a PoolAllocator of its
// own when Options.Allocator is nil, and every buffer of at least the
// pool's smallest class it handed out has come back when the reader is
// closed.
func TestParquetDefaultPool(t *testing.T) {
	tbl := poolTable(t, 20000)
	defer tbl.Release()
	path := writeParquet(t, tbl, 3000)
	want := mustRead(t, path, Options{BatchSize: 1000})
	r, err := Open(context.Background(), path, Options{BatchSize: 1000})
	require.NoError(t, err)
	pool, ok := r.src.(*parquetSource).mem.(*PoolAllocator)
	require.True(t, ok, "a pool, not %T", r.src.(*parquetSource).mem)
	var rows int
	for r.Next() {
		rec := r.RecordBatch()
		for i := range int(rec.NumRows()) {
			assert.Equal(t, want.rows[rows+i][2], rec.Column(2).ValueStr(i))
		}
		rows += int(rec.NumRows())
	}
	require.NoError(t, r.Err())
	assert.Equal(t, 20000, rows)
	require.NoError(t, r.Close())
	assert.Zero(t, pool.Outstanding(), "buffers not freed")
	assert.Positive(t, pool.Retained())
}

// poisonAllocator allocates from the Go heap and, on Free, overwrites the
// buffer with 0xa5 bytes and never hands it out again: a reader still
// reading a buffer it freed reads garbage. It panics on the Free of a
// buffer it did not allocate.
type poisonAllocator struct {
	mu    sync.Mutex
	out   map[*byte]bool
	freed int
}

func (p *poisonAllocator) Allocate(size int) []byte {
	b := new(memory.GoAllocator).Allocate(size)
	if cap(b) > 0 {
		p.mu.Lock()
		p.out[&b[:cap(b)][0]] = true
		p.mu.Unlock()
	}
	return b
}

func (p *poisonAllocator) Reallocate(size int, b []byte) []byte {
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

func (p *poisonAllocator) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	b = b[:cap(b)]
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.out[&b[0]] {
		panic("poisonAllocator: Free of a buffer it did not allocate")
	}
	delete(p.out, &b[0])
	for i := range b {
		b[i] = 0xa5
	}
	p.freed++
}

// poolTable is a table of n rows whose columns need buffers larger than
// the pool's smallest class.
func poolTable(t testing.TB, n int) arrow.Table {
	t.Helper()
	mem := memory.NewGoAllocator()
	b := array.NewRecordBuilder(mem, testSchema)
	defer b.Release()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		if i%17 == 0 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
		}
		if i%23 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Float64Builder).Append(rng.NormFloat64())
		}
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("v%d", rng.IntN(1000)))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(testSchema, []arrow.RecordBatch{rec})
}

// TestPoolAllocatorUnzeroed reads a CSV with nulls in its int64 and float64
// columns through a pool whose free buffers are all dirty: the parallel
// decoder takes their value and validity buffers unzeroed, so every row
// must still read as encoding/csv reads it, and every null's value slot
// must be zero, as an Arrow builder leaves it.
func TestPoolAllocatorUnzeroed(t *testing.T) {
	tbl := poolTable(t, 20000)
	defer tbl.Release()
	var csv strings.Builder
	csv.WriteString("i,x,s\n")
	rr := array.NewTableReader(tbl, 0)
	for rr.Next() {
		b := rr.RecordBatch()
		for r := range int(b.NumRows()) {
			for c, col := range b.Columns() {
				if c > 0 {
					csv.WriteByte(',')
				}
				if col.IsValid(r) {
					csv.WriteString(col.ValueStr(r))
				}
			}
			csv.WriteByte('\n')
		}
	}
	rr.Release()
	path := writeFile(t, "d.csv", csv.String())
	want := mustRead(t, path, Options{BatchSize: 1000, sequential: true})

	pool := NewPoolAllocator(64 << 20)
	var dirty [][]byte
	for _, size := range []int{8 * 1000, 8 * 16, 8 * 1000, 8 * 16, 1 << 16} {
		for range 8 {
			b := pool.Allocate(size)
			for i := range b {
				b[i] = 0xA5
			}
			dirty = append(dirty, b)
		}
	}
	for _, b := range dirty {
		pool.Free(b)
	}
	r, err := Open(context.Background(), path, Options{BatchSize: 1000, Allocator: pool, chunkBytes: 16 << 10})
	require.NoError(t, err)
	defer r.Release()
	var rows [][]string
	for r.Next() {
		rec := r.RecordBatch()
		ints := rec.Column(0).(*array.Int64)
		floats := rec.Column(1).(*array.Float64)
		for i := range int(rec.NumRows()) {
			if ints.IsNull(i) {
				assert.Zero(t, ints.Int64Values()[i], "value slot of a null int")
			}
			if floats.IsNull(i) {
				assert.Zero(t, math.Float64bits(floats.Float64Values()[i]), "value slot of a null float")
			}
			row := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				row[j] = strings.Clone(col.ValueStr(i))
			}
			rows = append(rows, row)
		}
	}
	require.NoError(t, r.Err())
	assert.Equal(t, want.rows, rows)
}
