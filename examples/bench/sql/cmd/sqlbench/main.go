// Command sqlbench runs the benchmark on a SQL engine of trustml's module
// (PostgreSQL), from the repository's root:
//
//	go run ./examples/bench/sql/cmd/sqlbench -engine postgres -rows 1e7
//
// See package sqlbench and examples/bench/README.md. DuckDB's is
// sqlsource/duckdb/sqlbench, in the module of its cgo driver.
package main

import (
	"os"

	sqlbench "github.com/trustml/trustml/examples/bench/sql"
)

func main() {
	os.Exit(sqlbench.Main(os.Args[1:], os.Stdout, os.Stderr, "postgres", "examples/bench/suite.yaml"))
}
