// Package sqlload loads data files and Arrow tables into the SQL engines
// trustml is tested against, for the tests (through internal/sqltest) and
// the examples (examples/sql): the same types and the same key column in
// both, so that an example's tables are the tests' tables.
package sqlload

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"

	"github.com/trustml/trustml/dataset"
)

// ReadFile reads a data file (any format trustml reads, with the types
// its reader infers) as one Arrow table. The caller releases it.
func ReadFile(ctx context.Context, path string) (arrow.Table, error) {
	src, err := dataset.OpenSource(ctx, dataset.FileKind, path, dataset.Options{})
	if err != nil {
		return nil, err
	}
	sc, err := src.Scan(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for sc.Next() {
		b := sc.RecordBatch()
		b.Retain()
		recs = append(recs, b)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return array.NewTableFromRecords(recs[0].Schema(), recs), nil
}

// PostgresType returns the PostgreSQL type that reads back as Arrow type
// dt (timestamptz for a zoned timestamp); ok is false when there is none.
func PostgresType(dt arrow.DataType) (string, bool) {
	if ts, ok := dt.(*arrow.TimestampType); ok && ts.TimeZone != "" {
		return "timestamptz", true
	}
	t, ok := pgType[dt.ID()]
	return t, ok
}

var pgType = map[arrow.Type]string{
	arrow.INT16:     "smallint",
	arrow.INT32:     "integer",
	arrow.INT64:     "bigint",
	arrow.FLOAT32:   "real",
	arrow.FLOAT64:   "double precision",
	arrow.STRING:    "text",
	arrow.BOOL:      "boolean",
	arrow.DATE32:    "date",
	arrow.TIMESTAMP: "timestamp",
}

// CreateDatabase creates database name on the server at admin (a
// postgres:// URL whose database is postgres) and returns its URL.
func CreateDatabase(ctx context.Context, admin, name string) (string, error) {
	u := strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
	if u == admin {
		return "", fmt.Errorf("sqlload: cannot derive a database URL from %s", admin)
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return u, nil
}

// Postgres creates table name in the database at url with the columns of
// tbl, plus, when key is not "", a first bigint column of that name
// holding each row's 0-based position (the key a suite declares so that
// failing rows are numbered as the local engine numbers them), and copies
// the rows in.
func Postgres(ctx context.Context, url, name string, tbl arrow.Table, key string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var defs, names []string
	if key != "" {
		defs, names = append(defs, pgx.Identifier{key}.Sanitize()+" bigint NOT NULL"), append(names, key)
	}
	for _, f := range tbl.Schema().Fields() {
		typ, ok := PostgresType(f.Type)
		if !ok {
			return fmt.Errorf("sqlload: column %q: no PostgreSQL type for %s", f.Name, f.Type)
		}
		defs = append(defs, pgx.Identifier{f.Name}.Sanitize()+" "+typ)
		names = append(names, f.Name)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE "+pgx.Identifier{name}.Sanitize()+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return err
	}
	rows := Rows(tbl)
	if key != "" {
		for i := range rows {
			rows[i] = append([]any{int64(i)}, rows[i]...)
		}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{name}, names, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("sqlload: copy into %s: %w", name, err)
	}
	return nil
}

// Rows returns the rows of tbl as Go values (nil for null). It panics on
// a column type PostgresType has no type for.
func Rows(tbl arrow.Table) [][]any {
	n := int(tbl.NumRows())
	out := make([][]any, n)
	for i := range out {
		out[i] = make([]any, tbl.NumCols())
	}
	for c := 0; c < int(tbl.NumCols()); c++ {
		row := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				out[row][c] = value(chunk, i)
				row++
			}
		}
	}
	return out
}

func value(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int16:
		return x.Value(i)
	case *array.Int32:
		return x.Value(i)
	case *array.Int64:
		return x.Value(i)
	case *array.Float32:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.String:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Date32:
		return x.Value(i).ToTime()
	case *array.Timestamp:
		return x.Value(i).ToTime(x.DataType().(*arrow.TimestampType).Unit)
	}
	panic(fmt.Sprintf("sqlload: no value for %s", a.DataType()))
}

// PostgresFiles creates database db on the server at admin, loads each
// data file into a table named after it (TableNames) with the key column
// key, and returns db's URL.
func PostgresFiles(ctx context.Context, admin, db string, files []string, key string) (string, error) {
	url, err := CreateDatabase(ctx, admin, db)
	if err != nil {
		return "", err
	}
	names := TableNames(files)
	for i, f := range files {
		tbl, err := ReadFile(ctx, f)
		if err != nil {
			return "", err
		}
		err = Postgres(ctx, url, names[i], tbl, key)
		tbl.Release()
		if err != nil {
			return "", fmt.Errorf("%s: %w", f, err)
		}
	}
	return url, nil
}

// TableNames are the files' names without directory and extension: the
// tables PostgresFiles loads them into.
func TableNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
	}
	return out
}

// Ident quotes a name as a SQL identifier: "name", inner quotes doubled.
func Ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
