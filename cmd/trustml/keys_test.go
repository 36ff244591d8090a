package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrdersExample: the orders example passes on the day its data was
// cut (--now), and its freshness check fails three days later; its failing
// variant finds the faults gen planted, by row: orphans at rows 17 and 640,
// the key of rows 1199 and 1200, row 3000, a copy of row 5, and the cables
// priced 99 at rows 114 and 2003; --failed-rows writes the orphans and the
// cables with their key.
func TestOrdersExample(t *testing.T) {
	const now = "2026-11-30T12:00:00Z"
	code, out, errs := cli(t, "check", "../../examples/orders/suite.yaml", "--now", now)
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "PASSED: 12 checks")
	// The newest order is 2026-11-29T23:23Z: 84h37m old on 3 December.
	code, out, _ = cli(t, "check", "../../examples/orders/suite.yaml", "--now", "2026-12-03T12:00:00Z")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "FAIL  columns.ordered_at.freshness")

	dir := t.TempDir()
	jsonPath, failedPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "failed.csv")
	code, out, errs = cli(t, "check", "../../examples/orders/failing.yaml", "--now", now, "--json", jsonPath, "--failed-rows", failedPath)
	require.Equal(t, 1, code, out+errs)
	assert.Contains(t, out, "FAILED: 12 checks: 8 passed, 4 failed, 0 warned, 0 errors")
	failed, err := os.ReadFile(failedPath)
	require.NoError(t, err)
	// Rows 17 and 640 of orders_failing.csv (customers 9001 and 9002) are
	// order 100006 line 3 and order 100256 line 1; rows 114 and 2003 are
	// order 100048 line 2 and order 100808 line 4.
	assert.Equal(t, "row,failed_checks,order_id,line\n"+
		"17,table.references.customer_id,100006,3\n"+
		"114,rules.cables cost 9.90,100048,2\n"+
		"640,table.references.customer_id,100256,1\n"+
		"2003,rules.cables cost 9.90,100808,4\n", string(failed))
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var res struct {
		Checks []struct {
			Name            string
			Status          string
			UnexpectedCount *int64 `json:"unexpected_count"`
			Sample          []struct {
				Row   int64
				Value map[string]any
			}
		}
	}
	require.NoError(t, json.Unmarshal(b, &res))
	rows := map[string][]int64{}
	for _, c := range res.Checks {
		for _, f := range c.Sample {
			rows[c.Name] = append(rows[c.Name], f.Row)
		}
		if c.Name == "table.references.customer_id" {
			assert.Equal(t, map[string]any{"customer_id": 9001.0}, c.Sample[0].Value)
		}
	}
	assert.Equal(t, []int64{5, 1199, 1200, 3000}, rows["table.unique_key"])
	assert.Equal(t, []int64{3000}, rows["table.duplicate_rows"])
	assert.Equal(t, []int64{17, 640}, rows["table.references.customer_id"])
	assert.Equal(t, []int64{114, 2003}, rows["rules.cables cost 9.90"])
}

// TestKeyErrorsExitTwo: a referenced file or column that does not exist,
// and a key column the data lacks, stop the run (exit 2) with the suite
// position of the key that names them.
func TestKeyErrorsExitTwo(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "orders.csv", "id,cust\n1,10\n2,11\n")
	writeFile(t, dir, "customers.csv", "cid,name\n10,a\n11,b\n")
	for _, tc := range []struct{ table, err string }{
		{"{references: [{columns: [cust], data: nowhere.csv, to: [cid]}]}",
			"s.yaml:3:48: expectations.table.references[0].data: table.references.cust: " + filepath.Join(dir, "nowhere.csv") + ": no such file"},
		{"{references: [{columns: [cust], data: {path: customers.csv}, to: [cdi]}]}",
			`s.yaml:3:24: expectations.table.references[0].to: table.references.cust: ` + filepath.Join(dir, "customers.csv") + `: no column "cdi" (did you mean "cid"?); columns are: cid, name`},
		{"{unique: [id, custt]}",
			`s.yaml:3:11: expectations.table.unique: ` + filepath.Join(dir, "orders.csv") + `: no column "custt" (did you mean "cust"?); columns are: id, cust`},
		{"{row_count_ratio: {data: nowhere.csv}}",
			"s.yaml:3:35: expectations.table.row_count_ratio.data: table.row_count_ratio: " + filepath.Join(dir, "nowhere.csv") + ": no such file"},
	} {
		suite := writeFile(t, dir, "s.yaml", "data: {path: orders.csv}\nexpectations:\n  table: "+tc.table+"\n")
		code, out, errs := cli(t, "check", suite)
		assert.Equal(t, 2, code, tc.table+out)
		assert.Contains(t, errs, tc.err, tc.table)
	}
	// The referenced data reads with the data section's options: a
	// headerless file with its names.
	writeFile(t, dir, "plain.csv", "10\n11\n")
	suite := writeFile(t, dir, "s.yaml", "data: {path: orders.csv}\nexpectations:\n  table: {references: [{columns: [cust], data: {path: plain.csv, header: false, names: [cid]}, to: [cid]}]}\n")
	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 0, code, out+errs)
}
