package expr

import (
	"errors"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The nine pairs of three-valued booleans, p-major: TT TF TN FT FF FN NT NF NN.
const pairs = `[{"p":true,"q":true},{"p":true,"q":false},{"p":true,"q":null},
{"p":false,"q":true},{"p":false,"q":false},{"p":false,"q":null},
{"p":null,"q":true},{"p":null,"q":false},{"p":null,"q":null}]`

func TestThreeValuedLogic(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{field("p", arrow.FixedWidthTypes.Boolean), field("q", arrow.FixedWidthTypes.Boolean)}, nil)
	// The truth tables of SQL (Kleene's strong three-valued logic).
	checkCases(t, s, pairs, time.Time{}, []evalCase{
		{src: "p AND q", want: `[true,false,null,false,false,false,null,false,null]`},
		{src: "p OR q", want: `[true,true,true,true,false,null,true,null,null]`},
		{src: "NOT p", want: `[false,false,false,true,true,true,null,null,null]`},
		{src: "NOT (p AND q)", want: `[false,true,null,true,true,true,null,true,null]`},
		{src: "p = q", want: `[true,false,null,false,true,null,null,null,null]`},
		{src: "p <> q", want: `[false,true,null,true,false,null,null,null,null]`},
		{src: "p IS NULL", want: `[false,false,false,false,false,false,true,true,true]`},
		{src: "q IS NOT NULL", want: `[true,true,false,true,true,false,true,true,false]`},
		{src: "p AND NULL", want: `[null,null,null,false,false,false,null,null,null]`},
		{src: "p OR NULL", want: `[true,true,true,null,null,null,null,null,null]`},
		{src: "NULL AND FALSE", want: `[false,false,false,false,false,false,false,false,false]`},
		{src: "NULL IS NULL", want: `[true,true,true,true,true,true,true,true,true]`},
		{src: "coalesce(p, q, FALSE)", want: `[true,true,true,false,false,false,true,false,false]`},
		{src: "p AND 1", err: "AND needs conditions on both sides, got BIGINT"},
	})
}

func TestNullPropagation(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{field("x", arrow.PrimitiveTypes.Int64), field("y", arrow.PrimitiveTypes.Int64)}, nil)
	rows := `[{"x":1,"y":2},{"x":null,"y":2},{"x":3,"y":null},{"x":2,"y":2}]`
	checkCases(t, s, rows, time.Time{}, []evalCase{
		{src: "x + y", want: `[3,null,null,4]`},
		{src: "x * NULL", want: `[null,null,null,null]`},
		{src: "x < y", want: `[true,null,null,false]`},
		{src: "x = NULL", want: `[null,null,null,null]`},
		// IN with NULL in the list: a match is true, no match is NULL.
		{src: "x IN (1, NULL)", want: `[true,null,null,null]`},
		{src: "x NOT IN (1, NULL)", want: `[false,null,null,null]`},
		{src: "x IN (1, 2)", want: `[true,null,false,true]`},
		{src: "x NOT IN (1, 2)", want: `[false,null,true,false]`},
		{src: "x IN (y, 3)", want: `[false,null,true,true]`},
		{src: "x IN (y, NULL)", want: `[null,null,null,true]`},
		{src: "x IN (1.0, 2.5)", want: `[true,null,false,false]`},
		// BETWEEN is x >= lo AND x <= hi: a NULL bound makes the row NULL
		// unless the other bound already fails it.
		{src: "x BETWEEN 1 AND 2", want: `[true,null,false,true]`},
		{src: "x BETWEEN NULL AND 2", want: `[null,null,false,null]`},
		{src: "x BETWEEN 2 AND NULL", want: `[false,null,null,null]`},
		{src: "x NOT BETWEEN 2 AND NULL", want: `[true,null,null,null]`},
		{src: "x BETWEEN y AND 3", want: `[false,null,null,true]`},
		{src: "coalesce(x, y, 0)", want: `[1,2,3,2]`},
		{src: "coalesce(NULL, x)", want: `[1,null,3,2]`},
		{src: "-x", want: `[-1,null,-3,-2]`},
		{src: "abs(x - 3)", want: `[2,null,0,1]`},
	})
}

// floats builds a one-column batch f of float64 with the given values and
// nulls (where valid is false).
func floats(mem memory.Allocator, vals []float64, valid []bool) arrow.RecordBatch {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	a := b.NewArray()
	defer a.Release()
	s := arrow.NewSchema([]arrow.Field{field("f", arrow.PrimitiveTypes.Float64)}, nil)
	return array.NewRecordBatch(s, []arrow.Array{a}, int64(len(vals)))
}

func TestNaNAndInfinities(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nan, inf := math.NaN(), math.Inf(1)
	rec := floats(mem, []float64{nan, 1, inf, -inf, 0}, []bool{true, true, true, true, false})
	defer rec.Release()
	// Arithmetic is IEEE 754; comparisons use SQL's total order, in which
	// NaN equals NaN and is greater than every other value, +Inf included
	// (DuckDB and PostgreSQL agree). JSON spells the float results.
	checkRec(t, rec, mem, time.Time{}, []evalCase{
		{src: "f + 1", want: `["NaN",2,"+Inf","-Inf",null]`},
		{src: "f - f", want: `["NaN",0,"NaN","NaN",null]`},
		{src: "f * 0", want: `["NaN",0,"NaN","NaN",null]`},
		{src: "1 / f", want: `["NaN",1,0,-0,null]`},
		{src: "f / 0", want: `["NaN","+Inf","+Inf","-Inf",null]`},
		{src: "f = f", want: `[true,true,true,true,null]`},
		{src: "f <> f", want: `[false,false,false,false,null]`},
		{src: "f > 1e308", want: `[true,false,true,false,null]`},
		{src: "f < 0", want: `[false,false,false,true,null]`},
		{src: "f >= f * 0", want: `[true,true,false,false,null]`}, // +Inf >= NaN is false: NaN is above +Inf,
		{src: "f * 0 = f - f", want: `[true,true,true,true,null]`},
		{src: "f IN (1.0, 2.0)", want: `[false,true,false,false,null]`},
		{src: "f IN (f * 0)", want: `[true,false,false,false,null]`},
		{src: "f * -0.0 IN (0.0)", want: `[false,true,false,false,null]`}, // 1 * -0.0 = -0.0 equals 0
		{src: "f * -0.0 = 0", want: `[false,true,false,false,null]`},
		{src: "f BETWEEN 0 AND 1e308", want: `[false,true,false,false,null]`},
		{src: "f IS NULL", want: `[false,false,false,false,true]`},
		{src: "abs(f)", want: `["NaN",1,"+Inf","+Inf",null]`},
		{src: "round(f)", want: `["NaN",1,"+Inf","-Inf",null]`},
	})
}

func TestIntegerOverflow(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{field("i", arrow.PrimitiveTypes.Int64)}, nil)
	extremes := `[{"i":9223372036854775807},{"i":-9223372036854775808},{"i":1}]`
	// Overflow in BIGINT arithmetic is an error of the whole evaluation
	// (as in DuckDB), never a wrapped value.
	checkCases(t, s, extremes, time.Time{}, []evalCase{
		{src: "i + 1", err: "integer overflow"},
		{src: "i - 1", err: "integer overflow"},
		{src: "i * 2", err: "integer overflow"},
		{src: "-i", err: "integer overflow"},
		{src: "abs(i)", err: "integer overflow"},
		{src: "i - -9223372036854775807", err: "integer overflow"},
		{src: "0 - i", err: "integer overflow"},
		{src: "i * -1", err: "integer overflow"},
		{src: "i * 1", want: `[9223372036854775807,-9223372036854775808,1]`},
		{src: "i + 0.0", want: `[9223372036854776000,-9223372036854776000,1]`},
		{src: "i / 2", want: `[4611686018427388000,-4611686018427388000,0.5]`},
		{src: "round(i, -1)", err: "integer overflow"},
		{src: "i > 9223372036854775806", want: `[true,false,false]`},
		{src: "i = -9223372036854775808", want: `[false,true,false]`},
	})
	checkCases(t, s, `[{"i":9223372036854775806},{"i":-9223372036854775807}]`, time.Time{}, []evalCase{
		{src: "i + 1", want: `[9223372036854775807,-9223372036854775806]`},
		{src: "i - 1", want: `[9223372036854775805,-9223372036854775808]`},
		{src: "i * -1", want: `[-9223372036854775806,9223372036854775807]`},
		{src: "i - -1", want: `[9223372036854775807,-9223372036854775806]`},
		{src: "-i", want: `[-9223372036854775806,9223372036854775807]`},
	})
}

func TestDivision(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{field("a", arrow.PrimitiveTypes.Int64), field("b", arrow.PrimitiveTypes.Int64)}, nil)
	// "/" is always DOUBLE division (DuckDB's "/") and follows IEEE 754 as
	// DuckDB 1.5 does: x / 0 is ±Inf, 0 / 0 is NaN; only a NULL operand
	// gives NULL.
	checkCases(t, s, `[{"a":7,"b":2},{"a":-7,"b":2},{"a":1,"b":0},{"a":0,"b":0},{"a":null,"b":1},{"a":4,"b":null},{"a":-3,"b":0}]`, time.Time{}, []evalCase{
		{src: "a / b", want: `[3.5,-3.5,"+Inf","NaN",null,null,"-Inf"]`},
		{src: "a / 0", want: `["+Inf","-Inf","+Inf","NaN",null,"+Inf","-Inf"]`},
		{src: "a / -0.0", want: `["-Inf","+Inf","-Inf","NaN",null,"-Inf","+Inf"]`},
		{src: "a / b IS NULL", want: `[false,false,false,false,true,true,false]`},
		{src: "a / NULL", want: `[null,null,null,null,null,null,null]`},
		{src: "a / b > 1e308", want: `[false,false,true,true,null,null,false]`}, // NaN is above everything
		{src: "b / 2 * 2 = b", want: `[true,true,true,true,true,null,true]`},
	})
}

func TestCheckedInt(t *testing.T) {
	// Every result against math/big: exact, or flagged as overflow.
	edges := []int64{0, 1, -1, 2, -2, 3, 1 << 31, -(1 << 31), 1<<32 + 7, 3037000499, 3037000500, -3037000500,
		math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, math.MaxInt64 / 2, math.MinInt64 / 2, 4611686018427387904}
	for _, op := range []Op{OpAdd, OpSub, OpMul} {
		for _, a := range edges {
			for _, b := range edges {
				x, y := big.NewInt(a), big.NewInt(b)
				switch op {
				case OpAdd:
					x.Add(x, y)
				case OpSub:
					x.Sub(x, y)
				case OpMul:
					x.Mul(x, y)
				}
				got, ok := checkedInt(op, a, b)
				if fits := x.IsInt64(); ok != fits || ok && got != x.Int64() {
					t.Errorf("%d %s %d = %d, %v; want %s (fits %v)", a, op, b, got, ok, x, fits)
				}
			}
		}
	}
}

func TestStringsAndLike(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{field("s", arrow.BinaryTypes.String)}, nil)
	rows := `[{"s":"100%"},{"s":"100"},{"s":"a_b"},{"s":"axb"},{"s":"a\\b"},{"s":""},{"s":null},{"s":"é"}]`
	checkCases(t, s, rows, time.Time{}, []evalCase{
		{src: "s LIKE '100%'", want: `[true,true,false,false,false,false,null,false]`},
		{src: "s LIKE '100!%' ESCAPE '!'", want: `[true,false,false,false,false,false,null,false]`},
		{src: "s LIKE '100\\%' ESCAPE '\\'", want: `[true,false,false,false,false,false,null,false]`},
		{src: "s LIKE 'a_b'", want: `[false,false,true,true,true,false,null,false]`},
		{src: "s LIKE 'a!_b' ESCAPE '!'", want: `[false,false,true,false,false,false,null,false]`},
		{src: "s LIKE 'a\\b'", want: `[false,false,false,false,true,false,null,false]`}, // no default escape
		{src: "s LIKE '_'", want: `[false,false,false,false,false,false,null,true]`},    // one character, two bytes
		{src: "s LIKE '%'", want: `[true,true,true,true,true,true,null,true]`},
		{src: "s LIKE ''", want: `[false,false,false,false,false,true,null,false]`},
		{src: "s NOT LIKE '%b'", want: `[true,true,false,false,false,true,null,true]`},
		{src: "s LIKE '%%0%'", want: `[true,true,false,false,false,false,null,false]`},
		{src: "s LIKE '!!%' ESCAPE '!'", want: `[false,false,false,false,false,false,null,false]`},
		{src: "length(s)", want: `[4,3,3,3,3,0,null,1]`},
		{src: "upper(s) = 'AXB'", want: `[false,false,false,true,false,false,null,false]`},
		{src: "s LIKE 'a!'", want: `[false,false,false,false,false,false,null,false]`}, // no escape: a literal '!'
		{src: "s LIKE 'a!' ESCAPE '!'", err: "must be followed by %, _ or itself"},
		{src: "s > 'a'", want: `[false,false,true,true,true,false,null,true]`},
		{src: "s IN ('axb', 'é')", want: `[false,false,false,true,false,false,null,true]`},
		{src: "trim('  x y  ') = 'x y'", want: `[true,true,true,true,true,true,true,true]`},
		{src: "lower('ÀB') || 'x'", err: "unexpected character '|'"},
	})
}

func TestLikeMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, escape, s string
		want               bool
	}{
		{"%a%b%c%", "", "xxaxxbxxcxx", true},
		{"%a%b%c%", "", "xxaxxcxxbxx", false},
		{"a%%%b", "", "ab", true},
		{"_%_", "", "é", false},
		{"_%_", "", "éé", true},
		{"%abc", "", "ababc", true},
		{"a#%", "#", "a%", true},
		{"a#%", "#", "ab", false},
		{"##", "#", "#", true},
	} {
		if got := compileLike(c.pattern, c.escape).match(c.s); got != c.want {
			t.Errorf("%q LIKE %q ESCAPE %q = %v, want %v", c.s, c.pattern, c.escape, got, c.want)
		}
	}
}

func ts(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

// stamps builds a batch with one timestamp[us] column t in zone.
func stamps(mem memory.Allocator, zone string, vals ...int64) arrow.RecordBatch {
	dt := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: zone}
	b := array.NewTimestampBuilder(mem, dt)
	defer b.Release()
	for _, v := range vals {
		b.Append(arrow.Timestamp(v))
	}
	a := b.NewArray()
	defer a.Release()
	s := arrow.NewSchema([]arrow.Field{field("t", dt)}, nil)
	return array.NewRecordBatch(s, []arrow.Array{a}, int64(len(vals)))
}

// micros is the JSON an evaluated timestamp column would give, built by
// hand from RFC 3339 instants: the comparisons below check instants.
func TestTimestampsAcrossDST(t *testing.T) {
	for _, c := range []struct {
		zone, at, src, want string
	}{
		// New York springs forward on 2026-03-08: noon to noon is 23 hours.
		{"America/New_York", "2026-03-07T17:00:00Z", "t + INTERVAL '1 day'", "2026-03-08T16:00:00Z"},
		{"America/New_York", "2026-03-07T17:00:00Z", "t + INTERVAL '24 hours'", "2026-03-08T17:00:00Z"},
		// ... and falls back on 2026-11-01: noon to noon is 25 hours.
		{"America/New_York", "2026-10-31T16:00:00Z", "t + INTERVAL '1 day'", "2026-11-01T17:00:00Z"},
		{"America/New_York", "2026-11-01T17:00:00Z", "t - INTERVAL '1 day'", "2026-10-31T16:00:00Z"},
		{"America/New_York", "2026-10-31T16:00:00Z", "t + INTERVAL '1 week'", "2026-11-07T17:00:00Z"},
		// Paris springs forward on 2026-03-29.
		{"Europe/Paris", "2026-03-28T11:00:00Z", "t + INTERVAL '1 day'", "2026-03-29T10:00:00Z"},
		{"Europe/Paris", "2026-03-28T11:00:00Z", "t + INTERVAL '1 day 2 hours'", "2026-03-29T12:00:00Z"},
		// A fixed offset and UTC have no DST: a day is 24 hours.
		{"+02:00", "2026-03-28T11:00:00Z", "t + INTERVAL '1 day'", "2026-03-29T11:00:00Z"},
		{"", "2026-03-07T17:00:00Z", "t + INTERVAL '1 day'", "2026-03-08T17:00:00Z"},
		{"UTC", "2026-10-31T16:00:00Z", "t + INTERVAL '1 day'", "2026-11-01T16:00:00Z"},
		// Months clamp to the month's end.
		{"", "2026-01-31T10:00:00Z", "t + INTERVAL '1 month'", "2026-02-28T10:00:00Z"},
		{"", "2028-01-31T10:00:00Z", "t + INTERVAL '1 month'", "2028-02-29T10:00:00Z"},
		{"", "2026-03-31T10:00:00Z", "t - INTERVAL '1 month'", "2026-02-28T10:00:00Z"},
		{"", "2026-11-30T10:00:00Z", "t + INTERVAL '1 year 2 months'", "2028-01-30T10:00:00Z"},
		{"Europe/Paris", "2026-02-28T23:30:00Z", "t + INTERVAL '1 month'", "2026-03-31T22:30:00Z"}, // local Mar 1 00:30 CET → Apr 1 00:30 CEST
	} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		rec := stamps(mem, c.zone, ts(c.at))
		// The result must equal the hand-computed instant.
		lit := "TIMESTAMP '" + c.want[:10] + " " + c.want[11:19] + "Z'"
		checkRec(t, rec, mem, time.Time{}, []evalCase{
			{src: c.src + " = " + lit, want: `[true]`},
			{src: c.src + " - INTERVAL '1 second' < " + lit, want: `[true]`},
		})
		rec.Release()
		mem.AssertSize(t, 0)
	}
}

func TestTimeZones(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	now := time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	// 23:30 UTC on Nov 30 is already Dec 1 in Tokyo.
	tokyo := stamps(mem, "Asia/Tokyo", ts("2026-11-30T23:30:00Z"), ts("2026-11-29T06:00:00Z"))
	defer tokyo.Release()
	checkRec(t, tokyo, mem, now, []evalCase{
		{src: "day(t)", want: `[1,29]`},
		{src: "month(t)", want: `[12,11]`},
		{src: "year(t)", want: `[2026,2026]`},
		{src: "t > TIMESTAMP '2026-11-30 12:00:00Z'", want: `[true,false]`},
		{src: "t > TIMESTAMP '2026-12-01 08:00:00+09:00'", want: `[true,false]`}, // = 23:00Z
		{src: "t > TIMESTAMP '2026-11-30 23:00:00'", want: `[true,false]`},       // no zone: read as UTC
		{src: "t > now() - INTERVAL '23 hours'", want: `[true,false]`},           // now() = 05:00Z
		{src: "t >= DATE '2026-11-30'", want: `[true,false]`},                    // midnight UTC
		{src: "t BETWEEN now() - INTERVAL '2 days' AND now()", want: `[false,true]`},
		{src: "today() = DATE '2026-11-30'", want: `[true,true]`},
		{src: "t IN (TIMESTAMP '2026-11-29 06:00:00Z', TIMESTAMP '2026-01-01 00:00:00')", want: `[false,true]`},
		{src: "coalesce(t, now()) = t", want: `[true,true]`},
	})
	utc := stamps(mem, "", ts("2026-11-30T23:30:00Z"))
	defer utc.Release()
	checkRec(t, utc, mem, now, []evalCase{{src: "day(t)", want: `[30]`}})
	// now() needs Options.Now.
	checkRec(t, utc, mem, time.Time{}, []evalCase{{src: "t < now()", err: "Options.Now is not set"}})
}

func TestDates(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{field("d", arrow.FixedWidthTypes.Date32), field("n", arrow.PrimitiveTypes.Int64)}, nil)
	rows := `[{"d":"2026-11-30","n":1},{"d":"2024-02-28","n":2},{"d":null,"n":3}]`
	checkCases(t, s, rows, time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC), []evalCase{
		{src: "d + n = DATE '2026-12-01'", want: `[true,false,null]`},
		{src: "d + 1 > d", want: `[true,true,null]`},
		{src: "d - DATE '2024-01-01'", want: `[1064,58,null]`},
		{src: "DATE '2026-03-01' - DATE '2026-02-01'", want: `[28,28,28]`},
		{src: "DATE '2024-03-01' - DATE '2024-02-01'", want: `[29,29,29]`},
		{src: "d + n - 1 = DATE '2024-02-29'", want: `[false,true,null]`}, // leap day
		{src: "year(d) * 100 + month(d)", want: `[202611,202402,null]`},
		{src: "day(d)", want: `[30,28,null]`},
		{src: "d = today()", want: `[true,false,null]`},
		{src: "d + INTERVAL '1 month' = TIMESTAMP '2026-12-30 00:00:00'", want: `[true,false,null]`},
		{src: "d BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'", want: `[false,true,null]`},
		{src: "d + 3000000000", err: "integer overflow"},
		{src: "d > '2024-01-01'", err: "write a date constant as DATE 'YYYY-MM-DD'"},
		{src: "d + d", err: "cannot compute DATE + DATE"},
	})
}

func TestColumnTypes(t *testing.T) {
	// Narrow, unsigned and dictionary columns are read as BIGINT/VARCHAR;
	// ns timestamps as µs.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	i8 := array.NewInt8Builder(mem)
	i8.AppendValues([]int8{-3, 100}, nil)
	u64 := array.NewUint64Builder(mem)
	u64.AppendValues([]uint64{1, 1 << 63}, nil)
	f32 := array.NewFloat32Builder(mem)
	f32.AppendValues([]float32{0.5, 1.5}, nil)
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	dict := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
	_ = dict.AppendString("north")
	_ = dict.AppendString("south")
	ls := array.NewLargeStringBuilder(mem)
	ls.AppendValues([]string{"x", "y"}, nil)
	nsT := &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
	ns := array.NewTimestampBuilder(mem, nsT)
	ns.AppendValues([]arrow.Timestamp{arrow.Timestamp(ts("2026-11-30T00:00:00Z")*1000 + 999), 0}, nil)
	var cols []arrow.Array
	for _, b := range []array.Builder{i8, u64, f32, dict, ls, ns} {
		cols = append(cols, b.NewArray())
		b.Release()
	}
	s := arrow.NewSchema([]arrow.Field{field("i8", i8Type), field("u64", arrow.PrimitiveTypes.Uint64), field("f32", arrow.PrimitiveTypes.Float32),
		field("region", dt), field("ls", arrow.BinaryTypes.LargeString), field("ns", nsT)}, nil)
	rec := array.NewRecordBatch(s, cols, 2)
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	checkRec(t, rec, mem, time.Time{}, []evalCase{
		{src: "i8 * 1000000", want: `[-3000000,100000000]`},
		{src: "f32 * 2", want: `[1,3]`},
		{src: "region = 'south'", want: `[false,true]`},
		{src: "ls || 'x'", err: "unexpected character '|'"},
		{src: "upper(ls)", want: `["X","Y"]`},
		{src: "ns = TIMESTAMP '2026-11-30 00:00:00Z'", want: `[true,false]`},
		{src: "u64 > 0", err: "u64"}, // 2^63 does not fit BIGINT
	})
}

var i8Type = arrow.PrimitiveTypes.Int8

func TestEvalSchemaMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := floats(mem, []float64{1}, nil)
	defer rec.Release()
	other := arrow.NewSchema([]arrow.Field{field("f", arrow.PrimitiveTypes.Int64)}, nil)
	p, err := Compile("f > 0", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Eval(t.Context(), rec, Options{Mem: mem}); err == nil {
		t.Error("evaluating over a batch of another schema succeeded")
	}
	if errors.Is(err, ErrOverflow) {
		t.Error("schema error reported as overflow")
	}
}

func TestTally(t *testing.T) {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues([]bool{true, false, true, false, true}, []bool{true, true, true, false, true})
	a := b.NewBooleanArray()
	defer a.Release()
	if tr, f, n := Tally(a); tr != 3 || f != 1 || n != 1 {
		t.Errorf("Tally = %d, %d, %d; want 3, 1, 1", tr, f, n)
	}
}
