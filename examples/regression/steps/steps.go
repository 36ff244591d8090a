// Package steps is the regression example broken into small functions —
// load, check, split, train, evaluate — each one tested on its own with
// trusttest (see steps_test.go). Compare onemain/ (the whole job in one
// main function) and suite.yaml (the same job as a trustml suite).
package steps

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/model"
)

// Load reads the x<TAB>y file into one Arrow table.
func Load(ctx context.Context, path string) (arrow.Table, error) {
	r, err := dataset.Open(ctx, path, dataset.Options{Names: []string{"x", "y"}})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var batches []arrow.RecordBatch
	for r.Next() {
		b := r.RecordBatch()
		b.Retain()
		defer b.Release()
		batches = append(batches, b)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return array.NewTableFromRecords(r.Schema(), batches), nil
}

// Split returns the training and test rows: 20% held out, seed 42.
func Split(tbl arrow.Table) (train, test arrow.Table, err error) {
	recs := records(tbl)
	defer release(recs)
	part, err := model.Split{Method: model.SplitRandom, TestFraction: 0.2, Seed: 42}.Batches(recs)
	if err != nil {
		return nil, nil, err
	}
	return rowsOf(tbl, part.Train), rowsOf(tbl, part.Test), nil
}

// Train fits y on x by least squares.
func Train(ctx context.Context, train arrow.Table) (*model.Linear, error) {
	recs := records(train)
	defer release(recs)
	return model.Fit(ctx, recs, model.FitOptions{Target: "y", Features: []string{"x"}})
}

// Evaluate measures m on the test rows against the mean of the training
// target.
func Evaluate(ctx context.Context, m model.Regressor, train, test arrow.Table) (model.Evaluation, error) {
	trainRecs, testRecs := records(train), records(test)
	defer release(trainRecs)
	defer release(testRecs)
	ytrain, err := model.Float64s(trainRecs, "y")
	if err != nil {
		return model.Evaluation{}, err
	}
	y, err := model.Float64s(testRecs, "y")
	if err != nil {
		return model.Evaluation{}, err
	}
	yhat, err := model.PredictAll(ctx, m, testRecs)
	if err != nil {
		return model.Evaluation{}, err
	}
	var mean float64
	for _, v := range ytrain {
		mean += v / float64(len(ytrain))
	}
	return model.Evaluate(y, yhat, mean), nil
}

func records(tbl arrow.Table) []arrow.RecordBatch {
	rr := array.NewTableReader(tbl, 0)
	defer rr.Release()
	var out []arrow.RecordBatch
	for rr.Next() {
		b := rr.RecordBatch()
		b.Retain()
		out = append(out, b)
	}
	return out
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// rowsOf copies the given rows of a two-column float table.
func rowsOf(tbl arrow.Table, rows []int) arrow.Table {
	recs := records(tbl)
	defer release(recs)
	xs, _ := model.Float64s(recs, "x")
	ys, _ := model.Float64s(recs, "y")
	b := array.NewRecordBuilder(memory.DefaultAllocator, tbl.Schema())
	defer b.Release()
	for _, i := range rows {
		b.Field(0).(*array.Float64Builder).Append(xs[i])
		b.Field(1).(*array.Float64Builder).Append(ys[i])
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(tbl.Schema(), []arrow.RecordBatch{rec})
}
