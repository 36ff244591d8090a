package trustml_test

import (
	"errors"
	"fmt"

	"github.com/trustml/trustml"
)

// A malformed suite is a *trustml.SuiteError: every problem, positioned.
func ExampleSuiteError() {
	src := []byte(`data: {path: d.csv}
expectations:
  columns:
    age: {range: {min: 10, max: 1}, rnage: {min: 0}}
`)
	_, err := trustml.Parse("suite.yaml", src)
	var se *trustml.SuiteError
	if errors.As(err, &se) {
		for _, p := range se.Problems {
			fmt.Printf("%d:%d %s: %s\n", p.Line, p.Col, p.Path, p.Msg)
		}
	}
	// Output:
	// 4:18 expectations.columns.age.range: min 10 > max 1: no value can pass
	// 4:37 expectations.columns.age.rnage: unknown key "rnage" (did you mean "range"?)
}
