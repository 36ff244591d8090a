package expr

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ClickHouse prints SQL for ClickHouse (18.16 and newer) in function-call
// form, so that no operator precedence of ClickHouse's parser matters,
// and spells what ClickHouse evaluates otherwise than SQL:
//   - AND and OR are three-valued (FALSE AND NULL is FALSE), whereas
//     ClickHouse 18's and()/or() are NULL whenever an operand is: each
//     operand is mapped to FALSE 0, NULL 1, TRUE 2, AND is least(), OR
//     greatest(), and 1 is read back as NULL;
//   - x IN (list) is the OR of x = each element (ClickHouse's IN ignores
//     NULL elements), x BETWEEN lo AND hi is x >= lo AND x <= hi;
//   - DOUBLE comparisons follow trustml's total order (NaN equals NaN and
//     is above +Inf; ClickHouse's NaN is unequal to everything), and an
//     integer compared with a DOUBLE is converted to DOUBLE first;
//   - BIGINT + - * and unary minus and abs are done in Int64 and raise an
//     error (throwIf) where the result leaves BIGINT's range, as trustml
//     does, where ClickHouse wraps around (the wrapped result's signs,
//     and for * its quotient, tell exactly);
//   - "/" is ClickHouse's divide(), always in Float64, as trustml's;
//   - true and false are 1 and 0 (ClickHouse 18 has no boolean type);
//     length is lengthUTF8, trim removes spaces only, as trustml's,
//     year, month and day are toYear, toMonth, toDayOfMonth;
//   - a LIKE pattern's literal backslashes are escaped (ClickHouse's
//     backslash escapes % and _);
//   - TIMESTAMP ± INTERVAL is addMonths, addDays, addSeconds in that
//     order, in the timestamp's zone, as trustml's calendar arithmetic.
//
// A timestamp without zone is read in the server's time zone (trustml's
// test servers run in UTC, where it is the same instant).
//
// It refuses what ClickHouse evaluates otherwise: round (ClickHouse
// rounds a Float64 half to even), lower and upper (ASCII only in
// ClickHouse), DATE ± days (a Date holds 1970 to 2149 and wraps around
// outside), other date and timestamp arithmetic, a comparison of a DATE
// with a TIMESTAMP, and constants a Date or DateTime cannot hold
// (fractions of a second, years outside 1970 to 2105).
var ClickHouse = &Dialect{
	Name:    "clickhouse",
	Ident:   chIdent,
	Literal: chLiteral,
	Node:    chNode,
	Refuse:  chRefuse,
}

// chIdent quotes a column name with double quotes, in which ClickHouse
// reads a backslash as an escape.
func chIdent(name string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
}

// chString spells s as a ClickHouse string literal.
func chString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func chLiteral(l *Literal) (string, bool) {
	switch l.Kind {
	case LitBool:
		if l.Bool {
			return "1", true
		}
		return "0", true
	case LitInt:
		if l.Int < 0 {
			return "toInt64('" + strconv.FormatInt(l.Int, 10) + "')", true
		}
		return strconv.FormatInt(l.Int, 10), true
	case LitFloat:
		switch {
		case math.IsNaN(l.Float):
			return "nan", true
		case math.IsInf(l.Float, 1):
			return "inf", true
		case math.IsInf(l.Float, -1):
			return "(-inf)", true
		}
		s := strconv.FormatFloat(l.Float, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		if l.Float < 0 || l.Float == 0 && math.Signbit(l.Float) {
			s = "(" + s + ")"
		}
		return "toFloat64(" + s + ")", true
	case LitString:
		return chString(l.String), true
	case LitDate:
		return "toDate('" + l.Time.Format("2006-01-02") + "')", true
	case LitTimestamp:
		if l.Zoned {
			return "toDateTime('" + l.Time.UTC().Format("2006-01-02 15:04:05") + "', 'UTC')", true
		}
		return "toDateTime('" + l.Time.UTC().Format("2006-01-02 15:04:05") + "')", true
	}
	return "", false
}

// chCompare names ClickHouse's comparison functions.
var chCompare = map[Op]string{OpEq: "equals", OpNe: "notEquals", OpLt: "less", OpLe: "lessOrEquals", OpGt: "greater", OpGe: "greaterOrEquals"}

// chArith names ClickHouse's arithmetic functions.
var chArith = map[Op]string{OpAdd: "plus", OpSub: "minus", OpMul: "multiply", OpDiv: "divide"}

// chTruth maps a boolean to FALSE 0, NULL 1, TRUE 2; chFromTruth reads it
// back.
func chTruth(b string) string     { return "ifNull(multiply(" + b + ", 2), 1)" }
func chFromTruth(v string) string { return "equals(nullIf(" + v + ", 1), 2)" }
func chAnd(x, y string) string    { return chFromTruth("least(" + chTruth(x) + ", " + chTruth(y) + ")") }
func chOr(x, y string) string     { return chFromTruth("greatest(" + chTruth(x) + ", " + chTruth(y) + ")") }

// chNot is NOT b. ClickHouse's not() is three-valued, but over a
// Distributed table 18.16 drops not(not(…)) on one side of the query
// and not the other ("Not found column … in block").
func chNot(b string) string { return chFromTruth("minus(2, " + chTruth(b) + ")") }

// chTypes are the ClickHouse types a NULL is cast to in the company of
// values of each kind.
var chTypes = map[Kind]string{NullKind: "UInt8", BoolKind: "UInt8", IntKind: "Int64", FloatKind: "Float64",
	StringKind: "String", DateKind: "Date", TimestampKind: "DateTime"}

func chGuard(v, over string) string {
	return "plus(" + v + ", multiply(0, throwIf(ifNull(" + over + ", 0))))"
}

// chMinInt is BIGINT's smallest value, whose negation overflows.
const chMinInt = "toInt64('-9223372036854775808')"

// chNode spells every node but columns, constants, now() and today().
func chNode(e Expr, sub func(Expr) string, typeOf func(Expr) Type) (string, bool) {
	// operand prints a number as Float64 or Int64, whatever the column's
	// width (Float32, Decimal, UInt8…).
	// A NULL constant, and what is NULL whatever its operands, is cast to
	// the type of the values it is compared or computed with, else
	// ClickHouse's Nullable(Nothing) makes countIf() NULL.
	operand := func(e Expr, k Kind) string {
		if l, ok := e.(*Literal); ok && l.Kind == LitNull {
			// ClickHouse 18.16 casts no other constant to Nullable.
			return "CAST(NULL AS Nullable(" + chTypes[k] + "))"
		}
		switch k {
		case FloatKind:
			return "toFloat64(" + sub(e) + ")"
		case IntKind:
			return "toInt64(" + sub(e) + ")"
		}
		return sub(e)
	}
	switch x := e.(type) {
	case *Unary:
		if x.Op == OpNot {
			return chNot(sub(x.X)), true
		}
		switch typeOf(x.X).Kind {
		case IntKind:
			a := operand(x.X, IntKind)
			return chGuard("negate("+a+")", "equals("+a+", "+chMinInt+")"), true
		case FloatKind:
			return "negate(" + operand(x.X, FloatKind) + ")", true
		}
		return "negate(" + sub(x.X) + ")", true
	case *Binary:
		switch x.Op {
		case OpAnd:
			return chAnd(sub(x.X), sub(x.Y)), true
		case OpOr:
			return chOr(sub(x.X), sub(x.Y)), true
		case OpAdd, OpSub, OpMul, OpDiv:
			return chArithmetic(x, operand, typeOf), true
		}
		return chCmp(x.Op, x.X, x.Y, operand, typeOf), true
	case *In:
		s := ""
		for i, y := range x.List {
			eq := chCmp(OpEq, x.X, y, operand, typeOf)
			if i == 0 {
				s = eq
			} else {
				s = chOr(s, eq)
			}
		}
		if x.Not {
			s = chNot(s)
		}
		return s, true
	case *Between:
		s := chAnd(chCmp(OpGe, x.X, x.Lo, operand, typeOf), chCmp(OpLe, x.X, x.Hi, operand, typeOf))
		if x.Not {
			s = chNot(s)
		}
		return s, true
	case *IsNull:
		if x.Not {
			return "isNotNull(" + sub(x.X) + ")", true
		}
		return "isNull(" + sub(x.X) + ")", true
	case *Like:
		f := "like("
		if x.Not {
			f = "notLike("
		}
		return f + sub(x.X) + ", " + chString(chLikePattern(x.Pattern, x.Escape)) + ")", true
	case *Call:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = sub(a)
		}
		switch x.Name {
		case "length":
			return "toInt64(lengthUTF8(" + args[0] + "))", true
		case "trim":
			return "replaceRegexpAll(" + args[0] + ", '^ +| +$', '')", true
		case "year", "month", "day":
			f := map[string]string{"year": "toYear", "month": "toMonth", "day": "toDayOfMonth"}[x.Name]
			return "toInt64(" + f + "(" + args[0] + "))", true
		case "abs":
			switch typeOf(x).Kind {
			case IntKind:
				a := operand(x.Args[0], IntKind)
				return chGuard("toInt64(abs("+a+"))", "equals("+a+", "+chMinInt+")"), true
			case FloatKind:
				return "abs(" + operand(x.Args[0], FloatKind) + ")", true
			}
		case "coalesce":
			// ClickHouse finds no common type for Int64 and Float64.
			// A NULL argument changes nothing (and 18.16 refuses a
			// Nullable constant there).
			k := typeOf(x).Kind
			args = args[:0]
			for _, a := range x.Args {
				if l, ok := a.(*Literal); !ok || l.Kind != LitNull {
					args = append(args, operand(a, k))
				}
			}
			if len(args) == 0 {
				return "CAST(NULL AS Nullable(" + chTypes[k] + "))", true
			}
			return "coalesce(" + strings.Join(args, ", ") + ")", true
		}
	}
	return "", false
}

// chArithmetic spells x op y.
func chArithmetic(x *Binary, operand func(Expr, Kind) string, typeOf func(Expr) Type) string {
	xt, yt := typeOf(x.X), typeOf(x.Y)
	f := chArith[x.Op]
	switch {
	case xt.Kind == TimestampKind && yt.Kind == IntervalKind:
		iv := x.Y.(*Literal).Interval
		sign := int64(1)
		if x.Op == OpSub {
			sign = -1
		}
		s := operand(x.X, TimestampKind)
		if iv.Months != 0 {
			s = "addMonths(" + s + ", " + strconv.FormatInt(sign*int64(iv.Months), 10) + ")"
		}
		if iv.Days != 0 {
			s = "addDays(" + s + ", " + strconv.FormatInt(sign*int64(iv.Days), 10) + ")"
		}
		if iv.Micros != 0 {
			s = "addSeconds(" + s + ", " + strconv.FormatInt(sign*iv.Micros/1e6, 10) + ")"
		}
		return s
	case x.Op == OpDiv || xt.Kind == FloatKind || yt.Kind == FloatKind:
		return f + "(" + operand(x.X, FloatKind) + ", " + operand(x.Y, FloatKind) + ")"
	}
	a, b := operand(x.X, IntKind), operand(x.Y, IntKind)
	r := f + "(" + a + ", " + b + ")"
	// Int64 arithmetic wraps around; these are the exact tests of
	// overflow of the wrapped result r.
	var over string
	switch x.Op {
	case OpAdd:
		over = "less(bitAnd(bitXor(" + r + ", " + a + "), bitXor(" + r + ", " + b + ")), 0)"
	case OpSub:
		over = "less(bitAnd(bitXor(" + a + ", " + b + "), bitXor(" + a + ", " + r + ")), 0)"
	default:
		over = "and(notEquals(" + a + ", 0), notEquals(intDivOrZero(" + r + ", " + a + "), " + b + "))"
	}
	return chGuard(r, over)
}

// chCmp spells x op y for a comparison.
func chCmp(op Op, x, y Expr, operand func(Expr, Kind) string, typeOf func(Expr) Type) string {
	xt, yt := typeOf(x), typeOf(y)
	if xt.Kind != FloatKind && yt.Kind != FloatKind {
		k := xt.Kind
		if k == NullKind {
			k = yt.Kind
		}
		return chCompare[op] + "(" + operand(x, k) + ", " + operand(y, k) + ")"
	}
	a, b := operand(x, FloatKind), operand(y, FloatKind)
	nx, ny := chMayNaN(x, xt), chMayNaN(y, yt)
	if op == OpGt || op == OpGe {
		op, a, b, nx, ny = map[Op]Op{OpGt: OpLt, OpGe: OpLe}[op], b, a, ny, nx
	}
	plain := chCompare[op] + "(" + a + ", " + b + ")"
	var s string
	switch {
	case op == OpEq && nx && ny:
		s = "or(" + plain + ", and(isNaN(" + a + "), isNaN(" + b + ")))"
	case op == OpNe && nx && ny:
		s = "and(" + plain + ", not(and(isNaN(" + a + "), isNaN(" + b + "))))"
	case op == OpLt && ny:
		s = "or(isNaN(" + b + "), " + plain + ")"
		if nx {
			s = "and(not(isNaN(" + a + ")), " + s + ")"
		}
	case op == OpLe && ny:
		s = "or(isNaN(" + b + "), " + plain + ")"
	default:
		// Without NaN on one side ClickHouse's IEEE comparison is the
		// total order: NaN = c and NaN < c are FALSE, NaN <> c TRUE, and
		// NaN <= c FALSE.
		return plain
	}
	// The rewrite's and()/or() see no NULL unless a or b is NULL, which
	// makes the comparison NULL: 0 * isNaN(v) is NULL exactly then.
	return "toUInt8(plus(plus(" + s + ", multiply(0, isNaN(" + a + "))), multiply(0, isNaN(" + b + "))))"
}

// chMayNaN reports whether e, of type t, may be NaN: a DOUBLE other than
// a constant that is not NaN.
func chMayNaN(e Expr, t Type) bool {
	if t.Kind != FloatKind {
		return false
	}
	if u, ok := e.(*Unary); ok && u.Op == OpNeg {
		e = u.X
	}
	l, ok := e.(*Literal)
	return !ok || l.Kind != LitFloat || math.IsNaN(l.Float)
}

// chLikePattern rewrites a LIKE pattern with escape character esc ("" for
// none) into ClickHouse's, whose escape character is the backslash.
func chLikePattern(p, esc string) string {
	var b strings.Builder
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case esc != "" && string(r) == esc && i+1 < len(rs):
			i++
			b.WriteString(`\`)
			b.WriteRune(rs[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// chEpoch bounds the instants a ClickHouse Date or DateTime holds.
var chFirst, chLast = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2106, 1, 1, 0, 0, 0, 0, time.UTC)

func chRefuse(e Expr, typeOf func(Expr) Type) string {
	switch x := e.(type) {
	case *Call:
		switch x.Name {
		case "round":
			return "ClickHouse rounds a Float64 half to even, trustml away from zero"
		case "lower", "upper":
			return "ClickHouse's " + x.Name + "() maps only ASCII letters, trustml's all of Unicode"
		}
	case *Literal:
		switch x.Kind {
		case LitTimestamp, LitDate:
			if x.Time.Nanosecond() != 0 {
				return "ClickHouse's DateTime counts whole seconds"
			}
			if t := x.Time.UTC(); t.Before(chFirst) || !t.Before(chLast) {
				return "ClickHouse's Date and DateTime hold the years 1970 to 2105"
			}
		case LitInterval:
			if x.Interval.Micros%1e6 != 0 {
				return "ClickHouse's DateTime counts whole seconds"
			}
		}
	case *Binary:
		xt, yt := typeOf(x.X), typeOf(x.Y)
		switch x.Op {
		case OpAdd, OpSub, OpMul, OpDiv:
			if xt.Kind == DateKind || yt.Kind == DateKind {
				return "ClickHouse's Date holds 1970 to 2149 and wraps around outside, where trustml's dates go on"
			}
			if (xt.Kind == TimestampKind || yt.Kind == TimestampKind) && !(xt.Kind == TimestampKind && yt.Kind == IntervalKind && x.Op != OpMul && x.Op != OpDiv) {
				return "only TIMESTAMP ± INTERVAL is pushed to ClickHouse"
			}
			if _, lit := x.Y.(*Literal); yt.Kind == IntervalKind && !lit {
				return "only an INTERVAL constant is pushed to ClickHouse"
			}
		default:
			if x.Op.ordering() && xt.Kind == StringKind && !chReadsColumn(x) {
				return "ClickHouse 18.16 orders two constant strings otherwise ('nowhere' <= '' is true there)"
			}
			if chTemporalMix(xt, yt) {
				return "ClickHouse compares a Date with a DateTime otherwise than trustml"
			}
		}
	case *Between:
		if chTemporalMix(typeOf(x.X), typeOf(x.Lo)) || chTemporalMix(typeOf(x.X), typeOf(x.Hi)) {
			return "ClickHouse compares a Date with a DateTime otherwise than trustml"
		}
	case *In:
		for _, y := range x.List {
			if chTemporalMix(typeOf(x.X), typeOf(y)) {
				return "ClickHouse compares a Date with a DateTime otherwise than trustml"
			}
		}
	}
	return ""
}

// chReadsColumn reports whether e reads a column.
func chReadsColumn(e Expr) bool {
	found := false
	Inspect(e, func(n Expr) bool {
		_, col := n.(*Column)
		found = found || col
		return !found
	})
	return found
}

func chTemporalMix(a, b Type) bool {
	return a.Kind == DateKind && b.Kind == TimestampKind || a.Kind == TimestampKind && b.Kind == DateKind
}
