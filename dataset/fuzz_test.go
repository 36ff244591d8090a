package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzRead opens content as format and reads it to the end. Any error is
// acceptable; a panic, a leak, or batches inconsistent with the schema and
// the row count are not.
func fuzzRead(t *testing.T, dir string, format Format, content []byte, opts Options) {
	path := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(path, content, 0o600))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	// arrow-go's decoders may leave buffers unreleased when they panic on
	// a corrupt binary file (the panic is recovered into an error): leaks
	// are checked for text formats always, for binary ones on success.
	binary := format == Parquet || format == ArrowFile || format == ArrowStream
	var failed bool
	mapped := liveMappings.Load()
	defer func() {
		if !binary || !failed {
			mem.AssertSize(t, 0)
		}
		// An Arrow IPC file is unmapped once read or refused; when
		// arrow-go panicked and lost references to a mapped body, once
		// the garbage collector has found the body unreachable.
		if failed {
			for range 100 {
				if liveMappings.Load() == mapped {
					break
				}
				runtime.GC()
				time.Sleep(time.Millisecond)
			}
		}
		assert.Equal(t, mapped, liveMappings.Load(), "mappings left")
	}()
	opts.Format, opts.Allocator = format, mem
	r, err := Open(context.Background(), path, opts)
	if err != nil {
		failed = true
		return
	}
	defer r.Release()
	cols := r.Schema().NumFields()
	require.Equal(t, r.FileSchema().NumFields(), cols)
	var rows int64
	for r.Next() {
		rec := r.RecordBatch()
		require.Equal(t, int64(cols), rec.NumCols())
		require.Positive(t, rec.NumRows())
		require.LessOrEqual(t, rec.NumRows(), int64(opts.BatchSize))
		for _, c := range rec.Columns() {
			require.Equal(t, int(rec.NumRows()), c.Len())
			// What a kernel does: every value of the column.
			require.NoError(t, array.ValidateFull(c))
			for i := range c.Len() {
				_ = c.ValueStr(i)
			}
		}
		rows += rec.NumRows()
	}
	if r.Err() != nil {
		failed = true
		return
	}
	fp, err := r.Fingerprint()
	require.NoError(t, err)
	assert.Equal(t, rows, fp.Rows)
	assert.Equal(t, cols, fp.Columns)
	assert.Equal(t, int64(len(content)), fp.Bytes)
}

func FuzzCSV(f *testing.F) {
	for _, seed := range []string{
		"a,b\n1,2\n3,4\n",
		"1.5\t2\n3\t4\n",
		"x,y\n\"a\nb\",1\n,NA\n",
		"a,a\n1,2\n",
		",\n,\n",
		"\ufeffid\n1\n2\n3\n4\n5\n6\nx\n",
		"a,b\n1,2\n3\n",
		"a\n\"unterminated\n",
		"t\n2024-01-01T00:00:00Z\n2024-01-01\n",
		"0,\xf3", // invalid UTF-8 in a string column: an error, not a batch failing ValidateFull
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		fuzzRead(t, dir, CSV, content, Options{BatchSize: 3, InferRows: 4})
		fuzzRead(t, dir, TSV, content, Options{BatchSize: 3, InferRows: 4})
	})
}

func FuzzJSONLines(f *testing.F) {
	for _, seed := range []string{
		`{"a":1,"b":"x"}` + "\n" + `{"a":2.5,"c":true}` + "\n",
		`{"a":null}` + "\n\n" + `{"a":"2024-01-01"}`,
		`{"a":[1]}`,
		`{"a":1}{"a":2}`,
		`[1]`,
		`{"a":1}` + "\n" + `{"a":1}` + "\n" + `{"a":1}` + "\n" + `{"a":1}` + "\n" + `{"a":"x","z":1}` + "\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		fuzzRead(t, t.TempDir(), JSONLines, content, Options{BatchSize: 3, InferRows: 4})
	})
}

// binarySeed is a table with the column layouts whose offsets and lengths
// a corrupt file can falsify: fixed width, bool, string, and a dictionary.
func binarySeed(t testing.TB) arrow.Table {
	t.Helper()
	mem := memory.DefaultAllocator
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	}, nil)
	tbl, err := array.TableFromJSON(mem, sc, []string{`[
		{"i":1,"x":0.5,"s":"alpha","b":true,"d":"u"},
		{"i":2,"x":null,"s":"","b":false,"d":"v"},
		{"i":null,"x":2.5,"s":null,"b":null,"d":null},
		{"i":4,"x":-1e300,"s":"gamma delta","b":true,"d":"u"},
		{"i":5,"x":7,"s":"e","b":false,"d":"w"}
	]`})
	require.NoError(t, err)
	return tbl
}

// fuzzBinary feeds each mutation to the reader under the format, and also
// reads every value of every column, as the kernels do.
func fuzzBinary(f *testing.F, format Format, write func(testing.TB, arrow.Table, int64) string) {
	tbl := binarySeed(f)
	defer tbl.Release()
	for _, chunk := range []int64{5, 2} {
		b, err := os.ReadFile(write(f, tbl, chunk))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		fuzzRead(t, t.TempDir(), format, content, Options{BatchSize: 3})
	})
}

// compressedIPCSeeds are the binary seed written as an IPC file or stream
// with each codec, whose buffers state their uncompressed length.
func compressedIPCSeeds(f *testing.F, stream bool) {
	tbl := binarySeed(f)
	defer tbl.Release()
	for _, opt := range []ipc.Option{ipc.WithZstd(), ipc.WithLZ4()} {
		var buf bytes.Buffer
		o := []ipc.Option{ipc.WithSchema(tbl.Schema()), opt}
		var w interface {
			Write(arrow.RecordBatch) error
			Close() error
		}
		if stream {
			w = ipc.NewWriter(&buf, o...)
		} else {
			fw, err := ipc.NewFileWriter(&buf, o...)
			require.NoError(f, err)
			w = fw
		}
		writeBatches(f, tbl, 2, w.Write)
		require.NoError(f, w.Close())
		f.Add(buf.Bytes())
	}
}

func FuzzParquet(f *testing.F) { fuzzBinary(f, Parquet, writeParquet) }

func FuzzArrowFile(f *testing.F) {
	compressedIPCSeeds(f, false)
	fuzzBinary(f, ArrowFile, writeIPCFile)
}

func FuzzArrowStream(f *testing.F) {
	compressedIPCSeeds(f, true)
	fuzzBinary(f, ArrowStream, writeIPCStream)
}
