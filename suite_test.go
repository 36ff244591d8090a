package trustml_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
)

// TestBadSuites pins the exact message of each suite mistake. Every
// problem in a file is reported at once, in document order.
func TestBadSuites(t *testing.T) {
	want := map[string]string{
		"unknown_key.bad.yaml":     `testdata/unknown_key.bad.yaml:5:7: expectations.columns.age.rnage: unknown key "rnage" (did you mean "range"?)`,
		"unknown_top_key.bad.yaml": `testdata/unknown_top_key.bad.yaml:2:1: expectation: unknown key "expectation" (did you mean "expectations"?)`,
		"wrong_type.bad.yaml": `testdata/wrong_type.bad.yaml:5:20: expectations.columns.age.range.min: must be a number, got the string "zero"
testdata/wrong_type.bad.yaml:6:31: expectations.columns.age.missing.max_fraction: must be a number, got the string "10%"
testdata/wrong_type.bad.yaml:7:15: expectations.columns.age.unique: must be true or false, got the string "yes please"`,
		"min_gt_max.bad.yaml": `testdata/min_gt_max.bad.yaml:4:16: expectations.table.row_count: min 100 > max 10: no value can pass
testdata/min_gt_max.bad.yaml:7:14: expectations.columns.age.range: min 120 > max 0: no value can pass
testdata/min_gt_max.bad.yaml:8:13: expectations.columns.age.mean: min 5 > max 3: no value can pass`,
		"fraction.bad.yaml": `testdata/fraction.bad.yaml:5:31: expectations.columns.age.range.mostly: must be a fraction between 0 and 1, got 1.5
testdata/fraction.bad.yaml:6:31: expectations.columns.age.missing.max_fraction: must be a fraction between 0 and 1, got -0.1`,
		"regex.bad.yaml":     "testdata/regex.bad.yaml:5:14: expectations.columns.code.regex: invalid regular expression: error parsing regexp: missing closing ]: `[A-Z+$`",
		"empty.bad.yaml":     `testdata/empty.bad.yaml: empty suite: it needs at least data: {path: ...} and expectations`,
		"no_checks.bad.yaml": `testdata/no_checks.bad.yaml:1:1: expectations: the suite has no checks: add expectations (see the README for every kind)`,
		"duplicate.bad.yaml": `testdata/duplicate.bad.yaml:6:7: expectations.columns.age.range: duplicate key (first defined at line 5)
testdata/duplicate.bad.yaml:7:5: expectations.columns.age: duplicate key (first defined at line 4)`,
		"syntax.bad.yaml":   `testdata/syntax.bad.yaml:1: invalid YAML: did not find expected ',' or '}'`,
		"severity.bad.yaml": `testdata/severity.bad.yaml:5:17: expectations.columns.age.severity: must be error or warn, got "warning" (did you mean "warn"?)`,
		"model.bad.yaml": `testdata/model.bad.yaml:3:3: model: has 3 model sources (train, predictions, endpoint); give exactly one
testdata/model.bad.yaml:3:3: model.features: lists the target "y" among the features
testdata/model.bad.yaml:5:22: model.train.algorithm: unknown algorithm "lasso"; algorithms are linear (ordinary least squares), ridge and logistic (a classifier)
testdata/model.bad.yaml:7:10: model.split.test_fraction: missing: a random split needs the fraction of rows held out, e.g. 0.2
testdata/model.bad.yaml:7:10: model.split.by: applies to time splits; set method: time or remove by
testdata/model.bad.yaml:8:19: model.endpoint.url: must be an http:// or https:// URL, got "ftp://x"
testdata/model.bad.yaml:8:39: model.endpoint.timeout: must be a positive duration such as 30s or 500ms, got "soon"
testdata/model.bad.yaml:8:57: model.endpoint.batch_size: must be ≥ 1, got 0
testdata/model.bad.yaml:10:5: model.metrics.r3: unknown metric "r3" (did you mean "r2"?); metrics are mse, rmse, mae, r2, mape, median_ae, max_error, bias
testdata/model.bad.yaml:11:11: model.metrics.rmse: min 3 > max 2: no value can pass
testdata/model.bad.yaml:12:10: model.metrics.mae: needs at least one of min or max`,
		"sections.bad.yaml": `testdata/sections.bad.yaml:3:1: checklist: behavioural tests need a model: add a model section (train, endpoint or command)
testdata/sections.bad.yaml:5:1: slices: slices measure a model's predictions: add a model section`,
		"compare.bad.yaml": `testdata/compare.bad.yaml:7:5: model.compare_to: needs the champion's source: predictions, endpoint or command
testdata/compare.bad.yaml:7:17: model.compare_to.max_worse.rmsee: unknown metric "rmsee" (did you mean "rmse"?); metrics are mse, rmse, mae, r2, mape, median_ae, max_error, bias
testdata/compare.bad.yaml:7:32: model.compare_to.max_worse.mae: must be ≥ 0 (how much worse the challenger may be), got -1
testdata/compare.bad.yaml:8:13: model.compare_to.n_boot: must be between 100 and 100000, got 5`,
		"caps.bad.yaml": `testdata/caps.bad.yaml:4:56: checklist[0].sweep.steps: must be between 2 and 10000, got 10000000000
testdata/caps.bad.yaml:5:5: checklist[1]: expands to more than 100000 cases (listed cases plus the product of each template's vary lists); split the test or shorten the lists
testdata/caps.bad.yaml:16:27: slices.n_boot: must be between 0 and 100000, got 1000000`,
		"source.bad.yaml": `testdata/source.bad.yaml:3:3: model: needs one model source: train, predictions, endpoint or command
testdata/source.bad.yaml:5:3: model.grpc: unknown key "grpc"; valid keys: task, target, features, positive, threshold, ece_bins, split, metrics, compare_to, severity, class_balance, train, predictions, endpoint, command
testdata/source.bad.yaml:8:5: model.compare_to: a champion cannot be train; it is one of predictions, endpoint or command
testdata/source.bad.yaml:10:13: model.compare_to.n_boot: must be between 100 and 100000, got 1000001`,
		"many.bad.yaml": `testdata/many.bad.yaml:1:10: version: unsupported suite version 2; this trustml reads version 1
testdata/many.bad.yaml:2:29: data.format: unknown format "xlsx"; valid formats are csv, tsv, txt, parquet, arrow, feather, ipc, arrows, jsonl, ndjson
testdata/many.bad.yaml:2:48: data.types.age: type "numeric" cannot be read from text; types are bool, boolean, date32, float, float32, float64, int16, int32, int64, int8, integer, large_utf8, string, timestamp, uint16, uint32, uint64, uint8, utf8
testdata/many.bad.yaml:5:16: expectations.table.row_count: needs at least one of min or max
testdata/many.bad.yaml:5:17: expectations.table.row_count.minimum: unknown key "minimum" (did you mean "min"?)
testdata/many.bad.yaml:8:15: expectations.columns.age.in_set: must list at least one value
testdata/many.bad.yaml:9:23: expectations.columns.age.quantiles[0].q: must be a fraction between 0 and 1, got 2
testdata/many.bad.yaml:10:30: expectations.columns.age.imbalance.max_ratio: a majority/minority ratio is at least 1, got 0.5
testdata/many.bad.yaml:11:11: expectations.columns.name: has no checks; add one such as range: {min: 0} or missing: {max: 0}
testdata/many.bad.yaml:12:16: report.json: must be a string, got the number 5`,
	}
	files, err := filepath.Glob("testdata/*.bad.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(want), "every testdata/*.bad.yaml has its message pinned here")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			msg, ok := want[filepath.Base(f)]
			require.True(t, ok, "no message pinned for %s", f)
			_, err := trustml.Load(f)
			require.Error(t, err)
			assert.Equal(t, msg, err.Error())
			var se *trustml.SuiteError
			require.True(t, errors.As(err, &se), "a positioned *trustml.SuiteError")
			assert.Equal(t, f, se.File)
			require.NotEmpty(t, se.Problems)
			for _, p := range se.Problems {
				assert.NotEmpty(t, p.Msg)
			}
		})
	}
}

func TestLoadResolvesPathsAgainstTheSuite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "s.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(`
name: n
data: {path: ../d.csv, header: false, names: [a, b], delimiter: ";", null_values: ["-"], types: {a: int64}}
expectations: {columns: {a: {missing: 0}}}
report: {json: out/r.json, junit: /abs/r.xml}
`), 0o644))
	s, err := trustml.Load(p)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "d.csv"), s.Data.Path)
	assert.Equal(t, filepath.Join(dir, "sub", "out", "r.json"), s.Report.JSON)
	assert.Equal(t, "/abs/r.xml", s.Report.JUnit)
	assert.Equal(t, ';', s.Data.Options.Delimiter)
	assert.Equal(t, []string{"-"}, s.Data.Options.NullValues)
	assert.Equal(t, []string{"a", "b"}, s.Data.Options.Names)
	assert.Equal(t, "int64", s.Data.Options.Types["a"].Name())
	assert.Equal(t, "n", s.Name)
	assert.Len(t, s.SHA256, 64)
}

// FuzzParse: no input makes the loader panic, and every error it returns
// names the file.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	files = append(files, "examples/airquality/suite.yaml", "examples/airquality/failing.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("data: {path: x}\nexpectations: {columns: {a: {range: {min: 1, max: 0}}}}"))
	f.Add([]byte("a: &x [1, *x]"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := trustml.Parse("fuzz.yaml", src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if s.Expectations.Len() == 0 {
			t.Fatal("a suite without checks was accepted")
		}
	})
}

// TestLoadCapsTheSuiteSize: /dev/zero is not read until memory runs out.
func TestLoadCapsTheSuiteSize(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := trustml.Load("/dev/zero")
	assert.EqualError(t, err, "suite /dev/zero: larger than the 4 MiB a suite file may be")
}
