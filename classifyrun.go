package trustml

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// runClassifierSpec is runModelSpec for a classifier: all holds the model's
// columns of every row read.
func runClassifierSpec(ctx context.Context, spec *model.Spec, all arrow.RecordBatch, mr *ModelResult) (*ModelResult, []result.Check, *modelRun, error) {
	run, err := completeRun(ctx, spec, all, mr)
	if err != nil {
		return nil, nil, nil, err
	}
	ok := false
	defer func() {
		if !ok {
			run.release()
		}
	}()
	part := mr.Partition
	labels, _, err := model.Labels([]arrow.RecordBatch{run.complete}, spec.Target)
	if err != nil {
		return nil, nil, nil, err
	}
	classes := model.SortClasses(labels)
	if len(classes) < 2 {
		return nil, nil, nil, fmt.Errorf("model: target %q holds a single class %q in the %d usable rows; a classifier needs at least two", spec.Target, classes[0], len(run.dataRows))
	}
	positive := 1
	if spec.Positive != "" {
		if positive = slices.Index(classes, spec.Positive); positive < 0 {
			return nil, nil, nil, fmt.Errorf("model: positive: %q is not a class of %q (classes: %s)", spec.Positive, spec.Target, quoteList(classes))
		}
	}
	if len(classes) > 2 && (spec.Positive != "" || !spec.Threshold.IsZero()) {
		return nil, nil, nil, fmt.Errorf("model: positive and threshold apply to a binary classifier; %q has %d classes (%s)", spec.Target, len(classes), quoteList(classes))
	}
	index := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			out[i] = slices.Index(classes, l)
		}
		return out
	}
	y := index(labels)
	opened, err := spec.Source.Open(ctx, []arrow.RecordBatch{run.complete}, model.OpenOptions{
		Task: model.TaskClassification, Target: spec.Target, Features: spec.Features,
		TrainRows: part.Train, Classes: classes, Positive: positive,
	})
	if err != nil {
		return nil, nil, nil, err
	}
	mr.Logistic, mr.Tuning, run.closer = opened.Logistic, opened.Tuning, opened.Closer
	if run.test, err = model.TakeRows(ctx, run.complete, part.Test); err != nil {
		return nil, nil, nil, err
	}
	out, err := model.ClassifyAll(ctx, opened.Classifier, []arrow.RecordBatch{run.test}, classes)
	if err != nil {
		return nil, nil, nil, model.AtDataRows(err, run.testRows)
	}
	trainY := make([]int, len(part.Train))
	for k, i := range part.Train {
		trainY[k] = y[i]
	}
	thr, err := threshold(ctx, spec, run, opened.Classifier, out, part, trainY, classes, positive)
	if err != nil {
		return nil, nil, nil, err
	}
	testY := make([]int, len(part.Test))
	for k, i := range part.Test {
		testY[k] = y[i]
	}
	var pred []int
	if out.Labels != nil {
		pred = index(out.Labels)
	}
	ev := model.EvaluateClasses(classes, positive, testY, pred, out.Proba, trainY, thr, spec.ECEBins)
	mr.Classification = &ev
	mr.EvaluatedOn = evaluatedOn(spec, part)
	run.cls = newClassRun(classes, positive, testY, pred, out.Proba, thr).withModel(opened.Classifier, spec, ev, out)

	mr.ClassBalance = model.ClassBalance(classes, y, part)

	checks := make([]result.Check, 0, len(spec.Objectives)+1)
	for _, o := range spec.Objectives {
		checks = append(checks, metricCheck(o, mr))
	}
	if spec.Balance != nil {
		checks = append(checks, spec.Balance.Check(mr.ClassBalance))
	}
	ok = true
	return mr, checks, run, nil
}

// threshold decides a binary classifier's threshold: nil when labels come
// from the model, else the threshold stated or chosen on the training rows
// (classified here for that).
func threshold(ctx context.Context, spec *model.Spec, run *modelRun, c model.Classifier, out model.ClassOutput, part model.Partition,
	trainY []int, classes []string, positive int) (*model.ThresholdChoice, error) {
	t := spec.Threshold
	if len(classes) != 2 || out.Proba == nil || (t.IsZero() && out.Labels != nil) {
		return nil, nil
	}
	if t.Precision == nil && t.Recall == nil {
		choice, err := model.ChooseThreshold(t, nil, nil)
		return &choice, err
	}
	train, err := model.TakeRows(ctx, run.complete, part.Train)
	if err != nil {
		return nil, err
	}
	defer train.Release()
	trainRows := make([]int, len(part.Train))
	for k, i := range part.Train {
		trainRows[k] = run.dataRows[i]
	}
	tout, err := model.ClassifyAll(ctx, c, []arrow.RecordBatch{train}, classes)
	if err != nil {
		return nil, model.AtDataRows(err, trainRows)
	}
	scores := make([]float64, len(tout.Proba))
	truth := make([]bool, len(tout.Proba))
	for i, p := range tout.Proba {
		scores[i], truth[i] = p[positive], trainY[i] == positive
	}
	choice, err := model.ChooseThreshold(t, scores, truth)
	if err != nil {
		return nil, err
	}
	return &choice, nil
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
