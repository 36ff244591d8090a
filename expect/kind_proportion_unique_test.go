package expect_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

func TestProportionUniqueHandComputed(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "z", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	// x: 1 1 2 null NaN 3 → values 1, 1, 2, 3 (NaN is missing): 3 / 4 = 0.75
	// z: 0 -0 0 5 null null → 0 and -0 are one value: 2 / 4 = 0.5
	// k: 7 8 9 10 11 null → 5 / 5 = 1
	// s: a a a b null null → 2 / 4 = 0.5
	// n: all null → undefined
	tbl := table(t, mem, schema, `[
 {"x": 1,     "z": 0,    "k": 7,    "s": "a",  "n": null},
 {"x": 1,     "z": -0.0, "k": 8,    "s": "a",  "n": null},
 {"x": 2,     "z": 0,    "k": 9,    "s": "a",  "n": null},
 {"x": null,  "z": 5,    "k": 10,   "s": "b",  "n": null},
 {"x": "NaN", "z": null, "k": 11,   "s": null, "n": null},
 {"x": 3,     "z": null, "k": null, "s": null, "n": null}
]`)
	defer tbl.Release()
	s := decode(t, `
columns:
  x: {proportion_unique: {min: 0.75}}
  z: {proportion_unique: {min: 0.5, max: 0.5, severity: warn}}
  k: {proportion_unique: {min: 1}}
  s: {proportion_unique: {min: 0.5, strict_min: true}}
  n: {proportion_unique: {max: 1}}
`)
	for _, workers := range []int{1, 3} {
		res := byName(evaluate(t, s, tbl, 2, expect.Options{Workers: workers}))
		for name, want := range map[string]struct {
			v      float64
			status result.Status
		}{
			"columns.x.proportion_unique": {0.75, result.Pass},
			"columns.z.proportion_unique": {0.5, result.Pass},
			"columns.k.proportion_unique": {1, result.Pass},
			"columns.s.proportion_unique": {0.5, result.Fail},
		} {
			r := res[name]
			assert.Equal(t, want.v, r.Observed, name)
			assert.Equal(t, want.status, r.Status, name)
		}
		assert.Equal(t, "proportion_unique 0.5, expected > 0.5", res["columns.s.proportion_unique"].Message)
		n := res["columns.n.proportion_unique"]
		assert.Equal(t, result.Fail, n.Status)
		assert.Nil(t, n.Observed)
		assert.Equal(t, "proportion_unique undefined (no non-null values), expected ≤ 1", n.Message)
	}
}

func TestProportionUniqueDecodeErrors(t *testing.T) {
	for src, want := range map[string]string{
		"columns: {x: {proportion_unique: {min: 1.5}}}":    "test.yaml:1:34: expectations.columns.x.proportion_unique: a proportion is between 0 and 1, got 1.5",
		"columns: {x: {proportion_unique: {}}}":            "test.yaml:1:34: expectations.columns.x.proportion_unique: needs at least one of min or max",
		"columns: {x: {proportion_unique: {mostly: 0.5}}}": "test.yaml:1:34: expectations.columns.x.proportion_unique: needs at least one of min or max\n" + `test.yaml:1:35: expectations.columns.x.proportion_unique.mostly: unknown key "mostly"; valid keys: min, max, strict_min, strict_max, severity`,
	} {
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(src), &n))
		d := &yamlx.Decoder{File: "test.yaml"}
		expect.Decode(d, n.Content[0], "expectations")
		assert.EqualError(t, d.Err(), want, src)
	}
}
