package result

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTupleString(t *testing.T) {
	for _, tc := range []struct {
		t    Tuple
		want string
	}{
		{Tuple{{"b", "x"}, {"a", int64(1)}}, `(b="x", a=1)`},
		{Tuple{{"id", int64(3)}, {"region", nil}}, `(id=3, region=null)`},
		{Tuple{{"q", 0.5}, {"ok", true}, {"u", uint64(7)}}, `(q=0.5, ok=true, u=7)`},
		{Tuple{{"x", math.Inf(-1)}}, `(x=-Inf)`},
		{Tuple{}, `()`},
	} {
		assert.Equal(t, tc.want, tc.t.String())
		assert.Equal(t, tc.want, ShowValue(tc.t))
	}
}

func TestTupleGet(t *testing.T) {
	tup := Tuple{{"b", "x"}, {"a", nil}}
	v, ok := tup.Get("b")
	assert.Equal(t, "x", v)
	assert.True(t, ok)
	v, ok = tup.Get("a")
	assert.Nil(t, v)
	assert.True(t, ok)
	_, ok = tup.Get("c")
	assert.False(t, ok)
}

// TestTupleJSON: an object in the tuple's order, whatever the alphabet;
// floats that are not finite as Number writes them; HTML characters kept.
func TestTupleJSON(t *testing.T) {
	tup := Tuple{{"z", "<a&b>"}, {"b", int64(-2)}, {"a", nil}, {"nan", math.NaN()}, {"inf", math.Inf(1)}, {"f", 0.25}}
	b, err := tup.MarshalJSON() // json.Marshal would escape HTML again
	require.NoError(t, err)
	assert.Equal(t, `{"z":"<a&b>","b":-2,"a":null,"nan":null,"inf":"+Inf","f":0.25}`, string(b))

	var back Tuple
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, Tuple{{"z", "<a&b>"}, {"b", -2.0}, {"a", nil}, {"nan", nil}, {"inf", "+Inf"}, {"f", 0.25}}, back)

	b, err = json.Marshal(Tuple{})
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(b))

	for _, bad := range []string{`[1,2]`, `"x"`, `{"a":}`, `{"a":1`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &back), bad)
	}
}

// TestFailureJSON: a failure's object value reads back as a Tuple in the
// order written, one written with sorted keys (before Tuple) included;
// any other value as encoding/json reads it.
func TestFailureJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Failure
	}{
		{`{"row":4,"value":{"b":"x","a":1}}`, Failure{Row: 4, Value: Tuple{{"b", "x"}, {"a", 1.0}}}},
		{`{"row": 0, "value": {"a": 1, "b": "x"}}`, Failure{Row: 0, Value: Tuple{{"a", 1.0}, {"b", "x"}}}},
		{`{"file":"f.csv","row":2,"value":"abc…","value_bytes":5000}`, Failure{File: "f.csv", Row: 2, Value: "abc…", ValueBytes: 5000}},
		{`{"row":1,"value":2.5}`, Failure{Row: 1, Value: 2.5}},
		{`{"row":1,"value":[2,2.5]}`, Failure{Row: 1, Value: []any{2.0, 2.5}}},
		{`{"row":1,"value":null}`, Failure{Row: 1}},
		{`{"row":1}`, Failure{Row: 1}},
	} {
		var f Failure
		require.NoError(t, json.Unmarshal([]byte(tc.in), &f), tc.in)
		assert.Equal(t, tc.want, f, tc.in)
	}
	// Written and read again, a tuple keeps its order.
	in := Failure{Row: 9, Value: Tuple{{"b", "y"}, {"a", 2.0}}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.Equal(t, `{"row":9,"value":{"b":"y","a":2}}`, string(b))
	var out Failure
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)

	var f Failure
	assert.Error(t, json.Unmarshal([]byte(`{"row":"x","value":1}`), &f))
	assert.Error(t, json.Unmarshal([]byte(`{"row":1,"value":{"a"}}`), &f))
}
