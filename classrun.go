package trustml

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/slice"
)

// classRun is what the sections after the model (behavioural tests,
// prediction drift, slices, fairness, the champion) need of a classifier
// and its evaluated rows, in the order of modelRun.test.
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

	// The model itself, for the sections that call it on other rows (set
	// by withModel; nil for a champion).
	clf    model.Classifier
	source string
	// threshold, when set, makes the labels from a binary model's
	// probabilities (as the evaluation did), else the model's labels or
	// the most probable class are used.
	threshold *float64
	// out holds the model's outputs on the evaluated rows.
	out model.ClassOutput
}

func newClassRun(classes []string, positive int, y, pred []int, proba [][]float64, thr *model.ThresholdChoice) *classRun {
	pred, _ = model.DecideLabels(len(classes), positive, pred, proba, thr)
	return &classRun{classes: classes, positive: positive, y: y, pred: pred, proba: proba, thr: thr}
}

// runSlices measures the slices of spec on the model's evaluated rows, a
// regressor's or a classifier's. An error about a row is left at its
// position among the evaluated rows.
func runSlices(ctx context.Context, spec *slice.Spec, m *model.Spec, run *modelRun) ([]result.Check, error) {
	if c := run.cls; c != nil {
		return slice.RunClasses(ctx, spec, []arrow.RecordBatch{run.test}, c.sliceInput(m.ECEBins))
	}
	return slice.Run(ctx, spec, []arrow.RecordBatch{run.test}, run.y, run.yhat)
}

// sliceInput is the classifier's evaluated rows as package slice takes them.
func (c *classRun) sliceInput(bins int) slice.Classes {
	return slice.Classes{Classes: c.classes, Positive: c.positive, Y: c.y, Pred: c.pred, Proba: c.proba, ECEBins: bins}
}

// modelTask returns the task the suite's model section states, read from
// the parsed document before any section is decoded: "" without a model
// section, "regression" without a task key, the task key's text else.
func modelTask(root *yaml.Node) string {
	m := mapValue(yamlx.Resolve(root), "model")
	if m == nil {
		return ""
	}
	if t := mapValue(m, "task"); t != nil && t.Kind == yaml.ScalarNode {
		return t.Value
	}
	return model.TaskRegression
}

// mapValue returns the value of key in the mapping n, nil when n is not a
// mapping or has no such key.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return yamlx.Resolve(n.Content[i+1])
		}
	}
	return nil
}
