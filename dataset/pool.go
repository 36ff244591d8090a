package dataset

import (
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// PoolAllocator is a memory.Allocator that keeps the buffers freed to it
// and hands them out again, zeroed, instead of asking the Go heap for
// fresh memory for every batch: a scan allocates the same sizes batch
// after batch, and fresh heap memory costs a page fault per 4 KiB page
// touched, plus the garbage collector's work to find it free again.
//
// Buffers of at least 4 KiB are rounded up to a size class (four per
// doubling, so at most 25% larger) and kept on a free list per class when
// freed, up to MaxRetained bytes in all; smaller buffers and those beyond
// the bound are left to the garbage collector. Allocate returns memory
// that is zeroed and 64-byte aligned, as memory.GoAllocator does. A
// buffer must not be used after it is freed, which Arrow's reference
// counting ensures (Release). PoolAllocator is safe for concurrent use.
//
// Open pools CSV and TSV, whose decoders are this package's, and Parquet:
// the arrays arrow-go's Parquet reader returns own the buffers they point
// into, and its page buffers are freed only with their column chunk's
// reader (TestPoolAllocatorRead reads Parquet files of many layouts through
// an allocator that poisons every buffer freed, and gets the values read
// with Go's allocator). Arrow IPC files are mapped, not read into buffers.
type PoolAllocator struct {
	// MaxRetained bounds the bytes kept on the free lists.
	MaxRetained int64

	mu       sync.Mutex
	free     map[int][][]byte // by class size
	out      map[*byte]int    // buffers handed out, by first byte: their class
	retained int64
	heap     memory.GoAllocator
}

// NewPoolAllocator returns a PoolAllocator that keeps at most maxRetained
// bytes of freed buffers.
func NewPoolAllocator(maxRetained int64) *PoolAllocator {
	return &PoolAllocator{MaxRetained: maxRetained, free: map[int][][]byte{}, out: map[*byte]int{}}
}

const poolMinSize = 4 << 10

// poolClass rounds size up to its class: a multiple of a quarter of the
// power of two below it.
func poolClass(size int) int {
	if size <= poolMinSize {
		return poolMinSize
	}
	step := 1 << (bits.Len(uint(size-1)) - 3) // a quarter of the power of two below
	return (size + step - 1) &^ (step - 1)
}

// Allocate returns a zeroed buffer of size bytes.
func (p *PoolAllocator) Allocate(size int) []byte {
	b, reused := p.allocate(size)
	if reused {
		clear(b)
	}
	return b
}

// allocateUnzeroed is Allocate for a caller that writes every byte of the
// buffer before it is read: a buffer taken from a free list keeps what it
// held.
func (p *PoolAllocator) allocateUnzeroed(size int) []byte {
	b, _ := p.allocate(size)
	return b
}

// allocate returns a buffer of size bytes, zeroed unless reused, taken
// from a free list.
func (p *PoolAllocator) allocate(size int) (b []byte, reused bool) {
	if size < poolMinSize {
		return p.heap.Allocate(size), false
	}
	c := poolClass(size)
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[c] = l[:len(l)-1]
		p.retained -= int64(c)
		p.out[&b[0]] = c
		p.mu.Unlock()
		return b[:size], true
	}
	p.mu.Unlock()
	b = p.heap.Allocate(c)
	p.mu.Lock()
	p.out[&b[0]] = c
	p.mu.Unlock()
	return b[:size], false
}

// Reallocate grows or shrinks b to size bytes, keeping its content; the
// bytes after it are zero.
func (p *PoolAllocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		// Bytes between len(b) and size may hold what the buffer had
		// before a shrink: Arrow's builders expect zeros there.
		if size > len(b) {
			clear(b[len(b):size])
		}
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free takes b back for reuse if the pool handed it out, whole, and the
// bound allows; anything else (a slice of it, a foreign buffer) is left to
// the garbage collector.
func (p *PoolAllocator) Free(b []byte) {
	c := cap(b)
	if c < poolMinSize {
		return
	}
	b = b[:c]
	p.mu.Lock()
	if oc, ok := p.out[&b[0]]; !ok || oc != c {
		p.mu.Unlock()
		return
	}
	delete(p.out, &b[0])
	if p.retained+int64(c) <= p.MaxRetained {
		p.free[c] = append(p.free[c], b[:c])
		p.retained += int64(c)
	}
	p.mu.Unlock()
}

// Retained returns the bytes kept on the free lists.
func (p *PoolAllocator) Retained() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.retained
}

var _ memory.Allocator = (*PoolAllocator)(nil)
