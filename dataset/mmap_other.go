//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package dataset

import (
	"errors"
	"os"
)

// mmapFile fails where this package does not map files: Arrow IPC files
// are then read with copies.
func mmapFile(*os.File, int) ([]byte, error) {
	return nil, errors.New("memory maps are not supported on this system")
}

func munmapFile([]byte) error { return nil }

var pageSize = int64(os.Getpagesize())

func dropPages([]byte) {}
