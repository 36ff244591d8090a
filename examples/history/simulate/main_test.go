package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The simulation's 30 days: nothing is flagged before the drift, and the
// history catches the drift on the day it starts.
func TestSimulate(t *testing.T) {
	var out bytes.Buffer
	days, err := simulate(context.Background(), config{
		Suite: "../suite.yaml", Data: "../../airquality/airquality.csv", Out: t.TempDir(), Days: 30, DriftDay: 25,
	}, &out)
	require.NoError(t, err, out.String())
	require.Len(t, days, 30)
	for _, d := range days[:24] {
		assert.True(t, d.Passed, "day %d passes", d.Day)
		assert.Empty(t, d.Flagged, "day %d: nothing flagged before the drift", d.Day)
		assert.Equal(t, int64(d.Day), d.RunID)
	}
	assert.False(t, days[24].Passed, "day 25 fails")
	assert.Equal(t, []string{"history.columns.Temp.mean.anomaly"}, days[24].Flagged)
	t.Log("\n" + out.String())
}

func TestDeriveIsDeterministic(t *testing.T) {
	header := []string{"Ozone", "Temp"}
	rows := [][]string{{"1", "60"}, {"2", "70"}, {"NA", "80"}}
	a, b := derive(header, rows, 3, false), derive(header, rows, 3, false)
	assert.Equal(t, a, b)
	drifted := derive(header, rows, 3, true)
	for i := range a {
		assert.Equal(t, a[i][0], drifted[i][0])
		assert.NotEqual(t, a[i][1], drifted[i][1], "temperatures move when drifted")
	}
}
