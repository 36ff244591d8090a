// Command onemain is the regression example as most first projects are
// written: the whole job in one main function. It reads the data, looks at
// it, splits it, fits a line and prints how good the line is.
//
//	go run ./examples/regression/onemain
//
// It works, once. Compare steps/ (the same job in small tested functions)
// and suite.yaml (the same job as a trustml suite).
package main

import (
	"context"
	"fmt"
	"log"
	"path/filepath"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/model"
)

func main() {
	ctx := context.Background()
	_, here, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(here), "..", "regression_dataset.txt")

	// Load.
	r, err := dataset.Open(ctx, path, dataset.Options{Names: []string{"x", "y"}})
	if err != nil {
		log.Fatal(err)
	}
	var batches []arrow.RecordBatch
	for r.Next() {
		b := r.RecordBatch()
		b.Retain()
		batches = append(batches, b)
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	r.Close()

	// Look at the data.
	xs, _ := model.Float64s(batches, "x")
	ys, _ := model.Float64s(batches, "y")
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	fmt.Printf("%d rows, x in [%.2f, %.2f]\n", len(xs), lo, hi)

	// Split, fit, evaluate.
	part, err := model.Split{Method: model.SplitRandom, TestFraction: 0.2, Seed: 42}.Batches(batches)
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.Fit(ctx, batches, model.FitOptions{Target: "y", Features: []string{"x"}, Rows: part.Train})
	if err != nil {
		log.Fatal(err)
	}
	var trainMean float64
	for _, i := range part.Train {
		trainMean += ys[i] / float64(len(part.Train))
	}
	var y, yhat []float64
	for _, i := range part.Test {
		y = append(y, ys[i])
		yhat = append(yhat, m.Intercept+m.Coefficients[0].Value*xs[i])
	}
	ev := model.Evaluate(y, yhat, trainMean)
	fmt.Printf("y = %.4f + %.4f·x\n", m.Intercept, m.Coefficients[0].Value)
	fmt.Printf("test R² %.4f, RMSE %.4f (predicting the mean: RMSE %.4f)\n", ev.Model.R2.V, ev.Model.RMSE.V, ev.Baseline.RMSE.V)
}
