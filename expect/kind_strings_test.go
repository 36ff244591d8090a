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

// decodeProblem decodes src and returns the decoder's error text.
func decodeProblem(t *testing.T, src string) string {
	t.Helper()
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &n))
	d := &yamlx.Decoder{File: "test.yaml"}
	expect.Decode(d, n.Content[0], "expectations")
	require.Error(t, d.Err(), src)
	return d.Err().Error()
}

// evalStrings evaluates suite over one string column v, in batches of 2
// rows on 3 workers.
func evalStrings(t *testing.T, suite string, rows string) map[string]result.Check {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	tbl := table(t, mem, schema, rows)
	defer tbl.Release()
	return byName(evaluate(t, decode(t, suite), tbl, 2, expect.Options{Workers: 3}))
}

func rowsOf(vals ...any) string {
	s := "["
	for i, v := range vals {
		if i > 0 {
			s += ","
		}
		switch x := v.(type) {
		case nil:
			s += `{"v": null}`
		case string:
			s += `{"v": "` + x + `"}`
		}
	}
	return s + "]"
}

// failing returns the rows of a result's sample.
func failing(r result.Check) []int64 {
	var out []int64
	for _, f := range r.Sample {
		out = append(out, f.Row)
	}
	return out
}

func TestPatternKindsHandComputed(t *testing.T) {
	rows := rowsOf("abc", "a1", "xyz", nil, "b_c", "ABC", "a%c")
	res := evalStrings(t, `
columns:
  v:
    not_regex: "[0-9]"
    regex: {all: ["^a", "c$"]}
    like: {any: ["a%", "%z"]}
    not_like: {pattern: "a\\%c", mostly: 0.8}
`, rows)
	// not_regex: only "a1" has a digit.
	nr := res["columns.v.not_regex"]
	assert.Equal(t, result.Fail, nr.Status)
	assert.Equal(t, []int64{1}, failing(nr))
	assert.Equal(t, "1 of 6 values matching /[0-9]/ (16.7%), e.g. row 1: \"a1\"", nr.Message)
	// regex all of ^a, c$: abc and a%c pass; a1, xyz, b_c, ABC fail.
	re := res["columns.v.regex"]
	assert.Equal(t, []int64{1, 2, 4, 5}, failing(re))
	assert.Equal(t, int64(4), *re.UnexpectedCount)
	// like any of a%, %z: abc a1 xyz a%c pass; b_c and ABC fail (LIKE is
	// case-sensitive).
	lk := res["columns.v.like"]
	assert.Equal(t, []int64{4, 5}, failing(lk))
	// not_like a\%c: the escaped % is literal, so only "a%c" matches and
	// fails; 5 of 6 pass ≥ 0.8.
	nl := res["columns.v.not_like"]
	assert.Equal(t, []int64{6}, failing(nl))
	assert.Equal(t, result.Pass, nl.Status)

	// A list under not_regex: no pattern may match (GX's
	// not_match_regex_list); {all} fails only values matching every one.
	res = evalStrings(t, `
columns:
  v:
    not_regex: {any: ["^x", "1$"]}
    like: {all: ["_b_", "a%"]}
`, rows)
	assert.Equal(t, []int64{1, 2}, failing(res["columns.v.not_regex"]))
	assert.Equal(t, []int64{1, 2, 4, 5, 6}, failing(res["columns.v.like"]))
}

func TestPatternKindsErrors(t *testing.T) {
	for src, want := range map[string]string{
		`columns: {v: {not_regex: "("}}`:                       "invalid regular expression",
		`columns: {v: {like: "a\\"}}`:                          `ends with an escape`,
		`columns: {v: {like: {any: []}}}`:                      "must list at least one pattern",
		`columns: {v: {not_like: {pattern: a, any: [b]}}}`:     "needs exactly one of pattern, any or all",
		`columns: {v: {date: "%Y-%D"}}`:                        "directive %D is not supported",
		`columns: {v: {date: "%Y-%m-%Y"}}`:                     "directive %Y given twice",
		`columns: {v: {date: {strftime: "%Y", layouts: [x]}}}`: "give strftime or layouts, not both",
		`columns: {v: {json: {schema: {type: 3}}}}`:            "invalid JSON Schema",
		`columns: {v: {json: {schema: {$ref: "other.json"}}}}`: "must be self-contained",
		`columns: {v: {json: false}}`:                          "checks nothing",
	} {
		assert.Contains(t, decodeProblem(t, src), want, src)
	}
}

func TestDateKindHandComputed(t *testing.T) {
	rows := rowsOf("2019-04-01", "2019-4-1", "2019-02-29", "2020-02-29", nil, "01/02/2010", "abc", "2019-04-01T10:00:00Z")
	res := evalStrings(t, `
columns:
  v:
    date: "%Y-%m-%d"
`, rows)
	// Python's strptime: 2019-4-1 parses (one-digit month and day);
	// 2019-02-29 does not exist; the others do not match.
	d := res["columns.v.date"]
	assert.Equal(t, []int64{2, 5, 6, 7}, failing(d))
	assert.Equal(t, map[string]any{"strftime": "%Y-%m-%d"}, d.Expected)

	res = evalStrings(t, `columns: {v: {date: {layouts: ["2006-01-02", "01/02/2006"]}}}`, rows)
	// Go layouts are exact about zero padding: 2019-4-1 fails.
	assert.Equal(t, []int64{1, 2, 6, 7}, failing(res["columns.v.date"]))

	res = evalStrings(t, `columns: {v: {date: {mostly: 0.5}}}`, rows)
	// The common layouts: abc and the impossible 2019-02-29 fail, and so
	// does 2019-4-1 (only 2006/1/2 takes one digit, with slashes).
	c := res["columns.v.date"]
	assert.Equal(t, []int64{1, 2, 6}, failing(c))
	assert.Equal(t, result.Pass, c.Status)

	// Names and 12-hour clocks, case-insensitive as strptime.
	res = evalStrings(t, `columns: {v: {date: "%d %b %Y %I:%M %p"}}`, rowsOf("5 MAR 2021 11:05 pm", "5 Mar 2021 13:05 PM", "31 Apr 2021 01:00 AM"))
	assert.Equal(t, []int64{1, 2}, failing(res["columns.v.date"]))
}

func TestJSONKindHandComputed(t *testing.T) {
	rows := `[{"v": "{\"a\": 1}"}, {"v": "{\"a\": \"x\"}"}, {"v": "[1, 2]"}, {"v": null}, {"v": "{a: 1}"}, {"v": "3"}]`
	res := evalStrings(t, `
columns:
  v:
    json: true
`, rows)
	assert.Equal(t, []int64{4}, failing(res["columns.v.json"]))

	res = evalStrings(t, `
columns:
  v:
    json: {schema: {type: object, properties: {a: {type: integer}}, required: [a]}}
`, rows)
	// Only {"a": 1} is an object whose a is an integer.
	j := res["columns.v.json"]
	assert.Equal(t, []int64{1, 2, 4, 5}, failing(j))
	assert.Equal(t, "4 of 5 values not valid against the JSON Schema (80.0%), e.g. row 1: \"{\\\"a\\\": \\\"x\\\"}\"", j.Message)

	// The schema as JSON text.
	res = evalStrings(t, `columns: {v: {json: {schema: '{"type": "array", "maxItems": 2}'}}}`, rows)
	assert.Equal(t, []int64{0, 1, 4, 5}, failing(res["columns.v.json"]))
}
