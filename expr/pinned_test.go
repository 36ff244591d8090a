package expr

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// benchSchema is the schema of testdata/duckdb/bench_sample.jsonl.
func benchSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		field("id", arrow.PrimitiveTypes.Int64), field("age", arrow.PrimitiveTypes.Int64),
		field("income", arrow.PrimitiveTypes.Float64), field("score", arrow.PrimitiveTypes.Float64),
		field("region", arrow.BinaryTypes.String), field("label", arrow.PrimitiveTypes.Int64),
		field("x", arrow.PrimitiveTypes.Float64), field("y", arrow.PrimitiveTypes.Float64),
	}, nil)
}

// benchSample reads the 500 rows of testdata/duckdb/bench_sample.jsonl,
// the rows DuckDB's answers are pinned on, into one batch allocated by
// mem, which the caller releases.
func benchSample(t *testing.T, mem memory.Allocator) arrow.RecordBatch {
	t.Helper()
	f, err := os.Open("testdata/duckdb/bench_sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := array.NewJSONReader(f, benchSchema(), array.WithAllocator(mem), array.WithChunk(-1))
	defer rd.Release()
	if !rd.Next() {
		t.Fatalf("sample: %v", rd.Err())
	}
	rec := rd.RecordBatch()
	if rec.NumRows() != 500 {
		t.Fatalf("sample has %d rows, want 500", rec.NumRows())
	}
	rec.Retain()
	return rec
}

// benchTable is benchSample as a table, for loading into an engine; the
// caller releases it.
func benchTable(t *testing.T) arrow.Table {
	t.Helper()
	rec := benchSample(t, memory.DefaultAllocator)
	defer rec.Release()
	return array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
}

// eachPinned calls fn with each of DuckDB's answers pinned in
// testdata/duckdb/duckdb_results.jsonl, in order, and returns how many
// there were.
func eachPinned(t *testing.T, fn func(want duckResult)) int {
	t.Helper()
	rf, err := os.Open("testdata/duckdb/duckdb_results.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	n := 0
	sc := bufio.NewScanner(rf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var want duckResult
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		n++
		fn(want)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// sqlAgreement counts how the pinned predicates fared on a SQL engine:
// those that agree with DuckDB, those the dialect refuses (by reason),
// and those whose engine error is a documented difference (excused).
type sqlAgreement struct {
	agree, refused, excused, total int
	reasons                        map[string]int
}

// agreeInSQL prints every pinned predicate in dialect d and counts its
// rows on an engine with count (TRUE, FALSE and NULL rows and the sums of
// their ids), reporting each answer that is not DuckDB's. An engine error
// agrees where DuckDB pinned one; an error excused reports (nil: none) is
// a documented difference, counted apart. At least 400 predicates must be
// compared.
func agreeInSQL(t *testing.T, d *Dialect, count func(cond string) (duckResult, error), excused func(error) bool) sqlAgreement {
	t.Helper()
	schema := benchSchema()
	a := sqlAgreement{reasons: map[string]int{}}
	a.total = eachPinned(t, func(want duckResult) {
		p, err := Predicate(want.Expr, schema)
		if err != nil {
			t.Fatalf("%s: %v", want.Expr, err)
		}
		cond, err := p.SQLIn(d)
		if err != nil {
			a.refused++
			_, why, _ := strings.Cut(err.Error(), ": ")
			a.reasons[why]++
			return
		}
		got, err := count(cond)
		switch {
		case want.Err != "" && err != nil:
			a.agree++
			return
		case err != nil && excused != nil && excused(err):
			a.excused++
			return
		case err != nil:
			t.Errorf("%s\n  %s: %s\n  error: %v", want.Expr, d.Name, cond, err)
			return
		case want.Err != "":
			t.Errorf("%s: DuckDB: %s; %s: no error (%+v)\n  %s: %s", want.Expr, want.Err, d.Name, got, d.Name, cond)
			return
		}
		got.Expr = want.Expr
		if got != want {
			t.Errorf("%s\n  %s: %s\n  got:    %+v\n  duckdb: %+v", want.Expr, d.Name, cond, got, want)
			return
		}
		a.agree++
	})
	if a.total-a.refused < 400 {
		t.Errorf("only %d predicates compared", a.total-a.refused)
	}
	return a
}
