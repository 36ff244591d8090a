package trustml

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// withModel records on c the model whose evaluation c holds, for the
// sections that call it on other rows, and returns c.
func (c *classRun) withModel(m model.Classifier, spec *model.Spec, ev model.ClassEvaluation, out model.ClassOutput) *classRun {
	c.clf, c.source, c.out = m, spec.Source.String(), out
	if ev.LabelsFrom == "threshold" && ev.Threshold != nil {
		t := ev.Threshold.Threshold
		c.threshold = &t
	}
	return c
}

// runChecklist runs the behavioural tests on the model of run: a
// regressor's, or a classifier's. A test that cannot run is an error
// positioned at the test in the suite file.
func (s *Suite) runChecklist(ctx context.Context, run *modelRun) ([]result.Check, error) {
	opts := checklist.Options{Seed: s.Seed, Target: s.Model.Target, Features: s.Model.Features, DataRows: run.dataRows}
	data := []arrow.RecordBatch{run.complete}
	var checks []result.Check
	var err error
	if c := run.cls; c != nil {
		classes := checklist.Classes{Names: c.classes, Positive: c.positive, Threshold: c.threshold, Source: c.source}
		checks, err = checklist.RunClassifier(ctx, c.clf, classes, data, s.Checklist, opts)
	} else {
		checks, err = checklist.Run(ctx, run.reg, data, s.Checklist, opts)
	}
	if err == nil {
		return checks, nil
	}
	return nil, s.checklistError(err)
}

// checklistError positions each test's error at the test in the suite
// file (at the checklist section for a test built in Go).
func (s *Suite) checklistError(err error) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		line, col := s.checklistLine, s.checklistCol
		var te *checklist.TestError
		if errors.As(e, &te) && te.Line > 0 {
			line, col = te.Line, te.Col
		}
		out[i] = fmt.Errorf("%s:%d:%d: %w", s.Path, line, col, e)
	}
	return errors.Join(out...)
}
