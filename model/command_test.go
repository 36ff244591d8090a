package model

import (
	"context"
	"errors"
	"os"
	"os/exec"
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

// pyCommand runs testdata/commands/name as the subprocess model.
func pyCommand(t *testing.T, name string, timeout time.Duration) *Command {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	c := &Command{Argv: []string{"python3", filepath.Join("testdata", "commands", name)}, Features: []string{"x"}, Timeout: timeout}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Commands that never answer in time are stopped after the timeout, and the
// error says what was sent, what came back and what stderr said.
func TestCommandTimeout(t *testing.T) {
	for _, tc := range []struct {
		script string
		want   []string
	}{
		{"buffered.py", []string{"row 0 of 3: no prediction within 1s (the timeout): sent ", `of the batch's 3 rows (the first: {"x":0}), got no line back`, "flush its standard output"}},
		{"readall.py", []string{"row 0 of 3: no prediction within 1s", "got no line back"}},
		{"stderronly.py", []string{"row 0 of 3: no prediction within 1s", "got no line back"}},
	} {
		t.Run(tc.script, func(t *testing.T) {
			// Python may take seconds to start on a loaded machine: these
			// never answer, whenever they start.
			c := pyCommand(t, tc.script, time.Second)
			start := time.Now()
			_, err := c.Predict(context.Background(), seqBatch(t, 3))
			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second)
			var re *RowError
			require.ErrorAs(t, err, &re)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// The timeout error quotes standard error: a helper that answers there only.
func TestCommandTimeoutQuotesStderr(t *testing.T) {
	c, _ := helperCommand(t, "stderr")
	c.Timeout = 5 * time.Second
	_, err := c.Predict(context.Background(), seqBatch(t, 3))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `row 0 of 3: no prediction within 5s (the timeout): sent 24 of 24 bytes of the batch's 3 rows (the first: {"x":0}), got no line back`)
	assert.Contains(t, err.Error(), "stderr (last 3 lines):\nprediction 1.0\nprediction 1.0\nprediction 1.0")
}

// The default timeout applies when none is set.
func TestCommandDefaultTimeout(t *testing.T) {
	assert.Equal(t, DefaultCommandTimeout, (&Command{}).timeout())
	assert.Equal(t, time.Second, (&Command{Timeout: time.Second}).timeout())
}

// A command answering each row within the timeout passes, however long the
// whole batch takes: the timeout is per line.
func TestCommandFlushed(t *testing.T) {
	c := pyCommand(t, "flushed.py", 0)
	got, err := c.Predict(context.Background(), seqBatch(t, 500))
	require.NoError(t, err)
	assert.Equal(t, 998.0, got[499])
	require.NoError(t, c.Close())
}

// More lines than rows is an error naming both counts, found at the latest
// by Close.
func TestCommandExtraLines(t *testing.T) {
	c, _ := helperCommand(t, "twice")
	_, err := c.Predict(context.Background(), seqBatch(t, 4))
	if err == nil {
		err = c.Close()
	}
	require.Error(t, err)
	assert.Regexp(t, `printed \d+ output lines for [04] rows sent \(\d+ extra, the last "\d+"\): every row must get exactly one line`, err.Error())

	// One row: the second line is still in flight when Predict returns;
	// Close drains it.
	c = pyCommand(t, "twice.py", 0)
	_, err = c.Predict(context.Background(), seqBatch(t, 1))
	if err == nil {
		err = c.Close()
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "printed 2 output lines for 1 rows sent (1 extra, the last \"0\")")
}

func TestRowErrorDataRows(t *testing.T) {
	e := &RowError{Source: "s", First: 1, Last: 3, N: 5, Err: errors.New("bad")}
	assert.EqualError(t, e, "model: s: rows 1..3 of 5: bad")
	assert.EqualError(t, AtDataRows(e, []int{0, 10, 11, 12, 40}), "model: s: data rows 10..12: bad")
	e.DataRows = nil
	assert.EqualError(t, AtDataRows(e, []int{0, 2, 5, 7, 40}), "model: s: data rows 2, 5, 7: bad")
	many := make([]int, 20)
	for i := range many {
		many[i] = 3 * i
	}
	e = &RowError{Source: "s", First: 0, Last: 19, N: 20, Err: errors.New("bad")}
	assert.EqualError(t, AtDataRows(e, many), "model: s: data rows 0, 3, 6, 9, 12, … (20 rows): bad")
	// Out of range: unchanged.
	e = &RowError{Source: "s", First: 4, Last: 4, N: 5, Err: errors.New("bad")}
	assert.EqualError(t, AtDataRows(e, []int{1}), "model: s: row 4 of 5: bad")
	ee := &EndpointError{Method: "POST", URL: "http://h", FirstRow: 0, LastRow: 1, Status: 500}
	assert.EqualError(t, AtDataRows(ee, []int{7, 9}), "model: endpoint POST http://h: data rows 7, 9: status 500 Internal Server Error")
}
