package expr

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Dialect says how an expression is spelled for one SQL engine. The zero
// Dialect is Generic. The hooks let an engine spell what differs (quoting,
// function names, constants) without a switch on engine names here; a nil
// hook means the generic spelling.
type Dialect struct {
	// Name names the dialect in messages ("generic", "duckdb").
	Name string
	// Ident quotes a column name when the engine needs it.
	Ident func(name string) string
	// Call spells a function call whose arguments are already printed;
	// ok false means the generic spelling name(args...).
	Call func(name string, args []string) (s string, ok bool)
	// Literal spells a constant; ok false means the generic spelling.
	Literal func(l *Literal) (s string, ok bool)
	// Binary spells an arithmetic or comparison operator given its
	// operands' text and types; ok false means "x op y". It is called only
	// when types are known (Program.SQL), so that an engine can insert the
	// casts its typing needs.
	Binary func(op Op, x, y string, xt, yt Type) (s string, ok bool)
	// Now, when not zero, replaces now() and today() by constants, so that
	// SQL pushed to an engine sees the same instant as the local
	// evaluator (Options.Now).
	Now time.Time
	// Collate, when not empty, is the collation put on string operands of
	// order comparisons (< <= > >= and BETWEEN) when types are known
	// (Program.SQL), so that strings compare byte by byte as the local
	// evaluator compares them, whatever the database's default collation.
	Collate string
	// NullConstants reports whether arithmetic on nothing but NULL
	// constants (NULL + NULL, -NULL, -(NULL * NULL)), whose value is
	// always NULL, is printed as the constant NULL, for an engine that
	// cannot choose an operator for untyped operands (PostgreSQL).
	NullConstants bool
	// LikeEscapes reports whether the engine's LIKE has a default escape
	// character (PostgreSQL's backslash): a LIKE without ESCAPE is then
	// printed with ESCAPE '', which turns it off.
	LikeEscapes bool
	// Refuse says why the engine cannot evaluate node e as the local
	// evaluator does ("" when it can); typeOf gives the checked type of a
	// node. Program.SQLIn consults it for every node; a caller keeps an
	// expression it refuses out of the engine.
	Refuse func(e Expr, typeOf func(Expr) Type) string
	// Node, when set, spells node e whole (ok false: the generic spelling
	// with the hooks above), for an engine whose operators mean something
	// else than SQL's (ClickHouse). sub prints an operand so that it can
	// stand anywhere; typeOf gives a node's checked type (the zero Type
	// when the tree was not checked). What it returns must itself stand
	// anywhere: a call or a parenthesised expression.
	Node func(e Expr, sub func(Expr) string, typeOf func(Expr) Type) (s string, ok bool)
}

// Generic prints the expression language itself: Parse reads back exactly
// what it prints.
var Generic = &Dialect{Name: "generic"}

// DuckDB prints SQL for DuckDB (1.x). It differs from Generic in spelling
// DOUBLE constants in scientific notation (DuckDB reads 1.5 as a DECIMAL,
// whose arithmetic is exact and overflows at 18 digits, but 1.5e+00 as a
// DOUBLE), zoned timestamp constants as TIMESTAMPTZ, and casting the day
// count of DATE ± BIGINT to INTEGER (with Program.SQL).
var DuckDB = &Dialect{
	Name: "duckdb",
	Literal: func(l *Literal) (string, bool) {
		if l.Kind == LitFloat && !math.IsNaN(l.Float) && !math.IsInf(l.Float, 0) {
			return strconv.FormatFloat(l.Float, 'e', -1, 64), true
		}
		if l.Kind == LitTimestamp && l.Zoned {
			return "TIMESTAMPTZ '" + l.Time.UTC().Format("2006-01-02 15:04:05.999999") + "+00'", true
		}
		return "", false
	},
	// DuckDB adds days to a DATE only as INTEGER.
	Binary: func(op Op, x, y string, xt, yt Type) (string, bool) {
		switch {
		case xt.Kind == DateKind && yt.Kind == IntKind:
			return x + " " + op.String() + " CAST(" + y + " AS INTEGER)", true
		case xt.Kind == IntKind && yt.Kind == DateKind:
			return "CAST(" + x + " AS INTEGER) " + op.String() + " " + y, true
		}
		return "", false
	},
}

// PostgreSQL prints SQL for PostgreSQL (15) with the session's TimeZone
// UTC, as trustml's connections set it. It differs from Generic where
// PostgreSQL reads the same text differently:
//   - a DOUBLE constant is cast to double precision (1.5 alone is an exact
//     numeric), NaN and infinities too;
//   - BIGINT arithmetic is done in bigint (an integer column may be a
//     32-bit integer), DATE ± BIGINT in integer days, and "/" in double
//     precision (PostgreSQL truncates an integer quotient);
//   - a zoned timestamp constant is a TIMESTAMPTZ (PostgreSQL's TIMESTAMP
//     drops the zone);
//   - year, month and day are EXTRACT(… FROM x) as a bigint;
//   - strings compare under COLLATE "C", byte by byte, and LIKE has no
//     escape character unless ESCAPE names one;
//   - arithmetic on untyped NULLs (-NULL, NULL + NULL) is the constant NULL.
//
// Where a double precision sum or product exceeds the largest double,
// PostgreSQL raises "value out of range: overflow" where trustml gives
// ±Inf: a run is then an error in PostgreSQL's words, not another answer.
//
// It refuses what PostgreSQL evaluates otherwise: round (PostgreSQL rounds
// a double precision half to even), lower and upper (they follow the
// database's locale, only ASCII under C), and a division by anything but
// a non-zero constant (PostgreSQL raises an error on a zero divisor where
// trustml gives ±Inf or NaN).
var PostgreSQL = &Dialect{
	Name:          "postgres",
	Collate:       "C",
	LikeEscapes:   true,
	NullConstants: true,
	Literal: func(l *Literal) (string, bool) {
		switch {
		case l.Kind == LitFloat && math.IsNaN(l.Float):
			return "CAST('NaN' AS double precision)", true
		case l.Kind == LitFloat && math.IsInf(l.Float, 1):
			return "CAST('Infinity' AS double precision)", true
		case l.Kind == LitFloat && math.IsInf(l.Float, -1):
			return "CAST('-Infinity' AS double precision)", true
		case l.Kind == LitFloat:
			return "CAST(" + strconv.FormatFloat(l.Float, 'g', -1, 64) + " AS double precision)", true
		case l.Kind == LitTimestamp && l.Zoned:
			return "TIMESTAMPTZ '" + l.Time.UTC().Format("2006-01-02 15:04:05.999999") + "+00'", true
		}
		return "", false
	},
	Binary: func(op Op, x, y string, xt, yt Type) (string, bool) {
		switch {
		case op == OpDiv:
			return "CAST(" + x + " AS double precision) / " + y, true
		case xt.Kind == DateKind && yt.Kind == IntKind:
			return x + " " + op.String() + " CAST(" + y + " AS integer)", true
		case xt.Kind == IntKind && yt.Kind == DateKind:
			return "CAST(" + x + " AS integer) " + op.String() + " " + y, true
		case xt.Kind == IntKind && yt.Kind == IntKind && (op == OpAdd || op == OpSub || op == OpMul):
			return "CAST(" + x + " AS bigint) " + op.String() + " " + y, true
		}
		return "", false
	},
	Call: func(name string, args []string) (string, bool) {
		switch name {
		case "year", "month", "day":
			return "CAST(EXTRACT(" + strings.ToUpper(name) + " FROM " + args[0] + ") AS bigint)", true
		case "length":
			return "char_length(" + args[0] + ")", true
		}
		return "", false
	},
	Refuse: func(e Expr, typeOf func(Expr) Type) string {
		switch x := e.(type) {
		case *Call:
			switch x.Name {
			case "round":
				return "PostgreSQL rounds a double precision half to even, trustml away from zero"
			case "lower", "upper":
				return "PostgreSQL's " + x.Name + "() follows the database's locale (only ASCII under C), trustml's maps all of Unicode"
			}
		case *Binary:
			if x.Op == OpDiv && !nonZeroConstant(x.Y) {
				return "PostgreSQL raises an error on a division by zero, where trustml gives ±Inf or NaN: divide by a non-zero constant"
			}
		}
		return ""
	},
}

// nullArithmetic reports whether e is NULL or arithmetic on nothing but
// NULL constants.
func nullArithmetic(e Expr) bool {
	switch x := e.(type) {
	case *Literal:
		return x.Kind == LitNull
	case *Unary:
		return x.Op == OpNeg && nullArithmetic(x.X)
	case *Binary:
		return (x.Op == OpAdd || x.Op == OpSub || x.Op == OpMul || x.Op == OpDiv) && nullArithmetic(x.X) && nullArithmetic(x.Y)
	}
	return false
}

// nonZeroConstant reports whether e is a numeric constant other than 0,
// or its negation.
func nonZeroConstant(e Expr) bool {
	if u, ok := e.(*Unary); ok && u.Op == OpNeg {
		e = u.X
	}
	l, ok := e.(*Literal)
	return ok && (l.Kind == LitInt && l.Int != 0 || l.Kind == LitFloat && l.Float != 0 && !math.IsNaN(l.Float))
}

// String prints e in the Generic dialect.
func String(e Expr) string { return Print(e, Generic) }

// Print returns e as SQL text in dialect d (nil: Generic). Parentheses
// are written where precedence needs them, and around a comparison,
// IS, IN, BETWEEN or LIKE used as an operand of another, so the text
// means the same in every dialect.
func Print(e Expr, d *Dialect) string {
	if d == nil {
		d = Generic
	}
	return printTree(e, d, nil)
}

// SQL returns the program's expression as SQL text in dialect d (nil:
// Generic), giving the dialect's hooks the types the checker found.
// Columns are spelled as the schema spells them (an unquoted name matched
// case-insensitively prints as the column's own name).
func (p *Program) SQL(d *Dialect) string {
	if d == nil {
		d = Generic
	}
	return printTree(p.Expr, d, p)
}

// SQLIn is SQL, unless dialect d refuses a node of the expression
// (Dialect.Refuse): then it returns an error saying which part and why.
func (p *Program) SQLIn(d *Dialect) (string, error) {
	if d == nil {
		d = Generic
	}
	if d.Refuse != nil {
		var why string
		Inspect(p.Expr, func(n Expr) bool {
			if why == "" {
				if r := d.Refuse(n, p.TypeOf); r != "" {
					why = Print(n, Generic) + ": " + r
				}
			}
			return why == ""
		})
		if why != "" {
			return "", errors.New(why)
		}
	}
	return p.SQL(d), nil
}

func printTree(e Expr, d *Dialect, prog *Program) string {
	var b strings.Builder
	p := printer{d: d, b: &b, prog: prog}
	if prog != nil {
		p.types = prog.types
	}
	p.expr(e, levelOr)
	return b.String()
}

// sub prints e alone, as it would appear where min is needed.
func (p *printer) sub(e Expr, min int) string {
	var b strings.Builder
	q := printer{d: p.d, b: &b, types: p.types, prog: p.prog}
	q.expr(e, min)
	return b.String()
}

// Precedence levels, loosest first.
const (
	levelOr = iota + 1
	levelAnd
	levelNot
	levelPredicate
	levelAdd
	levelMul
	levelNeg
	levelPrimary
)

func level(e Expr) int {
	switch x := e.(type) {
	case *Binary:
		switch x.Op {
		case OpOr:
			return levelOr
		case OpAnd:
			return levelAnd
		case OpAdd, OpSub:
			return levelAdd
		case OpMul, OpDiv:
			return levelMul
		}
		return levelPredicate
	case *Unary:
		if x.Op == OpNot {
			return levelNot
		}
		return levelNeg
	case *In, *Between, *IsNull, *Like:
		return levelPredicate
	}
	return levelPrimary
}

type printer struct {
	d     *Dialect
	b     *strings.Builder
	types map[Expr]Type // nil when printing an unchecked tree
	prog  *Program      // the checked program, nil for a bare tree
}

// colName is the name column reference x prints as: the schema's
// spelling when the tree was checked.
func (p *printer) colName(x *Column) string {
	if p.prog != nil {
		if i, ok := p.prog.fields[x]; ok {
			return p.prog.schema.Field(i).Name
		}
	}
	return x.Name
}

// collated prints string operand e with the dialect's collation, for an
// order comparison.
func (p *printer) collated(e Expr, s string) string {
	if p.d.Collate == "" || p.types == nil || p.types[e].Kind != StringKind {
		return s
	}
	return s + ` COLLATE "` + p.d.Collate + `"`
}

// typeOf is e's checked type, the zero Type for an unchecked tree.
func (p *printer) typeOf(e Expr) Type { return p.types[e] }

func (p *printer) w(s string) { p.b.WriteString(s) }

// expr prints e where the grammar needs at least level min.
func (p *printer) expr(e Expr, min int) {
	if level(e) < min {
		p.w("(")
		p.expr(e, levelOr)
		p.w(")")
		return
	}
	if _, lit := e.(*Literal); p.d.NullConstants && !lit && nullArithmetic(e) {
		p.w("NULL")
		return
	}
	if p.d.Node != nil {
		if s, ok := p.d.Node(e, func(e Expr) string { return p.sub(e, levelPrimary) }, p.typeOf); ok {
			p.w(s)
			return
		}
	}
	switch x := e.(type) {
	case *Column:
		if p.d.Ident != nil {
			p.w(p.d.Ident(p.colName(x)))
		} else {
			p.w(quoteIdent(p.colName(x)))
		}
	case *Literal:
		p.literal(x)
	case *Unary:
		if x.Op == OpNot {
			p.w("NOT ")
			p.expr(x.X, levelNot)
			return
		}
		p.w("-")
		// -(5) stays a negation (-5 is a constant) and -(-x) avoids "--",
		// which SQL reads as a comment.
		if l, ok := x.X.(*Literal); ok && (l.Kind == LitInt || l.Kind == LitFloat) || level(x.X) == levelNeg {
			p.expr(x.X, levelPrimary+1)
		} else {
			p.expr(x.X, levelNeg)
		}
	case *Binary:
		lv := level(x)
		left, right := lv, lv+1
		if lv == levelPredicate {
			left, right = levelAdd, levelAdd
		}
		xs, ys := p.sub(x.X, left), p.sub(x.Y, right)
		if x.Op.ordering() {
			xs = p.collated(x.X, xs)
		}
		if p.types != nil && p.d.Binary != nil {
			if s, ok := p.d.Binary(x.Op, xs, ys, p.types[x.X], p.types[x.Y]); ok {
				p.w(s)
				return
			}
		}
		p.w(xs + " " + x.Op.String() + " " + ys)
	case *In:
		p.expr(x.X, levelAdd)
		p.w(not(x.Not) + " IN (")
		for i, y := range x.List {
			if i > 0 {
				p.w(", ")
			}
			p.expr(y, levelOr)
		}
		p.w(")")
	case *Between:
		p.w(p.collated(x.X, p.sub(x.X, levelAdd)))
		p.w(not(x.Not) + " BETWEEN ")
		p.expr(x.Lo, levelAdd)
		p.w(" AND ")
		p.expr(x.Hi, levelAdd)
	case *IsNull:
		p.expr(x.X, levelAdd)
		p.w(" IS" + not(x.Not) + " NULL")
	case *Like:
		p.expr(x.X, levelAdd)
		p.w(not(x.Not) + " LIKE " + quoteString(x.Pattern))
		if x.Escape != "" {
			p.w(" ESCAPE " + quoteString(x.Escape))
		} else if p.d.LikeEscapes {
			p.w(" ESCAPE ''")
		}
	case *Call:
		if !p.d.Now.IsZero() && (x.Name == "now" || x.Name == "today") && len(x.Args) == 0 {
			lit := &Literal{Kind: LitTimestamp, Time: p.d.Now.UTC().Truncate(time.Microsecond), Zoned: true}
			if x.Name == "today" {
				y, m, d := p.d.Now.UTC().Date()
				lit = &Literal{Kind: LitDate, Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
			}
			p.literal(lit)
			return
		}
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = p.sub(a, levelOr)
		}
		if p.d.Call != nil {
			if s, ok := p.d.Call(x.Name, args); ok {
				p.w(s)
				return
			}
		}
		p.w(x.Name + "(" + strings.Join(args, ", ") + ")")
	default:
		panic(fmt.Sprintf("expr: Print of unknown node %T", e))
	}
}

func not(b bool) string {
	if b {
		return " NOT"
	}
	return ""
}

func (p *printer) literal(l *Literal) {
	if p.d.Literal != nil {
		if s, ok := p.d.Literal(l); ok {
			p.w(s)
			return
		}
	}
	p.w(literalText(l))
}

func literalText(l *Literal) string {
	switch l.Kind {
	case LitNull:
		return "NULL"
	case LitBool:
		if l.Bool {
			return "TRUE"
		}
		return "FALSE"
	case LitInt:
		return strconv.FormatInt(l.Int, 10)
	case LitFloat:
		if math.IsNaN(l.Float) || math.IsInf(l.Float, 0) {
			// No constant spells these; the SQL cast reads them in DuckDB
			// and PostgreSQL (Parse does not accept it).
			return fmt.Sprintf("CAST('%v' AS DOUBLE)", l.Float)
		}
		s := strconv.FormatFloat(l.Float, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case LitString:
		return quoteString(l.String)
	case LitDate:
		return "DATE '" + l.Time.Format("2006-01-02") + "'"
	case LitTimestamp:
		s := "TIMESTAMP '" + l.Time.UTC().Format("2006-01-02 15:04:05.999999")
		if l.Zoned {
			s += "Z"
		}
		return s + "'"
	case LitInterval:
		return "INTERVAL '" + intervalText(l.Interval) + "'"
	}
	panic(fmt.Sprintf("expr: unknown literal kind %d", l.Kind))
}

func intervalText(iv Interval) string {
	var parts []string
	add := func(n int64, unit string) {
		if n != 0 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, unit))
		}
	}
	add(int64(iv.Months), "month")
	add(int64(iv.Days), "day")
	us := iv.Micros
	add(us/3600e6, "hour")
	us %= 3600e6
	add(us/60e6, "minute")
	us %= 60e6
	add(us/1e6, "second")
	add(us%1e6, "microsecond")
	if len(parts) == 0 {
		return "0 days"
	}
	return strings.Join(parts, " ")
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlReserved are words SQL engines reserve (PostgreSQL's reserved list,
// which covers DuckDB's): a column of that name is printed quoted.
var sqlReserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast check collate column
		constraint create current_catalog current_date current_role current_time current_timestamp current_user default
		deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect
		into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references
		returning select session_user some symmetric table then to trailing true union unique user using variadic when
		where window with between like escape is interval date timestamp`) {
		sqlReserved[w] = true
	}
}

// quoteIdent writes a column name bare when it is a lower-case SQL
// identifier that no SQL engine reserves, else double-quoted (so "Ozone"
// keeps its case in engines that fold unquoted names).
func quoteIdent(name string) string {
	bare := name != ""
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			bare = false
			break
		}
	}
	if !bare || sqlReserved[name] {
		return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	return name
}
