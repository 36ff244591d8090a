package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/yamlx"
)

func decodeSrc(t *testing.T, src string) (*Spec, error) {
	t.Helper()
	n, err := yamlx.Parse("s.yaml", []byte(src))
	require.NoError(t, err)
	d := &yamlx.Decoder{File: "s.yaml"}
	s := decode(d, n, "drift")
	return s, d.Err()
}

// chi_square is the canonical name, as in expectations; chisquare is kept
// as an alias and reads as the same test.
func TestChiSquareAlias(t *testing.T) {
	for _, key := range []string{"chi_square", "chisquare"} {
		s, err := decodeSrc(t, "columns: {Month: {"+key+": {min_p_value: 0.01}}}")
		require.NoError(t, err, key)
		require.Len(t, s.Columns, 1)
		require.Len(t, s.Columns[0].Tests, 1)
		assert.Equal(t, ChiSquareTest, s.Columns[0].Tests[0].Kind, key)
	}
	_, err := decodeSrc(t, "columns: {Month: {chi_square: {min_p_value: 0.01}, chisquare: {min_p_value: 0.05}}}")
	assert.EqualError(t, err, "s.yaml:1:52: drift.columns.Month.chisquare: chisquare and chi_square are the same test; keep one")
}
