package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// This file checks the flatbuffers of Arrow IPC metadata (a file's footer,
// a message's header) before arrow-go decodes them. arrow-go trusts every
// length and offset it reads: a vector length of 2³² - 1 in a schema's
// fields or a key-value list makes it allocate that many entries (about
// 170 GB), and an offset past the end panics. The walker below follows the
// tables arrow-go reads (File.fbs, Schema.fbs, Message.fbs of the Arrow
// format) and requires every table, vtable, scalar, string and vector it
// reaches to lie within the bytes that were read, so that no count decoded
// later exceeds the bytes that back it.

// ipcMaxNesting is the deepest nesting of fields accepted in a schema,
// arrow-go's own limit when it loads the arrays of a batch.
const ipcMaxNesting = 64

// ipcMetaError is a corrupt IPC flatbuffer: what (e.g. "footer",
// "message 3") and the byte offset in the file or stream, when known
// (at < 0 leaves it out).
type ipcMetaError struct {
	what string
	at   int64
	msg  string
}

func (e *ipcMetaError) Error() string {
	if e.at < 0 {
		return fmt.Sprintf("corrupt %s: %s", e.what, e.msg)
	}
	return fmt.Sprintf("corrupt %s at byte %d: %s", e.what, e.at, e.msg)
}

// fbWalker checks one flatbuffer b, which starts at byte base of the file
// (base < 0 when unknown, as in a pipe).
type fbWalker struct {
	b      []byte
	base   int64
	what   string
	tables int // tables visited, bounded by len(b)/4 (see table)
}

func (w *fbWalker) fail(at int64, format string, args ...any) error {
	pos := int64(-1)
	if w.base >= 0 {
		pos = w.base + at
	}
	return &ipcMetaError{what: w.what, at: pos, msg: fmt.Sprintf(format, args...)}
}

// need checks that n bytes at at lie within the buffer.
func (w *fbWalker) need(at, n int64, what string) error {
	if at < 0 || n < 0 || at > int64(len(w.b)) || n > int64(len(w.b))-at {
		return w.fail(max(at, 0), "%s of %d bytes at offset %d runs past the end of the %d bytes", what, n, at, len(w.b))
	}
	return nil
}

func (w *fbWalker) u32(at int64) uint32 { return binary.LittleEndian.Uint32(w.b[at:]) }

// uoffset follows the unsigned offset stored at at, as flatbuffers does.
func (w *fbWalker) uoffset(at int64, what string) (int64, error) {
	if err := w.need(at, 4, what+" offset"); err != nil {
		return 0, err
	}
	to := at + int64(w.u32(at))
	if to >= int64(len(w.b)) {
		return 0, w.fail(at, "%s offset points to %d, past the end of the %d bytes", what, to, len(w.b))
	}
	return to, nil
}

// fbTable is a table whose vtable has been checked.
type fbTable struct {
	w       *fbWalker
	pos, vt int64
	vtSize  int64
	name    string
}

// root returns the root table of the buffer.
func (w *fbWalker) root(name string) (fbTable, error) {
	pos, err := w.uoffset(0, name)
	if err != nil {
		return fbTable{}, err
	}
	return w.table(pos, name)
}

// table checks the table at pos and its vtable. Tables are distinct
// positions of at least 4 bytes each, so a buffer of n bytes holds at most
// n/4 of them; more visits mean tables shared by many references, which
// would let a small buffer describe an exponentially large schema.
func (w *fbWalker) table(pos int64, name string) (fbTable, error) {
	w.tables++
	if w.tables > len(w.b)/4+1 {
		return fbTable{}, w.fail(pos, "%s: more tables referenced than the %d bytes can hold (shared or cyclic references)", name, len(w.b))
	}
	if err := w.need(pos, 4, name+" table"); err != nil {
		return fbTable{}, err
	}
	vt := pos - int64(int32(w.u32(pos)))
	if err := w.need(vt, 4, name+" vtable"); err != nil {
		return fbTable{}, err
	}
	vtSize := int64(binary.LittleEndian.Uint16(w.b[vt:]))
	tblSize := int64(binary.LittleEndian.Uint16(w.b[vt+2:]))
	if vtSize < 4 || vtSize%2 != 0 {
		return fbTable{}, w.fail(vt, "%s vtable size %d is invalid", name, vtSize)
	}
	if err := w.need(vt, vtSize, name+" vtable"); err != nil {
		return fbTable{}, err
	}
	if err := w.need(pos, tblSize, name+" table"); err != nil {
		return fbTable{}, err
	}
	return fbTable{w: w, pos: pos, vt: vt, vtSize: vtSize, name: name}, nil
}

// field returns the absolute position of slot's value, or 0 when absent.
func (t fbTable) field(slot int) int64 {
	e := 4 + 2*int64(slot)
	if e+2 > t.vtSize {
		return 0
	}
	off := int64(binary.LittleEndian.Uint16(t.w.b[t.vt+e:]))
	if off == 0 {
		return 0
	}
	return t.pos + off
}

// scalar checks a scalar of size bytes in slot and returns its position
// (0 when absent).
func (t fbTable) scalar(slot int, size int64, what string) (int64, error) {
	at := t.field(slot)
	if at == 0 {
		return 0, nil
	}
	return at, t.w.need(at, size, t.name+"."+what)
}

func (t fbTable) u8(slot int, what string) (uint8, error) {
	at, err := t.scalar(slot, 1, what)
	if err != nil || at == 0 {
		return 0, err
	}
	return t.w.b[at], nil
}

func (t fbTable) i64(slot int, what string) (int64, error) {
	at, err := t.scalar(slot, 8, what)
	if err != nil || at == 0 {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(t.w.b[at:])), nil
}

// ref follows the offset in slot; ok is false when the slot is absent.
func (t fbTable) ref(slot int, what string) (to int64, ok bool, err error) {
	at := t.field(slot)
	if at == 0 {
		return 0, false, nil
	}
	to, err = t.w.uoffset(at, t.name+"."+what)
	return to, err == nil, err
}

// sub returns the table of type typ in slot; ok is false when it is
// absent.
func (t fbTable) sub(slot int, what, typ string) (fbTable, bool, error) {
	to, ok, err := t.ref(slot, what)
	if !ok {
		return fbTable{}, false, err
	}
	s, err := t.w.table(to, typ)
	return s, err == nil, err
}

// vector checks the vector in slot, of n elements of size bytes each, and
// returns the position of its first element and n.
func (t fbTable) vector(slot int, size int64, what string) (start, n int64, err error) {
	to, ok, err := t.ref(slot, what)
	if !ok {
		return 0, 0, err
	}
	if err := t.w.need(to, 4, t.name+"."+what+" length"); err != nil {
		return 0, 0, err
	}
	n = int64(t.w.u32(to))
	start = to + 4
	if n > (int64(len(t.w.b))-start)/size {
		return 0, 0, t.w.fail(to, "%s.%s claims %d entries of %d bytes, more than the %d bytes after it", t.name, what, n, size, int64(len(t.w.b))-start)
	}
	return start, n, nil
}

// str checks the string in slot.
func (t fbTable) str(slot int, what string) error {
	_, _, err := t.vector(slot, 1, what)
	return err
}

// tables calls f with each table (of type typ) of the vector of tables in
// slot.
func (t fbTable) tables(slot int, what, typ string, f func(i int, e fbTable) error) error {
	start, n, err := t.vector(slot, 4, what)
	if err != nil {
		return err
	}
	for i := range n {
		to, err := t.w.uoffset(start+4*i, fmt.Sprintf("%s.%s[%d]", t.name, what, i))
		if err != nil {
			return err
		}
		e, err := t.w.table(to, typ)
		if err != nil {
			return err
		}
		if err := f(int(i), e); err != nil {
			return err
		}
	}
	return nil
}

// keyValues checks a custom_metadata list.
func (t fbTable) keyValues(slot int) error {
	return t.tables(slot, "custom_metadata", "KeyValue", func(_ int, kv fbTable) error {
		if err := kv.str(0, "key"); err != nil {
			return err
		}
		return kv.str(1, "value")
	})
}

// The union members of Schema.fbs's Type that hold more than scalars.
const (
	fbTypeTimestamp = 10
	fbTypeUnion     = 14
)

// fbTypeScalars are the sizes of the scalar slots of the other members of
// Schema.fbs's Type union, by type id: Int (bitWidth, is_signed),
// FloatingPoint (precision), Decimal (precision, scale, bitWidth), Date
// (unit), Time (unit, bitWidth), Interval (unit), FixedSizeBinary
// (byteWidth), FixedSizeList (listSize), Map (keysSorted), Duration (unit).
// The others have no fields.
var fbTypeScalars = map[uint8][]int64{
	2: {4, 1}, 3: {2}, 7: {4, 4, 4}, 8: {2}, 9: {2, 4}, 11: {2},
	15: {4}, 16: {4}, 17: {1}, 18: {2},
}

// schema checks a Schema table: its fields, recursively, and its metadata.
func (t fbTable) schema() error {
	if _, err := t.scalar(0, 2, "endianness"); err != nil {
		return err
	}
	if err := t.tables(1, "fields", "Field", func(_ int, f fbTable) error { return f.fieldTable(1) }); err != nil {
		return err
	}
	if err := t.keyValues(2); err != nil {
		return err
	}
	_, _, err := t.vector(3, 8, "features")
	return err
}

// fieldTable checks a Field table at nesting depth.
func (t fbTable) fieldTable(depth int) error {
	if depth > ipcMaxNesting {
		return t.w.fail(t.pos, "fields nested deeper than %d levels", ipcMaxNesting)
	}
	if err := t.str(0, "name"); err != nil {
		return err
	}
	if _, err := t.scalar(1, 1, "nullable"); err != nil {
		return err
	}
	typ, err := t.u8(2, "type_type")
	if err != nil {
		return err
	}
	ty, ok, err := t.sub(3, "type", "Type")
	if err != nil {
		return err
	}
	if ok {
		switch typ {
		case fbTypeTimestamp:
			if _, err := ty.scalar(0, 2, "unit"); err != nil {
				return err
			}
			if err := ty.str(1, "timezone"); err != nil {
				return err
			}
		case fbTypeUnion:
			if _, err := ty.scalar(0, 2, "mode"); err != nil {
				return err
			}
			if _, _, err := ty.vector(1, 4, "typeIds"); err != nil {
				return err
			}
		default:
			for slot, size := range fbTypeScalars[typ] {
				if _, err := ty.scalar(slot, size, "parameter"); err != nil {
					return err
				}
			}
		}
	}
	if d, ok, err := t.sub(4, "dictionary", "DictionaryEncoding"); err != nil {
		return err
	} else if ok {
		if _, err := d.scalar(0, 8, "id"); err != nil {
			return err
		}
		if it, ok, err := d.sub(1, "indexType", "Int"); err != nil {
			return err
		} else if ok {
			if _, err := it.scalar(0, 4, "bitWidth"); err != nil {
				return err
			}
			if _, err := it.scalar(1, 1, "is_signed"); err != nil {
				return err
			}
		}
	}
	if err := t.tables(5, "children", "Field", func(_ int, c fbTable) error { return c.fieldTable(depth + 1) }); err != nil {
		return err
	}
	return t.keyValues(6)
}

// ipcBlock is a Block of a file footer: where a message lies in the file.
type ipcBlock struct {
	offset int64
	meta   int32
	body   int64
}

// ipcFooter is what trustml reads of a checked footer: its blocks, and
// where the footer starts in the file.
type ipcFooter struct {
	dicts, batches []ipcBlock
	start          int64
}

// checkIPCFooter checks the footer flatbuffer b, which starts at byte base
// of a file of size bytes, and every block it lists against the file.
func checkIPCFooter(b []byte, base, size int64) (*ipcFooter, error) {
	w := &fbWalker{b: b, base: base, what: "Arrow IPC footer"}
	ft, err := w.root("Footer")
	if err != nil {
		return nil, err
	}
	if _, err := ft.scalar(0, 2, "version"); err != nil {
		return nil, err
	}
	sc, ok, err := ft.sub(1, "schema", "Schema")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, w.fail(ft.pos, "the footer has no schema")
	}
	if err := sc.schema(); err != nil {
		return nil, err
	}
	blocks := func(slot int, what string) ([]ipcBlock, error) {
		start, n, err := ft.vector(slot, 24, what)
		if err != nil {
			return nil, err
		}
		out := make([]ipcBlock, n)
		for i := range out {
			at := start + 24*int64(i)
			blk := ipcBlock{
				offset: int64(binary.LittleEndian.Uint64(b[at:])),
				meta:   int32(binary.LittleEndian.Uint32(b[at+8:])),
				body:   int64(binary.LittleEndian.Uint64(b[at+16:])),
			}
			if blk.offset < 0 || blk.meta < 8 || blk.body < 0 || blk.offset > base ||
				int64(blk.meta) > base-blk.offset || blk.body > base-blk.offset-int64(blk.meta) {
				return nil, w.fail(at, "%s block %d (offset %d, metadata %d bytes, body %d bytes) does not lie within the %d bytes before the footer", what, i, blk.offset, blk.meta, blk.body, base)
			}
			out[i] = blk
		}
		return out, nil
	}
	f := ipcFooter{start: base}
	if f.dicts, err = blocks(2, "dictionary"); err != nil {
		return nil, err
	}
	if f.batches, err = blocks(3, "record batch"); err != nil {
		return nil, err
	}
	if err := ft.keyValues(4); err != nil {
		return nil, err
	}
	return &f, nil
}

// Message header types of Message.fbs.
const (
	fbMessageSchema          = 1
	fbMessageDictionaryBatch = 2
	fbMessageRecordBatch     = 3
)

// ipcMessage is what checkIPCMessage returns of a message: its body length
// and, for a batch, the compression codec (-1 for none) and its buffers.
type ipcMessage struct {
	typ uint8 // fbMessageSchema, fbMessageRecordBatch or fbMessageDictionaryBatch
	// bigEndian: a schema whose values are big-endian.
	bigEndian bool
	bodyLen   int64
	codec     int
	buffers   []ipcBuffer
}

// ipcBuffer is a buffer of a batch: where it lies in the message body.
type ipcBuffer struct{ offset, length int64 }

// checkIPCMessage checks the Message flatbuffer b (without its length
// prefix), which starts at byte base of the input (-1 if unknown), and
// returns its body length and buffers. A Schema, a RecordBatch and a DictionaryBatch
// are the messages a table is made of; tensors are refused. Every buffer
// of a batch must lie within the body.
func checkIPCMessage(b []byte, base int64, what string) (msg *ipcMessage, err error) {
	msg = &ipcMessage{codec: -1}
	w := &fbWalker{b: b, base: base, what: what}
	m, err := w.root("Message")
	if err != nil {
		return nil, err
	}
	if _, err := m.scalar(0, 2, "version"); err != nil {
		return nil, err
	}
	typ, err := m.u8(1, "header_type")
	if err != nil {
		return nil, err
	}
	msg.typ = typ
	if msg.bodyLen, err = m.i64(3, "bodyLength"); err != nil {
		return nil, err
	}
	if msg.bodyLen < 0 {
		return nil, w.fail(m.field(3), "negative body length %d", msg.bodyLen)
	}
	if err := m.keyValues(4); err != nil {
		return nil, err
	}
	h, ok, err := m.sub(2, "header", "MessageHeader")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, w.fail(m.pos, "the message has no header")
	}
	switch typ {
	case fbMessageSchema:
		h.name = "Schema"
		if err = h.schema(); err == nil {
			var e int64
			if e, err = h.scalar(0, 2, "endianness"); err == nil && e != 0 {
				msg.bigEndian = binary.LittleEndian.Uint16(b[e:]) == 1
			}
		}
	case fbMessageRecordBatch:
		h.name = "RecordBatch"
		err = h.recordBatch(msg)
	case fbMessageDictionaryBatch:
		h.name = "DictionaryBatch"
		if _, err = h.scalar(0, 8, "id"); err != nil {
			return nil, err
		}
		if _, err = h.scalar(2, 1, "isDelta"); err != nil {
			return nil, err
		}
		rb, ok, err := h.sub(1, "data", "RecordBatch")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, w.fail(h.pos, "the dictionary batch has no data")
		}
		err = rb.recordBatch(msg)
		if err != nil {
			return nil, err
		}
	default:
		return nil, w.fail(m.pos, "message type %d is not a schema, a record batch or a dictionary batch", typ)
	}
	if err != nil {
		return nil, err
	}
	return msg, nil
}

// recordBatch checks a RecordBatch table of the message msg, and records
// its buffers and codec there.
func (t fbTable) recordBatch(msg *ipcMessage) error {
	bodyLen := msg.bodyLen
	rows, err := t.i64(0, "length")
	if err != nil {
		return err
	}
	if rows < 0 {
		return t.w.fail(t.field(0), "negative row count %d", rows)
	}
	start, n, err := t.vector(1, 16, "nodes")
	if err != nil {
		return err
	}
	for i := range n {
		at := start + 16*i
		length := int64(binary.LittleEndian.Uint64(t.w.b[at:]))
		nulls := int64(binary.LittleEndian.Uint64(t.w.b[at+8:]))
		if length < 0 || nulls < 0 || nulls > length {
			return t.w.fail(at, "column node %d has length %d and %d nulls", i, length, nulls)
		}
	}
	if start, n, err = t.vector(2, 16, "buffers"); err != nil {
		return err
	}
	for i := range n {
		at := start + 16*i
		off := int64(binary.LittleEndian.Uint64(t.w.b[at:]))
		length := int64(binary.LittleEndian.Uint64(t.w.b[at+8:]))
		if off < 0 || length < 0 || off > bodyLen || length > bodyLen-off {
			return t.w.fail(at, "buffer %d (offset %d, %d bytes) does not lie within the %d-byte body", i, off, length, bodyLen)
		}
		msg.buffers = append(msg.buffers, ipcBuffer{off, length})
	}
	if c, ok, err := t.sub(3, "compression", "BodyCompression"); err != nil {
		return err
	} else if ok {
		codec, err := c.u8(0, "codec")
		if err != nil {
			return err
		}
		if codec != ipcLZ4Frame && codec != ipcZstd {
			return t.w.fail(c.pos, "unknown compression codec %d", codec)
		}
		msg.codec = int(codec)
		if _, err := c.scalar(1, 1, "method"); err != nil {
			return err
		}
	}
	_, _, err = t.vector(4, 8, "variadicBufferCounts")
	return err
}

// ipcMaxMetadata caps the metadata of one IPC message: a schema of a
// hundred thousand columns takes a few megabytes.
const ipcMaxMetadata = 64 << 20

// checkIPCBlockMessage checks the metadata of a file block, as arrow-go
// will read it: a continuation marker (or a legacy length alone), the
// length of the flatbuffer, then the Message.
func checkIPCBlockMessage(buf []byte, blk ipcBlock, what string) (*ipcMessage, error) {
	msg, _, err := checkIPCBlockPrefixed(buf, blk, what)
	return msg, err
}

// checkIPCBlockPrefixed is checkIPCBlockMessage, and also returns the
// length of the prefix before the Message flatbuffer (4 or 8 bytes).
func checkIPCBlockPrefixed(buf []byte, blk ipcBlock, what string) (*ipcMessage, int64, error) {
	w := &fbWalker{b: buf, base: blk.offset, what: what}
	if len(buf) < 8 {
		return nil, 0, w.fail(0, "metadata of %d bytes is too short", len(buf))
	}
	prefix := int64(4)
	if binary.LittleEndian.Uint32(buf) == math.MaxUint32 {
		prefix = 8
	}
	n := int64(binary.LittleEndian.Uint32(buf[prefix-4:]))
	if n != int64(len(buf))-prefix {
		return nil, 0, w.fail(0, "the message length %d does not match the %d bytes the footer gives it", n, int64(len(buf))-prefix)
	}
	msg, err := checkIPCMessage(buf[prefix:], blk.offset+prefix, what)
	if err != nil {
		return nil, 0, err
	}
	if msg.bodyLen != blk.body {
		return nil, 0, w.fail(0, "the message body length %d does not match the %d bytes the footer gives it", msg.bodyLen, blk.body)
	}
	return msg, prefix, nil
}

// The compression codecs of Message.fbs's BodyCompression.
const (
	ipcLZ4Frame = 0
	ipcZstd     = 1
)

// ipcMaxRatio is the ratio of uncompressed to compressed size of a buffer
// that is accepted on its word; beyond it, the claim is checked by
// decompressing the buffer without keeping the result.
const ipcMaxRatio = 64

// checkIPCCompressed checks the uncompressed length that each compressed
// buffer of msg states in its first 8 bytes, which arrow-go allocates
// before decompressing: a length beyond ipcMaxRatio times the compressed
// bytes must be what the buffer really decompresses to. read returns n
// bytes of the body at off; base is the body's position in the input (-1
// if unknown).
func checkIPCCompressed(msg *ipcMessage, read func(off, n int64) ([]byte, error), base int64, what string) error {
	if msg.codec < 0 {
		return nil
	}
	fail := func(b ipcBuffer, format string, args ...any) error {
		at := int64(-1)
		if base >= 0 {
			at = base + b.offset
		}
		return &ipcMetaError{what: what, at: at, msg: fmt.Sprintf(format, args...)}
	}
	for i, b := range msg.buffers {
		if b.length == 0 {
			continue
		}
		if b.length < 8 {
			return fail(b, "compressed buffer %d has %d bytes, fewer than its 8-byte length", i, b.length)
		}
		head, err := read(b.offset, 8)
		if err != nil {
			return err
		}
		claim := int64(binary.LittleEndian.Uint64(head))
		if claim == -1 || (claim >= 0 && claim <= ipcMaxRatio*b.length+1<<16) {
			continue
		}
		if claim < 0 {
			return fail(b, "compressed buffer %d states a negative length %d", i, claim)
		}
		data, err := read(b.offset+8, b.length-8)
		if err != nil {
			return err
		}
		var n int64
		if msg.codec == ipcZstd {
			z, err := zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1))
			if err != nil {
				return err
			}
			n, _ = io.CopyN(io.Discard, z, claim)
			z.Close()
		} else {
			n, _ = io.CopyN(io.Discard, lz4.NewReader(bytes.NewReader(data)), claim)
		}
		if n < claim {
			return fail(b, "compressed buffer %d states %d bytes uncompressed, but its %d bytes decompress to %d", i, claim, b.length-8, n)
		}
	}
	return nil
}
