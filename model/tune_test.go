package model

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

// leakData has 90 rows, y = 2x − z + noise; every third row is a test row
// whose target is the planted 1e6. It returns the batch, the training rows,
// and a batch of the training rows alone.
func leakData(t *testing.T) (arrow.RecordBatch, []int, arrow.RecordBatch) {
	mem := newMem(t)
	var x, z, y, tm, xs, zs, ys, tms []float64
	var train []int
	for i := range 90 {
		xi, zi := float64(i%17), float64((i*7)%11)
		yi := 2*xi - zi + math.Sin(float64(i))
		ti := float64(i / 2) // pairs of rows share a time
		if i%3 == 2 {
			yi = 1e6
		} else {
			train = append(train, i)
			xs, zs, ys, tms = append(xs, xi), append(zs, zi), append(ys, yi), append(tms, ti)
		}
		x, z, y, tm = append(x, xi), append(z, zi), append(y, yi), append(tm, ti)
	}
	all := newBatch(t, mem, floats64("x", x), floats64("z", z), floats64("y", y), floats64("t", tm))
	only := newBatch(t, mem, floats64("x", xs), floats64("z", zs), floats64("y", ys), floats64("t", tms))
	return all, train, only
}

// TestTuneNeverReadsTestRows plants a leak: the test rows' targets are
// 1e6. Tuning over the training rows gives the very same scores, bit for
// bit, as tuning on a table from which the test rows were removed, and no
// score comes near the planted values.
func TestTuneNeverReadsTestRows(t *testing.T) {
	all, train, only := leakData(t)
	onlyRows := make([]int, len(train))
	for i := range onlyRows {
		onlyRows[i] = i
	}
	for _, method := range []string{CVKFold, CVTime} {
		t.Run(method, func(t *testing.T) {
			tune := Tune{Alphas: []float64{0.01, 1, 100}, Folds: 5, Method: method, Seed: 7}
			if method == CVTime {
				tune.By = "t"
			}
			opts := FitOptions{Target: "y", Features: []string{"x", "z"}, Algorithm: AlgorithmRidge, Rows: train}
			got, err := TuneAlpha(context.Background(), []arrow.RecordBatch{all}, opts, tune)
			require.NoError(t, err)
			opts.Rows = onlyRows
			want, err := TuneAlpha(context.Background(), []arrow.RecordBatch{only}, opts, tune)
			require.NoError(t, err)
			assert.Equal(t, want.Candidates, got.Candidates)
			assert.Equal(t, want.FoldRows, got.FoldRows)
			assert.Equal(t, 60, got.TrainRows)
			for _, c := range got.Candidates {
				assert.Less(t, c.Mean, 10.0, "alpha %v", c.Alpha)
				assert.Len(t, c.Scores, 5)
				assert.Equal(t, stat.Mean(c.Scores, nil), c.Mean)
				assert.Equal(t, stat.StdDev(c.Scores, nil), c.SD)
			}
			best := slices.MinFunc(got.Candidates, func(a, b Candidate) int { return cmpFloat(a.Mean, b.Mean) })
			assert.Equal(t, best.Alpha, got.Alpha)
			assert.Equal(t, "rmse", got.Score)
		})
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestFoldsPartitionTheTrainingRows: k-fold folds partition the training
// rows; rolling-origin folds validate on later times than they train on,
// with rows of one time never split.
func TestFoldsPartitionTheTrainingRows(t *testing.T) {
	all, train, _ := leakData(t)
	trains, valids, err := folds([]arrow.RecordBatch{all}, train, Tune{Folds: 4, Seed: 1})
	require.NoError(t, err)
	var union []int
	for f := range valids {
		union = append(union, valids[f]...)
		assert.Len(t, trains[f], len(train)-len(valids[f]))
		for _, r := range valids[f] {
			assert.NotContains(t, trains[f], r)
		}
	}
	slices.Sort(union)
	assert.Equal(t, train, union)

	times, err := Float64s([]arrow.RecordBatch{all}, "t")
	require.NoError(t, err)
	trains, valids, err = folds([]arrow.RecordBatch{all}, train, Tune{Folds: 5, Method: CVTime, By: "t"})
	require.NoError(t, err)
	require.Len(t, valids, 5)
	for f := range valids {
		latest := slices.Max(pick(times, trains[f]))
		assert.Less(t, latest, slices.Min(pick(times, valids[f])), "fold %d", f)
		for _, r := range append(trains[f], valids[f]...) {
			assert.Contains(t, train, r)
		}
	}
	_, _, err = folds([]arrow.RecordBatch{all}, train[:8], Tune{Folds: 7, Method: CVTime, By: "t"})
	assert.ErrorContains(t, err, `the 8 training rows have too few distinct times of "t" for 7 rolling-origin folds`)
	assert.EqualError(t, Tune{Alphas: []float64{-1}, Folds: 1, Method: "loo"}.Validate(),
		"alpha: every candidate must be a finite number > 0, got -1\ncv.folds: must be ≥ 2, got 1\ncv.method: unknown method \"loo\"; methods are kfold and time")
}

func pick(v []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = v[r]
	}
	return out
}

// TestTuneLogistic: the log loss of each fold, the penalty of the lowest
// mean; a huge penalty (every probability near the prior) loses.
func TestTuneLogistic(t *testing.T) {
	batch, _, o := sklearnData(t, "iris")
	rows := make([]int, 150)
	for i := range rows {
		rows[i] = i
	}
	opts := FitOptions{Target: "target", Features: o.Features, Algorithm: AlgorithmLogistic, Standardize: true, Rows: rows, Classes: o.Classes}
	tu, err := TuneAlpha(context.Background(), []arrow.RecordBatch{batch}, opts, Tune{Alphas: []float64{0.1, 1000}, Folds: 5, Seed: 3})
	require.NoError(t, err)
	assert.Equal(t, "log_loss", tu.Score)
	assert.Equal(t, 0.1, tu.Alpha)
	assert.Greater(t, tu.Candidates[1].Mean, 0.5)
	assert.Less(t, tu.Candidates[0].Mean, 0.3)
}
