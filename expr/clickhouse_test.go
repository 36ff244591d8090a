package expr

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/internal/chtest"
)

// TestAgreesWithClickHouse prints the 1,000 generated predicates of
// TestAgreesWithDuckDB in the ClickHouse dialect and evaluates them on a
// Distributed table over two ClickHouse shards holding the same 500
// rows: every predicate the dialect does not refuse gives DuckDB's pinned
// counts (TRUE, FALSE and NULL rows and the sums of their ids), and an
// overflow DuckDB reports is an error in ClickHouse too.
func TestAgreesWithClickHouse(t *testing.T) {
	ch := chtest.Start(t)
	schema := arrow.NewSchema([]arrow.Field{
		field("id", arrow.PrimitiveTypes.Int64), field("age", arrow.PrimitiveTypes.Int64),
		field("income", arrow.PrimitiveTypes.Float64), field("score", arrow.PrimitiveTypes.Float64),
		field("region", arrow.BinaryTypes.String), field("label", arrow.PrimitiveTypes.Int64),
		field("x", arrow.PrimitiveTypes.Float64), field("y", arrow.PrimitiveTypes.Float64),
	}, nil)
	f, err := os.Open("testdata/duckdb/bench_sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := array.NewJSONReader(f, schema, array.WithAllocator(memory.DefaultAllocator), array.WithChunk(-1))
	defer rd.Release()
	if !rd.Next() {
		t.Fatalf("sample: %v", rd.Err())
	}
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rd.RecordBatch()})
	defer tbl.Release()
	ch.Load(t, "bench", tbl, false)

	client := &http.Client{Timeout: time.Minute}
	query := func(q string) (string, error) {
		resp, err := client.Post(ch.DSN()+"?max_execution_time=60", "text/plain", strings.NewReader(q+" FORMAT TabSeparated"))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%s", strings.TrimSpace(string(b)))
		}
		return strings.TrimSpace(string(b)), nil
	}
	d := *ClickHouse
	d.Now = time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)

	rf, err := os.Open("testdata/duckdb/duckdb_results.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	var agree, refused, total int
	reasons := map[string]int{}
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
			t.Fatalf("%s: %v", want.Expr, err)
		}
		cond, err := p.SQLIn(&d)
		if err != nil {
			refused++
			_, why, _ := strings.Cut(err.Error(), ": ")
			reasons[why]++
			continue
		}
		out, err := query(`SELECT countIf(ifNull(` + cond + `, 0)), countIf(ifNull(not(` + cond + `), 0)), countIf(isNull(` + cond + `)),
			sumIf(id, ifNull(` + cond + `, 0)), sumIf(id, isNull(` + cond + `)) FROM bench`)
		switch {
		case want.Err != "" && err != nil:
			agree++
			continue
		case err != nil:
			t.Errorf("%s\n  clickhouse: %s\n  error: %v", want.Expr, cond, err)
			continue
		case want.Err != "":
			t.Errorf("%s: DuckDB: %s; ClickHouse: no error (%s)\n  clickhouse: %s", want.Expr, want.Err, out, cond)
			continue
		}
		var got duckResult
		fields := strings.Split(out, "\t")
		if len(fields) != 5 {
			t.Fatalf("%s: ClickHouse answered %q", want.Expr, out)
		}
		for i, p := range []*int64{&got.True, &got.False, &got.Null, &got.TrueIDSum, &got.NullIDSum} {
			if *p, err = strconv.ParseInt(fields[i], 10, 64); err != nil {
				t.Fatalf("%s: ClickHouse answered %q", want.Expr, out)
			}
		}
		got.Expr = want.Expr
		if got != want {
			t.Errorf("%s\n  clickhouse: %s\n  got:    %+v\n  duckdb: %+v", want.Expr, cond, got, want)
			continue
		}
		agree++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d agree with DuckDB on two ClickHouse shards; %d refused by the dialect: %v", agree, total-refused, refused, reasons)
	if total-refused < 400 {
		t.Errorf("only %d predicates compared", total-refused)
	}
}
