package slice

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/result"
)

// Eight rows of a binary classifier (classes no, yes; yes positive) in two
// regions. By hand:
//
//	north: labels right on rows 0, 1, 3 of 0..3 (3/4); the log loss of
//	       P(true class) .8, .6, .3, .9 is −(ln .8 + ln .6 + ln .3 + ln .9)/4
//	south: right on 4, 6 of 4..7 (2/4)
//
// The 0/1 errors are 0,0,1,0 | 0,1,0,1.
var (
	clsY     = []int{1, 0, 1, 0, 1, 1, 0, 0}
	clsPred  = []int{1, 0, 0, 0, 1, 0, 0, 1}
	clsProba = [][]float64{{.2, .8}, {.6, .4}, {.7, .3}, {.9, .1}, {.3, .7}, {.55, .45}, {.8, .2}, {.4, .6}}
)

func clsData(t *testing.T) arrow.RecordBatch {
	return newBatch(t, strCol("region", []string{"north", "north", "north", "north", "south", "south", "south", "south"}))
}

func TestRunClassesHandComputed(t *testing.T) {
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "region"}}}
	spec.MinSize = 4
	spec.Metrics = []string{"accuracy", "log_loss", "recall"}
	spec.FailIf = []Rule{{Metric: "accuracy", Kind: Drop, Limit: 0.1}}
	spec.Search = &Search{MinSupport: 2, Metric: ZeroOne, Features: []Dim{{Column: "region"}}}
	checks, err := RunClasses(context.Background(), spec, []arrow.RecordBatch{clsData(t)},
		Classes{Classes: []string{"no", "yes"}, Positive: 1, Y: clsY, Pred: clsPred, Proba: clsProba})
	require.NoError(t, err)
	got := byName(t, checks)
	north := got["slices.region=north"].Details.(Slice)
	south := got["slices.region=south"].Details.(Slice)
	assert.InDelta(t, 0.75, *metric(t, north, "accuracy").Value, 1e-15)
	assert.InDelta(t, -(math.Log(.8)+math.Log(.6)+math.Log(.3)+math.Log(.9))/4, *metric(t, north, "log_loss").Value, 1e-15)
	assert.InDelta(t, 0.5, *metric(t, north, "recall").Value, 1e-15, "one of the two yes rows found")
	assert.InDelta(t, 0.5, *metric(t, south, "accuracy").Value, 1e-15)
	assert.InDelta(t, 5.0/8, *metric(t, south, "accuracy").Overall, 1e-15)
	// accuracy_drop 0.1: a slice may be down to 5/8 − 0.1 = 0.525.
	assert.Equal(t, result.Pass, got["slices.region=north"].Status)
	assert.Equal(t, result.Fail, got["slices.region=south"].Status)
	rule := south.Rules
	require.Len(t, rule, 1)
	assert.InDelta(t, 0.525, rule[0].Bound, 1e-15)

	// The search's loss is the 0/1 error: mean 1/4 in the north, 2/4 in the south.
	sr := got["slices.search"].Details.(SearchResult)
	assert.Equal(t, ZeroOne, sr.Loss)
	require.Equal(t, 2, sr.Candidates)
}

func TestRunClassesBadInput(t *testing.T) {
	spec := NewSpec()
	spec.By = []Slicing{{{Column: "region"}}}
	data := []arrow.RecordBatch{clsData(t)}
	classes := []string{"no", "yes"}
	for _, tc := range []struct {
		name string
		c    Classes
		want string
	}{
		{"one class", Classes{Classes: []string{"a"}, Y: clsY, Pred: clsPred}, "slice: a classifier has at least 2 classes, got 1"},
		{"lengths", Classes{Classes: classes, Y: clsY, Pred: clsPred[:3]}, "slice: 8 true classes but 3 predicted labels"},
		{"index", Classes{Classes: classes, Y: []int{0, 1, 2, 0, 0, 0, 0, 0}, Pred: clsPred}, "model: slices: row 2 of 8: class index out of range: true 2, predicted 0 of 2 classes"},
		{"proba", Classes{Classes: classes, Y: clsY, Pred: clsPred, Proba: [][]float64{{1, 0}, {0, 1}, {math.NaN(), 1}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}}}, "model: slices: row 2 of 8: probability is NaN"},
		{"rows", Classes{Classes: classes, Y: clsY[:4], Pred: clsPred[:4]}, "slice: the data has 8 rows but there are 4 targets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RunClasses(context.Background(), spec, data, tc.c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A regression metric, and log loss without probabilities.
	bad := *spec
	bad.Metrics = []string{"rmse"}
	_, err := RunClasses(context.Background(), &bad, data, Classes{Classes: classes, Y: clsY, Pred: clsPred})
	assert.EqualError(t, err, "slice: metrics[0]: rmse is a regression metric; the model is a classifier, whose metrics are "+
		"accuracy, balanced_accuracy, precision, recall, f1, precision_macro, recall_macro, f1_macro, precision_weighted, recall_weighted, f1_weighted, mcc, roc_auc, average_precision, log_loss, brier, ece")
	bad = *spec
	bad.Search = &Search{Metric: LogLoss, MinSupport: 2}
	_, err = RunClasses(context.Background(), &bad, data, Classes{Classes: classes, Y: clsY, Pred: clsPred})
	assert.EqualError(t, err, "slice: search: log_loss needs the model's probabilities; the model gives labels only (use metric: zero_one)")
	// Run holds a spec to the regressor's names.
	bad = *spec
	bad.Metrics = []string{"accuracy"}
	_, err = Run(context.Background(), &bad, data, make([]float64, 8), make([]float64, 8))
	assert.ErrorContains(t, err, "slice: metrics[0]: accuracy is a classification metric; the model is a regressor")
	assert.NoError(t, bad.Validate(), "Validate accepts either task's names")
}
