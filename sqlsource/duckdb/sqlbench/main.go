// Command sqlbench runs the SQL benchmark (package
// github.com/trustml/trustml/examples/bench/sql) on DuckDB: the rows are
// written to a .duckdb file under TMPDIR through DuckDB itself (the
// generator's Parquet file read by CREATE TABLE … AS SELECT), and every
// measurement opens that file. From sqlsource/duckdb:
//
//	go run ./sqlbench -rows 1e7
//
// It lives in the module of DuckDB's cgo driver, which trustml's module
// does not depend on; the PostgreSQL engine's command is
// examples/bench/sql/cmd/sqlbench. DuckDB runs in this process: no bytes
// cross a connection, so the bytes reported are those of the result
// values the driver hands to trustml, and the CPU time is this process's.
package main

import (
	"os"

	sqlbench "github.com/trustml/trustml/examples/bench/sql"
	"github.com/trustml/trustml/sqlsource/duckdb/benchengine"
)

func main() {
	benchengine.Register()
	os.Exit(sqlbench.Main(os.Args[1:], os.Stdout, os.Stderr, "duckdb", "../../examples/bench/suite.yaml"))
}
