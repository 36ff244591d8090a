package trustml

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// modelTask returns the task the suite's model section states, "" when it
// states none (or is not a mapping): the checklist section's keys depend
// on it, whatever the order of the sections in the file. The model
// section's own decoder reports a task that is not a word.
func modelTask(root *yaml.Node) string {
	root = yamlx.Resolve(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "model" {
			continue
		}
		m := yamlx.Resolve(root.Content[i+1])
		if m == nil || m.Kind != yaml.MappingNode {
			return ""
		}
		for j := 0; j+1 < len(m.Content); j += 2 {
			if v := yamlx.Resolve(m.Content[j+1]); m.Content[j].Value == "task" && v != nil && v.Kind == yaml.ScalarNode {
				return v.Value
			}
		}
	}
	return ""
}

// classRun is what the sections after a classifier's evaluation need of
// it: the model, its classes, how its labels are read, and its outputs on
// the evaluated rows.
type classRun struct {
	clf      model.Classifier
	source   string
	classes  []string
	positive int
	// threshold, when set, makes the labels from a binary model's
	// probabilities (as the evaluation did), else the model's labels or
	// the most probable class are used.
	threshold *float64
	// out holds the model's outputs on the evaluated rows.
	out model.ClassOutput
}

func newClassRun(c model.Classifier, spec *model.Spec, ev model.ClassEvaluation, out model.ClassOutput) *classRun {
	r := &classRun{clf: c, source: spec.Source.String(), classes: ev.Classes, out: out}
	r.positive = max(0, slices.Index(ev.Classes, ev.Positive))
	if ev.LabelsFrom == "threshold" && ev.Threshold != nil {
		t := ev.Threshold.Threshold
		r.threshold = &t
	}
	return r
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
