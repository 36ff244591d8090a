package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Progress is drawn only on a terminal: never into a buffer, a file or a
// pipe, so CI logs stay clean.
func TestProgressOnlyOnATerminal(t *testing.T) {
	assert.Nil(t, newProgress(&bytes.Buffer{}))
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	defer f.Close()
	assert.Nil(t, newProgress(f))
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.Nil(t, newProgress(w))
}
