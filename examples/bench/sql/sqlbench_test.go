package sqlbench

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/examples/bench/benchdata"
	"github.com/trustml/trustml/internal/chtest"
	"github.com/trustml/trustml/internal/pgserver"
)

// runEngine runs the benchmark driver on 20,000 rows (seed 3) in engine,
// skipping where unavailable says the engine could not start (fatal when
// CI=true), and checks what every engine gives: the pushdown's and the
// hand-written query's values equal those benchdata computes from the
// generated rows (the run compared them; this checks the reference is the
// right one and that the values were read, not left at zero), the bytes
// received (a few kilobytes for the pushdown's twelve numbers, more than
// a byte per value for the pulled table) and the CPU time are counted, and
// the printed table says so. It returns the report and the table.
func runEngine(t *testing.T, engine string, unavailable func(error) bool) (*Report, string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("starts %s and loads 20,000 rows", engine)
	}
	var out, log bytes.Buffer
	rep, err := Run(context.Background(), Config{Engine: engine, Rows: 20_000, Seed: 3, Suite: "../suite.yaml", Pairs: 1, Pull: 1, Log: &log})
	if unavailable(err) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v, and CI runs every test", err)
		}
		t.Skip(err)
	}
	require.NoError(t, err, log.String())
	assert.Empty(t, rep.Problems)

	want := benchdata.Reference(20_000, 3)
	assert.Equal(t, want.Rows, rep.Want.Rows)
	assert.Equal(t, want.LabelCounts, rep.Pushdown.LabelCounts)
	assert.Equal(t, want.ScoreMedian, rep.Pushdown.ScoreMedian)
	assert.Equal(t, want.AgeInRange, rep.Pushdown.AgeInRange)
	assert.Equal(t, want.AgeInRange, rep.Hand.AgeInRange)
	assert.Equal(t, want.IncomeMin, rep.Hand.IncomeMin)
	assert.InEpsilon(t, want.ScoreStddev, rep.Hand.ScoreStddev, Tolerance)

	require.Len(t, rep.PushRuns, 1)
	require.Len(t, rep.PullRuns, 1)
	push, pull := rep.PushRuns[0], rep.PullRuns[0]
	assert.Greater(t, push.Wire, int64(0))
	assert.Less(t, push.Wire, int64(10_000), "the pushdown's bytes received")
	assert.Greater(t, pull.Wire, int64(8*20_000*7), "the pull's bytes received")
	assert.Greater(t, push.CPU, time.Duration(0))

	rep.Print(&out)
	assert.Contains(t, out.String(), "every value equals the reference")
	assert.Contains(t, out.String(), "| "+engine+" | 20000 |")
	return rep, out.String()
}

// TestPostgres runs the benchmark driver (runEngine) in a PostgreSQL
// server it starts (internal/pgserver); the bytes of the values are
// counted too.
func TestPostgres(t *testing.T) {
	rep, _ := runEngine(t, "postgres", func(err error) bool {
		return errors.Is(err, pgserver.ErrNoBinaries) || errors.Is(err, pgserver.ErrNoUser)
	})
	assert.Equal(t, benchdata.Reference(20_000, 3).LabelCounts, rep.Want.LabelCounts)
	assert.Greater(t, rep.PushRuns[0].Values, int64(0))
	assert.Contains(t, rep.SQL, "count(DISTINCT \"id\")")
	assert.Contains(t, rep.SQL, "GROUP BY \"label\"")
}

// TestClickHouse runs the benchmark driver (runEngine) in the two-shard
// ClickHouse cluster it starts (chtest.Launch; the rows sharded by id
// under a Distributed table), the bytes received over HTTP counted
// through sqlsource.WithDialer; its hand-written median is exact too.
func TestClickHouse(t *testing.T) {
	rep, out := runEngine(t, "clickhouse", func(err error) bool { return errors.Is(err, chtest.ErrNoServer) })
	assert.Equal(t, benchdata.Reference(20_000, 3).ScoreMedian, rep.Hand.ScoreMedian)
	assert.Contains(t, rep.SQL, "quantilesExact(0.4999999999990905, 0.5)(", "the median's middle values in one aggregate")
	t.Log(out)
}

// TestCompare: a value off by one unit in the last place, a count off by
// one, and a mean beyond the tolerance are each reported; an interpolated
// median within the tolerance is not, unless it must be exact.
func TestCompare(t *testing.T) {
	want := benchdata.Reference(1000, 5)
	assert.Empty(t, compare("pushdown", want, want, true))
	got := want
	got.IncomeMin = math.Nextafter(want.IncomeMin, math.Inf(1))
	got.LabelCounts[1]++
	got.ScoreMean *= 1 + 1e-11
	got.ScoreMedian = math.Nextafter(want.ScoreMedian, 0)
	p := compare("pushdown", want, got, true)
	require.Len(t, p, 4, strings.Join(p, "\n"))
	assert.Contains(t, p[0], "E6 income min")
	assert.Contains(t, p[1], "E7 score mean")
	assert.Contains(t, p[2], "E9 score median")
	assert.Contains(t, p[3], "E11 label counts")
	assert.Len(t, compare("hand-written", want, got, false), 3, "the median within the tolerance")
}

// TestPrintWithoutPull: a run with -pull 0 prints its table with the pull's
// cells saying so (they printed the median of no runs, -9223372036.85),
// and its ratios from the pairs: 2 s / 1 s and 3 s / 2 s, median 1.75.
func TestPrintWithoutPull(t *testing.T) {
	rep := &Report{Engine: "duckdb", Rows: 10, LoadAvg: [2]string{"0.5", "0.6"},
		PushRuns: []Timing{{Wall: 2 * time.Second, CPU: 2 * time.Second, Wire: -1, Values: 208}, {Wall: 3 * time.Second, CPU: 3 * time.Second, Wire: -1, Values: 208}},
		HandRuns: []Timing{{Wall: time.Second, CPU: time.Second, Wire: -1}, {Wall: 2 * time.Second, CPU: 2 * time.Second, Wire: -1}}}
	var out bytes.Buffer
	rep.Print(&out)
	assert.Contains(t, out.String(), "| duckdb | 10 | 2.50 / 2.50 | 1.50 / 1.50 | 1.75 / 1.75 | 208 (values) | not run | not run | 0.5 – 0.6 |")
	assert.NotContains(t, out.String(), "pull into the local engine")
	assert.NotContains(t, out.String(), "NaN")
}

// TestTreeCPU: the CPU time of this process and its children grows as it
// works, and a process that does not exist is an error.
func TestTreeCPU(t *testing.T) {
	a, err := TreeCPU(os.Getpid())
	require.NoError(t, err)
	x := 0.0
	for i := range 20_000_000 {
		x += math.Sqrt(float64(i))
	}
	require.Greater(t, x, 0.0)
	b, err := TreeCPU(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, b, a)
	_, err = TreeCPU(-1)
	assert.Error(t, err)
}

// TestMain's flags: bad row counts and unknown engines are exit 2.
func TestMainFlags(t *testing.T) {
	for _, args := range [][]string{{"-rows", "1.5"}, {"-rows", "1"}, {"-engine", "oracle", "-rows", "10"}, {"extra"}} {
		var out, errs bytes.Buffer
		assert.Equal(t, 2, Main(args, &out, &errs, "postgres", "../suite.yaml"), args)
		assert.NotEmpty(t, errs.String(), args)
	}
}
