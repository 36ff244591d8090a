package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// slowQuery reads airquality.csv joined with a sum over 10^11 rows, which
// DuckDB computes for minutes.
func slowQuery(t *testing.T) string {
	csv, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "examples", "airquality", "airquality.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return "SELECT a.* FROM read_csv('" + csv + "') a, (SELECT sum(i) AS s FROM range(100000000000) r(i)) x WHERE x.s > 0"
}

// suite writes a suite reading query through DuckDB in memory, with the
// extra data.sql keys, and returns its path and its JSON result's.
func suite(t *testing.T, query, extra string) (path, result string) {
	dir := t.TempDir()
	path = filepath.Join(dir, "suite.yaml")
	src := `data:
  sql:
    engine: duckdb
    dsn: ${DUCKDB}
    query: "` + query + `"
` + extra + `
expectations:
  table: {row_count: {min: 1}}
  columns:
    Temp: {range: {min: 50, max: 100}}
report:
  json: out.json
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, filepath.Join(dir, "out.json")
}

// TestCheck: a query over a file DuckDB reads passes, and its result is
// written.
func TestCheck(t *testing.T) {
	t.Setenv("DUCKDB", ":memory:")
	csv, _ := filepath.Abs(filepath.Join("..", "..", "..", "..", "examples", "airquality", "airquality.csv"))
	path, out := suite(t, "SELECT * FROM read_csv('"+csv+"')", "")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"check", path}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no result: %v", err)
	}
}

// TestLoadAndCheckExample: the README's commands, load then check, run
// examples/sql/duckdb.yaml: exit 1 (its failing checks), the JSON written.
func TestLoadAndCheckExample(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..")
	db := filepath.Join(t.TempDir(), "orders.duckdb")
	files, _ := filepath.Glob(filepath.Join(root, "examples", "orders", "*.csv"))
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), append([]string{"load", db}, files...), &stdout, &stderr); code != 0 {
		t.Fatalf("load: exit %d: %s", code, stderr.String())
	}
	if want := "tables customers, orders, orders_failing\nexport DUCKDB_FILE='" + db + "'\n"; !strings.HasSuffix(stdout.String(), want) {
		t.Errorf("load printed %q, want it to end with %q", stdout.String(), want)
	}
	t.Setenv("DUCKDB_FILE", db)
	out := filepath.Join(t.TempDir(), "out.json")
	stdout.Reset()
	code := run(context.Background(), []string{"check", filepath.Join(root, "examples", "sql", "duckdb.yaml"), "--now", "2026-11-30T12:00:00Z", "--json", out}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("check: exit %d, want 1: %s%s", code, stdout.String(), stderr.String())
	}
	for _, w := range []string{"rules.cables cost 9.90", "2 of 338 rows break unit_price = 9.9 (0.59%), e.g. row 114: (unit_price=99)"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, stdout.String())
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no result: %v", err)
	}
}

// TestFailures: DuckDB's statement timeout (timeout: in the source) and
// an interrupted run are exit 2 with DuckDB's own words, and write no
// result.
func TestFailures(t *testing.T) {
	t.Setenv("DUCKDB", ":memory:")
	for _, tc := range []struct {
		name, extra string
		cancelAfter time.Duration
		want        []string
	}{
		{name: "statement timeout", extra: "    timeout: 1s", want: []string{"duckdb:query: context deadline exceeded; INTERRUPT Error: Interrupted! (the source's timeout ran out; raise data.sql.timeout"}},
		{name: "interrupted", cancelAfter: 2 * time.Second, want: []string{"trustml-duckdb: interrupted: duckdb:query: context canceled; INTERRUPT Error: Interrupted!; no result written"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, out := suite(t, slowQuery(t), tc.extra)
			ctx := context.Background()
			if tc.cancelAfter > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				timer := time.AfterFunc(tc.cancelAfter, cancel)
				defer timer.Stop()
			}
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := run(ctx, []string{"check", path}, &stdout, &stderr)
			t.Logf("%s: exit %d after %v: %s", tc.name, code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(stderr.String()))
			if code != 2 {
				t.Errorf("exit %d, want 2: %s%s", code, stdout.String(), stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q lacks %q", stderr.String(), w)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a result was written: %v", err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
