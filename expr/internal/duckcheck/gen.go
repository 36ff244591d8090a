package main

import (
	"math/rand/v2"
	"time"

	"github.com/trustml/trustml/expr"
)

// gen builds random well-typed predicates over the benchmark columns. The
// trees are built as expr nodes and reach both engines as text: Generic
// for expr (so the parser is exercised too), DuckDB for DuckDB.
type gen struct {
	r *rand.Rand
}

var (
	intCols   = []string{"id", "age", "label"}
	floatCols = []string{"income", "score", "x", "y"}
	regions   = []string{"north", "south", "east", "west", "central", "coast", "mountain", "island", "North", "", "nowhere"}
	patterns  = []string{"n%", "%th", "_o%", "%a%", "c_ast", "%", "", "no%th", "%!%%", "is_and", "%n_"}
)

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func col(name string) expr.Expr { return &expr.Column{At: expr.NoPos, Name: name} }
func intLit(v int64) expr.Expr  { return &expr.Literal{At: expr.NoPos, Kind: expr.LitInt, Int: v} }
func floatLit(v float64) expr.Expr {
	return &expr.Literal{At: expr.NoPos, Kind: expr.LitFloat, Float: v}
}
func strLit(s string) expr.Expr {
	return &expr.Literal{At: expr.NoPos, Kind: expr.LitString, String: s}
}
func null() expr.Expr { return &expr.Literal{At: expr.NoPos, Kind: expr.LitNull} }
func call(name string, args ...expr.Expr) expr.Expr {
	return &expr.Call{At: expr.NoPos, Name: name, Args: args}
}

var cmpOps = []expr.Op{expr.OpEq, expr.OpNe, expr.OpLt, expr.OpLe, expr.OpGt, expr.OpGe}

// boolean returns a predicate of nesting depth at most d.
func (g *gen) boolean(d int) expr.Expr {
	if d <= 0 {
		return g.atom()
	}
	switch g.pick(10) {
	case 0, 1:
		return &expr.Binary{X: g.boolean(d - 1), Op: expr.OpAnd, Y: g.boolean(d - 1)}
	case 2, 3:
		return &expr.Binary{X: g.boolean(d - 1), Op: expr.OpOr, Y: g.boolean(d - 1)}
	case 4:
		return &expr.Unary{At: expr.NoPos, Op: expr.OpNot, X: g.boolean(d - 1)}
	case 5:
		return &expr.Binary{X: g.boolean(d - 1), Op: cmpOps[g.pick(2)], Y: g.boolean(d - 1)}
	}
	return g.atom()
}

func (g *gen) atom() expr.Expr {
	switch g.pick(14) {
	case 0, 1, 2, 3:
		return &expr.Binary{X: g.number(2), Op: cmpOps[g.pick(6)], Y: g.number(2)}
	case 4:
		return &expr.Binary{X: g.str(1), Op: cmpOps[g.pick(6)], Y: g.str(1)}
	case 5:
		return &expr.Between{X: g.number(1), Not: g.pick(3) == 0, Lo: g.number(1), Hi: g.number(1)}
	case 6:
		in := &expr.In{X: g.number(1), Not: g.pick(3) == 0}
		for range 1 + g.pick(4) {
			switch g.pick(6) {
			case 0:
				in.List = append(in.List, null())
			case 1:
				in.List = append(in.List, g.number(0))
			default:
				in.List = append(in.List, intLit(int64(g.pick(10))))
			}
		}
		return in
	case 7:
		in := &expr.In{X: g.str(1), Not: g.pick(3) == 0}
		for range 1 + g.pick(4) {
			if g.pick(8) == 0 {
				in.List = append(in.List, null())
			} else {
				in.List = append(in.List, strLit(regions[g.pick(len(regions))]))
			}
		}
		return in
	case 8:
		x := []expr.Expr{g.number(1), g.str(1), g.date(1)}[g.pick(3)]
		return &expr.IsNull{X: x, Not: g.pick(2) == 0}
	case 9:
		l := &expr.Like{X: g.str(1), Not: g.pick(3) == 0, Pattern: patterns[g.pick(len(patterns))]}
		if l.Pattern == "%!%%" {
			l.Escape = "!"
		}
		return l
	case 10:
		return &expr.Binary{X: g.date(1), Op: cmpOps[g.pick(6)], Y: g.date(1)}
	case 11:
		return &expr.Between{X: g.date(1), Lo: g.date(0), Hi: g.date(0)}
	case 12:
		return []expr.Expr{&expr.Literal{At: expr.NoPos, Kind: expr.LitBool, Bool: true}, &expr.Literal{At: expr.NoPos, Kind: expr.LitBool}, null()}[g.pick(3)]
	}
	return &expr.Binary{X: col("label"), Op: expr.OpEq, Y: intLit(int64(g.pick(2)))}
}

// number returns an integer or float expression.
func (g *gen) number(d int) expr.Expr {
	if d <= 0 || g.pick(3) == 0 {
		switch g.pick(10) {
		case 0, 1, 2:
			return col(intCols[g.pick(len(intCols))])
		case 3, 4, 5:
			return col(floatCols[g.pick(len(floatCols))])
		case 6:
			return intLit(int64(g.pick(200)) - 50)
		case 7:
			return floatLit(float64(g.pick(20000))/100 - 50)
		case 8:
			return []expr.Expr{intLit(0), floatLit(0), intLit(1 << 40), intLit(-9223372036854775807), floatLit(1e300)}[g.pick(5)]
		}
		return null()
	}
	switch g.pick(12) {
	case 0, 1:
		return &expr.Binary{X: g.number(d - 1), Op: expr.OpAdd, Y: g.number(d - 1)}
	case 2, 3:
		return &expr.Binary{X: g.number(d - 1), Op: expr.OpSub, Y: g.number(d - 1)}
	case 4, 5:
		return &expr.Binary{X: g.number(d - 1), Op: expr.OpMul, Y: g.number(d - 1)}
	case 6:
		return &expr.Binary{X: g.number(d - 1), Op: expr.OpDiv, Y: g.number(d - 1)}
	case 7:
		return &expr.Unary{At: expr.NoPos, Op: expr.OpNeg, X: g.number(d - 1)}
	case 8:
		return call("abs", g.number(d-1))
	case 9:
		if g.pick(2) == 0 {
			return call("round", g.number(d-1))
		}
		return call("round", g.number(d-1), intLit(int64(g.pick(5))-1))
	case 10:
		return call("length", g.str(d-1))
	}
	if g.pick(2) == 0 {
		return call([]string{"year", "month", "day"}[g.pick(3)], g.date(d-1))
	}
	return call("coalesce", g.number(d-1), g.number(d-1))
}

func (g *gen) str(d int) expr.Expr {
	if d <= 0 || g.pick(2) == 0 {
		if g.pick(3) == 0 {
			return strLit(regions[g.pick(len(regions))])
		}
		return col("region")
	}
	switch g.pick(4) {
	case 0:
		return call("lower", g.str(d-1))
	case 1:
		return call("upper", g.str(d-1))
	case 2:
		return call("trim", g.str(d-1))
	}
	return call("coalesce", g.str(d-1), strLit(regions[g.pick(len(regions))]))
}

var base = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// date returns a DATE expression: constants, and constants shifted by
// an integer column (so the values vary by row).
func (g *gen) date(d int) expr.Expr {
	lit := &expr.Literal{At: expr.NoPos, Kind: expr.LitDate, Time: base.AddDate(0, 0, g.pick(400)-200)}
	if d <= 0 || g.pick(3) == 0 {
		return lit
	}
	switch g.pick(3) {
	case 0:
		return &expr.Binary{X: lit, Op: expr.OpAdd, Y: col("age")}
	case 1:
		return &expr.Binary{X: lit, Op: expr.OpSub, Y: col("age")}
	}
	return &expr.Binary{X: g.date(d - 1), Op: expr.OpAdd, Y: intLit(int64(g.pick(60)) - 30)}
}

func (g *gen) predicate() expr.Expr {
	return g.boolean(1 + g.pick(3))
}
