package trustml

import (
	"github.com/trustml/trustml/model"
)

// classRun is what the sections after the model (slices, fairness, the
// champion) need of a classifier's evaluated rows, in the order of
// modelRun.test.
type classRun struct {
	classes  []string
	positive int
	// y are the true classes and pred the labels the model is judged on
	// (model.DecideLabels), as indices into classes.
	y, pred []int
	// proba holds a row of probabilities per row, nil when the model gives
	// labels only.
	proba [][]float64
	thr   *model.ThresholdChoice
}

func newClassRun(classes []string, positive int, y, pred []int, proba [][]float64, thr *model.ThresholdChoice) *classRun {
	pred, _ = model.DecideLabels(len(classes), positive, pred, proba, thr)
	return &classRun{classes: classes, positive: positive, y: y, pred: pred, proba: proba, thr: thr}
}
