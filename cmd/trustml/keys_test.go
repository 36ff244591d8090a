package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrdersExample: the orders example passes on the day its data was
// cut (--now), and its freshness check fails three days later; its failing
// variant finds the faults gen planted, by row: orphans at rows 17 and 640,
// the key of rows 1199 and 1200, row 3000, a copy of row 5, and the cables
// priced 99 at rows 114 and 2003; --failed-rows writes all of them with
// their key, in row order.
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
	// order 100048 line 2 and order 100808 line 4; rows 5 and 3000 are
	// both order 100002 line 2 (3000 a copy of 5, so a duplicate row too),
	// rows 1199 and 1200 both order 100482 line 1.
	assert.Equal(t, "row,failed_checks,order_id,line\n"+
		"5,table.unique_key,100002,2\n"+
		"17,table.references.customer_id,100006,3\n"+
		"114,rules.cables cost 9.90,100048,2\n"+
		"640,table.references.customer_id,100256,1\n"+
		"1199,table.unique_key,100482,1\n"+
		"1200,table.unique_key,100482,1\n"+
		"2003,rules.cables cost 9.90,100808,4\n"+
		"3000,\"table.unique_key, table.duplicate_rows\",100002,2\n", string(failed))
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

// TestFailedRowsOfKeyChecks: --failed-rows writes the rows failing the key
// checks, which learn them only at the end of the pass, merged in row
// order with the others'. By hand over keys.csv: id 2 repeats at rows 1
// and 3; (a, b) repeats (x, 2) at rows 1 and 3 and (y, 1) at 2 and 4; row
// 3 repeats row 1 whole; p = q at rows 1, 3 and 6; v = -1 at row 6 is out
// of range.
func TestFailedRowsOfKeyChecks(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "keys.csv", "id,a,b,p,q,v\n"+
		"1,x,1,1,2,5\n"+
		"2,x,2,3,3,5\n"+
		"3,y,1,4,5,7\n"+
		"2,x,2,3,3,5\n"+
		"5,y,1,6,7,8\n"+
		"6,z,3,8,9,9\n"+
		"7,w,4,2,2,-1\n")
	const checks = `
expectations:
  table:
    unique: [a, b]
    duplicate_rows: {max: 0}
    unique_within_record: [p, q]
  columns:
    id: {unique: true}
    v: {range: {min: 0, max: 10}}
`
	suite := writeFile(t, dir, "suite.yaml", "data: {path: keys.csv}\n"+checks+"  key: [id]\n")
	failed := filepath.Join(dir, "failed.csv")
	code, out, errs := cli(t, "check", suite, "--failed-rows", failed)
	require.Equal(t, 1, code, out+errs)
	b, err := os.ReadFile(failed)
	require.NoError(t, err)
	assert.Equal(t, "row,failed_checks,id\n"+
		"1,\"table.unique_key, table.unique_within_record, columns.id.unique\",2\n"+
		"2,table.unique_key,3\n"+
		"3,\"table.unique_key, table.duplicate_rows, table.unique_within_record, columns.id.unique\",2\n"+
		"4,table.unique_key,5\n"+
		"6,\"table.unique_within_record, columns.v.range\",7\n", string(b))

	// Without a key, the columns the failing checks name: (a, b), every
	// column for duplicate_rows, (p, q), id, v.
	nokey := writeFile(t, dir, "nokey.yaml", "data: {path: keys.csv}\n"+checks)
	failed = filepath.Join(dir, "nokey.csv")
	code, out, errs = cli(t, "check", nokey, "--failed-rows", failed)
	require.Equal(t, 1, code, out+errs)
	b, err = os.ReadFile(failed)
	require.NoError(t, err)
	assert.Equal(t, "row,failed_checks,a,b,id,p,q,v\n"+
		"1,\"table.unique_key, table.unique_within_record, columns.id.unique\",x,2,2,3,3,5\n"+
		"2,table.unique_key,y,1,3,4,5,7\n"+
		"3,\"table.unique_key, table.duplicate_rows, table.unique_within_record, columns.id.unique\",x,2,2,3,3,5\n"+
		"4,table.unique_key,y,1,5,6,7,8\n"+
		"6,\"table.unique_within_record, columns.v.range\",w,4,7,2,2,-1\n", string(b))
}

// TestFailedRowsOfKeysNeedAFile: data from a pipe cannot be read twice, so
// the failed rows of a key check cannot be written: exit 2 before the
// pass, and no file.
func TestFailedRowsOfKeysNeedAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "keys.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			f.WriteString("id\n1\n1\n")
			f.Close()
		}
	}()
	suite := writeFile(t, dir, "suite.yaml", "data: {path: keys.csv, format: csv}\nexpectations: {columns: {id: {unique: true}}}\n")
	failed := filepath.Join(dir, "failed.csv")
	code, out, errs := cli(t, "check", suite, "--failed-rows", failed)
	assert.Equal(t, 2, code, out+errs)
	assert.Contains(t, errs, "the rows failing columns.id.unique are known only at the end of the pass and come from a second read of the data, which cannot be read twice")
	assert.NoFileExists(t, failed)
}
