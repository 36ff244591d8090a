package expr

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestPrint(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"a+b*c", "a + b * c"},
		{"(a+b)*c", "(a + b) * c"},
		{"a-(b-c)", "a - (b - c)"},
		{"a-(b+c)", "a - (b + c)"},
		{"(a-b)-c", "a - b - c"},
		{"a/(b*c)", "a / (b * c)"},
		{"NOT (a = 1)", "NOT a = 1"},
		{"(NOT a) = b", "(NOT a) = b"},
		{"(a = 1) = TRUE", "(a = 1) = TRUE"},
		{"a OR (b OR c)", "a OR (b OR c)"},
		{"(a OR b) AND c", "(a OR b) AND c"},
		{"-(5)", "-(5)"},
		{"-(-x)", "-(-x)"},
		{"- -x", "-(-x)"},
		{"a - -5", "a - -5"},
		{"-a * b", "-a * b"},
		{"-(a * b)", "-(a * b)"},
		{"1.0 + 1e300 + 0.1", "1.0 + 1e+300 + 0.1"},
		{`"Solar.R" > 0 AND Ozone < 1 AND "select" = x AND date = 1`, `"Solar.R" > 0 AND "Ozone" < 1 AND "select" = x AND "date" = 1`},
		{`"in" = "NULL"`, `"in" = "NULL"`},
		{"x in (1,2) and y not between 1 and 2", "x IN (1, 2) AND y NOT BETWEEN 1 AND 2"},
		{"(x IS NULL) IS NULL", "(x IS NULL) IS NULL"},
		{"(a < b) BETWEEN (c = d) AND (e LIKE 'x')", "(a < b) BETWEEN (c = d) AND (e LIKE 'x')"},
		{"(x IN (1)) IN (TRUE)", "(x IN (1)) IN (TRUE)"},
		{"x IN (a = b, c)", "x IN (a = b, c)"},
		{"s LIKE 'it''s' ESCAPE '!'", "s LIKE 'it''s' ESCAPE '!'"},
		{"x BETWEEN a + 1 AND b * 2", "x BETWEEN a + 1 AND b * 2"},
		{"x BETWEEN (a OR b) AND c", "x BETWEEN (a OR b) AND c"},
		{"TIMESTAMP '2026-11-30 12:00:00+02'", "TIMESTAMP '2026-11-30 10:00:00Z'"},
		{"TIMESTAMP '2026-11-30 12:00'", "TIMESTAMP '2026-11-30 12:00:00'"},
		{"INTERVAL '1 year 2 months 3 weeks 25 hours 61 minutes 1 millisecond'", "INTERVAL '14 months 21 days 26 hours 1 minutes 1000 microseconds'"},
		{"INTERVAL '0 days'", "INTERVAL '0 days'"},
		{"COALESCE(a, NULL, 1)", "coalesce(a, NULL, 1)"},
		{"now() - interval '1 day'", "now() - INTERVAL '1 days'"},
	} {
		e, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		got := String(e)
		if got != c.want {
			t.Errorf("String(Parse(%q))\n got %s\nwant %s", c.src, got, c.want)
		}
		e2, err := Parse(got)
		if err != nil {
			t.Errorf("re-parse of %q: %v", got, err)
			continue
		}
		if dump(e2) != dump(e) {
			t.Errorf("round trip of %q\n got %s\nwant %s", c.src, dump(e2), dump(e))
		}
	}
}

func TestPrintBuiltTrees(t *testing.T) {
	// Trees built in Go, without positions, print with the parentheses
	// their shape needs.
	a, b, c := &Column{Name: "a"}, &Column{Name: "b"}, &Column{Name: "c"}
	for _, tc := range []struct {
		e    Expr
		want string
	}{
		{&Binary{X: a, Op: OpMul, Y: &Binary{X: b, Op: OpAdd, Y: c}}, "a * (b + c)"},
		{&Unary{Op: OpNeg, X: &Literal{Kind: LitInt, Int: -5}}, "-(-5)"},
		{&Unary{Op: OpNeg, X: &Literal{Kind: LitFloat, Float: 2}}, "-(2.0)"},
		{&Binary{X: &Binary{X: a, Op: OpEq, Y: b}, Op: OpEq, Y: c}, "(a = b) = c"},
		{&IsNull{X: &Unary{Op: OpNot, X: a}}, "(NOT a) IS NULL"},
		{&Unary{Op: OpNot, X: &Unary{Op: OpNot, X: a}}, "NOT NOT a"},
	} {
		got := String(tc.e)
		if got != tc.want {
			t.Errorf("String = %s, want %s", got, tc.want)
		}
		e2, err := Parse(got)
		if err != nil || dump(e2) != dump(tc.e) {
			t.Errorf("round trip of %s: %v\n got %s\nwant %s", got, err, dump(e2), dump(tc.e))
		}
	}
}

func TestPrintDialects(t *testing.T) {
	e, err := Parse("ts > TIMESTAMP '2026-11-30 12:00:00+02:00' AND ts > now() - INTERVAL '1 day' AND d <= today()")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Print(&Binary{X: &Literal{Kind: LitFloat, Float: 123.24000000000001}, Op: OpMul, Y: &Literal{Kind: LitFloat, Float: -0.5}}, DuckDB), "1.2324000000000001e+02 * -5e-01"; got != want {
		t.Errorf("DuckDB floats: got %s, want %s", got, want)
	}
	if got, want := Print(e, DuckDB), "ts > TIMESTAMPTZ '2026-11-30 10:00:00+00' AND ts > now() - INTERVAL '1 days' AND d <= today()"; got != want {
		t.Errorf("DuckDB\n got %s\nwant %s", got, want)
	}
	fixed := *DuckDB
	fixed.Now = time.Date(2026, 11, 30, 5, 6, 7, 0, time.UTC)
	if got, want := Print(e, &fixed), "ts > TIMESTAMPTZ '2026-11-30 10:00:00+00' AND ts > TIMESTAMPTZ '2026-11-30 05:06:07+00' - INTERVAL '1 days' AND d <= DATE '2026-11-30'"; got != want {
		t.Errorf("DuckDB with Now\n got %s\nwant %s", got, want)
	}
	// A dialect's hooks change spellings without a switch in the printer.
	pg := &Dialect{Name: "postgres-like",
		Ident: func(n string) string { return "[" + n + "]" },
		Call: func(name string, args []string) (string, bool) {
			if name == "today" {
				return "CURRENT_DATE", true
			}
			return "", false
		}}
	if got, want := Print(e, pg), "[ts] > TIMESTAMP '2026-11-30 10:00:00Z' AND [ts] > now() - INTERVAL '1 days' AND [d] <= CURRENT_DATE"; got != want {
		t.Errorf("hooks\n got %s\nwant %s", got, want)
	}
}

func TestProgramSQL(t *testing.T) {
	p, err := Compile("date + Ozone > DATE '2026-01-01' AND date - 1 < today() AND 2 + date = date", airquality)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.SQL(DuckDB), `"date" + CAST("Ozone" AS INTEGER) > DATE '2026-01-01' AND "date" - CAST(1 AS INTEGER) < today() AND CAST(2 AS INTEGER) + "date" = "date"`; got != want {
		t.Errorf("DuckDB\n got %s\nwant %s", got, want)
	}
	if got, want := p.SQL(nil), `"date" + "Ozone" > DATE '2026-01-01' AND "date" - 1 < today() AND 2 + "date" = "date"`; got != want {
		t.Errorf("Generic\n got %s\nwant %s", got, want)
	}
}

func TestProgramSQLPostgreSQL(t *testing.T) {
	pg := *PostgreSQL
	pg.Now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ src, want, refused string }{
		// An unquoted name matched case-insensitively prints as the
		// schema spells it; integer arithmetic in bigint; a DOUBLE constant
		// cast (1.5 alone is numeric in PostgreSQL).
		{"ozone * 2 + Wind > 1.5", `CAST("Ozone" AS bigint) * 2 + "Wind" > CAST(1.5 AS double precision)`, ""},
		{"Month < 'b' AND Month NOT BETWEEN 'a' AND 'c' AND Month = 'x'",
			`"Month" COLLATE "C" < 'b' AND "Month" COLLATE "C" NOT BETWEEN 'a' AND 'c' AND "Month" = 'x'`, ""},
		{`Month LIKE 'a\%' AND Month LIKE 'a!%' ESCAPE '!'`, `"Month" LIKE 'a\%' ESCAPE '' AND "Month" LIKE 'a!%' ESCAPE '!'`, ""},
		{"date + Ozone > today() AND year(date) = 2026 AND length(Month) > 1",
			`"date" + CAST("Ozone" AS integer) > DATE '2026-11-30' AND CAST(EXTRACT(YEAR FROM "date") AS bigint) = 2026 AND char_length("Month") > 1`, ""},
		{"Ozone / 2 > 1 AND Wind / -0.5 < 0", `CAST("Ozone" AS double precision) / 2 > 1 AND CAST("Wind" AS double precision) / CAST(-0.5 AS double precision) < 0`, ""},
		{"Ozone / Wind > 1", "", `"Ozone" / "Wind": PostgreSQL raises an error on a division by zero`},
		{"Ozone / 0 > 1", "", `"Ozone" / 0: PostgreSQL raises an error`},
		{"round(Wind) > 1", "", "round(\"Wind\"): PostgreSQL rounds a double precision half to even"},
		{"lower(Month) = 'may'", "", "lower(\"Month\"): PostgreSQL's lower() follows the database's locale"},
	} {
		p, err := Predicate(c.src, airquality)
		if err != nil {
			if c.want == "" && c.refused == "" {
				continue // a source meant to fail to type-check
			}
			t.Fatalf("%s: %v", c.src, err)
		}
		got, err := p.SQLIn(&pg)
		switch {
		case c.refused != "":
			if err == nil || !strings.Contains(err.Error(), c.refused) {
				t.Errorf("%s: error %v, want %q", c.src, err, c.refused)
			}
		case err != nil:
			t.Errorf("%s: %v", c.src, err)
		case c.want != "" && got != c.want:
			t.Errorf("%s\n got %s\nwant %s", c.src, got, c.want)
		}
	}
	// now() and a zoned timestamp are TIMESTAMPTZ constants: PostgreSQL's
	// TIMESTAMP would drop the zone.
	l := []*Literal{{Kind: LitFloat, Float: math.NaN()}, {Kind: LitFloat, Float: math.Inf(-1)}}
	if got, want := Print(&Binary{X: l[0], Op: OpEq, Y: l[1]}, &pg), "CAST('NaN' AS double precision) = CAST('-Infinity' AS double precision)"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	e, err := Parse("ts > TIMESTAMP '2026-11-30 12:00:00+02:00' AND ts > now()")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Print(e, &pg), "ts > TIMESTAMPTZ '2026-11-30 10:00:00+00' AND ts > TIMESTAMPTZ '2026-11-30 12:00:00+00'"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
