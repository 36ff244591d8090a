package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFormatNumber pins how people read numbers in the report; every
// expected string is written by hand from the rules in formatNumber's
// doc, not taken from its output.
func TestFormatNumber(t *testing.T) {
	tick := func(d int) numStyle { return numStyle{kind: asTick, digits: d} }
	fixed := func(d int) numStyle { return numStyle{kind: asFixed, digits: d} }
	for _, tc := range []struct {
		v    float64
		s    numStyle
		want string
	}{
		// values: at most 3 significant digits
		{0, value, "0"},
		{math.Copysign(0, -1), value, "0"},
		{-0.0001, fixed(1), "-1e-4"},
		{26.0475, value, "26"},
		{4.04015, value, "4.04"},
		{43.6452, value, "43.6"},
		{-31.6881, value, "-31.7"},
		{0.984402, value, "0.984"},
		{0.9, value, "0.9"},
		{1.5, value, "1.5"},
		{100, value, "100"},
		{999.95, value, "1,000"},
		{1234.6, value, "1,235"},
		{-12345.6, value, "-12,346"},
		{999999.6, value, "1e6"},
		{2500000, value, "2.5e6"},
		{1e12, value, "1e12"},
		{-1.23456e12, value, "-1.23e12"},
		{1e-12, value, "1e-12"},
		{-2.86203e-26, value, "-2.86e-26"},
		{0.001, value, "0.001"},
		{0.00099999, value, "1e-3"},
		{0.0123456, value, "0.0123"},
		{-0.00004, value, "-4e-5"},
		{math.NaN(), value, "NaN"},
		{math.Inf(1), value, "∞"},
		{math.Inf(-1), value, "-∞"},
		{-1e-300, value, "-1e-300"},
		// counts: every digit, thousands separators
		{0, count, "0"},
		{7, count, "7"},
		{999, count, "999"},
		{1000, count, "1,000"},
		{-1234, count, "-1,234"},
		{153, count, "153"},
		{10000000, count, "10,000,000"},
		{99999999999, count, "99,999,999,999"},
		{1e11, count, "100,000,000,000"},
		{math.NaN(), count, "NaN"},
		{math.Inf(1), count, "∞"},
		// percentages
		{0, percent, "0%"},
		{0.24183006535947713, percent, "24.2%"},
		{0.1, percent, "10%"},
		{1, percent, "100%"},
		{0.0603448, percent, "6.03%"},
		{0.05, percent, "5%"},
		{-0.25, percent, "-25%"},
		{1e-12, percent, "1e-10%"},
		{math.Inf(1), percent, "∞%"},
		{math.NaN(), percent, "NaN"},
		// ratios
		{1.68719, ratio, "1.69×"},
		{3, ratio, "3×"},
		{0, ratio, "0×"},
		{math.Inf(1), ratio, "∞×"},
		// ticks: SI suffixes, the digits the spacing needs
		{300000, tick(1), "300k"},
		{3e6, tick(1), "3M"},
		{2.5e6, tick(2), "2.5M"},
		{1e12, tick(1), "1T"},
		{1.5e9, tick(2), "1.5G"},
		{0.05, tick(1), "0.05"},
		{-20, tick(1), "-20"},
		{120, tick(2), "120"},
		{1e-12, tick(1), "1e-12"},
		{0, tick(1), "0"},
		// fixed decimals (interval bounds)
		{4.04015, fixed(1), "4.0"},
		{43.6452, fixed(1), "43.6"},
		{12345.67, fixed(1), "12,345.7"},
		{-0.04, fixed(1), "-0.04"},
		{2e6, fixed(1), "2e6"},
	} {
		assert.Equal(t, tc.want, formatNumber(tc.v, tc.s), "formatNumber(%v, %+v)", tc.v, tc.s)
	}
}

func TestIntervalText(t *testing.T) {
	for _, tc := range []struct {
		v, lo, hi float64
		want      string
	}{
		{26.0475, 4.04015, 43.6452, "26.0 (4.0–43.6)"},
		{0.5, 0.25, 0.75, "0.500 (0.250–0.750)"},
		{-2.16454, -12.2883, 7.95919, "-2.16 (-12.29 to 7.96)"},
		{1234.6, 1000, 1500.4, "1,235 (1,000–1,500)"},
		{0, -1, 1, "0 (-1 to 1)"},
		{1e-12, 0, 2e-12, "1e-12 (0–2e-12)"},
		{math.NaN(), 0, 1, "NaN (0–1)"},
		{5, math.Inf(-1), math.Inf(1), "5.00 (-∞ to ∞)"},
	} {
		assert.Equal(t, tc.want, intervalText(tc.v, tc.lo, tc.hi))
	}
}

func TestNumHTML(t *testing.T) {
	assert.Equal(t, `<span title="26.0475">26</span>`, string(numHTML(26.0475, value)))
	assert.Equal(t, `153`, string(numHTML(153, count)))
	assert.Equal(t, `10,000,000`, string(numHTML(1e7, count)), "separators alone leave no digit out")
	assert.Equal(t, `<span title="31.25%">31.2%</span>`, string(numHTML(0.3125, percent)), "an exact tie rounds to even")
	assert.Equal(t, `NaN`, string(numHTML(math.NaN(), value)))
}

func TestHumanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"mean 9.95752", `<span title="mean 9.95752">mean 9.96</span>`},
		{"0 of 10000000 values repeated", `<span title="0 of 10000000 values repeated">0 of 10,000,000 values repeated</span>`},
		{`61 of 153 values not in {"6", "7", "8"} (39.9%)`, `61 of 153 values not in {&#34;6&#34;, &#34;7&#34;, &#34;8&#34;} (39.9%)`},
		{"q0.5 37", "q0.5 37"},
		{"Solar.R 10 on 2026-01-02 at 12:30", "Solar.R 10 on 2026-01-02 at 12:30"},
		{"ŷ -31.6881, expected ≥ 0", `<span title="ŷ -31.6881, expected ≥ 0">ŷ -31.7, expected ≥ 0</span>`},
		{"e.g. row 29: 115", "e.g. row 29: 115"},
		{"p-value 2.86203e-26", `<span title="p-value 2.86203e-26">p-value 2.86e-26</span>`},
		{"x2 12345", `<span title="x2 12345">x2 12,345</span>`},
	} {
		assert.Equal(t, tc.want, string(humanText(tc.in)), tc.in)
	}
}
