package expr

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// duckResult is one line of testdata/duckdb/duckdb_results.jsonl.
type duckResult struct {
	Expr                 string `json:"expr"`
	True, False, Null    int64
	TrueIDSum, NullIDSum int64
	Err                  string `json:"err"`
}

// TestAgreesWithDuckDB evaluates 1,000 generated predicates over 500 rows
// of the benchmark data and compares each with DuckDB's pinned answer
// (see testdata/duckdb/README.md). Every result must agree, except for
// the one documented class: an overflow in a branch DuckDB's optimizer
// skips (NULL + x, x AND FALSE), which is an error here and not there.
func TestAgreesWithDuckDB(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := benchSample(t, mem)
	defer rec.Release()
	schema := rec.Schema()
	ids := rec.Column(0).(*array.Int64)

	rf, err := os.Open("testdata/duckdb/duckdb_results.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	now := time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	var agree, deadBranch, total int
	sc := bufio.NewScanner(rf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var want duckResult
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		total++
		p, err := Predicate(want.Expr, schema)
		if err != nil {
			t.Errorf("%s: %v", want.Expr, err)
			continue
		}
		out, err := p.Eval(t.Context(), rec, Options{Mem: mem, Now: now})
		switch {
		case want.Err != "" && errors.Is(err, ErrOverflow):
			agree++
			continue
		case want.Err != "":
			t.Errorf("%s: DuckDB: %s; expr: %v", want.Expr, want.Err, err)
			continue
		case errors.Is(err, ErrOverflow):
			deadBranch++
			continue
		case err != nil:
			t.Errorf("%s: %v", want.Expr, err)
			continue
		}
		var got duckResult
		b := out.(*array.Boolean)
		for i := 0; i < b.Len(); i++ {
			switch {
			case b.IsNull(i):
				got.Null++
				got.NullIDSum += ids.Value(i)
			case b.Value(i):
				got.True++
				got.TrueIDSum += ids.Value(i)
			default:
				got.False++
			}
		}
		out.Release()
		got.Expr = want.Expr
		if got != want {
			t.Errorf("%s\n  expr:   %+v\n  duckdb: %+v", want.Expr, got, want)
			continue
		}
		agree++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if total != 1000 {
		t.Errorf("%d pinned results, want 1000", total)
	}
	t.Logf("%d of %d agree with DuckDB; %d overflow in a branch DuckDB skips", agree, total, deadBranch)
}
