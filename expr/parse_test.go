package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestParseTree(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"a + b * c", `(+ (col "a") (* (col "b") (col "c")))`},
		{"(a + b) * c", `(* (+ (col "a") (col "b")) (col "c"))`},
		{"a - b - c", `(- (- (col "a") (col "b")) (col "c"))`},
		{"NOT a = 1 OR b AND c", `(OR (NOT (= (col "a") (int 1))) (AND (col "b") (col "c")))`},
		{`"Solar.R" >= 0`, `(>= (col "Solar.R") (int 0))`},
		{`"a ""q"" b" IS NOT NULL`, `(isnull true (col "a \"q\" b"))`},
		{"-9223372036854775808", `(int -9223372036854775808)`},
		{"-(5)", `(- (int 5))`},
		{"a - -5", `(- (col "a") (int -5))`},
		{"2.5e3 != .5", `(<> (float 0x1.388p+11) (float 0x1p-01))`},
		{"'it''s'", `(str "it's")`},
		{"x NOT IN (1, NULL)", `(in true (col "x") (int 1) NULL)`},
		{"x BETWEEN 1 AND 2 AND y", `(AND (between false (col "x") (int 1) (int 2)) (col "y"))`},
		{"s NOT LIKE 'a!%' ESCAPE '!'", `(like true (col "s") "a!%" "!")`},
		{"DATE '2026-11-30'", `(date 2026-11-30T00:00:00Z)`},
		{"TIMESTAMP '2026-11-30 12:00:00+02:00'", `(ts 2026-11-30T10:00:00Z true)`},
		{"TIMESTAMP '2026-11-30 12:00:00.123456'", `(ts 2026-11-30T12:00:00.123456Z false)`},
		{"INTERVAL '1 day 2 hours'", `(interval {Months:0 Days:1 Micros:7200000000})`},
		{"INTERVAL '-1 weeks'", `(interval {Months:0 Days:-7 Micros:0})`},
		{"date > DATE '2026-01-01'", `(> (col "date") (date 2026-01-01T00:00:00Z))`}, // a column named date
		{"ROUND(x, 2)", `(call round (col "x") (int 2))`},
		{"now()", `(call now)`},
		{"true and FALSE", `(AND true false)`},
	} {
		e, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if got := dump(e); got != c.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"a +", `1:4: expected a column, a constant, a function call or (, found end of expression`},
		{"a = 1 = 2", `1:7: "=" cannot follow a comparison without parentheses`},
		{"a IS NULL IS NULL", `1:11: "IS" cannot follow a comparison without parentheses`},
		{"amount >= 10 AND\n  name = 'unterminated", `2:10: unterminated string`},
		{`"Solar.R`, `1:1: unterminated quoted column name`},
		{`""`, `1:1: empty column name`},
		{"a -- comment", `1:3: comments (--) are not allowed in an expression`},
		{"9223372036854775808", `1:1: integer 9223372036854775808 is out of range (64-bit); write 9223372036854775808.0 for a float`},
		{"1e999", `1:1: number 1e999 is out of range`},
		{"12abc", `1:3: unexpected 'a' after number 12`},
		{"a ; b", `1:3: unexpected character ';'`},
		{"année > 1", `1:4: unexpected character 'é'; double-quote a column name that is not plain ASCII letters, digits and _`},
		{"DATE '2026-13-01'", `1:6: DATE '2026-13-01': want YYYY-MM-DD`},
		{"INTERVAL '1 fortnight'", `1:10: INTERVAL '1 fortnight': want a count and a unit, e.g. '1 day' or '2 hours 30 minutes' (units: year, month, week, day, hour, minute, second, millisecond, microsecond)`},
		{"s LIKE x", `1:8: LIKE needs a string constant pattern, found "x"`},
		{"s LIKE 'a' ESCAPE 'ab'", `1:19: ESCAPE needs a string of one character, found string 'ab'`},
		{"x IN ()", `1:7: expected a column, a constant, a function call or (, found ")"`},
		{"x BETWEEN 1 OR 2", `1:13: expected AND, found "OR"`},
		{"f(a b)", `1:5: expected ), found "b"`},
		{"(a", `1:3: expected ), found end of expression`},
		{"a b", `1:3: unexpected "b" after the expression`},
		{strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), `1:202: expression nested too deeply (more than 200 levels)`},
		{strings.Repeat("NOT ", 300) + "x", `1:805: expression nested too deeply (more than 200 levels)`},
	} {
		_, err := Parse(c.src)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want an *Error", c.src, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", c.src, err, c.want)
		}
	}
}

func TestPositionOf(t *testing.T) {
	src := "a >= 1 AND\n  é = 'x'"
	for _, c := range []struct {
		off  Pos
		want Position
	}{
		{0, Position{0, 1, 1}}, {5, Position{5, 1, 6}}, {13, Position{13, 2, 3}}, {16, Position{16, 2, 5}}, {NoPos, Position{}},
	} {
		if got := PositionOf(src, c.off); got != c.want {
			t.Errorf("PositionOf(%d) = %+v, want %+v", c.off, got, c.want)
		}
	}
}

var airquality = arrow.NewSchema([]arrow.Field{
	field("Ozone", arrow.PrimitiveTypes.Int64), field("Solar.R", arrow.PrimitiveTypes.Int64),
	field("Wind", arrow.PrimitiveTypes.Float64), field("Month", arrow.BinaryTypes.String),
	field("date", arrow.FixedWidthTypes.Date32), field("tags", arrow.ListOf(arrow.BinaryTypes.String)),
}, nil)

func TestCheckErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"Solar_R > 0", `1:1: unknown column "Solar_R" (did you mean "Solar.R"?)`},
		{"ozone > 0 AND wnd < 3", `1:15: unknown column wnd (did you mean "Wind"?)`},
		{"zzzzzzzz > 1", `1:1: unknown column zzzzzzzz (columns: Ozone, Solar.R, Wind, Month, date, tags)`},
		{"Ozone > 'high'", `1:9: cannot compare BIGINT with VARCHAR (quote or unquote the constant to match the column)`},
		{"Month IN (5, 6)", "1:11: IN list element has type BIGINT, which cannot be compared with VARCHAR\n1:14: IN list element has type BIGINT, which cannot be compared with VARCHAR"},
		{"Wind + Month", `1:8: cannot compute DOUBLE + VARCHAR`},
		{"date >= '2026-01-01'", `1:9: cannot compare DATE with VARCHAR (write a date constant as DATE 'YYYY-MM-DD')`},
		{"Ozone AND Wind > 1", `1:1: AND needs conditions on both sides, got BIGINT (compare it, e.g. x > 0)`},
		{"NOT Month", `1:5: NOT needs a condition, got VARCHAR`},
		{"Wind LIKE 'a%'", `1:1: LIKE needs a string, got DOUBLE`},
		{"-Month = 'a'", `1:2: unary - needs a number, got VARCHAR`},
		{"lenght(Month) > 2", `1:1: unknown function lenght (did you mean length?)`},
		{"round(Wind, Ozone) > 1", `1:13: round: argument 2 digits must be an integer constant between -18 and 18 (round(number [, digits integer constant]) → same type)`},
		{"upper(Wind) = 'A'", `1:7: upper: argument 1 needs a string, got DOUBLE (upper(string) → VARCHAR)`},
		{"year(Month) = 2026", `1:6: year: argument 1 needs a date or a timestamp, got VARCHAR (year(date or timestamp) → BIGINT)`},
		{"now(1) > date", `1:1: now takes 0 arguments, got 1 (now() → TIMESTAMP WITH TIME ZONE 'UTC' (Options.Now))`},
		{"coalesce(Ozone, Month) = 1", `1:17: coalesce: argument 2 has type VARCHAR, unlike the earlier arguments' BIGINT (coalesce(x, y, ...) → common type)`},
		{"Wind BETWEEN 'a' AND 3", `1:14: BETWEEN bound has type VARCHAR, which cannot be compared with DOUBLE`},
		{"cardinality(tags) > 0", `1:1: unknown function cardinality`},
		{"tags IS NULL", `1:1: column tags has type list<item: utf8, nullable>, which expressions cannot read`},
		{"date - INTERVAL '1 day' > TIMESTAMP '2026-01-01 00:00:00' AND\n  Ozon > 1", `2:3: unknown column "Ozon" (did you mean "Ozone"?)`},
	} {
		_, err := Compile(c.src, airquality)
		if err == nil {
			t.Errorf("Compile(%q) succeeded", c.src)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("Compile(%q)\n got %s\nwant %s", c.src, err, c.want)
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Pos.Line == 0 {
			t.Errorf("Compile(%q): no positioned *Error in %v", c.src, err)
		}
	}
}

func TestCheckTypes(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"Ozone + 1", "BIGINT"}, {"Ozone / 2", "DOUBLE"}, {"Ozone + Wind", "DOUBLE"}, {"ozone > 1", "BOOLEAN"},
		{"date + 1", "DATE"}, {"date - date", "BIGINT"}, {"date + INTERVAL '1 hour'", "TIMESTAMP"},
		{"now() - INTERVAL '1 day'", "TIMESTAMP WITH TIME ZONE 'UTC'"}, {"coalesce(NULL, Wind, Ozone)", "DOUBLE"},
		{"NULL", "NULL"}, {"NULL + 1", "BIGINT"}, {"length(Month)", "BIGINT"}, {"round(Wind, 1)", "DOUBLE"},
	} {
		p, err := Compile(c.src, airquality)
		if err != nil {
			t.Errorf("Compile(%q): %v", c.src, err)
			continue
		}
		if got := p.Type.String(); got != c.want {
			t.Errorf("type of %q = %s, want %s", c.src, got, c.want)
		}
	}
	p, err := Compile(`"Solar.R" > ozone AND Ozone < 100 AND wind > 0`, airquality)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Columns(), ","); got != "Solar.R,Ozone,Wind" {
		t.Errorf("Columns = %s", got)
	}
	if _, err := Predicate("Ozone + 1", airquality); err == nil || err.Error() != "1:1: expression has type BIGINT, want a condition (BOOLEAN) (compare it, e.g. x > 0)" {
		t.Errorf("Predicate of a number: %v", err)
	}
	if _, err := Predicate("Ozone > 1", airquality); err != nil {
		t.Errorf("Predicate: %v", err)
	}
}
