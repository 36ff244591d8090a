package dataset

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mappedTable is n rows of an int64 column with nulls, a float64, a
// string and a dictionary-encoded string column, and the rows as
// ValueStr gives them.
func mappedTable(t *testing.T, n int) (arrow.Table, [][]string) {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	var rows [][]string
	for i := range n {
		is := "(null)"
		if i%7 == 0 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.Int64Builder).Append(int64(i) * 3)
			is = strconv.Itoa(i * 3)
		}
		x := float64(i) / 4
		b.Field(1).(*array.Float64Builder).Append(x)
		s := fmt.Sprintf("row-%d", i)
		b.Field(2).(*array.StringBuilder).Append(s)
		d := []string{"north", "south", "east"}[i%3]
		require.NoError(t, b.Field(3).(*array.BinaryDictionaryBuilder).AppendString(d))
		rows = append(rows, []string{is, strconv.FormatFloat(x, 'g', -1, 64), s, d})
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(sc, []arrow.RecordBatch{rec}), rows
}

// writeIPCFileWith writes tbl as an IPC file in batches of chunk rows,
// with the writer options opts.
func writeIPCFileWith(t *testing.T, tbl arrow.Table, chunk int64, opts ...ipc.Option) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.arrow")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := ipc.NewFileWriter(f, append([]ipc.Option{ipc.WithSchema(tbl.Schema())}, opts...)...)
	require.NoError(t, err)
	writeBatches(t, tbl, chunk, w.Write)
	require.NoError(t, w.Close())
	return path
}

// mappedRanges returns the address ranges at which the process maps the
// file at path, from /proc/self/maps (Linux).
func mappedRanges(t *testing.T, path string) [][2]uintptr {
	t.Helper()
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Skip("no /proc/self/maps:", err)
	}
	defer f.Close()
	var out [][2]uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[5] != path {
			continue
		}
		lo, hi, _ := strings.Cut(fields[0], "-")
		a, err := strconv.ParseUint(lo, 16, 64)
		require.NoError(t, err)
		b, err := strconv.ParseUint(hi, 16, 64)
		require.NoError(t, err)
		out = append(out, [2]uintptr{uintptr(a), uintptr(b)})
	}
	require.NoError(t, sc.Err())
	return out
}

func inRanges(p uintptr, rs [][2]uintptr) bool {
	for _, r := range rs {
		if p >= r[0] && p < r[1] {
			return true
		}
	}
	return false
}

// TestIPCMapped reads an IPC file through its memory map with a checked
// allocator: the values are those written, the column buffers of
// uncompressed batches lie in the file's mapping and nothing is allocated
// for them, a batch retained past Close stays readable until it is
// released, the file is unmapped then, and the fingerprint is the file's
// hash. Compressed batches decompress into the allocator, which gets
// every byte back.
func TestIPCMapped(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks the mapping in /proc/self/maps")
	}
	tbl, want := mappedTable(t, 10_000)
	defer tbl.Release()
	for _, tt := range []struct {
		name       string
		opts       []ipc.Option
		compressed bool
	}{
		{"uncompressed", nil, false},
		{"lz4", []ipc.Option{ipc.WithLZ4()}, true},
		{"zstd", []ipc.Option{ipc.WithZstd()}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeIPCFileWith(t, tbl, 3000, tt.opts...)
			base := liveMappings.Load()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r, err := Open(context.Background(), path, Options{BatchSize: 1000, Allocator: mem})
			require.NoError(t, err)
			assert.Equal(t, base+1, liveMappings.Load(), "the file is mapped")
			ranges := mappedRanges(t, path)
			require.NotEmpty(t, ranges, "the file is in the process's mappings")

			var got [][]string
			var kept arrow.RecordBatch
			for r.Next() {
				rec := r.RecordBatch()
				for _, c := range rec.Columns()[:3] {
					bufs := c.Data().Buffers()
					data := bufs[len(bufs)-1] // values, or string bytes
					p := uintptr(unsafe.Pointer(unsafe.SliceData(data.Bytes())))
					assert.Equal(t, !tt.compressed, inRanges(p, ranges), "buffer of %s in the mapping", c.DataType())
				}
				if !tt.compressed {
					assert.Zero(t, mem.CurrentAlloc(), "nothing copied")
				}
				for i := range int(rec.NumRows()) {
					row := make([]string, rec.NumCols())
					for j, c := range rec.Columns() {
						row[j] = strings.Clone(c.ValueStr(i))
					}
					got = append(got, row)
				}
				if len(got) == 5000 {
					kept = rec
					kept.Retain()
				}
			}
			require.NoError(t, r.Err())
			assert.Equal(t, want, got)
			fp, err := r.Fingerprint()
			require.NoError(t, err)
			sum, size := xxh3File(t, path)
			assert.Equal(t, sum, fp.Hash)
			assert.Equal(t, size, fp.Bytes)
			require.NoError(t, r.Close())

			// The retained batch (rows 4000..4999) outlives the reader,
			// and keeps the mapping if its buffers are there.
			require.NotNil(t, kept)
			if tt.compressed {
				assert.Equal(t, base, liveMappings.Load(), "decompressed batches need no mapping")
			} else {
				assert.Equal(t, base+1, liveMappings.Load(), "mapped while a batch is retained")
			}
			assert.Equal(t, want[4000][2], kept.Column(2).ValueStr(0))
			assert.Equal(t, want[4999][3], kept.Column(3).ValueStr(999))
			kept.Release()
			assert.Equal(t, base, liveMappings.Load(), "unmapped with the last batch")
			assert.Empty(t, mappedRanges(t, path))

			// The copying reader reads the same rows and fingerprint.
			res := mustRead(t, path, Options{BatchSize: 1000, noMap: true})
			assert.Equal(t, want, res.rows)
			assert.Equal(t, fp, res.fp)
		})
	}
}

// TestIPCMappedErrors checks the messages a mapped file is checked
// against, beyond those of the copying reader: the schema message the
// file's stream starts with, and the type of each message.
func TestIPCMappedErrors(t *testing.T) {
	tbl, _ := mappedTable(t, 100)
	defer tbl.Release()
	orig, err := os.ReadFile(writeIPCFileWith(t, tbl, 50))
	require.NoError(t, err)
	require.Equal(t, uint32(0xFFFFFFFF), binary.LittleEndian.Uint32(orig[8:]), "a continuation marker")
	for _, tt := range []struct {
		name    string
		corrupt func(b []byte)
		want    string
	}{
		{"schema length", func(b []byte) { binary.LittleEndian.PutUint32(b[12:], 1<<30) }, "corrupt Arrow IPC schema message at byte 8: metadata length 1073741824 does not fit before the footer"},
		{"schema root", func(b []byte) { binary.LittleEndian.PutUint32(b[16:], 1<<20) }, "corrupt Arrow IPC schema message at byte 16: Message offset points to 1048576"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := append([]byte(nil), orig...)
			tt.corrupt(b)
			path := filepath.Join(t.TempDir(), "c.arrow")
			require.NoError(t, os.WriteFile(path, b, 0o600))
			base := liveMappings.Load()
			_, err := read(t, path, Options{})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), path+": not a valid Arrow IPC file: "+tt.want), "error %q", err)
			assert.Equal(t, base, liveMappings.Load(), "unmapped")
		})
	}
}
