// Command serve starts a throwaway PostgreSQL server (-engine postgres,
// the default) or ClickHouse cluster (-engine clickhouse) holding the
// orders example's tables, the way the tests start theirs, prints the line
// that exports its connection string, and stops and removes it on Ctrl-C:
//
//	go run ./examples/sql/serve
//	export PG_DSN='postgres://trustml@127.0.0.1:41234/shop?sslmode=disable'
//
//	go run ./examples/sql/serve -engine clickhouse
//	export CH_DSN='http://127.0.0.1:41235/default'
//
// PostgreSQL is internal/pgserver: initdb in a temporary directory, a free
// port of 127.0.0.1 only, Debian's postgresql-15 binaries. ClickHouse is
// internal/chtest.Launch: two shard servers of Debian's clickhouse-server
// on free ports of 127.0.0.1, each with its own data directory, and a
// remote_servers cluster naming both; each table is a MergeTree table on
// each shard (row i on shard i mod 2) under a Distributed table, which
// the suite checks, so the servers compute and merge partial aggregates.
//
// The database (PostgreSQL's shop, ClickHouse's default) holds one table per file of examples/orders (-data), named
// after the file (orders, orders_failing, customers), each with a first
// column "row": the row's 0-based position in the file, the key the
// suites of examples/sql declare so that failing rows are numbered as in
// the file.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/trustml/trustml/internal/chtest"
	"github.com/trustml/trustml/internal/pgserver"
	"github.com/trustml/trustml/internal/sqlload"
)

// Key is the key column of every table serve loads.
const Key = "row"

func main() {
	data := flag.String("data", filepath.Join("examples", "orders"), "load every .csv file of `DIR`")
	engine := flag.String("engine", "postgres", "the engine to start: postgres or clickhouse")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch *engine {
	case "postgres":
		err = serve(ctx, *data, os.Stdout)
	case "clickhouse":
		err = serveClickHouse(ctx, *data, os.Stdout)
	default:
		err = fmt.Errorf("-engine %q: want postgres or clickhouse", *engine)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// csvFiles lists the .csv files of dir.
func csvFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no .csv files in %s (run from the repository's root, or give -data)", dir)
	}
	return files, nil
}

// serveClickHouse starts the two-shard cluster in a temporary directory,
// loads the files across both shards, prints the export line and waits for
// ctx to end; then it stops the servers and removes their files.
func serveClickHouse(ctx context.Context, dir string, out io.Writer) error {
	files, err := csvFiles(dir)
	if err != nil {
		return err
	}
	root, err := os.MkdirTemp("", "trustml-clickhouse-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	c, err := chtest.Launch(root)
	if err != nil {
		return err
	}
	defer c.Stop()
	if err := c.LoadFiles(ctx, files, Key); err != nil {
		return err
	}
	fmt.Fprintf(out, "ClickHouse, two shards on 127.0.0.1:%d and :%d, Distributed tables: %s\n",
		c.Shards[0].HTTP, c.Shards[1].HTTP, strings.Join(sqlload.TableNames(files), ", "))
	fmt.Fprintf(out, "export CH_DSN='%s'\n", c.DSN())
	fmt.Fprintln(out, "Ctrl-C stops the servers and removes their files.")
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}

// serve starts the server, loads the files, prints the export line and
// waits for ctx to end.
func serve(ctx context.Context, dir string, out io.Writer) error {
	files, err := csvFiles(dir)
	if err != nil {
		return err
	}
	srv, err := pgserver.Start(ctx)
	if err != nil {
		return err
	}
	defer srv.Stop()
	dsn, err := sqlload.PostgresFiles(ctx, srv.URL, "shop", files, Key)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "PostgreSQL 15 on %s, database shop: %s\n", srv.Addr, strings.Join(sqlload.TableNames(files), ", "))
	fmt.Fprintf(out, "export PG_DSN='%s'\n", dsn)
	fmt.Fprintln(out, "Ctrl-C stops the server and removes its files.")
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}
