package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
)

// TestExtendedSuites: the suites with filters and rules load, with the
// twelve checks and their additions (suite_rules.yaml: a filter, two
// rules and the composite key; suite_rules_unordered.yaml: the same, its
// key's columns swapped).
func TestExtendedSuites(t *testing.T) {
	for name, checks := range map[string]int{"suite_rules.yaml": 18, "suite_rules_unordered.yaml": 18, "suite_failed.yaml": 16} {
		s, err := trustml.Load(name)
		require.NoError(t, err, name)
		assert.Equal(t, checks, s.Expectations.Len(), name)
	}
}
