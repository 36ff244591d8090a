package expr

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzParse checks that Parse never panics and that printing is a fixed
// point: parse → print → parse gives the same tree, and printing that tree
// gives the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a + b * c", `"Solar.R" >= 0 AND Ozone IS NOT NULL`, "x NOT IN (1, NULL, 'a')", "-(5) - -5",
		"s LIKE 'a!%' ESCAPE '!'", "d BETWEEN DATE '2026-01-01' AND today()", "TIMESTAMP '2026-11-30 12:00:00+02:00'",
		"ts > now() - INTERVAL '1 day 2 hours'", "coalesce(a, b, 1.5e-3) <> round(x, 2)", "NOT NOT (a = b) = c",
		"(x IS NULL) IS NOT NULL", "1e308 * 10", "'it''s' = \"q\"\"\"", "-0.0", "NOT -a < b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		printed := String(e)
		e2, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its print %q does not parse: %v", src, printed, err)
		}
		if d1, d2 := dump(e), dump(e2); d1 != d2 {
			t.Fatalf("round trip of %q via %q changed the tree:\n%s\n%s", src, printed, d1, d2)
		}
		if again := String(e2); again != printed {
			t.Fatalf("print is not a fixed point: %q then %q", printed, again)
		}
	})
}

// FuzzEval checks that every expression that compiles against a small
// schema evaluates without panicking or leaking, to a result of the
// program's type and the batch's length, or to an error.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		"i + 1 > f", "s LIKE 'a%' OR b", "d + i < DATE '2026-01-01'", "t > now() - INTERVAL '1 day'",
		"coalesce(i, 2) IN (1, NULL, 2.5)", "f / i BETWEEN -1 AND 1", "year(t) = 2026 AND month(d) < 6",
		"upper(s) = lower(s) AND length(trim(s)) > 0", "abs(i) * -i <> round(f, 1)", "NOT b IS NULL",
	} {
		f.Add(s)
	}
	schema := arrow.NewSchema([]arrow.Field{
		field("i", arrow.PrimitiveTypes.Int64), field("f", arrow.PrimitiveTypes.Float64), field("s", arrow.BinaryTypes.String),
		field("b", arrow.FixedWidthTypes.Boolean), field("d", arrow.FixedWidthTypes.Date32),
		field("t", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Europe/Paris"}),
	}, nil)
	rows := `[{"i":1,"f":0.5,"s":"abc","b":true,"d":"2026-03-29","t":"2026-03-29T01:30:00Z"},
	{"i":null,"f":null,"s":null,"b":null,"d":null,"t":null},
	{"i":-9223372036854775808,"f":-0.0,"s":"é_%","b":false,"d":"1970-01-01","t":"1970-01-01T00:00:00Z"}]`
	now := time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile(src, schema)
		if err != nil {
			return
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(rows))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		out, err := p.Eval(context.Background(), rec, Options{Mem: mem, Now: now})
		if err != nil {
			return
		}
		defer out.Release()
		want := p.Type.Arrow()
		if p.Type.Kind == NullKind {
			want = arrow.FixedWidthTypes.Boolean
		}
		if out.Len() != 3 || !arrow.TypeEqual(out.DataType(), want) {
			t.Fatalf("%s: %d rows of %s, want 3 of %s", src, out.Len(), out.DataType(), want)
		}
	})
}
