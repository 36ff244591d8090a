package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zeebo/xxh3"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// tableFromCSV builds a table of testSchema from the JSON Lines text the
// tests also write, with Arrow's own JSON reader.
func tableFromCSV(t testing.TB, csvText string) arrow.Table {
	t.Helper()
	var objs []string
	for _, line := range strings.Split(strings.TrimSpace(csvText), "\n")[1:] {
		f := strings.Split(line, ",")
		x := f[1]
		if x == "NA" {
			x = "null"
		}
		objs = append(objs, `{"i":`+f[0]+`,"x":`+x+`,"s":"`+f[2]+`"}`)
	}
	tbl, err := array.TableFromJSON(memory.DefaultAllocator, testSchema, []string{"[" + strings.Join(objs, ",") + "]"})
	require.NoError(t, err)
	return tbl
}

// smallTable is a three-row table of testSchema.
func smallTable(t testing.TB) arrow.Table {
	t.Helper()
	tbl, err := array.TableFromJSON(memory.DefaultAllocator, testSchema, []string{
		`[{"i":1,"x":0.5,"s":"a"},{"i":2,"x":null,"s":"b"},{"i":null,"x":2.5,"s":null}]`,
	})
	require.NoError(t, err)
	return tbl
}

func writeParquet(t testing.TB, tbl arrow.Table, rowGroup int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.parquet")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, pqarrow.WriteTable(tbl, f, rowGroup, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps()))
	return path
}

func writeBatches(t testing.TB, tbl arrow.Table, chunk int64, write func(arrow.RecordBatch) error) {
	t.Helper()
	tr := array.NewTableReader(tbl, chunk)
	defer tr.Release()
	for tr.Next() {
		require.NoError(t, write(tr.RecordBatch()))
	}
	require.NoError(t, tr.Err())
}

func writeIPCFile(t testing.TB, tbl arrow.Table, chunk int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.arrow")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(tbl.Schema()))
	require.NoError(t, err)
	writeBatches(t, tbl, chunk, w.Write)
	require.NoError(t, w.Close())
	return path
}

func writeIPCStream(t testing.TB, tbl arrow.Table, chunk int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.arrows")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w := ipc.NewWriter(f, ipc.WithSchema(tbl.Schema()))
	writeBatches(t, tbl, chunk, w.Write)
	require.NoError(t, w.Close())
	return path
}

func sha256File(t testing.TB, path string) (string, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), int64(len(b))
}

// xxh3File hashes the file with the one-shot XXH3-128 of the whole
// content, not the streaming hasher the readers use.
func xxh3File(t testing.TB, path string) (string, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := xxh3.Hash128(b).Bytes()
	return hex.EncodeToString(sum[:]), int64(len(b))
}

// TestRoundTrip reads a table written by Arrow's own writers in each
// binary format, and the same data as text, and checks values and
// fingerprints.
func TestRoundTrip(t *testing.T) {
	tbl := smallTable(t)
	defer tbl.Release()
	streamAsFile := filepath.Join(t.TempDir(), "stream.feather")
	b, err := os.ReadFile(writeIPCStream(t, tbl, 2))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(streamAsFile, b, 0o600))

	want := [][]string{{"1", "0.5", "a"}, {"2", "(null)", "b"}, {"(null)", "2.5", "(null)"}}
	tests := []struct {
		name, path string
		format     Format
	}{
		{"parquet", writeParquet(t, tbl, 2), Parquet},
		{"arrow file", writeIPCFile(t, tbl, 2), ArrowFile},
		{"arrow stream", writeIPCStream(t, tbl, 2), ArrowStream},
		{"stream under a file extension", streamAsFile, ArrowStream},
		{"csv", writeFile(t, "d.csv", "i,x,s\n1,0.5,a\n2,,b\n,2.5,\n"), CSV},
		{"tsv", writeFile(t, "d.tsv", "i\tx\ts\n1\t0.5\ta\n2\tNA\tb\nNA\t2.5\tNA\n"), TSV},
		{"jsonl", writeFile(t, "d.jsonl", `{"i":1,"x":0.5,"s":"a"}`+"\n"+`{"i":2,"s":"b"}`+"\n"+`{"i":null,"x":2.5}`+"\n"), JSONLines},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustRead(t, tt.path, Options{})
			assert.Equal(t, want, res.rows)
			assert.Equal(t, tt.format, res.format)
			sum, size := xxh3File(t, tt.path)
			assert.Equal(t, Fingerprint{
				Path: tt.path, Format: tt.format, Bytes: size, Algorithm: XXH3, Hash: sum, Rows: 3, Columns: 3,
				Schema: "i:int64, x:float64, s:utf8",
			}, res.fp)
			// SHA-256 on request.
			res = mustRead(t, tt.path, Options{Fingerprint: SHA256})
			sum, _ = sha256File(t, tt.path)
			assert.Equal(t, SHA256, res.fp.Algorithm)
			assert.Equal(t, sum, res.fp.Hash)
		})
	}
}

func TestFingerprintJSON(t *testing.T) {
	fp := Fingerprint{Path: "d.csv", Format: CSV, Bytes: 10, Algorithm: XXH3, Hash: "ab", Rows: 2, Columns: 1, Schema: "a:int64"}
	b, err := json.Marshal(fp)
	require.NoError(t, err)
	assert.JSONEq(t, `{"path":"d.csv","format":"csv","bytes":10,"algorithm":"xxh3-128","hash":"ab","rows":2,"columns":1,"schema":"a:int64"}`, string(b))
	var back Fingerprint
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, fp, back)

	// A result written before the algorithm was recorded: its "sha256"
	// is a SHA-256, in the set's files too.
	var old Fingerprint
	require.NoError(t, json.Unmarshal([]byte(`{"path":"d","format":"","bytes":10,"sha256":"cd","rows":2,"columns":1,"schema":"a:int64","files":[{"path":"a.csv","bytes":10,"sha256":"ef","rows":2}]}`), &old))
	assert.Equal(t, SHA256, old.Algorithm)
	assert.Equal(t, "cd", old.Hash)
	assert.Equal(t, "sha256:cd", old.Digest())
	assert.Equal(t, []FileFingerprint{{Path: "a.csv", Bytes: 10, Hash: "ef", Rows: 2}}, old.Files)
}

// TestFingerprintProjected checks that the fingerprint covers the whole
// file when only some columns are read.
func TestFingerprintProjected(t *testing.T) {
	tbl := smallTable(t)
	defer tbl.Release()
	for _, path := range []string{writeParquet(t, tbl, 1), writeIPCFile(t, tbl, 1), writeFile(t, "d.csv", "i,x,s\n1,0.5,a\n2,,b\n,2.5,\n")} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			res := mustRead(t, path, Options{Columns: []string{"s"}})
			sum, size := xxh3File(t, path)
			assert.Equal(t, sum, res.fp.Hash)
			assert.Equal(t, size, res.fp.Bytes)
			assert.Equal(t, int64(3), res.fp.Rows)
			assert.Equal(t, 3, res.fp.Columns)
			assert.Equal(t, "i:int64, x:float64, s:utf8", res.fp.Schema)
			assert.Equal(t, "s:utf8", schemaOf(res.schema))
		})
	}
}

func TestProjectionBinary(t *testing.T) {
	tbl := smallTable(t)
	defer tbl.Release()
	for _, path := range []string{writeParquet(t, tbl, 2), writeIPCFile(t, tbl, 2), writeIPCStream(t, tbl, 2)} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			res := mustRead(t, path, Options{Columns: []string{"s", "i"}})
			assert.Equal(t, "s:utf8, i:int64", schemaOf(res.schema))
			assert.Equal(t, "i:int64, x:float64, s:utf8", schemaOf(res.fileSchema))
			assert.Equal(t, [][]string{{"a", "1"}, {"b", "2"}, {"(null)", "(null)"}}, res.rows)

			_, err := read(t, path, Options{Columns: []string{"i", "ss"}})
			var me *MissingColumnsError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, []string{"i", "x", "s"}, me.Available)
			assert.EqualError(t, err, path+`: no column "ss" (did you mean "s"?); columns are: i, x, s`)
		})
	}
}

// TestParquetReadsOnlyProjectedColumns corrupts the column chunks of one
// column and reads the others: the corrupt chunks must never be decoded.
func TestParquetReadsOnlyProjectedColumns(t *testing.T) {
	tbl := smallTable(t)
	defer tbl.Release()
	path := writeParquet(t, tbl, 2)

	pf, err := file.OpenParquetFile(path, false)
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	for rg := range pf.NumRowGroups() {
		cc, err := pf.MetaData().RowGroup(rg).ColumnChunk(2)
		require.NoError(t, err)
		start := cc.DataPageOffset()
		if cc.HasDictionaryPage() && cc.DictionaryPageOffset() < start {
			start = cc.DictionaryPageOffset()
		}
		for i := start; i < start+cc.TotalCompressedSize(); i++ {
			b[i] = 0xff
		}
	}
	require.NoError(t, pf.Close())
	require.NoError(t, os.WriteFile(path, b, 0o600))

	res := mustRead(t, path, Options{Columns: []string{"x", "i"}})
	assert.Equal(t, [][]string{{"0.5", "1"}, {"(null)", "2"}, {"2.5", "(null)"}}, res.rows)
}

func TestBinaryErrors(t *testing.T) {
	tbl := smallTable(t)
	defer tbl.Release()
	emptyTbl := array.NewTableFromRecords(testSchema, nil)
	defer emptyTbl.Release()

	truncate := func(path string) string {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, b[:len(b)/2], 0o600))
		return path
	}
	tests := []struct {
		name, path, want string
		empty            bool
	}{
		{name: "truncated parquet", path: truncate(writeParquet(t, tbl, 2)), want: "not a valid Parquet file: "},
		{name: "not parquet", path: writeFile(t, "d.parquet", "id,age\n1,2\n"), want: "not a Parquet file: it does not start with Parquet's signature PAR1"},
		{name: "tiny parquet", path: writeFile(t, "d.pq", "PAR1"), want: "not a valid Parquet file: "},
		{name: "truncated arrow file", path: truncate(writeIPCFile(t, tbl, 2)), want: "not a valid Arrow IPC file: "},
		{name: "not arrow", path: writeFile(t, "d.arrow", "id,age\n1,2\n"), want: "not a valid Arrow IPC stream: "},
		{name: "truncated arrow stream", path: truncate(writeIPCStream(t, tbl, 1)), want: "reading Arrow IPC stream batch 1: "},
		{name: "parquet without rows", path: writeParquet(t, emptyTbl, 2), want: "no data rows (the Parquet file has a schema but no rows)", empty: true},
		{name: "arrow stream without rows", path: writeIPCStream(t, emptyTbl, 2), want: "no data rows (no rows after the header or schema)", empty: true},
		{name: "arrow file without rows", path: writeIPCFile(t, emptyTbl, 2), want: "no data rows (no rows after the header or schema)", empty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, tt.path, Options{})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.path+": "+tt.want), "error %q", err)
			assert.Equal(t, tt.empty, errors.Is(err, ErrEmpty))
		})
	}
}

// TestReaderLifecycle checks the array.RecordReader contract: Retain keeps
// a batch past Next, Close is idempotent, Release closes.
func TestReaderLifecycle(t *testing.T) {
	tbl := smallTable(t)
	defer tbl.Release()
	for _, path := range []string{writeParquet(t, tbl, 1), writeIPCFile(t, tbl, 1), writeFile(t, "d.csv", "a\n1\n2\n3\n")} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r, err := Open(t.Context(), path, Options{BatchSize: 1, Allocator: mem})
			require.NoError(t, err)
			r.Retain()
			require.True(t, r.Next())
			kept := r.RecordBatch()
			kept.Retain()
			assert.Same(t, kept, r.Record())
			require.True(t, r.Next())
			assert.Equal(t, int64(1), kept.NumRows())
			kept.Release()
			r.Release()
			require.True(t, r.Next(), "one Release of two keeps the reader open")
			require.NoError(t, r.Close())
			require.NoError(t, r.Close())
			assert.False(t, r.Next())
			assert.Nil(t, r.RecordBatch())
			r.Release()
		})
	}
}
