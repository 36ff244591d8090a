package model_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

func f64(v float64) *float64 { return &v }

// TestClassBalance: counts, fractions and ratios by hand. Ten rows of
// classes a, b, c: training rows 0..5 hold a a a b b c, test rows 6..9
// hold a a b b (no c).
func TestClassBalance(t *testing.T) {
	classes := []string{"a", "b", "c"}
	y := []int{0, 0, 0, 1, 1, 2, 0, 0, 1, 1}
	part := model.Partition{Train: []int{0, 1, 2, 3, 4, 5}, Test: []int{6, 7, 8, 9}}
	got := model.ClassBalance(classes, y, part)
	require.Len(t, got, 2)
	assert.Equal(t, model.SplitClasses{Split: "train", Rows: 6, Counts: []int{3, 2, 1},
		Fractions: []float64{0.5, 2.0 / 6, 1.0 / 6}, Minority: "c", Majority: "a", Ratio: f64(3)}, got[0])
	assert.Equal(t, model.SplitClasses{Split: "test", Rows: 4, Counts: []int{2, 2, 0},
		Fractions: []float64{0.5, 0.5, 0}, Minority: "c", Majority: "a"}, got[1])

	b := model.Balance{MinFraction: f64(0.15), MaxRatio: f64(3)}
	c := b.Check(got)
	assert.Equal(t, "model.class_balance", c.Name)
	assert.Equal(t, result.Fail, c.Status)
	assert.Equal(t, "test split: class c is 0% of 4 rows, below 15%; test split: majority/minority ratio ∞ (a/c) above 3", c.Message)
	assert.Equal(t, "every class ≥ 15% of each split, majority/minority ≤ 3", c.ExpectedText)
	assert.Equal(t, "train: minority c 16.67% (1 of 6 rows), ratio 3; test: minority c 0% (0 of 4 rows), ratio ∞", c.ObservedText)

	// The training split alone passes: 1/6 ≥ 0.15 and 3 ≤ 3.
	c = b.Check(got[:1])
	assert.Equal(t, result.Pass, c.Status, c.Message)
	n := int64(2)
	c = (&model.Balance{MinCount: &n, Severity: result.SeverityWarn}).Check(got[:1])
	assert.Equal(t, result.Warn, c.Status)
	assert.Equal(t, "train split: class c has 1 rows, below 2", c.Message)

	// Evaluated on the training rows: one split, "all".
	all := model.ClassBalance(classes, y, model.Partition{Train: part.Train, Test: part.Train, OnTrainingData: true})
	require.Len(t, all, 1)
	assert.Equal(t, "all", all[0].Split)
}
