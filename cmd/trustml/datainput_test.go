package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallTable is five rows of an int, a float and a string column.
func smallTable(t *testing.T) arrow.Table {
	t.Helper()
	names := []string{"id", "x", "s"}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: names[0], Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: names[1], Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: names[2], Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	var rows []string
	for i := range 5 {
		rows = append(rows, fmt.Sprintf(`[%d, %d.5, "v%d"]`, i+1, i, i))
	}
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, sc, strings.NewReader(`[`+jsonObjects(sc, rows)+`]`))
	require.NoError(t, err)
	defer rec.Release()
	return array.NewTableFromRecords(sc, []arrow.RecordBatch{rec})
}

// jsonObjects turns positional rows into the objects RecordFromJSON reads.
func jsonObjects(sc *arrow.Schema, rows []string) string {
	var objs []string
	for _, r := range rows {
		vals := strings.Split(strings.Trim(r, "[]"), ", ")
		var kv []string
		for j, f := range sc.Fields() {
			kv = append(kv, fmt.Sprintf("%q: %s", f.Name, vals[j]))
		}
		objs = append(objs, "{"+strings.Join(kv, ", ")+"}")
	}
	return strings.Join(objs, ", ")
}

func writeParquetFile(t *testing.T, path string, tbl arrow.Table) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, pqarrow.WriteTable(tbl, &buf, 2, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps()))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

func writeArrowFile(t *testing.T, path string, tbl arrow.Table, stream bool) {
	t.Helper()
	var buf bytes.Buffer
	tr := array.NewTableReader(tbl, 2)
	defer tr.Release()
	var w interface {
		Write(arrow.RecordBatch) error
		Close() error
	}
	if stream {
		w = ipc.NewWriter(&buf, ipc.WithSchema(tbl.Schema()))
	} else {
		fw, err := ipc.NewFileWriter(&buf, ipc.WithSchema(tbl.Schema()))
		require.NoError(t, err)
		w = fw
	}
	for tr.Next() {
		require.NoError(t, w.Write(tr.RecordBatch()))
	}
	require.NoError(t, w.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

// TestCorruptBinaryNeverPanics changes every byte of the data of small
// Parquet and Arrow IPC files in turn (the column chunks and record
// batches; not the schema and footer, see dataRange) and checks the whole
// suite: each run ends with an exit code (2 when the file cannot be read,
// with the file named), never a panic, however the decoder or the checks
// meet the damage.
func TestCorruptBinaryNeverPanics(t *testing.T) {
	dir := t.TempDir()
	tbl := smallTable(t)
	defer tbl.Release()
	for _, name := range []string{"d.parquet", "d.arrow", "d.arrows"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			switch name {
			case "d.parquet":
				writeParquetFile(t, path, tbl)
			default:
				writeArrowFile(t, path, tbl, name == "d.arrows")
			}
			orig, err := os.ReadFile(path)
			require.NoError(t, err)
			suite := writeFile(t, dir, name+".yaml", "data: {path: "+name+"}\nexpectations:\n  columns:\n"+
				"    id: {unique: true, range: {min: 0}}\n    x: {mean: {min: -1e9}, median: {min: -1e9}}\n"+
				"    s: {in_set: [v0, v1, v2, v3, v4], distinct: {min: 1}}\n")
			lo, hi := dataRange(t, name, orig, tbl.Schema())
			codes := map[int]int{}
			for i := lo; i < hi; i++ {
				for _, x := range []byte{0xff, 0x01} {
					b := bytes.Clone(orig)
					b[i] ^= x
					require.NoError(t, os.WriteFile(path, b, 0o644))
					code, _, errs := cli(t, "check", suite)
					codes[code]++
					require.Contains(t, []int{0, 1, 2}, code, "byte %d ^ %#x", i, x)
					if code == 2 {
						require.Contains(t, errs, name, "byte %d ^ %#x: the error names the file", i, x)
						require.NotContains(t, errs, "goroutine ", "byte %d ^ %#x", i, x)
					}
				}
			}
			require.NoError(t, os.WriteFile(path, orig, 0o644))
			code, out, errs := cli(t, "check", suite)
			assert.Equal(t, 0, code, out+errs)
			t.Logf("%s: exit codes over %d corruptions: %v", name, 2*(hi-lo), codes)
		})
	}
}

// TestDuplicateColumnNames checks that Arrow and Parquet files with two
// columns of one name are refused, as CSV headers are.
func TestDuplicateColumnNames(t *testing.T) {
	dir := t.TempDir()
	base := smallTable(t)
	defer base.Release()
	dup := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "x", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	cols := make([]arrow.Column, 3)
	for j := range cols {
		cols[j] = *arrow.NewColumn(dup.Field(j), base.Column(j).Data())
	}
	tbl := array.NewTable(dup, cols, -1)
	defer tbl.Release()
	writeParquetFile(t, filepath.Join(dir, "d.parquet"), tbl)
	writeArrowFile(t, filepath.Join(dir, "d.arrow"), tbl, false)
	writeArrowFile(t, filepath.Join(dir, "d.arrows"), tbl, true)
	for _, name := range []string{"d.parquet", "d.arrow", "d.arrows"} {
		suite := writeFile(t, dir, name+".yaml", "data: {path: "+name+"}\nexpectations: {columns: {x: {missing: 0}}}\n")
		code, _, errs := cli(t, "check", suite)
		assert.Equal(t, 2, code, name)
		assert.Contains(t, errs, `two columns named "x" (columns 2 and 3)`, name)
	}
}

// TestMisleadingErrors holds the reproductions of issue 19's class 6 for
// data input: each message says what is really wrong.
func TestMisleadingErrors(t *testing.T) {
	dir := t.TempDir()
	var typo strings.Builder
	typo.WriteString("x,y\n")
	for i := 1; i <= 1000; i++ {
		v := fmt.Sprint(i)
		if i == 500 {
			v = "1O"
		}
		fmt.Fprintf(&typo, "%s,\n", v)
	}
	writeFile(t, dir, "typo.csv", typo.String())

	t.Run("a typo in a numeric column says where and how to fix it", func(t *testing.T) {
		suite := writeFile(t, dir, "typo.yaml", "data: {path: typo.csv}\nexpectations: {columns: {x: {range: {min: 0}}}}\n")
		code, _, errs := cli(t, "check", suite)
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, `column "x" is utf8; range needs a numeric column: 999 of its first 1000 values are numbers, but not "1O" at `)
		assert.Contains(t, errs, "typo.csv:501:1; fix that value, or set data.types: {x: float64}")

		// The fix it names works: the reader then points at the value.
		suite = writeFile(t, dir, "typo2.yaml", "data: {path: typo.csv, types: {x: float64}}\nexpectations: {columns: {x: {range: {min: 0}}}}\n")
		code, _, errs = cli(t, "check", suite)
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, `typo.csv:501:1: column "x": "1O" is not a valid float64`)
	})

	t.Run("an all-empty column is null and its statistics undefined", func(t *testing.T) {
		suite := writeFile(t, dir, "empty.yaml", "data: {path: typo.csv}\nexpectations: {columns: {y: {mean: {min: 0}, range: {min: 0}, missing: {max: 5}}}}\n")
		code, out, errs := cli(t, "check", suite)
		assert.Equal(t, 1, code, errs)
		assert.Contains(t, out, "FAIL  columns.y.mean: mean undefined (no non-null values)")
		assert.Contains(t, out, "FAIL  columns.y.missing: 1000 of 1000 missing")
		assert.NotContains(t, out+errs, "utf8")
	})

	t.Run("a JSON Lines key first seen after the sample", func(t *testing.T) {
		var b strings.Builder
		for i := range 10050 {
			if i >= 10020 {
				fmt.Fprintf(&b, `{"id":%d,"late":%d.5}`+"\n", i, i)
			} else {
				fmt.Fprintf(&b, `{"id":%d}`+"\n", i)
			}
		}
		writeFile(t, dir, "late.jsonl", b.String())
		suite := writeFile(t, dir, "late.yaml", "data: {path: late.jsonl}\nexpectations: {columns: {late: {range: {min: 10020, max: 10049.5}, missing: {max: 10020}}}}\n")
		code, out, errs := cli(t, "check", suite)
		assert.Equal(t, 0, code, out+errs)

		// A key that is nowhere in the file is still an error, a true one.
		suite = writeFile(t, dir, "late2.yaml", "data: {path: late.jsonl}\nexpectations: {columns: {lat: {missing: 0}}}\n")
		code, _, errs = cli(t, "check", suite)
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, `no column "lat"`)
		assert.Contains(t, errs, "id, late")
	})

	t.Run("a FIFO such as /dev/stdin", func(t *testing.T) {
		fifo := filepath.Join(dir, "pipe.csv")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			f.WriteString(peopleCSV)
		}()
		suite := writeFile(t, dir, "pipe.yaml", "data: {path: pipe.csv}\nexpectations: {columns: {age: {range: {min: 0, max: 200}}}}\n")
		code, out, errs := cli(t, "check", suite)
		assert.Equal(t, 0, code, out+errs)
		assert.Contains(t, out, "4 rows")
	})

	t.Run("content that is not the extension's format", func(t *testing.T) {
		tbl := smallTable(t)
		defer tbl.Release()
		writeParquetFile(t, filepath.Join(dir, "pq.csv"), tbl)
		suite := writeFile(t, dir, "pq.yaml", "data: {path: pq.csv}\nexpectations: {columns: {x: {missing: 0}}}\n")
		code, _, errs := cli(t, "check", suite)
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, "pq.csv: the file is a Parquet file, not CSV text; give it the extension .parquet or set format: parquet")

		writeFile(t, dir, "z.jsonl", "\x28\xb5\x2f\xfd\x00\x00")
		suite = writeFile(t, dir, "z.yaml", "data: {path: z.jsonl}\nexpectations: {columns: {x: {missing: 0}}}\n")
		code, _, errs = cli(t, "check", suite)
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, "z.jsonl: the file is zstd-compressed, not JSON Lines text")

		writeFile(t, dir, "csv.parquet", peopleCSV)
		suite = writeFile(t, dir, "cp.yaml", "data: {path: csv.parquet}\nexpectations: {columns: {x: {missing: 0}}}\n")
		code, _, errs = cli(t, "check", suite)
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, "csv.parquet: not a Parquet file")
	})

	t.Run("gzip is read, named .csv or .csv.gz", func(t *testing.T) {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(peopleCSV))
		require.NoError(t, zw.Close())
		for _, name := range []string{"people.csv.gz", "people-gz.csv"} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), gz.Bytes(), 0o644))
			suite := writeFile(t, dir, name+".yaml", "data: {path: "+name+"}\nexpectations: {columns: {age: {range: {min: 0, max: 200}}, city: {in_set: [Paris, Lyon, Nice]}}}\n")
			code, out, errs := cli(t, "check", suite)
			assert.Equal(t, 0, code, name+": "+out+errs)
			assert.Contains(t, out, "4 rows", name)
		}
		var jz bytes.Buffer
		zw = gzip.NewWriter(&jz)
		zw.Write([]byte(`{"a":1}` + "\n" + `{"a":2}` + "\n"))
		require.NoError(t, zw.Close())
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a.jsonl.gz"), jz.Bytes(), 0o644))
		suite := writeFile(t, dir, "a.yaml", "data: {path: a.jsonl.gz}\nexpectations: {columns: {a: {sum: {min: 3, max: 3}}}}\n")
		code, out, errs := cli(t, "check", suite)
		assert.Equal(t, 0, code, out+errs)
	})

	t.Run("CR line endings", func(t *testing.T) {
		writeFile(t, dir, "mac.csv", strings.ReplaceAll(peopleCSV, "\n", "\r"))
		suite := writeFile(t, dir, "mac.yaml", "data: {path: mac.csv}\nexpectations: {columns: {age: {range: {min: 0, max: 200}}, city: {in_set: [Paris, Lyon, Nice]}}}\n")
		code, out, errs := cli(t, "check", suite)
		assert.Equal(t, 0, code, out+errs)
		assert.Contains(t, out, "4 rows")
	})
}

// TestSuiteSizeCap checks that a suite path that never ends is read no
// further than the cap.
func TestSuiteSizeCap(t *testing.T) {
	code, _, errs := cli(t, "check", "/dev/zero")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "/dev/zero: larger than the 4 MiB a suite file may be")

	big := writeFile(t, t.TempDir(), "big.yaml", "# "+strings.Repeat("x", 4<<20)+"\n")
	code, _, errs = cli(t, "validate", big)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "larger than the 4 MiB a suite file may be")
}

// dataRange returns the byte range of a file's data: for Parquet, from
// the magic to the footer; for Arrow IPC, from after the schema message to
// the footer (file) or the end (stream). A corrupt length in a schema's
// flatbuffer makes arrow-go allocate what it says before any check, which
// ends the process with "out of memory" and is not recoverable.
func dataRange(t *testing.T, name string, b []byte, sc *arrow.Schema) (int, int) {
	t.Helper()
	n := len(b)
	switch name {
	case "d.parquet":
		footer := int(binary.LittleEndian.Uint32(b[n-8:]))
		return 4, n - 8 - footer
	}
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(sc))
	require.NoError(t, w.Close())
	schemaLen := buf.Len() - 8 // less the end-of-stream marker
	if name == "d.arrows" {
		return schemaLen, n
	}
	footer := int(binary.LittleEndian.Uint32(b[n-10:]))
	return 8 + schemaLen, n - 10 - footer
}

// TestCorruptIPCMetadata writes huge counts over every aligned word of the
// schema message and the footer of small Arrow IPC files (the parts
// TestCorruptBinaryNeverPanics leaves out). A huge vector length there
// once made arrow-go allocate about 170 GB and the process die of memory
// (issue 19, class 1); now every run ends with an exit code, and the
// corrupt schema's field count is refused with exit 2, naming the file, the
// structure and its byte offset.
func TestCorruptIPCMetadata(t *testing.T) {
	dir := t.TempDir()
	tbl := smallTable(t)
	defer tbl.Release()
	for _, name := range []string{"d.arrow", "d.arrows"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			writeArrowFile(t, path, tbl, name == "d.arrows")
			orig, err := os.ReadFile(path)
			require.NoError(t, err)
			suite := writeFile(t, dir, name+".yaml", "data: {path: "+name+"}\nexpectations:\n  columns:\n    id: {unique: true}\n")
			lo, hi := dataRange(t, name, orig, tbl.Schema())
			codes := map[int]int{}
			fields := false
			for at := 0; at+4 <= len(orig); at += 4 {
				if at >= lo && at+4 <= hi {
					continue
				}
				for _, v := range []uint32{0xffffffff, 0x7fffffff} {
					b := bytes.Clone(orig)
					binary.LittleEndian.PutUint32(b[at:], v)
					require.NoError(t, os.WriteFile(path, b, 0o644))
					code, _, errs := cli(t, "check", suite)
					codes[code]++
					require.Contains(t, []int{0, 1, 2}, code, "word %d = %#x", at, v)
					if code == 2 {
						require.Contains(t, errs, name, "word %d = %#x: the error names the file", at, v)
						require.NotContains(t, errs, "goroutine ", "word %d = %#x", at, v)
					}
					if strings.Contains(errs, "Schema.fields claims 4294967295 entries") && strings.Contains(errs, "at byte ") {
						fields = true
						assert.Equal(t, 2, code)
					}
				}
			}
			assert.True(t, fields, "a corrupt field count is named")
			t.Logf("%s: exit codes: %v", name, codes)
		})
	}
}
