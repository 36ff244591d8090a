package model

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// helperEnv switches the test binary into a subprocess model for the
// Command tests (the helper-process pattern): see runHelper.
const helperEnv = "TRUSTML_MODEL_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	os.Exit(m.Run())
}

// runHelper is the subprocess model. Modes:
//
//	double:    answers 2·x for each row {"x": ...}; appends a line to the
//	           file $TRUSTML_MODEL_HELPER_STARTS when it starts.
//	crash:     reads one row, writes 25 numbered lines to stderr, exits 3.
//	malformed: answers "not-a-number" to every row.
//	hang:      reads rows and never answers.
//	stderr:    answers each row on standard error only.
//	twice:     answers 2·x for each row, then x on a second line.
func runHelper(mode string) int {
	if f := os.Getenv("TRUSTML_MODEL_HELPER_STARTS"); f != "" {
		fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return 9
		}
		fmt.Fprintln(fh, "start")
		fh.Close()
	}
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		switch mode {
		case "double":
			var row map[string]any
			if err := json.Unmarshal(in.Bytes(), &row); err != nil {
				fmt.Fprintln(os.Stderr, "bad row:", err)
				return 2
			}
			x, _ := row["x"].(float64)
			fmt.Fprintln(out, strconv.FormatFloat(2*x, 'g', -1, 64))
		case "crash":
			for i := 1; i <= 25; i++ {
				fmt.Fprintf(os.Stderr, "oops %d\n", i)
			}
			return 3
		case "malformed":
			fmt.Fprintln(out, "not-a-number")
		case "hang":
			continue
		case "stderr":
			fmt.Fprintln(os.Stderr, "prediction 1.0")
		case "twice":
			var row map[string]any
			if err := json.Unmarshal(in.Bytes(), &row); err != nil {
				return 2
			}
			x, _ := row["x"].(float64)
			fmt.Fprintln(out, strconv.FormatFloat(2*x, 'g', -1, 64))
			fmt.Fprintln(out, strconv.FormatFloat(x, 'g', -1, 64))
		}
		out.Flush()
	}
	return 0
}

// newMem returns a checked allocator that must be back to zero when the
// test ends.
func newMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// column is a named test column; build makes its array.
type column struct {
	name  string
	typ   arrow.DataType
	build func(mem memory.Allocator) arrow.Array
}

// f64 is a float64 column; a nil value is a null.
func f64(name string, vals ...any) column {
	return column{name, arrow.PrimitiveTypes.Float64, func(mem memory.Allocator) arrow.Array {
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		for _, v := range vals {
			switch v := v.(type) {
			case nil:
				b.AppendNull()
			case float64:
				b.Append(v)
			case int:
				b.Append(float64(v))
			default:
				panic(fmt.Sprintf("f64: %T", v))
			}
		}
		return b.NewArray()
	}}
}

// floats64 is a float64 column without nulls.
func floats64(name string, vals []float64) column {
	anys := make([]any, len(vals))
	for i, v := range vals {
		anys[i] = v
	}
	return f64(name, anys...)
}

// i64 is an int64 column.
func i64(name string, vals ...int64) column {
	return column{name, arrow.PrimitiveTypes.Int64, func(mem memory.Allocator) arrow.Array {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(vals, nil)
		return b.NewArray()
	}}
}

// str is a string column; a nil value is a null.
func str(name string, vals ...any) column {
	return column{name, arrow.BinaryTypes.String, func(mem memory.Allocator) arrow.Array {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
			} else {
				b.Append(v.(string))
			}
		}
		return b.NewArray()
	}}
}

// dict is a dictionary-encoded string column; a nil value is a null.
func dict(name string, vals ...any) column {
	typ := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	return column{name, typ, func(mem memory.Allocator) arrow.Array {
		b := array.NewDictionaryBuilder(mem, typ).(*array.BinaryDictionaryBuilder)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
			} else if err := b.AppendString(v.(string)); err != nil {
				panic(err)
			}
		}
		return b.NewArray()
	}}
}

// newBatch builds a record batch released when the test ends.
func newBatch(t *testing.T, mem memory.Allocator, cols ...column) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		arrs[i] = c.build(mem)
	}
	n := int64(0)
	if len(arrs) > 0 {
		n = int64(arrs[0].Len())
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, n)
	for _, a := range arrs {
		a.Release()
	}
	t.Cleanup(rec.Release)
	return rec
}

var nan = math.NaN()

// ptr returns a pointer to v, for thresholds.
func ptr(v float64) *float64 { return &v }
