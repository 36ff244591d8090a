package expr

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestRecycler: a freed buffer comes back, zeroed and 64-byte aligned,
// to an allocation of its size only, as long as its capacity; Reallocate
// keeps the contents and zeroes what it adds; at most maxKept buffers
// are kept per size, and past maxKeptBytes in all everything kept is
// dropped.
func TestRecycler(t *testing.T) {
	var r Recycler
	a := r.Allocate(100)
	if len(a) != 100 || cap(a) != 100 {
		t.Fatalf("Allocate(100): len %d cap %d, want 100 and 100", len(a), cap(a))
	}
	for i := range a {
		a[i] = 0xAB
	}
	r.Free(a)
	if b := r.Allocate(70); &b[0] == &a[0] {
		t.Errorf("Allocate(70) got the freed 100-byte buffer")
	}
	b := r.Allocate(100)
	if &b[0] != &a[0] || cap(b) != 100 {
		t.Errorf("Allocate(100) after freeing a 100-byte buffer: a new buffer (cap %d), want the freed one", cap(b))
	}
	for i, x := range b {
		if x != 0 {
			t.Fatalf("reused buffer: byte %d is %#x, want 0", i, x)
		}
	}
	if uintptr(unsafe.Pointer(&b[0]))%64 != 0 {
		t.Errorf("buffer not 64-byte aligned")
	}
	b[0], b[69] = 1, 2
	c := r.Reallocate(70, b)
	if len(c) != 70 || cap(c) != 70 || &c[0] != &b[0] || c[0] != 1 || c[69] != 2 {
		t.Errorf("Reallocate(70) of 100 bytes: len %d cap %d, moved or lost the contents", len(c), cap(c))
	}
	d := r.Reallocate(1000, c)
	if len(d) != 1000 || cap(d) != 1000 || d[0] != 1 || d[69] != 2 || d[70] != 0 {
		t.Errorf("Reallocate(1000): len %d cap %d, contents %d %d %d", len(d), cap(d), d[0], d[69], d[70])
	}
	if e := r.Allocate(70); &e[0] != &c[0] {
		t.Errorf("the buffer Reallocate outgrew was not kept")
	}
	for range 2 * maxKept {
		r.Free(make([]byte, 256))
	}
	if n := len(r.free[256]); n != maxKept {
		t.Errorf("%d buffers of 256 bytes kept, want %d", n, maxKept)
	}
	r.Free(make([]byte, maxKeptBytes-1))
	if r.kept != maxKeptBytes-1 || len(r.free[256]) != 0 {
		t.Errorf("past maxKeptBytes: %d bytes kept, %d buffers of 256", r.kept, len(r.free[256]))
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
