package dataset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/endian"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// An Arrow IPC file is read without copying its buffers: the file is
// memory-mapped (privately: nothing written to the mapping would reach the
// file, and nothing here writes to it), and the arrays of each batch point
// into the mapping. The checks of ipcmeta.go run on every message before
// arrow-go decodes it, and each batch is validated (validateBatch) before
// a kernel reads it, as on the copying path. Compressed buffers are
// decompressed into Options.Allocator. Where a file cannot be mapped (a
// pipe, a stream, a system without mmap, a failing mmap, a file whose byte
// order arrow-go would swap in place), the copying reader of ipc.go reads
// it.
//
// The mapping is reference-counted: the source holds one reference, and
// each message body one, which arrow-go's arrays keep (memory.SliceBuffer
// retains its parent) until the last array over the body is released; the
// body's pages then leave the resident set. The file is unmapped when the
// last reference goes, so a batch retained past Close stays readable, and
// nothing reads the mapping after it is unmapped as long as batches are
// released only when no longer used, the contract of Arrow's reference
// counting (strings included: array.String's values are views of its
// bytes). A file truncated by another process while mapped ends the
// process with SIGBUS when a lost page is touched: the copying reader would
// report a short read instead.

// liveMappings counts the mappings not yet unmapped, for tests.
var liveMappings atomic.Int64

// fileMapping is a private memory map of a whole file, unmapped when the
// last reference is released.
type fileMapping struct {
	data []byte
	refs atomic.Int64
}

// mapFile maps the regular file f of size bytes with one reference.
func mapFile(f *os.File, size int64) (*fileMapping, error) {
	if size <= 0 || size > math.MaxInt {
		return nil, fmt.Errorf("cannot map %d bytes", size)
	}
	b, err := mmapFile(f, int(size))
	if err != nil {
		return nil, err
	}
	m := &fileMapping{data: b}
	m.refs.Store(1)
	liveMappings.Add(1)
	return m, nil
}

func (m *fileMapping) retain() { m.refs.Add(1) }

// release drops a reference, and unmaps the file with the last one.
func (m *fileMapping) release() {
	switch n := m.refs.Add(-1); {
	case n == 0:
		// Unmapping a range this package mapped fails only on a bad
		// address, which would be a bug here: there is nothing to report
		// it to, the memory being gone either way.
		_ = munmapFile(m.data)
		m.data = nil
		liveMappings.Add(-1)
	case n < 0:
		panic("dataset: file mapping released too often")
	}
}

// body returns a buffer over n bytes of the mapping at off that holds a
// reference to the mapping until the buffer is freed, or, should its
// references be lost without a Release (arrow-go leaks some when it panics
// on a corrupt batch), until the garbage collector finds the buffer
// unreachable: no array can read the mapping through it then.
func (m *fileMapping) body(off, n int64) *memory.Buffer {
	m.retain()
	a := &mappedBody{m: m, off: off, n: n}
	b := memory.NewBufferWithAllocator(m.data[off:off+n:off+n], a)
	runtime.AddCleanup(b, func(a *mappedBody) { a.Free(nil) }, a)
	return b
}

// drop takes the whole pages within n bytes at off out of the process's
// resident set (see dropPages): a file read once need not stay in the
// process's memory, only in the page cache.
func (m *fileMapping) drop(off, n int64) {
	lo := (off + pageSize - 1) / pageSize * pageSize
	hi := (off + n) / pageSize * pageSize
	if hi > lo {
		dropPages(m.data[lo:hi])
	}
}

// mappedBody is the allocator of one buffer over a mapping: Arrow calls
// its Free when the buffer's last reference is released, which drops the
// buffer's pages from the resident set and releases its reference to the
// mapping. Such a buffer is never grown (the IPC reader does not resize
// the buffers it reads); if it were, the bytes would move to the Go heap
// and the mapping would be released then.
type mappedBody struct {
	m      *fileMapping
	off, n int64
	done   atomic.Bool
}

// Allocate returns Go memory.
func (a *mappedBody) Allocate(size int) []byte { return memory.DefaultAllocator.Allocate(size) }

// Reallocate copies b into Go memory of size bytes and frees b.
func (a *mappedBody) Reallocate(size int, b []byte) []byte {
	nb := memory.DefaultAllocator.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

// Free releases the buffer's reference to the mapping, once.
func (a *mappedBody) Free([]byte) {
	if a.done.CompareAndSwap(false, true) {
		a.m.drop(a.off, a.n)
		a.m.release()
	}
}

// mappedBlock is a message of a mapped IPC file: where it lies, the
// message type it must hold, and its name in errors.
type mappedBlock struct {
	ipcBlock
	typ  uint8
	what string
}

// mappedMessageReader is an ipc.MessageReader over the messages of a
// mapped IPC file, in the order the footer lists them after the schema:
// the dictionaries, then the batches. Each message's metadata is copied to
// the Go heap once checked; its body is a buffer over the mapping.
type mappedMessageReader struct {
	m      *fileMapping
	blocks []mappedBlock
	next   int
	msg    *ipc.Message
	refs   atomic.Int64
}

// Retain adds a reference.
func (r *mappedMessageReader) Retain() { r.refs.Add(1) }

// Release drops a reference, and the current message with the last one.
func (r *mappedMessageReader) Release() {
	if r.refs.Add(-1) == 0 && r.msg != nil {
		r.msg.Release()
		r.msg = nil
	}
}

// Message returns the next message, valid until the next call, or io.EOF
// after the last batch.
func (r *mappedMessageReader) Message() (*ipc.Message, error) {
	if r.msg != nil {
		r.msg.Release()
		r.msg = nil
	}
	if r.next == len(r.blocks) {
		return nil, io.EOF
	}
	blk := r.blocks[r.next]
	// arrow-go's file reader refuses misaligned blocks.
	if blk.offset%8 != 0 || blk.meta%8 != 0 || blk.body%8 != 0 {
		return nil, &ipcMetaError{what: blk.what, at: blk.offset, msg: fmt.Sprintf("block (offset %d, metadata %d bytes, body %d bytes) is not aligned to 8 bytes", blk.offset, blk.meta, blk.body)}
	}
	meta, msg, err := readIPCFileBlock(bytes.NewReader(r.m.data), blk.ipcBlock, blk.what)
	if err != nil {
		return nil, err
	}
	if msg.typ != blk.typ {
		return nil, &ipcMetaError{what: blk.what, at: blk.offset, msg: fmt.Sprintf("message type %d where the footer lists a message of type %d", msg.typ, blk.typ)}
	}
	mb := memory.NewBufferBytes(meta)
	body := r.m.body(blk.offset+int64(blk.meta), blk.body)
	r.msg = ipc.NewMessage(mb, body)
	body.Release()
	r.next++
	return r.msg, nil
}

// ipcSchemaBlock finds the schema message with which the stream inside an
// IPC file begins, after the 8 bytes of magic and padding, and that must
// end before the footer at end. It returns errForeignEndian for a schema
// whose byte order is not the machine's.
func ipcSchemaBlock(data []byte, end int64) (ipcBlock, error) {
	const at = 8
	what := "Arrow IPC schema message"
	if end < at+8 {
		return ipcBlock{}, &ipcMetaError{what: what, at: at, msg: "no room for the schema before the footer"}
	}
	prefix := int64(4)
	if binary.LittleEndian.Uint32(data[at:]) == math.MaxUint32 {
		prefix = 8
	}
	n := int64(binary.LittleEndian.Uint32(data[at+prefix-4:]))
	if n < 8 || n > ipcMaxMetadata || n > end-at-prefix {
		return ipcBlock{}, &ipcMetaError{what: what, at: at, msg: fmt.Sprintf("metadata length %d does not fit before the footer at byte %d", n, end)}
	}
	msg, err := checkIPCMessage(data[at+prefix:at+prefix+n], at+prefix, what)
	if err != nil {
		return ipcBlock{}, err
	}
	if msg.typ != fbMessageSchema {
		return ipcBlock{}, &ipcMetaError{what: what, at: at, msg: fmt.Sprintf("the file's stream begins with a message of type %d, not a schema", msg.typ)}
	}
	if msg.bodyLen != 0 {
		return ipcBlock{}, &ipcMetaError{what: what, at: at, msg: fmt.Sprintf("a schema message with a %d-byte body", msg.bodyLen)}
	}
	if msg.bigEndian != endian.IsBigEndian {
		return ipcBlock{}, errForeignEndian
	}
	return ipcBlock{offset: at, meta: int32(prefix + n)}, nil
}

// errForeignEndian: arrow-go swaps the bytes of a file whose byte order is
// not the machine's in place, which the mapped reader does not allow (see
// dropPages); the copying reader reads such a file.
var errForeignEndian = errors.New("the file's byte order is not the machine's")

// newIPCMappedSource reads the IPC file mapped by m (see above), taking a
// reference to m for as long as the source lives. It returns
// errForeignEndian for a file the copying reader must read.
func newIPCMappedSource(m *fileMapping, path string, opts Options) (src source, err error) {
	defer func() {
		if p := recover(); p != nil {
			src, err = nil, fmt.Errorf("%s: not a valid Arrow IPC file: %v", path, p)
		}
	}()
	data := m.data
	size := int64(len(data))
	invalid := func(err error) error { return fmt.Errorf("%s: not a valid Arrow IPC file: %w", path, err) }
	footer, err := readIPCFooter(bytes.NewReader(data), size)
	if err != nil {
		return nil, invalid(err)
	}
	blocks := make([]mappedBlock, 0, 1+len(footer.dicts)+len(footer.batches))
	schemaBlk, err := ipcSchemaBlock(data, footer.start)
	if err == errForeignEndian {
		return nil, err
	}
	if err != nil {
		return nil, invalid(err)
	}
	blocks = append(blocks, mappedBlock{schemaBlk, fbMessageSchema, "Arrow IPC schema message"})
	for k, blk := range footer.dicts {
		what := fmt.Sprintf("Arrow IPC dictionary %d", k)
		if err := checkIPCFileBlock(bytes.NewReader(data), blk, what); err != nil {
			return nil, invalid(err)
		}
		blocks = append(blocks, mappedBlock{blk, fbMessageDictionaryBatch, what})
	}
	for i, blk := range footer.batches {
		blocks = append(blocks, mappedBlock{blk, fbMessageRecordBatch, fmt.Sprintf("Arrow IPC batch %d", i)})
	}
	// arrow-go's file reader decodes the footer's schema and reads the
	// dictionaries (copies of them: they are small), refusing a dictionary
	// replaced within the file; the batches then come from the mapping.
	fr, err := ipc.NewFileReader(bytes.NewReader(data), ipcOptions(opts)...)
	if err != nil {
		return nil, invalid(err)
	}
	schema, n := fr.Schema(), fr.NumRecords()
	fr.Close()
	if n != len(footer.batches) {
		return nil, invalid(fmt.Errorf("the footer lists %d batches, arrow-go read %d", len(footer.batches), n))
	}
	if err := duplicateColumns(path, "Arrow IPC", schema); err != nil {
		return nil, err
	}
	idx, ps, err := projection(path, schema, opts.Columns)
	if err != nil {
		return nil, err
	}
	mr := &mappedMessageReader{m: m, blocks: blocks}
	mr.refs.Store(1)
	rdr, err := ipc.NewReaderFromMessageReader(mr, ipc.WithAllocator(opts.Allocator))
	if err != nil {
		return nil, invalid(err)
	}
	if !rdr.Schema().Equal(schema) {
		rdr.Release()
		return nil, invalid(fmt.Errorf("the schema at the start of the file (%s) is not the footer's (%s)", schemaString(rdr.Schema()), schemaString(schema)))
	}
	m.retain()
	i := 0
	return &rebatcher{
		fs: schema, ps: ps, idx: idx, batchSize: int64(opts.BatchSize),
		pull: func() (rec arrow.RecordBatch, err error) {
			defer recoverBatch(&rec, &err, path, "Arrow IPC file", i)
			if !rdr.Next() {
				if err := rdr.Err(); err != nil {
					return nil, fmt.Errorf("%s: reading Arrow IPC file batch %d: %w", path, i, err)
				}
				return nil, io.EOF
			}
			rec = rdr.RecordBatch()
			if err := validateBatch(rec); err != nil {
				return nil, fmt.Errorf("%s: Arrow IPC file batch %d: %w", path, i, err)
			}
			i++
			rec.Retain()
			return rec, nil
		},
		cleanup: func() {
			rdr.Release()
			m.release()
		},
	}, nil
}
