// Command serve starts a throwaway PostgreSQL server holding the orders
// example's tables, the way the tests start theirs (internal/pgserver:
// initdb in a temporary directory, a free port of 127.0.0.1 only, Debian's
// postgresql-15 binaries), prints the line that exports its connection
// string, and stops and removes it on Ctrl-C:
//
//	go run ./examples/sql/serve
//	export PG_DSN='postgres://trustml@127.0.0.1:41234/shop?sslmode=disable'
//
// Database shop holds one table per file of examples/orders (-data), named
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

	"github.com/trustml/trustml/internal/pgserver"
	"github.com/trustml/trustml/internal/sqlload"
)

// Key is the key column of every table serve loads.
const Key = "row"

func main() {
	data := flag.String("data", filepath.Join("examples", "orders"), "load every .csv file of `DIR`")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *data, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// serve starts the server, loads the files, prints the export line and
// waits for ctx to end.
func serve(ctx context.Context, dir string, out io.Writer) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no .csv files in %s (run from the repository's root, or give -data)", dir)
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
