package trustml

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/drift"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/profile"
	"github.com/trustml/trustml/result"
)

// wireModelDrift connects the drift section's label and prediction tests
// to the model section, reporting in d what they cannot compare: label
// drift compares the model's target column, prediction drift runs the
// model on the reference's rows, which a saved profile does not hold.
func (s *Suite) wireModelDrift(d *yamlx.Decoder) {
	if s.Drift == nil {
		return
	}
	for _, t := range []struct {
		key string
		t   *drift.Target
	}{{"label", s.Drift.Label}, {"prediction", s.Drift.Prediction}} {
		if t.t == nil {
			continue
		}
		at := &yaml.Node{Line: t.t.Line, Column: t.t.Col}
		switch {
		case s.Model == nil:
			d.Errorf(at, "drift."+t.key, "%s drift compares the model's %s: add a model section", t.key, map[string]string{"label": "target", "prediction": "predictions"}[t.key])
			continue
		case t.key == "prediction" && strings.EqualFold(filepath.Ext(s.Data.Reference), ".json"):
			d.Errorf(at, "drift.prediction", "prediction drift runs the model on the reference's rows: data.reference must be a data file, not a saved profile")
		}
		if t.key == "label" {
			t.t.Column = s.Model.Target
		}
	}
}

// predictionDrift compares the model's predictions on the evaluated rows
// of the current data with its predictions on the rows of the reference
// that hold every column the model reads: predicted labels (or the
// probability of a class) for a classifier, predicted values for a
// regressor.
func (s *Suite) predictionDrift(ctx context.Context, run *modelRun) ([]result.Check, error) {
	pt := s.Drift.Prediction
	at := func(err error) error {
		return &yamlx.Error{File: s.Path, Problems: []yamlx.Problem{{Line: pt.Line, Col: pt.Col, Path: "drift.prediction", Msg: err.Error()}}}
	}
	class := -1
	if c := run.cls; c != nil && pt.Class != "" {
		if class = slices.Index(c.classes, pt.Class); class < 0 {
			return nil, at(fmt.Errorf("class %q is not a class of the model (classes: %s)", pt.Class, quoteList(c.classes)))
		}
		if c.out.Proba == nil {
			return nil, at(fmt.Errorf("compares the probability of class %q, but %s returns labels only", pt.Class, c.source))
		}
	}
	ref, rows, err := s.referenceRows(ctx)
	if err != nil {
		return nil, at(err)
	}
	defer ref.Release()
	var refCol, curCol arrow.Array
	if c := run.cls; c != nil {
		out, err := model.ClassifyAll(ctx, c.clf, []arrow.RecordBatch{ref}, c.classes)
		if err != nil {
			return nil, at(fmt.Errorf("the reference: %w", model.AtDataRows(err, rows)))
		}
		refCol, curCol = c.outputColumn(out, class), c.outputColumn(c.out, class)
	} else {
		yhat, err := model.PredictAll(ctx, run.reg, []arrow.RecordBatch{ref})
		if err != nil {
			return nil, at(fmt.Errorf("the reference: %w", model.AtDataRows(err, rows)))
		}
		refCol, curCol = floatColumn(yhat), floatColumn(run.yhat)
	}
	defer refCol.Release()
	defer curCol.Release()
	rp, err := profileOf(ctx, refCol)
	if err != nil {
		return nil, err
	}
	cp, err := profileOf(ctx, curCol)
	if err != nil {
		return nil, err
	}
	return drift.ComparePredictions(s.Drift, rp, cp)
}

// referenceRows reads the columns the model reads from the reference data
// file and keeps the rows that hold all of them, returning those rows and
// their data rows in the reference.
func (s *Suite) referenceRows(ctx context.Context) (arrow.RecordBatch, []int, error) {
	cols := distinct(append(slices.Clone(s.Model.Features), s.Model.Source.Columns()...))
	dopts := s.Data.Options
	dopts.Format = ""
	dopts.Columns = cols
	src, err := dataset.OpenSource(ctx, dataset.FileKind, s.Data.Reference, dopts)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s: no such file", s.Data.Reference)
		}
		return nil, nil, err
	}
	rdr, err := src.Scan(ctx, cols)
	if err != nil {
		return nil, nil, fmt.Errorf("the reference: %w", err)
	}
	defer rdr.Close()
	var batches []arrow.RecordBatch
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	for rdr.Next() {
		b := rdr.RecordBatch()
		if b.NumRows() > 0 {
			b.Retain()
			batches = append(batches, b)
		}
	}
	if err := rdr.Err(); err != nil {
		return nil, nil, fmt.Errorf("the reference: %w", err)
	}
	if len(batches) == 0 {
		return nil, nil, fmt.Errorf("the reference %s has no rows", s.Data.Reference)
	}
	all, err := concat(batches, memory.DefaultAllocator)
	if err != nil {
		return nil, nil, err
	}
	defer all.Release()
	rows, err := model.CompleteRows([]arrow.RecordBatch{all}, cols)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("no row of the reference holds every column the model reads (%s) without a null, NaN or infinity", strings.Join(cols, ", "))
	}
	ref, err := model.TakeRows(ctx, all, rows)
	return ref, rows, err
}

// labels returns the class label of each row of o, read as the evaluation
// reads it: from the probabilities at the threshold when one applies, else
// the model's labels, else the most probable class.
func (c *classRun) labels(o model.ClassOutput) []string {
	if o.Labels != nil && (c.threshold == nil || o.Proba == nil) {
		return o.Labels
	}
	var choice *model.ThresholdChoice
	if c.threshold != nil {
		choice = &model.ThresholdChoice{Threshold: *c.threshold}
	}
	idx := model.LabelsOf(o.Proba, c.positive, choice)
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = c.classes[k]
	}
	return out
}

// outputColumn is o as the column prediction drift profiles: the labels,
// or the probabilities of class when class ≥ 0.
func (c *classRun) outputColumn(o model.ClassOutput, class int) arrow.Array {
	if class >= 0 {
		p := make([]float64, len(o.Proba))
		for i, row := range o.Proba {
			p[i] = row[class]
		}
		return floatColumn(p)
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(c.labels(o), nil)
	return b.NewArray()
}

func floatColumn(v []float64) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// profileOf profiles one column as drift.PredictionColumn.
func profileOf(ctx context.Context, col arrow.Array) (*profile.Profile, error) {
	schema := arrow.NewSchema([]arrow.Field{{Name: drift.PredictionColumn, Type: col.DataType()}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(col.Len()))
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	return profile.Read(ctx, rr, nil)
}
