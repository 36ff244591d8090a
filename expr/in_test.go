package expr

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestInStrings pins X [NOT] IN over a VARCHAR column with short lists of
// strings (compared word by word) and long ones (is_in): lengths around
// 8 bytes, equal first 8 bytes, NUL bytes, the last row at the end of the
// data buffer, NULL rows and NULL in the list. Hand-computed.
func TestInStrings(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{field("s", arrow.BinaryTypes.String)}, nil)
	// rows: "", "a", "ab\u0000", "north", null, "abcdefgh", "abcdefghi", "ab", "south"
	rows := `[{"s":""},{"s":"a"},{"s":"ab\u0000"},{"s":"north"},{"s":null},{"s":"abcdefgh"},{"s":"abcdefghi"},{"s":"ab"},{"s":"south"}]`
	checkCases(t, s, rows, time.Time{}, []evalCase{
		{src: "s IN ('north', 'south')", want: `[false,false,false,true,null,false,false,false,true]`},
		{src: "s NOT IN ('north', 'south')", want: `[true,true,true,false,null,true,true,true,false]`},
		{src: "s IN ('ab')", want: `[false,false,false,false,null,false,false,true,false]`},
		{src: "s IN ('')", want: `[true,false,false,false,null,false,false,false,false]`},
		{src: "s IN ('abcdefgh')", want: `[false,false,false,false,null,true,false,false,false]`},
		{src: "s IN ('abcdefghi', 'a')", want: `[false,true,false,false,null,false,true,false,false]`},
		{src: "s IN ('abcdefghij')", want: `[false,false,false,false,null,false,false,false,false]`},
		// A NULL in the list: no match is NULL.
		{src: "s IN ('south', NULL)", want: `[null,null,null,null,null,null,null,null,true]`},
		{src: "s NOT IN ('south', NULL)", want: `[null,null,null,null,null,null,null,null,false]`},
		{src: "s IN (NULL)", want: `[null,null,null,null,null,null,null,null,null]`},
		// Nine constants: is_in's hash set, the same answers.
		{src: "s IN ('north', 'south', 'east', 'west', 'c', 'd', 'e', 'f', 'ab')", want: `[false,false,false,true,null,false,false,true,true]`},
		{src: "s NOT IN ('north', 'south', 'east', 'west', 'c', 'd', 'e', 'f', NULL)", want: `[null,null,null,false,null,null,null,null,false]`},
		{src: "'north' IN ('north', 'south')", want: `[true,true,true,true,true,true,true,true,true]`},
		{src: "lower(s) IN ('north', 'ab')", want: `[false,false,false,true,null,false,false,true,false]`},
	})
}

// TestInStringsProperty compares X [NOT] IN (constants) over random
// strings, sliced at random offsets, with SQL's definition computed
// row by row: NULL for a NULL row; TRUE for a match; otherwise NULL when
// the list holds a NULL, else FALSE (negated for NOT IN).
func TestInStringsProperty(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		var b strings.Builder
		for range r.IntN(11) {
			b.WriteByte("ab\x00"[r.IntN(3)])
		}
		return b.String()
	}
	schema := arrow.NewSchema([]arrow.Field{field("s", arrow.BinaryTypes.String)}, nil)
	for round := range 300 {
		n := 1 + r.IntN(40)
		bld := array.NewStringBuilder(mem)
		vals := make([]*string, n)
		for i := range vals {
			if r.IntN(6) == 0 {
				bld.AppendNull()
				continue
			}
			w := word()
			vals[i] = &w
			bld.Append(w)
		}
		col := bld.NewArray()
		bld.Release()
		lo := r.IntN(n)
		hi := lo + r.IntN(n-lo+1)
		sliced := array.NewSlice(col, int64(lo), int64(hi))
		col.Release()
		rec := array.NewRecordBatch(schema, []arrow.Array{sliced}, int64(hi-lo))
		sliced.Release()

		var list []string
		var lits []string
		hasNull := false
		for range 1 + r.IntN(10) {
			if r.IntN(8) == 0 {
				list = append(list, "NULL")
				hasNull = true
				continue
			}
			w := word()
			lits = append(lits, w)
			list = append(list, quoteString(w))
		}
		not := r.IntN(2) == 0
		op := "IN"
		if not {
			op = "NOT IN"
		}
		src := fmt.Sprintf("s %s (%s)", op, strings.Join(list, ", "))
		p, err := Compile(src, schema)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		out, err := p.Eval(context.Background(), rec, Options{Mem: mem})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		got := out.(*array.Boolean)
		for i, v := range vals[lo:hi] {
			var want *bool
			switch {
			case v == nil:
			case slices.Contains(lits, *v):
				b := !not
				want = &b
			case !hasNull:
				b := not
				want = &b
			}
			switch {
			case want == nil && got.IsValid(i):
				t.Fatalf("round %d: %s, row %d (%q): got %v, want NULL", round, src, i, *v, got.Value(i))
			case want != nil && (got.IsNull(i) || got.Value(i) != *want):
				t.Fatalf("round %d: %s, row %d (%q): got %v (null %v), want %v", round, src, i, *v, got.Value(i), got.IsNull(i), *want)
			}
		}
		if got.NullN() != countNulls(got) {
			t.Fatalf("round %d: %s: NullN %d, %d null rows", round, src, got.NullN(), countNulls(got))
		}
		out.Release()
		rec.Release()
		if mem.CurrentAlloc() != 0 {
			t.Fatalf("round %d: %s over rows %d..%d of %d: %d bytes held", round, src, lo, hi, n, mem.CurrentAlloc())
		}
	}
}

func countNulls(a arrow.Array) int {
	k := 0
	for i := range a.Len() {
		if a.IsNull(i) {
			k++
		}
	}
	return k
}
