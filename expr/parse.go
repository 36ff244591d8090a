package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Position is a place in the expression's source: Offset is the byte
// offset from 0, Line and Column count from 1, Column in runes (as
// YAML and most editors count).
//
// To point into a suite file, add the expression's position to the YAML
// scalar's: for a single-line plain scalar at file line L, column C, the
// place is L:(C + Column - 1); for a quoted scalar add 1 for the opening
// quote; for a block scalar (| or >) the expression's line k is the
// file's line L+k and columns start after the block's indentation. Escapes
// in double-quoted YAML scalars shift columns and are not accounted for.
type Position struct {
	Offset int
	Line   int
	Column int
}

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// PositionOf converts offset pos within src to a Position. NoPos gives
// the zero Position.
func PositionOf(src string, pos Pos) Position {
	if pos < 0 {
		return Position{}
	}
	off := min(int(pos), len(src))
	line, col := 1, 1
	for _, r := range src[:off] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return Position{Offset: off, Line: line, Column: col}
}

// Error is a syntax or type error inside an expression: where it is, what
// is wrong, and, when there is one, a hint ("did you mean ...?").
type Error struct {
	Pos  Position
	Msg  string
	Hint string
}

func (e *Error) Error() string {
	s := e.Pos.String() + ": " + e.Msg
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// token kinds
type tok int

const (
	tEOF tok = iota
	tIdent
	tQuoted // "quoted identifier"
	tNumber
	tString
	tOp // punctuation: + - * / = <> != < <= > >= ( ) ,
	tKeyword
)

type token struct {
	kind tok
	pos  Pos
	text string // identifier or string value, number text, operator, upper-case keyword
}

var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "IS": true, "NULL": true, "LIKE": true,
	"ESCAPE": true, "BETWEEN": true, "TRUE": true, "FALSE": true,
}

// typedLiteralWords are keywords only when a string literal follows
// (DATE '2026-11-30'); otherwise they name columns, as "date" often does.
var typedLiteralWords = map[string]LitKind{"DATE": LitDate, "TIMESTAMP": LitTimestamp, "INTERVAL": LitInterval}

type parser struct {
	src  string
	toks []token
	i    int
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 200

// Parse parses src as one expression. The error, if any, is an *Error.
func Parse(src string) (Expr, error) {
	p := &parser{src: src}
	if err := p.scan(); err != nil {
		return nil, err
	}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errorf(t.pos, "unexpected %s after the expression", describe(t))
	}
	return e, nil
}

func (p *parser) errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: PositionOf(p.src, pos), Msg: fmt.Sprintf(format, args...)}
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tString:
		return "string " + quoteString(t.text)
	case tQuoted:
		return "column " + quoteIdent(t.text)
	}
	return strconv.Quote(t.text)
}

func (p *parser) scan() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			return p.errorf(Pos(i), "comments (--) are not allowed in an expression")
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			w := s[i:j]
			if up := strings.ToUpper(w); keywords[up] {
				p.toks = append(p.toks, token{tKeyword, Pos(i), up})
			} else {
				p.toks = append(p.toks, token{tIdent, Pos(i), w})
			}
			i = j
		case c >= 0x80:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return p.errorf(Pos(i), "unexpected character %q; double-quote a column name that is not plain ASCII letters, digits and _", r)
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && s[j] == '.' {
				j++
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					j = k
				}
			}
			if j < len(s) && isIdentPart(s[j]) {
				return p.errorf(Pos(j), "unexpected %q after number %s", s[j], s[i:j])
			}
			p.toks = append(p.toks, token{tNumber, Pos(i), s[i:j]})
			i = j
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					what := "string"
					if c == '"' {
						what = "quoted column name"
					}
					return p.errorf(Pos(i), "unterminated %s", what)
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !utf8.ValidString(b.String()) {
				return p.errorf(Pos(i), "invalid UTF-8 in %s", map[byte]string{'\'': "string", '"': "quoted name"}[c])
			}
			kind := tString
			if c == '"' {
				kind = tQuoted
				if b.Len() == 0 {
					return p.errorf(Pos(i), "empty column name")
				}
			}
			p.toks = append(p.toks, token{kind, Pos(i), b.String()})
			i = j + 1
		default:
			two := ""
			if i+1 < len(s) {
				two = s[i : i+2]
			}
			switch two {
			case "<=", ">=", "<>", "!=":
				p.toks = append(p.toks, token{tOp, Pos(i), two})
				i += 2
				continue
			}
			if strings.IndexByte("+-*/=<>(),", c) < 0 {
				return p.errorf(Pos(i), "unexpected character %q", c)
			}
			p.toks = append(p.toks, token{tOp, Pos(i), string(c)})
			i++
		}
	}
	p.toks = append(p.toks, token{tEOF, Pos(len(s)), ""})
	return nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}
func (p *parser) isOp(s string) bool { t := p.peek(); return t.kind == tOp && t.text == s }
func (p *parser) isKw(s string) bool { t := p.peek(); return t.kind == tKeyword && t.text == s }
func (p *parser) isKwAt(k int, s string) bool {
	t := p.toks[min(p.i+k, len(p.toks)-1)]
	return t.kind == tKeyword && t.text == s
}

func (p *parser) expect(s string) (token, error) {
	t := p.next()
	if (t.kind == tOp || t.kind == tKeyword) && t.text == s {
		return t, nil
	}
	return t, p.errorf(t.pos, "expected %s, found %s", s, describe(t))
}

// expr parses OR, the loosest level.
func (p *parser) expr(depth int) (Expr, error) {
	if depth > maxDepth {
		return nil, p.errorf(p.peek().pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	x, err := p.and(depth)
	for err == nil && p.isKw("OR") {
		p.next()
		var y Expr
		if y, err = p.and(depth); err == nil {
			x = &Binary{X: x, Op: OpOr, Y: y}
		}
	}
	return x, err
}

func (p *parser) and(depth int) (Expr, error) {
	x, err := p.not(depth)
	for err == nil && p.isKw("AND") {
		p.next()
		var y Expr
		if y, err = p.not(depth); err == nil {
			x = &Binary{X: x, Op: OpAnd, Y: y}
		}
	}
	return x, err
}

func (p *parser) not(depth int) (Expr, error) {
	if p.isKw("NOT") {
		t := p.next()
		if depth > maxDepth {
			return nil, p.errorf(t.pos, "expression nested too deeply (more than %d levels)", maxDepth)
		}
		x, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Unary{At: t.pos, Op: OpNot, X: x}, nil
	}
	return p.predicate(depth)
}

var compareOps = map[string]Op{"=": OpEq, "<>": OpNe, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe}

// predicate parses a comparison, IS, IN, BETWEEN or LIKE over additive
// operands. These do not chain: a = b = c is an error; write (a = b) = c.
func (p *parser) predicate(depth int) (Expr, error) {
	x, err := p.additive(depth)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if op, ok := compareOps[t.text]; ok && t.kind == tOp {
		p.next()
		y, err := p.additive(depth)
		if err != nil {
			return nil, err
		}
		x = &Binary{X: x, Op: op, Y: y}
	} else if p.isKw("IS") {
		p.next()
		not := p.isKw("NOT")
		if not {
			p.next()
		}
		if _, err := p.expect("NULL"); err != nil {
			return nil, err
		}
		x = &IsNull{X: x, Not: not}
	} else if p.isKw("IN") || p.isKw("BETWEEN") || p.isKw("LIKE") ||
		p.isKw("NOT") && (p.isKwAt(1, "IN") || p.isKwAt(1, "BETWEEN") || p.isKwAt(1, "LIKE")) {
		not := p.isKw("NOT")
		if not {
			p.next()
		}
		switch kw := p.next(); kw.text {
		case "IN":
			if _, err := p.expect("("); err != nil {
				return nil, err
			}
			in := &In{X: x, Not: not}
			for {
				y, err := p.expr(depth + 1)
				if err != nil {
					return nil, err
				}
				in.List = append(in.List, y)
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			if _, err := p.expect(")"); err != nil {
				return nil, err
			}
			x = in
		case "BETWEEN":
			lo, err := p.additive(depth)
			if err != nil {
				return nil, err
			}
			if _, err := p.expect("AND"); err != nil {
				return nil, err
			}
			hi, err := p.additive(depth)
			if err != nil {
				return nil, err
			}
			x = &Between{X: x, Not: not, Lo: lo, Hi: hi}
		case "LIKE":
			pt := p.next()
			if pt.kind != tString {
				return nil, p.errorf(pt.pos, "LIKE needs a string constant pattern, found %s", describe(pt))
			}
			like := &Like{X: x, Not: not, Pattern: pt.text}
			if p.isKw("ESCAPE") {
				p.next()
				et := p.next()
				if et.kind != tString || utf8.RuneCountInString(et.text) > 1 {
					return nil, p.errorf(et.pos, "ESCAPE needs a string of one character, found %s", describe(et))
				}
				like.Escape = et.text
			}
			if err := checkPattern(like.Pattern, like.Escape); err != "" {
				return nil, p.errorf(pt.pos, "LIKE pattern %s: %s", quoteString(pt.text), err)
			}
			x = like
		}
	}
	if t := p.peek(); t.kind == tOp && compareOps[t.text] != 0 || p.isKw("IS") || p.isKw("IN") ||
		p.isKw("BETWEEN") || p.isKw("LIKE") {
		return nil, p.errorf(t.pos, "%s cannot follow a comparison without parentheses", describe(t))
	}
	return x, nil
}

func (p *parser) additive(depth int) (Expr, error) {
	x, err := p.multiplicative(depth)
	for err == nil && (p.isOp("+") || p.isOp("-")) {
		op := OpAdd
		if p.next().text == "-" {
			op = OpSub
		}
		var y Expr
		if y, err = p.multiplicative(depth); err == nil {
			x = &Binary{X: x, Op: op, Y: y}
		}
	}
	return x, err
}

func (p *parser) multiplicative(depth int) (Expr, error) {
	x, err := p.unary(depth)
	for err == nil && (p.isOp("*") || p.isOp("/")) {
		op := OpMul
		if p.next().text == "/" {
			op = OpDiv
		}
		var y Expr
		if y, err = p.unary(depth); err == nil {
			x = &Binary{X: x, Op: op, Y: y}
		}
	}
	return x, err
}

// unary parses -x. A minus directly before a number is part of the
// literal (so -9223372036854775808 is an integer); -(5) is a negation.
func (p *parser) unary(depth int) (Expr, error) {
	if p.isOp("-") {
		t := p.next()
		if n := p.peek(); n.kind == tNumber {
			p.next()
			return p.number(t.pos, "-"+n.text)
		}
		if depth > maxDepth {
			return nil, p.errorf(t.pos, "expression nested too deeply (more than %d levels)", maxDepth)
		}
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Unary{At: t.pos, Op: OpNeg, X: x}, nil
	}
	return p.primary(depth)
}

func (p *parser) number(pos Pos, text string) (Expr, error) {
	if !strings.ContainsAny(text, ".eE") {
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, p.errorf(pos, "integer %s is out of range (64-bit); write %s.0 for a float", text, text)
		}
		return &Literal{At: pos, Kind: LitInt, Int: v}, nil
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, p.errorf(pos, "number %s is out of range", text)
	}
	return &Literal{At: pos, Kind: LitFloat, Float: v}, nil
}

func (p *parser) primary(depth int) (Expr, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		return p.number(t.pos, t.text)
	case tString:
		return &Literal{At: t.pos, Kind: LitString, String: t.text}, nil
	case tQuoted:
		return &Column{At: t.pos, Name: t.text}, nil
	case tKeyword:
		switch t.text {
		case "NULL":
			return &Literal{At: t.pos, Kind: LitNull}, nil
		case "TRUE", "FALSE":
			return &Literal{At: t.pos, Kind: LitBool, Bool: t.text == "TRUE"}, nil
		}
	case tIdent:
		if kind, ok := typedLiteralWords[strings.ToUpper(t.text)]; ok && p.peek().kind == tString {
			s := p.next()
			lit, msg := typedLiteral(kind, s.text)
			if msg != "" {
				return nil, p.errorf(s.pos, "%s %s: %s", strings.ToUpper(t.text), quoteString(s.text), msg)
			}
			lit.At = t.pos
			return lit, nil
		}
		if p.isOp("(") {
			p.next()
			call := &Call{At: t.pos, Name: strings.ToLower(t.text)}
			if !p.isOp(")") {
				for {
					a, err := p.expr(depth + 1)
					if err != nil {
						return nil, err
					}
					call.Args = append(call.Args, a)
					if !p.isOp(",") {
						break
					}
					p.next()
				}
			}
			if _, err := p.expect(")"); err != nil {
				return nil, err
			}
			return call, nil
		}
		return &Column{At: t.pos, Name: t.text}, nil
	case tOp:
		if t.text == "(" {
			x, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			if _, err := p.expect(")"); err != nil {
				return nil, err
			}
			return x, nil
		}
	}
	return nil, p.errorf(t.pos, "expected a column, a constant, a function call or (, found %s", describe(t))
}

// typedLiteral parses the text of DATE, TIMESTAMP and INTERVAL literals;
// msg is non-empty when the text is malformed.
func typedLiteral(kind LitKind, s string) (lit *Literal, msg string) {
	switch kind {
	case LitDate:
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, "want YYYY-MM-DD"
		}
		return &Literal{Kind: LitDate, Time: t}, ""
	case LitTimestamp:
		return parseTimestamp(s)
	default:
		iv, msg := parseInterval(s)
		if msg != "" {
			return nil, msg
		}
		return &Literal{Kind: LitInterval, Interval: iv}, ""
	}
}

var timestampLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"}
var zoneLayouts = []string{"Z07:00", "Z0700", "Z07"}

func parseTimestamp(s string) (*Literal, string) {
	const want = "want YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|±HH[:MM]]"
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return &Literal{Kind: LitTimestamp, Time: t.Truncate(time.Microsecond)}, ""
		}
		for _, z := range zoneLayouts {
			if t, err := time.Parse(l+z, s); err == nil {
				return &Literal{Kind: LitTimestamp, Time: t.UTC().Truncate(time.Microsecond), Zoned: true}, ""
			}
			if t, err := time.Parse(l+" "+z, s); err == nil {
				return &Literal{Kind: LitTimestamp, Time: t.UTC().Truncate(time.Microsecond), Zoned: true}, ""
			}
		}
	}
	return nil, want
}

var intervalUnits = map[string]Interval{
	"microsecond": {Micros: 1}, "millisecond": {Micros: 1000}, "second": {Micros: 1e6}, "minute": {Micros: 60e6},
	"hour": {Micros: 3600e6}, "day": {Days: 1}, "week": {Days: 7}, "month": {Months: 1}, "year": {Months: 12},
}

// parseInterval reads '1 day', '2 hours 30 minutes', '-3 weeks'.
func parseInterval(s string) (Interval, string) {
	const want = "want a count and a unit, e.g. '1 day' or '2 hours 30 minutes' (units: year, month, week, day, hour, minute, second, millisecond, microsecond)"
	f := strings.Fields(s)
	if len(f) == 0 || len(f)%2 != 0 {
		return Interval{}, want
	}
	var iv Interval
	for i := 0; i < len(f); i += 2 {
		n, err := strconv.ParseInt(f[i], 10, 32)
		unit := strings.TrimSuffix(strings.ToLower(f[i+1]), "s")
		u, ok := intervalUnits[unit]
		if err != nil || !ok {
			return Interval{}, want
		}
		m, d, us := int64(iv.Months)+n*int64(u.Months), int64(iv.Days)+n*int64(u.Days), iv.Micros+n*u.Micros
		if m != int64(int32(m)) || d != int64(int32(d)) || us/1e6 > 1<<40 || us/1e6 < -(1<<40) {
			return Interval{}, "interval out of range"
		}
		iv = Interval{Months: int32(m), Days: int32(d), Micros: us}
	}
	return iv, ""
}

// checkPattern validates a LIKE pattern: an escape character must be
// followed by %, _ or itself. It returns a message, or "".
func checkPattern(pattern, escape string) string {
	if escape == "" {
		return ""
	}
	esc, _ := utf8.DecodeRuneInString(escape)
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		if rs[i] == esc {
			if i+1 >= len(rs) || (rs[i+1] != '%' && rs[i+1] != '_' && rs[i+1] != esc) {
				return fmt.Sprintf("escape character %q must be followed by %%, _ or itself", esc)
			}
			i++
		}
	}
	return ""
}
