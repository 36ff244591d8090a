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

const historySuite = `
name: people
data: {path: people.csv}
expectations:
  table: {row_count: {min: 1}}
  columns:
    age: {range: {min: 0, max: 200}, mean: {min: 0, max: 200}}
history:
  schema: {changes: error}
  checks:
    - {check: table.row_count, change: {max_relative: 0.5}}
    - {check: columns.age.mean, anomaly: {method: mad, window: 5, max_z: 4}}
`

// recorded writes the people suite and records n runs of it, the i-th on
// data whose ages are ages(i).
func recorded(t *testing.T, n int, ages func(i int) []int) (dir, suite string) {
	t.Helper()
	dir = t.TempDir()
	suite = writeFile(t, dir, "suite.yaml", historySuite)
	for i := range n {
		csv := "id,age\n"
		for j, a := range ages(i) {
			csv += fmt.Sprintf("%d,%d\n", j, a)
		}
		writeFile(t, dir, "people.csv", csv)
		code, _, stderr := cli(t, "check", suite, "--quiet", "--tag", fmt.Sprintf("day=%d", i+1), "--tag", "env=test")
		require.Contains(t, []int{0, 1}, code, stderr)
	}
	return dir, suite
}

func steady(i int) []int { return []int{30 + i%2, 40, 50} }

func TestCheckRecordsHistory(t *testing.T) {
	t.Setenv("GIT_COMMIT", "0123456789abcdef")
	dir, suite := recorded(t, 4, steady)
	_, err := os.Stat(filepath.Join(dir, ".trustml", "history.db"))
	require.NoError(t, err, "the default store is beside the suite")

	// A fifth run on very different data: the history checks fail it.
	writeFile(t, dir, "people.csv", "id,age\n1,90\n2,95\n3,99\n4,91\n5,92\n6,93\n7,94\n")
	out := filepath.Join(dir, "r.json")
	code, stdout, stderr := cli(t, "check", suite, "--json", out)
	assert.Equal(t, exitFail, code, stderr)
	assert.Contains(t, stdout, "FAIL  history.table.row_count.change: 7 vs 3, the last run: +133.333% (+4), which is not within ±50% of the last run")
	// Means 40, 40⅓, 40, 40⅓: median 40⅙, every deviation ⅙, scale
	// 1.4826/6 = 0.2471; z = (654/7 − 40⅙) / 0.2471 = 215.548.
	assert.Contains(t, stdout, "FAIL  history.columns.age.mean.anomaly: 93.4286 where mad expected 40.1667 ± 0.2471 from the last 4 runs: z = 215.548, beyond |z| ≤ 4")
	var res struct {
		History struct {
			RunID int64  `json:"run_id"`
			Store string `json:"store"`
		} `json:"history"`
	}
	src, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(src, &res))
	assert.Equal(t, int64(5), res.History.RunID)

	code, stdout, stderr = cli(t, "history", suite)
	require.Equal(t, exitPass, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 8, stdout)
	assert.Regexp(t, `^run\s+start\s+verdict\s+failed\s+warned\s+rows\s+data hash\s+suite sha256\s+commit\s+tags$`, lines[2])
	assert.Regexp(t, `^1\s+\S+ \S+\s+PASSED\s+0\s+0\s+3\s+xxh3-128:[0-9a-f]{10}\s+[0-9a-f]{10}\s+0123456789\s+day=1,env=test$`, lines[3])
	assert.Regexp(t, `^5\s+\S+ \S+\s+FAILED\s+2\s+0\s+7\s+`, lines[7])

	code, stdout, _ = cli(t, "history", suite, "--last", "2", "--check", "columns.age.mean")
	require.Equal(t, exitPass, code)
	assert.Regexp(t, `(?m)^run\s+start\s+columns.age.mean\s+element_count\s+null_count\s+value$`, stdout)
	assert.Regexp(t, `(?m)^4\s+\S+ \S+\s+pass\s+3\s+0\s+40.3333$`, stdout)
	assert.Regexp(t, `(?m)^5\s+\S+ \S+\s+pass\s+7\s+0\s+93.4286$`, stdout)
	assert.Contains(t, stdout, "columns.age.mean value  ▁█  (min 40.3333, max 93.4286, last 93.4286)")

	code, stdout, _ = cli(t, "history", suite, "--json", "--last", "3")
	require.Equal(t, exitPass, code)
	var js struct {
		Suite string `json:"suite"`
		Runs  []struct {
			ID        int64             `json:"id"`
			Passed    bool              `json:"passed"`
			Failed    int               `json:"failed"`
			GitCommit string            `json:"git_commit"`
			Tags      map[string]string `json:"tags"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &js))
	assert.Equal(t, "people", js.Suite)
	require.Len(t, js.Runs, 3)
	assert.Equal(t, int64(3), js.Runs[0].ID)
	assert.Equal(t, map[string]string{"day": "3", "env": "test"}, js.Runs[0].Tags)
	assert.Equal(t, "0123456789abcdef", js.Runs[0].GitCommit)
	assert.False(t, js.Runs[2].Passed)
	assert.Equal(t, 2, js.Runs[2].Failed)
}

func TestHistoryBadInput(t *testing.T) {
	dir := t.TempDir()
	suite := writeFile(t, dir, "suite.yaml", historySuite)
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"history"}, "trustml history: want exactly one suite file, got 0 arguments"},
		{[]string{"history", filepath.Join(dir, "nope.yaml")}, "no such file"},
		{[]string{"history", suite}, "no such store (a run records one: trustml check --history"},
		{[]string{"history", suite, "--last", "0"}, "--last must be ≥ 1, got 0"},
		{[]string{"check", suite, "--tag", "novalue"}, `invalid value "novalue" for flag -tag: want key=value`},
	} {
		code, _, stderr := cli(t, tc.args...)
		assert.Equal(t, exitNoRun, code, tc.args)
		assert.Contains(t, stderr, tc.err, tc.args)
		_, err := os.Stat(filepath.Join(dir, ".trustml"))
		assert.True(t, os.IsNotExist(err), "no store is created by %v", tc.args)
	}
	_, suite2 := recorded(t, 1, steady)
	code, _, stderr := cli(t, "history", suite2, "--check", "columns.agee.mean")
	assert.Equal(t, exitNoRun, code)
	assert.Contains(t, stderr, `no recorded run of people has a check named "columns.agee.mean"`)
}

// A corrupt store: the run's results are still written, and the exit
// code is 3.
func TestCheckHistoryStoreFails(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "people.csv", "id,age\n1,30\n2,40\n")
	suite := writeFile(t, dir, "suite.yaml", historySuite)
	store := writeFile(t, dir, "bad.db", strings.Repeat("this is not a database\n", 400))
	out := filepath.Join(dir, "r.json")
	code, stdout, stderr := cli(t, "check", suite, "--history", store, "--json", out)
	assert.Equal(t, exitHistory, code)
	assert.Contains(t, stderr, "trustml: history "+store+": open: ")
	assert.Contains(t, stderr, "the file is corrupt or not a trustml history store")
	assert.Contains(t, stderr, "the run's own results are complete and written; the run is not in the history")
	assert.Contains(t, stdout, "PASSED")
	src, err := os.ReadFile(out)
	require.NoError(t, err)
	var res struct {
		Passed  bool `json:"passed"`
		History struct {
			Error string `json:"error"`
		} `json:"history"`
	}
	require.NoError(t, json.Unmarshal(src, &res))
	assert.True(t, res.Passed)
	assert.Contains(t, res.History.Error, "corrupt")

	// A suite whose dsn names an unset variable fails the same way.
	pg := writeFile(t, dir, "pg.yaml", strings.Replace(historySuite, "history:\n", "history:\n  dsn: ${TRUSTML_TEST_UNSET_DSN}\n", 1))
	code, _, stderr = cli(t, "check", pg)
	assert.Equal(t, exitHistory, code)
	assert.Contains(t, stderr, "history: dsn: environment variable TRUSTML_TEST_UNSET_DSN is not set")
}
