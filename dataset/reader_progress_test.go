package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProgress(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "d.csv")
	content := "a,b\n" + strings.Repeat("1,2\n", 1000)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	r, err := Open(context.Background(), p, Options{BatchSize: 100})
	require.NoError(t, err)
	defer r.Close()
	_, total, unit := r.Progress()
	assert.Equal(t, int64(len(content)), total)
	assert.Equal(t, "bytes", unit)
	for r.Next() {
	}
	require.NoError(t, r.Err())
	done, total, _ := r.Progress()
	assert.Equal(t, total, done, "every byte read at the end")
}

func TestProgressParquetRows(t *testing.T) {
	tbl := smallTable(t)
	defer tbl.Release()
	p := writeParquet(t, tbl, 2)
	r, err := Open(context.Background(), p, Options{BatchSize: 1})
	require.NoError(t, err)
	defer r.Close()
	done, total, unit := r.Progress()
	assert.Equal(t, [3]any{int64(0), int64(3), "rows"}, [3]any{done, total, unit})
	require.True(t, r.Next())
	done, _, _ = r.Progress()
	assert.Equal(t, int64(1), done)
	for r.Next() {
	}
	done, _, _ = r.Progress()
	assert.Equal(t, int64(3), done)
}
