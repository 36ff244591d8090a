//go:build linux || darwin || freebsd || netbsd || openbsd

package dataset

import (
	"os"

	"golang.org/x/sys/unix"
)

// mmapFile maps the first size bytes of f, privately: the pages are the
// page cache's, read from the file when first touched, and a page written
// to would become a private copy, so that the file never changes.
func mmapFile(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
}

// munmapFile unmaps what mmapFile mapped.
func munmapFile(b []byte) error { return unix.Munmap(b) }

// pageSize is the granularity of dropPages.
var pageSize = int64(os.Getpagesize())

// dropPages takes the whole pages within b out of the process's resident
// set: a later read maps them again from the page cache (or the file).
// Only pages never written to may be dropped, as a private copy would be
// lost; this package writes to none.
func dropPages(b []byte) {
	_ = unix.Madvise(b, unix.MADV_DONTNEED)
}
