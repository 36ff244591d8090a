package model

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func boolCol(name string, vals ...any) column {
	return column{name, arrow.FixedWidthTypes.Boolean, func(mem memory.Allocator) arrow.Array {
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
			} else {
				b.Append(v.(bool))
			}
		}
		return b.NewArray()
	}}
}

func TestLabelsAndClasses(t *testing.T) {
	mem := newMem(t)
	b := newBatch(t, mem, boolCol("b", true, nil, false), i64("i", 10, 9, -1), f64("f", 1, 2, 3))
	got, valid, err := Labels([]arrow.RecordBatch{b}, "b")
	require.NoError(t, err)
	assert.Equal(t, []string{"true", "", "false"}, got)
	assert.Equal(t, []bool{true, false, true}, valid)
	got, _, err = Labels([]arrow.RecordBatch{b}, "i")
	require.NoError(t, err)
	assert.Equal(t, []string{"-1", "9", "10"}, SortClasses(got), "integers sort as numbers")
	assert.Equal(t, []string{"10", "9", "a"}, SortClasses([]string{"9", "a", "10", "9"}), "otherwise byte order")
	_, _, err = Labels([]arrow.RecordBatch{b}, "f")
	assert.ErrorContains(t, err, `column "f": type float64 cannot hold class labels`)
}

// TestCheckOutputNamesRows: every bad row is listed, as data rows after
// AtDataRows.
func TestCheckOutputNamesRows(t *testing.T) {
	classes := []string{"a", "b", "c"}
	cases := []struct {
		name string
		out  ClassOutput
		want string
	}{
		{"unknown label", ClassOutput{Labels: []string{"a", "d", "b", "e"}},
			`model: m: data rows 11, 13: label "d" is not a class (classes: "a", "b", "c")`},
		{"negative", ClassOutput{Proba: [][]float64{{0.5, 0.5, 0}, {-0.1, 0.6, 0.5}, {1, 0, 0}, {0.2, 0.2, 0.6}}},
			`model: m: data row 11: probability of class "a" is -0.1, outside [0, 1]`},
		{"sum", ClassOutput{Proba: [][]float64{{0.5, 0.5, 1e-7}, {0.5, 0.5, 2e-6}, {0.3, 0.3, 0.3}, {0.2, 0.2, 0.6}}},
			`model: m: data rows 11..12: probabilities sum to 1.000002, not 1 (within 1e-06)`},
		{"count", ClassOutput{Proba: [][]float64{{0.5, 0.5}, {0.2, 0.2, 0.6}, {1}, {0.2, 0.2, 0.6}}},
			`model: m: data rows 10, 12: 2 probabilities for 3 classes ("a", "b", "c")`},
		{"NaN", ClassOutput{Proba: [][]float64{{math.NaN(), 0.5, 0.5}, {0.2, 0.2, 0.6}, {1, 0, 0}, {0.2, 0.2, 0.6}}},
			`model: m: data row 10: probability of class "a" is NaN, outside [0, 1]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckOutput(c.out, classes, "m")
			var re *RowsError
			require.True(t, errors.As(err, &re), "%v", err)
			assert.Contains(t, err.Error(), "of 4")
			assert.EqualError(t, AtDataRows(err, []int{10, 11, 12, 13}), c.want)
		})
	}
	assert.NoError(t, CheckOutput(ClassOutput{Labels: []string{"c"}, Proba: [][]float64{{0.1, 0.1, 0.8 + 5e-7}}}, classes, "m"))
}

func TestPredictionsClasses(t *testing.T) {
	mem := newMem(t)
	b := newBatch(t, mem, str("y", "no", "yes", "yes"), f64("p", 0.2, 0.9, 0.5), f64("q", 0.8, 0.1, 0.5), str("l", "no", "yes", nil))
	o, err := ClassifyAll(context.Background(), PredictionsClasses("", []string{"p"}, []string{"no", "yes"}, 1), []arrow.RecordBatch{b}, []string{"no", "yes"})
	require.NoError(t, err)
	assert.Nil(t, o.Labels)
	assert.InDeltaSlice(t, []float64{0.8, 0.2}, o.Proba[0], 1e-15)
	assert.InDeltaSlice(t, []float64{0.1, 0.9}, o.Proba[1], 1e-15)
	// One column per class, in class order.
	o, err = ClassifyAll(context.Background(), PredictionsClasses("", []string{"q", "p"}, []string{"no", "yes"}, 1), []arrow.RecordBatch{b}, []string{"no", "yes"})
	require.NoError(t, err)
	assert.Equal(t, []float64{0.1, 0.9}, o.Proba[1])
	// Columns that do not sum to 1.
	_, err = ClassifyAll(context.Background(), PredictionsClasses("", []string{"p", "p"}, []string{"no", "yes"}, 1), []arrow.RecordBatch{b}, []string{"no", "yes"})
	assert.EqualError(t, err, `model: probability columns "p", "p": rows 0..1 of 3: probabilities sum to 0.4, not 1 (within 1e-06)`)
	_, err = ClassifyAll(context.Background(), PredictionsClasses("l", nil, []string{"no", "yes"}, 1), []arrow.RecordBatch{b}, []string{"no", "yes"})
	assert.EqualError(t, err, `model: predictions column "l": row 2 of 3: null label`)
}

// TestChooseThreshold: scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.6 (pos),
// 0.2 (neg). At ≥ 0.6: precision 3/4, recall 1; at ≥ 0.9: 1 and 1/3; at
// ≥ 0.7: 2/3 and 2/3.
func TestChooseThreshold(t *testing.T) {
	scores := []float64{0.2, 0.9, 0.6, 0.8, 0.7}
	truth := []bool{false, true, true, false, true}
	c, err := ChooseThreshold(Threshold{Precision: ptr(0.7)}, scores, truth)
	require.NoError(t, err)
	assert.Equal(t, 0.6, c.Threshold)
	assert.Equal(t, 0.75, *c.TrainPrecision)
	assert.Equal(t, 1.0, *c.TrainRecall)
	assert.Equal(t, "precision ≥ 0.7 on the training rows", c.Rule)
	c, err = ChooseThreshold(Threshold{Precision: ptr(0.9)}, scores, truth)
	require.NoError(t, err)
	assert.Equal(t, 0.9, c.Threshold)
	c, err = ChooseThreshold(Threshold{Recall: ptr(0.6)}, scores, truth)
	require.NoError(t, err)
	assert.Equal(t, 0.7, c.Threshold)
	assert.InDelta(t, 2.0/3, *c.TrainPrecision, 1e-15)
	_, err = ChooseThreshold(Threshold{Precision: ptr(1)}, []float64{0.9, 0.8}, []bool{false, true})
	assert.EqualError(t, err, "model: threshold: no threshold reaches precision 1 on the 2 training rows (the best is 0.5)")
	c, err = ChooseThreshold(Threshold{}, scores, truth)
	require.NoError(t, err)
	assert.Equal(t, ThresholdChoice{Rule: "default", Threshold: 0.5}, c)
	assert.Equal(t, []int{1, 0, 1}, LabelsOf([][]float64{{0.4, 0.6}, {0.7, 0.3}, {0.5, 0.5}}, 1, nil), "p ≥ 0.5 is positive")
	assert.Equal(t, []int{0, 2}, LabelsOf([][]float64{{0.4, 0.4, 0.2}, {0.1, 0.2, 0.7}}, 1, nil), "argmax, first on a tie")
}

// TestMeasureClassesByHand: y = a a b b, predicted a b b b with
// P(b) = 0.1 0.6 0.7 0.9 (positive b).
func TestMeasureClassesByHand(t *testing.T) {
	proba := [][]float64{{0.9, 0.1}, {0.4, 0.6}, {0.3, 0.7}, {0.1, 0.9}}
	m := MeasureClasses([]string{"a", "b"}, 1, []int{0, 0, 1, 1}, []int{0, 1, 1, 1}, proba, 2)
	assert.Equal(t, [][]int{{1, 1}, {0, 2}}, m.Confusion)
	assert.Equal(t, 0.75, m.Accuracy.V)
	assert.InDelta(t, 2.0/3, m.Precision.V, 1e-15)
	assert.Equal(t, 1.0, m.Recall.V)
	assert.InDelta(t, 0.8, m.F1.V, 1e-15)
	assert.Equal(t, 0.75, m.BalancedAccuracy.V)
	// MCC = (TP·TN − FP·FN)/√(...) = (2·1 − 1·0)/√(3·2·1·2) = 2/√12.
	assert.InDelta(t, 2/math.Sqrt(12), m.MCC.V, 1e-15)
	assert.Equal(t, 1.0, m.ROCAUC.V)
	assert.Equal(t, 1.0, m.AveragePrecision.V)
	assert.InDelta(t, -(math.Log(0.9)+math.Log(0.4)+math.Log(0.7)+math.Log(0.9))/4, m.LogLoss.V, 1e-15)
	assert.InDelta(t, (0.01+0.36+0.09+0.01)/4, m.Brier.V, 1e-15)
	// Two bins: [0, 0.5] holds 0.1 (observed 0), (0.5, 1] holds 0.6, 0.7,
	// 0.9 (observed 2/3): ECE = ¼·0.1 + ¾·|2/3 − 11/15|.
	assert.InDelta(t, 0.025+0.75*math.Abs(2.0/3-2.2/3), m.ECE.V, 1e-15)
	// A labels-only model has no probability metrics, and one predicted
	// class no MCC.
	m = MeasureClasses([]string{"a", "b"}, 1, []int{0, 0, 1, 1}, []int{1, 1, 1, 1}, nil, 0)
	assert.Equal(t, "the predictions hold a single class", m.MCC.Reason)
	assert.Equal(t, "the model gives labels, not probabilities", m.ROCAUC.Reason)
	assert.Equal(t, 0.5, m.Precision.V)
	assert.Equal(t, 0.0, m.PerClass[0].Precision, "0/0 is 0 as scikit-learn's zero_division=0")
	m = MeasureClasses([]string{"a", "b", "c"}, 1, []int{0, 1}, []int{0, 1}, [][]float64{{1, 0, 0}, {0, 1, 0}}, 0)
	assert.Equal(t, `no row of class "c"`, m.ROCAUC.Reason)
	assert.False(t, m.F1.Defined)
}

// TestFitLogisticSeparable: perfectly separable data has a finite
// penalised solution whose gradient vanishes, probabilities ordered by x.
func TestFitLogisticSeparable(t *testing.T) {
	mem := newMem(t)
	b := newBatch(t, mem, f64("x", 1, 2, 3, 4, 5, 6), boolCol("y", false, false, false, true, true, true), str("c", "u", "v", "u", "v", "u", "v"))
	m, err := FitLogistic(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "y", Features: []string{"x", "c"}, Algorithm: AlgorithmLogistic, Alpha: 0.01})
	require.NoError(t, err)
	assert.Equal(t, []string{"false", "true"}, m.Classes)
	assert.Equal(t, "true", m.Positive)
	assert.Less(t, m.Gradient, LogisticGradientTolerance)
	assert.Greater(t, m.Coefficients[0][0].Value, 1.0)
	assert.Equal(t, Coefficient{Name: "c", Level: "v", Value: m.Coefficients[0][1].Value}, m.Coefficients[0][1])
	o, err := ClassifyAll(context.Background(), m, []arrow.RecordBatch{b}, m.Classes)
	require.NoError(t, err)
	for i := 1; i < 6; i++ {
		assert.Greater(t, o.Proba[i][1], o.Proba[i-1][1]-0.2, "row %d", i)
	}
	assert.Less(t, o.Proba[0][1], 0.05)
	assert.Greater(t, o.Proba[5][1], 0.95)
	// The optimum: the gradient of Σ loss + α/2‖w‖² vanishes, so Σ (p − t) = 0.
	var s float64
	for i, row := range o.Proba {
		s += row[1] - float64(i/3)
	}
	assert.InDelta(t, 0, s, 1e-6)

	_, err = FitLogistic(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "y", Features: []string{"x"}, Algorithm: AlgorithmLogistic})
	assert.ErrorContains(t, err, "logistic needs a finite alpha > 0, got 0")
	_, err = FitLogistic(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "y", Features: []string{"x"}, Algorithm: AlgorithmLogistic, Alpha: 1, Rows: []int{0, 1}})
	assert.EqualError(t, err, `model: fit: the training rows hold a single class "false"; a classifier needs at least two`)
	_, err = FitLogistic(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "x", Features: []string{"c"}, Algorithm: AlgorithmLogistic, Alpha: 1})
	assert.ErrorContains(t, err, `target "x": type float64 cannot hold class labels`)
	_, err = Fit(context.Background(), []arrow.RecordBatch{b}, FitOptions{Target: "x", Features: []string{"c"}, Algorithm: AlgorithmLogistic, Alpha: 1})
	assert.ErrorContains(t, err, "use FitLogistic")
}
