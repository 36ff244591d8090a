package dataset

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll opens path as format and reads every batch; it returns the first
// error.
func readAll(path string, format Format) error {
	r, err := Open(context.Background(), path, Options{Format: format, BatchSize: 3})
	if err != nil {
		return err
	}
	defer r.Release()
	for r.Next() {
	}
	return r.Err()
}

// ipcWithMetadata writes the binary seed with schema metadata, as a file or
// a stream, so that the schema has a key-value vector to corrupt.
func ipcWithMetadata(t *testing.T, format Format) []byte {
	tbl := binarySeed(t)
	defer tbl.Release()
	md := arrow.NewMetadata([]string{"origin"}, []string{"test"})
	sc := arrow.NewSchema(tbl.Schema().Fields(), &md)
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	require.NoError(t, err)
	var w interface {
		Write(arrow.RecordBatch) error
		Close() error
	}
	if format == ArrowFile {
		w, err = ipc.NewFileWriter(f, ipc.WithSchema(sc))
		require.NoError(t, err)
	} else {
		w = ipc.NewWriter(f, ipc.WithSchema(sc))
	}
	tr := array.NewTableReader(tbl, 5)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		cols := rec.Columns()
		out := array.NewRecordBatch(sc, cols, rec.NumRows())
		require.NoError(t, w.Write(out))
		out.Release()
	}
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// TestIPCCorruptLengths writes a huge count (2³² - 1, 2³¹ - 1, 2²⁴) over
// every aligned word of an IPC file and stream, which hits the vector
// lengths and offsets of the schema, of the footer and of every message.
// Before the metadata was checked, the schema's key-value or field counts
// made arrow-go allocate up to 170 GB and the process died; now each
// mutation is read or refused with an error, and the refusals name the
// corrupt structure and its byte offset.
func TestIPCCorruptLengths(t *testing.T) {
	for _, format := range []Format{ArrowFile, ArrowStream} {
		t.Run(string(format), func(t *testing.T) {
			orig := ipcWithMetadata(t, format)
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			refused, named := 0, 0
			for at := 0; at+4 <= len(orig); at += 4 {
				for _, v := range []uint32{0xffffffff, 0x7fffffff, 1 << 24} {
					b := append([]byte(nil), orig...)
					binary.LittleEndian.PutUint32(b[at:], v)
					require.NoError(t, os.WriteFile(path, b, 0o600))
					err := readAll(path, format)
					if err == nil {
						continue
					}
					refused++
					require.True(t, strings.HasPrefix(err.Error(), path+": "), "at %d: %v", at, err)
					var me *ipcMetaError
					if errors.As(err, &me) {
						named++
					}
				}
			}
			assert.Positive(t, refused)
			assert.Positive(t, named)
		})
	}
}

// TestIPCSchemaVectorTooLong corrupts the length of the schema's
// key-value vector, the reproduction of issue 19, and expects an error
// naming it with its byte offset.
func TestIPCSchemaVectorTooLong(t *testing.T) {
	for _, format := range []Format{ArrowFile, ArrowStream} {
		t.Run(string(format), func(t *testing.T) {
			b := ipcWithMetadata(t, format)
			// The key "origin" is stored as a string: its length word
			// precedes it; the vector of key-values holds one entry, and
			// its length 1 is the word before the entry's offset. Find the
			// one-entry vector whose entry leads to the key-value table.
			at := locateSchemaMetadataVector(t, b, format)
			binary.LittleEndian.PutUint32(b[at:], 0xffffffff)
			path := filepath.Join(t.TempDir(), "f")
			require.NoError(t, os.WriteFile(path, b, 0o600))
			err := readAll(path, format)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "custom_metadata claims 4294967295 entries")
			assert.Contains(t, err.Error(), "at byte ")
		})
	}
}

// locateSchemaMetadataVector returns the file offset of the length of the
// schema's custom_metadata vector, found by walking the flatbuffer with the
// Arrow format's slot numbers (Footer.schema is slot 1, Message.header slot
// 2, Schema.custom_metadata slot 2).
func locateSchemaMetadataVector(t *testing.T, b []byte, format Format) int {
	var buf []byte
	var base int
	if format == ArrowFile {
		n := int(binary.LittleEndian.Uint32(b[len(b)-10:]))
		base = len(b) - 10 - n
		buf = b[base : len(b)-10]
	} else {
		base = 8
		n := int(binary.LittleEndian.Uint32(b[4:]))
		buf = b[8 : 8+n]
	}
	u32 := func(at int) int { return int(binary.LittleEndian.Uint32(buf[at:])) }
	field := func(tbl, slot int) int {
		vt := tbl - int(int32(binary.LittleEndian.Uint32(buf[tbl:])))
		off := int(binary.LittleEndian.Uint16(buf[vt+4+2*slot:]))
		require.NotZero(t, off)
		return tbl + off
	}
	root := u32(0)
	at := field(root, map[Format]int{ArrowFile: 1, ArrowStream: 2}[format])
	schema := at + u32(at)
	at = field(schema, 2)
	vec := at + u32(at)
	require.Equal(t, 1, u32(vec), "the metadata vector has one entry")
	return base + vec
}

// TestIPCStreamPipeClaimsHugeBody reads a stream through a pipe (no file
// size to check against) whose first message claims a body of 2⁶² bytes:
// the reader allocates as the bytes arrive and fails at their end.
func TestIPCStreamPipeClaimsHugeBody(t *testing.T) {
	orig := ipcWithMetadata(t, ArrowStream)
	n := int(binary.LittleEndian.Uint32(orig[4:]))
	// Find the second message (the first batch, or a dictionary): its
	// bodyLength is the 8-byte word equal to the bytes between it and the
	// third message. Rather than walk it, corrupt the message reader's
	// input on the fly: every 8-byte word of the second message's metadata
	// that equals its body length.
	second := 8 + n
	m2 := int(binary.LittleEndian.Uint32(orig[second+4:]))
	meta := orig[second+8 : second+8+m2]
	found := false
	mr := ipc.NewMessageReader(strings.NewReader(string(orig[second:])))
	msg, err := mr.Message()
	require.NoError(t, err)
	body := msg.BodyLen()
	mr.Release()
	for at := 0; at+8 <= len(meta); at += 4 {
		if int64(binary.LittleEndian.Uint64(meta[at:])) == body && body > 0 {
			binary.LittleEndian.PutUint64(meta[at:], 1<<62)
			found = true
			break
		}
	}
	require.True(t, found)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	m := newIPCMessageReader(strings.NewReader(string(orig)), Options{Allocator: mem})
	_, err = m.Message()
	require.NoError(t, err)
	_, err = m.Message()
	require.Error(t, err)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "Arrow IPC stream message 1 at byte")
	m.Release()
	mem.AssertSize(t, 0)
}

// writeCompressedIPC writes n rows of a constant int64 column and a string
// column as an IPC file compressed with opt.
func writeCompressedIPC(t *testing.T, n int, opt ipc.Option) string {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(7)
		b.Field(1).(*array.StringBuilder).Append(strings.Repeat("ab", i%5))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "c.arrow")
	f, err := os.Create(path)
	require.NoError(t, err)
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(sc), opt)
	require.NoError(t, err)
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
	return path
}

// TestIPCCompressedLengths reads compressed files whose constant column
// decompresses to far more than ipcMaxRatio times its compressed bytes (the
// claim is then verified by decompressing), and refuses the same files once
// the uncompressed length of that buffer states 2⁴⁰ bytes, which arrow-go
// would allocate before decompressing.
func TestIPCCompressedLengths(t *testing.T) {
	for name, opt := range map[string]ipc.Option{"zstd": ipc.WithZstd(), "lz4": ipc.WithLZ4()} {
		t.Run(name, func(t *testing.T) {
			path := writeCompressedIPC(t, 100_000, opt)
			res := mustRead(t, path, Options{})
			require.Len(t, res.rows, 100_000)

			f, err := os.Open(path)
			require.NoError(t, err)
			st, err := f.Stat()
			require.NoError(t, err)
			footer, err := readIPCFooter(f, st.Size())
			require.NoError(t, err)
			blk := footer.batches[0]
			meta := make([]byte, blk.meta)
			_, err = f.ReadAt(meta, blk.offset)
			require.NoError(t, err)
			f.Close()
			msg, err := checkIPCBlockMessage(meta, blk, "batch")
			require.NoError(t, err)
			require.Equal(t, map[string]int{"zstd": ipcZstd, "lz4": ipcLZ4Frame}[name], msg.codec)

			b, err := os.ReadFile(path)
			require.NoError(t, err)
			// The data buffer of the constant column: the largest ratio.
			var big ipcBuffer
			best := 0.0
			for _, buf := range msg.buffers {
				if buf.length < 8 {
					continue
				}
				at := blk.offset + int64(blk.meta) + buf.offset
				claim := int64(binary.LittleEndian.Uint64(b[at:]))
				if r := float64(claim) / float64(buf.length); r > best {
					best, big = r, buf
				}
			}
			require.Greater(t, best, float64(ipcMaxRatio), "the constant column is checked by decompressing it")
			at := blk.offset + int64(blk.meta) + big.offset
			binary.LittleEndian.PutUint64(b[at:], 1<<40)
			require.NoError(t, os.WriteFile(path, b, 0o600))
			_, err = read(t, path, Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "states 1099511627776 bytes uncompressed")
			assert.Contains(t, err.Error(), "Arrow IPC batch 0 at byte ")
		})
	}
}
