package model

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPredictionsColumn(t *testing.T) {
	mem := newMem(t)
	r := PredictionsColumn("yhat")
	ok := newBatch(t, mem, f64("y", 1, 2), i64("yhat", 3, -4))
	got, err := r.Predict(context.Background(), ok)
	require.NoError(t, err)
	assert.Equal(t, []float64{3, -4}, got)

	for _, tc := range []struct {
		name string
		cols []column
		want string
	}{
		{"null", []column{f64("yhat", 1, nil, nil)}, `model: predictions: column "yhat": row 1 of 3: null (2 rows without a finite prediction)`},
		{"NaN", []column{f64("yhat", 1, 2, nan)}, `model: predictions: column "yhat": row 2 of 3: NaN (1 rows without a finite prediction)`},
		{"missing", []column{f64("y", 1)}, `model: predictions: column "yhat" not found (columns: y)`},
		{"string", []column{str("yhat", "1")}, `model: predictions: column "yhat": type utf8 is not numeric`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Predict(context.Background(), newBatch(t, mem, tc.cols...))
			assert.EqualError(t, err, tc.want)
		})
	}
}

// fixed is a Regressor returning canned predictions, to test PredictAll.
type fixed [][]float64

func (f *fixed) Predict(_ context.Context, _ arrow.RecordBatch) ([]float64, error) {
	if len(*f) == 0 {
		return nil, errors.New("out of predictions")
	}
	p := (*f)[0]
	*f = (*f)[1:]
	return p, nil
}

func TestPredictAll(t *testing.T) {
	mem := newMem(t)
	b1 := newBatch(t, mem, f64("x", 1, 2))
	b2 := newBatch(t, mem, f64("x", 3))
	batches := []arrow.RecordBatch{b1, b2}

	got, err := PredictAll(context.Background(), &fixed{{1, 2}, {3}}, batches)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2, 3}, got)

	_, err = PredictAll(context.Background(), &fixed{{1, 2}, {3, 4}}, batches)
	assert.EqualError(t, err, "model: batch 1: got 2 predictions for 1 rows")
	_, err = PredictAll(context.Background(), &fixed{{1, 2}, {nan}}, batches)
	assert.EqualError(t, err, "model: predict: row 2 of 3: prediction is NaN")
	_, err = PredictAll(context.Background(), &fixed{{1, 2}}, batches)
	assert.EqualError(t, err, "model: batch 1: out of predictions")
}

func TestCompleteRowsAndFloat64s(t *testing.T) {
	mem := newMem(t)
	b1 := newBatch(t, mem, f64("x", 1, nil, 3), str("c", "a", "b", nil))
	b2 := newBatch(t, mem, f64("x", nan, 5), str("c", "a", "b"))
	batches := []arrow.RecordBatch{b1, b2}
	rows, err := CompleteRows(batches, []string{"x", "c"})
	require.NoError(t, err)
	assert.Equal(t, []int{0, 4}, rows)
	rows, err = CompleteRows(batches, []string{"c"})
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 3, 4}, rows)

	xs, err := Float64s(batches, "x")
	require.NoError(t, err)
	require.Len(t, xs, 5)
	assert.Equal(t, []float64{1, 3, 5}, []float64{xs[0], xs[2], xs[4]})
	assert.True(t, xs[1] != xs[1] && xs[3] != xs[3], "null and NaN read as NaN")
	_, err = Float64s(batches, "c")
	assert.EqualError(t, err, `model: batch 0: column "c": type utf8 is not numeric`)
}
