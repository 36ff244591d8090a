package model

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// stderrLines is how many trailing lines of a subprocess's standard error
// an error from [Command] quotes.
const stderrLines = 20

// closeGrace is how long Close waits for the subprocess to exit after its
// standard input is closed, before killing it.
const closeGrace = 5 * time.Second

// DefaultCommandTimeout is the [Command.Timeout] used when it is zero.
const DefaultCommandTimeout = 30 * time.Second

// maxLine is the longest output line a [Command] keeps; the rest of a
// longer line is read and dropped (the line is then not a number).
const maxLine = 1 << 16

// Command is a [Regressor] (or, with [Command.Classify], a [Classifier])
// served by a subprocess that stays running
// across batches. For each Predict it writes one JSON object per row to the
// subprocess's standard input (JSON Lines: the Features columns, every
// column when Features is nil, nulls, NaN and ±Inf as null), then reads one
// prediction per row from its standard output: a line holding a finite
// number as strconv.ParseFloat reads it (surrounding white space ignored).
//
// The protocol: the subprocess must answer each row with one line, in
// order, flushing its standard output after each line (or at least after
// the last row it has read), and print nothing else on standard output.
// It must answer rows as they come: trustml sends a batch and waits for its
// answers without closing standard input. A subprocess that prints no
// expected line for Timeout (waiting for more input, buffering its output,
// writing only to standard error) is stopped, and the error says what was
// sent, what came back and quotes standard error's tail. A subprocess that
// prints more lines than rows is an error naming both counts: found on a
// later Predict, or by Close, which drains standard output after closing
// standard input.
//
// The subprocess starts on the first Predict. If it exits, prints a line
// that is not a finite number, times out, or ctx is cancelled during a
// Predict, it is stopped and the error quotes the last 20 lines of its
// standard error; the next Predict starts a fresh one. Predict calls are
// serialised. Errors about a row are [*RowError]s.
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
	// Timeout is the longest Predict waits for the next prediction line:
	// after sending a batch for its first line, then after each line for
	// the next. Zero means DefaultCommandTimeout.
	Timeout time.Duration

	mu     sync.Mutex
	proc   *process
	closed bool
}

// process is one running subprocess.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string // standard output's lines, closed at its end
	stderr *tailWriter
	done   chan struct{} // closed when cmd.Wait has returned
	err    error         // cmd.Wait's result, set before done closes

	sentRows, readLines int64 // over the process's life
	sentBytes           atomic.Int64
	readBytes           atomic.Int64
	partial             atomic.Int64 // bytes of output read without a line end yet
	lastLine            string       // the last line read, for messages
	firstRow            string       // the first row of the current batch
}

// String names the command, e.g. `command ["python3" "predict.py"]`.
func (c *Command) String() string { return fmt.Sprintf("command %q", c.Argv) }

func (c *Command) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultCommandTimeout
}

func (c *Command) start() (*process, error) {
	if len(c.Argv) == 0 {
		return nil, errors.New("model: command: argv is empty")
	}
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Dir = c.Dir
	// Descendants holding stderr open must not block Wait forever.
	cmd.WaitDelay = time.Second
	p := &process{cmd: cmd, stderr: &tailWriter{}, done: make(chan struct{}), lines: make(chan string, 64)}
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
	p.stdin = stdin
	go p.readOutput(stdout)
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// readOutput sends standard output's lines, without their ends, to p.lines
// until the output ends; a last line without an end counts.
func (p *process) readOutput(r io.Reader) {
	defer close(p.lines)
	br := bufio.NewReaderSize(r, 4096)
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		p.readBytes.Add(int64(len(chunk)))
		p.partial.Add(int64(len(chunk)))
		if len(line) < maxLine {
			line = append(line, chunk[:min(len(chunk), maxLine-len(line))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(line) > 0 && (err == nil || err == io.EOF) {
			p.partial.Store(0)
			p.lines <- strings.TrimRight(string(line), "\r\n")
		}
		if err != nil {
			return
		}
		line = line[:0]
	}
}

// stop kills the subprocess and waits for it to exit.
func (p *process) stop() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// Predict implements [Regressor]; see [Command]. The batch is only read,
// and not retained after Predict returns.
func (c *Command) Predict(ctx context.Context, batch arrow.RecordBatch) ([]float64, error) {
	out := make([]float64, batch.NumRows())
	err := c.each(ctx, batch, func(i int, line string) error {
		v, err := strconv.ParseFloat(strings.TrimSpace(line), 64)
		if err != nil || !finite(v) {
			return fmt.Errorf("output line %q is not a finite number", truncate(line, 200))
		}
		out[i] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Classify implements [Classifier] with the protocol of [Command]: each
// output line holds a JSON value, a label (a string, an integer or a
// boolean) or a list of probabilities, one per class in the order of the
// model section's classes; every line must have the same form.
func (c *Command) Classify(ctx context.Context, batch arrow.RecordBatch) (ClassOutput, error) {
	vals := make([]any, batch.NumRows())
	err := c.each(ctx, batch, func(i int, line string) error {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&vals[i]); err != nil || dec.More() {
			return fmt.Errorf("output line %q is not one JSON value (a label or a list of probabilities)", truncate(line, 200))
		}
		return nil
	})
	if err != nil {
		return ClassOutput{}, err
	}
	o, i, err := classOutputOf(vals)
	if err != nil {
		return ClassOutput{}, rowErrorf(c.String(), i, len(vals), "%w", err)
	}
	return o, nil
}

// each sends the batch as Predict documents and calls conv with each
// row's output line; an error from conv fails the row.
func (c *Command) each(ctx context.Context, batch arrow.RecordBatch, conv func(i int, line string) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	enc, err := newRowEncoder(batch, c.Features)
	if err != nil {
		return fmt.Errorf("model: %s: %w", c, err)
	}
	n := int(batch.NumRows())
	var input []byte
	var firstRow string
	for i := range n {
		if input, err = enc.appendRow(input, i); err != nil {
			return rowErrorf(c.String(), i, n, "%w", err)
		}
		if i == 0 {
			firstRow = string(input)
		}
		input = append(input, '\n')
	}
	if n == 0 {
		return nil
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return fmt.Errorf("model: %s: closed", c)
	}
	if c.proc == nil {
		if c.proc, err = c.start(); err != nil {
			return err
		}
	}
	p := c.proc
	// Lines that came before these rows were sent answer no row.
	if extra := p.drainPending(); extra > 0 {
		c.proc = nil
		p.stop()
		return fmt.Errorf("model: %s: %w%s", c, p.extraLines(extra), p.stderr.quote())
	}
	stopWatch := context.AfterFunc(ctx, func() { _ = p.cmd.Process.Kill() })
	defer stopWatch()

	p.firstRow = firstRow
	sentBefore := p.sentBytes.Load()
	written := make(chan error, 1)
	go func() {
		_, err := countingWriter{p.stdin, &p.sentBytes}.Write(input)
		written <- err
	}()
	rerr := c.read(p, n, sentBefore, int64(len(input)), conv)
	if rerr != nil {
		// The process state is unknown: end it, so that the next Predict
		// starts afresh, and quote its last words.
		p.stop()
		<-written
		c.proc = nil
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rerr.Err = fmt.Errorf("%w%s", rerr.Err, p.stderr.quote())
		return rerr
	}
	if err := <-written; err != nil {
		p.stop()
		c.proc = nil
		return fmt.Errorf("model: %s: writing rows: %w%s", c, err, p.stderr.quote())
	}
	p.sentRows += int64(n)
	if extra := p.drainPending(); extra > 0 {
		c.proc = nil
		p.stop()
		return fmt.Errorf("model: %s: %w%s", c, p.extraLines(extra), p.stderr.quote())
	}
	return nil
}

// drainPending reads the lines already waiting, which answer no row sent,
// and returns their count.
func (p *process) drainPending() int {
	extra := 0
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				return extra
			}
			p.lastLine = l
			p.readLines++
			extra++
		default:
			return extra
		}
	}
}

// extraLines describes output lines beyond the rows sent.
func (p *process) extraLines(extra int) error {
	return fmt.Errorf("printed %d output lines for %d rows sent (%d extra, the last %q): every row must get exactly one line; "+
		"print logs and messages to standard error", p.readLines, p.sentRows, extra, truncate(p.lastLine, 200))
}

// read reads n predictions from the subprocess, each within the timeout.
// sentBefore is the byte count sent before this batch, size the batch's.
func (c *Command) read(p *process, n int, sentBefore, size int64, conv func(i int, line string) error) *RowError {
	timeout := c.timeout()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for i := range n {
		var line string
		var ok bool
		select {
		case line, ok = <-p.lines:
		case <-timer.C:
			return rowErrorf(c.String(), i, n, "no prediction within %s (the timeout): %s", timeout, p.progress(i, n, sentBefore, size))
		}
		if !ok {
			// Collect the exit status, which also completes the stderr copy.
			_ = p.stdin.Close()
			status := "its output ended"
			select {
			case <-p.done:
				status = "it exited (" + p.cmd.ProcessState.String() + ")"
			case <-time.After(closeGrace):
			}
			return rowErrorf(c.String(), i, n, "no prediction: %s", status)
		}
		p.readLines++
		p.lastLine = line
		if err := conv(i, line); err != nil {
			return rowErrorf(c.String(), i, n, "%w", err)
		}
		// Since Go 1.23, Reset discards a pending expiry: no drain needed.
		timer.Reset(timeout)
	}
	return nil
}

// progress says what was sent and what came back, for a timeout.
func (p *process) progress(got, n int, sentBefore, size int64) string {
	sent := p.sentBytes.Load() - sentBefore
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d of %d bytes of the batch's %d rows (the first: %s), ", sent, size, n, truncate(p.firstRow, 200))
	if got == 0 {
		fmt.Fprintf(&b, "got no line back")
	} else {
		fmt.Fprintf(&b, "got %d lines back (the last: %q)", got, truncate(p.lastLine, 200))
	}
	// Bytes read but not yet a line: output without a line end.
	if pending := p.partial.Load(); pending > 0 {
		fmt.Fprintf(&b, " and %d bytes without a line end", pending)
	}
	b.WriteString("; a command must answer each row with one line and flush its standard output (Python: print(y, flush=True))")
	if sent < size {
		b.WriteString("; it stopped reading its input")
	}
	return b.String()
}

// Close ends the subprocess: it closes its standard input, reads what is
// left of its standard output, waits up to five seconds for it to exit,
// then kills it. It returns an error with the tail of standard error if the
// subprocess printed more lines than it was sent rows, or exited with a
// failure status (not if it had to be killed). Close is idempotent;
// Predict after Close is an error.
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
	grace := time.NewTimer(closeGrace)
	defer grace.Stop()
	extra := 0
drain:
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				break drain
			}
			p.lastLine = l
			p.readLines++
			extra++
		case <-grace.C:
			p.stop()
			break drain
		}
	}
	if extra > 0 {
		p.stop()
		return fmt.Errorf("model: %s: %w%s", c, p.extraLines(extra), p.stderr.quote())
	}
	select {
	case <-p.done:
	case <-grace.C:
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
