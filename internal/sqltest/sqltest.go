// Package sqltest loads Arrow tables into the SQL engines the tests start
// (see internal/pgtest), for the tests of SQL sources.
package sqltest

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/trustml/trustml/internal/sqlload"
)

// KeyColumn is the column Load adds: each row's 0-based position in the
// table loaded, the key a suite declares so that failing values are
// reported at the rows the local engine reports.
const KeyColumn = "trustml_key"

// CreateDatabase creates a fresh database on the server at admin (a
// postgres:// URL) and returns its URL.
func CreateDatabase(t testing.TB, admin, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, err := sqlload.CreateDatabase(ctx, admin, name)
	if err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	return u
}

// Exec runs statements on the server at url.
func Exec(t testing.TB, url string, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("sqltest: %s: %v", s, err)
		}
	}
}

// PostgresType returns the PostgreSQL type LoadPostgres gives a column of
// Arrow type dt; ok is false when it has none.
func PostgresType(dt arrow.DataType) (string, bool) { return sqlload.PostgresType(dt) }

// WithKey returns tbl with KeyColumn first: each row's 0-based position,
// the table a SQL engine holds after LoadPostgres with key.
func WithKey(tbl arrow.Table) arrow.Table {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for i := range tbl.NumRows() {
		b.Append(i)
	}
	key := b.NewArray()
	defer key.Release()
	chunked := arrow.NewChunked(arrow.PrimitiveTypes.Int64, []arrow.Array{key})
	defer chunked.Release()
	fields := append([]arrow.Field{{Name: KeyColumn, Type: arrow.PrimitiveTypes.Int64}}, tbl.Schema().Fields()...)
	cols := []arrow.Column{*arrow.NewColumn(fields[0], chunked)}
	for i := 0; i < int(tbl.NumCols()); i++ {
		cols = append(cols, *tbl.Column(i))
	}
	return array.NewTable(arrow.NewSchema(fields, nil), cols, tbl.NumRows())
}

// LoadPostgres creates table name in the database at url with the columns
// of tbl, plus KeyColumn first when key is true, and copies the rows in
// (sqlload.Postgres).
func LoadPostgres(t testing.TB, url, name string, tbl arrow.Table, key bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	k := ""
	if key {
		k = KeyColumn
	}
	if err := sqlload.Postgres(ctx, url, name, tbl, k); err != nil {
		t.Fatalf("sqltest: %v", err)
	}
}

// Rows returns the rows of tbl as Go values (nil for null).
func Rows(tbl arrow.Table) [][]any { return sqlload.Rows(tbl) }

// AddPasswordUser creates a login role with a password on the server at
// admin (a pgtest server, which trusts every local connection) and makes
// the server ask every role but the superuser for its password, so that
// tests can present bad credentials. It returns the URL of the database
// db for the role.
func AddPasswordUser(t testing.TB, admin, db, role, password string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	defer conn.Close(ctx)
	var hba string
	if err := conn.QueryRow(ctx, "SHOW hba_file").Scan(&hba); err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	lines := []string{
		"local all trustml trust",
		"host all trustml 127.0.0.1/32 trust",
		"host all all 127.0.0.1/32 scram-sha-256",
	}
	stmts := []string{
		"SET password_encryption = 'scram-sha-256'",
		"CREATE ROLE " + pgx.Identifier{role}.Sanitize() + " LOGIN PASSWORD '" + strings.ReplaceAll(password, "'", "''") + "'",
		"GRANT ALL ON DATABASE " + pgx.Identifier{db}.Sanitize() + " TO " + pgx.Identifier{role}.Sanitize(),
		// The server writes its own configuration: the test runs as
		// another user than the server's.
		"COPY (SELECT unnest(ARRAY['" + strings.Join(lines, "','") + "'])) TO '" + strings.ReplaceAll(hba, "'", "''") + "'",
		"SELECT pg_reload_conf()",
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("sqltest: %s: %v", s, err)
		}
	}
	u, err := url.Parse(strings.Replace(admin, "/postgres?", "/"+db+"?", 1))
	if err != nil {
		t.Fatalf("sqltest: %v", err)
	}
	u.User = url.UserPassword(role, password)
	return u.String()
}

// Floats builds a one-batch table of nullable float64 columns names, column
// i holding cols[i]; valid[i] marks its non-null values (valid nil: every
// value of every column is valid). The columns are equally long.
func Floats(names []string, cols [][]float64, valid [][]bool) arrow.Table {
	fields := make([]arrow.Field, len(names))
	arrs := make([]arrow.Array, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		var v []bool
		if valid != nil {
			v = valid[i]
		}
		b.AppendValues(cols[i], v)
		arrs[i] = b.NewArray()
		b.Release()
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, arrs, int64(len(cols[0])))
	defer rec.Release()
	for _, a := range arrs {
		a.Release()
	}
	return array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
}
