package trustml

import (
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/fairness"
	"github.com/trustml/trustml/internal/arrowx"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// validateFairness reports, at the fairness key, a fairness section that
// has no classifier to judge.
func (s *Suite) validateFairness(d *yamlx.Decoder) {
	f := s.Fairness
	if f == nil {
		return
	}
	at := &yaml.Node{Line: f.Line, Column: f.Col}
	switch {
	case s.Model == nil:
		d.Errorf(at, "fairness", "fairness judges a classifier's decisions: add a model section with task: classification")
	case !s.Model.IsClassification():
		d.Errorf(at, "fairness", "fairness judges a classifier's decisions (selection, true and false positive rates); the model is a regressor: add task: classification")
	case f.Feature != "" && (f.Feature == s.Model.Target):
		d.Errorf(&yaml.Node{Line: f.FeatureLine, Column: f.FeatureCol}, "fairness.feature", "is the model's target %q; the sensitive feature is another column", f.Feature)
	}
}

// runFairness assesses the classifier's decisions on the evaluated rows
// (the test split) across the groups of the fairness section's feature.
func (s *Suite) runFairness(run *modelRun) ([]result.Check, error) {
	f := s.Fairness
	c := run.cls
	if c == nil {
		return nil, s.fairnessError("fairness", errors.New("fairness judges a classifier's decisions; the model is a regressor"))
	}
	class := c.positive
	switch {
	case f.Class != "":
		if class = slices.Index(c.classes, f.Class); class < 0 {
			return nil, s.fairnessError("fairness.class", fmt.Errorf("%q is not a class of %q (classes: %s)", f.Class, s.Model.Target, quoteList(c.classes)))
		}
	case len(c.classes) > 2:
		return nil, s.fairnessError("fairness", fmt.Errorf("the model has %d classes (%s): name the class whose prediction is a selection, class: CLASS", len(c.classes), quoteList(c.classes)))
	}
	groups, valid, err := model.Labels([]arrow.RecordBatch{run.test}, f.Feature)
	if err != nil {
		what := "absent"
		if col, cerr := arrowx.Column(run.test, f.Feature); cerr == nil {
			what = col.DataType().String()
		}
		return nil, s.fairnessError("fairness.feature", fmt.Errorf("column %q is %s, not categorical: its values are the groups, so it must hold text, booleans or integers (bin a numeric column into a column of its own)", f.Feature, what))
	}
	o := fairness.Outcomes{Actual: make([]bool, len(c.y)), Selected: make([]bool, len(c.y)), Group: groups}
	for i := range c.y {
		o.Actual[i], o.Selected[i] = c.y[i] == class, c.pred[i] == class
		if !valid[i] {
			o.Group[i] = "(null)"
		}
	}
	checks, err := fairness.Check(f, c.classes[class], o)
	if err != nil {
		return nil, s.fairnessError("fairness.feature", fmt.Errorf("on the %d evaluated rows: %w", len(c.y), err))
	}
	return checks, nil
}

// fairnessError places err at the fairness section's key path: its
// feature for "fairness.feature", else its key.
func (s *Suite) fairnessError(path string, err error) error {
	f := s.Fairness
	line, col := f.Line, f.Col
	if path == "fairness.feature" && f.FeatureLine > 0 {
		line, col = f.FeatureLine, f.FeatureCol
	}
	if line == 0 {
		return fmt.Errorf("%s: %w", path, err)
	}
	return &yamlx.Error{File: s.Path, Problems: []yamlx.Problem{{Line: line, Col: col, Path: path, Msg: err.Error()}}}
}

// fairnessColumnError places a column the data lacks at the fairness
// section's feature, or returns nil when it is not that column.
func (s *Suite) fairnessColumnError(column string, err error) error {
	if s.Fairness == nil || s.Fairness.Feature != column {
		return nil
	}
	return s.fairnessError("fairness.feature", err)
}
