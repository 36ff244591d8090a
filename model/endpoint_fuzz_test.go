package model

import (
	"encoding/json"
	"math"
	"testing"
)

// FuzzEndpointResponse feeds arbitrary response bodies to the endpoint's
// parser: it never panics, and it either returns exactly the number of
// predictions asked for, each a finite number that the body's JSON holds,
// or an error.
func FuzzEndpointResponse(f *testing.F) {
	for _, seed := range []string{
		`{"predictions": [1, 2.5, -3e2]}`,
		`{"data": {"predictions": [1, 2, 3]}, "metadata": {"model": "x"}}`,
		`{"predictions": [1, 2]}`,
		`{"predictions": [1, "2", 3]}`,
		`{"predictions": [1e999, 2, 3]}`,
		`{"predictions": null}`,
		`[1, 2, 3]`,
		`{"predictions": [1, 2, 3]} trailing`,
		`{"out": {"y": [0, 0, 0]}}`,
		``,
	} {
		f.Add([]byte(seed), "")
		f.Add([]byte(seed), "out.y")
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		e := Endpoint{ResponsePath: path}
		const want = 3
		got := []float64{nan, nan, nan}
		if err := e.parse(body, want, 0, numberInto(got)); err != nil {
			return
		}
		for i, v := range got {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("prediction %d is %v", i, v)
			}
		}
		if !json.Valid(body) {
			t.Fatalf("accepted a body that is not valid JSON: %q", body)
		}
	})
}
