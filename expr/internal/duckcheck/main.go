// Command duckcheck measures how often trustml's expr evaluator agrees
// with DuckDB: it generates N random well-typed predicates (seeded),
// evaluates each with DuckDB and with expr over the same sample of the
// benchmark data, writes DuckDB's results as JSON Lines, and reports the
// agreement count and every disagreement.
//
//	duckcheck [-n 10000] [-seed 1] [-rows 100000] [-data bench.parquet] [-out DIR]
//
// It is its own module so that DuckDB's cgo dependency never enters
// trustml's module graph. Each predicate is compared by a fingerprint of
// its result over all rows: the number of TRUE, FALSE and NULL rows and
// the sums of the id (the row number) of the TRUE and of the NULL rows.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/trustml/trustml/expr"
)

// result is one predicate's outcome in one engine.
type result struct {
	Expr                 string `json:"expr"`
	True, False, Null    int64
	TrueIDSum, NullIDSum int64
	Err                  string `json:"err,omitempty"`
}

func (r result) same(o result) bool {
	return r.True == o.True && r.False == o.False && r.Null == o.Null && r.TrueIDSum == o.TrueIDSum && r.NullIDSum == o.NullIDSum
}

// now is the instant both engines use for now() and today().
var now = time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)

func main() {
	n := flag.Int("n", 10000, "number of expressions")
	seed := flag.Uint64("seed", 1, "generator seed")
	rows := flag.Int("rows", 100000, "rows of the sample (id < rows)")
	data := flag.String("data", "/tmp/benchdata/bench.parquet", "benchmark Parquet file")
	out := flag.String("out", "/tmp/duckcheck", "directory for the sample and the results")
	pin := flag.Bool("pin", false, "also write the sample rows as JSON Lines (bench_sample.jsonl) next to the results, for expr's pinned test")
	query := flag.String("q", "", "run one SQL query with DuckDB, print its first row and exit")
	flag.Parse()
	if *query != "" {
		if err := printQuery(*query); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(*n, *seed, *rows, *data, *out, *pin); err != nil {
		log.Fatal(err)
	}
}

func run(n int, seed uint64, rows int, data, out string, pin bool) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	sample := filepath.Join(out, "sample.parquet")
	if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT * FROM read_parquet('%s') WHERE id < %d ORDER BY id) TO '%s' (FORMAT parquet)`, data, rows, sample)); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE t AS SELECT * FROM read_parquet('%s')`, sample)); err != nil {
		return err
	}
	rec, err := readSample(sample)
	if err != nil {
		return err
	}
	defer rec.Release()

	if pin {
		f, err := os.Create(filepath.Join(out, "bench_sample.jsonl"))
		if err != nil {
			return err
		}
		if err := array.RecordToJSON(rec, f); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}

	g := &gen{r: rand.New(rand.NewPCG(seed, 0))}
	exprs := make([]expr.Expr, n)
	for i := range exprs {
		exprs[i] = g.predicate()
	}

	// DuckDB first, written out, then expr, compared with what was written.
	duckPath := filepath.Join(out, "duckdb_results.jsonl")
	f, err := os.Create(duckPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	dialect := *expr.DuckDB
	dialect.Now = now
	start := time.Now()
	for _, e := range exprs {
		// The typed printer gives DuckDB the casts it needs (DATE + INTEGER).
		q := expr.Print(e, &dialect)
		if p, err := expr.Compile(expr.String(e), rec.Schema()); err == nil {
			q = p.SQL(&dialect)
		}
		if err := enc.Encode(duck(db, q, expr.String(e))); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	log.Printf("duckdb: %d expressions in %s", n, time.Since(start).Round(time.Millisecond))

	duckResults, err := readResults(duckPath)
	if err != nil {
		return err
	}
	start = time.Now()
	agree := 0
	classes := map[string][]string{}
	for i, e := range exprs {
		d := duckResults[i]
		m := evalExpr(rec, expr.String(e))
		switch {
		case d.Err == "" && m.Err == "" && d.same(m):
			agree++
		case d.Err != "" && m.Err != "":
			agree++
			k := "both error (agree): duckdb " + errKind(d.Err)
			classes[k] = append(classes[k], fmt.Sprintf("%s\n    duckdb: %s\n    expr:   %s", d.Expr, firstLine(d.Err), m.Err))
		case d.Err != "":
			classes["duckdb error only"] = append(classes["duckdb error only"], fmt.Sprintf("%s\n    duckdb: %s\n    expr:   %+v", d.Expr, firstLine(d.Err), m))
		case m.Err != "":
			classes["expr error only"] = append(classes["expr error only"], fmt.Sprintf("%s\n    expr:   %s\n    duckdb: %+v", d.Expr, m.Err, d))
		default:
			classes["different result"] = append(classes["different result"], fmt.Sprintf("%s\n    duckdb: %+v\n    expr:   %+v", d.Expr, d, m))
		}
	}
	log.Printf("expr: %d expressions in %s", n, time.Since(start).Round(time.Millisecond))
	fmt.Printf("duckcheck: %d of %d expressions agree (seed %d, %d rows)\n", agree, n, seed, rec.NumRows())
	names := make([]string, 0, len(classes))
	for k := range classes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Printf("\n%s: %d\n", k, len(classes[k]))
		for i, s := range classes[k] {
			if i == 20 {
				fmt.Printf("  ... %d more\n", len(classes[k])-20)
				break
			}
			fmt.Printf("  %s\n", s)
		}
	}
	return nil
}

// errKind is an error's message up to its first parenthesis or colon
// after the error class: "Out of Range Error: Overflow in subtraction of INT64".
func errKind(s string) string {
	s = firstLine(s)
	if i := strings.IndexByte(s, '('); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func duck(db *sql.DB, q, generic string) result {
	r := result{Expr: generic}
	p := "(" + q + ")"
	query := fmt.Sprintf(`SELECT count(*) FILTER (WHERE %[1]s IS TRUE), count(*) FILTER (WHERE %[1]s IS FALSE),
		count(*) FILTER (WHERE %[1]s IS NULL), coalesce(sum(id) FILTER (WHERE %[1]s IS TRUE), 0)::BIGINT,
		coalesce(sum(id) FILTER (WHERE %[1]s IS NULL), 0)::BIGINT FROM t`, p)
	if err := db.QueryRow(query).Scan(&r.True, &r.False, &r.Null, &r.TrueIDSum, &r.NullIDSum); err != nil {
		r.Err = err.Error()
	}
	return r
}

func readResults(path string) ([]result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []result
	dec := json.NewDecoder(f)
	for {
		var r result
		if err := dec.Decode(&r); err != nil {
			if errors.Is(err, errors.New("EOF")) || err.Error() == "EOF" {
				return out, nil
			}
			return nil, err
		}
		out = append(out, r)
	}
}

func readSample(path string) (arrow.RecordBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return nil, err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	// One batch of all rows: concatenate each column's chunks.
	cols := make([]arrow.Array, tbl.NumCols())
	for i := range cols {
		c, err := array.Concatenate(tbl.Column(i).Data().Chunks(), memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		defer c.Release()
		cols[i] = c
	}
	return array.NewRecordBatch(tbl.Schema(), cols, tbl.NumRows()), nil
}

func evalExpr(rec arrow.RecordBatch, src string) result {
	r := result{Expr: src}
	p, err := expr.Predicate(src, rec.Schema())
	if err != nil {
		r.Err = err.Error()
		return r
	}
	a, err := p.Eval(context.Background(), rec, expr.Options{Now: now})
	if err != nil {
		r.Err = err.Error()
		return r
	}
	defer a.Release()
	b := a.(*array.Boolean)
	ids := rec.Column(rec.Schema().FieldIndices("id")[0]).(*array.Int64)
	for i := 0; i < b.Len(); i++ {
		switch {
		case b.IsNull(i):
			r.Null++
			r.NullIDSum += ids.Value(i)
		case b.Value(i):
			r.True++
			r.TrueIDSum += ids.Value(i)
		default:
			r.False++
		}
	}
	return r
}

// printQuery runs q with DuckDB and prints the first row's values.
func printQuery(q string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range cols {
			fmt.Printf("%s = %#v\n", c, vals[i])
		}
	}
	return rows.Err()
}
