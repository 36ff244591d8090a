package model

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperCommand runs this test binary as the subprocess model in mode
// (see runHelper); starts counts its process starts.
func helperCommand(t *testing.T, mode string) (c *Command, starts func() int) {
	exe, err := os.Executable()
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "starts")
	c = &Command{
		Argv:     []string{exe},
		Features: []string{"x"},
		Env:      []string{helperEnv + "=" + mode, "TRUSTML_MODEL_HELPER_STARTS=" + file},
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, func() int {
		data, err := os.ReadFile(file)
		if os.IsNotExist(err) {
			return 0
		}
		require.NoError(t, err)
		return strings.Count(string(data), "start\n")
	}
}

func TestCommandAcrossBatches(t *testing.T) {
	c, starts := helperCommand(t, "double")
	assert.Equal(t, 0, starts(), "started lazily")
	for _, n := range []int{3, 1, 2000} {
		got, err := c.Predict(context.Background(), seqBatch(t, n))
		require.NoError(t, err)
		require.Len(t, got, n)
		for i, v := range got {
			if v != 2*float64(i) {
				t.Fatalf("batch of %d: row %d: got %v, want %v", n, i, v, 2*float64(i))
			}
		}
	}
	assert.Equal(t, 1, starts(), "one process for every batch")
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")
	_, err := c.Predict(context.Background(), seqBatch(t, 1))
	assert.ErrorContains(t, err, "closed")
}

func TestCommandCrash(t *testing.T) {
	c, starts := helperCommand(t, "crash")
	_, err := c.Predict(context.Background(), seqBatch(t, 4))
	require.Error(t, err)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, `model: command [`), msg)
	assert.Contains(t, msg, "row 0 of 4: no prediction: it exited (exit status 3); stderr (last 20 lines):\noops 6\n")
	assert.True(t, strings.HasSuffix(msg, "\noops 24\noops 25"), msg)
	assert.NotContains(t, msg, "oops 5\n")
	// The next Predict starts a fresh subprocess.
	_, err = c.Predict(context.Background(), seqBatch(t, 1))
	require.Error(t, err)
	assert.Equal(t, 2, starts())
}

func TestCommandMalformed(t *testing.T) {
	c, _ := helperCommand(t, "malformed")
	_, err := c.Predict(context.Background(), seqBatch(t, 2))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `: row 0 of 2: output line "not-a-number" is not a finite number; stderr was empty`)
}

func TestCommandCancelled(t *testing.T) {
	c, _ := helperCommand(t, "hang")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Predict(ctx, seqBatch(t, 2))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestCommandStartFailure(t *testing.T) {
	c := &Command{Argv: []string{filepath.Join(t.TempDir(), "no-such-program")}}
	_, err := c.Predict(context.Background(), seqBatch(t, 1))
	assert.ErrorContains(t, err, "no such file or directory")
	_, err = (&Command{}).Predict(context.Background(), seqBatch(t, 1))
	assert.EqualError(t, err, "model: command: argv is empty")
}
