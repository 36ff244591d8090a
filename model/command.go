package model

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// stderrLines is how many trailing lines of a subprocess's standard error
// an error from [Command] quotes.
const stderrLines = 20

// closeGrace is how long Close waits for the subprocess to exit after its
// standard input is closed, before killing it.
const closeGrace = 5 * time.Second

// Command is a [Regressor] served by a subprocess that stays running
// across batches. For each Predict it writes one JSON object per row to the
// subprocess's standard input (JSON Lines: the Features columns, every
// column when Features is nil, nulls, NaN and ±Inf as null), then reads one
// prediction per row from its standard output: a line holding a finite
// number as strconv.ParseFloat reads it (surrounding white space ignored).
// The subprocess must answer every row it reads, in order, and print
// nothing else on standard output.
//
// The subprocess starts on the first Predict. If it exits, prints a line
// that is not a finite number, or ctx is cancelled during a Predict, it is
// stopped and the error quotes the last 20 lines of its standard error;
// the next Predict starts a fresh one. Predict calls are serialised.
// Set ctx deadlines: a subprocess that neither answers nor exits blocks
// Predict until ctx is done.
//
// Close ends the subprocess. A Command must not be copied after first use.
type Command struct {
	// Argv is the program and its arguments. Required.
	Argv []string
	// Features are the columns sent; nil sends every column of the batch.
	Features []string
	// Env holds extra "NAME=value" entries added to the environment
	// inherited from this process.
	Env []string
	// Dir is the working directory; empty means this process's.
	Dir string

	mu     sync.Mutex
	proc   *process
	closed bool
}

// process is one running subprocess.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *tailWriter
	done   chan struct{} // closed when cmd.Wait has returned
	err    error         // cmd.Wait's result, set before done closes
}

// String names the command, e.g. `command ["python3" "predict.py"]`.
func (c *Command) String() string { return fmt.Sprintf("command %q", c.Argv) }

func (c *Command) start() (*process, error) {
	if len(c.Argv) == 0 {
		return nil, errors.New("model: command: argv is empty")
	}
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Dir = c.Dir
	// Descendants holding stderr open must not block Wait forever.
	cmd.WaitDelay = time.Second
	p := &process{cmd: cmd, stderr: &tailWriter{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", c, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", c, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("model: %s: %w", c, err)
	}
	p.stdin, p.stdout = stdin, bufio.NewReader(stdout)
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop kills the subprocess and waits for it to exit.
func (p *process) stop() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Predict implements [Regressor]; see [Command]. The batch is only read,
// and not retained after Predict returns.
func (c *Command) Predict(ctx context.Context, batch arrow.RecordBatch) ([]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	enc, err := newRowEncoder(batch, c.Features)
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", c, err)
	}
	n := int(batch.NumRows())
	var input []byte
	for i := range n {
		if input, err = enc.appendRow(input, i); err != nil {
			return nil, fmt.Errorf("model: %s: %w", c, err)
		}
		input = append(input, '\n')
	}
	if n == 0 {
		return []float64{}, nil
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, fmt.Errorf("model: %s: closed", c)
	}
	if c.proc == nil {
		if c.proc, err = c.start(); err != nil {
			return nil, err
		}
	}
	p := c.proc
	stopWatch := context.AfterFunc(ctx, func() { _ = p.cmd.Process.Kill() })
	defer stopWatch()

	written := make(chan error, 1)
	go func() {
		_, err := p.stdin.Write(input)
		written <- err
	}()
	out, err := c.read(p, n)
	if err != nil {
		// The process state is unknown: end it, so that the next Predict
		// starts afresh, and quote its last words.
		p.stop()
		<-written
		c.proc = nil
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("model: %s: %w%s", c, err, p.stderr.quote())
	}
	if err := <-written; err != nil {
		p.stop()
		c.proc = nil
		return nil, fmt.Errorf("model: %s: writing rows: %w%s", c, err, p.stderr.quote())
	}
	return out, nil
}

// read reads n predictions from the subprocess.
func (c *Command) read(p *process, n int) ([]float64, error) {
	out := make([]float64, n)
	for i := range out {
		line, err := p.stdout.ReadString('\n')
		if err != nil && (line == "" || err != io.EOF) {
			// Collect the exit status, which also completes the stderr copy.
			_ = p.stdin.Close()
			status := "its output ended"
			select {
			case <-p.done:
				status = "it exited (" + p.cmd.ProcessState.String() + ")"
			case <-time.After(closeGrace):
			}
			return nil, fmt.Errorf("row %d of %d: no prediction: %s", i, n, status)
		}
		v, perr := strconv.ParseFloat(strings.TrimSpace(line), 64)
		if perr != nil || !finite(v) {
			return nil, fmt.Errorf("row %d of %d: output line %q is not a finite number", i, n, truncate(strings.TrimRight(line, "\r\n"), 200))
		}
		out[i] = v
	}
	return out, nil
}

// Close ends the subprocess: it closes its standard input, waits up to
// five seconds for it to exit, then kills it. It returns an error with the
// tail of standard error if the subprocess exited with a failure status
// (not if it had to be killed). Close is idempotent; Predict after Close
// is an error.
func (c *Command) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	p := c.proc
	c.proc = nil
	if p == nil {
		return nil
	}
	_ = p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(closeGrace):
		p.stop()
		return nil
	}
	if p.err != nil {
		return fmt.Errorf("model: %s: %w%s", c, p.err, p.stderr.quote())
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// tailWriter keeps the last stderrLines lines written to it.
type tailWriter struct {
	mu      sync.Mutex
	lines   []string
	partial []byte
}

func (t *tailWriter) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, b...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		t.lines = append(t.lines, string(t.partial[:i]))
		t.partial = t.partial[i+1:]
		if len(t.lines) > stderrLines {
			t.lines = t.lines[len(t.lines)-stderrLines:]
		}
	}
	if len(t.partial) > 4096 {
		// A line without end: keep its tail only.
		t.partial = t.partial[len(t.partial)-4096:]
	}
	return len(b), nil
}

// quote returns "; stderr (last N lines):\n..." or "; stderr was empty".
func (t *tailWriter) quote() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if len(t.partial) > 0 {
		lines = append(lines[:len(lines):len(lines)], string(t.partial))
		lines = lines[max(0, len(lines)-stderrLines):]
	}
	if len(lines) == 0 {
		return "; stderr was empty"
	}
	return fmt.Sprintf("; stderr (last %d lines):\n%s", len(lines), strings.Join(lines, "\n"))
}
