package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCheckFairness: a fairness bound that fails exits 1; a sensitive
// column the data lacks, or a float one, exits 2 with its place in the
// suite.
func TestCheckFairness(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "y,lab,sex,age\nyes,yes,F,31.5\nyes,no,F,40.1\nno,no,F,22.0\nno,yes,M,51.2\nyes,yes,M,33.3\nno,no,M,45.0\n")
	head := "data: {path: d.csv}\nmodel: {task: classification, target: y, positive: \"yes\", predictions: {label: lab}}\n"
	for _, tc := range []struct {
		fairness string
		code     int
		want     string
	}{
		// Selection rates 1/3 (F) and 2/3 (M): a difference of 1/3.
		{"fairness: {feature: sex, demographic_parity_difference: {max: 0.1}}", 1, "FAIL  fairness.demographic_parity_difference: demographic_parity_difference 0.333333"},
		{"fairness: {feature: sex, demographic_parity_difference: {max: 0.5}}", 0, "PASSED: 2 checks: 2 passed"},
		{"fairness: {feature: gender}", 2, `d.csv: no column "gender"; columns are: y, lab, sex, age`},
		{"fairness: {feature: age}", 2, `s.yaml:3:21: fairness.feature: column "age" is float64, not categorical`},
	} {
		suite := writeFile(t, dir, "s.yaml", head+tc.fairness+"\n")
		code, out, errs := cli(t, "check", suite)
		assert.Equal(t, tc.code, code, out+errs)
		assert.Contains(t, out+errs, tc.want)
		if tc.code == 2 {
			assert.Contains(t, errs, "s.yaml:3:21: fairness.feature: ", "the error names its place in the suite")
		}
	}
}
