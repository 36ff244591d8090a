package slice

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/result"
)

// tcol is a test column: floats (NaN is null), ints (with nulls at the
// rows marked in null) or strings (likewise).
type tcol struct {
	name   string
	floats []float64
	ints   []int64
	strs   []string
	null   []bool
}

func floatCol(name string, v []float64) tcol { return tcol{name: name, floats: v} }
func intCol(name string, v []int64, null ...bool) tcol {
	return tcol{name: name, ints: v, null: null}
}
func strCol(name string, v []string, null ...bool) tcol {
	return tcol{name: name, strs: v, null: null}
}

func (c tcol) isNull(i int) bool { return i < len(c.null) && c.null[i] }

// newBatch builds a record batch from cols with a checked allocator that
// must be back to zero when the test ends; the batch is released then.
func newBatch(t testing.TB, cols ...tcol) arrow.RecordBatch {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	var fields []arrow.Field
	var arrs []arrow.Array
	for _, c := range cols {
		switch {
		case c.floats != nil:
			b := array.NewFloat64Builder(mem)
			for _, v := range c.floats {
				if math.IsNaN(v) {
					b.AppendNull()
				} else {
					b.Append(v)
				}
			}
			arrs = append(arrs, b.NewArray())
			b.Release()
			fields = append(fields, arrow.Field{Name: c.name, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
		case c.ints != nil:
			b := array.NewInt64Builder(mem)
			for i, v := range c.ints {
				if c.isNull(i) {
					b.AppendNull()
				} else {
					b.Append(v)
				}
			}
			arrs = append(arrs, b.NewArray())
			b.Release()
			fields = append(fields, arrow.Field{Name: c.name, Type: arrow.PrimitiveTypes.Int64, Nullable: true})
		default:
			b := array.NewStringBuilder(mem)
			for i, v := range c.strs {
				if c.isNull(i) {
					b.AppendNull()
				} else {
					b.Append(v)
				}
			}
			arrs = append(arrs, b.NewArray())
			b.Release()
			fields = append(fields, arrow.Field{Name: c.name, Type: arrow.BinaryTypes.String, Nullable: true})
		}
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

// run runs spec and requires it to succeed.
func run(t testing.TB, spec *Spec, data arrow.RecordBatch, y, yhat []float64) []result.Check {
	t.Helper()
	checks, err := Run(context.Background(), spec, []arrow.RecordBatch{data}, y, yhat)
	require.NoError(t, err)
	// Every check must serialise, NaN-free, as the JSON report will.
	_, err = json.Marshal(checks)
	require.NoError(t, err)
	return checks
}

// byName indexes checks by name, requiring names to be unique.
func byName(t testing.TB, checks []result.Check) map[string]result.Check {
	t.Helper()
	m := map[string]result.Check{}
	for _, c := range checks {
		_, dup := m[c.Name]
		require.False(t, dup, "duplicate check name %q", c.Name)
		m[c.Name] = c
	}
	return m
}

func names(checks []result.Check) []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.Name
	}
	return out
}

// metric returns the estimate called name of a slice.
func metric(t testing.TB, s Slice, name string) Estimate {
	t.Helper()
	for _, e := range s.Metrics {
		if e.Metric == name {
			return e
		}
	}
	t.Fatalf("slice %s has no metric %s", s.Name, name)
	return Estimate{}
}
