package trustml

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// ModelResult is what a run learned about the model: where its
// predictions came from, the rows it was trained and evaluated on, the
// fitted coefficients, and every metric against the mean baseline.
type ModelResult struct {
	Source   string   `json:"source"`
	Target   string   `json:"target"`
	Features []string `json:"features,omitempty"`
	// Rows is the number of rows read; RowsDropped of them had a null,
	// NaN or ±Inf in the target or a feature and were left out.
	Rows        int             `json:"rows"`
	RowsDropped int             `json:"rows_dropped"`
	Split       model.Split     `json:"split"`
	Partition   model.Partition `json:"partition"`
	// EvaluatedOn says in words which rows the metrics measure.
	EvaluatedOn string        `json:"evaluated_on"`
	Fit         *model.Linear `json:"fit,omitempty"`
	// Task is "classification" for a classifier, empty for a regressor.
	Task string `json:"task,omitempty"`
	// Evaluation measures a regressor (absent for a classifier).
	Evaluation model.Evaluation `json:"evaluation,omitzero"`
	// Logistic is a fitted classifier, Classification the measures of a
	// classifier (with its confusion matrix, ROC curves and reliability
	// diagram).
	Logistic *model.Logistic `json:"logistic,omitempty"`
	// Tuning records the cross-validation that chose a fitted model's
	// penalty: every candidate's mean and sd score.
	Tuning         *model.Tuning          `json:"tuning,omitempty"`
	Classification *model.ClassEvaluation `json:"classification,omitempty"`
	// Plot holds what the report draws of a regressor: a bounded sample of
	// the evaluated rows and a histogram of all their residuals.
	Plot ModelPlot `json:"plot,omitzero"`
	// Comparison is the model against compare_to's champion, when set.
	Comparison *Comparison `json:"comparison,omitempty"`
}

// ModelPlot is a bounded summary of predictions for charts.
type ModelPlot struct {
	// Points are (y, ŷ) pairs: every evaluated row when there are at most
	// MaxPlotPoints, else every k-th row (k the smallest that fits).
	Points [][2]float64 `json:"points"`
	// Every is k: 1 when Points holds every evaluated row.
	Every int `json:"every"`
	// Residuals is a histogram of ŷ − y over every evaluated row.
	Residuals Histogram `json:"residuals"`
}

// Histogram counts values in equal-width bins from Lo to Hi.
type Histogram struct {
	Lo     float64 `json:"lo"`
	Hi     float64 `json:"hi"`
	Counts []int64 `json:"counts"`
}

// MaxPlotPoints bounds ModelPlot.Points, so reports stay small whatever the
// number of rows.
const MaxPlotPoints = 2000

func plotOf(y, yhat []float64) ModelPlot {
	every := (len(y) + MaxPlotPoints - 1) / MaxPlotPoints
	every = max(every, 1)
	p := ModelPlot{Every: every, Points: make([][2]float64, 0, min(len(y), MaxPlotPoints))}
	res := make([]float64, len(y))
	for i := range y {
		res[i] = yhat[i] - y[i]
		if i%every == 0 {
			p.Points = append(p.Points, [2]float64{y[i], yhat[i]})
		}
	}
	p.Residuals = histogram(res, 30)
	return p
}

// histogram bins values into n equal-width bins over their range.
func histogram(vals []float64, n int) Histogram {
	if len(vals) == 0 {
		return Histogram{}
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	h := Histogram{Lo: lo, Hi: hi, Counts: make([]int64, n)}
	w := (hi - lo) / float64(n)
	for _, v := range vals {
		i := n - 1
		if w > 0 {
			i = min(int((v-lo)/w), n-1)
		}
		h.Counts[i]++
	}
	return h
}

// modelRun holds what later sections (behavioural tests, slices) need.
type modelRun struct {
	reg      model.Regressor
	complete arrow.RecordBatch // the rows usable by the model
	test     arrow.RecordBatch // the evaluated rows
	y, yhat  []float64         // target and predictions on test
	closer   io.Closer
	// dataRows[i] is the data row of row i of complete; testRows[k] that
	// of row k of test (0-based rows of the data as read).
	dataRows, testRows []int
	// cls holds a classifier's evaluated rows; nil for a regressor.
	cls *classRun
}

func (m *modelRun) release() {
	if m == nil {
		return
	}
	if m.complete != nil {
		m.complete.Release()
	}
	if m.test != nil {
		m.test.Release()
	}
	if m.closer != nil {
		m.closer.Close()
	}
}

// close ends the model's resources, reporting what Close reports: a
// command model that printed more lines than it was sent rows, or that
// exited with a failure.
func (m *modelRun) close() error {
	if m.closer == nil {
		return nil
	}
	c := m.closer
	m.closer = nil
	return c.Close()
}

// runModelSpec trains or reaches the model, predicts the evaluated rows
// and measures them. batches hold the model's columns of every row read.
func runModelSpec(ctx context.Context, spec *model.Spec, batches []arrow.RecordBatch, mem memory.Allocator) (*ModelResult, []result.Check, *modelRun, error) {
	all, err := concat(batches, mem)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("model: %w", err)
	}
	defer all.Release()
	mr := &ModelResult{Source: spec.Source.String(), Target: spec.Target, Features: spec.Features, Rows: int(all.NumRows()), Split: spec.Split}
	if spec.IsClassification() {
		mr.Task = model.TaskClassification
		return runClassifierSpec(ctx, spec, all, mr)
	}

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
	y, err := model.Float64s([]arrow.RecordBatch{run.complete}, spec.Target)
	if err != nil {
		return nil, nil, nil, err
	}
	opened, err := spec.Source.Open(ctx, []arrow.RecordBatch{run.complete}, model.OpenOptions{
		Target: spec.Target, Features: spec.Features, TrainRows: part.Train,
	})
	if err != nil {
		return nil, nil, nil, err
	}
	mr.Fit, mr.Tuning, run.reg, run.closer = opened.Fit, opened.Tuning, opened.Regressor, opened.Closer
	if run.test, err = model.TakeRows(ctx, run.complete, part.Test); err != nil {
		return nil, nil, nil, err
	}
	if run.yhat, err = model.PredictAll(ctx, run.reg, []arrow.RecordBatch{run.test}); err != nil {
		return nil, nil, nil, model.AtDataRows(err, run.testRows)
	}
	var trainSum float64
	for _, i := range part.Train {
		trainSum += y[i]
	}
	run.y = make([]float64, len(part.Test))
	for k, i := range part.Test {
		run.y[k] = y[i]
	}
	mr.Evaluation = model.Evaluate(run.y, run.yhat, trainSum/float64(len(part.Train)))
	mr.EvaluatedOn = evaluatedOn(spec, part)
	mr.Plot = plotOf(run.y, run.yhat)

	checks := make([]result.Check, 0, len(spec.Objectives))
	for _, o := range spec.Objectives {
		checks = append(checks, metricCheck(o, mr))
	}
	ok = true
	return mr, checks, run, nil
}

func evaluatedOn(spec *model.Spec, p model.Partition) string {
	switch {
	case p.OnTrainingData && spec.Source.Kind == model.FromTrain:
		return fmt.Sprintf("the %d training rows (split: none): metrics say how well the model fits, not how well it generalises", p.TestRows)
	case p.OnTrainingData:
		return fmt.Sprintf("all %d rows", p.TestRows)
	case p.Method == model.SplitTime:
		return fmt.Sprintf("the %d latest rows by %s (trained on the %d earlier rows)", p.TestRows, spec.Split.By, p.TrainRows)
	}
	return fmt.Sprintf("%d held-out rows (random split, seed %d; %d training rows)", p.TestRows, spec.Split.Seed, p.TrainRows)
}

// metric returns a metric of the model and of its baseline, for either task.
func (mr *ModelResult) metric(name string) (v, b model.Value, n int) {
	if c := mr.Classification; c != nil {
		v, _ = c.Model.Get(name)
		b, _ = c.Baseline.Get(name)
		return v, b, c.Model.N
	}
	v, _ = mr.Evaluation.Model.Get(name)
	b, _ = mr.Evaluation.Baseline.Get(name)
	return v, b, mr.Evaluation.Model.N
}

// metricNames lists the metrics of the model's task.
func (mr *ModelResult) metricNames() []string {
	if mr.Classification != nil {
		return model.ClassMetricNames()
	}
	return model.MetricNames()
}

func metricCheck(ms model.Objective, mr *ModelResult) result.Check {
	c := result.Check{Section: result.Model, Name: "model." + ms.Metric, Kind: "metric", Severity: cmp.Or(ms.Severity, result.SeverityError)}
	v, b, n := mr.metric(ms.Metric)
	c.Expected = ms.Bounds.Fields()
	c.ExpectedText = ms.Bounds.String()
	details := map[string]any{"model": v, "baseline": b, "evaluated_on": mr.EvaluatedOn, "n": n}
	c.Details = details
	where := "on " + mr.EvaluatedOn
	if i := strings.IndexAny(where, ":("); i > 0 {
		where = strings.TrimSpace(where[:i])
	}
	switch model.Judge(ms.Bounds, v) {
	case model.Undefined:
		c.Status = result.Error
		c.ObservedText = ms.Metric + " undefined"
		c.Message = fmt.Sprintf("%s undefined %s: %s", ms.Metric, where, v.Reason)
		return c
	case model.Pass:
		c.Status = result.Pass
	default:
		c.Status = result.StatusOf(false, c.Severity)
	}
	c.Observed = result.Number(v.V)
	c.ObservedText = fmt.Sprintf("%s %s", ms.Metric, result.Human(v.V))
	c.Message = fmt.Sprintf("%s %s %s, expected %s", ms.Metric, result.Human(v.V), where, c.ExpectedText)
	if b.Defined {
		base := "mean"
		if mr.Classification != nil {
			base = "prior"
		}
		c.Message += fmt.Sprintf(" (%s baseline %s)", base, result.Human(b.V))
	}
	return c
}

// concat joins batches into one.
func concat(batches []arrow.RecordBatch, mem memory.Allocator) (arrow.RecordBatch, error) {
	if len(batches) == 0 {
		return nil, fmt.Errorf("no rows")
	}
	schema := batches[0].Schema()
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	var n int64
	for _, b := range batches {
		n += b.NumRows()
	}
	for i := range cols {
		parts := make([]arrow.Array, len(batches))
		for j, b := range batches {
			parts[j] = b.Column(i)
		}
		c, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return array.NewRecordBatch(schema, cols, n), nil
}

// completeRun keeps the rows of all that hold every column the model
// needs (target, features, the source's columns) and splits them into
// mr.Partition; it records the rows dropped and returns the run holding
// the kept rows, with their data rows and those of the test split. On
// error nothing is left to release.
func completeRun(ctx context.Context, spec *model.Spec, all arrow.RecordBatch, mr *ModelResult) (*modelRun, error) {
	need := append([]string{spec.Target}, spec.Features...)
	need = append(need, spec.Source.Columns()...)
	rows, err := model.CompleteRows([]arrow.RecordBatch{all}, need)
	if err != nil {
		return nil, err
	}
	mr.RowsDropped = mr.Rows - len(rows)
	if len(rows) == 0 {
		return nil, fmt.Errorf("model: no usable rows: each of the %d rows has a null, NaN or infinite value in %s", mr.Rows, strings.Join(need, ", "))
	}
	run := &modelRun{}
	if run.complete, err = model.TakeRows(ctx, all, rows); err != nil {
		return nil, err
	}
	part, err := spec.Split.Batches([]arrow.RecordBatch{run.complete})
	if err != nil {
		run.release()
		return nil, err
	}
	mr.Partition = part
	run.dataRows = rows
	run.testRows = make([]int, len(part.Test))
	for k, i := range part.Test {
		run.testRows[k] = rows[i]
	}
	return run, nil
}
