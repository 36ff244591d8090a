// Package benchengine is DuckDB's entry in the SQL benchmark's engines
// table (github.com/trustml/trustml/examples/bench/sql): Register adds it.
package benchengine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/trustml/trustml/examples/bench/benchdata"
	sqlbench "github.com/trustml/trustml/examples/bench/sql"
	_ "github.com/trustml/trustml/sqlsource/duckdb" // the duckdb engine and driver
)

var once sync.Once

// Register adds "duckdb" to the benchmark's engines, once.
func Register() {
	once.Do(func() { sqlbench.Register("duckdb", sqlbench.Engine{Hand: "duckdb.sql", Start: start}) })
}

// batchRows is the Parquet row group and batch size of the generated file.
const batchRows = 1 << 20

// start writes the rows as Parquet under a new temporary directory, has
// DuckDB read it into the table bench of a new .duckdb file there, and
// removes the Parquet file.
func start(ctx context.Context, cfg sqlbench.Config, logf func(string, ...any)) (*sqlbench.Instance, error) {
	dir, err := os.MkdirTemp("", "trustml-duckbench-")
	if err != nil {
		return nil, err
	}
	inst := &sqlbench.Instance{
		DSN:   filepath.Join(dir, "bench.duckdb"),
		CPU:   sqlbench.ProcessCPU,
		Close: func() error { return os.RemoveAll(dir) },
	}
	if err := load(ctx, dir, inst.DSN, cfg, logf); err != nil {
		inst.Close()
		return nil, err
	}
	return inst, nil
}

func load(ctx context.Context, dir, file string, cfg sqlbench.Config, logf func(string, ...any)) error {
	pq := filepath.Join(dir, "bench.parquet")
	f, err := os.Create(pq)
	if err != nil {
		return err
	}
	t0 := time.Now()
	rr := benchdata.NewReader(cfg.Rows, cfg.Seed, batchRows, nil)
	err = benchdata.WriteParquet(f, rr, batchRows, nil)
	rr.Release()
	// The Parquet writer closes the file it wrote.
	if e := f.Close(); err == nil && !errors.Is(e, os.ErrClosed) {
		err = e
	}
	if err != nil {
		return err
	}
	logf("wrote %d rows as Parquet (%.0f s)", cfg.Rows, time.Since(t0).Seconds())
	db, err := sql.Open("duckdb", file)
	if err != nil {
		return err
	}
	defer db.Close()
	q := fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM read_parquet('%s')", sqlbench.Table, strings.ReplaceAll(pq, "'", "''"))
	if _, err := db.ExecContext(ctx, q); err != nil {
		return err
	}
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+sqlbench.Table).Scan(&n); err != nil {
		return err
	}
	if n != cfg.Rows {
		return fmt.Errorf("duckdb holds %d rows of %d", n, cfg.Rows)
	}
	return os.Remove(pq)
}
