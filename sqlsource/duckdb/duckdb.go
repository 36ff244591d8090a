// Package duckdb registers DuckDB as a SQL engine of package sqlsource:
// import it for its effect, and a suite's `data.sql` may name
// `engine: duckdb`, with `dsn: ${NAME}` naming a variable that holds a
// .duckdb file's path, or :memory: for an empty in-memory database, for a
// `query:` over files DuckDB reads, such as
// SELECT * FROM read_parquet('orders.parquet').
//
// It is a module of its own, as expr/internal/duckcheck is, so that
// DuckDB's cgo driver (github.com/duckdb/duckdb-go/v2, slow to compile)
// never enters trustml's module graph or its `go test ./...`. Its tests run
// with `cd sqlsource/duckdb && go test ./...`.
package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/sqlsource"
)

// Dialect is DuckDB's: expect.GenericSQL's spelling, which is DuckDB's
// (count(*) FILTER, regexp_matches, length in characters, quantile_disc,
// the median's two middle values as the two elements of one quantile_disc
// over ½ and ½ + 2⁻⁴⁰, stddev_samp by Welford's updates), with DOUBLE
// casts; the middle values are read over a float column as it is
// (expect.SQLDialect.RawMiddle).
var Dialect = &expect.SQLDialect{Name: "duckdb", RawMiddle: true}

func init() { sqlsource.Register("duckdb", sqlsource.Engine{Dialect: Dialect, Connect: connect}) }

// session is one connection of a database: DuckDB has no statement
// timeout of its own, so each statement's context carries it.
type session struct {
	db      *sql.DB
	conn    *sql.Conn
	timeout time.Duration
}

func connect(ctx context.Context, dsn string, timeout time.Duration) (sqlsource.Session, error) {
	if dsn == ":memory:" {
		dsn = ""
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &session{db: db, conn: conn, timeout: timeout}, nil
}

func (s *session) Close() error {
	err := s.conn.Close()
	if e := s.db.Close(); err == nil {
		err = e
	}
	return err
}

// types maps DuckDB's type names to Arrow types.
var types = map[string]arrow.DataType{
	"BOOLEAN":                  arrow.FixedWidthTypes.Boolean,
	"SMALLINT":                 arrow.PrimitiveTypes.Int16,
	"INTEGER":                  arrow.PrimitiveTypes.Int32,
	"BIGINT":                   arrow.PrimitiveTypes.Int64,
	"FLOAT":                    arrow.PrimitiveTypes.Float32,
	"DOUBLE":                   arrow.PrimitiveTypes.Float64,
	"VARCHAR":                  arrow.BinaryTypes.String,
	"DATE":                     arrow.FixedWidthTypes.Date32,
	"TIMESTAMP":                &arrow.TimestampType{Unit: arrow.Microsecond},
	"TIMESTAMP WITH TIME ZONE": &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
	"TIMESTAMPTZ":              &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
}

func (s *session) Columns(ctx context.Context, from string) ([]sqlsource.Column, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, err := s.conn.QueryContext(ctx, "SELECT * FROM "+from+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	out := make([]sqlsource.Column, len(cts))
	for i, ct := range cts {
		name := strings.ToUpper(ct.DatabaseTypeName())
		out[i] = sqlsource.Column{Name: ct.Name(), Type: types[name], EngineType: name}
	}
	return out, rows.Close()
}

// Stream runs q bounded by the source's timeout: DuckDB interrupts the
// statement when its context ends, and says so.
func (s *session) Stream(ctx context.Context, q string, row func([]any) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, err := s.conn.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		out := make([]any, len(vals))
		for i, v := range vals {
			if out[i], err = sqlsource.Normalize(v); err != nil {
				return fmt.Errorf("column %s: %w", cols[i], err)
			}
		}
		if err := row(out); err != nil {
			return err
		}
	}
	return rows.Err()
}
