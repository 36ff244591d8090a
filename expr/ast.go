package expr

import "time"

// Pos is a byte offset into the expression's source text, counted from 0.
// Position converts it to a line and column.
type Pos int

// NoPos is the position of a node built in Go code rather than parsed.
const NoPos Pos = -1

// Expr is a node of the expression tree. The concrete types are *Column,
// *Literal, *Unary, *Binary, *In, *Between, *IsNull, *Like and *Call; the
// set is closed, as go/ast's is for Go expressions.
type Expr interface {
	// Pos is the offset of the node's first byte in the source, or NoPos.
	Pos() Pos
	exprNode()
}

// Column is a reference to a column of the batch, written bare (amount) or
// double-quoted ("Solar.R").
type Column struct {
	At   Pos
	Name string
}

// LitKind says which kind of constant a Literal holds.
type LitKind int

// The literal kinds.
const (
	LitNull      LitKind = iota // NULL
	LitBool                     // TRUE, FALSE: Bool
	LitInt                      // 42, -7: Int
	LitFloat                    // 1.5, 2e-3: Float
	LitString                   // 'text': String
	LitDate                     // DATE '2026-11-30': Time at UTC midnight
	LitTimestamp                // TIMESTAMP '2026-11-30 12:00:00[+zone]': Time, Zoned
	LitInterval                 // INTERVAL '1 day': Interval
)

// Literal is a constant. Only the field named by Kind is meaningful.
type Literal struct {
	At       Pos
	Kind     LitKind
	Bool     bool
	Int      int64
	Float    float64
	String   string
	Time     time.Time // LitDate (UTC midnight) and LitTimestamp (the instant, in UTC)
	Zoned    bool      // LitTimestamp written with a zone: a TIMESTAMPTZ
	Interval Interval
}

// Interval is a calendar interval: months and days are calendar units,
// applied in the time zone of the timestamp they are added to; Micros is
// elapsed time.
type Interval struct {
	Months int32
	Days   int32
	Micros int64
}

// Op is a unary or binary operator.
type Op int

// The operators.
const (
	OpInvalid Op = iota
	OpAdd        // +
	OpSub        // -
	OpMul        // *
	OpDiv        // /
	OpEq         // =
	OpNe         // <> (also written !=)
	OpLt         // <
	OpLe         // <=
	OpGt         // >
	OpGe         // >=
	OpAnd        // AND
	OpOr         // OR
	OpNot        // NOT (unary)
	OpNeg        // - (unary)
)

var opText = [...]string{OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpEq: "=", OpNe: "<>", OpLt: "<",
	OpLe: "<=", OpGt: ">", OpGe: ">=", OpAnd: "AND", OpOr: "OR", OpNot: "NOT", OpNeg: "-"}

// String returns the operator as written in SQL.
func (o Op) String() string {
	if o <= OpInvalid || int(o) >= len(opText) {
		return "?"
	}
	return opText[o]
}

// Unary is NOT X or -X.
type Unary struct {
	At Pos
	Op Op // OpNot or OpNeg
	X  Expr
}

// Binary is X op Y for an arithmetic, comparison or logical operator.
type Binary struct {
	X  Expr
	Op Op
	Y  Expr
}

// In is X [NOT] IN (List...).
type In struct {
	X    Expr
	Not  bool
	List []Expr
}

// Between is X [NOT] BETWEEN Lo AND Hi.
type Between struct {
	X      Expr
	Not    bool
	Lo, Hi Expr
}

// IsNull is X IS [NOT] NULL.
type IsNull struct {
	X   Expr
	Not bool
}

// Like is X [NOT] LIKE Pattern [ESCAPE Escape]. Pattern is a string
// constant; Escape is "" (no escape character) or one character.
type Like struct {
	X       Expr
	Not     bool
	Pattern string
	Escape  string
}

// Call is a function call, name(args...). Name is lower case.
type Call struct {
	At   Pos
	Name string
	Args []Expr
}

func (x *Column) Pos() Pos  { return x.At }
func (x *Literal) Pos() Pos { return x.At }
func (x *Unary) Pos() Pos   { return x.At }
func (x *Binary) Pos() Pos  { return x.X.Pos() }
func (x *In) Pos() Pos      { return x.X.Pos() }
func (x *Between) Pos() Pos { return x.X.Pos() }
func (x *IsNull) Pos() Pos  { return x.X.Pos() }
func (x *Like) Pos() Pos    { return x.X.Pos() }
func (x *Call) Pos() Pos    { return x.At }

func (*Column) exprNode()  {}
func (*Literal) exprNode() {}
func (*Unary) exprNode()   {}
func (*Binary) exprNode()  {}
func (*In) exprNode()      {}
func (*Between) exprNode() {}
func (*IsNull) exprNode()  {}
func (*Like) exprNode()    {}
func (*Call) exprNode()    {}

// Inspect calls f for e and, while f returns true, for each of its
// children in source order, depth first, as go/ast.Inspect does.
func Inspect(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch x := e.(type) {
	case *Unary:
		Inspect(x.X, f)
	case *Binary:
		Inspect(x.X, f)
		Inspect(x.Y, f)
	case *In:
		Inspect(x.X, f)
		for _, y := range x.List {
			Inspect(y, f)
		}
	case *Between:
		Inspect(x.X, f)
		Inspect(x.Lo, f)
		Inspect(x.Hi, f)
	case *IsNull:
		Inspect(x.X, f)
	case *Like:
		Inspect(x.X, f)
	case *Call:
		for _, y := range x.Args {
			Inspect(y, f)
		}
	}
}

// Columns returns the distinct column names e references, in order of
// first appearance.
func Columns(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	Inspect(e, func(n Expr) bool {
		if c, ok := n.(*Column); ok && !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c.Name)
		}
		return true
	})
	return out
}

// ordering reports whether o compares by order (< <= > >=).
func (o Op) ordering() bool { return o == OpLt || o == OpLe || o == OpGt || o == OpGe }
