package benchdata_test

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/examples/bench/benchdata"
)

// TestReferenceValues generates the ten million rows of seed 1 and checks
// the benchmark's reference values (examples/bench/README.md), which
// DuckDB and pandas computed from the files of the benchmark's original
// generator: counts, minima, maxima and the median exactly, the mean and
// standard deviation to 1e-12.
//
// It takes seconds, but minutes under the race detector, so it runs
// without it: .ci/run runs it on its own.
func TestReferenceValues(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("ten million rows: run without -race and -short (.ci/run does)")
	}
	const n = 10_000_000
	g := benchdata.NewGenerator(1)
	var row benchdata.Row
	var ageIn, incomeNulls, scoreNulls, notInSet, ones int64
	incomeMin, xMin, xMax := math.Inf(1), math.Inf(1), math.Inf(-1)
	scores := make([]float64, 0, n)
	for i := range int64(n) {
		g.Next(&row)
		require.Equal(t, i, row.ID)
		if row.Age >= 0 && row.Age <= 120 {
			ageIn++
		}
		if !row.IncomeValid {
			incomeNulls++
		} else {
			incomeMin = min(incomeMin, row.Income)
		}
		if !row.ScoreValid {
			scoreNulls++
		} else {
			scores = append(scores, row.Score)
		}
		if row.Region < 0 || row.Region >= len(benchdata.Regions) {
			notInSet++
		}
		ones += row.Label
		xMin, xMax = min(xMin, row.X), max(xMax, row.X)
	}
	assert.Equal(t, int64(9989942), ageIn, "E3")
	assert.Equal(t, int64(99584), incomeNulls, "E5")
	assert.Equal(t, 924.899624852209, incomeMin, "E6")
	assert.Equal(t, int64(50149), scoreNulls)
	assert.Equal(t, int64(0), notInSet, "E10")
	assert.Equal(t, int64(999941), ones, "E11")
	assert.Equal(t, 1.4891359145785543e-05, xMin, "E12")
	assert.Equal(t, 99.99999887457051, xMax, "E12")

	mean := kahanSum(scores) / float64(len(scores))
	assert.InEpsilon(t, 99.9989515134729, mean, 1e-12, "E7")
	dev := make([]float64, len(scores))
	for i, s := range scores {
		dev[i] = (s - mean) * (s - mean)
	}
	assert.InEpsilon(t, 15.003237450031722, math.Sqrt(kahanSum(dev)/float64(len(scores)-1)), 1e-12, "E8")
	slices.Sort(scores)
	m := len(scores) / 2
	median := scores[m]
	if len(scores)%2 == 0 {
		median = (scores[m-1] + scores[m]) / 2
	}
	assert.Equal(t, 99.99723905659627, median, "E9")
}

func kahanSum(xs []float64) float64 {
	var sum, c float64
	for _, x := range xs {
		y := x - c
		t := sum + y
		c = (t - sum) - y
		sum = t
	}
	return sum
}

// TestReaderMatchesCSV reads the CSV back with Arrow's reader and compares
// it with the Reader's batches, whose size must not change any row.
func TestReaderMatchesCSV(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const rows = 5000
	var buf bytes.Buffer
	require.NoError(t, benchdata.WriteCSV(&buf, rows, 7))
	cr := csv.NewReader(&buf, benchdata.Schema, csv.WithHeader(true), csv.WithNullReader(true, ""),
		csv.WithChunk(rows), csv.WithAllocator(mem))
	defer cr.Release()
	require.True(t, cr.Next(), "%v", cr.Err())
	want := cr.RecordBatch()

	for _, batch := range []int64{1, 7, 1000, rows} {
		rr := benchdata.NewReader(rows, 7, batch, mem)
		var got int64
		for rr.Next() {
			rec := rr.RecordBatch()
			exp := want.NewSlice(got, got+rec.NumRows())
			assert.True(t, array.RecordEqual(exp, rec), "batch size %d, rows from %d", batch, got)
			exp.Release()
			got += rec.NumRows()
		}
		rr.Release()
		assert.Equal(t, int64(rows), got)
	}
}

// TestSeeds: another seed gives other rows, the same seed the same bytes.
func TestSeeds(t *testing.T) {
	var a, b, c bytes.Buffer
	require.NoError(t, benchdata.WriteCSV(&a, 100, 1))
	require.NoError(t, benchdata.WriteCSV(&b, 100, 1))
	require.NoError(t, benchdata.WriteCSV(&c, 100, 2))
	assert.Equal(t, a.String(), b.String())
	assert.NotEqual(t, a.String(), c.String())
	assert.Equal(t, "id,age,income,score,region,label,x,y", string(bytes.SplitN(a.Bytes(), []byte("\n"), 2)[0]))
}
