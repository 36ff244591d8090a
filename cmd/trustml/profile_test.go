package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/profile"
)

func TestProfileCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := cli(t, "profile", "../../examples/airquality/airquality.csv", "--columns", "Temp, Month")
	require.Equal(t, 0, code, errs)
	p, err := profile.Decode("stdout", []byte(out))
	require.NoError(t, err)
	require.Len(t, p.Columns, 2)
	assert.Equal(t, int64(153), p.Rows)
	temp := p.Column("Temp")
	assert.Equal(t, profile.Numeric, temp.Kind)
	assert.Equal(t, profile.Float(56), temp.Numeric.Min)
	assert.Equal(t, profile.Float(97), temp.Numeric.Max)
	cats, ok := p.Column("Month").Categories()
	require.True(t, ok)
	assert.Equal(t, []profile.ValueCount{{Value: "5", Count: 31}, {Value: "6", Count: 30}, {Value: "7", Count: 31}, {Value: "8", Count: 31}, {Value: "9", Count: 30}}, cats)
	src, ok := p.Source.(map[string]any)
	require.True(t, ok)
	assert.Equal(t, "csv", src["format"])

	// -o writes the same bytes as stdout.
	file := filepath.Join(dir, "ref.json")
	code, _, errs = cli(t, "profile", "../../examples/airquality/airquality.csv", "--columns", "Temp,Month", "-o", file)
	require.Equal(t, 0, code, errs)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, out, string(b))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"profile"}, "want exactly one data file, got 0 arguments"},
		{[]string{"profile", "../../examples/airquality/airquality.csv", "--columns", "Tmp"}, `"Tmp"`},
		{[]string{"profile", "../../examples/airquality/airquality.csv", "--format", "xls"}, "xls"},
	} {
		code, _, errs := cli(t, tc.args...)
		assert.Equal(t, 2, code, tc.args)
		assert.Contains(t, errs, tc.want)
	}
	code, out, _ = cli(t, "profile", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "usage: trustml profile DATA")
}

// TestProfileAsReference checks that a saved profile and the data it was
// made from give the same drift checks.
func TestProfileAsReference(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "reference.json")
	code, _, errs := cli(t, "profile", "../../examples/drift/reference.csv", "-o", ref)
	require.Equal(t, 0, code, errs)
	suite := func(reference string) string {
		return writeFile(t, dir, "s-"+filepath.Base(reference)+".yaml", `
data: {path: `+absPath(t, "../../examples/drift/current.csv")+`, reference: `+reference+`}
drift:
  columns:
    Temp: {ks: {max_statistic: 0.2}, psi: {max: 0.25}, wasserstein: {max: 5}}
    Month: {new_categories: 0, chi_square: {min_p_value: 0.01}}
`)
	}
	code1, out1, _ := cli(t, "check", suite(ref))
	code2, out2, _ := cli(t, "check", suite(absPath(t, "../../examples/drift/reference.csv")))
	assert.Equal(t, 1, code1)
	assert.Equal(t, code1, code2)
	assert.Equal(t, trimTotals(out1), trimTotals(out2))
	assert.Contains(t, out1, "FAIL  drift.Temp.ks: KS statistic 0.360656")
}

func absPath(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	require.NoError(t, err)
	return a
}

// trimTotals drops the totals line, which names the time taken.
func trimTotals(s string) string {
	if i := lastLine(s); i >= 0 {
		return s[:i]
	}
	return s
}

func lastLine(s string) int {
	for i := len(s) - 2; i >= 0; i-- {
		if s[i] == '\n' {
			return i
		}
	}
	return -1
}

// TestReferenceProfileSizeCap: a saved profile is read up to
// profile.MaxFileSize bytes, so a reference that never ends fails at once
// with exit 2, positioned at data.reference, and writes nothing (issue 19,
// class 2). /dev/zero itself has no extension to read it by.
func TestReferenceProfileSizeCap(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")))
	for _, tc := range []struct{ ref, want string }{
		{"zero.json", "zero.json: larger than the 64 MiB a saved profile may be"},
		{"/dev/zero", "/dev/zero: no file extension to tell the format"},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			suite := writeFile(t, dir, "s.yaml", `
data: {reference: `+tc.ref+`, path: `+absPath(t, "../../examples/drift/current.csv")+`}
drift:
  columns:
    Temp: {ks: {max_statistic: 0.2}}
`)
			jsonPath := filepath.Join(dir, "r.json")
			start := time.Now()
			code, out, errs := cli(t, "check", suite, "--json", jsonPath)
			assert.Equal(t, 2, code, out+errs)
			assert.Contains(t, errs, "s.yaml:2:19: data.reference: ")
			assert.Contains(t, errs, tc.want)
			assert.Less(t, time.Since(start), time.Minute)
			assert.NoFileExists(t, jsonPath)
		})
	}
	assert.Equal(t, 64<<20, profile.MaxFileSize, "the README states this cap")
}
