package slice

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// decode decodes the value of the top-level key "slices" of src.
func decodeSrc(t testing.TB, src string) (*Spec, error) {
	t.Helper()
	root, err := yamlx.Parse("suite.yaml", []byte(src))
	require.NoError(t, err)
	d := &yamlx.Decoder{File: "suite.yaml"}
	s := decode(d, root.Content[1], "slices", model.TaskRegression)
	return s, d.Err()
}

func TestDecode(t *testing.T) {
	spec, err := decodeSrc(t, `slices:
  by: [Month, {column: Temp, quantiles: 4}, [Month, {column: Wind, bins: [0, 8, 12, 25]}]]
  metrics: [rmse, mae, bias]
  min_size: 15
  fail_if: {rmse_ratio: 1.5, bias_abs: 5}
  confidence: true
  n_boot: 500
  seed: 3
  severity: warn
  search: {features: [Temp, Solar], pairs: false, quantiles: 5, min_support: 30, fdr: 0.1, top_k: 3, metric: absolute_error}
`)
	require.NoError(t, err)
	assert.Equal(t, &Spec{
		By: []Slicing{
			{{Column: "Month"}},
			{{Column: "Temp", Quantiles: 4}},
			{{Column: "Month"}, {Column: "Wind", Bins: []float64{0, 8, 12, 25}}},
		},
		Metrics:    []string{"rmse", "mae", "bias"},
		MinSize:    15,
		FailIf:     []Rule{{Metric: "rmse", Kind: Ratio, Limit: 1.5}, {Metric: "bias", Kind: Abs, Limit: 5}},
		Confidence: true,
		NBoot:      500,
		Seed:       3,
		Severity:   result.SeverityWarn,
		Search: &Search{
			Features: []Dim{{Column: "Temp"}, {Column: "Solar"}}, Pairs: false, Quantiles: 5,
			MinSupport: 30, FDR: 0.1, TopK: 3, Metric: AbsoluteError, Severity: result.SeverityWarn,
		},
	}, spec)
	require.NoError(t, spec.Validate())

	// Defaults.
	spec, err = decodeSrc(t, "slices: {by: [Month], search: true}")
	require.NoError(t, err)
	want := NewSpec()
	want.By = []Slicing{{{Column: "Month"}}}
	want.Search = NewSearch()
	assert.Equal(t, want, spec)

	spec, err = decodeSrc(t, "slices: {by: [2024], search: false}")
	require.NoError(t, err)
	assert.Nil(t, spec.Search)
	assert.Equal(t, "2024", spec.By[0][0].Column, "a number is a column name")
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"slices: {by: [Month], min_szie: 5}",
			`suite.yaml:1:23: slices.min_szie: unknown key "min_szie" (did you mean "min_size"?)`},
		{"slices: {by: [Month], min_size: ten, confidence: yes}",
			`suite.yaml:1:33: slices.min_size: must be an integer, got the string "ten"
suite.yaml:1:50: slices.confidence: must be true or false, got the string "yes"`},
		{"slices: {by: [Month], metrics: [rmse, rmes, r2, rmse]}",
			`suite.yaml:1:39: slices.metrics[1]: unknown metric "rmes" (did you mean "rmse"?)
suite.yaml:1:49: slices.metrics[3]: metric "rmse" is listed twice`},
		{"slices: {by: [{column: Wind, bins: [0, 8, 8, 25]}, {column: Temp, quantiles: 1}]}",
			`suite.yaml:1:36: slices.by[0].bins: edges must increase strictly: 8 follows 8
suite.yaml:1:78: slices.by[1].quantiles: must be between 2 and 100, got 1`},
		{"slices: {by: [{column: Wind, bins: [0, 8], quantiles: 4}, {bins: [1, 2]}]}",
			`suite.yaml:1:55: slices.by[0].quantiles: bins and quantiles exclude each other; keep one
suite.yaml:1:59: slices.by[1]: needs column: NAME`},
		{"slices: {by: [[Month], [Month, Month], [Month, [Wind]]]}",
			`suite.yaml:1:15: slices.by[0]: a cross needs at least 2 columns, got 1
suite.yaml:1:32: slices.by[1][1]: column "Month" appears twice in one cross
suite.yaml:1:48: slices.by[2][1]: a cross lists columns; it cannot contain another list`},
		{"slices: {by: [Month, [Month, Wind], [Wind, Month]]}",
			`suite.yaml:1:37: slices.by[2]: slicing Wind&Month repeats slices.by[1]; slice names must be unique`},
		{"slices: {by: [Month], fail_if: {rmse_ratio: 0, bias_abs: -1, r2_ratio: 2, rmse_ration: 2}}",
			`suite.yaml:1:45: slices.fail_if.rmse_ratio: a ratio to the overall value must be > 0, got 0
suite.yaml:1:58: slices.fail_if.bias_abs: a bound on |bias| must be ≥ 0, got -1
suite.yaml:1:62: slices.fail_if.r2_ratio: unknown rule "r2_ratio"; r2 has no slice rule (a slice's R² depends on the spread of its targets); rules are mse_ratio, rmse_ratio, mae_ratio, mape_ratio, median_ae_ratio, max_error_ratio, bias_abs
suite.yaml:1:75: slices.fail_if.rmse_ration: unknown rule "rmse_ration" (the rule on rmse is rmse_ratio); rules are mse_ratio, rmse_ratio, mae_ratio, mape_ratio, median_ae_ratio, max_error_ratio, bias_abs`},
		{"slices: {by: [Month], fail_if: {}}",
			`suite.yaml:1:32: slices.fail_if: needs at least one rule, e.g. {rmse_ratio: 1.5}; rules are mse_ratio, rmse_ratio, mae_ratio, mape_ratio, median_ae_ratio, max_error_ratio, bias_abs`},
		{"slices: {by: [Month], fail_if: {bias_ratio: 2, mae_abs: 1, mse_ratio: 1.2}}",
			`suite.yaml:1:33: slices.fail_if.bias_ratio: unknown rule "bias_ratio" (the rule on bias is bias_abs); rules are mse_ratio, rmse_ratio, mae_ratio, mape_ratio, median_ae_ratio, max_error_ratio, bias_abs
suite.yaml:1:48: slices.fail_if.mae_abs: unknown rule "mae_abs" (the rule on mae is mae_ratio); rules are mse_ratio, rmse_ratio, mae_ratio, mape_ratio, median_ae_ratio, max_error_ratio, bias_abs`},
		{"slices: {by: [Month], confidence: true, n_boot: 0}",
			`suite.yaml:1:35: slices.confidence: needs bootstrap intervals; n_boot must be > 0`},
		{"slices: {by: [Month], n_boot: 1000000, seed: -1, severity: warning}",
			`suite.yaml:1:31: slices.n_boot: must be between 0 and 100000, got 1000000
suite.yaml:1:46: slices.seed: must be ≥ 0, got -1
suite.yaml:1:60: slices.severity: must be error or warn, got "warning" (did you mean "warn"?)`},
		{"slices: {}",
			`suite.yaml:1:9: slices: needs by: [columns] or search: {}`},
		{"slices: {by: []}",
			`suite.yaml:1:14: slices.by: must list at least one slicing, e.g. [Month]`},
		{"slices: [Month]",
			`suite.yaml:1:9: slices: must be a mapping (key: value), got a list`},
		{"slices: {search: {}}",
			`suite.yaml:1:18: slices.search: no features to search: list search.features or add by: [columns]`},
		{"slices: {by: [Month], search: {metric: squared, fdr: 1.5, min_support: 1, top_k: 0, quantiles: 200, pairs: maybe, feature: [Temp]}}",
			`suite.yaml:1:40: slices.search.metric: unknown loss "squared"; losses are squared_error, absolute_error
suite.yaml:1:54: slices.search.fdr: must be a rate strictly between 0 and 1, got 1.5
suite.yaml:1:72: slices.search.min_support: must be at least 2 (a t-test needs two rows a side), got 1
suite.yaml:1:82: slices.search.top_k: must be between 1 and 1000, got 0
suite.yaml:1:96: slices.search.quantiles: must be between 2 and 100, got 200
suite.yaml:1:108: slices.search.pairs: must be true or false, got the string "maybe"
suite.yaml:1:115: slices.search.feature: unknown key "feature" (did you mean "features"?)`},
		{"slices: {by: [Month], search: {features: [Temp, [Month, Wind], Temp, {column: Wind, bins: [1]}], severity: fatal}}",
			`suite.yaml:1:49: slices.search.features[1]: list single columns; pairs are searched with pairs: true
suite.yaml:1:64: slices.search.features[2]: column "Temp" is listed twice
suite.yaml:1:91: slices.search.features[3].bins: needs between 2 and 1000 edges, got 1
suite.yaml:1:108: slices.search.severity: must be error or warn, got "fatal"`},
		{"slices: {by: [\"\", {column: Temp, quantiles: 2.5}], metrics: []}",
			`suite.yaml:1:15: slices.by[0]: column name is empty
suite.yaml:1:45: slices.by[1].quantiles: must be an integer, got the number 2.5
suite.yaml:1:61: slices.metrics: must list at least one metric, e.g. [rmse, mae, bias]`},
		{"slices:\n  by:\n    - Month\n    - {column: Temp, quantile: 4}\n  min_size: 10\n  min_size: 12\n",
			`suite.yaml:4:22: slices.by[1].quantile: unknown key "quantile" (did you mean "quantiles"?)
suite.yaml:6:3: slices.min_size: duplicate key (first defined at line 5)`},
	} {
		t.Run(tc.src, func(t *testing.T) {
			_, err := decodeSrc(t, tc.src)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// FuzzDecode checks that Decode never panics and that a section it
// accepts is a valid Spec.
func FuzzDecode(f *testing.F) {
	f.Add("slices: {by: [Month, {column: Temp, quantiles: 4}, [Month, {column: Wind, bins: [0, 8]}]], fail_if: {rmse_ratio: 1.5}}")
	f.Add("slices: {by: [a], search: {features: [b, {column: c, bins: [1, 2]}]}, confidence: true}")
	f.Add("slices: {by: [[a, b, c]], n_boot: 0, metrics: [mape]}")
	f.Fuzz(func(t *testing.T, src string) {
		root, err := yamlx.Parse("suite.yaml", []byte(src))
		if err != nil || root == nil || root.Kind != yaml.MappingNode || len(root.Content) < 2 {
			return
		}
		d := &yamlx.Decoder{File: "suite.yaml"}
		s := decode(d, root.Content[1], "slices", model.TaskRegression)
		if d.Err() == nil {
			if err := s.Validate(); err != nil {
				t.Fatalf("Decode accepted %q but Validate says: %v", src, err)
			}
		}
	})
}
