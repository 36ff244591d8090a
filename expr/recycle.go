package expr

import (
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/internal/mempool"
)

// Recycler is a memory.Allocator for evaluating programs batch after
// batch (Options.Mem): the buffers freed to it (the intermediates of an
// evaluation, and its result once the caller releases it) are kept and
// handed out again, zeroed, so that each batch reuses the memory of the
// last instead of allocating, and faulting in, fresh pages for the
// garbage collector to reclaim. Batches of one size ask for the same sizes
// again. It is the pool the dataset decoders use (dataset.PoolAllocator):
// buffers of at least 4 KiB come from size classes, four per doubling,
// and at most 64 MiB of freed buffers are kept; smaller ones are left to
// the garbage collector. What it hands out is zeroed, 64-byte aligned, and
// exactly as long as its capacity, as memory.GoAllocator's (arrow-go's
// kernels grow a buffer by its capacity). A Recycler is safe for
// concurrent use; the zero value is ready.
type Recycler struct {
	mempool.Pool
}

var _ memory.Allocator = (*Recycler)(nil)
