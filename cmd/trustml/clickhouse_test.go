package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/chtest"
)

// orderShards starts two ClickHouse shards holding the orders tables as
// Distributed tables, rows split between the shards:
//   - orders: the four orders of the PostgreSQL tests, and a payload
//     column of a type trustml does not read;
//   - orders_2026_11: two orders that pass;
//   - orders_slow: orders, with each shard's part read through a view
//     that sleeps 2 s per block, so that a test can act while a query runs.
func orderShards(t *testing.T) *chtest.Cluster {
	ch := chtest.Start(t)
	dist := func(name string) string {
		return "CREATE TABLE " + name + " AS orders_local ENGINE = Distributed(" + chtest.ClusterName + ", default, " + name + "_local)"
	}
	ch.ExecAll(t,
		"CREATE TABLE orders_local (id Int64, amount Nullable(Float64), status Nullable(String), payload Array(String)) ENGINE = MergeTree() ORDER BY id",
		"CREATE TABLE orders_2026_11_local AS orders_local",
		"CREATE VIEW orders_slow_local AS SELECT * FROM orders_local WHERE sleep(2) = 0",
		dist("orders"), dist("orders_2026_11"), dist("orders_slow"),
	)
	ch.Exec(t, 0,
		"INSERT INTO orders_local VALUES (1, 5, 'new', []), (3, NULL, 'lost', [])",
		"INSERT INTO orders_2026_11_local VALUES (1, 10, 'new', [])",
	)
	ch.Exec(t, 1,
		"INSERT INTO orders_local VALUES (2, 250, 'paid', ['a']), (4, 7, 'paid', [])",
		"INSERT INTO orders_2026_11_local VALUES (2, 20, 'paid', [])",
	)
	return ch
}

// chSuite writes a suite reading the orders from ClickHouse (source: the
// table or query lines of data.sql) into a new directory.
func chSuite(t *testing.T, source, columns string) (dir, suite string) {
	dir = t.TempDir()
	if source == "" {
		source = "    table: orders"
	}
	text := strings.Replace(fmt.Sprintf(ordersSQLSuite, source, columns), "engine: postgres\n    dsn: ${PG_DSN}", "engine: clickhouse\n    dsn: ${CH_DSN}", 1)
	return dir, writeFile(t, dir, "suite.yaml", text)
}

// noPassword requires that nothing a run wrote holds password.
func noPassword(t *testing.T, password, dir string, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		assert.NotContains(t, o, password)
	}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			assert.NotContains(t, string(b), password, p)
		}
		return nil
	})
}

// TestCheckClickHouse: the orders suite on a Distributed table over two
// shards, as the user with a password: the failing values and their rows
// in id order across both shards, --data naming another table, --explain
// printing ClickHouse's SQL; the password is nowhere.
func TestCheckClickHouse(t *testing.T) {
	ch := orderShards(t)
	t.Setenv("CH_DSN", ch.PasswordDSN())
	dir, suite := chSuite(t, "", "")

	code, out, errs := cli(t, "check", suite)
	assert.Equal(t, 1, code, errs)
	// amount 250 at row 1 (id order; it is on the second shard), status
	// "lost" at row 2, the null amount at row 2; the median of 5, 7, 250
	// is 7.
	assert.Contains(t, out, "1 of 3 values outside [0, 100] (33.3%), e.g. row 1: 250")
	assert.Contains(t, out, `1 of 4 values not in {"new", "paid"} (25.0%), e.g. row 2: "lost"`)
	assert.NotContains(t, out, "columns.amount.median")
	res, err := os.ReadFile(filepath.Join(dir, "out.json"))
	require.NoError(t, err)
	assert.Contains(t, string(res), `"path": "clickhouse:orders"`)
	assert.Contains(t, string(res), `"observed": 7`)
	noPassword(t, ch.Password, dir, out, errs)

	code, out, errs = cli(t, "check", suite, "--data", "clickhouse:orders_2026_11")
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, string(must(os.ReadFile(filepath.Join(dir, "out.json")))), `"path": "clickhouse:orders_2026_11"`)

	require.NoError(t, os.Remove(filepath.Join(dir, "out.json")))
	code, out, errs = cli(t, "check", suite, "--explain")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, out, `SELECT count(*), count(if(isNaN("amount"), NULL, "amount")), `)
	assert.Contains(t, out, `countIf(ifNull("status" IS NOT NULL AND NOT (if(isNull("status"), NULL, "status" IN ('new', 'paid'))), 0))`)
	assert.Contains(t, out, `countIf(ifNull("status" IS NOT NULL AND NOT (match("status", '^[a-z]+$')), 0))`)
	both := `quantilesExact(0.4999999999990905, 0.5)(toNullable(toFloat64(if(isNaN("amount"), NULL, "amount"))))`
	assert.Contains(t, out, both+`[1], `+both+`[2]`)
	ranks := `quantilesExact(0.495, 0.505)(toNullable(toFloat64(if(isNaN("amount"), NULL, "amount"))))`
	assert.Contains(t, out, `SELECT `+ranks+`[1], `+ranks+`[2] FROM "orders"`)
	assert.Contains(t, out, `FROM "orders"`)
	assert.Contains(t, out, `LIMIT 20`)
	assert.NoFileExists(t, filepath.Join(dir, "out.json"))
	noPassword(t, ch.Password, dir, out, errs)
}

// TestCheckClickHouseFailures: every fault is exit 2 with ClickHouse's
// own words, no result file, and no trace of the password.
func TestCheckClickHouseFailures(t *testing.T) {
	ch := orderShards(t)
	dsn := ch.PasswordDSN()
	refused := strings.Replace(dsn, "127.0.0.1:"+strconv.Itoa(ch.Shards[0].HTTP), freeAddr(t), 1)
	checkFaults(t, "CH_DSN", dsn, chSuite, []sqlFault{
		{name: "refused connection", dsn: refused, want: "connect: connection refused"},
		{name: "bad credentials", dsn: strings.Replace(dsn, ch.Password, "wrong-"+ch.Password[:3], 1), want: "Wrong password for user app"},
		{name: "missing table", args: []string{"--data", "clickhouse:nope"}, want: "clickhouse:nope: Code: 60, e.displayText() = DB::Exception: Table default.nope doesn't exist."},
		{name: "missing column", columns: "    amont: {missing: 0}", want: `suite.yaml:13:5: expectations.columns.amont: clickhouse:orders: no column "amont" (did you mean "amount"?); columns are: id, amount, status, payload`},
		{name: "query error", source: "    query: SELECT id, intDiv(id, id - id) AS amount, status FROM orders", want: "DB::Exception: Division by zero"},
		{name: "unsupported type", columns: "    payload: {missing: 0}", want: `column "payload" has clickhouse type Array(String), which trustml does not read`},
		// The scalar subquery counts to 10^11, far longer than 1 s.
		{name: "statement timeout", source: "    query: SELECT * FROM orders WHERE (SELECT count() FROM numbers(100000000000)) >= 0\n    timeout: 1s", want: "DB::Exception: Timeout exceeded: elapsed"},
		// Shard 2 dies while it computes its part of the first scan's
		// aggregates; the message names it.
		{name: "one shard killed mid-run", source: "    table: orders_slow", during: func() {
			killDuring(t, ch, 1, "countIf")
		}, want: "127.0.0.1:" + strconv.Itoa(ch.Shards[1].TCP)},
	}, func(t *testing.T, dir string, outputs ...string) { noPassword(t, ch.Password, dir, outputs...) })
}

// killDuring kills shard i of the cluster once it runs a query whose
// text holds marker, as a machine failing mid-run does.
func killDuring(t *testing.T, ch *chtest.Cluster, i int, marker string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := "SELECT count() FROM system.processes WHERE query LIKE '%" + marker + "%' AND query NOT LIKE '%system.processes%'"
	u := "http://127.0.0.1:" + strconv.Itoa(ch.Shards[i].HTTP) + "/?query=" + url.QueryEscape(q)
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n, _ := strconv.Atoi(strings.TrimSpace(string(b))); n > 0 {
			if err := ch.Kill(i); err != nil {
				t.Error(err)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("no query holding %q ran on shard %d", marker, i+1)
}
