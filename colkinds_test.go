package trustml_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

// TestPairAndTimeKindsFromAFile: a suite file's pair and time checks run
// on a CSV read with projection (the other columns of a pair are read
// too), against the run's fixed instant.
func TestPairAndTimeKindsFromAFile(t *testing.T) {
	path := writeSuite(t, map[string]string{
		"d.csv": "id,start,end,ts,note\n1,2024-05-01,2024-05-03,2024-05-02T09:00:00Z,a\n2,2024-05-02,2024-05-01,2024-05-02T10:00:00Z,b\n3,2024-05-03,2024-05-04,2024-05-02T11:00:00Z,c\n",
		"suite.yaml": `version: 1
data: {path: d.csv}
expectations:
  columns:
    end: {compare: ">= start", range: {min: 2024-05-01, max: today}}
    ts: {freshness: 36h, monotonic: {direction: increasing, strict: true}}
`,
	})
	s, err := trustml.Load(path)
	require.NoError(t, err)
	now := time.Date(2024, 5, 3, 12, 0, 0, 0, time.UTC)
	res, err := s.Run(context.Background(), trustml.RunOptions{Now: func() time.Time { return now }})
	require.NoError(t, err)
	got := map[string]result.Check{}
	for _, c := range res.Checks {
		got[c.Name] = c
	}
	// Row 1 ends before it starts; row 2 ends after today (2024-05-03).
	assert.Equal(t, result.Fail, got["columns.end.compare"].Status)
	assert.Equal(t, int64(1), *got["columns.end.compare"].UnexpectedCount)
	assert.Equal(t, int64(1), *got["columns.end.range"].UnexpectedCount)
	// The newest ts, 11:00 the day before, is 25 hours old.
	assert.Equal(t, result.Pass, got["columns.ts.freshness"].Status, got["columns.ts.freshness"].Message)
	assert.Equal(t, result.Pass, got["columns.ts.monotonic"].Status)
}
