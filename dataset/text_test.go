package dataset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// here changes into a fresh directory and writes content to name there, so
// that error messages carry the bare name.
func here(t *testing.T, name, content string) string {
	t.Helper()
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile(name, []byte(content), 0o600))
	return name
}

func TestCSVInference(t *testing.T) {
	path := writeFile(t, "data.csv", "id,age,income,ok,day,ts,name,empty\n"+
		"1,30,1.5,true,2024-01-02,2024-01-02T03:04:05Z,ann,\n"+
		"2,NA,2,FALSE,2024-02-03,2024-01-02T03:04:05.5+01:00,,NA\n"+
		"3, 41 ,-inf,True,1969-12-31,2024-01-02T00:00:00Z,\"b,c\",\n")
	res := mustRead(t, path, Options{})
	assert.Equal(t, "id:int64, age:int64, income:float64, ok:bool, day:date32, ts:timestamp[us, tz=UTC], name:utf8, empty:null", schemaOf(res.schema))
	assert.Equal(t, [][]string{
		{"1", "30", "1.5", "true", "2024-01-02", "2024-01-02T03:04:05Z", "ann", "(null)"},
		{"2", "(null)", "2", "false", "2024-02-03", "2024-01-02T02:04:05.5Z", "(null)", "(null)"},
		{"3", "41", "-Inf", "true", "1969-12-31", "2024-01-02T00:00:00Z", "b,c", "(null)"},
	}, res.rows)
}

func TestInferenceEdgeCases(t *testing.T) {
	tests := []struct {
		name, content, schema string
	}{
		{"inf and nan are floats", "x\n1\ninf\n-Infinity\nnan\n", "x:float64"},
		{"hex is text", "x\n0x10\n12\n", "x:utf8"},
		{"digit separators are text", "x\n1_000\n12\n", "x:utf8"},
		{"int overflow is float", "x\n99999999999999999999\n1\n", "x:float64"},
		{"spaces around numbers", "x,y\n 1 , a \n2,b\n", "x:int64, y:utf8"},
		{"bool is not 0 or 1", "x\n0\n1\n", "x:int64"},
		{"date and timestamp mixed is text", "x\n2024-01-01\n2024-01-01T00:00:00Z\n", "x:utf8"},
		{"bad date is text", "x\n2024-13-01\n", "x:utf8"},
		{"all null is the null type", "x,y\nNA,1\n,2\n", "x:null, y:int64"},
		{"nulls do not affect inference", "x\n1\nNaN\nnull\n3\n", "x:int64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustRead(t, writeFile(t, "d.csv", tt.content), Options{Header: HeaderPresent})
			assert.Equal(t, tt.schema, schemaOf(res.schema))
		})
	}
}

func TestHeaderDetection(t *testing.T) {
	tests := []struct {
		name, file, content string
		opts                Options
		schema              string
		rows                [][]string
	}{
		{name: "header", file: "d.csv", content: "a,b\n1,2\n", schema: "a:int64, b:int64", rows: [][]string{{"1", "2"}}},
		{name: "no header", file: "d.csv", content: "1,2\n3,4.5\n", schema: "column0:int64, column1:float64",
			rows: [][]string{{"1", "2"}, {"3", "4.5"}}},
		{name: "x tab y without header", file: "regression_dataset.txt", content: "1.5\t2\n3\t4.25\n-1\t0\n",
			schema: "column0:float64, column1:float64", rows: [][]string{{"1.5", "2"}, {"3", "4.25"}, {"-1", "0"}}},
		{name: "x tab y with header", file: "regression_dataset.txt", content: "x\ty\n1.5\t2\n",
			schema: "x:float64, y:int64", rows: [][]string{{"1.5", "2"}}},
		{name: "all strings, distinct first row", file: "d.csv", content: "name,city\nann,paris\nbob,rome\n",
			schema: "name:utf8, city:utf8", rows: [][]string{{"ann", "paris"}, {"bob", "rome"}}},
		{name: "all strings, forced absent", file: "d.csv", content: "name,city\nann,paris\n", opts: Options{Header: HeaderAbsent},
			schema: "column0:utf8, column1:utf8", rows: [][]string{{"name", "city"}, {"ann", "paris"}}},
		{name: "all strings, repeated first-row value", file: "d.csv", content: "a,a\nb,c\n",
			schema: "column0:utf8, column1:utf8", rows: [][]string{{"a", "a"}, {"b", "c"}}},
		{name: "strings and numbers, data first", file: "d.csv", content: "ann,30\nbob,40\n",
			schema: "column0:utf8, column1:int64", rows: [][]string{{"ann", "30"}, {"bob", "40"}}},
		{name: "strings and numbers, header first", file: "d.csv", content: "name,age\nann,30\n",
			schema: "name:utf8, age:int64", rows: [][]string{{"ann", "30"}}},
		{name: "first-row null fits any type", file: "d.csv", content: ",1\n2,3\n",
			schema: "column0:int64, column1:int64", rows: [][]string{{"(null)", "1"}, {"2", "3"}}},
		{name: "pandas index header", file: "d.csv", content: ",a,b\n0,1,x\n1,3,y\n",
			schema: "column0:int64, a:int64, b:utf8", rows: [][]string{{"0", "1", "x"}, {"1", "3", "y"}}},
		{name: "one numeric record", file: "d.csv", content: "1,2\n", schema: "column0:int64, column1:int64", rows: [][]string{{"1", "2"}}},
		{name: "forced present", file: "d.csv", content: "1,2\n3,4\n", opts: Options{Header: HeaderPresent},
			schema: "1:int64, 2:int64", rows: [][]string{{"3", "4"}}},
		{name: "names replace header", file: "d.csv", content: "a,b\n1,2\n", opts: Options{Names: []string{"p", "q"}},
			schema: "p:int64, q:int64", rows: [][]string{{"1", "2"}}},
		{name: "names without header", file: "d.tsv", content: "1\t2\n", opts: Options{Names: []string{"p", "q"}},
			schema: "p:int64, q:int64", rows: [][]string{{"1", "2"}}},
		{name: "byte order mark", file: "d.csv", content: "\ufeffid,v\n1,2\n", schema: "id:int64, v:int64", rows: [][]string{{"1", "2"}}},
		{name: "semicolons", file: "d.csv", content: "a;b\n1,5;2\n", opts: Options{Delimiter: ';'},
			schema: "a:utf8, b:int64", rows: [][]string{{"1,5", "2"}}},
		{name: "tsv lazy quotes", file: "d.tsv", content: "a\tb\nsay \"hi\"\t1\n", schema: "a:utf8, b:int64",
			rows: [][]string{{`say "hi"`, "1"}}},
		{name: "crlf and blank lines", file: "d.csv", content: "a,b\r\n\r\n1,2\r\n\n3,4\r\n", schema: "a:int64, b:int64",
			rows: [][]string{{"1", "2"}, {"3", "4"}}},
		{name: "format override", file: "d.data", content: "a\tb\n1\t2\n", opts: Options{Format: "txt"},
			schema: "a:int64, b:int64", rows: [][]string{{"1", "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustRead(t, writeFile(t, tt.file, tt.content), tt.opts)
			assert.Equal(t, tt.schema, schemaOf(res.fileSchema))
			assert.Equal(t, tt.rows, res.rows)
		})
	}
}

func TestNullValues(t *testing.T) {
	content := "a,b\nNA,1\n,2\nnull,NaN\nx,3\n-,na\n"
	tests := []struct {
		name   string
		nulls  []string
		schema string
		rows   [][]string
	}{
		{"default", nil, "a:utf8, b:utf8", [][]string{{"(null)", "1"}, {"(null)", "2"}, {"(null)", "(null)"}, {"x", "3"}, {"-", "na"}}},
		{"custom", []string{"-", "na", "NaN"}, "a:utf8, b:int64", [][]string{{"NA", "1"}, {"", "2"}, {"null", "(null)"}, {"x", "3"}, {"(null)", "(null)"}}},
		{"none", []string{}, "a:utf8, b:utf8", [][]string{{"NA", "1"}, {"", "2"}, {"null", "NaN"}, {"x", "3"}, {"-", "na"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustRead(t, writeFile(t, "d.csv", content), Options{NullValues: tt.nulls, Header: HeaderPresent})
			assert.Equal(t, tt.schema, schemaOf(res.schema))
			assert.Equal(t, tt.rows, res.rows)
		})
	}
}

func TestTypesOverride(t *testing.T) {
	path := writeFile(t, "d.csv", "id,age,when,flag,small\n1,30,2024-01-02T03:04:05.123Z,1,7\n2,31.5,2024-01-02T03:04:05Z,0,-8\n")
	res := mustRead(t, path, Options{Types: map[string]arrow.DataType{
		"id":    arrow.BinaryTypes.String,
		"age":   arrow.PrimitiveTypes.Float32,
		"when":  &arrow.TimestampType{Unit: arrow.Millisecond},
		"flag":  arrow.PrimitiveTypes.Uint8,
		"small": arrow.PrimitiveTypes.Int8,
	}})
	assert.Equal(t, "id:utf8, age:float32, when:timestamp[ms], flag:uint8, small:int8", schemaOf(res.schema))
	assert.Equal(t, [][]string{
		{"1", "30", "2024-01-02T03:04:05.123", "1", "7"},
		{"2", "31.5", "2024-01-02T03:04:05", "0", "-8"},
	}, res.rows)
}

func TestAirquality(t *testing.T) {
	res := mustRead(t, filepath.Join("testdata", "airquality.csv"), Options{BatchSize: 50})
	assert.Equal(t, "Ozone:int64, Solar.R:int64, Wind:float64, Temp:int64, Month:int64, Day:int64", schemaOf(res.schema))
	require.Len(t, res.rows, 153)
	assert.Equal(t, []int64{50, 50, 50, 3}, res.batches)
	nulls := make([]int, 6)
	for _, row := range res.rows {
		for j, v := range row {
			if v == "(null)" {
				nulls[j]++
			}
		}
	}
	assert.Equal(t, []int{37, 7, 0, 0, 0, 0}, nulls)
	assert.Equal(t, []string{"(null)", "(null)", "14.3", "56", "5", "5"}, res.rows[4])
	assert.Equal(t, int64(153), res.fp.Rows)
}

func TestProjectionText(t *testing.T) {
	content := "id,age,income\n1,30,10.5\n2,40,bad\n"
	res := mustRead(t, writeFile(t, "d.csv", content), Options{Columns: []string{"age", "id"}})
	assert.Equal(t, "age:int64, id:int64", schemaOf(res.schema))
	assert.Equal(t, "id:int64, age:int64, income:utf8", schemaOf(res.fileSchema))
	assert.Equal(t, [][]string{{"30", "1"}, {"40", "2"}}, res.rows)
	assert.Equal(t, 3, res.fp.Columns)
}

// TestBatchSizes checks that the batch size changes only how rows are
// grouped, for every format.
func TestBatchSizes(t *testing.T) {
	var csvText, jsonText strings.Builder
	csvText.WriteString("i,x,s\n")
	var want [][]string
	for i := range 50 {
		x := "NA"
		jx := "null"
		if i%5 != 0 {
			x = fmt.Sprint(float64(i) / 4)
			jx = x
		}
		fmt.Fprintf(&csvText, "%d,%s,s%d\n", i, x, i)
		fmt.Fprintf(&jsonText, `{"i":%d,"x":%s,"s":"s%d"}`+"\n", i, jx, i)
		xs := x
		if x == "NA" {
			xs = "(null)"
		}
		want = append(want, []string{fmt.Sprint(i), xs, fmt.Sprint("s", i)})
	}
	files := map[string]string{
		"csv":   writeFile(t, "d.csv", csvText.String()),
		"tsv":   writeFile(t, "d.tsv", strings.ReplaceAll(csvText.String(), ",", "\t")),
		"jsonl": writeFile(t, "d.jsonl", jsonText.String()),
	}
	tbl := tableFromCSV(t, csvText.String())
	defer tbl.Release()
	files["parquet"] = writeParquet(t, tbl, 16)
	files["arrow"] = writeIPCFile(t, tbl, 16)
	files["arrows"] = writeIPCStream(t, tbl, 16)

	for _, format := range []string{"csv", "tsv", "jsonl", "parquet", "arrow", "arrows"} {
		for _, size := range []int{1, 7, 1000} {
			t.Run(fmt.Sprint(format, "/", size), func(t *testing.T) {
				res := mustRead(t, files[format], Options{BatchSize: size, InferRows: 10})
				assert.Equal(t, "i:int64, x:float64, s:utf8", schemaOf(res.schema))
				assert.Equal(t, want, res.rows)
				for _, n := range res.batches {
					assert.LessOrEqual(t, n, int64(size))
				}
				if format != "parquet" && format != "arrow" && format != "arrows" {
					assert.Len(t, res.batches, (50+size-1)/size)
				}
			})
		}
	}
}

func TestTextErrors(t *testing.T) {
	tests := []struct {
		name, file, content string
		opts                Options
		want                string
		empty               bool
	}{
		{name: "value does not fit inferred int", file: "data.csv", content: "id,age\n1,30\n2,31\n3,32\n4,12.5\n", opts: Options{InferRows: 3},
			want: `data.csv:5:2: column "age": "12.5" is not a valid int64 (type inferred from the first 3 rows; set it with types: {age: float64})`},
		{name: "value does not fit inferred float", file: "data.csv", content: "id,Solar R\n1,3.5\n2,abc\n", opts: Options{InferRows: 1},
			want: `data.csv:3:2: column "Solar R": "abc" is not a valid float64 (type inferred from the first 1 row; set it with types: {"Solar R": utf8})`},
		{name: "value does not fit inferred date", file: "data.csv", content: "d\n2024-01-01\n2024-02-30\n", opts: Options{InferRows: 1, Header: HeaderPresent},
			want: `data.csv:3:1: column "d": "2024-02-30" is not a valid date32 (type inferred from the first 1 row; set it with types: {d: utf8})`},
		{name: "value does not fit set type", file: "data.csv", content: "id,age\n1,x\n", opts: Options{Types: map[string]arrow.DataType{"age": arrow.PrimitiveTypes.Int64}},
			want: `data.csv:2:2: column "age": "x" is not a valid int64 (type set by types)`},
		{name: "value out of range of set type", file: "data.csv", content: "id,age\n1,300\n", opts: Options{Types: map[string]arrow.DataType{"age": arrow.PrimitiveTypes.Int8}},
			want: `data.csv:2:2: column "age": "300" is not a valid int8 (type set by types)`},
		{name: "ragged row in sample", file: "data.csv", content: "a,b,c,d,e\n1,2,3,4,5\n1,2,3,4\n",
			want: `data.csv:3: row has 4 fields, header has 5`},
		{name: "ragged row after sample", file: "data.csv", content: "a,b\n1,2\n3,4\n5,6,7\n", opts: Options{InferRows: 1},
			want: `data.csv:4: row has 3 fields, header has 2`},
		{name: "ragged row without header", file: "data.csv", content: "1,2\n3\n",
			want: `data.csv:2: row has 1 fields, first row has 2`},
		{name: "multi-line field keeps positions", file: "data.csv", content: "a,b\n\"x\ny\",1\nz,w\n", opts: Options{InferRows: 1},
			want: `data.csv:4:2: column "b": "w" is not a valid int64 (type inferred from the first 1 row; set it with types: {b: utf8})`},
		{name: "invalid UTF-8 in a string column", file: "data.csv", content: "id,name\n1,ok\n2,ab\xf3c\n",
			want: `data.csv:3:2: column "name": "ab\xf3c" is not valid UTF-8 (byte 3 of the value); convert the file to UTF-8`},
		{name: "invalid UTF-8 alone", file: "data.csv", content: "0,\xf3\n", opts: Options{Header: HeaderAbsent},
			want: `data.csv:1:2: column "column1": "\xf3" is not valid UTF-8 (byte 1 of the value); convert the file to UTF-8`},
		{name: "bare quote", file: "data.csv", content: "a,b\n1,x\"y\n",
			want: `data.csv:2: bare " in non-quoted-field (at byte 4 of the line)`},
		{name: "unterminated quote", file: "data.csv", content: "a,b\n1,\"xy\n",
			want: `data.csv:2: extraneous or missing " in quoted-field (at byte 7 of the line)`},
		{name: "empty file", file: "data.csv", content: "", want: `data.csv: no data rows (the file is empty)`, empty: true},
		{name: "blank lines only", file: "data.csv", content: "\n\r\n\n", want: `data.csv: no data rows (no records, only blank lines)`, empty: true},
		{name: "header only", file: "data.csv", content: "id,age,income\n", want: `data.csv: no data rows (header only)`, empty: true},
		{name: "header only, forced", file: "data.tsv", content: "1\t2\n", opts: Options{Header: HeaderPresent}, want: `data.tsv: no data rows (header only)`, empty: true},
		{name: "duplicate header", file: "data.csv", content: "a,b,a\n1,2,3\n",
			want: `data.csv:1:3: duplicate column name "a" (fields 1 and 3); rename it or set the names`},
		{name: "duplicate names", file: "data.csv", content: "1,2\n", opts: Options{Names: []string{"x", "x"}},
			want: `data.csv: names: "x" is given twice (names 1 and 2)`},
		{name: "wrong number of names", file: "data.csv", content: "1,2\n", opts: Options{Names: []string{"x"}},
			want: `data.csv: 1 names given, but the file has 2 columns`},
		{name: "missing projected column", file: "data.csv", content: "id,age,income\n1,2,3\n", opts: Options{Columns: []string{"id", "agee"}},
			want: `data.csv: no column "agee" (did you mean "age"?); columns are: id, age, income`},
		{name: "missing projected columns", file: "data.csv", content: "id,age,income\n1,2,3\n", opts: Options{Columns: []string{"ID", "zzz"}},
			want: `data.csv: no columns "ID" (did you mean "id"?), "zzz"; columns are: id, age, income`},
		{name: "column listed twice", file: "data.csv", content: "id,age\n1,2\n", opts: Options{Columns: []string{"id", "id"}},
			want: `data.csv: column "id" is listed twice in the columns to read`},
		{name: "types names a missing column", file: "data.csv", content: "id,age\n1,2\n", opts: Options{Types: map[string]arrow.DataType{"agge": arrow.PrimitiveTypes.Float64}},
			want: `data.csv: no column "agge" (did you mean "age"?); columns are: id, age`},
		{name: "unsupported type", file: "data.csv", content: "id,age\n1,2\n", opts: Options{Types: map[string]arrow.DataType{"age": arrow.ListOf(arrow.PrimitiveTypes.Int64)}},
			want: `data.csv: types: column "age": cannot read text as list<item: int64, nullable>`},
		{name: "invalid delimiter", file: "data.csv", content: "a\n1\n", opts: Options{Delimiter: '"'},
			want: `data.csv: csv: invalid field or comment delimiter`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, here(t, tt.file, tt.content), tt.opts)
			require.EqualError(t, err, tt.want)
			assert.Equal(t, tt.empty, errors.Is(err, ErrEmpty))
		})
	}
}

func TestParseErrorFields(t *testing.T) {
	_, err := read(t, here(t, "data.csv", "id,age\n1,2\n2,x\n"), Options{InferRows: 1})
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ParseError{Path: "data.csv", Line: 3, Column: 2, Field: "age", Err: pe.Err}, *pe)
	assert.Equal(t, `"x" is not a valid int64 (type inferred from the first 1 row; set it with types: {age: utf8})`, errors.Unwrap(pe).Error())

	_, err = read(t, here(t, "data.csv", "id,age\n1,2\n"), Options{Columns: []string{"agee"}})
	var me *MissingColumnsError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, MissingColumnsError{Path: "data.csv", Missing: []string{"agee"}, Available: []string{"id", "age"}}, *me)
}

func TestOpenErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.Mkdir("dir.csv", 0o700))
	require.NoError(t, os.WriteFile("data.xls", []byte("x"), 0o600))
	require.NoError(t, os.WriteFile("data.csv", []byte("a\n1\n"), 0o600))
	tests := []struct {
		name, path string
		opts       Options
		want       string
		is         error
	}{
		{"missing file", "nope.csv", Options{}, "dataset: open nope.csv: no such file or directory", os.ErrNotExist},
		{"directory", "dir.csv", Options{}, "dir.csv: is a directory, not a data file", nil},
		{"unknown extension", "data.xls", Options{}, `data.xls: unknown file extension ".xls"; supported extensions are .csv, .tsv, .tab, .txt, .parquet, .pq, .arrow, .feather, .ipc, .arrows, .jsonl, .ndjson (or set the format)`, nil},
		{"unknown format", "data.csv", Options{Format: "xls"}, `data.csv: dataset: unknown format "xls"; valid formats are csv, tsv, txt, parquet, arrow, feather, ipc, arrows, jsonl, ndjson`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, tt.path, tt.opts)
			require.EqualError(t, err, tt.want)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestContextCancel(t *testing.T) {
	path := here(t, "data.csv", "a\n1\n2\n3\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Open(ctx, path, Options{})
	require.EqualError(t, err, "data.csv: context canceled")

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	r, err := Open(ctx, path, Options{BatchSize: 1, Allocator: mem})
	require.NoError(t, err)
	defer r.Release()
	require.True(t, r.Next())
	cancel()
	require.False(t, r.Next())
	require.ErrorIs(t, r.Err(), context.Canceled)
	_, err = r.Fingerprint()
	require.EqualError(t, err, "data.csv: fingerprint: the data has not been read to the end")
}
