// Package yamlx decodes YAML documents strictly while keeping the position of
// every value, so that a suite file's mistakes can be reported all at once as
// "file:line:col: key.path: message".
//
// yaml.v3's Decode drops KnownFields inside custom unmarshalers and does not
// report duplicate keys when parsing into a yaml.Node, so the suite loaders
// walk the node tree with a Decoder instead of decoding into structs.
package yamlx

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/internal/names"
	"github.com/trustml/trustml/result"
)

// Problem is one mistake in a YAML document.
type Problem struct {
	Line, Col int    // 1-based; 0 when unknown
	Path      string // dotted key path, e.g. "expectations.columns.age.range.min"
	Msg       string
}

// Error is the set of problems found in one file. Its message has one line
// per problem, in document order, each prefixed with the file name.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
			if p.Col > 0 {
				fmt.Fprintf(&b, ":%d", p.Col)
			}
		}
		b.WriteString(": ")
		if p.Path != "" {
			b.WriteString(p.Path)
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// Parse parses src into a document node. A syntax error is returned as an
// *Error positioned at the line yaml.v3 names. An empty document yields a
// nil node and no error.
func Parse(file string, src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, &Error{File: file, Problems: []Problem{syntaxProblem(err)}}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	if n, alias := expanded(doc.Content[0]); n > MaxExpandedNodes {
		p := Problem{Msg: fmt.Sprintf("aliases expand the document to more than %d values; write the values out or use fewer aliases", MaxExpandedNodes)}
		if alias != nil {
			p.Line, p.Col = alias.Line, alias.Column
		}
		return nil, &Error{File: file, Problems: []Problem{p}}
	}
	return doc.Content[0], nil
}

// MaxExpandedNodes bounds the values a document holds once every alias is
// expanded, so that a few kilobytes of nested aliases ("billion laughs")
// cannot make the decoders walk an exponential tree.
const MaxExpandedNodes = 1_000_000

// expanded returns the number of nodes of the tree at root with every
// alias expanded, saturating above MaxExpandedNodes, and the first alias in
// document order (nil when there is none). Each node's size is computed
// once, so the cost is linear in the document's size.
func expanded(root *yaml.Node) (int, *yaml.Node) {
	memo := map[*yaml.Node]int{}
	var first *yaml.Node
	var size func(n *yaml.Node, depth int) int
	size = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if v, ok := memo[n]; ok {
			return v
		}
		if n.Kind == yaml.AliasNode && first == nil {
			first = n
		}
		memo[n] = MaxExpandedNodes + 1 // a cycle counts as too large
		total := 1
		switch {
		case depth > 10_000:
			total = MaxExpandedNodes + 1
		case n.Kind == yaml.AliasNode:
			total += size(n.Alias, depth+1)
		default:
			for _, c := range n.Content {
				if total += size(c, depth+1); total > MaxExpandedNodes {
					break
				}
			}
		}
		total = min(total, MaxExpandedNodes+1)
		memo[n] = total
		return total
	}
	n := size(root, 0)
	return n, first
}

var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxProblem(err error) Problem {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return Problem{Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// Decoder collects problems while values are read from a node tree. It
// remembers the node of every key path it reads, so that the findings of
// a spec's Validate can be positioned afterwards ([Decoder.Report]).
type Decoder struct {
	File string
	// Src is the document's source, when known: ScalarPositions reads it
	// to point inside a scalar (a row expression's error).
	Src      []byte
	problems []Problem
	nodes    map[string]*yaml.Node
}

func (d *Decoder) remember(path string, n *yaml.Node) {
	if n == nil {
		return
	}
	if d.nodes == nil {
		d.nodes = map[string]*yaml.Node{}
	}
	if _, ok := d.nodes[path]; !ok {
		d.nodes[path] = n
	}
}

// Finding is one problem a spec's Validate found: Path is the key path it
// is about, At the key path whose position in a file locates it ("" means
// Path). Specs built in Go have no positions; decoded ones do.
type Finding struct {
	Path, At, Msg string
}

// Findings collects what a Validate finds.
type Findings []Finding

// Add records a problem about path, located at path.
func (fs *Findings) Add(path, format string, args ...any) {
	*fs = append(*fs, Finding{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// AddKey records a problem about path, located at its key rather than its
// value (two keys that exclude each other, say).
func (fs *Findings) AddKey(path, format string, args ...any) {
	*fs = append(*fs, Finding{Path: path, At: path + keySuffix, Msg: fmt.Sprintf(format, args...)})
}

// keySuffix marks the key path under which a mapping key's own node is
// remembered.
const keySuffix = "#key"

// AddAt records a problem about path, located at the key path at (for
// example a missing key, located at its parent mapping).
func (fs *Findings) AddAt(at, path, format string, args ...any) {
	*fs = append(*fs, Finding{Path: path, At: at, Msg: fmt.Sprintf(format, args...)})
}

// Err returns the findings as one error, one "path: message" line each,
// or nil when there are none.
func (fs Findings) Err() error {
	errs := make([]error, len(fs))
	for i, f := range fs {
		if f.Path == "" {
			errs[i] = errors.New(f.Msg)
		} else {
			errs[i] = fmt.Errorf("%s: %s", f.Path, f.Msg)
		}
	}
	return errors.Join(errs...)
}

// Report records the findings of a spec's Validate as problems, each at
// the position of its key path as read by d (or of the nearest enclosing
// path read). A finding is dropped when the decoder already reported a
// problem at its path (the value could not be read, and the decoder's
// message says why) or, for a finding located at its own path, below it.
func (d *Decoder) Report(fs Findings) {
	before := d.problems
	for _, f := range fs {
		if covered(before, f.Path, f.At == "") {
			continue
		}
		at := f.At
		if at == "" {
			at = f.Path
		}
		d.Errorf(d.nodeAt(at), f.Path, "%s", f.Msg)
	}
}

// covered reports whether one of problems is at path (or below it).
func covered(problems []Problem, path string, below bool) bool {
	for _, p := range problems {
		if p.Path == path || below && (strings.HasPrefix(p.Path, path+".") || strings.HasPrefix(p.Path, path+"[")) {
			return true
		}
	}
	return false
}

func (d *Decoder) nodeAt(path string) *yaml.Node {
	for p := path; p != ""; p = parent(p) {
		if n, ok := d.nodes[p]; ok {
			return n
		}
	}
	return nil
}

// parent drops the last element of a key path: "a.b[2]" → "a.b" → "a".
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// Errorf records a problem at node n (which may be nil).
func (d *Decoder) Errorf(n *yaml.Node, path, format string, args ...any) {
	p := Problem{Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

// Err returns the problems recorded so far as an *Error, or nil.
func (d *Decoder) Err() error {
	if len(d.problems) == 0 {
		return nil
	}
	ps := append([]Problem(nil), d.problems...)
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Col < ps[j].Col
	})
	return &Error{File: d.File, Problems: ps}
}

// Join appends a key to a dotted path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Resolve follows aliases and returns the node they point at.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// Field is one key/value pair of a mapping.
type Field struct {
	Key   string
	Path  string
	KeyN  *yaml.Node
	Value *yaml.Node
}

// Mapping reads n as a mapping whose keys must be among known (all keys are
// accepted when known is nil). Unknown keys are reported with a "did you
// mean" hint; duplicate keys are reported at their second occurrence. The
// fields are returned in document order; ok is false when n is not a mapping.
func (d *Decoder) Mapping(n *yaml.Node, path string, known []string) (fields []Field, ok bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		d.Errorf(n, path, "must be a mapping (key: value), got %s", Describe(n))
		return nil, false
	}
	d.remember(path, n)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.Errorf(k, path, "keys must be plain strings")
			continue
		}
		if k.Tag == "!!merge" {
			d.Errorf(k, path, "merge keys (<<) are not supported")
			continue
		}
		key := k.Value
		kp := Join(path, key)
		if prev, dup := seen[key]; dup {
			d.Errorf(k, kp, "duplicate key (first defined at line %d)", prev.Line)
			continue
		}
		seen[key] = k
		if known != nil && !contains(known, key) {
			msg := fmt.Sprintf("unknown key %q", key)
			if s := Suggest(key, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += "; valid keys: " + strings.Join(known, ", ")
			}
			d.Errorf(k, kp, "%s", msg)
			continue
		}
		d.remember(kp, Resolve(v))
		d.remember(kp+keySuffix, k)
		fields = append(fields, Field{Key: key, Path: kp, KeyN: k, Value: Resolve(v)})
	}
	return fields, true
}

// Sequence reads n as a sequence; ok is false when it is not one.
func (d *Decoder) Sequence(n *yaml.Node, path string) ([]*yaml.Node, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		d.Errorf(n, path, "must be a list, got %s", Describe(n))
		return nil, false
	}
	d.remember(path, n)
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = Resolve(c)
		d.remember(fmt.Sprintf("%s[%d]", path, i), out[i])
	}
	return out, true
}

// IsNull reports whether n is absent or an explicit YAML null.
func IsNull(n *yaml.Node) bool {
	n = Resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// Describe names the kind of value n holds, for error messages.
func Describe(n *yaml.Node) string {
	n = Resolve(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!bool":
			return "the boolean " + n.Value
		case "!!int", "!!float":
			return "the number " + n.Value
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported value"
}

// Float reads a number (integers accepted). ".inf" and ".nan" are refused:
// a bound must be finite.
func (d *Decoder) Float(n *yaml.Node, path string) (float64, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		d.Errorf(n, path, "must be a number, got %s", Describe(n))
		return 0, false
	}
	var v float64
	if err := n.Decode(&v); err != nil {
		d.Errorf(n, path, "must be a number: %v", err)
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.Errorf(n, path, "must be a finite number, got %s", n.Value)
		return 0, false
	}
	return v, true
}

// Int reads an integer.
func (d *Decoder) Int(n *yaml.Node, path string) (int64, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.Errorf(n, path, "must be an integer, got %s", Describe(n))
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		d.Errorf(n, path, "must be an integer: %v", err)
		return 0, false
	}
	return v, true
}

// Count reads a non-negative integer.
func (d *Decoder) Count(n *yaml.Node, path string) (int64, bool) {
	v, ok := d.Int(n, path)
	if ok && v < 0 {
		d.Errorf(n, path, "must be ≥ 0, got %d", v)
		return 0, false
	}
	return v, ok
}

// Fraction reads a number in [0, 1].
func (d *Decoder) Fraction(n *yaml.Node, path string) (float64, bool) {
	v, ok := d.Float(n, path)
	if ok && (v < 0 || v > 1) {
		d.Errorf(n, path, "must be a fraction between 0 and 1, got %s", Resolve(n).Value)
		return 0, false
	}
	return v, ok
}

// Bool reads a boolean.
func (d *Decoder) Bool(n *yaml.Node, path string) (bool, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.Errorf(n, path, "must be true or false, got %s", Describe(n))
		return false, false
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		d.Errorf(n, path, "must be true or false: %v", err)
		return false, false
	}
	return v, true
}

// String reads a scalar as a string. Numbers and booleans are refused, so
// that `name: 5` is not silently read as "5"; use Text for that.
func (d *Decoder) String(n *yaml.Node, path string) (string, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.Errorf(n, path, "must be a string, got %s", Describe(n))
		return "", false
	}
	return n.Value, true
}

// Text reads any non-null scalar as its literal text (a column name such as
// 2024 or true is still a name).
func (d *Decoder) Text(n *yaml.Node, path string) (string, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.Errorf(n, path, "must be a single value, got %s", Describe(n))
		return "", false
	}
	return n.Value, true
}

// Texts reads a list of scalars as their literal texts.
func (d *Decoder) Texts(n *yaml.Node, path string) ([]string, bool) {
	items, ok := d.Sequence(n, path)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, ok1 := d.Text(it, fmt.Sprintf("%s[%d]", path, i))
		if !ok1 {
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Suggest returns the candidate closest to s by edit distance when it is
// close enough to be a likely typo, or "".
func Suggest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		if d := names.Distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	ls, lb := strings.ToLower(s), strings.ToLower(best)
	if bestD > 3 && !strings.HasPrefix(lb, ls) && !strings.HasPrefix(ls, lb) {
		return ""
	}
	return best
}

// Problems returns the problems recorded so far, in the order found.
func (d *Decoder) Problems() []Problem { return d.problems }

// Word reads a string that must be one of words, reporting any other with
// a "did you mean" hint: `must be error or warn, got "warning" (did you
// mean "warn"?)`.
func (d *Decoder) Word(n *yaml.Node, path string, words ...string) (string, bool) {
	s, ok := d.String(n, path)
	if !ok {
		return "", false
	}
	if contains(words, s) {
		return s, true
	}
	msg := fmt.Sprintf("must be %s or %s, got %q", strings.Join(words[:len(words)-1], ", "), words[len(words)-1], s)
	if h := Suggest(s, words); h != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", h)
	}
	d.Errorf(n, path, "%s", msg)
	return "", false
}

// Severity reads a check's severity: "error" or "warn".
func (d *Decoder) Severity(n *yaml.Node, path string) (string, bool) {
	return d.Word(n, path, "error", "warn")
}

// WrittenZero reports, at n, a zero written for a key whose zero value in
// a spec built in Go takes the default: in a suite leaving the key out
// does that, so a written zero is the value, and problem (Validate's rule
// applied to it) says what is wrong with it. It reports whether it did.
func (d *Decoder) WrittenZero(n *yaml.Node, path string, zero bool, problem string) bool {
	if zero && problem != "" {
		d.Errorf(n, path, "%s", problem)
		return true
	}
	return false
}

// Between says what is wrong with an integer setting v outside [lo, hi],
// or "" when it is within: "must be between lo and hi, got v".
func Between(v, lo, hi int64) string {
	if v < lo || v > hi {
		return fmt.Sprintf("must be between %d and %d, got %d", lo, hi, v)
	}
	return ""
}

// SeverityIn returns the severity the key "severity" among fields gives
// (reading it with Severity), or def when there is none or it is not one.
func (d *Decoder) SeverityIn(fields []Field, def result.Severity) result.Severity {
	for _, f := range fields {
		if f.Key == "severity" {
			if s, ok := d.Severity(f.Value, f.Path); ok {
				return result.Severity(s)
			}
		}
	}
	return def
}

// Severity records a problem at path when s is not a severity a suite can
// give: "" (the default), error or warn. Every section's Validate states
// the rule through it.
func (fs *Findings) Severity(path string, s result.Severity) {
	switch s {
	case "", result.SeverityError, result.SeverityWarn:
	default:
		fs.Add(path, "must be error or warn, got %q", s)
	}
}

// IntervalKeys are the keys [Decoder.Interval] reads.
var IntervalKeys = []string{"min", "max", "strict_min", "strict_max"}

// Interval reads the fields of a mapping n at path that are among
// IntervalKeys into a bound.Interval, ignoring the others. With counts,
// min and max must be non-negative integers. An interval that contains
// nothing, or a strict flag without its end, is reported at n; an
// interval with no end is returned as is (the caller decides whether a
// bound is required).
func (d *Decoder) Interval(n *yaml.Node, path string, fields []Field, counts bool) bound.Interval {
	var b bound.Interval
	for _, f := range fields {
		switch f.Key {
		case "min", "max":
			var v float64
			var ok bool
			if counts {
				var c int64
				c, ok = d.Count(f.Value, f.Path)
				v = float64(c)
			} else {
				v, ok = d.Float(f.Value, f.Path)
			}
			if ok && f.Key == "min" {
				b.Min = &v
			} else if ok {
				b.Max = &v
			}
		case "strict_min":
			b.StrictMin, _ = d.Bool(f.Value, f.Path)
		case "strict_max":
			b.StrictMax, _ = d.Bool(f.Value, f.Path)
		}
	}
	if err := b.Validate(); err != nil {
		for _, e := range strings.Split(err.Error(), "\n") {
			d.Errorf(n, path, "%s", e)
		}
	}
	return b
}
