package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cli runs the command line in-process and returns its exit code,
// stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

const peopleCSV = "id,age,city\n1,34,Paris\n2,29,Lyon\n3,150,Paris\n4,,Nice\n"

func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "people.csv", peopleCSV)
	pass := writeFile(t, dir, "pass.yaml", `
data: {path: people.csv}
expectations:
  columns:
    id: {unique: true}
    age: {range: {min: 0, max: 200}}
`)
	fail := writeFile(t, dir, "fail.yaml", `
data: {path: people.csv}
expectations:
  columns:
    age: {range: {min: 0, max: 120}}
    city: {in_set: [Paris, Lyon], severity: warn}
`)
	warnOnly := writeFile(t, dir, "warn.yaml", `
data: {path: people.csv}
expectations:
  columns:
    city: {in_set: [Paris, Lyon], severity: warn}
`)
	missingCol := writeFile(t, dir, "missing.yaml", `
data: {path: people.csv}
expectations:
  columns:
    agee: {range: {min: 0}}
`)
	noData := writeFile(t, dir, "nodata.yaml", `
data: {path: nowhere.csv}
expectations: {columns: {age: {missing: 0}}}
`)

	code, out, _ := cli(t, "check", pass)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "PASSED: 2 checks: 2 passed")

	code, out, _ = cli(t, "check", fail)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAIL  columns.age.range: 1 of 3 values outside [0, 120] (33.3%), e.g. row 2: 150\n")
	assert.Contains(t, out, "WARN  columns.city.in_set: 1 of 4 values not in {\"Paris\", \"Lyon\"} (25.0%), e.g. row 3: \"Nice\"\n")

	code, out, _ = cli(t, "check", warnOnly)
	assert.Equal(t, 0, code, "warnings do not fail the run")
	assert.Contains(t, out, "WARN  columns.city.in_set")

	code, _, errs := cli(t, "check", missingCol)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "missing.yaml:5:5: expectations.columns.agee:")
	assert.Contains(t, errs, `did you mean "age"?`)
	assert.Contains(t, errs, "id, age, city")

	code, _, errs = cli(t, "check", noData)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "nowhere.csv")

	code, _, errs = cli(t, "check", filepath.Join(dir, "absent.yaml"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "absent.yaml: no such file")
}

func TestCheckDataOverrideAndOutputs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "good.csv", "id,age\n1,30\n2,40\n")
	writeFile(t, dir, "bad.csv", "id,age\n1,30\n1,400\n")
	suite := writeFile(t, dir, "s.yaml", `
data: {path: good.csv}
expectations:
  columns:
    id: {unique: true}
    age: {range: {min: 0, max: 120}}
`)
	jsonPath := filepath.Join(dir, "out", "r.json")
	junitPath := filepath.Join(dir, "out", "r.xml")
	code, _, errs := cli(t, "check", suite, "--data", filepath.Join(dir, "bad.csv"), "--json", jsonPath, "--junit", junitPath, "--quiet")
	require.Equal(t, 1, code, errs)

	var res struct {
		SchemaVersion int  `json:"schema_version"`
		Passed        bool `json:"passed"`
		Summary       struct {
			Total, Pass, Fail int
		} `json:"summary"`
		Checks []struct {
			Name               string
			Status             string
			UnexpectedCount    *int64   `json:"unexpected_count"`
			UnexpectedFraction *float64 `json:"unexpected_fraction"`
			Sample             []struct {
				Row   int64
				Value any
			}
		}
		Run struct {
			SuiteSHA256 string `json:"suite_sha256"`
			Data        struct {
				Path string
				Rows int64
			}
		}
	}
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &res))
	assert.Equal(t, 1, res.SchemaVersion)
	assert.False(t, res.Passed)
	assert.Equal(t, 2, res.Summary.Total)
	assert.Equal(t, 2, res.Summary.Fail)
	assert.Equal(t, int64(2), res.Run.Data.Rows)
	assert.Contains(t, res.Run.Data.Path, "bad.csv")
	assert.Len(t, res.Run.SuiteSHA256, 64)
	require.Len(t, res.Checks, 2)
	assert.Equal(t, "columns.id.unique", res.Checks[0].Name)
	assert.Equal(t, int64(2), *res.Checks[0].UnexpectedCount)
	assert.Equal(t, "columns.age.range", res.Checks[1].Name)
	assert.Equal(t, 0.5, *res.Checks[1].UnexpectedFraction)
	require.Len(t, res.Checks[1].Sample, 1)
	assert.Equal(t, int64(1), res.Checks[1].Sample[0].Row)
	assert.Equal(t, float64(400), res.Checks[1].Sample[0].Value)

	x, err := os.ReadFile(junitPath)
	require.NoError(t, err)
	assert.Contains(t, string(x), `<testsuite name="expectations" tests="2" failures="2" errors="0"`)
	assert.Contains(t, string(x), `<failure message="1 of 2 values outside [0, 120] (50.0%), e.g. row 1: 400" type="fail">`)

	// No temporary files are left beside the outputs.
	entries, err := os.ReadDir(filepath.Join(dir, "out"))
	require.NoError(t, err)
	assert.Len(t, entries, 2)
}

func TestCheckCouldNotRunWritesNothing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a\n1\n2\n")
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations: {columns: {b: {missing: 0}}}\n")
	jsonPath := filepath.Join(dir, "r.json")
	code, _, _ := cli(t, "check", suite, "--json", jsonPath)
	assert.Equal(t, 2, code)
	_, err := os.Stat(jsonPath)
	assert.True(t, os.IsNotExist(err), "no result file when the run could not happen")
}

func TestUsage(t *testing.T) {
	code, _, errs := cli(t)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "usage: trustml")

	code, _, errs = cli(t, "frobnicate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `unknown command "frobnicate"`)

	code, out, _ := cli(t, "check", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "usage: trustml check SUITE.yaml")
	assert.Contains(t, out, "-junit")

	code, _, errs = cli(t, "check", "--bogus", "x.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "flag provided but not defined: -bogus")

	code, _, errs = cli(t, "check")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "want exactly one suite file")

	code, out, _ = cli(t, "version")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "trustml "), out)

	for _, c := range []string{"validate", "version"} {
		code, out, _ = cli(t, c, "--help")
		assert.Equal(t, 0, code)
		assert.Contains(t, out, "usage: trustml "+c)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", "data: {path: missing-is-fine.csv}\nexpectations: {columns: {a: {missing: 0}}}\n")
	bad := writeFile(t, dir, "bad.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {rnage: {min: 0}}}}\n")
	code, out, _ := cli(t, "validate", good)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "valid: 1 checks")
	code, _, errs := cli(t, "validate", bad)
	assert.Equal(t, 2, code)
	assert.Equal(t, bad+`:2:30: expectations.columns.a.rnage: unknown key "rnage" (did you mean "range"?)`+"\n", errs)
}

func TestExamples(t *testing.T) {
	code, out, errs := cli(t, "check", "../../examples/airquality/suite.yaml")
	assert.Equal(t, 0, code, out+errs)
	code, out, _ = cli(t, "check", "../../examples/airquality/failing.yaml")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAILED: 10 checks: 0 passed, 9 failed, 1 warned, 0 errors")
	code, out, errs = cli(t, "check", "../../examples/orders/suite.yaml", "--now", "2026-11-30T12:00:00Z")
	assert.Equal(t, 0, code, out+errs)
	code, out, _ = cli(t, "check", "../../examples/orders/failing.yaml", "--now", "2026-11-30T12:00:00Z")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAILED: 12 checks: 8 passed, 4 failed, 0 warned, 0 errors")
	// A fitted logistic classifier, its threshold chosen on the training rows.
	dir := t.TempDir()
	res := filepath.Join(dir, "r.json")
	code, out, errs = cli(t, "check", "../../examples/classification/suite.yaml", "--json", res, "--html", filepath.Join(dir, "r.html"))
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "PASSED: 31 checks: 31 passed", "the count of examples/classification/README.md")
	b, err := os.ReadFile(res)
	require.NoError(t, err)
	var r struct {
		Summary struct {
			Sections map[string]struct{ Pass int }
		}
		Model struct {
			Task           string
			Classification struct {
				LabelsFrom string `json:"labels_from"`
				Threshold  struct{ Rule string }
				Model      struct{ Confusion [][]int }
			}
		}
	}
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, "classification", r.Model.Task)
	assert.Equal(t, 8, r.Summary.Sections["slices"].Pass, "2 slicings, 5 slices and the search")
	assert.Equal(t, 5, r.Summary.Sections["fairness"].Pass, "the groups and 4 bounds")
	assert.Equal(t, "threshold", r.Model.Classification.LabelsFrom)
	assert.Equal(t, "recall ≥ 0.98 on the training rows", r.Model.Classification.Threshold.Rule)
	n := 0
	for _, row := range r.Model.Classification.Model.Confusion {
		for _, v := range row {
			n += v
		}
	}
	assert.Equal(t, 114, n, "the confusion matrix counts the 114 test rows")
}

func TestCheckNowFixesTheRunsInstant(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a\n1\n")
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations: {columns: {a: {missing: 0}}}\n")
	for _, tc := range []struct{ flag, want string }{
		{"2026-11-30T08:15:00+01:00", "2026-11-30T07:15:00Z"},
		{"2026-11-30", "2026-11-30T00:00:00Z"},
	} {
		out := filepath.Join(dir, "r.json")
		code, _, errs := cli(t, "check", suite, "--now", tc.flag, "--json", out, "--quiet")
		require.Equal(t, 0, code, errs)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		var res struct{ Run struct{ Start string } }
		require.NoError(t, json.Unmarshal(b, &res))
		assert.Equal(t, tc.want, res.Run.Start, tc.flag)
	}
	code, _, errs := cli(t, "check", suite, "--now", "yesterday")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `--now: "yesterday" is not a time`)
}
