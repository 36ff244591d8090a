package duckdb_test

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/internal/sqltest"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/sqlsource"
	"github.com/trustml/trustml/sqlsource/duckdb"
)

// load writes tbl (its first column the key) into table name of a new
// DuckDB file and returns the file's path.
func load(t *testing.T, name string, tbl arrow.Table) string {
	path := filepath.Join(t.TempDir(), "data.duckdb")
	if err := duckdb.Load(context.Background(), path, name, tbl, ""); err != nil {
		t.Fatal(err)
	}
	return path
}

// readKeyed reads the suite's data file as one table with the key first.
func readKeyed(t *testing.T, s *trustml.Suite) arrow.Table {
	ctx := context.Background()
	src, err := dataset.OpenSource(ctx, dataset.FileKind, s.Data.Path, s.Data.Options)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := src.Scan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	var recs []arrow.RecordBatch
	for sc.Next() {
		b := sc.RecordBatch()
		b.Retain()
		recs = append(recs, b)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	tbl := array.NewTableFromRecords(recs[0].Schema(), recs)
	for _, r := range recs {
		r.Release()
	}
	defer tbl.Release()
	return sqltest.WithKey(tbl)
}

// TestAirqualityDuckDB runs the airquality suite, model and all, on the
// local engine and on DuckDB holding the same rows: every result is the
// same (counts, samples, medians exactly; statistics within 1e-9).
func TestAirqualityDuckDB(t *testing.T) {
	s, err := trustml.Load(filepath.Join("..", "..", "examples", "airquality", "suite.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tbl := readKeyed(t, s)
	defer tbl.Release()
	path := load(t, "airquality", tbl)
	ctx := context.Background()
	local, err := s.Run(ctx, trustml.RunOptions{Source: dataset.FromTable(tbl)})
	if err != nil {
		t.Fatal(err)
	}
	s.Data.Path = ""
	s.Data.SQL = &sqlsource.Spec{Engine: "duckdb", DSN: "${DUCKDB_FILE}", Table: "airquality", Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout}
	duck, err := s.Run(ctx, trustml.RunOptions{LookupEnv: func(string) (string, bool) { return path, true }})
	if err != nil {
		t.Fatal(err)
	}
	if len(duck.Checks) != len(local.Checks) {
		t.Fatalf("%d checks on duckdb, %d locally", len(duck.Checks), len(local.Checks))
	}
	worst := 0.0
	for i, a := range local.Checks {
		b := duck.Checks[i]
		for what, pair := range map[string][2]any{
			"status": {a.Status, b.Status}, "element_count": {a.ElementCount, b.ElementCount},
			"null_count": {a.NullCount, b.NullCount}, "unexpected_count": {a.UnexpectedCount, b.UnexpectedCount},
			"sample": {a.Sample, b.Sample},
		} {
			if x, y := text(t, pair[0]), text(t, pair[1]); x != y {
				t.Errorf("%s: %s: local %s, duckdb %s", a.Name, what, x, y)
			}
		}
		worst = math.Max(worst, within(t, a.Name, decode(t, a.Observed), decode(t, b.Observed)))
	}
	t.Logf("airquality on duckdb: %d checks, largest relative difference %.3g", len(duck.Checks), worst)
	if duck.Run.Data.Kind != "duckdb" || duck.Run.Data.Rows != 153 {
		t.Errorf("fingerprint %+v", duck.Run.Data)
	}
}

func text(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decode(t *testing.T, v any) any {
	var out any
	if err := json.Unmarshal([]byte(text(t, v)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// within requires decoded JSON values equal, numbers within 1e-9
// relative, and returns the largest relative difference.
func within(t *testing.T, name string, a, b any) float64 {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			t.Errorf("%s: %v vs %v", name, a, b)
			return 0
		}
		if x == y {
			return 0
		}
		rel := math.Abs(x-y) / math.Max(math.Abs(x), math.Abs(y))
		if rel > 1e-9 {
			t.Errorf("%s: %v vs %v", name, x, y)
		}
		return rel
	case map[string]any:
		y, _ := b.(map[string]any)
		w := 0.0
		for k := range x {
			w = math.Max(w, within(t, name+"."+k, x[k], y[k]))
		}
		return w
	case []any:
		y, _ := b.([]any)
		if len(x) != len(y) {
			t.Errorf("%s: %v vs %v", name, a, b)
			return 0
		}
		w := 0.0
		for i := range x {
			w = math.Max(w, within(t, name, x[i], y[i]))
		}
		return w
	}
	if text(t, a) != text(t, b) {
		t.Errorf("%s: %v vs %v", name, a, b)
	}
	return 0
}

// TestDuckDBQueryAndFailures: a query over a file DuckDB reads, and the
// engine's own words for what goes wrong.
func TestDuckDBQueryAndFailures(t *testing.T) {
	csv, err := filepath.Abs(filepath.Join("..", "..", "examples", "airquality", "airquality.csv"))
	if err != nil {
		t.Fatal(err)
	}
	suite := func(source string) *trustml.Suite {
		s, err := trustml.Parse("suite.yaml", []byte(`data:
  sql:
    engine: duckdb
    dsn: ${DUCKDB}
`+source+`
expectations:
  table: {row_count: {min: 150}}
  columns:
    Temp: {range: {min: 60, max: 100}, median: {min: 70, max: 90}}
`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	memory := func(string) (string, bool) { return ":memory:", true }
	ctx := context.Background()
	res, err := suite("    query: SELECT * FROM read_csv('"+csv+"')").Run(ctx, trustml.RunOptions{LookupEnv: memory})
	if err != nil {
		t.Fatal(err)
	}
	// airquality's Temp: 153 values, 56 the smallest, median 79.
	got := map[string]string{}
	for _, c := range res.Checks {
		got[c.Name] = c.Message
	}
	want := map[string]string{
		"table.row_count":     "153 rows, expected ≥ 150",
		"columns.Temp.range":  "8 of 153 values outside [60, 100] (5.23%)",
		"columns.Temp.median": "median 79, expected [70, 90]",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	for source, msg := range map[string]string{
		"    table: nope": "Table with name nope does not exist",
		"    query: SELECT Temp / 0 AS Temp FROM read_csv('" + csv + "') WHERE error('broken') IS NULL": "broken",
		"    query: SELECT INTERVAL 1 DAY AS Temp":                                                      `column "Temp" has duckdb type INTERVAL, which trustml does not read`,
	} {
		_, err := suite(source).Run(ctx, trustml.RunOptions{LookupEnv: memory})
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want %q", source, err, msg)
		}
	}
}

// TestOrdersDuckDB runs the orders example (its passing and failing
// suites, with a rule under a where: filter) on the local engine and on
// DuckDB holding the same rows: every result is the same, the rules
// pushed down.
func TestOrdersDuckDB(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	ctx := context.Background()
	for _, path := range []string{
		filepath.Join("..", "..", "examples", "orders", "suite.yaml"),
		filepath.Join("..", "..", "examples", "orders", "failing.yaml"),
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s, err := trustml.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			// "Every column" of the table would include the key.
			for i := range s.Expectations.Table {
				if c := &s.Expectations.Table[i]; c.Kind == expect.DuplicateRows && len(c.Columns) == 0 {
					c.Columns = []string{"order_id", "line", "customer_id", "region", "product", "quantity", "unit_price", "ordered_at"}
				}
			}
			tbl := readKeyed(t, s)
			defer tbl.Release()
			file := load(t, "orders", tbl)
			local, err := s.Run(ctx, trustml.RunOptions{Source: dataset.FromTable(tbl), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			s.Data.Path = ""
			s.Data.SQL = &sqlsource.Spec{Engine: "duckdb", DSN: "${DUCKDB_FILE}", Table: "orders", Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout}
			duck, err := s.Run(ctx, trustml.RunOptions{LookupEnv: func(string) (string, bool) { return file, true }, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			worst, pushed := sameChecks(t, local.Checks, duck.Checks)
			for _, c := range duck.Checks {
				if c.Details != nil && (c.Kind == "rule" || c.Where != "") {
					t.Errorf("%s: computed locally: %v", c.Name, c.Details)
				}
			}
			t.Logf("%s on duckdb: %d checks, %d pushed, verdicts equal, largest relative difference %.3g", path, len(duck.Checks), pushed, worst)
		})
	}
}

// sameChecks requires every result of b to equal a's: verdict, counts,
// samples and message exactly, observed numbers within 1e-9 relative. It
// returns the largest relative difference and the number of checks b
// computed in the engine.
func sameChecks(t *testing.T, a, b []result.Check) (worst float64, pushed int) {
	t.Helper()
	if len(b) != len(a) {
		t.Fatalf("%d checks on duckdb, %d locally", len(b), len(a))
	}
	for i, x := range a {
		y := b[i]
		if y.Details == nil {
			pushed++
		}
		for what, pair := range map[string][2]any{
			"name": {x.Name, y.Name}, "status": {x.Status, y.Status}, "element_count": {x.ElementCount, y.ElementCount},
			"null_count": {x.NullCount, y.NullCount}, "unexpected_count": {x.UnexpectedCount, y.UnexpectedCount},
			"sample": {x.Sample, y.Sample}, "message": {x.Message, y.Message},
		} {
			if p, q := text(t, pair[0]), text(t, pair[1]); p != q {
				t.Errorf("%s: %s: local %s, duckdb %s", x.Name, what, p, q)
			}
		}
		worst = math.Max(worst, within(t, x.Name, decode(t, x.Observed), decode(t, y.Observed)))
	}
	return worst, pushed
}

// TestExamplesDuckDB loads the orders files into a DuckDB file as
// `trustml-duckdb load` does, runs every DuckDB suite of examples/sql
// (duckdb*.yaml) on it, and the same suite on the table's file with the
// local engine: every result is the same, and every check is pushed down
// (DuckDB evaluates every filter and rule as trustml does).
func TestExamplesDuckDB(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join("..", "..")
	files, err := filepath.Glob(filepath.Join(root, "examples", "orders", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("orders files: %v", err)
	}
	db := filepath.Join(t.TempDir(), "orders.duckdb")
	if err := duckdb.LoadFiles(ctx, db, files, "row"); err != nil {
		t.Fatal(err)
	}
	suites, err := filepath.Glob(filepath.Join(root, "examples", "sql", "duckdb*.yaml"))
	if err != nil || len(suites) != 1 {
		t.Fatalf("DuckDB suites of examples/sql: %v %v", suites, err)
	}
	now := func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	for _, path := range suites {
		s, err := trustml.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		duck, err := s.Run(ctx, trustml.RunOptions{LookupEnv: func(string) (string, bool) { return db, true }, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		s.Data.SQL, s.Data.Path = nil, filepath.Join(root, "examples", "orders", "orders_failing.csv")
		local, err := s.Run(ctx, trustml.RunOptions{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		worst, pushed := sameChecks(t, local.Checks, duck.Checks)
		if pushed != len(duck.Checks) {
			t.Errorf("%d of %d checks pushed", pushed, len(duck.Checks))
		}
		if local.ExitCode() != duck.ExitCode() {
			t.Errorf("exit %d on duckdb, %d locally", duck.ExitCode(), local.ExitCode())
		}
		t.Logf("%s: %d checks, %d pushed, exit %d, verdicts equal, largest relative difference %.3g", path, len(duck.Checks), pushed, duck.ExitCode(), worst)
	}
}
