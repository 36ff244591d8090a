// Package mempool provides Pool, the memory.Allocator that hands the
// buffers freed to it back to later allocations: the one the dataset
// decoders (dataset.PoolAllocator) and the expression evaluator
// (expr.Recycler) both use.
package mempool

import (
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Pool is a memory.Allocator that keeps the buffers freed to it and hands
// them out again, zeroed, instead of asking the Go heap for fresh memory
// for every batch: a scan allocates the same sizes batch after batch, and
// fresh heap memory costs a page fault per 4 KiB page touched, plus the
// garbage collector's work to find it free again.
//
// Buffers of at least MinSize bytes are taken from a size class (four per
// doubling, so at most 25% larger than asked) and kept on a free list per
// class when freed, up to MaxRetained bytes in all; smaller buffers, those
// beyond the bound, and buffers the pool did not hand out (or slices of
// them) are left to the garbage collector. Allocate returns memory that is
// zeroed, 64-byte aligned and exactly as long as its capacity, as
// memory.GoAllocator's: arrow-go's compute kernels grow a buffer by its
// capacity, so the rest of the class is never exposed. A buffer must not
// be used after it is freed, which Arrow's reference counting ensures
// (Release). A Pool is safe for concurrent use; the zero value is ready,
// with the default bound. A Pool must not be copied after first use.
type Pool struct {
	// MaxRetained bounds the bytes kept on the free lists: 0 means
	// DefaultMaxRetained, a negative bound keeps nothing.
	MaxRetained int64

	mu       sync.Mutex
	free     map[int][][]byte // by class size, each the whole class
	out      map[*byte]held   // buffers handed out, by first byte
	retained int64
	heap     memory.GoAllocator
}

// held is a buffer handed out: the whole class and the length given.
type held struct {
	buf  []byte
	size int
}

// MinSize is the smallest size a Pool keeps; DefaultMaxRetained is the
// bound of a Pool whose MaxRetained is 0.
const (
	MinSize            = 4 << 10
	DefaultMaxRetained = 64 << 20
)

// Class returns the size of the class a buffer of size bytes is taken
// from: MinSize at least, else size rounded up to a multiple of a quarter
// of the power of two below it.
func Class(size int) int {
	if size <= MinSize {
		return MinSize
	}
	step := 1 << (bits.Len(uint(size-1)) - 3) // a quarter of the power of two below
	return (size + step - 1) &^ (step - 1)
}

// Allocate returns a zeroed buffer of size bytes whose capacity is size.
func (p *Pool) Allocate(size int) []byte {
	b, reused := p.allocate(size)
	if reused {
		clear(b)
	}
	return b
}

// AllocateUnzeroed is Allocate for a caller that writes every byte of the
// buffer before it is read: a buffer taken from a free list keeps what it
// held. It is a function, not a method, so that the types built on Pool
// outside this internal package do not export it.
func AllocateUnzeroed(p *Pool, size int) []byte {
	b, _ := p.allocate(size)
	return b
}

// allocate returns a buffer of size bytes and capacity, zeroed unless
// reused, taken from a free list.
func (p *Pool) allocate(size int) (b []byte, reused bool) {
	if size < MinSize {
		return p.heap.Allocate(size), false
	}
	c := Class(size)
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b = l[len(l)-1]
		l[len(l)-1] = nil
		p.free[c] = l[:len(l)-1]
		p.retained -= int64(c)
		reused = true
	}
	p.mu.Unlock()
	if !reused {
		b = p.heap.Allocate(c)
	}
	p.mu.Lock()
	if p.out == nil {
		p.out = map[*byte]held{}
	}
	p.out[&b[0]] = held{b, size}
	p.mu.Unlock()
	return b[:size:size], reused
}

// Reallocate returns b resized to size bytes, its contents kept (up to
// size) and any bytes added zeroed, with capacity size; b is no longer the
// caller's. A buffer of the pool's grows or shrinks in place within its
// class.
func (p *Pool) Reallocate(size int, b []byte) []byte {
	if cap(b) > 0 {
		p.mu.Lock()
		h, ok := p.out[&b[:1][0]]
		if ok && h.size == cap(b) && size <= len(h.buf) && size >= MinSize {
			p.out[&b[:1][0]] = held{h.buf, size}
			p.mu.Unlock()
			// Bytes between len(b) and size may hold what the buffer had
			// before a shrink: Arrow's builders expect zeros there.
			nb := h.buf[:size:size]
			if size > len(b) {
				clear(nb[len(b):])
			}
			return nb
		}
		p.mu.Unlock()
	}
	if size <= cap(b) && !(size < MinSize && cap(b) >= MinSize) {
		nb := b[:size:size]
		if size > len(b) {
			clear(nb[len(b):])
		}
		return nb
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free takes b back for reuse if the pool handed it out, whole, and the
// bound allows; anything else (a slice of it, a foreign buffer) is left to
// the garbage collector.
func (p *Pool) Free(b []byte) {
	n := cap(b)
	if n < MinSize {
		return
	}
	first := &b[:1][0]
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.out[first]
	if !ok || h.size != n {
		return
	}
	delete(p.out, first)
	c := len(h.buf)
	if p.retained+int64(c) <= p.bound() {
		if p.free == nil {
			p.free = map[int][][]byte{}
		}
		p.free[c] = append(p.free[c], h.buf)
		p.retained += int64(c)
	}
}

// bound returns the bytes the free lists may hold.
func (p *Pool) bound() int64 {
	if p.MaxRetained == 0 {
		return DefaultMaxRetained
	}
	return p.MaxRetained
}

// Retained returns the bytes kept on the free lists.
func (p *Pool) Retained() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.retained
}

// Outstanding returns how many buffers of at least MinSize bytes the pool
// has handed out and not had back.
func (p *Pool) Outstanding() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.out)
}

var _ memory.Allocator = (*Pool)(nil)
