package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ordersCSV: six orders. Hand-computed for rulesSuite:
//
//	where status <> 'test' drops row 5.
//	amount.range [0, 100] (region = 'eu': rows 0 1 4): row 1 (-5) fails.
//	rules.ends after start: row 1 (01-02 < 01-03) and row 3 (01-01 < 01-05)
//	  fail, row 2 (no end) is NULL; 4 of 5 evaluated... 2 unexpected.
//	rules.small amounts (region = 'us': rows 2 3): row 3 (300) fails.
const ordersCSV = `id,region,start_date,end_date,amount,status
1,eu,2024-01-01,2024-01-05,10,open
2,eu,2024-01-03,2024-01-02,-5,open
3,us,2024-01-04,,20,closed
4,us,2024-01-05,2024-01-01,300,open
5,eu,2024-01-06,2024-01-09,,closed
6,us,2024-01-07,2024-01-06,-1,test
`

const rulesSuite = `data: {path: orders.csv}
expectations:
  where: status <> 'test'
  columns:
    amount:
      where: region = 'eu'
      range: {min: 0, max: 100}
  rules:
    - {name: ends after start, expect: "end_date >= start_date", severity: warn}
    - name: small amounts
      where: region = 'us'
      expect: amount < 100
`

// The failed rows, hand-computed: each failing row once, in row order,
// with the checks it failed in suite order and the columns they name.
const wantFailedCSV = `row,failed_checks,amount,end_date,start_date
1,"columns.amount.range, rules.ends after start",-5,2024-01-02,2024-01-03
3,"rules.ends after start, rules.small amounts",300,2024-01-01,2024-01-05
`

func TestFailedRowsCLI(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "orders.csv", ordersCSV)
	suite := writeFile(t, dir, "s.yaml", rulesSuite)

	csvOut := filepath.Join(dir, "out", "failed.csv")
	code, out, errs := cli(t, "check", suite, "--failed-rows", csvOut)
	assert.Equal(t, 1, code, out+errs)
	b, err := os.ReadFile(csvOut)
	require.NoError(t, err)
	assert.Equal(t, wantFailedCSV, string(b))

	// Parquet: the same rows, typed as the data.
	pqOut := filepath.Join(dir, "failed.parquet")
	code, out, errs = cli(t, "check", suite, "--failed-rows", pqOut, "--quiet")
	assert.Equal(t, 1, code, out+errs)
	f, err := file.OpenParquetFile(pqOut, false)
	require.NoError(t, err)
	defer f.Close()
	// No column is dictionary-encoded (NewFailedRowsWriter).
	for c := range f.MetaData().Schema.NumColumns() {
		cc, err := f.MetaData().RowGroup(0).ColumnChunk(c)
		require.NoError(t, err)
		assert.NotContains(t, cc.Encodings(), parquet.Encodings.RLEDict, "column %d", c)
		assert.NotContains(t, cc.Encodings(), parquet.Encodings.PlainDict, "column %d", c)
	}
	r, err := pqarrow.NewFileReader(f, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	require.NoError(t, err)
	tbl, err := r.ReadTable(context.Background())
	require.NoError(t, err)
	defer tbl.Release()
	var names []string
	for _, fl := range tbl.Schema().Fields() {
		names = append(names, fl.Name+" "+fl.Type.String())
	}
	assert.Equal(t, []string{"row int64", "failed_checks utf8", "amount int64", "end_date date32", "start_date date32"}, names)
	tr := array.NewTableReader(tbl, 0)
	defer tr.Release()
	var got []string
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			var cells []string
			for _, c := range rec.Columns() {
				cells = append(cells, c.ValueStr(i))
			}
			got = append(got, strings.Join(cells, "|"))
		}
	}
	assert.Equal(t, []string{
		"1|columns.amount.range, rules.ends after start|-5|2024-01-02|2024-01-03",
		"3|rules.ends after start, rules.small amounts|300|2024-01-01|2024-01-05",
	}, got)

	// - is CSV on standard output; the human lines go to stderr.
	code, out, errs = cli(t, "check", suite, "--failed-rows", "-")
	assert.Equal(t, 1, code)
	assert.Equal(t, wantFailedCSV, out)
	assert.Contains(t, errs, "FAIL  columns.amount.range")

	// report.failed_rows, relative to the suite's directory, with a key.
	keyed := writeFile(t, dir, "keyed.yaml", strings.Replace(rulesSuite, "expectations:\n", "report: {failed_rows: keyed.csv}\nexpectations:\n  key: [id]\n", 1))
	code, out, errs = cli(t, "check", keyed, "--quiet")
	assert.Equal(t, 1, code, out+errs)
	b, err = os.ReadFile(filepath.Join(dir, "keyed.csv"))
	require.NoError(t, err)
	assert.Equal(t, "row,failed_checks,id\n1,\"columns.amount.range, rules.ends after start\",2\n3,\"rules.ends after start, rules.small amounts\",4\n", string(b))

	// A run without failures writes the header alone.
	clean := writeFile(t, dir, "clean.yaml", "data: {path: orders.csv}\nexpectations: {rules: [{name: ids, expect: id > 0}]}\n")
	code, _, _ = cli(t, "check", clean, "--failed-rows", csvOut)
	assert.Equal(t, 0, code)
	b, err = os.ReadFile(csvOut)
	require.NoError(t, err)
	assert.Equal(t, "row,failed_checks,id\n", string(b))
}

func TestFailedRowsOutputRules(t *testing.T) {
	dir := t.TempDir()
	data := writeFile(t, dir, "orders.csv", ordersCSV)
	suite := writeFile(t, dir, "s.yaml", rulesSuite)
	stale := writeFile(t, dir, "failed.csv", "former content\n")
	blocker := writeFile(t, dir, "blocker", "a file, not a directory")

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--failed-rows", data}, "is an input of the run"},
		{[]string{"--failed-rows", filepath.Join(dir, "f.txt")}, "Parquet (.parquet) or CSV (.csv)"},
		{[]string{"--failed-rows", "-", "--json", "-"}, "both write to standard output"},
		{[]string{"--failed-rows", stale, "--json", stale}, "both write to"},
		// One output cannot be written: none is, the former file is kept.
		{[]string{"--failed-rows", stale, "--json", filepath.Join(blocker, "r.json")}, "not a directory"},
		{[]string{"--failed-rows", filepath.Join(blocker, "f.csv")}, "--failed-rows"},
		// Written during the run, then another output fails: the spool is
		// not put in place.
		{[]string{"--failed-rows", stale, "--html", "/dev/full"}, "no result written"},
	} {
		if slices.Contains(tc.args, "/dev/full") {
			if _, err := os.Stat("/dev/full"); err != nil {
				continue
			}
		}
		code, out, errs := cli(t, append([]string{"check", suite}, tc.args...)...)
		assert.Equal(t, 2, code, "%v: %s", tc.args, out+errs)
		assert.Contains(t, errs, tc.msg, "%v", tc.args)
		b, err := os.ReadFile(stale)
		require.NoError(t, err)
		assert.Equal(t, "former content\n", string(b), "%v", tc.args)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			assert.False(t, strings.HasSuffix(e.Name(), ".tmp") || strings.HasSuffix(e.Name(), ".old"), "%v left behind: %s", tc.args, e.Name())
		}
	}

	bad := writeFile(t, dir, "bad.yaml", "data: {path: orders.csv}\nreport: {failed_rows: f.json}\nexpectations: {rules: [{expect: id > 0}]}\n")
	code, _, errs := cli(t, "validate", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "bad.yaml:2:23: report.failed_rows: failed rows are written as Parquet (.parquet) or CSV (.csv)")
}

// TestFailedRowsMany: 100,000 failing rows out of 300,000, over many
// batches and both workers, come out once each, in row order.
func TestFailedRowsMany(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,x\n")
	for i := range 300_000 {
		x := 1
		if i%3 == 1 {
			x = -1
		}
		fmt.Fprintf(&b, "%d,%d\n", i, x)
	}
	writeFile(t, dir, "d.csv", b.String())
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations:\n  key: [id]\n  rules: [{name: positive, expect: x > 0}]\n")
	out := filepath.Join(dir, "f.csv")
	code, o, errs := cli(t, "check", suite, "--failed-rows", out, "--quiet")
	assert.Equal(t, 1, code, o+errs)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	require.Len(t, lines, 100_001)
	assert.Equal(t, "row,failed_checks,id", lines[0])
	for k, line := range lines[1:] {
		row := 3*k + 1
		if want := strconv.Itoa(row) + ",rules.positive," + strconv.Itoa(row); line != want {
			t.Fatalf("line %d: got %q, want %q", k+1, line, want)
		}
	}
}

// TestExpressionPositions: a mistake inside an expression is reported at
// its line and column in the suite file, whatever the scalar's style.
func TestExpressionPositions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "orders.csv", ordersCSV)
	suite := writeFile(t, dir, "s.yaml", `data: {path: orders.csv}
expectations:
  where: stauts <> 'test'
  columns:
    amount:
      range: {min: 0, where: "regoin = 'eu' AND amount > 0"}
  rules:
    - name: quoted
      expect: 'end_date >= ''x'' AND amout > 0'
    - name: literal
      expect: |
        end_date >= start_date
          AND amount > 'a'
    - name: folded
      expect: >
        end_date >=
        strt_date
    - name: plain
      expect: end_date >=
        star_date
    - {name: not a condition, expect: amount + 1}
`)
	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 2, code, out)
	want := []string{
		"s.yaml:3:10: expectations.where: unknown column stauts (did you mean status?)",
		"s.yaml:6:31: expectations.columns.amount.range.where: unknown column regoin (did you mean region?)",
		"s.yaml:9:28: expectations.rules[0].expect: cannot compare DATE with VARCHAR (write a date constant as DATE 'YYYY-MM-DD')",
		"s.yaml:9:38: expectations.rules[0].expect: unknown column amout (did you mean amount?)",
		"s.yaml:13:24: expectations.rules[1].expect: cannot compare BIGINT with VARCHAR (quote or unquote the constant to match the column)",
		"s.yaml:17:9: expectations.rules[2].expect: unknown column strt_date (did you mean start_date?)",
		"s.yaml:20:9: expectations.rules[3].expect: unknown column star_date (did you mean start_date?)",
		"s.yaml:21:39: expectations.rules[4].expect: expression has type BIGINT, want a condition (BOOLEAN) (compare it, e.g. x > 0)",
	}
	got := strings.Split(strings.TrimSpace(strings.TrimPrefix(errs, "trustml: ")), "\n")
	for i := range got {
		got[i] = strings.TrimPrefix(got[i], dir+string(filepath.Separator))
	}
	assert.Equal(t, want, got)

	// Syntax errors are found without the data, by validate, in a
	// double-quoted scalar with an escape before the mistake.
	syn := writeFile(t, dir, "syn.yaml", "data: {path: orders.csv}\nexpectations:\n  rules:\n    - {name: r, expect: \"status = \\\"x\\\" >= \"}\n    - {name: s, expect: 'amount BETWEEN 1'}\n")
	code, _, errs = cli(t, "validate", syn)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `syn.yaml:4:41: expectations.rules[0].expect: ">=" cannot follow a comparison without parentheses`)
	assert.Contains(t, errs, "syn.yaml:5:42: expectations.rules[1].expect: expected AND, found end of expression")
	ok := writeFile(t, dir, "ok.yaml", rulesSuite)
	code, out, _ = cli(t, "validate", ok)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "3 checks")
}
