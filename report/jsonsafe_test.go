package report

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type inner struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
	C float64
}

type Shadow struct {
	A int `json:"a"` // shadowed by outer's a
	D int
}

type pointerText struct{ s string }

func (p *pointerText) MarshalText() ([]byte, error) { return []byte("<" + p.s + ">"), nil }

type outer struct {
	inner
	*Shadow
	A       string            `json:"a"`
	Skip    int               `json:"-"`
	Empty   []int             `json:"empty,omitempty"`
	Nil     []int             `json:"nil"`
	Bytes   []byte            `json:"bytes"`
	When    time.Time         `json:"when"`
	ByInt   map[int]string    `json:"by_int"`
	ByStr   map[string]any    `json:"by_str"`
	Quoted  int               `json:"quoted,string"`
	F32     float32           `json:"f32"`
	Text    pointerText       `json:"text"`
	Any     any               `json:"any"`
	Arr     [2]bool           `json:"arr"`
	Ptr     *int              `json:"ptr,omitempty"`
	HTML    string            `json:"html"`
	private int               //nolint:unused // left out
	Raw     json.RawMessage   `json:"raw"`
	Nested  map[string][]uint `json:"nested"`
}

// marshalSafe writes what encoding/json writes (without HTML escaping)
// for values it can encode: encoding/json is the oracle.
func TestMarshalSafeMatchesEncodingJSON(t *testing.T) {
	seven := 7
	v := outer{
		inner:  inner{A: 1, B: "", C: 0.1},
		Shadow: &Shadow{A: 2, D: 4},
		A:      "outer", Skip: 9, Nil: nil, Bytes: []byte("hi"),
		When:  time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		ByInt: map[int]string{10: "x", 2: "y"}, ByStr: map[string]any{"z": 1.5e300, "a": []any{nil, true, "s"}},
		Quoted: 42, F32: 0.1, Text: pointerText{"t"}, Any: map[string]int{"k": 1}, Arr: [2]bool{true, false},
		Ptr: &seven, HTML: "a < b && c > d", private: 3, Raw: json.RawMessage(`{"r": [1, 2]}`),
		Nested: map[string][]uint{"n": {1, 2}},
	}
	for _, x := range []any{v, &v, []outer{v, {}}, map[string]outer{"k": v}, 3.25, "s", nil, []float64{1e21, 1e-7, math.Copysign(0, -1)}} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(x))
		got, err := marshalSafe(x)
		require.NoError(t, err)
		assert.Equal(t, bytes.TrimSuffix(want.Bytes(), []byte("\n")), got)
	}
}

// Non-finite floats anywhere become null or "+Inf"/"-Inf".
func TestMarshalSafeNonFinite(t *testing.T) {
	type s struct {
		X  float64            `json:"x"`
		Y  []float64          `json:"y"`
		M  map[string]float64 `json:"m"`
		A  any                `json:"a"`
		F  float32            `json:"f"`
		Ok float64            `json:"ok"`
	}
	got, err := marshalSafe(s{X: math.NaN(), Y: []float64{math.Inf(1), 1}, M: map[string]float64{"n": math.Inf(-1)}, A: math.NaN(), F: float32(math.Inf(1)), Ok: 2})
	require.NoError(t, err)
	assert.Equal(t, `{"x":null,"y":["+Inf",1],"m":{"n":"-Inf"},"a":null,"f":"+Inf","ok":2}`, string(got))
	_, err = marshalSafe(make(chan int))
	assert.Error(t, err)
}
