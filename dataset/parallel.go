package dataset

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"
)

// Sizes of the parallel text decoder.
const (
	// defaultChunkBytes is the size from which a chunk is cut at the next
	// batch boundary.
	defaultChunkBytes = 4 << 20
	// chunkCap is how many times the chunk size a chunk may grow to before
	// it is cut inside a batch.
	chunkCap = 8
	// maxRead is the most bytes read from the file at once, which bounds
	// the bytes copied from one chunk buffer into the next, and the bytes
	// scanned at once by the producer.
	maxRead = 256 << 10
)

// parallelText decodes the data rows of a CSV or TSV file, from the first
// one on (the sampled rows again, from the bytes kept), with several
// goroutines. A producer goroutine reads the rest of the file (through the
// hashing reader, so the fingerprint is computed in the same read), cuts it
// into chunks at record boundaries, counting records so that chunks end at
// batch boundaries, and hands each chunk to a worker of an errgroup limited
// to GOMAXPROCS; workers tokenize their chunk and convert the projected
// columns into batches; the results channel, of bounded capacity, holds one
// result per chunk in file order, so next returns the batches in file order
// and the producer waits when it runs ahead.
type parallelText struct {
	*textSource
	delim      byte
	lazy       bool
	nullSet    nullSet
	chunkBytes int
	workers    int
	mem        memory.Allocator

	head []byte    // bytes already read, from the first data record on
	rest io.Reader // the rest of the file
	line int       // line number of head[0]

	bufs chan *[]byte // free chunk buffers

	started bool
	cancel  context.CancelFunc
	results chan *chunkResult // in file order
	stopped chan struct{}     // closed when the producer and its workers are done
	queue   []piece           // batches of the current result not returned yet
	qerr    error             // the error that follows queue
	partial []arrow.RecordBatch
	err     error
}

// chunk is a run of whole records handed to a worker.
type chunk struct {
	buf   *[]byte // pooled buffer data is in
	data  []byte
	eof   bool // data ends at the end of the file
	line  int  // line number of data[0]
	rows  int  // records counted by the producer
	first int  // rows that complete the batch open at the chunk's start
}

// chunkResult is a worker's output: the batches it built, then the error
// that stopped it, if any.
type chunkResult struct {
	done   chan struct{}
	pieces []piece
	err    error
}

// piece is a batch or, if not complete, the first rows of one that goes on
// in the next chunk.
type piece struct {
	rec      arrow.RecordBatch
	complete bool
}

// nullSet matches the null tokens without hashing: lens has bit n set if
// some token of length n < 64 exists. floats (ints) reports that some
// token is a number parseFloat64Bytes (parseInt64Bytes) accepts; if none
// is, as with DefaultNullValues, a float64 (int64) column need look for a
// null only in a value the fast parser rejects.
type nullSet struct {
	lens         uint64
	long         bool
	tokens       []string
	floats, ints bool
}

func newNullSet(tokens []string) nullSet {
	var s nullSet
	tab := pow10Table()
	for _, t := range tokens {
		if len(t) < 64 {
			s.lens |= 1 << len(t)
		} else {
			s.long = true
		}
		_, f := parseFloat64Bytes([]byte(t), tab)
		_, i := parseInt64Bytes([]byte(t))
		s.floats = s.floats || f
		s.ints = s.ints || i
	}
	s.tokens = tokens
	return s
}

func (s *nullSet) has(v []byte) bool {
	if len(v) < 64 {
		if s.lens&(1<<len(v)) == 0 {
			return false
		}
	} else if !s.long {
		return false
	}
	for _, t := range s.tokens {
		if string(v) == t {
			return true
		}
	}
	return false
}

// newParallelText returns the parallel decoder for the records that follow
// the sample; head holds the bytes of the file already read, from the first
// data record on, whose first byte is on line line.
func newParallelText(s *textSource, head []byte, rest io.Reader, line int, delim byte, lazy bool, opts Options) *parallelText {
	p := &parallelText{
		textSource: s,
		delim:      delim,
		lazy:       lazy,
		nullSet:    newNullSet(opts.NullValues),
		chunkBytes: opts.chunkBytes,
		workers:    runtime.GOMAXPROCS(0),
		mem:        opts.Allocator,
		bufs:       make(chan *[]byte, 2),
		head:       head,
		rest:       rest,
		line:       line,
	}
	if p.chunkBytes <= 0 {
		p.chunkBytes = defaultChunkBytes
	}
	return p
}

// getBuf returns an empty buffer of at least n bytes.
func (p *parallelText) getBuf(n int) *[]byte {
	select {
	case b := <-p.bufs:
		if cap(*b) >= n {
			*b = (*b)[:0]
			return b
		}
	default:
	}
	b := make([]byte, 0, max(n, 2*p.chunkBytes))
	return &b
}

// putBuf keeps b for getBuf, unless enough buffers are kept.
func (p *parallelText) putBuf(b *[]byte) {
	select {
	case p.bufs <- b:
	default:
	}
}

func (p *parallelText) next() (arrow.RecordBatch, error) {
	if p.err != nil {
		return nil, p.err
	}
	if !p.started {
		p.start()
	}
	for {
		for len(p.queue) > 0 {
			pc := p.queue[0]
			p.queue[0] = piece{}
			p.queue = p.queue[1:]
			if pc.complete && len(p.partial) == 0 {
				return pc.rec, nil
			}
			p.partial = append(p.partial, pc.rec)
			if pc.complete {
				return p.assemble()
			}
		}
		if p.qerr != nil {
			p.err = p.qerr
			return nil, p.err
		}
		res, ok := <-p.results
		if !ok {
			if len(p.partial) > 0 {
				return p.assemble()
			}
			return nil, io.EOF
		}
		<-res.done
		p.queue, p.qerr = res.pieces, res.err
	}
}

// assemble concatenates the pieces of a batch cut over several chunks.
func (p *parallelText) assemble() (arrow.RecordBatch, error) {
	parts := p.partial
	p.partial = nil
	if len(parts) == 1 {
		return parts[0], nil
	}
	defer func() {
		for _, r := range parts {
			r.Release()
		}
	}()
	var rows int64
	for _, r := range parts {
		rows += r.NumRows()
	}
	cols := make([]arrow.Array, len(p.idx))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	arrs := make([]arrow.Array, len(parts))
	for k := range cols {
		for i, r := range parts {
			arrs[i] = r.Column(k)
		}
		c, err := array.Concatenate(arrs, p.mem)
		if err != nil {
			p.err = fmt.Errorf("%s: %w", p.path, err)
			return nil, p.err
		}
		cols[k] = c
	}
	return array.NewRecordBatch(p.ps, cols, rows), nil
}

// start starts the producer.
func (p *parallelText) start() {
	p.started = true
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.results = make(chan *chunkResult, 2*p.workers)
	p.stopped = make(chan struct{})
	go func() {
		defer close(p.stopped)
		var g errgroup.Group
		g.SetLimit(p.workers)
		if err := p.produce(ctx, &g); err != nil && ctx.Err() == nil {
			res := &chunkResult{done: make(chan struct{}), err: err}
			close(res.done)
			select {
			case p.results <- res:
			case <-ctx.Done():
			}
		}
		close(p.results)
		g.Wait()
	}()
}

// produce reads the file, cuts it into chunks and starts a worker for each.
func (p *parallelText) produce(ctx context.Context, g *errgroup.Group) error {
	bp := p.getBuf(len(p.head))
	buf := append(*bp, p.head...)
	p.head = nil
	var (
		eof     bool
		end     = bytes.LastIndexByte(buf, '\n') + 1 // bytes in whole lines
		scan    int                                  // bytes of whole records counted
		rows    int                                  // records in buf[:scan]
		inBatch int                                  // rows of the open batch in buf[:scan] and before
		first   = p.batchSize                        // rows that complete the batch open at buf[0]
		line    = p.line
		tok     = tokenizer{delim: p.delim, lazy: p.lazy}
	)
	cut := func(final bool) error {
		c := &chunk{buf: bp, data: buf[:scan], eof: final, line: line, rows: rows, first: first}
		line += countByte(c.data, '\n')
		first, rows = p.batchSize-inBatch, 0
		nbp := p.getBuf(len(buf) - scan)
		*nbp = append(*nbp, buf[scan:]...)
		*bp = buf
		bp, buf = nbp, *nbp
		end -= scan
		scan = 0
		res := &chunkResult{done: make(chan struct{})}
		select {
		case p.results <- res:
		case <-ctx.Done():
			return ctx.Err()
		}
		g.Go(func() error {
			defer close(res.done)
			if ctx.Err() == nil {
				res.pieces, res.err = p.decode(c)
			}
			p.putBuf(c.buf)
			return nil
		})
		return nil
	}
	for {
		for scan < end {
			n, size, err := countRecords(&tok, buf[scan:end], p.batchSize-inBatch, eof)
			scan += size
			rows += n
			inBatch += n
			if err == errIncomplete {
				break
			}
			if err != nil {
				// A syntax error: the worker reports it. The records
				// after it are never read.
				scan = end
				return cut(eof)
			}
			if inBatch == p.batchSize {
				inBatch = 0
				if scan >= p.chunkBytes {
					if err := cut(eof && scan == len(buf)); err != nil {
						return err
					}
				}
			}
		}
		if eof {
			if scan > 0 {
				return cut(true)
			}
			return nil
		}
		if scan >= chunkCap*p.chunkBytes {
			if err := cut(false); err != nil {
				return err
			}
		}
		if cap(buf)-len(buf) < maxRead/16 {
			nb := make([]byte, len(buf), 2*cap(buf))
			copy(nb, buf)
			buf = nb
		}
		n, err := p.rest.Read(buf[len(buf):min(cap(buf), len(buf)+maxRead)])
		buf = buf[:len(buf)+n]
		if i := bytes.LastIndexByte(buf[len(buf)-n:], '\n'); i >= 0 {
			end = len(buf) - n + i + 1
		}
		if err == io.EOF {
			eof = true
			end = len(buf)
		} else if err != nil {
			return fmt.Errorf("%s: %w", p.path, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// column converts the text of one projected column: a float64 or int64
// column into num, any other through the Arrow builder b.
type column struct {
	b   array.Builder
	num *numColumn
	str *array.BinaryBuilder
	app appender
}

// numColumn builds a float64 or int64 array without an Arrow builder: each
// value is written in place as its 8 bytes, a null as zero (the value an
// Arrow builder leaves), and the validity bitmap is written a word of 64
// rows at a time, so the values need no zeroed memory and no bit is set
// one by one.
type numColumn struct {
	dt  arrow.DataType
	f64 bool
	mem memory.Allocator
	// nullsParse: a null token is a number the fast parser accepts.
	nullsParse bool
	vals       []byte // n values, from mem
	valid      []byte // the validity bitmap, a whole number of words, from mem
	n          int    // rows appended
	nulls      int
	word       uint64 // validity bits of the rows since the last whole word
}

// reset starts a piece of rows rows.
func (c *numColumn) reset(rows int) {
	words := (rows + 63) / 64
	if pa, ok := c.mem.(*PoolAllocator); ok {
		c.vals = pa.allocateUnzeroed(8 * rows)
		c.valid = pa.allocateUnzeroed(8 * words)
	} else {
		c.vals = c.mem.Allocate(8 * rows)
		c.valid = c.mem.Allocate(8 * words)
	}
	c.n, c.nulls, c.word = 0, 0, 0
}

// append appends the value whose bits are x.
func (c *numColumn) append(x uint64) {
	binary.LittleEndian.PutUint64(c.vals[8*c.n:], x)
	c.word |= 1 << (c.n & 63)
	c.n++
	if c.n&63 == 0 {
		binary.LittleEndian.PutUint64(c.valid[(c.n>>3)-8:], c.word)
		c.word = 0
	}
}

// appendNull appends a null.
func (c *numColumn) appendNull() {
	binary.LittleEndian.PutUint64(c.vals[8*c.n:], 0)
	c.nulls++
	c.n++
	if c.n&63 == 0 {
		binary.LittleEndian.PutUint64(c.valid[(c.n>>3)-8:], c.word)
		c.word = 0
	}
}

// appendText parses v, which the fast parsers did not accept, as an
// appender of an Arrow builder would, and appends it.
func (c *numColumn) appendText(v string) error {
	if c.f64 {
		x, ok := parseFloat(v, 64)
		if !ok {
			return notValid(v, c.dt)
		}
		c.append(math.Float64bits(x))
		return nil
	}
	x, ok := parseInt(v, 64)
	if !ok {
		return notValid(v, c.dt)
	}
	c.append(uint64(x))
	return nil
}

// newArray returns the array of the rows appended since reset, which
// owns the buffers.
func (c *numColumn) newArray() arrow.Array {
	if c.n&63 != 0 {
		binary.LittleEndian.PutUint64(c.valid[(c.n+63)/64*8-8:], c.word)
	}
	vals := memory.NewBufferWithAllocator(c.vals, c.mem)
	var valid *memory.Buffer
	if c.nulls > 0 {
		valid = memory.NewBufferWithAllocator(c.valid, c.mem)
	} else {
		c.mem.Free(c.valid)
	}
	data := array.NewData(c.dt, c.n, []*memory.Buffer{valid, vals}, nil, c.nulls, 0)
	vals.Release()
	if valid != nil {
		valid.Release()
	}
	a := array.MakeFromData(data)
	data.Release()
	c.vals, c.valid = nil, nil
	return a
}

// release frees the buffers of a piece not turned into an array.
func (c *numColumn) release() {
	if c.vals != nil {
		c.mem.Free(c.vals)
		c.mem.Free(c.valid)
		c.vals, c.valid = nil, nil
	}
}

// decode tokenizes a chunk and converts its projected columns into
// batches, returning those completed before an error.
func (p *parallelText) decode(c *chunk) (pieces []piece, err error) {
	cols := make([]column, len(p.idx))
	defer func() {
		for k := range cols {
			if cols[k].num != nil {
				cols[k].num.release()
			} else if cols[k].b != nil {
				cols[k].b.Release()
			}
		}
	}()
	for k := range cols {
		dt := p.ps.Field(k).Type
		if id := dt.ID(); id == arrow.FLOAT64 || id == arrow.INT64 {
			f64 := id == arrow.FLOAT64
			cols[k].num = &numColumn{dt: dt, f64: f64, mem: p.mem,
				nullsParse: f64 && p.nullSet.floats || !f64 && p.nullSet.ints}
			continue
		}
		fb := array.NewBuilder(p.mem, dt)
		cols[k].b, cols[k].app = fb, newAppender(fb)
		if sb, ok := fb.(*array.StringBuilder); ok {
			cols[k].str = sb.BinaryBuilder
		}
	}
	reserve := func(n int) {
		for k := range cols {
			if cols[k].num != nil {
				cols[k].num.reset(n)
			} else {
				cols[k].b.Reserve(n)
			}
		}
	}
	// newBatch makes a batch of the rows appended since reserve.
	newBatch := func(rows int) arrow.RecordBatch {
		arrs := make([]arrow.Array, len(cols))
		for k := range cols {
			if cols[k].num != nil {
				arrs[k] = cols[k].num.newArray()
			} else {
				arrs[k] = cols[k].b.NewArray()
			}
		}
		rec := array.NewRecordBatch(p.ps, arrs, int64(rows))
		for _, a := range arrs {
			a.Release()
		}
		return rec
	}
	tab := pow10Table()
	t := tokenizer{delim: p.delim, lazy: p.lazy}
	t.reset(c.data, c.eof, c.line)
	target, inPiece, total := c.first, 0, 0
	reserve(min(target, c.rows))
	for {
		ok, err := t.record()
		if err != nil {
			if se, isSyntax := err.(*syntaxError); isSyntax {
				return pieces, &ParseError{Path: p.path, Line: se.line, Err: fmt.Errorf("%w (at byte %d of the line)", se.err, se.col)}
			}
			return pieces, fmt.Errorf("%s: %w", p.path, err)
		}
		if !ok {
			break
		}
		if total == c.rows {
			return pieces, fmt.Errorf("%s: dataset: internal error: chunk at line %d has more than the %d records counted", p.path, c.line, c.rows)
		}
		if len(t.fields) != p.nfields {
			return pieces, p.raggedError(t.fields[0].line, len(t.fields))
		}
		for k, j := range p.idx {
			f := t.fields[j]
			v := t.value(f)
			col := &cols[k]
			if num := col.num; num != nil {
				// A null token the fast parser accepts is looked for
				// first; any other after the fast parser failed.
				switch {
				case num.nullsParse && p.nullSet.has(v):
					num.appendNull()
					continue
				case num.f64:
					if x, ok := parseFloat64Bytes(v, tab); ok {
						num.append(math.Float64bits(x))
						continue
					}
				default:
					if x, ok := parseInt64Bytes(v); ok {
						num.append(uint64(x))
						continue
					}
				}
				if !num.nullsParse && p.nullSet.has(v) {
					num.appendNull()
					continue
				}
				if err := num.appendText(bytesString(v)); err != nil {
					return pieces, &ParseError{Path: p.path, Line: f.line, Column: j + 1, Field: p.fs.Field(j).Name,
						Err: typeError(err, p.fs.Field(j), string(v), p.inferred[j], p.sampled)}
				}
				continue
			}
			if p.nullSet.has(v) {
				col.b.AppendNull()
				continue
			}
			if col.str != nil && utf8.Valid(v) {
				col.str.Append(v)
				continue
			}
			if err := col.app(bytesString(v)); err != nil {
				return pieces, &ParseError{Path: p.path, Line: f.line, Column: j + 1, Field: p.fs.Field(j).Name,
					Err: typeError(err, p.fs.Field(j), string(v), p.inferred[j], p.sampled)}
			}
		}
		total++
		inPiece++
		if inPiece == target {
			pieces = append(pieces, piece{rec: newBatch(inPiece), complete: true})
			inPiece, target = 0, p.batchSize
			reserve(min(target, c.rows-total))
		}
	}
	if total != c.rows {
		return pieces, fmt.Errorf("%s: dataset: internal error: chunk at line %d has %d records, %d counted", p.path, c.line, total, c.rows)
	}
	if inPiece > 0 {
		pieces = append(pieces, piece{rec: newBatch(inPiece)})
	}
	return pieces, nil
}

// release stops the producer and the workers and frees every batch not
// returned.
func (p *parallelText) release() {
	if p.started {
		p.cancel()
		for res := range p.results {
			<-res.done
			for _, pc := range res.pieces {
				pc.rec.Release()
			}
		}
		<-p.stopped
		p.started = false
	}
	for _, pc := range p.queue {
		if pc.rec != nil {
			pc.rec.Release()
		}
	}
	p.queue = nil
	for _, r := range p.partial {
		r.Release()
	}
	p.partial = nil
}
