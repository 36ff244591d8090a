package expr

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
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
	schema := arrow.NewSchema([]arrow.Field{
		field("id", arrow.PrimitiveTypes.Int64), field("age", arrow.PrimitiveTypes.Int64),
		field("income", arrow.PrimitiveTypes.Float64), field("score", arrow.PrimitiveTypes.Float64),
		field("region", arrow.BinaryTypes.String), field("label", arrow.PrimitiveTypes.Int64),
		field("x", arrow.PrimitiveTypes.Float64), field("y", arrow.PrimitiveTypes.Float64),
	}, nil)
	f, err := os.Open("testdata/duckdb/bench_sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := array.NewJSONReader(f, schema, array.WithAllocator(memory.DefaultAllocator), array.WithChunk(-1))
	defer rd.Release()
	if !rd.Next() {
		t.Fatalf("sample: %v", rd.Err())
	}
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rd.RecordBatch()})
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

	rf, err := os.Open("testdata/duckdb/duckdb_results.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	var agree, refused, overflow, total int
	reasons := map[string]int{}
	sc := bufio.NewScanner(rf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var want duckResult
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		total++
		p, err := Predicate(want.Expr, schema)
		if err != nil {
			t.Fatalf("%s: %v", want.Expr, err)
		}
		cond, err := p.SQLIn(&pg)
		if err != nil {
			refused++
			_, why, _ := strings.Cut(err.Error(), ": ")
			reasons[why]++
			continue
		}
		var got duckResult
		err = conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE (`+cond+`)), count(*) FILTER (WHERE NOT (`+cond+`)),
			count(*) FILTER (WHERE (`+cond+`) IS NULL), coalesce(sum(id) FILTER (WHERE (`+cond+`)), 0),
			coalesce(sum(id) FILTER (WHERE (`+cond+`) IS NULL), 0) FROM bench`).
			Scan(&got.True, &got.False, &got.Null, &got.TrueIDSum, &got.NullIDSum)
		switch {
		case want.Err != "" && err != nil:
			agree++
			continue
		case err != nil && strings.Contains(err.Error(), "value out of range: overflow (SQLSTATE 22003)"):
			// PostgreSQL refuses to overflow a double where DuckDB and
			// trustml give ±Inf: an error, not another answer.
			overflow++
			continue
		case err != nil:
			t.Errorf("%s\n  postgres: %s\n  error: %v", want.Expr, cond, err)
			continue
		case want.Err != "":
			t.Errorf("%s: DuckDB: %s; PostgreSQL: no error", want.Expr, want.Err)
			continue
		}
		got.Expr = want.Expr
		if got != want {
			t.Errorf("%s\n  postgres: %s\n  got:    %+v\n  duckdb: %+v", want.Expr, cond, got, want)
			continue
		}
		agree++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d agree with DuckDB on PostgreSQL, %d a double overflow PostgreSQL raises; %d refused by the dialect: %v", agree, total-refused, overflow, refused, reasons)
	if total-refused < 400 {
		t.Errorf("only %d predicates compared", total-refused)
	}
}
