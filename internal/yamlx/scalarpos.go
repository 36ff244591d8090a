package yamlx

import (
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ScalarPositions returns a function that maps a byte offset within the
// value of scalar n to the place in the file where that byte's character
// is written: its 1-based line and column (in characters, as yaml.v3
// counts them). It follows the scalar's style: plain and quoted scalars
// start at n's position (after the opening quote), block scalars (| and >)
// on the line after the indicator; folded line breaks, indentation, ”
// in single-quoted scalars and backslash escapes in double-quoted ones are
// skipped as the YAML parser skips them. Without the file's source
// (Decoder.Src) or a position, every offset maps to n's own position.
func (d *Decoder) ScalarPositions(n *yaml.Node) func(off int) (line, col int) {
	n = Resolve(n)
	if n == nil {
		return func(int) (int, int) { return 0, 0 }
	}
	fallback := func(int) (int, int) { return n.Line, n.Column }
	src := d.Src
	if len(src) == 0 || n.Line <= 0 || n.Kind != yaml.ScalarNode {
		return fallback
	}
	// The byte offset of the scalar's first character.
	line, col, start := 1, 1, -1
	for i := 0; i < len(src); {
		if line == n.Line && col == n.Column {
			start = i
			break
		}
		r, size := utf8.DecodeRune(src[i:])
		i += size
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	if start < 0 {
		return fallback
	}
	cur := start
	switch n.Style {
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		cur++
	case yaml.LiteralStyle, yaml.FoldedStyle:
		for cur < len(src) && src[cur] != '\n' {
			cur++
		}
		cur++
	}
	// Align every character of the value with one of the source.
	val := n.Value
	at := make([]int, len(val)+1) // value byte offset → source byte offset
	isSpace := func(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }
	for vo := 0; vo < len(val); {
		r, size := utf8.DecodeRuneInString(val[vo:])
		at[vo] = min(cur, len(src)-1)
		for {
			if cur >= len(src) {
				break
			}
			s := src[cur]
			if n.Style == yaml.SingleQuotedStyle && s == '\'' && r == '\'' && cur+1 < len(src) && src[cur+1] == '\'' {
				at[vo] = cur
				cur += 2
				break
			}
			if n.Style == yaml.DoubleQuotedStyle && s == '\\' && cur+1 < len(src) {
				if src[cur+1] == '\n' || src[cur+1] == '\r' { // an escaped line break: nothing
					cur += 2
					continue
				}
				at[vo] = cur
				switch src[cur+1] {
				case 'x':
					cur += 4
				case 'u':
					cur += 6
				case 'U':
					cur += 10
				default:
					cur += 2
				}
				break
			}
			sr, ssize := utf8.DecodeRune(src[cur:])
			if sr == r || ((r == ' ' || r == '\n') && isSpace(s)) {
				at[vo] = cur
				cur += ssize
				break
			}
			if isSpace(s) {
				cur++
				continue
			}
			at[vo] = cur // not found where expected: the best place known
			break
		}
		for k := 1; k < size; k++ {
			at[vo+k] = at[vo]
		}
		vo += size
	}
	at[len(val)] = cur
	return func(off int) (int, int) {
		off = max(0, min(off, len(val)))
		b := min(at[off], len(src))
		l, c := 1, 1
		for _, r := range string(src[:b]) {
			if r == '\n' {
				l, c = l+1, 1
			} else {
				c++
			}
		}
		return l, c
	}
}
