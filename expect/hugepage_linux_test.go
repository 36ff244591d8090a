package expect

import (
	"testing"
	"unsafe"
)

// A large chunk starts on a huge-page boundary (so that its whole huge
// pages are the most it can hold) and has exactly the capacity asked for;
// a small one is a plain slice.
func TestNewChunkAlignment(t *testing.T) {
	for _, n := range []int{maxChunk, maxChunk + 3, hugePage / 8, 3*hugePage/8 + 1} {
		for range 4 {
			c := newChunk[uint64](n)
			if len(c) != 0 || cap(c) != n {
				t.Fatalf("newChunk(%d): len %d cap %d, want 0 and %d", n, len(c), cap(c), n)
			}
			if p := uintptr(unsafe.Pointer(unsafe.SliceData(c))); p%hugePage != 0 {
				t.Fatalf("newChunk(%d) starts at %#x, not on a %d-byte boundary", n, p, hugePage)
			}
			// Every value written stays: the chunk is ordinary memory.
			c = c[:n]
			for i := range c {
				c[i] = uint64(i) * 3
			}
			for i, v := range c {
				if v != uint64(i)*3 {
					t.Fatalf("newChunk(%d)[%d] = %d, want %d", n, i, v, i*3)
				}
			}
		}
	}
	if c := newChunk[float64](minChunk); len(c) != 0 || cap(c) != minChunk {
		t.Fatalf("newChunk(%d): len %d cap %d", minChunk, len(c), cap(c))
	}
}
