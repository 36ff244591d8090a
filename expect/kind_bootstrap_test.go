package expect_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/result"
)

func TestBootstrapKSHandComputed(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "half", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "far", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	tbl := table(t, mem, schema, `[
	 {"half": 0.5, "far": 10, "x": -1},
	 {"half": 0.5, "far": 11, "x": 0.2},
	 {"half": null, "far": 12, "x": 0.7},
	 {"half": 0.5, "far": 13, "x": 0.8},
	 {"half": 0.5, "far": 14, "x": 3}
	]`)
	defer tbl.Release()
	res := byName(evaluate(t, decode(t, `
columns:
  half: {bootstrap_ks: {partition: {bins: [0, 1], weights: [1]}, alpha: 0.05}}
  far: {bootstrap_ks: {partition: {bins: [0, 1], weights: [1]}, alpha: 0.05, samples: 99, seed: 7}}
  x: {bootstrap_ks: {partition: {bins: [0, 0.5, 1], weights: [0.5, 0.5]}, alpha: 0.05}}
`), tbl, 2, expect.Options{Workers: 2}))

	// Samples of two values 0.5 against uniform [0, 1]: D = 0.5 always,
	// whose p-value P(D_2 ≥ 0.5) is 0.5 (R: 1 − pkolmogorov2x(0.5, 2)),
	// at least alpha: every sample passes, (1 + 1000)/(1000 + 1) = 1.
	half := res["columns.half.bootstrap_ks"]
	assert.Equal(t, 1.0, half.Observed)
	assert.Equal(t, result.Pass, half.Status)

	// Every value above the partition: D = 1, p = 0 in every sample, and
	// the share is 1/(99 + 1).
	far := res["columns.far.bootstrap_ks"]
	assert.Equal(t, 0.01, far.Observed)
	assert.Equal(t, result.Fail, far.Status)

	// The observed partition extends to the values beyond the edges:
	// -1 below, 0.2 in [0, 0.5), 0.7 0.8 in [0.5, 1], 3 above.
	d := res["columns.x.bootstrap_ks"].Details.(map[string]any)
	assert.Equal(t, map[string]any{"bins": []float64{-1, 0, 0.5, 1, 3}, "weights": []float64{0.2, 0.2, 0.4, 0.2}}, d["observed_partition"])
	assert.InDeltaSlice(t, []float64{0, 0.2, 0.4, 0.8, 1}, d["observed_cdf"].(map[string]any)["cdf_values"], 1e-12)
	assert.Equal(t, []float64{0, 0.5, 1}, d["expected_cdf"].(map[string]any)["cdf_values"])
	assert.Equal(t, 4, d["bootstrap_sample_size"]) // twice the bins
	assert.Equal(t, 1000, d["bootstrap_samples"])

	// The same seed gives the same share, whatever the workers.
	again := byName(evaluate(t, decode(t, `columns: {x: {bootstrap_ks: {partition: {bins: [0, 0.5, 1], weights: [0.5, 0.5]}, alpha: 0.05}}}`), tbl, 5, expect.Options{Workers: 1}))
	assert.Equal(t, res["columns.x.bootstrap_ks"].Observed, again["columns.x.bootstrap_ks"].Observed)
}

func TestBootstrapKSErrors(t *testing.T) {
	for src, want := range map[string]string{
		`columns: {x: {bootstrap_ks: {partition: {bins: [-.inf, 0, 1], weights: [0.5, 0.5]}, alpha: 0.05}}}`:                 "partition endpoints must be finite",
		`columns: {x: {bootstrap_ks: {partition: {bins: [0, 1], weights: [0.5], tail_weights: [0.25, 0.25]}, alpha: 0.05}}}`: "cannot have tail_weights",
		`columns: {x: {bootstrap_ks: {partition: {values: [a, b], weights: [0.5, 0.5]}, alpha: 0.05}}}`:                      "needs a partition with bins",
		`columns: {x: {bootstrap_ks: {partition: {bins: [0, 1], weights: [1]}}}}`:                                            "needs alpha",
		`columns: {x: {bootstrap_ks: {partition: {bins: [0, 1], weights: [1]}, alpha: 0.05, samples: 0}}}`:                   "between 1 and 100000",
	} {
		assert.Contains(t, decodeProblem(t, src), want, src)
	}
}
