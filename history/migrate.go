package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SchemaVersion is the version of the store's schema this trustml writes:
// the number of migrations.
const SchemaVersion = 2

// migrations[i] brings a store from version i to i+1. They only ever
// append: a released migration is never edited. {{id}} is the dialect's
// auto-numbered primary key. Every statement is SQL both SQLite and
// PostgreSQL accept.
var migrations = [][]string{
	// 1: runs, their checks and their observed numbers.
	{
		`CREATE TABLE runs (
			id {{id}},
			suite TEXT NOT NULL,
			suite_sha256 TEXT NOT NULL,
			data_path TEXT NOT NULL,
			data_sha256 TEXT NOT NULL,
			data_rows BIGINT NOT NULL,
			data_schema TEXT NOT NULL,
			seeds TEXT NOT NULL,
			version TEXT NOT NULL,
			started TEXT NOT NULL,
			passed INTEGER NOT NULL,
			result TEXT NOT NULL
		)`,
		`CREATE INDEX runs_suite ON runs (suite, id)`,
		`CREATE TABLE checks (
			run_id BIGINT NOT NULL REFERENCES runs (id),
			seq INTEGER NOT NULL,
			name TEXT NOT NULL,
			section TEXT NOT NULL,
			kind TEXT NOT NULL,
			status TEXT NOT NULL,
			severity TEXT NOT NULL,
			PRIMARY KEY (run_id, seq)
		)`,
		`CREATE TABLE observations (
			run_id BIGINT NOT NULL REFERENCES runs (id),
			name TEXT NOT NULL,
			field TEXT NOT NULL,
			value DOUBLE PRECISION NOT NULL,
			PRIMARY KEY (run_id, name, field)
		)`,
	},
	// 2: tags and the git commit; series read by check name.
	{
		`ALTER TABLE runs ADD COLUMN git_commit TEXT NOT NULL DEFAULT ''`,
		`CREATE TABLE tags (
			run_id BIGINT NOT NULL REFERENCES runs (id),
			key TEXT NOT NULL,
			value TEXT NOT NULL,
			PRIMARY KEY (run_id, key)
		)`,
		`CREATE INDEX observations_name ON observations (name, field, run_id)`,
	},
}

// migrate brings the store to SchemaVersion in one transaction (SQLite
// takes the write lock at BEGIN; PostgreSQL takes an advisory lock), so
// that processes opening a new store at once create it once.
func (s *Store) migrate(ctx context.Context) error {
	if len(migrations) != SchemaVersion {
		panic("history: SchemaVersion does not count the migrations")
	}
	return s.migrateTo(ctx, SchemaVersion)
}

func (s *Store) migrateTo(ctx context.Context, target int) error {
	// Read the version without a write lock first: the common case is a
	// store that is up to date, and readers should not queue behind writers.
	v, err := s.version(ctx, s.db)
	if err != nil {
		return s.fail("open", err)
	}
	if v > SchemaVersion {
		return s.fail("open", fmt.Errorf("schema version %d is newer than this trustml's (%d): upgrade trustml", v, SchemaVersion))
	}
	if v >= target {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail("open", err)
	}
	defer tx.Rollback()
	if s.d.lock != "" {
		if _, err := tx.ExecContext(ctx, s.d.lock); err != nil {
			return s.fail("open", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS trustml_history (version INTEGER NOT NULL)`); err != nil {
		return s.fail("open", err)
	}
	v, err = s.version(ctx, tx)
	if err != nil {
		return s.fail("open", err)
	}
	if v == 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO trustml_history (version) VALUES (0)`); err != nil {
			return s.fail("open", err)
		}
	}
	for ; v < target; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.ExecContext(ctx, strings.ReplaceAll(stmt, "{{id}}", s.d.autoID)); err != nil {
				return s.fail("migrate", fmt.Errorf("to version %d: %w", v+1, err))
			}
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE trustml_history SET version = ?`), target); err != nil {
		return s.fail("open", err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail("open", err)
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// version reads the schema version: 0 for a store without the table.
func (s *Store) version(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT version FROM trustml_history`).Scan(&v)
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case strings.Contains(err.Error(), "no such table"), strings.Contains(err.Error(), "does not exist"):
		return 0, nil
	}
	return 0, err
}

// Version returns the store's schema version.
func (s *Store) Version(ctx context.Context) (int, error) {
	v, err := s.version(ctx, s.db)
	if err != nil {
		return 0, s.fail("read", err)
	}
	return v, nil
}
