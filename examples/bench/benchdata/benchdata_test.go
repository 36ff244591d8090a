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
	v := benchdata.Reference(10_000_000, 1)
	assert.Equal(t, int64(10_000_000), v.Rows, "E1")
	assert.Equal(t, [2]int64{10_000_000, 0}, [2]int64{v.DistinctIDs, v.RepeatedIDs}, "E2")
	assert.Equal(t, int64(9989942), v.AgeInRange, "E3")
	assert.Equal(t, int64(0), v.AgeNulls, "E4")
	assert.Equal(t, int64(99584), v.IncomeNulls, "E5")
	assert.Equal(t, 924.899624852209, v.IncomeMin, "E6")
	assert.Equal(t, int64(50149), v.ScoreNulls)
	assert.InEpsilon(t, 99.9989515134729, v.ScoreMean, 1e-12, "E7")
	assert.InEpsilon(t, 15.003237450031722, v.ScoreStddev, 1e-12, "E8")
	assert.Equal(t, 99.99723905659627, v.ScoreMedian, "E9")
	assert.Equal(t, int64(0), v.RegionOut, "E10")
	assert.Equal(t, [2]int64{9000059, 999941}, v.LabelCounts, "E11")
	assert.Equal(t, 0.0999941, v.MinorityFraction(), "E11")
	assert.Equal(t, 1.4891359145785543e-05, v.XMin, "E12")
	assert.Equal(t, 99.99999887457051, v.XMax, "E12")
	assert.Equal(t, int64(0), v.YNulls, "E12")
}

// TestReferenceSmall checks Reference on a table small enough to compute
// by hand from the rows: 4 rows of seed 1, whose CSV is read back.
func TestReferenceSmall(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, benchdata.WriteCSV(&buf, 4, 1))
	cr := csv.NewReader(&buf, benchdata.Schema, csv.WithHeader(true), csv.WithNullReader(true, ""), csv.WithChunk(4))
	defer cr.Release()
	require.True(t, cr.Next(), "%v", cr.Err())
	rec := cr.RecordBatch()
	score := rec.Column(3).(*array.Float64)
	var s []float64
	for i := range score.Len() {
		if score.IsValid(i) {
			s = append(s, score.Value(i))
		}
	}
	require.Len(t, s, 4, "the first 4 rows of seed 1 have every score")
	slices.Sort(s)
	mean := (s[0] + s[1] + s[2] + s[3]) / 4
	var ss float64
	for _, x := range s {
		ss += (x - mean) * (x - mean)
	}
	v := benchdata.Reference(4, 1)
	assert.InEpsilon(t, mean, v.ScoreMean, 1e-15)
	assert.InEpsilon(t, math.Sqrt(ss/3), v.ScoreStddev, 1e-15)
	assert.Equal(t, (s[1]+s[2])/2, v.ScoreMedian)
	x := rec.Column(6).(*array.Float64)
	assert.Equal(t, slices.Min(x.Float64Values()), v.XMin)
	assert.Equal(t, slices.Max(x.Float64Values()), v.XMax)
	label := rec.Column(5).(*array.Int64)
	var ones int64
	for _, l := range label.Int64Values() {
		ones += l
	}
	assert.Equal(t, [2]int64{4 - ones, ones}, v.LabelCounts)
	assert.Equal(t, int64(4), v.DistinctIDs)
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
