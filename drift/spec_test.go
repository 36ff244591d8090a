package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/yamlx"
)

func decodeSrc(t *testing.T, src string) (*Spec, error) {
	t.Helper()
	n, err := yamlx.Parse("s.yaml", []byte(src))
	require.NoError(t, err)
	d := &yamlx.Decoder{File: "s.yaml"}
	s := decode(d, n, "drift", false)
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

// TestValidate: the rules of a drift section hold for specs built in Go,
// and a decoded spec reports the same problems, positioned.
func TestValidate(t *testing.T) {
	neg, big, half := -1.0, 1.5, 2.5
	s := &Spec{Columns: []Column{
		{Name: "Temp", Tests: []Test{{Kind: KSTest, Statistic: bound.Interval{Max: &big}}, {Kind: PSITest}, {Kind: "kss", Statistic: bound.Interval{Max: &neg}}}},
		{Name: "Month", Tests: []Test{{Kind: NewCategories, Statistic: bound.Interval{Max: &half}}, {Kind: WassersteinTest, Statistic: bound.Interval{Max: &neg}, Severity: "fatal"}}},
		{Name: "Wind"},
	}}
	assert.EqualError(t, s.Validate(), `drift.columns.Temp.ks.max_statistic: must be a fraction between 0 and 1, got 1.5
drift.columns.Temp.kss: unknown drift test "kss"; tests are ks, psi, wasserstein, chi_square, new_categories
drift.columns.Month.new_categories.max: must be a whole number of categories, got 2.5
drift.columns.Month.wasserstein.max: must be ≥ 0, got -1
drift.columns.Month.wasserstein.severity: must be error or warn, got "fatal"
drift.columns.Wind: names no test: add one of ks, psi, wasserstein, chi_square, new_categories`)
	assert.EqualError(t, (&Spec{}).Validate(), "drift.columns: names no column: add COLUMN: {ks: {...}, ...}")
	// The shared interval type: a statistic is bounded from above, a
	// p-value from below.
	one := &Spec{Columns: []Column{{Name: "x", Tests: []Test{{Kind: KSTest, Statistic: bound.AtLeast(0.1), PValue: bound.AtMost(0.5)}}}}}
	assert.EqualError(t, one.Validate(), `drift.columns.x.ks.max_statistic: bounds the statistic from above only: set Statistic.Max alone
drift.columns.x.ks.min_p_value: bounds the p-value from below only: set PValue.Min alone`)

	_, err := decodeSrc(t, "columns: {Temp: {ks: {max_statistic: 1.5}, psi: {severity: warn}, wasserstein: {max: -1}}}")
	assert.EqualError(t, err, `s.yaml:1:38: drift.columns.Temp.ks.max_statistic: must be a fraction between 0 and 1, got 1.5
s.yaml:1:49: drift.columns.Temp.psi: needs a bound: max
s.yaml:1:86: drift.columns.Temp.wasserstein.max: must be ≥ 0, got -1`)
	// A bound that is not a number is reported once, not also as missing.
	_, err = decodeSrc(t, "columns: {Temp: {psi: {max: high}}}")
	assert.EqualError(t, err, `s.yaml:1:29: drift.columns.Temp.psi.max: must be a number, got the string "high"`)
}
