package benchengine_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/examples/bench/benchdata"
	sqlbench "github.com/trustml/trustml/examples/bench/sql"
	"github.com/trustml/trustml/sqlsource/duckdb/benchengine"
)

// TestDuckDB runs the benchmark driver on 20,000 rows in a .duckdb file:
// the pushdown's, the hand-written query's and the pulled table's values
// equal those benchdata computes from the generated rows.
func TestDuckDB(t *testing.T) {
	benchengine.Register()
	benchengine.Register() // once
	var log, out bytes.Buffer
	rep, err := sqlbench.Run(context.Background(), sqlbench.Config{Engine: "duckdb", Rows: 20_000, Seed: 4, Suite: "../../../examples/bench/suite.yaml", Pairs: 1, Pull: 1, Log: &log})
	require.NoError(t, err, log.String())
	assert.Empty(t, rep.Problems)
	want := benchdata.Reference(20_000, 4)
	assert.Equal(t, want.LabelCounts, rep.Pushdown.LabelCounts)
	assert.Equal(t, want.ScoreMedian, rep.Pushdown.ScoreMedian)
	assert.Equal(t, want.IncomeNulls, rep.Hand.IncomeNulls)
	push, pull := rep.PushRuns[0], rep.PullRuns[0]
	assert.Equal(t, int64(-1), push.Wire, "no connection to count")
	assert.Greater(t, push.Values, int64(0))
	assert.Less(t, push.Values, int64(2000))
	assert.Greater(t, pull.Values, int64(8*20_000*7))
	rep.Print(&out)
	assert.Contains(t, out.String(), "| duckdb | 20000 |")
}
