package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/pgtest"
	"github.com/trustml/trustml/internal/sqltest"
)

// password is the test role's; no output of any run may contain it.
const password = "Pw-9f3Kq-never-shown"

// ordersSQLSuite is a suite over the orders table: %s are extra keys of
// data.sql and extra column checks.
const ordersSQLSuite = `data:
  sql:
    engine: postgres
    dsn: ${PG_DSN}
    key: id
%s
expectations:
  table:
    row_count: {min: 1}
  columns:
    amount: {range: {min: 0, max: 100}, missing: {max: 0}, median: {min: 5, max: 50}}
    status: {in_set: [new, paid], regex: "^[a-z]+$"}
%s
report:
  json: out.json
`

// shop starts PostgreSQL with the orders tables, readable by a role that
// logs in with password; it returns the superuser's URL and the role's.
func shop(t *testing.T) (admin, dsn string) {
	admin = sqltest.CreateDatabase(t, pgtest.Start(t), "shop")
	dsn = sqltest.AddPasswordUser(t, admin, "shop", "app", password)
	sqltest.Exec(t, admin,
		"CREATE TABLE orders (id bigint, amount double precision, status text, payload jsonb)",
		`INSERT INTO orders VALUES (1, 5, 'new', '{}'), (2, 250, 'paid', '{}'), (3, NULL, 'lost', '{}'), (4, 7, 'paid', '{}')`,
		"CREATE TABLE orders_2026_11 (id bigint, amount double precision, status text)",
		`INSERT INTO orders_2026_11 VALUES (1, 10, 'new'), (2, 20, 'paid')`,
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO app",
	)
	return admin, dsn
}

// sqlSuite writes a suite reading the orders table (or what source says)
// into a new directory.
func sqlSuite(t *testing.T, source, columns string) (dir, suite string) {
	dir = t.TempDir()
	if source == "" {
		source = "    table: orders"
	}
	return dir, writeFile(t, dir, "suite.yaml", fmt.Sprintf(ordersSQLSuite, source, columns))
}

// noSecret requires that nothing a run wrote holds the password, nor its
// outputs the password's first eight characters.
func noSecret(t *testing.T, dir string, outputs ...string) {
	t.Helper()
	noPassword(t, password, dir, outputs...)
	for _, o := range outputs {
		assert.NotContains(t, o, "Pw-9f3Kq")
	}
}

func TestCheckPostgres(t *testing.T) {
	_, dsn := shop(t)
	t.Setenv("PG_DSN", dsn)
	dir, suite := sqlSuite(t, "", "")

	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 1, code, errs)
	// amount 250 at row 1 (id order), status "lost" at row 2, the null
	// amount at row 2; the median of 5, 7, 250 is 7.
	assert.Contains(t, out, "columns.amount.range")
	assert.Contains(t, out, "1 of 3 values outside [0, 100] (33.3%), e.g. row 1: 250")
	assert.Contains(t, out, `1 of 4 values not in {"new", "paid"} (25.0%), e.g. row 2: "lost"`)
	assert.NotContains(t, out, "columns.amount.median")
	res, err := os.ReadFile(filepath.Join(dir, "out.json"))
	require.NoError(t, err)
	assert.Contains(t, string(res), `"path": "postgres:orders"`)
	noSecret(t, dir, out, errs)

	// --data names another table of the same connection.
	code, out, errs = cli(t, "check", suite, "--data", "postgres:orders_2026_11")
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, string(must(os.ReadFile(filepath.Join(dir, "out.json")))), `"path": "postgres:orders_2026_11"`)

	// --explain prints the SQL and runs nothing.
	require.NoError(t, os.Remove(filepath.Join(dir, "out.json")))
	code, out, errs = cli(t, "check", suite, "--explain")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, out, `SELECT count(*), count(NULLIF("amount", 'NaN')), `)
	assert.Contains(t, out, `count(*) FILTER (WHERE "status" IS NOT NULL AND NOT ("status" IN ('new', 'paid')))`)
	assert.Contains(t, out, `count(*) FILTER (WHERE "status" IS NOT NULL AND NOT ("status" ~ '^[a-z]+$'))`)
	// The median in the one scan: the two middle values over the column
	// as it is (PostgreSQL orders NaN last), the two elements of one
	// percentile_disc, and its count with NaN; the second pass only when
	// NaN is found.
	both := `(percentile_disc(ARRAY[0.5, 0.5000000000009095]::double precision[]) WITHIN GROUP (ORDER BY CAST("amount" AS double precision)))`
	assert.Contains(t, out, `count("amount"), `+both+`[1], `+both+`[2]`)
	// The second pass's order statistics: every rank of a column in one
	// percentile_disc, read as its elements.
	ranks := `(percentile_disc(ARRAY[0.495, 0.505]::double precision[]) WITHIN GROUP (ORDER BY CAST(NULLIF("amount", 'NaN') AS double precision)))`
	assert.Contains(t, out, `SELECT `+ranks+`[1], `+ranks+`[2] FROM "orders"`)
	assert.Contains(t, out, `FROM "orders"`)
	assert.Contains(t, out, `LIMIT 20`)
	assert.NoFileExists(t, filepath.Join(dir, "out.json"))
	noSecret(t, dir, out, errs)
}

// TestCheckPostgresExplainFilters: --explain prints a filtered check's and
// a rule's SQL, the filter and the condition in PostgreSQL's spelling, and
// names the check it keeps local with the reason; the run gives the
// filtered counts.
func TestCheckPostgresExplainFilters(t *testing.T) {
	_, dsn := shop(t)
	t.Setenv("PG_DSN", dsn)
	dir, suite := sqlSuite(t, "", `    id: {range: {min: 2, max: 3, where: "status = 'paid'"}}
  rules:
    - {name: paid orders have an amount, expect: "amount > 0.5 OR status <> 'paid'", where: "id < 4"}
    - {name: amounts per id, expect: "amount / id < 100"}`)
	code, out, errs := cli(t, "check", suite, "--explain", "--now", "2026-11-30T12:00:00Z")
	assert.Equal(t, 0, code, errs)
	t.Logf("--explain:\n%s", out)
	assert.Contains(t, out, `count(*) FILTER (WHERE (status = 'paid'))`)
	assert.Contains(t, out, `count(*) FILTER (WHERE "id" IS NOT NULL AND NOT (CASE WHEN (status = 'paid') THEN "id" END >= 2 AND CASE WHEN (status = 'paid') THEN "id" END <= 3))`)
	assert.Contains(t, out, `count(*) FILTER (WHERE (id < 4) AND NOT (amount > CAST(0.5 AS double precision) OR status <> 'paid'))`)
	assert.Contains(t, out, `count(*) FILTER (WHERE (id < 4) AND (amount > CAST(0.5 AS double precision) OR status <> 'paid') IS NULL)`)
	assert.Contains(t, out, `SELECT "id", "amount", "status" FROM "orders" WHERE (id < 4) AND NOT (amount > CAST(0.5 AS double precision) OR status <> 'paid') ORDER BY "id" LIMIT 20;`)
	assert.Contains(t, out, `rules.amounts per id: its condition is not pushed to postgres: amount / id: PostgreSQL raises an error on a division by zero`)
	noSecret(t, dir, out, errs)

	// ids 2 and 4 are paid, 4 outside [2, 3]; of ids 1 to 3, the paid id 2
	// has 250 > 0.5, id 3 has no amount and is "lost": NULL OR TRUE.
	code, out, errs = cli(t, "check", suite, "--now", "2026-11-30T12:00:00Z")
	assert.Equal(t, 1, code, errs)
	assert.Contains(t, out, "1 of 2 values outside [2, 3] (50.0%), e.g. row 3: 4 (where status = 'paid': 2 rows)")
	res := string(must(os.ReadFile(filepath.Join(dir, "out.json"))))
	assert.Contains(t, res, `"name": "rules.paid orders have an amount"`)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestCheckPostgresFailures: every fault is exit 2 with the engine's own
// words, no result file, and no trace of the password.
func TestCheckPostgresFailures(t *testing.T) {
	admin, dsn := shop(t)
	refused := strings.Replace(dsn, dsn[strings.Index(dsn, "@")+1:strings.Index(dsn, "/shop")], freeAddr(t), 1)
	checkFaults(t, "PG_DSN", dsn, sqlSuite, []sqlFault{
		{name: "refused connection", dsn: refused, want: "connection refused"},
		{name: "bad credentials", dsn: strings.Replace(dsn, password, "wrong-"+password[:3], 1), want: `password authentication failed for user "app"`},
		{name: "missing table", args: []string{"--data", "postgres:public.nope"}, want: `postgres:public.nope: ERROR: relation "public.nope" does not exist (SQLSTATE 42P01)`},
		{name: "missing column", columns: "    amont: {missing: 0}", want: `suite.yaml:13:5: expectations.columns.amont: postgres:orders: no column "amont" (did you mean "amount"?); columns are: id, amount, status, payload`},
		{name: "query error", source: "    query: SELECT id, amount / (id - id) AS amount, status FROM orders", want: "ERROR: division by zero (SQLSTATE 22012)"},
		{name: "unsupported type", columns: "    payload: {missing: 0}", want: `column "payload" has postgres type jsonb, which trustml does not read`},
		{name: "statement timeout", source: "    query: SELECT o.* FROM orders o, pg_sleep(3)\n    timeout: 1s", want: "ERROR: canceling statement due to statement timeout (SQLSTATE 57014)"},
		{name: "server ends the session mid-run", source: "    query: SELECT o.* FROM orders o, pg_sleep(5)", during: func() {
			terminate(t, admin)
		}, want: "terminating connection due to administrator command"},
	}, noSecret)
}

// TestCheckPostgresServerKilled: the server killed mid-run (SIGKILL to
// the server and its backends, as a crash of its machine) is exit 2 in
// the driver's words, with no result file.
func TestCheckPostgresServerKilled(t *testing.T) {
	srv := pgtest.Server(t)
	admin := sqltest.CreateDatabase(t, srv.URL, "shop")
	sqltest.Exec(t, admin,
		"CREATE TABLE orders (id bigint, amount double precision, status text)",
		"INSERT INTO orders VALUES (1, 5, 'new'), (2, 20, 'paid')")
	t.Setenv("PG_DSN", admin)
	dir, suite := sqlSuite(t, "    query: SELECT o.* FROM orders o, pg_sleep(5)", "")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if running(t, admin) {
			if err := srv.Kill(); err != nil {
				t.Error(err)
			}
		}
	}()
	start := time.Now()
	code, out, errs := cli(t, "check", suite)
	<-done
	t.Logf("server killed: exit %d after %v: %s", code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(errs))
	assert.Equal(t, 2, code, out+errs)
	assert.Contains(t, errs, "trustml: postgres:query: ")
	assert.NoFileExists(t, filepath.Join(dir, "out.json"))
	assert.Less(t, time.Since(start), 30*time.Second)
}

// running reports, once it holds, that a trustml session runs a statement
// on the server at admin; false after 30 s.
func running(t *testing.T, admin string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Error(err)
		return false
	}
	defer conn.Close(context.Background())
	for ctx.Err() == nil {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = 'trustml' AND state = 'active' AND query LIKE '%pg_sleep%'`).Scan(&n)
		if err != nil {
			t.Error(err)
			return false
		}
		if n > 0 {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Error("no trustml statement ran within 30 s")
	return false
}

// terminate ends the trustml session's backend on the server once it runs
// a statement, as a server going down does.
func terminate(t *testing.T, admin string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close(ctx)
	for ctx.Err() == nil {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'trustml' AND state = 'active' AND query LIKE '%pg_sleep%'`).Scan(&n)
		if err != nil {
			t.Error(err)
			return
		}
		if n > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
