package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// copyTree copies the regular files under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	}))
}

// poison replaces numeric fields of a delimited text file: in every fourth
// line, one field (cycling through the columns) becomes the next of
// specials. The header line, when there is one, is kept.
func poison(t *testing.T, path, sep string, header bool, specials []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	k := 0
	for i := range lines {
		if header && i == 0 || i%4 != 3 || lines[i] == "" {
			continue
		}
		fields := strings.Split(lines[i], sep)
		j := (i / 4) % len(fields)
		if _, err := strconv.ParseFloat(fields[j], 64); err != nil {
			continue
		}
		fields[j] = specials[k%len(specials)]
		k++
		lines[i] = strings.Join(fields, sep)
	}
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644))
}

// TestExamplesWithNonFiniteValues is the property of issue 19: with ±Inf,
// NaN and huge values (whose squares overflow a metric to +Inf) injected
// into the data (so into samples, predictions and metrics), every example
// suite still completes, writes its JSON, JUnit and HTML, and the JSON
// decodes with encoding/json. The test checks that the injected values
// reach a failing sample, the data's profile, the predictions (huge: a
// non-finite prediction is refused, exit 2, by design) and a model metric.
func TestExamplesWithNonFiniteValues(t *testing.T) {
	specials := []string{"inf", "-inf", "NaN", "1e300", "-1e300", "Infinity"}
	root := t.TempDir()
	for _, ex := range []string{"airquality", "classification", "drift", "regression", "suggest"} {
		copyTree(t, filepath.Join("../../examples", ex), filepath.Join(root, ex))
	}
	// A fitted model whose feature is 1e300 predicts ±Inf, which stops the
	// run (a model failure, exit 2): airquality's fitted model gets ±Inf
	// and NaN only, which drop their rows from the model.
	poison(t, filepath.Join(root, "airquality", "airquality.csv"), ",", true, []string{"inf", "-inf", "NaN", "Infinity"})
	poison(t, filepath.Join(root, "classification", "breast_cancer.csv"), ",", true, []string{"inf", "-inf", "NaN", "Infinity"})
	poison(t, filepath.Join(root, "drift", "current.csv"), ",", true, specials)
	poison(t, filepath.Join(root, "drift", "reference.csv"), ",", true, specials[1:])
	poison(t, filepath.Join(root, "regression", "regression_dataset.txt"), "\t", false, specials)
	infs := 0
	// Where non-finite values (and, for predictions, which are refused
	// when not finite, huge ones) reached the JSON.
	reached := map[string]bool{}
	for _, suite := range []string{"airquality/suite.yaml", "airquality/failing.yaml", "classification/suite.yaml", "drift/suite.yaml", "regression/suite.yaml", "suggest/airquality.suite.yaml"} {
		t.Run(suite, func(t *testing.T) {
			dir := t.TempDir()
			jsonPath := filepath.Join(dir, "r.json")
			code, out, errs := cli(t, "check", filepath.Join(root, suite), "--json", jsonPath,
				"--junit", filepath.Join(dir, "r.xml"), "--html", filepath.Join(dir, "r.html"))
			require.Contains(t, []int{0, 1, 2}, code)
			b, err := os.ReadFile(jsonPath)
			require.NoError(t, err, "the run must complete: %s%s", out, errs)
			var res map[string]any
			require.NoError(t, json.Unmarshal(b, &res))
			infs += strings.Count(string(b), `"+Inf"`) + strings.Count(string(b), `"-Inf"`)
			walkNonFinite(res, "", func(path, v string) {
				switch {
				case strings.HasPrefix(path, ".checks[].sample[]") && v != "huge":
					reached["a sample"] = true
				case strings.HasPrefix(path, ".model.evaluation.model.") && v != "huge":
					reached["a model metric"] = true
				case path == ".model.plot.points[][]" || strings.HasSuffix(path, ".examples[].prediction"):
					reached["a prediction"] = true
				case strings.HasPrefix(path, ".profile.columns[]") && v != "huge":
					reached["the data's profile"] = true
				}
			})
			assert.FileExists(t, filepath.Join(dir, "r.xml"))
			assert.FileExists(t, filepath.Join(dir, "r.html"))
		})
	}
	assert.Positive(t, infs, "some infinite values reached the JSON")
	for _, where := range []string{"a sample", "a model metric", "a prediction", "the data's profile"} {
		assert.True(t, reached[where], "the injected values reach %s", where)
	}
}

// walkNonFinite calls f with the path (".checks[].sample[].value") and the
// value of each non-finite number of a decoded result JSON ("+Inf", "-Inf",
// "NaN", as trustml writes them) and with "huge" for each number beyond
// ±1e200.
func walkNonFinite(v any, path string, f func(path, v string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			walkNonFinite(e, path+"."+k, f)
		}
	case []any:
		for _, e := range x {
			walkNonFinite(e, path+"[]", f)
		}
	case string:
		if x == "+Inf" || x == "-Inf" || x == "NaN" {
			f(path, x)
		}
	case float64:
		if x > 1e200 || x < -1e200 {
			f(path, "huge")
		}
	}
}
