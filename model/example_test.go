package model_test

import (
	"context"
	"fmt"
	"github.com/trustml/trustml/bound"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/model"
)

func ExampleFit() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "size", Type: arrow.PrimitiveTypes.Float64},
		{Name: "city", Type: arrow.BinaryTypes.String},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	// price = 10 + 2·size + 30·[city = Paris], and one row without a price.
	batch, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(`[
		{"size": 10, "city": "Lyon",  "price": 30},
		{"size": 20, "city": "Lyon",  "price": 50},
		{"size": 10, "city": "Paris", "price": 60},
		{"size": 30, "city": "Paris", "price": 100},
		{"size": 25, "city": "Paris", "price": null}
	]`))
	if err != nil {
		panic(err)
	}
	defer batch.Release()

	m, err := model.Fit(context.Background(), []arrow.RecordBatch{batch}, model.FitOptions{
		Target:   "price",
		Features: []string{"size", "city"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("rows used %d, dropped %d\n", m.RowsUsed, m.RowsDropped)
	fmt.Printf("intercept %.2f\n", m.Intercept)
	for _, c := range m.Coefficients {
		fmt.Printf("%s%s %.2f\n", c.Name, map[bool]string{true: "=" + c.Level}[c.Level != ""], c.Value)
	}
	fmt.Println("reference level:", m.Encoding[0].Reference)
	// Output:
	// rows used 4, dropped 1
	// intercept 10.00
	// size 2.00
	// city=Paris 30.00
	// reference level: Lyon
}

func ExampleEvaluate() {
	y := []float64{1, 2, 3, 4}
	yhat := []float64{1.5, 2, 2, 5}
	e := model.Evaluate(y, yhat, 2) // 2 is the mean of the training targets
	for _, name := range []string{"rmse", "r2", "bias"} {
		v, _ := e.Model.Get(name)
		b, _ := e.Baseline.Get(name)
		fmt.Printf("%-4s model %v baseline %.4g\n", name, v, b.V)
	}
	r2min := bound.AtLeast(0.5)
	fmt.Println("r2 >= 0.5:", model.Judge(r2min, e.Model.R2))

	constant := model.Evaluate([]float64{3, 3}, []float64{3, 4}, 3)
	fmt.Println("r2 on a constant target:", constant.Model.R2, "->", model.Judge(r2min, constant.Model.R2))
	// Output:
	// rmse model 0.75 baseline 1.225
	// r2   model 0.55 baseline -0.2
	// bias model 0.125 baseline -0.5
	// r2 >= 0.5: pass
	// r2 on a constant target: undefined (target is constant) -> undefined
}

func ExampleSplit_Rows() {
	p, err := model.Split{TestFraction: 0.3, Seed: 7}.Rows(10, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Method, "train", p.Train, "test", p.Test)

	times := []float64{1, 2, 3, 3, 4}
	p, _ = model.Split{By: "day", TestFraction: 0.4}.Rows(len(times), times)
	fmt.Println(p.Method, "train", p.Train, "test", p.Test)
	// Output:
	// random train [0 1 3 5 6 7 9] test [2 4 8]
	// time train [0 1 2 3] test [4]
}

func ExamplePredictionsColumn() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "y", Type: arrow.PrimitiveTypes.Float64},
		{Name: "y_hat", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	batch, _, _ := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(`[{"y": 1, "y_hat": 1.5}, {"y": 3, "y_hat": 2.5}]`))
	defer batch.Release()
	p, err := model.PredictionsColumn("y_hat").Predict(context.Background(), batch)
	fmt.Println(p, err)
	// Output: [1.5 2.5] <nil>
}
