package expect

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/expr"
	"github.com/trustml/trustml/internal/yamlx"
)

// Expression is a row expression written in a suite: a where: filter or a
// rule's condition, in the expr language. It is parsed when the suite is
// decoded (a syntax error is a suite error) and checked against the data's
// schema when the suite is evaluated (an unknown column or a type error is
// an *ExpressionError), with positions inside the expression mapped to the
// suite file.
type Expression struct {
	// Text is the expression as written.
	Text string
	// Tree is Text parsed; it must not be modified.
	Tree expr.Expr
	// Path is the key path of the expression in the suite file
	// ("expectations.rules[0].expect"); Line and Col locate its scalar.
	// Both are zero for an expression built in Go.
	Path      string
	Line, Col int

	at func(off int) (line, col int)
}

// NewExpression parses text as a row expression, for suites built in Go.
// The error, if any, is an *expr.Error.
func NewExpression(text string) (*Expression, error) {
	tree, err := expr.Parse(text)
	if err != nil {
		return nil, err
	}
	return &Expression{Text: text, Tree: tree}, nil
}

// MustExpression is NewExpression that panics on an error, for
// expressions fixed in code.
func MustExpression(text string) *Expression {
	e, err := NewExpression(text)
	if err != nil {
		panic("expect: " + err.Error())
	}
	return e
}

// String returns the expression's text.
func (e *Expression) String() string { return e.Text }

// Columns returns the column names the expression reads, as written, in
// order of first appearance.
func (e *Expression) Columns() []string { return expr.Columns(e.Tree) }

// place returns the file position of byte offset off of the text (the
// scalar's own position when the expression has no map; zero in code).
func (e *Expression) place(off int) (line, col int) {
	if e.at != nil {
		return e.at(off)
	}
	return e.Line, e.Col
}

// ExpressionError is a problem of a filter or a rule found against the
// data's schema: an unknown column (with a "did you mean" hint), a type
// error, or a condition that is not a boolean. Line and Col point inside
// the expression in the suite file (0 for an expression built in Go);
// Err holds the position within the expression.
type ExpressionError struct {
	Check     string // the check or filter the expression belongs to, e.g. "rules.ends after start"
	Path      string // the expression's key path in the suite file
	Line, Col int
	Err       *expr.Error
}

func (e *ExpressionError) Error() string {
	msg := e.Err.Msg
	if e.Err.Hint != "" {
		msg += " (" + e.Err.Hint + ")"
	}
	if e.Line > 0 {
		return msg
	}
	return fmt.Sprintf("expect: %s: %s: %s", e.Check, e.Err.Pos, msg)
}

// ExpressionErrors are every problem of a suite's expressions; Evaluate
// returns them together.
type ExpressionErrors []*ExpressionError

func (es ExpressionErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
		if e.Line > 0 {
			parts[i] = fmt.Sprintf("%d:%d: %s: %s", e.Line, e.Col, e.Path, parts[i])
		}
	}
	return strings.Join(parts, "\n")
}

// problems turns the errors of checking e into ExpressionErrors.
func (e *Expression) problems(check string, err error) ExpressionErrors {
	var out ExpressionErrors
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	for _, x := range list {
		var xe *expr.Error
		if !errors.As(x, &xe) {
			xe = &expr.Error{Msg: x.Error()}
		}
		line, col := e.place(xe.Pos.Offset)
		out = append(out, &ExpressionError{Check: check, Path: e.Path, Line: line, Col: col, Err: xe})
	}
	return out
}

// decodeExpression reads a row expression from the string scalar n,
// reporting a syntax error at its place inside the scalar.
func decodeExpression(d *yamlx.Decoder, n *yaml.Node, path string) *Expression {
	s, ok := d.Text(n, path)
	if !ok {
		return nil
	}
	n = yamlx.Resolve(n)
	at := d.ScalarPositions(n)
	e := &Expression{Text: s, Path: path, Line: n.Line, Col: n.Column, at: at}
	if strings.TrimSpace(s) == "" {
		d.Errorf(n, path, "is empty: write a condition such as x > 0")
		return nil
	}
	tree, err := expr.Parse(s)
	if err != nil {
		var xe *expr.Error
		if errors.As(err, &xe) {
			line, col := at(xe.Pos.Offset)
			msg := xe.Msg
			if xe.Hint != "" {
				msg += " (" + xe.Hint + ")"
			}
			d.Errorf(&yaml.Node{Line: line, Column: col}, path, "%s", msg)
		} else {
			d.Errorf(n, path, "%v", err)
		}
		return nil
	}
	e.Tree = tree
	return e
}

// withoutKey returns mapping n without the pair of key, and that pair's
// value (nil when n is not a mapping or lacks the key).
func withoutKey(n *yaml.Node, key string) (*yaml.Node, *yaml.Node, *yaml.Node) {
	r := yamlx.Resolve(n)
	if r == nil || r.Kind != yaml.MappingNode {
		return n, nil, nil
	}
	for i := 0; i+1 < len(r.Content); i += 2 {
		if r.Content[i].Value == key {
			cp := *r
			cp.Content = append(append([]*yaml.Node(nil), r.Content[:i]...), r.Content[i+2:]...)
			return &cp, r.Content[i], r.Content[i+1]
		}
	}
	return n, nil, nil
}

// expressions lists every expression of the suite: its filter, the
// columns' and checks' filters, and the rules' conditions and filters.
func (s *Suite) expressions() []*Expression {
	var out []*Expression
	add := func(e *Expression) {
		if e != nil && e.Tree != nil {
			out = append(out, e)
		}
	}
	add(s.Where)
	for _, col := range s.Columns {
		add(col.Where)
		for i := range col.Checks {
			add(col.Checks[i].Where)
		}
	}
	for i := range s.Rules {
		add(s.Rules[i].Expect)
		add(s.Rules[i].Where)
	}
	return out
}

// validateRules states the rules of the rules list: every rule is of kind
// Rule, and names are unique (they name the results).
func (s *Suite) validateRules() error {
	var errs []error
	seen := map[string]bool{}
	for i := range s.Rules {
		c := &s.Rules[i]
		if c.Kind != Rule {
			errs = append(errs, fmt.Errorf("expect: rules[%d]: kind %s is not a rule", i, c.Kind))
			continue
		}
		if seen[c.RuleName] {
			errs = append(errs, fmt.Errorf("expect: rules[%d]: the name %q is used by an earlier rule; rules need distinct names", i, c.RuleName))
		}
		seen[c.RuleName] = true
	}
	for _, col := range s.Columns {
		for i := range col.Checks {
			if col.Checks[i].Kind == Rule {
				errs = append(errs, fmt.Errorf("expect: columns.%s: a rule belongs to the suite's rules, not to a column", col.Name))
			}
		}
	}
	return errors.Join(errs...)
}
