package model

import (
	"github.com/apache/arrow-go/v18/arrow/memory"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitRandomPinned(t *testing.T) {
	// Oracle: an independent Python port of PCG-DXSM seeded (Seed, Seed),
	// a Fisher-Yates shuffle from the top with Lemire's bounded integers,
	// and the first round(n·f) entries of the permutation as the test set
	// (written from the PCG-DXSM definition in O'Neill's pcg-cpp).
	for _, tc := range []struct {
		n    int
		f    float64
		seed uint64
		want []int
	}{
		{100, 0.2, 42, []int{8, 9, 13, 14, 17, 29, 31, 43, 46, 53, 57, 60, 64, 67, 68, 85, 86, 88, 92, 93}},
		{10, 0.3, 7, []int{2, 4, 8}},
	} {
		p, err := Split{Method: SplitRandom, TestFraction: tc.f, Seed: tc.seed}.Rows(tc.n, nil)
		require.NoError(t, err)
		assert.Equal(t, tc.want, p.Test)
	}
}

func TestSplitRandomProperties(t *testing.T) {
	for _, tc := range []struct {
		n         int
		f         float64
		wantTests int
	}{
		{100, 0.2, 20}, {7, 0.5, 4}, {3, 0.5, 2}, {11, 0.25, 3}, {1000, 0.333, 333}, {2, 0.5, 1},
	} {
		for seed := range uint64(5) {
			s := Split{TestFraction: tc.f, Seed: seed} // method inferred
			p, err := s.Rows(tc.n, nil)
			require.NoError(t, err)
			assert.Equal(t, SplitRandom, p.Method)
			assert.Len(t, p.Test, tc.wantTests)
			assert.Equal(t, len(p.Test), p.TestRows)
			assert.Equal(t, len(p.Train), p.TrainRows)
			assert.False(t, p.OnTrainingData)
			assert.True(t, slices.IsSorted(p.Train) && slices.IsSorted(p.Test))
			all := slices.Sorted(slices.Values(append(slices.Clone(p.Train), p.Test...)))
			want := make([]int, tc.n)
			for i := range want {
				want[i] = i
			}
			assert.Equal(t, want, all, "train ∪ test is every row exactly once")
			again, _ := s.Rows(tc.n, nil)
			assert.Equal(t, p, again, "same seed, same split")
		}
	}
	a, _ := Split{TestFraction: 0.2, Seed: 1}.Rows(100, nil)
	b, _ := Split{TestFraction: 0.2, Seed: 2}.Rows(100, nil)
	assert.NotEqual(t, a.Test, b.Test)
}

func TestSplitTime(t *testing.T) {
	for _, tc := range []struct {
		name      string
		times     []float64
		f         float64
		wantTrain []int
	}{
		// Distinct times, shuffled rows: the latest 2 of 8 test.
		{"distinct", []float64{5, 1, 8, 2, 7, 3, 6, 4}, 0.25, []int{0, 1, 3, 5, 6, 7}},
		// The cut (6 train) falls inside the run of 3s: the run trains.
		{"tie moves cut later", []float64{1, 2, 3, 3, 3, 3, 3, 4}, 0.25, []int{0, 1, 2, 3, 4, 5, 6}},
		// The run of 3s reaches the end: it all tests instead.
		{"tie moves cut earlier", []float64{1, 2, 3, 3, 3, 3, 3, 3}, 0.25, []int{0, 1}},
		// Ties away from the cut are irrelevant.
		{"ties elsewhere", []float64{1, 1, 2, 2, 3, 3, 4, 5}, 0.25, []int{0, 1, 2, 3, 4, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Split{By: "t", TestFraction: tc.f}.Rows(len(tc.times), tc.times)
			require.NoError(t, err)
			assert.Equal(t, SplitTime, p.Method)
			assert.Equal(t, tc.wantTrain, p.Train)
			maxTrain, minTest := math.Inf(-1), math.Inf(1)
			for _, i := range p.Train {
				maxTrain = max(maxTrain, tc.times[i])
			}
			for _, i := range p.Test {
				minTest = min(minTest, tc.times[i])
			}
			assert.Less(t, maxTrain, minTest, "train strictly before test")
			assert.Equal(t, len(tc.times), len(p.Train)+len(p.Test))
		})
	}
	_, err := Split{By: "t", TestFraction: 0.5}.Rows(3, []float64{2, 2, 2})
	assert.EqualError(t, err, "model: split: every row has the same time; a time split is impossible")
	_, err = Split{By: "t", TestFraction: 0.5}.Rows(2, []float64{1, nan})
	assert.EqualError(t, err, "model: split: time of row 1 is NaN")
}

func TestSplitNoneAndErrors(t *testing.T) {
	p, err := Split{}.Rows(3, nil)
	require.NoError(t, err)
	assert.Equal(t, Partition{Method: SplitNone, Train: []int{0, 1, 2}, Test: []int{0, 1, 2}, TrainRows: 3, TestRows: 3, OnTrainingData: true}, p)

	for _, tc := range []struct {
		s    Split
		n    int
		want string
	}{
		{Split{Method: "kfold"}, 10, `model: split: unknown method "kfold" (want "random", "time" or "none")`},
		{Split{Method: "random", TestFraction: 1}, 10, "model: split: test fraction 1 is not in (0, 1)"},
		{Split{TestFraction: 0.01}, 10, "model: split: 10 rows with test fraction 0.01 leave an empty train or test set"},
	} {
		_, err := tc.s.Rows(tc.n, nil)
		assert.EqualError(t, err, tc.want)
	}
}

func TestSplitBatchesTimestamp(t *testing.T) {
	mem := newMem(t)
	typ := &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
	ts := func(vals ...int64) column {
		return column{"when", typ, func(m memory.Allocator) arrow.Array {
			b := array.NewTimestampBuilder(m, typ)
			defer b.Release()
			for _, v := range vals {
				b.Append(arrow.Timestamp(v))
			}
			return b.NewArray()
		}}
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	// Nanosecond timestamps one apart: distinct as int64, equal as float64.
	b1 := newBatch(t, mem, ts(base+3, base+1), f64("x", 1, 2))
	b2 := newBatch(t, mem, ts(base+2, base), f64("x", 3, 4))
	p, err := Split{By: "when", TestFraction: 0.5}.Batches([]arrow.RecordBatch{b1, b2})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3}, p.Train)
	assert.Equal(t, []int{0, 2}, p.Test)

	p, err = Split{TestFraction: 0.5, Seed: 42}.Batches([]arrow.RecordBatch{b1, b2})
	require.NoError(t, err)
	assert.Equal(t, 4, p.TrainRows+p.TestRows)

	_, err = Split{By: "x", Method: "time", TestFraction: 0.5}.Batches([]arrow.RecordBatch{b1})
	require.NoError(t, err)
	_, err = Split{By: "nope", TestFraction: 0.5}.Batches([]arrow.RecordBatch{b1})
	assert.EqualError(t, err, `model: split: batch 0: column "nope" not found (columns: when, x)`)
}
