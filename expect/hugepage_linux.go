package expect

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on the systems this file
// builds for (x86-64 and arm64 with 4 KiB base pages).
const hugePage = 2 << 20

// newChunk returns an empty slice with capacity for n values. A chunk of
// at least one huge page starts on a huge-page boundary, and the kernel
// is advised (MADV_HUGEPAGE) to back its whole huge pages with transparent
// huge pages when they are first touched. The chunks of the exact checks
// are written once, in full, from start to end: faulting them in 2 MiB at
// a time rather than 4 KiB takes 512 times fewer page faults, which on the
// benchmark's 10M-row run cost more than writing the values (see the
// package doc, on memory). The garbage collector owns the chunk as any
// other; the advice changes how its pages are faulted in, not what they
// hold. The memory before the boundary is never touched, so it takes no
// resident memory. Systems with transparent huge pages disabled refuse or
// ignore the advice, which changes nothing.
func newChunk[T any](n int) []T {
	size := unsafe.Sizeof(*new(T))
	if uintptr(n)*size < hugePage || hugePage%size != 0 {
		return make([]T, 0, n)
	}
	pad := int(hugePage / size)
	c := make([]T, 0, n+pad)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(c)))
	off := int(((start+hugePage-1)&^(hugePage-1) - start) / size)
	c = c[off : off : off+n]
	// Only the whole huge pages within c: advice applies to whole pages of
	// the mapping and must not reach another object.
	whole := uintptr(n) * size &^ (hugePage - 1)
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(c))), whole)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
	return c
}
