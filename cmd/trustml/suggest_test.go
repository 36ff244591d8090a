package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generated writes a seeded CSV with nulls, strings, negative numbers, a
// constant column, an identifier and a label.
func generated(t *testing.T, dir string, seed uint64, rows int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	var b strings.Builder
	b.WriteString("id,temp,delta,city,label,constant,flag,note\n")
	cities := []string{"Paris", "Lyon", "Nice", "Saint-Étienne", "Aix, Provence"}
	for i := range rows {
		temp := ""
		if rng.IntN(10) > 0 {
			temp = fmt.Sprintf("%.2f", rng.NormFloat64()*8+12)
		}
		delta := fmt.Sprint(rng.IntN(2001) - 1000)
		city := cities[rng.IntN(len(cities))]
		if rng.IntN(20) == 0 {
			city = ""
		}
		label := "yes"
		if rng.IntN(4) == 0 {
			label = "no"
		}
		flag := "true"
		if rng.IntN(3) == 0 {
			flag = "false"
		}
		note := fmt.Sprintf("n%d-%d", seed, rng.IntN(1_000_000))
		fmt.Fprintf(&b, "%d,%s,%s,%q,%s,7,%s,%s\n", 1000+i, temp, delta, city, label, flag, note)
	}
	return writeFile(t, dir, fmt.Sprintf("gen%d.csv", seed), b.String())
}

// TestSuggestPassesOnItsData is the property `trustml suggest` promises:
// the suite it writes passes on the data it came from, and the same data
// gives the same bytes.
func TestSuggestPassesOnItsData(t *testing.T) {
	dir := t.TempDir()
	datasets := []struct{ path, target string }{
		{"../../examples/airquality/airquality.csv", "Month"},
		{"../../model/testdata/diabetes.csv", "progression"},
		{generated(t, dir, 1, 50), "label"},
		{generated(t, dir, 2, 3000), "label"},
		{generated(t, dir, 3, 7), ""},
	}
	for _, ds := range datasets {
		t.Run(filepath.Base(ds.path), func(t *testing.T) {
			suite := filepath.Join(dir, strings.TrimSuffix(filepath.Base(ds.path), ".csv")+".yaml")
			args := []string{"suggest", ds.path, "-o", suite}
			if ds.target != "" {
				args = append(args, "--target", ds.target)
			}
			code, _, errs := cli(t, args...)
			require.Equal(t, 0, code, errs)
			first, err := os.ReadFile(suite)
			require.NoError(t, err)
			code, out, errs := cli(t, "check", suite)
			assert.Equal(t, 0, code, "%s\n%s\n%s", first, out, errs)
			assert.Contains(t, out, "0 failed, 0 warned, 0 errors")

			code, again, _ := cli(t, args[:2]...)
			require.Equal(t, 0, code)
			code, again2, _ := cli(t, args[:2]...)
			require.Equal(t, 0, code)
			assert.Equal(t, again, again2, "suggest is not deterministic")
		})
	}
}

func TestSuggestContent(t *testing.T) {
	dir := t.TempDir()
	data := generated(t, dir, 2, 3000)
	code, out, errs := cli(t, "suggest", data, "--target", "label")
	require.Equal(t, 0, code, errs)
	for _, want := range []string{
		"    id:    # int64; 1000 to 3999",
		"      unique: true    # every value occurs once",                           // id: high cardinality, checked exactly
		"      missing: {max_fraction: 0.",                                          // temp has nulls
		`      in_set: ["Aix, Provence", "Lyon", "Nice", "Paris", "Saint-Étienne"]`, // "" is read as null
		"      imbalance: {min_fraction: 0.1",
		"    constant:    # int64; 7 to 7, mean 7, stddev 0; 1 distinct",
		"      range: {min: -21, max: 43}    # values -15.65 to 39.17",
	} {
		assert.Contains(t, out, want)
	}
	// note has many distinct values but repeats some (the exact pass
	// decides); label repeats its two values: only id is unique.
	assert.Equal(t, 1, strings.Count(out, "unique: true"))
}

func TestSuggestErrors(t *testing.T) {
	dir := t.TempDir()
	data := generated(t, dir, 1, 20)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"suggest"}, "want exactly one data file, got 0 arguments"},
		{[]string{"suggest", filepath.Join(dir, "nope.csv")}, "nope.csv"},
		{[]string{"suggest", data, "--target", "lable"}, `--target "lable": no such column; columns are id, temp, delta, city, label, constant, flag, note`},
		{[]string{"suggest", data, "--bogus"}, "flag provided but not defined: -bogus"},
	} {
		code, _, errs := cli(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, errs, tc.want)
	}
	code, out, _ := cli(t, "suggest", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "usage: trustml suggest DATA")
}

func TestNiceBounds(t *testing.T) {
	assert.Equal(t, 0.1, niceStep(0.35))
	assert.Equal(t, 10.0, niceStep(10))
	assert.Equal(t, "0.3", fmtNum(roundUp(0.25, 0.1), 0.1))
	assert.Equal(t, "-12", fmtNum(roundDown(-11.5, 1), 1))
	assert.Equal(t, "0", fmtNum(math.Copysign(0, -1), 1))
	assert.Equal(t, `"yes"`, yamlString("yes"))
	assert.Equal(t, "Solar.R", yamlString("Solar.R"))
	assert.Equal(t, `"a b: c"`, yamlString("a b: c"))
}
