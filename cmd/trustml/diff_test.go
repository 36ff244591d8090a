package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const diffSuite = `
name: line
data: {path: line.csv}
expectations:
  columns:
    y: {max: {max: 100}}
model:
  target: y
  features: [x]
  train: {algorithm: linear}
  split: {method: random, test_fraction: 0.5, seed: 1}
  metrics: {rmse: {max: 10}}
`

// lineData is y = 2x plus a fixed pattern of noise scaled by noise, and
// one y of top.
func lineData(noise float64, top int) string {
	var b strings.Builder
	b.WriteString("x,y\n")
	pattern := []float64{1, -1, 0.5, -0.5, 0}
	for i := range 40 {
		y := 2*float64(i) + noise*pattern[i%5]
		if i == 39 {
			y = float64(top)
		}
		fmt.Fprintf(&b, "%d,%g\n", i, y)
	}
	return b.String()
}

// twoRuns checks the line suite on two data sets, recording both in a
// store, and returns the result files and the store.
func twoRuns(t *testing.T) (dir, old, cur, store string) {
	t.Helper()
	dir = t.TempDir()
	suite := writeFile(t, dir, "suite.yaml", diffSuite)
	store = filepath.Join(dir, "h.db")
	for i, data := range []string{lineData(1, 78), lineData(4, 120)} {
		writeFile(t, dir, "line.csv", data)
		out := filepath.Join(dir, fmt.Sprintf("r%d.json", i+1))
		code, _, stderr := cli(t, "check", suite, "--json", out, "--history", store, "--quiet")
		require.Contains(t, []int{0, 1}, code, stderr)
	}
	return dir, filepath.Join(dir, "r1.json"), filepath.Join(dir, "r2.json"), store
}

func TestDiff(t *testing.T) {
	dir, old, cur, store := twoRuns(t)

	code, stdout, stderr := cli(t, "diff", old, cur)
	require.Equal(t, exitPass, code, stderr)
	assert.Contains(t, stdout, "data:  changed  "+filepath.Join(dir, "line.csv"))
	assert.Contains(t, stdout, "suite: same  ")
	assert.Contains(t, stdout, "checks that flipped: 1\n  pass  → fail  columns.y.max: ")
	assert.Regexp(t, `(?m)^  model.rmse: \S+ → \S+ \(\+\S+, \+\S+%\)  worse$`, stdout)
	assert.Contains(t, stdout, "  columns.y.max: 78 → 120 (+42, +53.8462%)\n")
	assert.Contains(t, stdout, "NEW is not worse")
	plain := stdout

	code, stdout, _ = cli(t, "diff", old, cur, "--fail-on", "regression")
	assert.Equal(t, exitFail, code)
	assert.Contains(t, stdout, "NEW is worse:\n  columns.y.max passed in OLD and is fail in NEW")

	code, stdout, _ = cli(t, "diff", old, cur, "--max-worse", "rmse=0.01")
	assert.Equal(t, exitFail, code)
	assert.Regexp(t, `rmse is worse by \S+, more than --max-worse 0.01`, stdout)
	code, _, _ = cli(t, "diff", old, cur, "--max-worse", "rmse=1000", "--max-worse", "r2=1")
	assert.Equal(t, exitPass, code)
	code, _, _ = cli(t, "diff", cur, old, "--max-worse", "rmse=0", "--fail-on", "regression")
	assert.Equal(t, exitPass, code, "OLD is better than NEW the other way round")

	// The same two runs by id from the store.
	code, stdout2, stderr := cli(t, "diff", "--history", store, "1", "2")
	require.Equal(t, exitPass, code, stderr)
	assert.Contains(t, stdout2, "checks that flipped: 1\n  pass  → fail  columns.y.max: ")
	assert.Equal(t, after(plain, "data:"), after(stdout2, "data:"))

	code, stdout, _ = cli(t, "diff", old, cur, "--json")
	require.Equal(t, exitPass, code)
	var d struct {
		DataChanged bool `json:"data_changed"`
		Flipped     []struct {
			Name, Old, New string
		} `json:"flipped"`
		Moved []struct {
			Check string
			Old   float64
			New   float64
			Worse *bool
		} `json:"moved"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &d))
	assert.True(t, d.DataChanged)
	require.Len(t, d.Flipped, 1)
	assert.Equal(t, "columns.y.max", d.Flipped[0].Name)
	assert.Equal(t, "model.mse", d.Moved[0].Check)
	assert.True(t, *d.Moved[0].Worse)
}

func after(s, sep string) string {
	_, a, _ := strings.Cut(s, sep)
	return a
}

func TestDiffBadInput(t *testing.T) {
	dir, old, _, store := twoRuns(t)
	corrupt := writeFile(t, dir, "corrupt.json", "{\n  \"schema_version\": 1,\n  \"checks\": [\n}\n")
	other := writeFile(t, dir, "other.json", `{"name": "not a result"}`)
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"diff", old}, "trustml diff: want OLD and NEW, got 1 arguments"},
		{[]string{"diff", old, filepath.Join(dir, "missing.json")}, "missing.json: no such file"},
		{[]string{"diff", old, corrupt}, "corrupt.json:4: not a trustml result: invalid character '}'"},
		{[]string{"diff", other, old}, "other.json: not a trustml result (no schema_version or checks"},
		{[]string{"diff", "--history", store, "1", "99"}, "run 99: no such run"},
		{[]string{"diff", "--history", store, "1", "two"}, `with --history, OLD and NEW are run ids (see trustml history), got "two"`},
		{[]string{"diff", "--history", filepath.Join(dir, "none.db"), "1", "2"}, "no such store"},
		{[]string{"diff", old, old, "--max-worse", "rsme=1"}, `unknown metric "rsme"`},
		{[]string{"diff", old, old, "--max-worse", "rmse=-1"}, `rmse: want a number ≥ 0, got "-1"`},
		{[]string{"diff", old, old, "--fail-on", "anything"}, `--fail-on must be regression, got "anything"`},
	} {
		code, stdout, stderr := cli(t, tc.args...)
		assert.Equal(t, exitNoRun, code, tc.args)
		assert.Contains(t, stderr, tc.err, tc.args)
		assert.Empty(t, stdout, tc.args)
	}
	_, err := os.Stat(filepath.Join(dir, "none.db"))
	assert.True(t, os.IsNotExist(err), "diff creates no store")
}
