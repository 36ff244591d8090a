package trustml_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/internal/chtest"
	"github.com/trustml/trustml/internal/pgtest"
	"github.com/trustml/trustml/internal/sqlload"
	"github.com/trustml/trustml/internal/sqltest"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/sqlsource"
)

// readTable reads the suite's data file as one Arrow table, with
// sqltest.KeyColumn first: the row's position.
func readTable(t testing.TB, s *trustml.Suite) arrow.Table {
	t.Helper()
	ctx := context.Background()
	src, err := dataset.OpenSource(ctx, dataset.FileKind, s.Data.Path, s.Data.Options)
	require.NoError(t, err)
	sc, err := src.Scan(ctx, nil)
	require.NoError(t, err)
	defer sc.Close()
	var recs []arrow.RecordBatch
	var row int64
	for sc.Next() {
		b := sc.RecordBatch()
		kb := array.NewInt64Builder(memory.DefaultAllocator)
		for i := range b.NumRows() {
			kb.Append(row + i)
		}
		row += b.NumRows()
		key := kb.NewArray()
		fields := append([]arrow.Field{{Name: sqltest.KeyColumn, Type: arrow.PrimitiveTypes.Int64}}, b.Schema().Fields()...)
		cols := append([]arrow.Array{key}, b.Columns()...)
		recs = append(recs, array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, b.NumRows()))
		key.Release()
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, recs)
	tbl := array.NewTableFromRecords(recs[0].Schema(), recs)
	for _, r := range recs {
		r.Release()
	}
	return tbl
}

// withoutKey is tbl less its first column, the key.
func withoutKey(tbl arrow.Table) arrow.Table {
	cols := make([]arrow.Column, 0, tbl.NumCols()-1)
	for i := 1; i < int(tbl.NumCols()); i++ {
		cols = append(cols, *tbl.Column(i))
	}
	return array.NewTable(arrow.NewSchema(tbl.Schema().Fields()[1:], nil), cols, tbl.NumRows())
}

// env resolves ${PG_DSN} to dsn, and nothing else.
func env(dsn string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if name == "PG_DSN" {
			return dsn, true
		}
		return "", false
	}
}

// sameResults requires every check of b to equal a's: the verdict, the
// counts, the sampled rows and values, and numbers exactly but for
// floating-point statistics, within 1e-9 relative. It returns the largest
// relative difference seen.
func sameResults(t *testing.T, a, b []result.Check) float64 {
	t.Helper()
	require.Len(t, b, len(a))
	worst := 0.0
	for i := range a {
		x, y := a[i], b[i]
		name := x.Name
		assert.Equal(t, x.Name, y.Name)
		assert.Equal(t, x.Status, y.Status, name)
		assert.Equal(t, x.ElementCount, y.ElementCount, name)
		assert.Equal(t, x.NullCount, y.NullCount, name)
		assert.Equal(t, x.UnexpectedCount, y.UnexpectedCount, name)
		assert.Equal(t, jsonOf(t, x.Sample), jsonOf(t, y.Sample), name)
		if x.Kind == "median" || x.Kind == "quantiles" || x.Kind == "distinct" {
			// Order statistics and distinct counts: exactly.
			assert.Equal(t, jsonOf(t, x.Observed), jsonOf(t, y.Observed), name)
		}
		worst = math.Max(worst, sameNumbers(t, name, decoded(t, x.Observed), decoded(t, y.Observed)))
		if x.Section == result.Expectations {
			assert.Equal(t, x.Message, y.Message, name)
		}
	}
	return worst
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func decoded(t *testing.T, v any) any {
	var out any
	require.NoError(t, json.Unmarshal([]byte(jsonOf(t, v)), &out))
	return out
}

// sameNumbers compares two decoded JSON values, numbers within 1e-9
// relative; it returns the largest relative difference.
func sameNumbers(t *testing.T, name string, a, b any) float64 {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !assert.True(t, ok, "%s: %v vs %v", name, a, b) {
			return 0
		}
		if x == y {
			return 0
		}
		rel := math.Abs(x-y) / math.Max(math.Abs(x), math.Abs(y))
		assert.LessOrEqual(t, rel, 1e-9, "%s: %v vs %v", name, x, y)
		return rel
	case map[string]any:
		y, ok := b.(map[string]any)
		if !assert.True(t, ok, "%s: %v vs %v", name, a, b) {
			return 0
		}
		assert.Len(t, y, len(x), name)
		w := 0.0
		for k := range x {
			w = math.Max(w, sameNumbers(t, name+"."+k, x[k], y[k]))
		}
		return w
	case []any:
		y, ok := b.([]any)
		if !assert.True(t, ok, "%s: %v vs %v", name, a, b) || !assert.Len(t, y, len(x), name) {
			return 0
		}
		w := 0.0
		for i := range x {
			w = math.Max(w, sameNumbers(t, name, x[i], y[i]))
		}
		return w
	}
	assert.Equal(t, a, b, name)
	return 0
}

// TestSQLAirqualityPostgres runs the airquality suite, model and all, on
// the local engine and on PostgreSQL holding the same rows: every result
// is the same.
func TestSQLAirqualityPostgres(t *testing.T) {
	admin := pgtest.Start(t)
	url := sqltest.CreateDatabase(t, admin, "airquality")
	s, err := trustml.Load(filepath.Join("examples", "airquality", "suite.yaml"))
	require.NoError(t, err)
	tbl := readTable(t, s)
	defer tbl.Release()
	sqltest.LoadPostgres(t, url, "airquality", withoutKey(tbl), true)
	ctx := context.Background()

	local, err := s.Run(ctx, trustml.RunOptions{Source: dataset.FromTable(tbl)})
	require.NoError(t, err)
	s.Data.Path = ""
	s.Data.SQL = &sqlsource.Spec{Engine: "postgres", DSN: "${PG_DSN}", Table: "airquality", Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout}
	pg, err := s.Run(ctx, trustml.RunOptions{LookupEnv: env(url)})
	require.NoError(t, err)
	worst := sameResults(t, local.Checks, pg.Checks)
	t.Logf("airquality on postgres: %d checks, verdicts equal, largest relative difference %.3g", len(pg.Checks), worst)
	assert.Equal(t, "postgres", pg.Run.Data.Kind)
	assert.Equal(t, "postgres:airquality", pg.Run.Data.Path)
	assert.Equal(t, int64(153), pg.Run.Data.Rows)
	// Every expectation is pushed down, imbalance's classes included (a
	// GROUP BY query): none says it was computed locally.
	for _, c := range pg.Checks {
		if c.Section == result.Expectations {
			assert.Nil(t, c.Details, c.Name)
		}
	}
}

// TestSQLSectionErrors: a broken data.sql section is reported whole, each
// problem at its position, and a connection string written in the suite
// is refused without being repeated.
func TestSQLSectionErrors(t *testing.T) {
	_, err := trustml.Parse("suite.yaml", []byte(`data:
  sql:
    engine: postgress
    dsn: postgres://u:hunter2@db.example/shop
    table: "public.orders; drop"
    timeout: soon
    kee: id
expectations:
  table: {row_count: {min: 1}}
`))
	require.Error(t, err)
	assert.Equal(t, `suite.yaml:3:13: data.sql.engine: unknown engine "postgress" (did you mean "postgres"?); engines are clickhouse, postgres
suite.yaml:4:10: data.sql.dsn: must be ${NAME}, the environment variable holding the connection string: credentials never go in a suite file
suite.yaml:5:12: data.sql.table: "public.orders; drop" is not a table name (name or schema.name); use query: for anything else
suite.yaml:6:14: data.sql.timeout: must be a positive duration such as 30s or 10m, got "soon"
suite.yaml:7:5: data.sql.kee: unknown key "kee" (did you mean "key"?)`, err.Error())
	assert.NotContains(t, err.Error(), "hunter2")

	_, err = trustml.Parse("suite.yaml", []byte(`data:
  path: orders.csv
  sql: {engine: postgres, dsn: "${PG_DSN}", table: orders, query: SELECT 1}
expectations:
  table: {row_count: {min: 1}}
`))
	require.Error(t, err)
	assert.Equal(t, `suite.yaml:2:3: data: names both path and sql; keep one
suite.yaml:3:8: data.sql: names both table and query; keep one`, err.Error())

	s, err := trustml.Parse("suite.yaml", []byte(`data:
  sql: {engine: postgres, dsn: "${PG_DSN}", table: public.orders}
expectations:
  table: {row_count: {min: 1}}
`))
	require.NoError(t, err)
	assert.Equal(t, sqlsource.DefaultTimeout, s.Data.SQL.Timeout)
	// An unset variable is an error naming it; the run writes nothing.
	_, err = s.Run(context.Background(), trustml.RunOptions{LookupEnv: env("")})
	require.Error(t, err)
	assert.Equal(t, "data.sql.dsn: environment variable PG_DSN is not set", err.Error())
	// --data ENGINE:TABLE needs the suite's connection, of that engine.
	f, err := trustml.Parse("suite.yaml", []byte("data: {path: x.csv}\nexpectations:\n  table: {row_count: {min: 1}}\n"))
	require.NoError(t, err)
	_, err = f.Run(context.Background(), trustml.RunOptions{DataPath: "postgres:public.orders"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--data postgres:public.orders: the suite has no data.sql section to take the connection from")
}

// TestSQLAirqualityClickHouse runs the airquality suite, model and all, on
// the local engine and on a Distributed table over two ClickHouse shards
// holding the same rows: every result is the same.
func TestSQLAirqualityClickHouse(t *testing.T) {
	ch := chtest.Start(t)
	s, err := trustml.Load(filepath.Join("examples", "airquality", "suite.yaml"))
	require.NoError(t, err)
	tbl := readTable(t, s)
	defer tbl.Release()
	ch.Load(t, "airquality", withoutKey(tbl), true)
	ctx := context.Background()

	local, err := s.Run(ctx, trustml.RunOptions{Source: dataset.FromTable(tbl)})
	require.NoError(t, err)
	s.Data.Path = ""
	s.Data.SQL = &sqlsource.Spec{Engine: "clickhouse", DSN: "${CH_DSN}", Table: "airquality", Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout}
	lookup := func(name string) (string, bool) { return ch.DSN(), name == "CH_DSN" }
	got, err := s.Run(ctx, trustml.RunOptions{LookupEnv: lookup})
	require.NoError(t, err)
	worst := sameResults(t, local.Checks, got.Checks)
	t.Logf("airquality on two ClickHouse shards: %d checks, verdicts equal, largest relative difference %.3g", len(got.Checks), worst)
	assert.Equal(t, "clickhouse", got.Run.Data.Kind)
	assert.Equal(t, "clickhouse:airquality", got.Run.Data.Path)
	assert.Equal(t, int64(153), got.Run.Data.Rows)
	for _, c := range got.Checks {
		if c.Section == result.Expectations {
			assert.Nil(t, c.Details, c.Name+" is pushed down: imbalance's classes too")
		}
	}
}

// TestSQLOrdersClickHouse runs the orders example's two suites (the rules
// example: keys, whole-row duplicates, references to another file,
// freshness, row rules with a where: filter) on the local engine and on
// a Distributed table over two ClickHouse shards holding the same rows:
// every result is the same.
func TestSQLOrdersClickHouse(t *testing.T) {
	ch := chtest.Start(t)
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	for _, name := range []string{"suite", "failing"} {
		// A SQL source checks whole-row duplicates over the columns named:
		// every column of the file.
		path := filepath.Join("examples", "orders", name+".yaml")
		src, err := os.ReadFile(path)
		require.NoError(t, err)
		text := strings.Replace(string(src), "duplicate_rows: {max: 0}",
			"duplicate_rows: {max: 0, columns: [order_id, line, customer_id, region, product, quantity, unit_price, ordered_at]}", 1)
		require.NotEqual(t, string(src), text)
		s, err := trustml.Parse(path, []byte(text))
		require.NoError(t, err)
		tbl := readTable(t, s)
		defer tbl.Release()
		ch.Load(t, "orders_"+name, withoutKey(tbl), true)

		local, err := s.Run(ctx, trustml.RunOptions{Now: now})
		require.NoError(t, err)
		s.Data.Path = ""
		s.Data.SQL = &sqlsource.Spec{Engine: "clickhouse", DSN: "${CH_DSN}", Table: "orders_" + name, Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout}
		lookup := func(v string) (string, bool) { return ch.DSN(), v == "CH_DSN" }
		got, err := s.Run(ctx, trustml.RunOptions{LookupEnv: lookup, Now: now})
		require.NoError(t, err)
		worst := sameResults(t, local.Checks, got.Checks)
		sampled := 0
		for _, c := range got.Checks {
			sampled += len(c.Sample)
		}
		if name == "failing" {
			assert.Positive(t, sampled, "failing rows are compared, not only counts")
		}
		t.Logf("orders %s on two ClickHouse shards: %d checks (%d failed), verdicts equal, largest relative difference %.3g", name, len(got.Checks), got.Summary.Fail, worst)
	}
}

// ordersNow is the instant the orders example is checked at.
var ordersNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// sqlOrdersSuite loads an orders suite for a run over a SQL table holding its
// rows with sqltest.KeyColumn: duplicate_rows names the file's columns,
// for "every column" of the table would include the key.
func sqlOrdersSuite(t *testing.T, path string) *trustml.Suite {
	t.Helper()
	s, err := trustml.Load(path)
	require.NoError(t, err)
	for i := range s.Expectations.Table {
		if c := &s.Expectations.Table[i]; c.Kind == expect.DuplicateRows && len(c.Columns) == 0 {
			c.Columns = []string{"order_id", "line", "customer_id", "region", "product", "quantity", "unit_price", "ordered_at"}
		}
	}
	return s
}

// TestSQLOrdersPostgres runs the orders example (its passing and failing
// suites, rules and a filtered rule included) on the local engine and on
// PostgreSQL holding the same rows: every result is the same, the rules
// pushed down, and the two cables priced 99 are rows 114 and 2003, as gen
// planted them.
func TestSQLOrdersPostgres(t *testing.T) {
	admin := pgtest.Start(t)
	url := sqltest.CreateDatabase(t, admin, "orders")
	ctx := context.Background()
	loaded := map[string]bool{}
	for _, path := range []string{
		filepath.Join("examples", "orders", "suite.yaml"),
		filepath.Join("examples", "orders", "failing.yaml"),
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s := sqlOrdersSuite(t, path)
			tbl := readTable(t, s)
			defer tbl.Release()
			table := strings.TrimSuffix(filepath.Base(s.Data.Path), ".csv")
			if !loaded[table] {
				sqltest.LoadPostgres(t, url, table, withoutKey(tbl), true)
				loaded[table] = true
			}
			now := func() time.Time { return ordersNow }
			local, err := s.Run(ctx, trustml.RunOptions{Source: dataset.FromTable(tbl), Now: now})
			require.NoError(t, err)
			s.Data.SQL = &sqlsource.Spec{Engine: "postgres", DSN: "${PG_DSN}", Table: table, Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout}
			s.Data.Path = ""
			pg, err := s.Run(ctx, trustml.RunOptions{LookupEnv: env(url), Now: now})
			require.NoError(t, err)
			worst := sameResults(t, local.Checks, pg.Checks)
			pushed := 0
			for _, c := range pg.Checks {
				if c.Details == nil {
					pushed++
				} else {
					assert.NotEqual(t, "rule", c.Kind, c.Name)
				}
				if c.Name == "rules.cables cost 9.90" && c.Status != result.Pass {
					require.Len(t, c.Sample, 2)
					assert.Equal(t, []int64{114, 2003}, []int64{c.Sample[0].Row, c.Sample[1].Row})
				}
			}
			t.Logf("%s on postgres: %d checks, %d pushed, verdicts equal, largest relative difference %.3g", path, len(pg.Checks), pushed, worst)

			// --failed-rows: every failing row, as the local engine writes
			// them (the checks naming their rows are then computed locally).
			var want, got bytes.Buffer
			for _, run := range []struct {
				buf  *bytes.Buffer
				opts trustml.RunOptions
			}{{&want, trustml.RunOptions{Source: dataset.FromTable(tbl), Now: now}}, {&got, trustml.RunOptions{LookupEnv: env(url), Now: now}}} {
				w, err := trustml.NewFailedRowsWriter(run.buf, "csv")
				require.NoError(t, err)
				run.opts.FailedRows = w
				if run.opts.Source != nil {
					s.Data.SQL, s.Data.Path = nil, "unused.csv"
				} else {
					s.Data.SQL = &sqlsource.Spec{Engine: "postgres", DSN: "${PG_DSN}", Table: table, Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout}
				}
				_, err = s.Run(ctx, run.opts)
				require.NoError(t, err)
				require.NoError(t, w.Close())
			}
			assert.Equal(t, want.String(), got.String())
			t.Logf("%s: %d failed rows written on postgres, as locally", path, strings.Count(got.String(), "\n")-1)
		})
	}
}

// TestSQLExamplesClickHouse starts the two-shard ClickHouse cluster and
// loads the orders tables as examples/sql/serve -engine clickhouse does,
// runs every ClickHouse suite of examples/sql on the Distributed table,
// and the same suite on the table's file with the local engine: every
// result is the same (verdicts, counts, failing rows, messages). What
// ClickHouse evaluates otherwise (lower()) is computed locally and says
// why; everything else is pushed.
func TestSQLExamplesClickHouse(t *testing.T) {
	ch := chtest.Start(t)
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join("examples", "orders", "*.csv"))
	require.NoError(t, err)
	require.NoError(t, ch.LoadFiles(ctx, files, "row"))
	lookup := func(v string) (string, bool) { return ch.DSN(), v == "CH_DSN" }
	suites, err := filepath.Glob(filepath.Join("examples", "sql", "clickhouse*.yaml"))
	require.NoError(t, err)
	now := func() time.Time { return ordersNow }
	ran := 0
	for _, path := range suites {
		s, err := trustml.Load(path)
		require.NoError(t, err)
		require.Equal(t, "clickhouse", s.Data.SQL.Engine, path)
		ran++
		t.Run(filepath.Base(path), func(t *testing.T) {
			got, err := s.Run(ctx, trustml.RunOptions{LookupEnv: lookup, Now: now})
			require.NoError(t, err)
			file := filepath.Join("examples", "orders", s.Data.SQL.Table+".csv")
			s.Data.SQL, s.Data.Path = nil, file
			local, err := s.Run(ctx, trustml.RunOptions{Now: now})
			require.NoError(t, err)
			worst := sameResults(t, local.Checks, got.Checks)
			assert.Equal(t, local.ExitCode(), got.ExitCode())
			pushed, sampled := 0, 0
			for _, c := range got.Checks {
				sampled += len(c.Sample)
				if c.Name == "rules.lower-case regions" {
					require.NotNil(t, c.Details, c.Name)
					assert.Contains(t, c.Details.(map[string]any)["reason"], "its condition is not pushed to clickhouse: ", c.Name)
					continue
				}
				assert.Nil(t, c.Details, c.Name)
				pushed++
			}
			assert.Positive(t, sampled, "failing rows are compared, not only counts")
			t.Logf("%s: %d checks, %d pushed, exit %d, verdicts equal, largest relative difference %.3g", path, len(got.Checks), pushed, got.ExitCode(), worst)
		})
	}
	assert.Equal(t, 1, ran, "ClickHouse suites in examples/sql")
}

// TestSQLExamplesPostgres starts PostgreSQL and loads the orders tables as
// examples/sql/serve does, runs every PostgreSQL suite of examples/sql
// on it, and the same suite on the table's file with the local engine:
// every result is the same (verdicts, counts, failing rows, messages). The
// filters and rules PostgreSQL evaluates as trustml does are pushed; the
// two it would evaluate otherwise are computed locally and say why.
func TestSQLExamplesPostgres(t *testing.T) {
	srv := pgtest.Server(t)
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join("examples", "orders", "*.csv"))
	require.NoError(t, err)
	dsn, err := sqlload.PostgresFiles(ctx, srv.URL, "shop", files, "row")
	require.NoError(t, err)
	// Each engine's suites are named after it: postgres*.yaml.
	suites, err := filepath.Glob(filepath.Join("examples", "sql", "postgres*.yaml"))
	require.NoError(t, err)
	now := func() time.Time { return ordersNow }
	ran := 0
	for _, path := range suites {
		s, err := trustml.Load(path)
		require.NoError(t, err)
		require.Equal(t, "postgres", s.Data.SQL.Engine, path)
		ran++
		t.Run(filepath.Base(path), func(t *testing.T) {
			pg, err := s.Run(ctx, trustml.RunOptions{LookupEnv: env(dsn), Now: now})
			require.NoError(t, err)
			file := filepath.Join("examples", "orders", s.Data.SQL.Table+".csv")
			s.Data.SQL, s.Data.Path = nil, file
			local, err := s.Run(ctx, trustml.RunOptions{Now: now})
			require.NoError(t, err)
			worst := sameResults(t, local.Checks, pg.Checks)
			assert.Equal(t, local.ExitCode(), pg.ExitCode())
			pushed := 0
			for _, c := range pg.Checks {
				if c.Kind == "rule" || c.Where != "" {
					t.Logf("%s: %s %s", c.Name, c.Status, c.Message)
				}
				switch c.Name {
				case "rules.lower-case regions", "rules.price per unit":
					// What PostgreSQL evaluates otherwise stays local, and says why.
					require.NotNil(t, c.Details, c.Name)
					assert.Contains(t, c.Details.(map[string]any)["reason"], "its condition is not pushed to postgres: ", c.Name)
				default:
					assert.Nil(t, c.Details, c.Name)
					pushed++
				}
			}
			t.Logf("%s: %d checks, %d pushed, exit %d, verdicts equal, largest relative difference %.3g", path, len(pg.Checks), pushed, pg.ExitCode(), worst)
		})
	}
	assert.Equal(t, 1, ran, "PostgreSQL suites in examples/sql")
}
