package drift

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/profile"
)

// labelProfile profiles an int64 column y and a string column prediction.
func labelProfile(t *testing.T, ys []int64, preds []string) *profile.Profile {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sc := arrow.NewSchema([]arrow.Field{{Name: "y", Type: arrow.PrimitiveTypes.Int64}, {Name: PredictionColumn, Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(ys, nil)
	b.Field(1).(*array.StringBuilder).AppendValues(preds, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	p, err := profile.New(sc, nil, profile.Options{})
	require.NoError(t, err)
	p.Update(rec)
	return p.Finish()
}

// TestLabelAndPredictionDrift: the reference holds classes 0 and 1 six and
// four times, the current data three and seven times. By hand, over the
// 2×2 table [[6 4] [3 7]] with expected counts 4.5 and 5.5 in each row:
// χ² = 2·1.5²/4.5 + 2·1.5²/5.5 = 20/11, df 1, p = erfc(√(χ²/2)); PSI =
// (0.3 − 0.6)·ln(0.3/0.6) + (0.7 − 0.4)·ln(0.7/0.4).
func TestLabelAndPredictionDrift(t *testing.T) {
	ref := labelProfile(t, []int64{0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, []string{"a", "a", "a", "a", "a", "a", "b", "b", "b", "b"})
	cur := labelProfile(t, []int64{0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, []string{"a", "a", "a", "b", "b", "b", "b", "b", "b", "c"})
	tests := []Test{{Kind: ChiSquareTest, PValue: bound.AtLeast(0.05)}, {Kind: PSITest, Statistic: bound.AtMost(0.25)}, {Kind: NewCategories, Statistic: bound.AtMost(0)}}
	s := &Spec{Label: &Target{Column: "y", Categorical: true, Tests: tests}}
	checks, err := Compare(s, ref, cur)
	require.NoError(t, err)
	require.Len(t, checks, 3)
	chi := 2*1.5*1.5/4.5 + 2*1.5*1.5/5.5
	psi := (0.3-0.6)*math.Log(0.3/0.6) + (0.7-0.4)*math.Log(0.7/0.4)
	assert.Equal(t, "drift.label.chi_square", checks[0].Name)
	assert.Equal(t, "y", checks[0].Column)
	obs := checks[0].Observed.(map[string]any)
	assert.InDelta(t, chi, obs["statistic"], 1e-12)
	assert.InDelta(t, math.Erfc(math.Sqrt(chi/2)), obs["p_value"], 1e-12)
	assert.Equal(t, 1, obs["df"])
	assert.Equal(t, "pass", string(checks[0].Status), "p = 0.18 ≥ 0.05")
	assert.Equal(t, "drift.label.psi", checks[1].Name)
	assert.InDelta(t, psi, checks[1].Observed.(map[string]any)["psi"], 1e-12)
	assert.Equal(t, "fail", string(checks[1].Status), "PSI 0.376 > 0.25")
	assert.Equal(t, "pass", string(checks[2].Status))

	// Without Categorical, PSI of the integer column is over the
	// reference's deciles, not its classes: the classes are what label
	// drift compares.
	num, err := Compare(&Spec{Label: &Target{Column: "y", Tests: []Test{{Kind: PSITest}}}}, ref, cur)
	require.NoError(t, err)
	assert.Contains(t, num[0].Message, "bins from the reference's deciles")

	// Prediction drift: the predicted labels gain a class c.
	s = &Spec{Prediction: &Target{Column: PredictionColumn, Categorical: true, Tests: tests}}
	checks, err = ComparePredictions(s, ref, cur)
	require.NoError(t, err)
	require.Len(t, checks, 3)
	assert.Equal(t, "drift.prediction.new_categories", checks[2].Name)
	assert.Equal(t, "fail", string(checks[2].Status))
	assert.Equal(t, `1 value not in the reference (1 rows): "c", expected new values ≤ 0`, checks[2].Message)
	// Over the categories a, b, c: [[6 4 0] [3 6 1]], df 2.
	assert.Equal(t, 2, checks[0].Observed.(map[string]any)["df"])

	// A column the profiles lack is positioned at the key.
	s = &Spec{File: "s.yaml", Label: &Target{Column: "z", Categorical: true, Tests: tests, Line: 3, Col: 3}}
	_, err = Compare(s, ref, cur)
	assert.EqualError(t, err, `s.yaml:3:3: drift.label: column "z" is not in the reference; it has columns y, prediction`)
	checks, err = ComparePredictions(&Spec{Columns: []Column{{Name: "y", Tests: tests}}}, ref, cur)
	assert.NoError(t, err)
	assert.Empty(t, checks, "no prediction drift declared")
}

func decodeTask(t *testing.T, src string, classifier bool) (*Spec, error) {
	t.Helper()
	n, err := yamlx.Parse("s.yaml", []byte(src))
	require.NoError(t, err)
	d := &yamlx.Decoder{File: "s.yaml"}
	task := ""
	if classifier {
		task = "classification"
	}
	s := section.Decode("drift", d, nil, n, "drift", section.Env{Task: task}).(*Spec)
	return s, d.Err()
}

func TestDecodeTargets(t *testing.T) {
	s, err := decodeTask(t, `{label: {chi_square: {min_p_value: 0.01}, psi: {max: 0.2}}, prediction: {class: 1, ks: {max_statistic: 0.2}}}`, true)
	require.NoError(t, err)
	assert.Empty(t, s.Columns)
	require.NotNil(t, s.Label)
	assert.True(t, s.Label.Categorical)
	assert.Len(t, s.Label.Tests, 2)
	assert.Equal(t, &Target{Column: PredictionColumn, Class: "1", Tests: []Test{{Kind: KSTest, Statistic: bound.AtMost(0.2), Line: 1, Col: 84}}, Line: 1, Col: 61}, s.Prediction)
	assert.Equal(t, 3, s.Len())

	s, err = decodeTask(t, `{prediction: {psi: {max: 0.2}}, severity: warn}`, true)
	require.NoError(t, err)
	assert.True(t, s.Prediction.Categorical)
	assert.Equal(t, "warn", string(s.Prediction.Tests[0].Severity))

	for _, tc := range []struct {
		src        string
		classifier bool
		want       string
	}{
		{`{label: {ks: {max_statistic: 0.1}}}`, true, "s.yaml:1:10: drift.label.ks: compares numbers; a classifier's labels are categories: use chi_square, psi or new_categories"},
		{`{prediction: {class: a, psi: {max: 0.1}}}`, false, "s.yaml:1:15: drift.prediction.class: applies to a classifier (task: classification): the probability of a class"},
		{`{prediction: {class: a, new_categories: 0}}`, true, `s.yaml:1:25: drift.prediction.new_categories: compares categories; the probability of class "a" is a number: use ks, psi or wasserstein`},
		{`{label: {}}`, true, "s.yaml:1:9: drift.label: names no test"},
		{`{severity: warn}`, true, "drift.columns: missing: the columns to compare with the reference (or label, prediction)"},
		{`{prediction: {class: 1.5, psi: {max: 1}}}`, true, "drift.prediction.class: must be a class label (a string, an integer or a boolean), got the number 1.5"},
	} {
		_, err := decodeTask(t, tc.src, tc.classifier)
		require.Error(t, err, tc.src)
		assert.Contains(t, err.Error(), tc.want, tc.src)
	}
}
