package dataset

import (
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/internal/mempool"
)

// PoolAllocator is a memory.Allocator that keeps the buffers freed to it
// and hands them out again, zeroed, instead of asking the Go heap for
// fresh memory for every batch: a scan allocates the same sizes batch
// after batch, and fresh heap memory costs a page fault per 4 KiB page
// touched, plus the garbage collector's work to find it free again.
//
// Buffers of at least 4 KiB are taken from a size class (four per
// doubling, so at most 25% larger) and kept on a free list per class when
// freed, up to MaxRetained bytes in all (0 means 64 MiB); smaller buffers
// and those beyond the bound are left to the garbage collector. Allocate
// returns memory that is zeroed, 64-byte aligned and as long as its
// capacity, as memory.GoAllocator does. A buffer must not be used after it
// is freed, which Arrow's reference counting ensures (Release).
// PoolAllocator is safe for concurrent use. It is the allocator the
// expression evaluator's expr.Recycler is built on too.
//
// Open pools CSV and TSV, whose decoders are this package's, and Parquet:
// the arrays arrow-go's Parquet reader returns own the buffers they point
// into, and its page buffers are freed only with their column chunk's
// reader (TestPoolAllocatorRead reads Parquet files of many layouts through
// an allocator that poisons every buffer freed, and gets the values read
// with Go's allocator). Arrow IPC files are mapped, not read into buffers.
type PoolAllocator struct {
	mempool.Pool
}

// NewPoolAllocator returns a PoolAllocator that keeps at most maxRetained
// bytes of freed buffers.
func NewPoolAllocator(maxRetained int64) *PoolAllocator {
	return &PoolAllocator{mempool.Pool{MaxRetained: maxRetained}}
}

// allocateUnzeroed is Allocate for a caller that writes every byte of the
// buffer before it is read: a buffer taken from a free list keeps what it
// held.
func (p *PoolAllocator) allocateUnzeroed(size int) []byte {
	return mempool.AllocateUnzeroed(&p.Pool, size)
}

var _ memory.Allocator = (*PoolAllocator)(nil)
