package expr

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Recycler is a memory.Allocator for evaluating programs batch after
// batch (Options.Mem): the buffers freed to it (the intermediates of an
// evaluation, and its result once the caller releases it) are kept and
// handed out again, zeroed, to an allocation of the same size, so that
// each batch reuses the memory of the last instead of allocating, and
// faulting in, fresh pages for the garbage collector to reclaim. Batches
// of one size ask for the same sizes again. It keeps at most maxKept
// buffers of a size and maxKeptBytes in all (past that, it drops what it
// keeps). What it hands out is zeroed, 64-byte aligned, and as long as
// its capacity, as memory.GoAllocator's (arrow-go's kernels grow a buffer
// by its capacity). A Recycler is safe for concurrent use; the zero value
// is ready.
type Recycler struct {
	mu   sync.Mutex
	free map[int][][]byte // by size
	kept int              // bytes in free
}

// maxKept bounds the free buffers a Recycler keeps per size, maxKeptBytes
// their bytes.
const (
	maxKept      = 16
	maxKeptBytes = 64 << 20
)

var goAlloc = memory.NewGoAllocator()

// Allocate returns size zeroed bytes.
func (r *Recycler) Allocate(size int) []byte {
	r.mu.Lock()
	if bs := r.free[size]; len(bs) > 0 {
		b := bs[len(bs)-1]
		bs[len(bs)-1] = nil
		r.free[size] = bs[:len(bs)-1]
		r.kept -= size
		r.mu.Unlock()
		clear(b)
		return b
	}
	r.mu.Unlock()
	return goAlloc.Allocate(size)
}

// Reallocate returns b resized to size bytes, its contents kept (up to
// size) and any bytes added zeroed; b is no longer the caller's.
func (r *Recycler) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		if size > len(b) {
			clear(b[len(b):size])
		}
		return b[:size:size]
	}
	nb := r.Allocate(size)
	copy(nb, b)
	r.Free(b)
	return nb
}

// Free gives b back for reuse.
func (r *Recycler) Free(b []byte) {
	n := cap(b)
	if n == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.kept+n > maxKeptBytes {
		r.free, r.kept = nil, 0
	}
	if r.free == nil {
		r.free = map[int][][]byte{}
	}
	if len(r.free[n]) < maxKept && n <= maxKeptBytes {
		r.free[n] = append(r.free[n], b[:n])
		r.kept += n
	}
}

var _ memory.Allocator = (*Recycler)(nil)
