package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const setSuite = `data:
  path: drops
  types: {day: date32}
expectations:
  table:
    row_count: {min: 1}
  columns:
    amount: {range: {min: 0, max: 100}}
`

// setTree writes a suite and a partitioned set of daily drops.
func setTree(t *testing.T) (dir, suite string) {
	dir = t.TempDir()
	suite = writeFile(t, dir, "suite.yaml", setSuite)
	for name, content := range map[string]string{
		"drops/day=2026-11-02/orders.csv": "amount\n1\n2\n",
		"drops/day=2026-11-03/orders.csv": "amount\n3\n101\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	}
	return dir, suite
}

func TestCheckFileSets(t *testing.T) {
	dir, suite := setTree(t)
	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 1, code, errs)
	assert.Contains(t, out, "e.g. day=2026-11-03/orders.csv:row 1: 101")

	// --data takes a glob, relative to the working directory.
	code, out, errs = cli(t, "check", suite, "--data", filepath.Join(dir, "drops", "*", "orders.csv"))
	assert.Equal(t, 1, code, errs)
	assert.Contains(t, out, "(4 rows)")

	for _, tc := range []struct {
		name  string
		setup func() string // returns the --data argument
		want  string
	}{
		{"glob matching nothing", func() string { return filepath.Join(dir, "drops", "*.parquet") }, filepath.Join(dir, "drops", "*.parquet") + ": no file matches the pattern"},
		{"empty directory", func() string {
			p := filepath.Join(dir, "empty")
			require.NoError(t, os.Mkdir(p, 0o755))
			return p
		}, "empty: no data rows (the directory holds no data files"},
		{"partition value not a date", func() string {
			p := filepath.Join(dir, "bad", "day=2026-13-40", "orders.csv")
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte("amount\n1\n"), 0o600))
			return filepath.Join(dir, "bad")
		}, filepath.Join(dir, "bad", "day=2026-13-40") + `: partition "day": "2026-13-40" is not a valid date32`},
		{"symlink loop", func() string {
			p := filepath.Join(dir, "loop")
			require.NoError(t, os.MkdirAll(filepath.Join(p, "sub"), 0o755))
			require.NoError(t, os.Symlink("..", filepath.Join(p, "sub", "up")))
			return p
		}, "symbolic link loop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(t, "check", suite, "--data", tc.setup())
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errs, tc.want)
		})
	}

	// Strict schemas refuse a file with a column the first lacks.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "drops", "day=2026-11-03", "orders.csv"), []byte("amount,note\n3,x\n"), 0o600))
	strict := writeFile(t, dir, "strict.yaml", strings.Replace(setSuite, "  types:", "  schema: strict\n  types:", 1))
	code, _, errs = cli(t, "check", strict)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `schema differs from `+filepath.Join(dir, "drops", "day=2026-11-02", "orders.csv")+`: it has column "note", which the first file lacks (data.schema: strict)`)
	code, _, errs = cli(t, "check", suite)
	assert.Equal(t, 0, code, errs)

	bad := writeFile(t, dir, "bad.yaml", strings.Replace(setSuite, "  types:", "  schema: loose\n  types:", 1))
	code, _, errs = cli(t, "check", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `bad.yaml:3:11: data.schema: unknown schema mode "loose"; modes are strict, unify`)
}

func TestProfileAndSuggestFileSets(t *testing.T) {
	dir, _ := setTree(t)
	code, out, errs := cli(t, "profile", filepath.Join(dir, "drops"))
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, `"day"`)
	assert.Contains(t, out, `"day=2026-11-03/orders.csv"`)

	code, out, errs = cli(t, "suggest", filepath.Join(dir, "drops", "*", "*.csv"))
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "amount:")
	code, _, errs = cli(t, "suggest", filepath.Join(dir, "nothing-*.csv"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "no file matches the pattern")
}
