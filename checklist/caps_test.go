package checklist_test

import (
	"fmt"
	"github.com/trustml/trustml/bound"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/checklist"
)

// aliasBomb is a template of 4 KB at most whose vary lists, through one
// YAML anchor of 32 values, multiply to 32⁶ ≈ 10⁹ cases.
func aliasBomb() string {
	vals := make([]string, 32)
	for i := range vals {
		vals[i] = fmt.Sprint(i)
	}
	return `checklist:
  - name: bomb
    type: MFT
    expect: {min: 0}
    templates:
      - vary:
          a: &v [` + strings.Join(vals, ", ") + `]
          b: *v
          c: *v
          d: *v
          e: *v
          f: *v
`
}

// TestCaps: every count that sizes a test's work is capped when decoded,
// with its position, and by Validate for tests built in Go.
func TestCaps(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"steps", `checklist: [{name: s, type: DIR, sweep: {column: x, steps: 10000000000}, expect: increasing}]`,
			"suite.yaml:1:60: checklist[0].sweep.steps: must be between 2 and 10000, got 10000000000"},
		{"n", `checklist: [{name: s, type: INV, n: 100001, perturb: {column: x, add: 1}, tolerance: {abs: 1}}]`,
			"suite.yaml:1:37: checklist[0].n: must be between 1 and 100000, got 100001"},
		{"sweep rows", `checklist: [{name: s, type: DIR, n: 1000, sweep: {column: x, steps: 10000}, expect: increasing}]`,
			"suite.yaml:1:43: checklist[0].sweep: n × sweep.steps = 1000 × 10000 = 10000000 rows to predict, more than the cap of 1000000; lower n or steps"},
		{"alias bomb", aliasBomb(),
			"suite.yaml:2:5: checklist[0]: expands to more than 100000 cases (listed cases plus the product of each template's vary lists); split the test or shorten the lists"},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Less(t, len(c.src), 4096)
			start := time.Now()
			_, err := decode(t, c.src)
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
			assert.Less(t, time.Since(start), time.Second)
		})
	}
}

func TestValidateCaps(t *testing.T) {
	values := make([]any, 32)
	for i := range values {
		values[i] = float64(i)
	}
	var vary []checklist.Values
	for _, col := range []string{"a", "b", "c", "d", "e", "f"} {
		vary = append(vary, checklist.Values{Column: col, Values: values})
	}
	lo := 0.0
	for _, c := range []struct {
		name string
		t    checklist.Test
		want string
	}{
		{"steps", checklist.Test{Name: "s", Type: checklist.DIR, Sweep: &checklist.Sweep{Column: "x", Steps: 10_000_000_000},
			Change: checklist.Change{Direction: checklist.Increase}}, "sweep.steps: must be between 2 and 10000, got 10000000000"},
		{"n", checklist.Test{Name: "s", Type: checklist.INV, N: 1 << 40, Perturb: []checklist.Perturbation{checklist.Add("x", 1)}},
			"n: must be between 1 and 100000, got 1099511627776"},
		{"sweep rows", checklist.Test{Name: "s", Type: checklist.DIR, N: 1000, Sweep: &checklist.Sweep{Column: "x", Steps: 10000},
			Change: checklist.Change{Direction: checklist.Increase}}, "sweep: n × sweep.steps = 1000 × 10000 = 10000000 rows to predict, more than the cap of 1000000; lower n or steps"},
		{"template product", checklist.Test{Name: "s", Type: checklist.MFT, Expect: &checklist.Bounds{Interval: bound.Interval{Min: &lo}},
			Templates: []checklist.Template{{Vary: vary}}}, "expands to more than 100000 cases (listed cases plus the product of each template's vary lists); split the test or shorten the lists"},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.EqualError(t, c.t.Validate(), c.want)
		})
	}
	// At the caps, a test is valid.
	ok := checklist.Test{Name: "s", Type: checklist.DIR, N: 100, Sweep: &checklist.Sweep{Column: "x", Steps: checklist.MaxSteps},
		Change: checklist.Change{Direction: checklist.Increase}}
	assert.NoError(t, ok.Validate())
}
