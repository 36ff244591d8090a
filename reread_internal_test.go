package trustml

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRereader: files and directories can be read again; a pipe, or a
// Source built in Go, cannot, and the checks are told so (nil).
func TestRereader(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "d.csv")
	require.NoError(t, os.WriteFile(file, []byte("a\n1\n"), 0o644))
	fifo := filepath.Join(dir, "pipe.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	assert.NotNil(t, rereader(nil, file, false, true, nil))
	assert.NotNil(t, rereader(nil, dir, false, true, nil))
	assert.NotNil(t, rereader(nil, filepath.Join(dir, "*.csv"), false, true, nil), "a glob")
	assert.Nil(t, rereader(nil, fifo, false, true, nil))
	assert.Nil(t, rereader(nil, file, false, false, nil), "a Source built in Go")
	assert.NotNil(t, rereader(nil, "", true, false, nil), "a SQL source")
}
