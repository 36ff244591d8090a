//go:build unix

package trustml

import (
	"context"
	"encoding/json"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/result"
)

func TestRunRecordsHistory(t *testing.T) {
	s, err := Load("examples/history/suite.yaml")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join("examples", "history", ".trustml", "history.db"), s.History.Path)
	assert.Equal(t, "examples/history/.trustml/history.db", s.HistoryTarget(""))
	store := filepath.Join(t.TempDir(), "h.db")
	ctx := context.Background()
	var last *Result
	for i := range 3 {
		res, err := s.Run(ctx, RunOptions{History: store, Tags: map[string]string{"i": string(rune('a' + i))}, GitCommit: "c0ffee"})
		require.NoError(t, err)
		require.False(t, res.HistoryFailed(), "%v", res.History)
		assert.Equal(t, int64(i+1), res.History.RunID)
		last = res
	}
	var hist []result.Check
	for _, c := range last.Checks {
		if c.Section == history.Section {
			hist = append(hist, c)
		}
	}
	require.Len(t, hist, 5, "schema and four checks")
	assert.Equal(t, "the data's columns and types are those of the last run", hist[0].Message)
	assert.Equal(t, "learning: 2 of 17 runs", hist[1].Message)
	assert.Equal(t, 5, last.Summary.Sections[history.Section].Total)
	require.NotEmpty(t, last.History.Trends)
	assert.Equal(t, "table.row_count", last.History.Trends[0].Check)
	assert.Equal(t, []float64{153, 153, 153}, last.History.Trends[0].Values)

	st, err := history.Open(ctx, store, history.Options{})
	require.NoError(t, err)
	defer st.Close()
	r, err := st.Get(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, "airquality-daily", r.Suite)
	assert.Equal(t, "c0ffee", r.GitCommit)
	assert.Equal(t, map[string]string{"i": "c"}, r.Tags)
	assert.Len(t, r.Checks, len(last.Checks))
	keys := map[history.Key]bool{}
	for _, o := range r.Observations {
		keys[o.Key] = true
	}
	for _, k := range []history.Key{
		{Name: "table.row_count", Field: "value"}, {Name: "columns.Ozone.missing", Field: "fraction"},
		{Name: "model.rmse", Field: "value"}, {Name: "model.mape", Field: "value"},
		{Name: "history.columns.Temp.mean.anomaly", Field: "value"},
	} {
		assert.True(t, keys[k], "observed %v", k)
	}
	var doc Result
	require.NoError(t, json.Unmarshal(r.Result, &doc))
	assert.Equal(t, last.Summary.Total, doc.Summary.Total)
}

// BenchmarkHistoryOverhead runs the examples/history suite (the airquality
// data, its model and four history checks) without and with its history,
// recording into a store that already holds 30 runs.
func BenchmarkHistoryOverhead(b *testing.B) {
	ctx := context.Background()
	s, err := Load("examples/history/suite.yaml")
	require.NoError(b, err)
	store := filepath.Join(b.TempDir(), "h.db")
	for range 30 {
		_, err := s.Run(ctx, RunOptions{History: store})
		require.NoError(b, err)
	}
	spec := s.History
	b.Run("without", func(b *testing.B) {
		s.History = nil
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := s.Run(ctx, RunOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("with", func(b *testing.B) {
		s.History = spec
		defer reportCPU(b)()
		for b.Loop() {
			res, err := s.Run(ctx, RunOptions{History: store})
			if err != nil || res.HistoryFailed() {
				b.Fatal(err, res.History)
			}
		}
	})
}

// reportCPU reports the process's CPU time (user + system) per operation
// as cpu-ms/op: on a shared machine, wall time also measures the others.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64(cpu()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}
