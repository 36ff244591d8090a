package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// writeFile writes content to name in a fresh temporary directory and
// returns its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// result is everything a Reader produced.
type result struct {
	schema     *arrow.Schema
	fileSchema *arrow.Schema
	format     Format
	rows       [][]string // each value as ValueStr, nulls as "(null)"
	batches    []int64    // rows per batch
	fp         Fingerprint
}

// read opens path, reads it to the end with a checked allocator (over
// opts.Allocator, if set) and
// returns what it read, or the first error from Open, Next or Fingerprint.
// It checks that all memory was released either way.
func read(t testing.TB, path string, opts Options) (result, error) {
	t.Helper()
	base := opts.Allocator // under the checked allocator; Go's when nil
	if base == nil {
		base = memory.NewGoAllocator()
	}
	mem := memory.NewCheckedAllocator(base)
	defer mem.AssertSize(t, 0)
	opts.Allocator = mem
	r, err := Open(context.Background(), path, opts)
	if err != nil {
		return result{}, err
	}
	defer r.Release()
	res := result{schema: r.Schema(), fileSchema: r.FileSchema(), format: r.Format()}
	for r.Next() {
		rec := r.RecordBatch()
		require.True(t, rec.Schema().Equal(r.Schema()), "batch schema %s, reader schema %s", rec.Schema(), r.Schema())
		res.batches = append(res.batches, rec.NumRows())
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				// A string's value is a view of the batch's buffers,
				// which a mapped file's batches give back on release.
				row[j] = strings.Clone(col.ValueStr(i))
			}
			res.rows = append(res.rows, row)
		}
	}
	if err := r.Err(); err != nil {
		return result{}, err
	}
	res.fp, err = r.Fingerprint()
	if err != nil {
		return result{}, err
	}
	return res, r.Close()
}

// mustRead is read for inputs that must succeed.
func mustRead(t testing.TB, path string, opts Options) result {
	t.Helper()
	res, err := read(t, path, opts)
	require.NoError(t, err)
	return res
}

// schemaOf formats the schema like the fingerprint.
func schemaOf(s *arrow.Schema) string { return schemaString(s) }
