package trustml_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/internal/accum"
	"github.com/trustml/trustml/result"
)

// A run with expectations, drift and the profile reads each column's
// statistics once per batch: the checks and the profile share one set of
// accumulators.
func TestRunComputesEachStatisticOncePerBatch(t *testing.T) {
	dir := t.TempDir()
	var cur, ref strings.Builder
	cur.WriteString("once_x,once_s,once_b\n")
	ref.WriteString("once_x,once_s,once_b\n")
	for i := range 50 {
		fmt.Fprintf(&cur, "%d,s%d,%t\n", i, i%7, i%3 == 0)
		fmt.Fprintf(&ref, "%d,s%d,%t\n", i+5, i%5, i%2 == 0)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cur.csv"), []byte(cur.String()), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ref.csv"), []byte(ref.String()), 0o600))
	suite := fmt.Sprintf(`
data:
  path: %s
  reference: %s
expectations:
  columns:
    once_x: {range: {min: 0, max: 100}, mean: {min: 0, max: 100}, stddev: {min: 0}, unique: true}
    once_s: {length: {min: 1, max: 5}, distinct: {max: 10}}
    once_b: {missing: {max: 0}}
drift:
  columns:
    once_x: {ks: {max_statistic: 0.5}, psi: {max: 1}}
    once_s: {chi_square: {min_p_value: 0}}
    once_b: {new_categories: {max: 0}}
`, filepath.Join(dir, "cur.csv"), filepath.Join(dir, "ref.csv"))
	s, err := trustml.Parse("suite.yaml", []byte(suite))
	require.NoError(t, err)

	type key struct {
		column string
		stat   accum.Stat
	}
	var mu sync.Mutex
	updates := map[key]int{}
	restore := accum.SetTrace(func(column string, st accum.Stat) {
		if !strings.HasPrefix(column, "once_") {
			return // another test's run
		}
		mu.Lock()
		updates[key{column, st}]++
		mu.Unlock()
	})
	// The reference is profiled first, in a pass of its own: count only
	// the run's pass over the current data.
	res, err := s.Run(context.Background(), trustml.RunOptions{BatchSize: 10, Workers: 3, Profile: true})
	restore()
	require.NoError(t, err)
	for _, c := range res.Checks {
		if c.Section == result.Expectations || c.Section == result.Drift {
			assert.NotEqual(t, result.Error, c.Status, c.Name)
		}
	}
	require.NotNil(t, res.Profile)

	// 50 rows in batches of 10, reference and current: 5 + 5 batches.
	const batches = 10
	want := map[key]int{}
	for _, st := range []accum.Stat{accum.Counts, accum.Extremes, accum.Moments, accum.Distribution} {
		want[key{"once_x", st}] = batches
	}
	for _, st := range []accum.Stat{accum.Counts, accum.Lengths, accum.Distribution} {
		want[key{"once_s", st}] = batches
	}
	for _, st := range []accum.Stat{accum.Counts, accum.Distribution} {
		want[key{"once_b", st}] = batches
	}
	assert.Equal(t, want, updates)

	// What the profile says is what the checks saw.
	x := res.Profile.Column("once_x")
	require.NotNil(t, x)
	require.NotNil(t, x.Numeric)
	assert.Equal(t, int64(50), x.Count)
	assert.Equal(t, 0.0, float64(x.Numeric.Min))
	assert.Equal(t, 49.0, float64(x.Numeric.Max))
	assert.Equal(t, 24.5, float64(x.Numeric.Mean)) // (0+…+49)/50
	sv := res.Profile.Column("once_s")
	require.NotNil(t, sv.Distinct)
	assert.Equal(t, int64(7), *sv.Distinct)
}
