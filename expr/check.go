package expr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/trustml/trustml/internal/yamlx"
)

// Program is an expression checked against a schema, ready to evaluate
// over record batches of that schema. A Program is immutable and safe for
// concurrent use.
type Program struct {
	// Expr is the checked tree. It must not be modified.
	Expr Expr
	// Type is the type of the whole expression.
	Type Type

	src     string
	schema  *arrow.Schema
	types   map[Expr]Type
	fields  map[*Column]int // column reference → field index in schema
	usesNow bool
}

// Source returns the text the program was compiled from ("" when it was
// checked from a tree built in Go).
func (p *Program) Source() string { return p.src }

// TypeOf returns the type of sub-expression e of p.Expr.
func (p *Program) TypeOf(e Expr) Type { return p.types[e] }

// Columns returns the names of the columns the expression reads, in order
// of first appearance, as the schema spells them.
func (p *Program) Columns() []string {
	var out []string
	seen := map[int]bool{}
	Inspect(p.Expr, func(n Expr) bool {
		if c, ok := n.(*Column); ok && !seen[p.fields[c]] {
			seen[p.fields[c]] = true
			out = append(out, p.schema.Field(p.fields[c]).Name)
		}
		return true
	})
	return out
}

// Compile parses src and checks it against schema. Every problem found is
// returned, each an *Error with its position in src, joined with
// errors.Join.
func Compile(src string, schema *arrow.Schema) (*Program, error) {
	e, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return check(e, src, schema)
}

// Check checks a tree against schema; src is the text e was parsed from,
// used to turn positions into lines and columns ("" for a tree built in Go).
func Check(e Expr, src string, schema *arrow.Schema) (*Program, error) {
	return check(e, src, schema)
}

// Predicate is Compile for an expression that must be a boolean: a
// where: filter or a row rule.
func Predicate(src string, schema *arrow.Schema) (*Program, error) {
	p, err := Compile(src, schema)
	if err != nil {
		return nil, err
	}
	if k := p.Type.Kind; k != BoolKind && k != NullKind {
		return nil, &Error{Pos: PositionOf(src, p.Expr.Pos()), Msg: fmt.Sprintf("expression has type %s, want a condition (BOOLEAN)", p.Type),
			Hint: "compare it, e.g. x > 0"}
	}
	return p, nil
}

type checker struct {
	src    string
	schema *arrow.Schema
	prog   *Program
	errs   []error
}

func check(e Expr, src string, schema *arrow.Schema) (*Program, error) {
	if e == nil {
		return nil, errors.New("expr: nil expression")
	}
	c := &checker{src: src, schema: schema, prog: &Program{Expr: e, src: src, schema: schema,
		types: map[Expr]Type{}, fields: map[*Column]int{}}}
	t, _ := c.expr(e)
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	c.prog.Type = t
	return c.prog, nil
}

func (c *checker) errorf(at Expr, hint string, format string, args ...any) {
	c.errs = append(c.errs, &Error{Pos: PositionOf(c.src, at.Pos()), Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// expr types e; ok is false when an error was recorded for e or below, so
// that one mistake is reported once.
func (c *checker) expr(e Expr) (t Type, ok bool) {
	t, ok = c.typ(e)
	if ok {
		c.prog.types[e] = t
	}
	return t, ok
}

func (c *checker) typ(e Expr) (Type, bool) {
	switch x := e.(type) {
	case *Column:
		return c.column(x)
	case *Literal:
		switch x.Kind {
		case LitNull:
			return Type{Kind: NullKind}, true
		case LitBool:
			return Type{Kind: BoolKind}, true
		case LitInt:
			return Type{Kind: IntKind}, true
		case LitFloat:
			return Type{Kind: FloatKind}, true
		case LitString:
			return Type{Kind: StringKind}, true
		case LitDate:
			return Type{Kind: DateKind}, true
		case LitTimestamp:
			if x.Zoned {
				return Type{Kind: TimestampKind, Zone: "UTC"}, true
			}
			return Type{Kind: TimestampKind}, true
		case LitInterval:
			return Type{Kind: IntervalKind}, true
		}
	case *Unary:
		t, ok := c.expr(x.X)
		if !ok {
			return t, false
		}
		if x.Op == OpNot {
			if t.Kind != BoolKind && t.Kind != NullKind {
				c.errorf(x.X, "", "NOT needs a condition, got %s", t)
				return t, false
			}
			return Type{Kind: BoolKind}, true
		}
		if t.Kind == NullKind {
			return Type{Kind: IntKind}, true
		}
		if !t.numeric() {
			c.errorf(x.X, "", "unary - needs a number, got %s", t)
			return t, false
		}
		return t, true
	case *Binary:
		return c.binary(x)
	case *In:
		t, xok := c.expr(x.X)
		ok := xok
		for _, y := range x.List {
			u, ok2 := c.expr(y)
			if xok && ok2 {
				if _, cmp := comparable(t, u); !cmp {
					c.errorf(y, "", "IN list element has type %s, which cannot be compared with %s", u, t)
					ok2 = false
				}
			}
			ok = ok && ok2
		}
		return Type{Kind: BoolKind}, ok
	case *Between:
		t, ok := c.expr(x.X)
		lo, ok1 := c.expr(x.Lo)
		hi, ok2 := c.expr(x.Hi)
		if ok && ok1 && ok2 {
			for _, b := range []struct {
				e Expr
				t Type
			}{{x.Lo, lo}, {x.Hi, hi}} {
				if _, cmp := comparable(t, b.t); !cmp {
					c.errorf(b.e, "", "BETWEEN bound has type %s, which cannot be compared with %s", b.t, t)
					ok = false
				}
			}
		}
		return Type{Kind: BoolKind}, ok && ok1 && ok2
	case *IsNull:
		_, ok := c.expr(x.X)
		return Type{Kind: BoolKind}, ok
	case *Like:
		t, ok := c.expr(x.X)
		if ok && t.Kind != StringKind && t.Kind != NullKind {
			c.errorf(x.X, "", "LIKE needs a string, got %s", t)
			ok = false
		}
		return Type{Kind: BoolKind}, ok
	case *Call:
		return c.call(x)
	}
	c.errorf(e, "", "unknown expression node %T", e)
	return Type{}, false
}

func (c *checker) column(x *Column) (Type, bool) {
	idx := c.schema.FieldIndices(x.Name)
	if len(idx) == 0 {
		// Unquoted names are matched case-insensitively when the match
		// is unique, as SQL engines fold unquoted identifiers.
		var ci []int
		for i, f := range c.schema.Fields() {
			if strings.EqualFold(f.Name, x.Name) {
				ci = append(ci, i)
			}
		}
		if len(ci) == 1 {
			idx = ci
		}
	}
	names := make([]string, c.schema.NumFields())
	for i, f := range c.schema.Fields() {
		names[i] = f.Name
	}
	switch {
	case len(idx) == 0:
		hint := ""
		if s := yamlx.Suggest(x.Name, names); s != "" {
			hint = "did you mean " + quoteIdent(s) + "?"
		} else {
			hint = "columns: " + strings.Join(names, ", ")
		}
		c.errorf(x, hint, "unknown column %s", quoteIdent(x.Name))
		return Type{}, false
	case len(idx) > 1:
		c.errorf(x, "", "column name %s is ambiguous: the data has %d columns of that name", quoteIdent(x.Name), len(idx))
		return Type{}, false
	}
	f := c.schema.Field(idx[0])
	t, ok := ColumnType(f.Type)
	if !ok {
		c.errorf(x, "", "column %s has type %s, which expressions cannot read", quoteIdent(f.Name), f.Type)
		return Type{}, false
	}
	c.prog.fields[x] = idx[0]
	return t, true
}

// unify returns the common type of a and b, for coalesce, IN lists and
// comparisons: NULL takes the other type, BIGINT widens to DOUBLE, DATE to
// TIMESTAMP, a timestamp without zone to one with.
func unify(a, b Type) (Type, bool) {
	switch {
	case a.Kind == NullKind:
		return b, true
	case b.Kind == NullKind:
		return a, true
	case a.numeric() && b.numeric():
		if a.Kind == FloatKind || b.Kind == FloatKind {
			return Type{Kind: FloatKind}, true
		}
		return a, true
	case a.Kind == TimestampKind && (b.Kind == TimestampKind || b.Kind == DateKind):
		if a.Zone == "" {
			return Type{Kind: TimestampKind, Zone: b.Zone}, true
		}
		return a, true
	case a.Kind == DateKind && b.Kind == TimestampKind:
		return b, true
	case a.Kind == b.Kind && a.Kind != IntervalKind:
		return a, true
	}
	return Type{}, false
}

// comparable reports the type both sides are compared in.
func comparable(a, b Type) (Type, bool) { return unify(a, b) }

func (c *checker) binary(x *Binary) (Type, bool) {
	a, ok1 := c.expr(x.X)
	b, ok2 := c.expr(x.Y)
	if !ok1 || !ok2 {
		return Type{}, false
	}
	switch x.Op {
	case OpAnd, OpOr:
		for _, s := range []struct {
			e Expr
			t Type
		}{{x.X, a}, {x.Y, b}} {
			if s.t.Kind != BoolKind && s.t.Kind != NullKind {
				c.errorf(s.e, "compare it, e.g. x > 0", "%s needs conditions on both sides, got %s", x.Op, s.t)
				return Type{}, false
			}
		}
		return Type{Kind: BoolKind}, true
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		if _, ok := comparable(a, b); !ok {
			c.errorf(x.Y, hintCompare(a, b), "cannot compare %s with %s", a, b)
			return Type{}, false
		}
		return Type{Kind: BoolKind}, true
	}
	if t, ok := arithmetic(x.Op, a, b); ok {
		return t, true
	}
	c.errorf(x.Y, "", "cannot compute %s %s %s", a, x.Op, b)
	return Type{}, false
}

func hintCompare(a, b Type) string {
	if a.Kind == StringKind && (b.Kind == DateKind || b.Kind == TimestampKind) || b.Kind == StringKind && (a.Kind == DateKind || a.Kind == TimestampKind) {
		return "write a date constant as DATE 'YYYY-MM-DD'"
	}
	if a.Kind == StringKind && b.numeric() || b.Kind == StringKind && a.numeric() {
		return "quote or unquote the constant to match the column"
	}
	return ""
}

// arithmetic is the result type of a op b for + - * /, and false when
// the operation is not defined. The table:
//
//	BIGINT op BIGINT       → BIGINT (+ - *; overflow is an error), DOUBLE (/)
//	numbers otherwise      → DOUBLE
//	DATE ± BIGINT          → DATE (days)
//	DATE - DATE            → BIGINT (days)
//	TIMESTAMP ± INTERVAL   → TIMESTAMP, same zone; INTERVAL + TIMESTAMP too
//	DATE ± INTERVAL        → TIMESTAMP without zone
//	NULL op T              → as T op T
func arithmetic(op Op, a, b Type) (Type, bool) {
	if a.Kind == NullKind && b.Kind == NullKind {
		if op == OpDiv {
			return Type{Kind: FloatKind}, true
		}
		return Type{Kind: IntKind}, true
	}
	if a.Kind == NullKind {
		a = b
		if b.Kind == DateKind && op == OpSub {
			a = Type{Kind: DateKind}
		}
	}
	if b.Kind == NullKind {
		b = a
		if a.Kind == DateKind || a.Kind == TimestampKind {
			b = Type{Kind: IntervalKind}
			if a.Kind == DateKind {
				b = Type{Kind: IntKind}
			}
		}
	}
	switch {
	case a.numeric() && b.numeric():
		if op == OpDiv || a.Kind == FloatKind || b.Kind == FloatKind {
			return Type{Kind: FloatKind}, true
		}
		return Type{Kind: IntKind}, true
	case a.Kind == DateKind && b.Kind == IntKind && (op == OpAdd || op == OpSub):
		return Type{Kind: DateKind}, true
	case a.Kind == IntKind && b.Kind == DateKind && op == OpAdd:
		return Type{Kind: DateKind}, true
	case a.Kind == DateKind && b.Kind == DateKind && op == OpSub:
		return Type{Kind: IntKind}, true
	case a.Kind == TimestampKind && b.Kind == IntervalKind && (op == OpAdd || op == OpSub):
		return a, true
	case a.Kind == IntervalKind && b.Kind == TimestampKind && op == OpAdd:
		return b, true
	case a.Kind == DateKind && b.Kind == IntervalKind && (op == OpAdd || op == OpSub):
		return Type{Kind: TimestampKind}, true
	case a.Kind == IntervalKind && b.Kind == DateKind && op == OpAdd:
		return Type{Kind: TimestampKind}, true
	}
	return Type{}, false
}

func (c *checker) call(x *Call) (Type, bool) {
	f := funcs[x.Name]
	if f == nil {
		names := make([]string, 0, len(funcs))
		for n := range funcs {
			names = append(names, n)
		}
		hint := ""
		if s := yamlx.Suggest(x.Name, names); s != "" {
			hint = "did you mean " + s + "?"
		}
		c.errorf(x, hint, "unknown function %s", x.Name)
		return Type{}, false
	}
	ok := true
	args := make([]Type, len(x.Args))
	for i, a := range x.Args {
		var ok1 bool
		args[i], ok1 = c.expr(a)
		ok = ok && ok1
	}
	if len(x.Args) < f.minArgs || f.maxArgs >= 0 && len(x.Args) > f.maxArgs {
		c.errorf(x, f.sig, "%s takes %s, got %d", x.Name, countArgs(f), len(x.Args))
		return Type{}, false
	}
	if !ok {
		return Type{}, false
	}
	t, i, msg := f.typ(c, x, args)
	if msg != "" {
		c.errorf(x.Args[i], f.sig, "%s: argument %d %s", x.Name, i+1, msg)
		return Type{}, false
	}
	if x.Name == "now" || x.Name == "today" {
		c.prog.usesNow = true
	}
	return t, true
}

func countArgs(f *function) string {
	switch {
	case f.maxArgs < 0:
		return fmt.Sprintf("at least %d arguments", f.minArgs)
	case f.minArgs == f.maxArgs && f.minArgs == 1:
		return "1 argument"
	case f.minArgs == f.maxArgs:
		return fmt.Sprintf("%d arguments", f.minArgs)
	}
	return fmt.Sprintf("%d to %d arguments", f.minArgs, f.maxArgs)
}
