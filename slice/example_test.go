package slice_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/slice"
)

func Example() {
	root, err := yamlx.Parse("suite.yaml", []byte(`
slices:
  by: [Month]
  metrics: [rmse, bias]
  min_size: 5
  fail_if: {rmse_ratio: 1.5}
  confidence: true
  n_boot: 200
  seed: 1
`))
	if err != nil {
		panic(err)
	}
	d := &yamlx.Decoder{File: "suite.yaml"}
	spec := section.Decode("slices", d, root.Content[0], root.Content[1], "slices", section.Env{Task: "regression"}).(*slice.Spec)
	if err := d.Err(); err != nil {
		panic(err)
	}

	// Thirty evaluated rows: the model is off by ±1 in May and June and by
	// ±4 or ±5 in July.
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	var y, yhat []float64
	for i := range 30 {
		month := int64(5 + i/10)
		b.Append(month)
		miss := 1.0
		if month == 7 {
			miss = float64(4 + i%4/2)
		}
		if i%2 == 1 {
			miss = -miss
		}
		y = append(y, 50)
		yhat = append(yhat, 50+miss)
	}
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "Month", Type: arrow.PrimitiveTypes.Int64}}, nil)
	batch := array.NewRecordBatch(schema, []arrow.Array{col}, 30)
	defer batch.Release()

	checks, err := slice.Run(context.Background(), spec, []arrow.RecordBatch{batch}, y, yhat)
	if err != nil {
		panic(err)
	}
	for _, c := range checks {
		fmt.Printf("%-4s %s: %s\n", c.Status, c.Name, c.Message)
	}
	// Output:
	// pass slices.Month: Month: 3 slices over 30 rows: 3 judged, 0 with fewer than 5 rows
	// pass slices.Month=5: Month=5 (n=10): rmse 1 [1, 1] (0.372678× overall), bias 0 [-0.405, 0.6]; within rmse ≤ 4.02492 (1.5 × overall 2.68328)
	// pass slices.Month=6: Month=6 (n=10): rmse 1 [1, 1] (0.372678× overall), bias 0 [-0.6, 0.6]; within rmse ≤ 4.02492 (1.5 × overall 2.68328)
	// fail slices.Month=7: Month=7 (n=10): rmse 4.42719 > 4.02492 = 1.5 × overall 2.68328, and its 95% interval [4.219, 4.72229] lies beyond
}

func ExampleRun() {
	// A region of a feature where the model fails: residuals of ±3 for
	// Region b, ±1 elsewhere.
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	var y, yhat []float64
	for i := range 400 {
		region := []string{"a", "b", "c", "d"}[i%4]
		b.Append(region)
		miss := 1.0
		if region == "b" {
			miss = 3
		}
		if (i/4)%2 == 1 {
			miss = -miss
		}
		y, yhat = append(y, 10), append(yhat, 10+miss*float64(1+i%3))
	}
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "Region", Type: arrow.BinaryTypes.String}}, nil)
	batch := array.NewRecordBatch(schema, []arrow.Array{col}, 400)
	defer batch.Release()

	spec := slice.NewSpec()
	spec.Search = slice.NewSearch()
	spec.Search.Features = []slice.Dim{{Column: "Region"}}
	checks, err := slice.Run(context.Background(), spec, []arrow.RecordBatch{batch}, y, yhat)
	if err != nil {
		panic(err)
	}
	search := checks[len(checks)-1]
	fmt.Println(search.Status, search.Name)
	fmt.Println(search.Message)
	// Output:
	// warn slices.search
	// 1 of 4 candidate slices significantly worse; worst: Region=b (n=100, mean loss 41.94 vs 4.65667, d=2.47066, q=6.79666e-22)
}

// Every problem of a slices section is reported at once, positioned.
func Example_problems() {
	src := []byte(`slices:
  by: [Month, {column: Wind, bins: [0, 12, 8]}]
  metrics: [rmse, rsquared]
  fail_if: {rmse_ratio: 1.5, bias_ratio: 2}
  min_szie: 5
`)
	root, err := yamlx.Parse("suite.yaml", src)
	if err != nil {
		panic(err)
	}
	d := &yamlx.Decoder{File: "suite.yaml"}
	section.Decode("slices", d, root.Content[0], root.Content[1], "slices", section.Env{Task: "regression"})
	fmt.Println(d.Err())
	// Output:
	// suite.yaml:2:36: slices.by[1].bins: edges must increase strictly: 8 follows 12
	// suite.yaml:3:19: slices.metrics[1]: unknown metric "rsquared"; metrics are mse, rmse, mae, r2, mape, median_ae, max_error, bias
	// suite.yaml:4:30: slices.fail_if.bias_ratio: unknown rule "bias_ratio" (the rule on bias is bias_abs); rules are mse_ratio, rmse_ratio, mae_ratio, mape_ratio, median_ae_ratio, max_error_ratio, bias_abs
	// suite.yaml:5:3: slices.min_szie: unknown key "min_szie" (did you mean "min_size"?)
}

func ExampleRunClasses() {
	// Eight decisions of a binary classifier in two regions: right on 3 of
	// 4 in the north and 2 of 4 in the south.
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues([]string{"north", "north", "north", "north", "south", "south", "south", "south"}, nil)
	col := b.NewArray()
	defer col.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "region", Type: arrow.BinaryTypes.String}}, nil)
	batch := array.NewRecordBatch(schema, []arrow.Array{col}, 8)
	defer batch.Release()

	spec := slice.NewSpec()
	spec.By = []slice.Slicing{{{Column: "region"}}}
	spec.MinSize = 4
	spec.Metrics = []string{"accuracy"}
	spec.FailIf = []slice.Rule{{Metric: "accuracy", Kind: slice.Drop, Limit: 0.1}}
	spec.NBoot = 0
	checks, err := slice.RunClasses(context.Background(), spec, []arrow.RecordBatch{batch}, slice.Classes{
		Classes: []string{"no", "yes"}, Positive: 1,
		Y:    []int{1, 0, 1, 0, 1, 1, 0, 0},
		Pred: []int{1, 0, 0, 0, 1, 0, 0, 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range checks[1:] {
		fmt.Println(c.Status, c.Message)
	}
	// Output:
	// pass region=north (n=4): accuracy 0.75 (1.2× overall); within accuracy ≥ 0.525 (overall 0.625 − 0.1)
	// fail region=south (n=4): accuracy 0.5 < 0.525 = overall 0.625 − 0.1
}
