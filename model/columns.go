package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/internal/arrowx"
)

// columnKind tells how a column enters a linear model.
type columnKind int

const (
	kindNumeric columnKind = iota + 1
	kindCategorical
)

func (k columnKind) String() string {
	switch k {
	case kindNumeric:
		return "numeric"
	case kindCategorical:
		return "categorical"
	}
	return "unsupported"
}

// kindOf classifies an Arrow type for use as a linear-model feature.
func kindOf(t arrow.DataType) columnKind {
	switch {
	case arrow.IsInteger(t.ID()), arrow.IsFloating(t.ID()):
		return kindNumeric
	}
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return kindCategorical
	case arrow.DICTIONARY:
		if kindOf(t.(*arrow.DictionaryType).ValueType) == kindCategorical {
			return kindCategorical
		}
	}
	return 0
}

// Float64s returns the values of the numeric column called name across
// batches, in row order, with nulls as NaN. The column must have an integer
// or floating-point type in every batch. The batches are only read.
func Float64s(batches []arrow.RecordBatch, name string) ([]float64, error) {
	var out []float64
	for b, batch := range batches {
		col, err := arrowx.Column(batch, name)
		if err != nil {
			return nil, fmt.Errorf("model: batch %d: %w", b, err)
		}
		at, ok := arrowx.NumericAt(col)
		if !ok {
			return nil, fmt.Errorf("model: batch %d: column %q: type %s is not numeric", b, name, col.DataType())
		}
		for i := range col.Len() {
			v, valid := at(i)
			if !valid {
				v = math.NaN()
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// CompleteRows returns the zero-based row numbers, counted across batches
// in order, of the rows in which none of the named columns is null, NaN or
// ±Inf. Numeric, string-like and boolean columns are supported; strings and
// booleans are complete unless null; a column of the null type has no complete row. These are the rows [Fit] uses; pass them to [Split.Rows] so
// that train and test rows are both usable. The batches are only read.
func CompleteRows(batches []arrow.RecordBatch, columns []string) ([]int, error) {
	var rows []int
	offset := 0
	for b, batch := range batches {
		n := int(batch.NumRows())
		ok := make([]bool, n)
		for i := range ok {
			ok[i] = true
		}
		for _, name := range columns {
			col, err := arrowx.Column(batch, name)
			if err != nil {
				return nil, fmt.Errorf("model: batch %d: %w", b, err)
			}
			if col.DataType().ID() == arrow.NULL {
				// A column of nulls only (as read from an all-empty one).
				clear(ok)
				continue
			}
			if at, isNum := arrowx.NumericAt(col); isNum {
				for i := range n {
					v, valid := at(i)
					if !valid || math.IsNaN(v) || math.IsInf(v, 0) {
						ok[i] = false
					}
				}
				continue
			}
			_, isStr := arrowx.StringAt(col)
			if !isStr && col.DataType().ID() != arrow.BOOL {
				return nil, fmt.Errorf("model: batch %d: column %q: unsupported type %s", b, name, col.DataType())
			}
			for i := range n {
				if col.IsNull(i) {
					ok[i] = false
				}
			}
		}
		for i, good := range ok {
			if good {
				rows = append(rows, offset+i)
			}
		}
		offset += n
	}
	return rows, nil
}

// PredictAll calls r.Predict on each batch in order and concatenates the
// predictions. It returns an error if a batch gets a number of predictions
// other than its row count, or a NaN or infinite prediction. A
// [*RowError] or [*EndpointError] from r, and the error for a non-finite
// prediction, are returned unwrapped with their rows counted across the
// batches, ready for [AtDataRows]. The batches are not retained.
func PredictAll(ctx context.Context, r Regressor, batches []arrow.RecordBatch) ([]float64, error) {
	var out []float64
	total := 0
	for _, batch := range batches {
		total += int(batch.NumRows())
	}
	offset := 0
	for b, batch := range batches {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := r.Predict(ctx, batch)
		if err != nil {
			var re *RowError
			var ee *EndpointError
			switch {
			case len(batches) == 1:
			case errors.As(err, &re) && error(re) == err:
				re.First, re.Last, re.N = re.First+offset, re.Last+offset, total
			case errors.As(err, &ee) && error(ee) == err:
				ee.FirstRow, ee.LastRow = ee.FirstRow+offset, ee.LastRow+offset
			default:
				return nil, fmt.Errorf("model: batch %d: %w", b, err)
			}
			return nil, err // the model's own error says which rows
		}
		n := int(batch.NumRows())
		if len(p) != n {
			return nil, fmt.Errorf("model: batch %d: got %d predictions for %d rows", b, len(p), n)
		}
		if i := slices.IndexFunc(p, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }); i >= 0 {
			return nil, rowErrorf(sourceOf(r), offset+i, total, "prediction is %v", p[i])
		}
		out = append(out, p...)
		offset += n
	}
	return out, nil
}

// sourceOf names a regressor for an error: its String method, else
// "predict".
func sourceOf(r Regressor) string {
	if s, ok := r.(fmt.Stringer); ok {
		return s.String()
	}
	return "predict"
}
