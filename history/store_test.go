package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testRun(suite string, i int) *Run {
	return &Run{
		Suite: suite, SuiteSHA256: "abc", DataPath: "d.csv", DataHash: fmt.Sprintf("xxh3-128:%d", i),
		DataRows: int64(100 + i), DataSchema: "a:int64, b:utf8", Seeds: map[string]uint64{"split": 42},
		Version: "test", Start: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC), Passed: i%2 == 0,
		GitCommit: "deadbeef", Tags: map[string]string{"worker": fmt.Sprint(i), "env": "ci"},
		Checks:       []CheckRow{{Name: "table.row_count", Section: "expectations", Kind: "row_count", Status: "pass", Severity: "error"}},
		Observations: []Observation{{Key{"table.row_count", "value"}, float64(100 + i)}, {Key{"model.rmse", "value"}, 1.5 * float64(i)}},
		Result:       json.RawMessage(fmt.Sprintf(`{"run":%d}`, i)),
	}
}

func TestStoreRoundTrip(t *testing.T) {
	roundTrip(t, filepath.Join(t.TempDir(), "sub", "history.db"))
}

func roundTrip(t *testing.T, path string) {
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	require.NoError(t, err)
	defer s.Close()
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, SchemaVersion, v)
	for i := range 5 {
		require.NoError(t, s.Append(ctx, testRun("aq", i)))
	}
	require.NoError(t, s.Append(ctx, testRun("other", 9)))

	pts, err := s.Series(ctx, "aq", Key{"table.row_count", "value"}, 3, 0)
	require.NoError(t, err)
	require.Len(t, pts, 3)
	assert.Equal(t, []float64{102, 103, 104}, []float64{pts[0].Value, pts[1].Value, pts[2].Value})
	pts, err = s.Series(ctx, "aq", Key{"table.row_count", "value"}, 10, pts[2].Run)
	require.NoError(t, err)
	assert.Len(t, pts, 4, "runs before the last")

	runs, err := s.Runs(ctx, "aq", 2)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	assert.Equal(t, int64(103), runs[0].DataRows)
	assert.Equal(t, map[string]string{"worker": "4", "env": "ci"}, runs[1].Tags)
	assert.Equal(t, "pass", runs[1].Checks[0].Status)
	assert.Equal(t, "deadbeef", runs[1].GitCommit)

	r, err := s.Get(ctx, runs[1].ID)
	require.NoError(t, err)
	assert.JSONEq(t, `{"run":4}`, string(r.Result))
	assert.Equal(t, map[string]uint64{"split": 42}, r.Seeds)
	assert.Len(t, r.Observations, 2)
	assert.Equal(t, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), r.Start)

	_, err = s.Get(ctx, 999)
	assert.ErrorIs(t, err, ErrNoRun)

	schema, ok, err := s.LastSchema(ctx, "aq", 0)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "a:int64, b:utf8", schema)
	_, ok, err = s.LastSchema(ctx, "nobody", 0)
	require.NoError(t, err)
	assert.False(t, ok)
}

// Twenty writers, each with its own connection pool, open a new store at
// once (racing to create it) and append: every run lands exactly once.
func TestStoreConcurrentAppends(t *testing.T) {
	concurrentAppends(t, filepath.Join(t.TempDir(), "history.db"))
}

func concurrentAppends(t *testing.T, path string) {
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, path, Options{})
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			errs[i] = s.Append(ctx, testRun("aq", i))
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	assertRuns(t, path, n)
}

// assertRuns checks that the store holds runs from workers 0..n-1, each
// once, with all their rows.
func assertRuns(t *testing.T, path string, n int) {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	require.NoError(t, err)
	defer s.Close()
	runs, err := s.Runs(context.Background(), "aq", 1000)
	require.NoError(t, err)
	require.Len(t, runs, n)
	seen := map[string]int{}
	for _, r := range runs {
		seen[r.Tags["worker"]]++
		assert.Len(t, r.Checks, 1)
	}
	for i := range n {
		assert.Equal(t, 1, seen[fmt.Sprint(i)], "worker %d", i)
	}
	var obs int
	require.NoError(t, s.db.QueryRow(`SELECT count(*) FROM observations`).Scan(&obs))
	assert.Equal(t, 2*n, obs)
}

// The subprocess side of TestStoreConcurrentProcesses.
func TestMain(m *testing.M) {
	if path := os.Getenv("HISTORY_TEST_APPEND"); path != "" {
		var i int
		fmt.Sscan(os.Getenv("HISTORY_TEST_WORKER"), &i)
		s, err := Open(context.Background(), path, Options{})
		if err == nil {
			err = s.Append(context.Background(), testRun("aq", i))
			s.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Twenty processes append to one new store at once.
func TestStoreConcurrentProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := execSelf(t, "HISTORY_TEST_APPEND="+path, fmt.Sprintf("HISTORY_TEST_WORKER=%d", i))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("worker %d: %v: %s", i, err, out)
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	assertRuns(t, path, n)
}

// A store written by schema version 1 (tables written out here as that
// version made them, without tags or git_commit) opens, migrates to the
// current version, and keeps its runs.
func TestStoreMigratesV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	for _, stmt := range []string{
		`CREATE TABLE trustml_history (version INTEGER NOT NULL)`,
		`INSERT INTO trustml_history VALUES (1)`,
		`CREATE TABLE runs (id INTEGER PRIMARY KEY, suite TEXT NOT NULL, suite_sha256 TEXT NOT NULL, data_path TEXT NOT NULL,
			data_sha256 TEXT NOT NULL, data_rows BIGINT NOT NULL, data_schema TEXT NOT NULL, seeds TEXT NOT NULL,
			version TEXT NOT NULL, started TEXT NOT NULL, passed INTEGER NOT NULL, result TEXT NOT NULL)`,
		`CREATE INDEX runs_suite ON runs (suite, id)`,
		`CREATE TABLE checks (run_id BIGINT NOT NULL REFERENCES runs (id), seq INTEGER NOT NULL, name TEXT NOT NULL,
			section TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, severity TEXT NOT NULL, PRIMARY KEY (run_id, seq))`,
		`CREATE TABLE observations (run_id BIGINT NOT NULL REFERENCES runs (id), name TEXT NOT NULL, field TEXT NOT NULL,
			value DOUBLE PRECISION NOT NULL, PRIMARY KEY (run_id, name, field))`,
		`INSERT INTO runs VALUES (1, 'aq', 'h', 'd.csv', 's', 153, 'a:int64', '{"split":42}', 'v0.1', '2026-01-01T00:00:00Z', 1, '{"old":true}')`,
		`INSERT INTO checks VALUES (1, 0, 'table.row_count', 'expectations', 'row_count', 'pass', 'error')`,
		`INSERT INTO observations VALUES (1, 'table.row_count', 'value', 153)`,
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, db.Close())

	s, err := Open(ctx, path, Options{})
	require.NoError(t, err)
	defer s.Close()
	v, err := s.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, v)
	r, err := s.Get(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "", r.GitCommit)
	assert.Nil(t, r.Tags)
	assert.Equal(t, int64(153), r.DataRows)
	assert.JSONEq(t, `{"old":true}`, string(r.Result))
	require.NoError(t, s.Append(ctx, testRun("aq", 2)))
	pts, err := s.Series(ctx, "aq", Key{"table.row_count", "value"}, 10, 0)
	require.NoError(t, err)
	assert.Equal(t, []float64{153, 102}, []float64{pts[0].Value, pts[1].Value})
}

func TestStoreErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	t.Run("corrupt", func(t *testing.T) {
		path := filepath.Join(dir, "corrupt.db")
		junk := make([]byte, 8192)
		for i := range junk {
			junk[i] = byte(i * 7)
		}
		require.NoError(t, os.WriteFile(path, junk, 0o644))
		_, err := Open(ctx, path, Options{})
		var he *Error
		require.ErrorAs(t, err, &he)
		assert.ErrorContains(t, err, "history "+path+": open: ")
		assert.ErrorContains(t, err, "corrupt or not a trustml history store")
	})

	t.Run("newer", func(t *testing.T) {
		path := filepath.Join(dir, "newer.db")
		s, err := Open(ctx, path, Options{})
		require.NoError(t, err)
		_, err = s.db.Exec(`UPDATE trustml_history SET version = 99`)
		require.NoError(t, err)
		s.Close()
		_, err = Open(ctx, path, Options{})
		assert.EqualError(t, err, "history "+path+": open: schema version 99 is newer than this trustml's (2): upgrade trustml")
	})

	t.Run("locked", func(t *testing.T) {
		path := filepath.Join(dir, "locked.db")
		s, err := Open(ctx, path, Options{BusyTimeout: 50 * time.Millisecond})
		require.NoError(t, err)
		defer s.Close()
		holder, err := sql.Open("sqlite", "file:"+path)
		require.NoError(t, err)
		defer holder.Close()
		conn, err := holder.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.ExecContext(ctx, `BEGIN EXCLUSIVE`)
		require.NoError(t, err)
		start := time.Now()
		err = s.Append(ctx, testRun("aq", 1))
		var he *Error
		require.ErrorAs(t, err, &he)
		assert.ErrorContains(t, err, "another process held the store's lock")
		assert.Less(t, time.Since(start), 5*time.Second)
		_, err = conn.ExecContext(ctx, `ROLLBACK`)
		require.NoError(t, err)
		require.NoError(t, s.Append(ctx, testRun("aq", 1)), "works once the lock is released")
	})
}
