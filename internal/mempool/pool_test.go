package mempool

import (
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClass(t *testing.T) {
	for size := 1; size < 1<<22; size += 1 + size/7 {
		c := Class(size)
		assert.GreaterOrEqual(t, c, size)
		if size > MinSize {
			assert.LessOrEqual(t, float64(c), 1.25*float64(size)+1, "size %d", size)
		}
		assert.Equal(t, c, Class(c), "a class is its own class")
	}
	assert.Equal(t, []int{4096, 4096, 5120, 6144, 7168, 8192, 10240}, []int{Class(1), Class(4096), Class(4097), Class(6000), Class(7000), Class(8000), Class(8193)})
}

// TestPool: a freed buffer comes back, zeroed and 64-byte aligned, to an
// allocation of its class only, as long as its capacity (never the whole
// class: arrow-go's kernels grow a buffer by its capacity); Reallocate
// keeps the contents, zeroes what it adds and stays in the class; the
// zero value keeps DefaultMaxRetained bytes, and a foreign buffer or a
// slice of one is not kept.
func TestPool(t *testing.T) {
	var p Pool
	a := p.Allocate(5000)
	if len(a) != 5000 || cap(a) != 5000 {
		t.Fatalf("Allocate(5000): len %d cap %d, want 5000 and 5000", len(a), cap(a))
	}
	for i := range a {
		a[i] = 0xAB
	}
	p.Free(a)
	if b := p.Allocate(4000); &b[0] == &a[0] {
		t.Errorf("Allocate(4000), class 4096, got the freed buffer of class 5120")
	}
	b := p.Allocate(4500) // class 5120: the freed buffer, zeroed
	if &b[0] != &a[0] || cap(b) != 4500 {
		t.Errorf("Allocate(4500) after freeing a 5000-byte buffer: a new buffer (cap %d), want the freed one", cap(b))
	}
	for i, x := range b {
		if x != 0 {
			t.Fatalf("reused buffer: byte %d is %#x, want 0", i, x)
		}
	}
	if uintptr(unsafe.Pointer(&b[0]))%64 != 0 {
		t.Errorf("buffer not 64-byte aligned")
	}
	b[0], b[4199] = 1, 2
	c := p.Reallocate(4200, b)
	if len(c) != 4200 || cap(c) != 4200 || &c[0] != &b[0] || c[0] != 1 || c[4199] != 2 {
		t.Errorf("Reallocate(4200) of 4500 bytes: len %d cap %d, moved or lost the contents", len(c), cap(c))
	}
	c = p.Reallocate(5120, c) // the whole class, in place: what the shrink hid is zero
	if len(c) != 5120 || cap(c) != 5120 || &c[0] != &b[0] || c[0] != 1 || c[4199] != 2 || c[4200] != 0 || c[4499] != 0 {
		t.Errorf("Reallocate(5120) in the class: len %d cap %d, moved %v, contents %d %d %d %d", len(c), cap(c), &c[0] != &b[0], c[0], c[4199], c[4200], c[4499])
	}
	d := p.Reallocate(100000, c)
	if len(d) != 100000 || cap(d) != 100000 || d[0] != 1 || d[4199] != 2 || d[4200] != 0 {
		t.Errorf("Reallocate(100000): len %d cap %d, contents %d %d %d", len(d), cap(d), d[0], d[4199], d[4200])
	}
	if e := p.Allocate(5120); &e[0] != &c[0] {
		t.Errorf("the buffer Reallocate outgrew was not kept")
	}
	assert.Equal(t, 2, p.Outstanding(), "the 4000-byte buffer and d, less e")
	p.Free(d[:50000:50000]) // not the whole buffer
	p.Free(make([]byte, 8192))
	assert.Equal(t, int64(0), p.Retained(), "a slice or a foreign buffer is kept")
	p.Free(d)
	assert.Equal(t, int64(Class(100000)), p.Retained())
	// Shrunk below MinSize, the buffer is copied out and goes back.
	f := p.Reallocate(100, p.Allocate(8192))
	assert.Equal(t, 100, cap(f))
	assert.Equal(t, int64(Class(100000)+8192), p.Retained())

	// The bound: what does not fit is left to the garbage collector.
	q := Pool{MaxRetained: 20000}
	q.Free(q.Allocate(10000)) // class 10240
	q.Free(q.Allocate(9000))  // the same buffer again
	q.Free(q.Allocate(12000)) // class 12288: over the bound
	assert.Equal(t, int64(10240), q.Retained())
	none := Pool{MaxRetained: -1}
	none.Free(none.Allocate(10000))
	assert.Zero(t, none.Retained())
}

// TestAllocateUnzeroed: a reused buffer keeps what it held; a fresh one
// is zero.
func TestAllocateUnzeroed(t *testing.T) {
	var p Pool
	a := AllocateUnzeroed(&p, 6000)
	assert.Equal(t, make([]byte, 6000), a)
	for i := range a {
		a[i] = 7
	}
	p.Free(a)
	b := AllocateUnzeroed(&p, 5500)
	require.Same(t, &a[0], &b[0])
	assert.Equal(t, byte(7), b[5499])
}

// TestPoolConcurrent allocates, writes and frees from several goroutines
// (run with -race): each buffer is whole, zeroed and not shared.
func TestPoolConcurrent(t *testing.T) {
	p := Pool{MaxRetained: 1 << 20}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				size := MinSize + (g*977+i*131)%20000
				b := p.Allocate(size)
				for j, x := range b {
					if x != 0 {
						t.Errorf("byte %d of a fresh buffer is %d", j, x)
						return
					}
				}
				for j := range b {
					b[j] = byte(g + 1)
				}
				b = p.Reallocate(size+1000, b)
				if b[0] != byte(g+1) || b[size] != 0 {
					t.Errorf("Reallocate lost or dirtied the contents")
					return
				}
				p.Free(b)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, p.Outstanding())
	assert.LessOrEqual(t, p.Retained(), int64(1<<20))
}
