//go:build !linux

package expect

// newChunk returns an empty slice with capacity for n values (huge pages
// are advised on Linux only).
func newChunk[T any](n int) []T { return make([]T, 0, n) }
