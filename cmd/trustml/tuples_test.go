package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

// tuplesSuite keys keys.csv (columns a, b) on (b, a): the check's order
// is neither the data's nor the alphabet's.
const tuplesSuite = `
name: tuples
data: {path: keys.csv}
expectations:
  table:
    unique: [b, a]
    references:
      - {columns: [b, a], data: known.csv, to: [name, id]}
`

// TestTuplesInColumnOrder: a composite key's and a reference's sampled
// tuples read in the check's column order, (b=…, a=…), in every output.
// By hand over keys.csv: rows 0 and 2 share the key (b=x, a=1); row 3's
// (z, 3) is not among known.csv's (x, 1) and (y, 2).
func TestTuplesInColumnOrder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "keys.csv", "a,b\n1,x\n2,y\n1,x\n3,z\n")
	writeFile(t, dir, "known.csv", "id,name\n1,x\n2,y\n")
	suite := writeFile(t, dir, "suite.yaml", tuplesSuite)
	jsonPath, junitPath, htmlPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.html")
	code, out, errs := cli(t, "check", suite, "--json", jsonPath, "--junit", junitPath, "--html", htmlPath)
	require.Equal(t, exitFail, code, out+errs)
	assert.Contains(t, out, `FAIL  table.unique_key: 2 of 4 rows share their key with another row (50.0%), e.g. row 0: (b="x", a=1)`)
	assert.Contains(t, out, `known.csv (name, id) (25.0%), e.g. row 3: (b="z", a=3)`)

	// JSON: each value an object, its keys in the check's order.
	raw, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, raw))
	assert.Contains(t, compact.String(), `"sample":[{"row":0,"value":{"b":"x","a":1}},{"row":2,"value":{"b":"x","a":1}}]`)
	assert.Contains(t, compact.String(), `"sample":[{"row":3,"value":{"b":"z","a":3}}]`)
	// Read back, the tuples keep that order.
	var res trustml.Result
	require.NoError(t, json.Unmarshal(raw, &res))
	assert.Equal(t, result.Tuple{{Column: "b", Value: "x"}, {Column: "a", Value: 1.0}}, res.Checks[0].Sample[0].Value)

	// JUnit: the failing values under each failure, one a line.
	raw, err = os.ReadFile(junitPath)
	require.NoError(t, err)
	var suites struct {
		Suites []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure string `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(raw, &suites))
	require.Len(t, suites.Suites, 1)
	bodies := map[string]string{}
	for _, c := range suites.Suites[0].Cases {
		bodies[c.Name] = c.Failure
	}
	assert.Contains(t, bodies["table.unique_key"], "failing values (row: value):\n  0: (b=\"x\", a=1)\n  2: (b=\"x\", a=1)\n")
	assert.Contains(t, bodies["table.references.b,a"], "failing values (row: value):\n  3: (b=\"z\", a=3)\n")

	// HTML: a table check shows its first failing tuple in its message.
	raw, err = os.ReadFile(htmlPath)
	require.NoError(t, err)
	page := html.UnescapeString(string(raw))
	assert.Contains(t, page, `share their key with another row (50%), e.g. row 0: (b="x", a=1)</span></td></tr>`)
	assert.Contains(t, page, `(name, id) (25%), e.g. row 3: (b="z", a=3)</span></td></tr>`)
	assert.NotContains(t, page, "(a=")
	assert.NotContains(t, page, "map[")
}

// TestTuplesWrittenBeforeLoad: a result written before tuples kept their
// order (testdata/tuples-before.json, trustml check of the suite above
// at commit 5e4e540: each value an object with its keys sorted) still
// loads, its tuples in the order written, and diff compares it with a
// run of today.
func TestTuplesWrittenBeforeLoad(t *testing.T) {
	before, err := filepath.Abs("testdata/tuples-before.json")
	require.NoError(t, err)
	raw, err := os.ReadFile(before)
	require.NoError(t, err)
	var res trustml.Result
	require.NoError(t, json.Unmarshal(raw, &res))
	assert.Equal(t, result.Tuple{{Column: "a", Value: 1.0}, {Column: "b", Value: "x"}}, res.Checks[0].Sample[0].Value)
	assert.Equal(t, result.Tuple{{Column: "a", Value: 3.0}, {Column: "b", Value: "z"}}, res.Checks[1].Sample[0].Value)

	dir := t.TempDir()
	writeFile(t, dir, "keys.csv", "a,b\n1,x\n2,y\n1,x\n3,z\n")
	writeFile(t, dir, "known.csv", "id,name\n1,x\n2,y\n")
	suite := writeFile(t, dir, "suite.yaml", tuplesSuite)
	now := filepath.Join(dir, "now.json")
	code, out, errs := cli(t, "check", suite, "--json", now, "--quiet")
	require.Equal(t, exitFail, code, out+errs)
	code, out, errs = cli(t, "diff", before, now)
	require.Equal(t, exitPass, code, errs)
	assert.Contains(t, out, "checks that flipped: 0")
}
