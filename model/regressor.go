package model

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/internal/arrowx"
)

// Regressor is a model that predicts a number for each row of a record
// batch. Implement it to hand trustml a model of your own.
//
// Predict must return exactly one prediction per row of batch, in row
// order. The batch holds at least the model's feature columns, looked up by
// name; it may hold others (the target among them), which the model must
// ignore, and the columns may come in any order. Predict must not retain
// batch, or any of its arrays, after it returns, and must not Release it:
// the caller owns it.
//
// A prediction is a finite number. A model that cannot predict a row
// should return an error naming the row rather than NaN; callers such as
// [PredictAll] treat NaN or ±Inf as an error. Predict should honour ctx
// cancellation and may be called from several goroutines unless its
// documentation says otherwise.
//
// An adapter that holds resources (a subprocess, connections) also
// implements [io.Closer]; whoever created it calls Close when done.
// Callers holding a Regressor of unknown origin can test for io.Closer.
type Regressor interface {
	Predict(ctx context.Context, batch arrow.RecordBatch) ([]float64, error)
}

// PredictionsColumn returns a Regressor that reads its predictions from the
// numeric column called name (any integer or floating-point type) of each
// batch: for predictions a model already wrote into the data. A null, NaN
// or ±Inf in the column is an error naming the first such row and the
// count, as is a missing or non-numeric column. It holds no resources.
func PredictionsColumn(name string) Regressor {
	return predictionsColumn{name: name}
}

type predictionsColumn struct{ name string }

func (p predictionsColumn) Predict(ctx context.Context, batch arrow.RecordBatch) ([]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	col, err := arrowx.Column(batch, p.name)
	if err != nil {
		return nil, fmt.Errorf("model: predictions: %w", err)
	}
	at, ok := arrowx.NumericAt(col)
	if !ok {
		return nil, fmt.Errorf("model: predictions: column %q: type %s is not numeric", p.name, col.DataType())
	}
	out := make([]float64, col.Len())
	first, bad := -1, 0
	for i := range out {
		v, valid := at(i)
		if !valid || math.IsNaN(v) || math.IsInf(v, 0) {
			if first < 0 {
				first = i
			}
			bad++
		}
		out[i] = v
	}
	if bad > 0 {
		what := "null"
		if v, valid := at(first); valid {
			what = fmt.Sprint(v)
		}
		return nil, rowErrorf(fmt.Sprintf("predictions: column %q", p.name), first, len(out), "%s (%d rows without a finite prediction)", what, bad)
	}
	return out, nil
}

// String returns a short description, e.g. `predictions column "y_hat"`.
func (p predictionsColumn) String() string { return fmt.Sprintf("predictions column %q", p.name) }
