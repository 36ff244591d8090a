package trustml

import (
	"errors"
	"fmt"
	"math"
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
	groups, err := fairnessGroups(run.test, f)
	if err != nil {
		return nil, s.fairnessError("fairness.feature", err)
	}
	o := fairness.Outcomes{Actual: make([]bool, len(c.y)), Selected: make([]bool, len(c.y)), Group: groups}
	for i := range c.y {
		o.Actual[i], o.Selected[i] = c.y[i] == class, c.pred[i] == class
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

// fairnessGroups returns the group of each row of batch: the value of a
// categorical feature, or the bin of a numeric one the spec cuts.
func fairnessGroups(batch arrow.RecordBatch, f *fairness.Spec) ([]string, error) {
	col, err := arrowx.Column(batch, f.Feature)
	if err != nil {
		return nil, err
	}
	if f.Bins != nil {
		at, ok := arrowx.NumericAt(col)
		if !ok {
			return nil, fmt.Errorf("column %q is %s: bins cut a numeric column; give a categorical one without bins", f.Feature, col.DataType())
		}
		out := make([]string, col.Len())
		for i := range out {
			v, ok := at(i)
			if !ok {
				v = math.NaN()
			}
			out[i] = f.GroupOf(v)
		}
		return out, nil
	}
	groups, valid, err := model.Labels([]arrow.RecordBatch{batch}, f.Feature)
	if err != nil {
		return nil, fmt.Errorf("column %q is %s, not categorical: its values are the groups, so it must hold text, booleans or integers, or be cut into bins: feature: {column: %s, bins: [EDGES]}", f.Feature, col.DataType(), f.Feature)
	}
	for i, ok := range valid {
		if !ok {
			groups[i] = fairness.NullGroup
		}
	}
	return groups, nil
}
