package trustml_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/result"
)

const ordersSuite = `
data:
  path: unused.csv
expectations:
  table:
    row_count: {min: 1}
  columns:
    amount: {range: {min: 0, max: 100}, missing: {max: 0}}
`

func ordersTable(t testing.TB, mem memory.Allocator) arrow.Table {
	schema := arrow.NewSchema([]arrow.Field{{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(`[{"amount": 5}, {"amount": 250}, {"amount": null}, {"amount": 7}]`))
	require.NoError(t, err)
	defer rec.Release()
	return array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
}

func TestRunSource(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s, err := trustml.Parse("suite.yaml", []byte(ordersSuite))
	require.NoError(t, err)
	tbl := ordersTable(t, mem)
	defer tbl.Release()
	res, err := s.Run(context.Background(), trustml.RunOptions{Source: dataset.FromTable(tbl)})
	require.NoError(t, err)
	got := map[string]result.Status{}
	for _, c := range res.Checks {
		got[c.Name] = c.Status
	}
	assert.Equal(t, map[string]result.Status{
		"table.row_count":        result.Pass,
		"columns.amount.range":   result.Fail,
		"columns.amount.missing": result.Fail,
	}, got)
	assert.Equal(t, "table", res.Run.Data.Kind)
	assert.Equal(t, int64(4), res.Run.Data.Rows)
	assert.Equal(t, 1, res.ExitCode())

	// A column the table lacks is an error placed at the suite's key.
	s2, err := trustml.Parse("suite.yaml", []byte(strings.Replace(ordersSuite, "amount:", "amuont:", 1)))
	require.NoError(t, err)
	_, err = s2.Run(context.Background(), trustml.RunOptions{Source: dataset.FromTable(tbl)})
	assert.ErrorContains(t, err, `suite.yaml:8:5: expectations.columns.amuont: table: no column "amuont" (did you mean "amount"?)`)
}

// Failing rows of a set of files name the file and the row within it.
func TestRunFileSetNamesFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"orders_2026-11-02.csv": "amount\n1\n2\n",
		"orders_2026-11-03.csv": "amount\n3\n101\n4\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
	s, err := trustml.Parse("suite.yaml", []byte(ordersSuite))
	require.NoError(t, err)
	res, err := s.Run(context.Background(), trustml.RunOptions{DataPath: filepath.Join(dir, "orders_*.csv")})
	require.NoError(t, err)
	var rng result.Check
	for _, c := range res.Checks {
		if c.Name == "columns.amount.range" {
			rng = c
		}
	}
	require.Len(t, rng.Sample, 1)
	assert.Equal(t, result.Failure{File: "orders_2026-11-03.csv", Row: 1, Value: int64(101)}, rng.Sample[0])
	assert.Contains(t, rng.Message, "e.g. orders_2026-11-03.csv:row 1: 101")
	require.Len(t, res.Run.Data.Files, 2)
	assert.Equal(t, "orders_2026-11-02.csv", res.Run.Data.Files[0].Path)
	assert.Equal(t, int64(5), res.Run.Data.Rows)
}

// Check an Arrow table built in Go with a suite: the run reads the
// Source instead of the suite's data path.
func ExampleRunOptions_source() {
	schema := arrow.NewSchema([]arrow.Field{{Name: "amount", Type: arrow.PrimitiveTypes.Float64}}, nil)
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(`[{"amount": 5}, {"amount": 250}, {"amount": 7}]`))
	if err != nil {
		log.Fatal(err)
	}
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()

	s, err := trustml.Parse("suite.yaml", []byte(ordersSuite))
	if err != nil {
		log.Fatal(err)
	}
	res, err := s.Run(context.Background(), trustml.RunOptions{Source: dataset.FromTable(tbl)})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range res.Checks {
		fmt.Println(c.Status, c.Name)
	}
	// Output:
	// pass table.row_count
	// fail columns.amount.range
	// pass columns.amount.missing
}
