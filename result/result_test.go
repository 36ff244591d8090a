package result

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
		cut  bool
	}{
		{"", 3, "", false},
		{"abc", 3, "abc", false},
		{"abcd", 3, "abc…", true},
		{"ééé", 3, "ééé", false}, // 6 bytes, 3 runes
		{"éééé", 3, "ééé…", true},
		{"日本語テキスト", 2, "日本…", true},
	} {
		got, cut := Cut(tc.s, tc.n)
		assert.Equal(t, tc.want, got, tc.s)
		assert.Equal(t, tc.cut, cut, tc.s)
		assert.True(t, utf8.ValidString(got))
	}
}

func TestShowValue(t *testing.T) {
	assert.Equal(t, `"Nice"`, ShowValue("Nice"))
	assert.Equal(t, "1.5", ShowValue(1.5))
	assert.Equal(t, "+Inf", ShowValue(posInf()))
	assert.Equal(t, "7", ShowValue(int64(7)))
	long := strings.Repeat("x", 1000)
	assert.Equal(t, `"`+strings.Repeat("x", MaxValueRunes)+`…" (1000 bytes)`, ShowValue(long))
}

func TestBound(t *testing.T) {
	long := strings.Repeat("é", 5000) // 10000 bytes
	c := Check{
		Message: long, ObservedText: "short", ExpectedText: long,
		Sample: []Failure{{Row: 1, Value: long}, {Row: 2, Value: 3.5}, {Row: 3, Value: "ok"}},
	}
	c.Bound()
	assert.Equal(t, strings.Repeat("é", MaxValueRunes)+"…", c.Sample[0].Value)
	assert.Equal(t, 10000, c.Sample[0].ValueBytes)
	assert.Equal(t, 3.5, c.Sample[1].Value)
	assert.Equal(t, "ok", c.Sample[2].Value)
	assert.Zero(t, c.Sample[2].ValueBytes)
	assert.Equal(t, strings.Repeat("é", MaxTextRunes)+"… (10000 bytes in all)", c.Message)
	assert.Equal(t, "short", c.ObservedText)
	assert.Equal(t, c.Message, c.ExpectedText)
	// Idempotent.
	before := c
	c.Bound()
	assert.Equal(t, before, c)
}

func posInf() float64 { var z float64; return 1 / z }
