// Package arrowx reads Arrow columns by name and element by element, for
// the packages that work row by row on small data (model fitting,
// behavioural tests, slices). The streaming engine (expect) has its own
// typed kernels and does not use it.
package arrowx

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Column returns the column of batch called name, or an error listing the
// columns that exist.
func Column(batch arrow.RecordBatch, name string) (arrow.Array, error) {
	idx := batch.Schema().FieldIndices(name)
	switch len(idx) {
	case 1:
		return batch.Column(idx[0]), nil
	case 0:
		names := make([]string, batch.NumCols())
		for i := range names {
			names[i] = batch.ColumnName(i)
		}
		return nil, fmt.Errorf("column %q not found (columns: %s)", name, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("column %q appears %d times", name, len(idx))
}

// NumericAt returns a function reading element i of an integer or
// floating-point array as float64, and whether it is valid (not null).
// ok is false for any other type.
func NumericAt(a arrow.Array) (at func(i int) (float64, bool), ok bool) {
	switch c := a.(type) {
	case *array.Int8:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Int16:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Int32:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Int64:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Uint8:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Uint16:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Uint32:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Uint64:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Float16:
		return func(i int) (float64, bool) { return float64(c.Value(i).Float32()), c.IsValid(i) }, true
	case *array.Float32:
		return func(i int) (float64, bool) { return float64(c.Value(i)), c.IsValid(i) }, true
	case *array.Float64:
		return func(i int) (float64, bool) { return c.Value(i), c.IsValid(i) }, true
	}
	return nil, false
}

// StringAt returns a function reading element i of a string-like array
// (string, large string, string view, or a dictionary of those), and
// whether it is valid. ok is false for any other type.
func StringAt(a arrow.Array) (at func(i int) (string, bool), ok bool) {
	switch c := a.(type) {
	case *array.String:
		return func(i int) (string, bool) { return c.Value(i), c.IsValid(i) }, true
	case *array.LargeString:
		return func(i int) (string, bool) { return c.Value(i), c.IsValid(i) }, true
	case *array.StringView:
		return func(i int) (string, bool) { return c.Value(i), c.IsValid(i) }, true
	case *array.Dictionary:
		dict, ok := StringAt(c.Dictionary())
		if !ok {
			return nil, false
		}
		return func(i int) (string, bool) {
			if c.IsNull(i) {
				return "", false
			}
			return dict(c.GetValueIndex(i))
		}, true
	}
	return nil, false
}
