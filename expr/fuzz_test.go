package expr

import "testing"

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
