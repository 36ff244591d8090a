package dataset

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rebatcher cuts the batches of an underlying reader into slices of at most
// batchSize rows and projects their columns, without copying.
type rebatcher struct {
	fs, ps    *arrow.Schema
	idx       []int
	batchSize int64
	// pull returns the next batch, owned by the caller, or io.EOF.
	pull    func() (arrow.RecordBatch, error)
	cur     arrow.RecordBatch
	off     int64
	cleanup func()
}

func (s *rebatcher) fileSchema() *arrow.Schema { return s.fs }
func (s *rebatcher) schema() *arrow.Schema     { return s.ps }

func (s *rebatcher) next() (arrow.RecordBatch, error) {
	for s.cur == nil || s.off >= s.cur.NumRows() {
		if s.cur != nil {
			s.cur.Release()
			s.cur = nil
		}
		rec, err := s.pull()
		if err != nil {
			return nil, err
		}
		s.cur, s.off = rec, 0
	}
	end := min(s.off+s.batchSize, s.cur.NumRows())
	cols := make([]arrow.Array, len(s.idx))
	for i, j := range s.idx {
		cols[i] = array.NewSlice(s.cur.Column(j), s.off, end)
	}
	out := array.NewRecordBatch(s.ps, cols, end-s.off)
	for _, c := range cols {
		c.Release()
	}
	s.off = end
	return out, nil
}

func (s *rebatcher) release() {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	if s.cleanup != nil {
		s.cleanup()
		s.cleanup = nil
	}
}

func newIPCStreamSource(r io.Reader, path string, opts Options) (source, error) {
	// NewReader would not pass the size limits to its message reader.
	o := ipcOptions(opts)
	rdr, err := ipc.NewReaderFromMessageReader(newIPCMessageReader(r, opts), o...)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Arrow IPC stream: %w", path, err)
	}
	if err := duplicateColumns(path, "Arrow IPC", rdr.Schema()); err != nil {
		rdr.Release()
		return nil, err
	}
	idx, ps, err := projection(path, rdr.Schema(), opts.Columns)
	if err != nil {
		rdr.Release()
		return nil, err
	}
	i := 0
	return &rebatcher{
		fs: rdr.Schema(), ps: ps, idx: idx, batchSize: int64(opts.BatchSize),
		pull: func() (rec arrow.RecordBatch, err error) {
			defer recoverBatch(&rec, &err, path, "Arrow IPC stream", i)
			if !rdr.Next() {
				if err := rdr.Err(); err != nil {
					return nil, fmt.Errorf("%s: reading Arrow IPC stream batch %d: %w", path, i, err)
				}
				return nil, io.EOF
			}
			rec = rdr.RecordBatch()
			if err := validateBatch(rec); err != nil {
				return nil, fmt.Errorf("%s: Arrow IPC stream batch %d: %w", path, i, err)
			}
			i++
			rec.Retain()
			return rec, nil
		},
		cleanup: rdr.Release,
	}, nil
}

func newIPCFileSource(f *os.File, path string, opts Options) (src source, err error) {
	defer func() {
		if p := recover(); p != nil {
			src, err = nil, fmt.Errorf("%s: not a valid Arrow IPC file: %v", path, p)
		}
	}()
	// arrow-go trusts the footer and the messages' metadata: they are
	// checked first, against the bytes the file has.
	footer, err := readIPCFooter(f, opts.fileSize)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Arrow IPC file: %w", path, err)
	}
	for k, blk := range footer.dicts {
		if err := checkIPCFileBlock(f, blk, fmt.Sprintf("Arrow IPC dictionary %d", k)); err != nil {
			return nil, fmt.Errorf("%s: not a valid Arrow IPC file: %w", path, err)
		}
	}
	rdr, err := ipc.NewFileReader(f, ipcOptions(opts)...)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid Arrow IPC file: %w", path, err)
	}
	if rdr.NumRecords() != len(footer.batches) {
		rdr.Close()
		return nil, fmt.Errorf("%s: not a valid Arrow IPC file: the footer lists %d batches, arrow-go read %d", path, len(footer.batches), rdr.NumRecords())
	}
	if err := duplicateColumns(path, "Arrow IPC", rdr.Schema()); err != nil {
		rdr.Close()
		return nil, err
	}
	idx, ps, err := projection(path, rdr.Schema(), opts.Columns)
	if err != nil {
		rdr.Close()
		return nil, err
	}
	i := 0
	return &rebatcher{
		fs: rdr.Schema(), ps: ps, idx: idx, batchSize: int64(opts.BatchSize),
		pull: func() (rec arrow.RecordBatch, err error) {
			defer recoverBatch(&rec, &err, path, "Arrow IPC file", i)
			if i >= rdr.NumRecords() {
				return nil, io.EOF
			}
			if err := checkIPCFileBlock(f, footer.batches[i], fmt.Sprintf("Arrow IPC batch %d", i)); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			rec, err = rdr.RecordBatchAt(i)
			if err != nil {
				return nil, fmt.Errorf("%s: reading Arrow IPC file batch %d: %w", path, i, err)
			}
			if err := validateBatch(rec); err != nil {
				rec.Release()
				return nil, fmt.Errorf("%s: Arrow IPC file batch %d: %w", path, i, err)
			}
			i++
			return rec, nil
		},
		cleanup: func() { rdr.Close() },
	}, nil
}

// recoverBatch, deferred by a reader of batch i, turns a panic of arrow-go's
// IPC decoder on a corrupt message into an error naming the batch.
func recoverBatch(rec *arrow.RecordBatch, err *error, path, format string, i int) {
	if p := recover(); p != nil {
		*rec, *err = nil, fmt.Errorf("%s: %s batch %d: cannot decode: %v", path, format, i, p)
	}
}

// ipcMagic ends an Arrow IPC file, after the footer and its length.
const ipcMagic = "ARROW1"

// readIPCFooter reads and checks the footer of the IPC file f of size
// bytes, before arrow-go decodes it.
func readIPCFooter(f io.ReaderAt, size int64) (*ipcFooter, error) {
	const tail = 4 + int64(len(ipcMagic))
	// The file begins with the magic padded to 8 bytes and ends with the
	// footer, its length and the magic.
	if size < 8+tail+8 {
		return nil, &ipcMetaError{what: "Arrow IPC file", at: -1, msg: fmt.Sprintf("%d bytes are too few for a file", size)}
	}
	var end [tail]byte
	if _, err := f.ReadAt(end[:], size-tail); err != nil {
		return nil, err
	}
	if string(end[4:]) != ipcMagic {
		return nil, &ipcMetaError{what: "Arrow IPC file", at: size - 6, msg: "the file does not end with ARROW1 (truncated?)"}
	}
	n := int64(binary.LittleEndian.Uint32(end[:4]))
	if n < 8 || n > size-tail-8 || n > ipcMaxMetadata {
		return nil, &ipcMetaError{what: "Arrow IPC footer", at: size - tail, msg: fmt.Sprintf("footer length %d does not fit the %d-byte file", n, size)}
	}
	b := make([]byte, n)
	start := size - tail - n
	if _, err := f.ReadAt(b, start); err != nil {
		return nil, err
	}
	return checkIPCFooter(b, start, size)
}

// checkIPCFileBlock reads the metadata of the message blk of an IPC file
// and checks it before arrow-go decodes it.
func checkIPCFileBlock(f io.ReaderAt, blk ipcBlock, what string) error {
	_, _, err := readIPCFileBlock(f, blk, what)
	return err
}

// readIPCFileBlock is checkIPCFileBlock, and also returns the checked
// Message flatbuffer (a copy, without its length prefix) and what it says.
func readIPCFileBlock(f io.ReaderAt, blk ipcBlock, what string) ([]byte, *ipcMessage, error) {
	if blk.meta > ipcMaxMetadata {
		return nil, nil, &ipcMetaError{what: what, at: blk.offset, msg: fmt.Sprintf("metadata of %d bytes exceeds the cap of %d", blk.meta, ipcMaxMetadata)}
	}
	b := make([]byte, blk.meta)
	if _, err := f.ReadAt(b, blk.offset); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	msg, prefix, err := checkIPCBlockPrefixed(b, blk, what)
	if err != nil {
		return nil, nil, err
	}
	body := blk.offset + int64(blk.meta)
	read := func(off, n int64) ([]byte, error) {
		b := make([]byte, n)
		if _, err := f.ReadAt(b, body+off); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return b, nil
	}
	if err := checkIPCCompressed(msg, read, body, what); err != nil {
		return nil, nil, err
	}
	return b[prefix:], msg, nil
}

// ipcMessageReader reads the messages of an IPC stream as arrow-go's
// message reader does, but checks each message's metadata before arrow-go
// decodes it, and grows its buffers with the bytes that arrive rather than
// allocating what a length claims: a corrupt length in a pipe costs no
// more memory than the bytes actually sent.
type ipcMessageReader struct {
	r     io.Reader
	mem   memory.Allocator
	limit int64 // the size of a regular file; 0 for a pipe
	pos   int64 // bytes read so far
	n     int   // messages read so far
	msg   *ipc.Message
	refs  atomic.Int64
}

func newIPCMessageReader(r io.Reader, opts Options) *ipcMessageReader {
	m := &ipcMessageReader{r: r, mem: opts.Allocator, limit: opts.fileSize}
	if m.mem == nil {
		m.mem = memory.DefaultAllocator
	}
	m.refs.Store(1)
	return m
}

// Retain adds a reference.
func (m *ipcMessageReader) Retain() { m.refs.Add(1) }

// Release drops a reference, and the current message with the last one.
func (m *ipcMessageReader) Release() {
	if m.refs.Add(-1) == 0 && m.msg != nil {
		m.msg.Release()
		m.msg = nil
	}
}

// Message returns the next message, valid until the next call, or io.EOF
// at the end-of-stream marker or the end of the input.
func (m *ipcMessageReader) Message() (*ipc.Message, error) {
	if m.msg != nil {
		m.msg.Release()
		m.msg = nil
	}
	what := fmt.Sprintf("Arrow IPC stream message %d", m.n)
	start := m.pos
	var word [4]byte
	if err := m.read(word[:]); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%s at byte %d: %w", what, start, err)
	}
	n := binary.LittleEndian.Uint32(word[:])
	switch n {
	case 0:
		return nil, io.EOF
	case math.MaxUint32:
		if err := m.read(word[:]); err != nil {
			return nil, fmt.Errorf("%s at byte %d: reading its length: %w", what, start, noEOF(err))
		}
		if n = binary.LittleEndian.Uint32(word[:]); n == 0 {
			return nil, io.EOF
		}
	}
	// Otherwise n is the length of a message written before Arrow 0.15,
	// without the continuation marker.
	if n < 8 || n > ipcMaxMetadata || (m.limit > 0 && int64(n) > m.limit-m.pos) {
		return nil, &ipcMetaError{what: what, at: start, msg: fmt.Sprintf("metadata length %d is out of range", n)}
	}
	metaAt := m.pos
	meta, err := m.grow(int64(n))
	if err != nil {
		return nil, fmt.Errorf("%s at byte %d: reading its metadata: %w", what, start, err)
	}
	msg, err := checkIPCMessage(meta, metaAt, what)
	if err != nil {
		return nil, err
	}
	bodyLen := msg.bodyLen
	if m.limit > 0 && bodyLen > m.limit-m.pos {
		return nil, &ipcMetaError{what: what, at: start, msg: fmt.Sprintf("body length %d exceeds the %d bytes left in the file", bodyLen, m.limit-m.pos)}
	}
	bodyAt := m.pos
	body, err := m.body(bodyLen)
	if err != nil {
		return nil, fmt.Errorf("%s at byte %d: reading its %d-byte body: %w", what, start, bodyLen, err)
	}
	read := func(off, n int64) ([]byte, error) { return body.Bytes()[off : off+n], nil }
	if err := checkIPCCompressed(msg, read, bodyAt, what); err != nil {
		body.Release()
		return nil, err
	}
	mb := memory.NewBufferBytes(meta)
	m.msg = ipc.NewMessage(mb, body)
	mb.Release()
	body.Release()
	m.n++
	return m.msg, nil
}

func (m *ipcMessageReader) read(b []byte) error {
	k, err := io.ReadFull(m.r, b)
	m.pos += int64(k)
	return err
}

// noEOF turns an end of input inside a message into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ipcReadChunk is the most allocated ahead of the bytes read.
const ipcReadChunk = 1 << 20

// grow reads n bytes into a slice that grows as they arrive.
func (m *ipcMessageReader) grow(n int64) ([]byte, error) {
	b := make([]byte, 0, min(n, ipcReadChunk))
	for int64(len(b)) < n {
		if len(b) == cap(b) {
			b = append(b, make([]byte, min(n-int64(len(b)), int64(len(b))))...)[:len(b)]
		}
		k, err := io.ReadFull(m.r, b[len(b):cap(b)])
		m.pos += int64(k)
		b = b[:len(b)+k]
		if err != nil {
			return nil, noEOF(err)
		}
	}
	return b, nil
}

// body reads n bytes into a buffer of the allocator that grows as they
// arrive.
func (m *ipcMessageReader) body(n int64) (*memory.Buffer, error) {
	buf := memory.NewResizableBuffer(m.mem)
	have := int64(0)
	for have < n {
		next := min(n, max(2*have, ipcReadChunk))
		buf.Resize(int(next))
		k, err := io.ReadFull(m.r, buf.Bytes()[have:next])
		m.pos += int64(k)
		have += int64(k)
		if err != nil {
			buf.Release()
			return nil, noEOF(err)
		}
	}
	buf.Resize(int(n))
	return buf, nil
}

// ipcOptions are the IPC reader's options: a message read from a regular
// file is no larger than the file, so that a corrupt length allocates
// nothing larger.
func ipcOptions(opts Options) []ipc.Option {
	o := []ipc.Option{ipc.WithAllocator(opts.Allocator)}
	if opts.fileSize > 0 {
		o = append(o, ipc.WithMetadataSizeLimit(min(opts.fileSize, 64<<20)), ipc.WithBodySizeLimit(opts.fileSize))
	}
	return o
}
