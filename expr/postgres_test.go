package expr

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trustml/trustml/internal/pgtest"
	"github.com/trustml/trustml/internal/sqltest"
)

// TestAgreesWithPostgreSQL prints the 1,000 generated predicates of
// TestAgreesWithDuckDB in the PostgreSQL dialect and evaluates them on
// PostgreSQL over the same 500 rows: every predicate the dialect does not
// refuse gives DuckDB's pinned counts (TRUE, FALSE and NULL rows and the
// sums of their ids), and an overflow DuckDB reports is an error in
// PostgreSQL too. The one documented difference: a double that overflows
// is an error in PostgreSQL and ±Inf in DuckDB (and trustml).
func TestAgreesWithPostgreSQL(t *testing.T) {
	url := sqltest.CreateDatabase(t, pgtest.Start(t), "exprs")
	tbl := benchTable(t)
	defer tbl.Release()
	sqltest.LoadPostgres(t, url, "bench", tbl, false)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["TimeZone"] = "UTC" // as trustml's sessions
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	pg := *PostgreSQL
	pg.Now = time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	a := agreeInSQL(t, &pg, func(cond string) (duckResult, error) {
		var got duckResult
		err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE (`+cond+`)), count(*) FILTER (WHERE NOT (`+cond+`)),
			count(*) FILTER (WHERE (`+cond+`) IS NULL), coalesce(sum(id) FILTER (WHERE (`+cond+`)), 0),
			coalesce(sum(id) FILTER (WHERE (`+cond+`) IS NULL), 0) FROM bench`).
			Scan(&got.True, &got.False, &got.Null, &got.TrueIDSum, &got.NullIDSum)
		return got, err
	}, func(err error) bool {
		// PostgreSQL refuses to overflow a double where DuckDB and
		// trustml give ±Inf: an error, not another answer.
		return strings.Contains(err.Error(), "value out of range: overflow (SQLSTATE 22003)")
	})
	t.Logf("%d of %d agree with DuckDB on PostgreSQL, %d a double overflow PostgreSQL raises; %d refused by the dialect: %v", a.agree, a.total-a.refused, a.excused, a.refused, a.reasons)
}
