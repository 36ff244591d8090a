package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/internal/sqlload"
)

// duckTypes spell the Arrow types Load writes as DuckDB's.
var duckTypes = map[arrow.Type]string{
	arrow.INT16: "SMALLINT", arrow.INT32: "INTEGER", arrow.INT64: "BIGINT", arrow.FLOAT32: "FLOAT",
	arrow.FLOAT64: "DOUBLE", arrow.STRING: "VARCHAR", arrow.BOOL: "BOOLEAN", arrow.DATE32: "DATE",
	arrow.TIMESTAMP: "TIMESTAMP",
}

// Type returns the DuckDB type that reads back as Arrow type dt
// (TIMESTAMPTZ for a zoned timestamp); ok is false when there is none.
func Type(dt arrow.DataType) (string, bool) {
	if ts, ok := dt.(*arrow.TimestampType); ok && ts.TimeZone != "" {
		return "TIMESTAMPTZ", true
	}
	t, ok := duckTypes[dt.ID()]
	return t, ok
}

// Load creates table name in the DuckDB database file path (created when
// absent) with the columns of tbl, plus, when key is not "", a first
// BIGINT column of that name holding each row's 0-based position (the key
// a suite declares so that failing rows are numbered as in tbl), and
// inserts the rows, in one transaction.
func Load(ctx context.Context, path, name string, tbl arrow.Table, key string) error {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	defer db.Close()
	var defs, marks []string
	if key != "" {
		defs, marks = append(defs, sqlload.Ident(key)+" BIGINT NOT NULL"), append(marks, "?")
	}
	for _, f := range tbl.Schema().Fields() {
		typ, ok := Type(f.Type)
		if !ok {
			return fmt.Errorf("duckdb: column %q: no DuckDB type for %s", f.Name, f.Type)
		}
		defs = append(defs, sqlload.Ident(f.Name)+" "+typ)
		marks = append(marks, "?")
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "CREATE TABLE "+sqlload.Ident(name)+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+sqlload.Ident(name)+" VALUES ("+strings.Join(marks, ", ")+")")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, r := range sqlload.Rows(tbl) {
		if key != "" {
			r = append([]any{int64(i)}, r...)
		}
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// LoadFiles loads each data file (read as trustml reads it) into a table
// of the DuckDB database file path named after the file
// (sqlload.TableNames), with the key column key.
func LoadFiles(ctx context.Context, path string, files []string, key string) error {
	names := sqlload.TableNames(files)
	for i, f := range files {
		tbl, err := sqlload.ReadFile(ctx, f)
		if err != nil {
			return err
		}
		err = Load(ctx, path, names[i], tbl, key)
		tbl.Release()
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}
