package drift_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

// TestExample runs the example's suite: late summer's temperatures and
// months have drifted from early summer's, the wind has not.
func TestExample(t *testing.T) {
	s, err := trustml.Load("suite.yaml")
	require.NoError(t, err)
	res, err := s.Run(context.Background(), trustml.RunOptions{})
	require.NoError(t, err)
	status := map[string]result.Status{}
	for _, c := range res.Checks {
		status[c.Name] = c.Status
	}
	assert.Equal(t, map[string]result.Status{
		"table.columns.required":     result.Pass,
		"drift.Temp.ks":              result.Fail,
		"drift.Temp.psi":             result.Fail,
		"drift.Temp.wasserstein":     result.Fail,
		"drift.Wind.ks":              result.Pass,
		"drift.Wind.wasserstein":     result.Pass,
		"drift.Ozone.psi":            result.Warn,
		"drift.Month.new_categories": result.Fail,
		"drift.Month.chi_square":     result.Fail,
	}, status)
	assert.Equal(t, 1, res.ExitCode())
	assert.Equal(t, int64(61), res.Run.Reference.Rows)
}
