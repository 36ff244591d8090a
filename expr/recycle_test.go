package expr

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestRecycler: the zero value is ready; a freed buffer comes back,
// zeroed and as long as its capacity, to the next allocation of its size
// class; at most 64 MiB of freed buffers are kept. (internal/mempool's
// tests test the pool in full: alignment, Reallocate, the bound.)
func TestRecycler(t *testing.T) {
	var r Recycler
	a := r.Allocate(10000)
	for i := range a {
		a[i] = 0xAB
	}
	r.Free(a)
	b := r.Allocate(10000)
	if &b[0] != &a[0] || len(b) != 10000 || cap(b) != 10000 || !bytes.Equal(b, make([]byte, 10000)) {
		t.Errorf("Allocate(10000) after freeing a 10000-byte buffer: reused %v, len %d cap %d, zeroed %v",
			&b[0] == &a[0], len(b), cap(b), bytes.Equal(b, make([]byte, 10000)))
	}
	var big [][]byte
	for range 40 {
		big = append(big, r.Allocate(2<<20))
	}
	for _, x := range big {
		r.Free(x)
	}
	if n := r.Retained(); n > 64<<20 || n < 60<<20 {
		t.Errorf("%d bytes kept, want at most 64 MiB and most of it", n)
	}
}

// TestRecyclerEval evaluates the DuckDB agreement's expressions over its
// sample of the benchmark data batch after batch with one Recycler, and
// compares every result with an evaluation by a checked Go allocator.
func TestRecyclerEval(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
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
	rd := array.NewJSONReader(f, schema, array.WithAllocator(mem), array.WithChunk(-1))
	defer rd.Release()
	if !rd.Next() {
		t.Fatalf("sample: %v", rd.Err())
	}
	whole := rd.RecordBatch()
	results, err := os.ReadFile("testdata/duckdb/duckdb_results.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var srcs []string
	dec := json.NewDecoder(bytes.NewReader(results))
	for dec.More() {
		var r duckResult
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, r.Expr)
	}
	now := time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	var rec Recycler
	compared := 0
	for _, src := range srcs {
		p, err := Compile(src, schema)
		if err != nil {
			continue
		}
		// Batches of 100 rows, then the whole sample: buffers of every
		// size come back.
		for _, part := range [][2]int64{{0, 100}, {100, 200}, {200, 500}, {0, 500}} {
			b := whole.NewSlice(part[0], part[1])
			want, werr := p.Eval(context.Background(), b, Options{Mem: mem, Now: now})
			got, gerr := p.Eval(context.Background(), b, Options{Mem: &rec, Now: now})
			b.Release()
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%s: error %v with the Recycler, %v without", src, gerr, werr)
			}
			if werr != nil {
				continue
			}
			if !array.Equal(want, got) {
				t.Fatalf("%s, rows %v: with the Recycler\n%v\nwithout\n%v", src, part, got, want)
			}
			want.Release()
			got.Release()
			compared++
		}
	}
	if compared < 3000 {
		t.Errorf("only %d results compared", compared)
	}
}
