package checklist_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
)

// flatPrice predicts 3·size (+ 20 in region S) up to 100 m², and then,
// by a bug, 600 − 3·size.
type flatPrice struct{}

func (flatPrice) Predict(_ context.Context, b arrow.RecordBatch) ([]float64, error) {
	var size *array.Float64
	var region *array.String
	for i, f := range b.Schema().Fields() {
		switch f.Name {
		case "size":
			size = b.Column(i).(*array.Float64)
		case "region":
			region = b.Column(i).(*array.String)
		}
	}
	out := make([]float64, b.NumRows())
	for i := range out {
		s := size.Value(i)
		out[i] = 3 * s
		if s > 100 {
			out[i] = 600 - 3*s
		}
		if region.Value(i) == "S" {
			out[i] += 20
		}
	}
	return out, nil
}

func ExampleRun() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "size", Type: arrow.PrimitiveTypes.Float64},
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	data, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(`[
		{"size": 20,  "region": "N", "price": 60},
		{"size": 40,  "region": "S", "price": 140},
		{"size": 60,  "region": "N", "price": 180},
		{"size": 80,  "region": "S", "price": 260},
		{"size": 100, "region": "N", "price": 300},
		{"size": 120, "region": "N", "price": 360}
	]`))
	if err != nil {
		panic(err)
	}
	defer data.Release()

	suite := `
- {name: bigger flats cost more, type: DIR, perturb: {column: size, add: 10}, expect: increase, capability: Monotonicity}
- name: prices are plausible
  type: MFT
  templates: [{vary: {size: [50, 150, 250], region: [N, S]}}]
  expect: {min: 0, max: 1000}
- {name: region moves price by 20 at most, type: INV, perturb: {column: region, swap: each}, tolerance: {abs: 20}}
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(suite), &doc); err != nil {
		panic(err)
	}
	d := &yamlx.Decoder{File: "suite.yaml"}
	tests := section.Decode("checklist", d, nil, doc.Content[0], "checklist", section.Env{}).([]checklist.Test)
	if err := d.Err(); err != nil {
		panic(err)
	}

	checks, err := checklist.Run(context.Background(), flatPrice{}, []arrow.RecordBatch{data}, tests,
		checklist.Options{Seed: 1, Target: "price"})
	if err != nil {
		panic(err)
	}
	for _, c := range checks {
		fmt.Printf("%s %s %s\n  %s\n", c.Name, c.Kind, c.Status, c.Message)
	}
	// Output:
	// checklist.bigger flats cost more DIR fail
	//   2 of 6 cases failed (33.3%, 95% CI 9.7–70.0%): e.g. base row 4: size 100→110 moved ŷ 300→270 (expected increase)
	// checklist.prices are plausible MFT fail
	//   2 of 6 cases failed (33.3%, 95% CI 9.7–70.0%): e.g. template 0 (size 250, region N): ŷ -150, expected in [0, 1000]
	// checklist.region moves price by 20 at most INV pass
	//   0 of 6 cases failed (0.0%, 95% CI 0.0–39.0%)
}

func ExampleWilson() {
	lo, hi := checklist.Wilson(3, 100)
	fmt.Printf("3 of 100: %.4f–%.4f\n", lo, hi)
	lo, hi = checklist.Wilson(0, 10)
	fmt.Printf("0 of 10: %.4f–%.4f\n", lo, hi)
	// Output:
	// 3 of 100: 0.0103–0.0845
	// 0 of 10: 0.0000–0.2775
}

// loanModel approves a loan with probability income / (income + 50),
// except that, by a bug, it lowers the probability for incomes above 150.
type loanModel struct{}

func (loanModel) Classify(_ context.Context, b arrow.RecordBatch) (model.ClassOutput, error) {
	var income *array.Float64
	for i, f := range b.Schema().Fields() {
		if f.Name == "income" {
			income = b.Column(i).(*array.Float64)
		}
	}
	out := model.ClassOutput{Proba: make([][]float64, b.NumRows())}
	for i := range out.Proba {
		x := income.Value(i)
		if x > 150 {
			x = 300 - x
		}
		p := x / (x + 50)
		out.Proba[i] = []float64{1 - p, p} // classes "no", "yes"
	}
	return out, nil
}

func ExampleRunClassifier() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "income", Type: arrow.PrimitiveTypes.Float64},
		{Name: "region", Type: arrow.BinaryTypes.String},
	}, nil)
	data, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(`[
		{"income": 20, "region": "N"}, {"income": 60, "region": "S"}, {"income": 100, "region": "N"},
		{"income": 140, "region": "S"}, {"income": 180, "region": "N"}, {"income": 220, "region": "S"}
	]`))
	if err != nil {
		panic(err)
	}
	defer data.Release()

	suite := `
- {name: a high income is approved, type: MFT, cases: [{input: {income: 120}, expect: {label: "yes"}}]}
- {name: more income never lowers P(yes), type: DIR, perturb: {column: income, add: 20}, expect: {class: "yes", direction: increase}}
- {name: the region does not change the decision, type: INV, perturb: {column: region, swap: each}}
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(suite), &doc); err != nil {
		panic(err)
	}
	d := &yamlx.Decoder{File: "suite.yaml"}
	tests := section.Decode("checklist", d, nil, doc.Content[0], "checklist", section.Env{Task: "classification"}).([]checklist.Test)
	if err := d.Err(); err != nil {
		panic(err)
	}

	classes := checklist.Classes{Names: []string{"no", "yes"}, Positive: 1}
	checks, err := checklist.RunClassifier(context.Background(), loanModel{}, classes, []arrow.RecordBatch{data}, tests,
		checklist.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	for _, c := range checks {
		fmt.Printf("%s %s %s\n  %s\n", c.Name, c.Kind, c.Status, c.Message)
	}
	// Incomes 180 and 220 meet the bug: 20 more lowers P(yes), from
	// 120/170 to 100/150 and from 80/130 to 60/110.
	//
	// Output:
	// checklist.a high income is approved MFT pass
	//   0 of 1 cases failed (0.0%, 95% CI 0.0–79.3%)
	// checklist.more income never lowers P(yes) DIR fail
	//   2 of 6 cases failed (33.3%, 95% CI 9.7–70.0%): e.g. base row 5: income 220→240 moved P(yes) 0.615385→0.545455 (expected P(yes) increase)
	// checklist.the region does not change the decision INV pass
	//   0 of 6 cases failed (0.0%, 95% CI 0.0–39.0%)
}
