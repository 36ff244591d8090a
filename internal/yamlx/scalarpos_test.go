package yamlx

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestScalarPositions: the place in the file of a character of a scalar's
// value, hand-counted, for every scalar style.
func TestScalarPositions(t *testing.T) {
	src := "a: x > ünï AND y\n" + // plain; ü and ï are one column each
		"b: 'it''s z'\n" + // single-quoted with ''
		"c: \"q\\\"r\\u00e9 s\"\n" + // double-quoted with escapes
		"d: |\n  one\n    two\n" + // literal
		"e: >\n  f\n  g\n" + // folded
		"f: p\n   q\n" // plain over two lines
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &doc))
	d := &Decoder{Src: []byte(src)}
	m := doc.Content[0]
	at := func(key string, off int) [2]int {
		for i := 0; i < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				l, c := d.ScalarPositions(m.Content[i+1])(off)
				return [2]int{l, c}
			}
		}
		t.Fatalf("no key %s", key)
		return [2]int{}
	}
	// a: "x > ünï AND y": y is at byte 14 (ü and ï are 2 bytes each).
	assert.Equal(t, [2]int{1, 4}, at("a", 0))
	assert.Equal(t, [2]int{1, 8}, at("a", 4))
	assert.Equal(t, [2]int{1, 16}, at("a", 14))
	// b: "it's z": z at value byte 5, source column 11 (after '').
	assert.Equal(t, [2]int{2, 5}, at("b", 0))
	assert.Equal(t, [2]int{2, 11}, at("b", 5))
	// c: `q"ré s`: r at byte 2 is source column 8; s at byte 6 is column 16.
	assert.Equal(t, [2]int{3, 8}, at("c", 2))
	assert.Equal(t, [2]int{3, 16}, at("c", 6))
	// d: "one\n  two\n": two at byte 6, line 6 column 5.
	assert.Equal(t, [2]int{5, 3}, at("d", 0))
	assert.Equal(t, [2]int{6, 5}, at("d", 6))
	// e: "f g\n": g at byte 2, line 9 column 3.
	assert.Equal(t, [2]int{9, 3}, at("e", 2))
	// f: "p q": q at byte 2, line 11 column 4.
	assert.Equal(t, [2]int{11, 4}, at("f", 2))
	// Without the source, the scalar's own place.
	l, c := (&Decoder{}).ScalarPositions(m.Content[1])(5)
	assert.Equal(t, [2]int{1, 4}, [2]int{l, c})
}
