package dataset

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONLines(t *testing.T) {
	tests := []struct {
		name, content string
		opts          Options
		schema        string
		rows          [][]string
	}{
		{
			name: "types and nulls",
			content: `{"id":1,"x":1,"s":"a","b":true,"d":"2024-01-01","ts":"2024-01-01T10:00:00Z","n":null}` + "\n" +
				`{"id":2,"x":2.5,"s":"12","b":false,"d":"2024-01-02","ts":"2024-01-01T10:00:00+02:00","n":null}` + "\n",
			schema: "id:int64, x:float64, s:utf8, b:bool, d:date32, ts:timestamp[us, tz=UTC], n:null",
			rows: [][]string{
				{"1", "1", "a", "true", "2024-01-01", "2024-01-01T10:00:00Z", "(null)"},
				{"2", "2.5", "12", "false", "2024-01-02", "2024-01-01T08:00:00Z", "(null)"},
			},
		},
		{
			name:    "keys in order of first appearance, absent keys null, blank lines skipped",
			content: `{"b":1}` + "\n\n  \n" + `{"a":"x","b":2}` + "\n" + `{"c":true}`,
			schema:  "b:int64, a:utf8, c:bool",
			rows:    [][]string{{"1", "(null)", "(null)"}, {"2", "x", "(null)"}, {"(null)", "(null)", "true"}},
		},
		{
			name:    "mixed kinds keep their text",
			content: `{"v":1}` + "\n" + `{"v":"a"}` + "\n" + `{"v":true}` + "\n" + `{"v":1.50}` + "\n",
			schema:  "v:utf8",
			rows:    [][]string{{"1"}, {"a"}, {"true"}, {"1.50"}},
		},
		{
			name:    "large integers and exponents are floats",
			content: `{"v":1e3,"w":99999999999999999999}` + "\n",
			schema:  "v:float64, w:float64",
			rows:    [][]string{{"1000", "1e+20"}},
		},
		{
			name:    "types override, strings parsed",
			content: `{"id":"12","x":3}` + "\n" + `{"id":"13","x":4}` + "\n",
			opts:    Options{Types: map[string]arrow.DataType{"id": arrow.PrimitiveTypes.Int32, "x": arrow.BinaryTypes.String}},
			schema:  "id:int32, x:utf8",
			rows:    [][]string{{"12", "3"}, {"13", "4"}},
		},
		{
			name:    "projection",
			content: `{"a":1,"b":"x","c":2}` + "\n" + `{"a":3,"b":"y","c":4}` + "\n",
			opts:    Options{Columns: []string{"c", "a"}},
			schema:  "c:int64, a:int64",
			rows:    [][]string{{"2", "1"}, {"4", "3"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustRead(t, writeFile(t, "d.jsonl", tt.content), tt.opts)
			assert.Equal(t, tt.schema, schemaOf(res.schema))
			assert.Equal(t, tt.rows, res.rows)
		})
	}
}

func TestJSONLinesErrors(t *testing.T) {
	tests := []struct {
		name, content string
		opts          Options
		want          string
		empty         bool
	}{
		{name: "nested array", content: `{"a":1}` + "\n" + `{"a":2,"tags":["x"]}` + "\n",
			want: `data.jsonl:2: column "tags": nested arrays are not supported; flatten the data`},
		{name: "nested object", content: `{"a":{"b":1}}` + "\n",
			want: `data.jsonl:1: column "a": nested objects are not supported; flatten the data`},
		{name: "key after the sample", content: `{"a":1}` + "\n" + `{"a":2}` + "\n\n" + `{"a":3,"extra":1}` + "\n", opts: Options{InferRows: 2},
			want: `data.jsonl:4: column "extra": not in the columns found in the first 2 rows`},
		{name: "value does not fit", content: `{"age":1}` + "\n" + `{"age":2}` + "\n" + `{"age":12.5}` + "\n", opts: Options{InferRows: 2},
			want: `data.jsonl:3: column "age": "12.5" is not a valid int64 (type inferred from the first 2 rows; set it with types: {age: float64})`},
		{name: "value does not fit set type", content: `{"age":"old"}` + "\n", opts: Options{Types: map[string]arrow.DataType{"age": arrow.PrimitiveTypes.Int64}},
			want: `data.jsonl:1: column "age": "old" is not a valid int64 (type set by types)`},
		{name: "invalid json", content: `{"a":1}` + "\n" + `{"a":x}` + "\n",
			want: `data.jsonl:2: invalid JSON: invalid character 'x' looking for beginning of value`},
		{name: "truncated object", content: `{"a":1`,
			want: `data.jsonl:1: invalid JSON: unexpected EOF`},
		{name: "not an object", content: `[1,2]` + "\n",
			want: `data.jsonl:1: expected a JSON object, found an array`},
		{name: "scalar line", content: `{"a":1}` + "\n" + `5` + "\n",
			want: `data.jsonl:2: expected a JSON object, found a number`},
		{name: "two objects on a line", content: `{"a":1} {"a":2}` + "\n",
			want: `data.jsonl:1: more than one JSON value on the line`},
		{name: "duplicate key", content: `{"a":1,"a":2}` + "\n",
			want: `data.jsonl:1: column "a": key appears twice in the object`},
		{name: "missing projected column", content: `{"id":1,"age":2}` + "\n", opts: Options{Columns: []string{"agee"}},
			want: `data.jsonl: no column "agee" (did you mean "age"?); columns are: id, age`},
		{name: "types names a missing column", content: `{"id":1}` + "\n", opts: Options{Types: map[string]arrow.DataType{"x": arrow.PrimitiveTypes.Int64}},
			want: `data.jsonl: no column "x"; columns are: id`},
		{name: "unsupported type", content: `{"id":1}` + "\n", opts: Options{Types: map[string]arrow.DataType{"id": arrow.BinaryTypes.Binary}},
			want: `data.jsonl: types: column "id": cannot read JSON values as binary`},
		{name: "no keys", content: "{}\n{}\n", want: `data.jsonl: no columns: the first 2 objects have no keys`},
		{name: "empty file", content: "", want: `data.jsonl: no data rows (the file is empty)`, empty: true},
		{name: "blank lines only", content: "\n \n", want: `data.jsonl: no data rows (no JSON objects, only blank lines)`, empty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, here(t, "data.jsonl", tt.content), tt.opts)
			require.EqualError(t, err, tt.want)
			assert.Equal(t, tt.empty, errors.Is(err, ErrEmpty))
		})
	}
}
