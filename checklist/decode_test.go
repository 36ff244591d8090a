package checklist_test

import (
	"github.com/trustml/trustml/bound"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// decode reads src (a whole suite fragment) and returns its checklist
// section's tests and the decoder's error.
func decode(t testing.TB, src string) ([]checklist.Test, error) {
	t.Helper()
	root, err := yamlx.Parse("suite.yaml", []byte(src))
	require.NoError(t, err)
	d := &yamlx.Decoder{File: "suite.yaml"}
	fields, ok := d.Mapping(root, "", []string{"checklist"})
	require.True(t, ok)
	require.Len(t, fields, 1)
	tests := section.Decode("checklist", d, nil, fields[0].Value, fields[0].Path, section.Env{}).([]checklist.Test)
	return tests, d.Err()
}

func u64(v uint64) *uint64 { return &v }

func TestDecode(t *testing.T) {
	tests, err := decode(t, `checklist:
  - {name: hotter days never lower ozone, type: DIR, perturb: {column: Temp, add: 5}, expect: increase}
  - {name: day of month is irrelevant, type: INV, perturb: {column: Day, shuffle: true}, tolerance: {abs: 0.5}}
  - {name: a calm hot sunny day, type: MFT, cases: [{input: {Solar.R: 250, Wind: 3, Temp: 92}, expect: {min: 60}}]}
  - name: ozone rises with temperature
    type: DIR
    capability: Monotonicity
    sweep: {column: Temp, from: 50, to: 100, steps: 11}
    expect: {direction: increasing, slack: 0.5}
    max_failure_rate: 0.05
    n: 40
    seed: 7
  - name: plausible everywhere
    type: MFT
    severity: warn
    templates: [{vary: {Wind: [2, 10], Region: [N, S]}, fixed: {Temp: 70, Flag: null, Ok: true}}]
    cases: [{input: {Wind: 5}, expect: {value: 30, tolerance: 2}}]
    expect: {min: 0, max: 200}
  - name: composed
    type: DIR
    rows: [{Temp: 70, Region: N}]
    perturb:
      - {column: Temp, multiply: 1.1}
      - {column: Wind, noise: {relative: 0.1}}
      - {column: Solar.R, noise: {stddev: 3}}
      - {column: Region, swap: each}
      - {column: Month, swap: random}
      - {column: Day, set: 3}
      - {column: Ozone, set_null: true}
    expect: {min_change: -1, max_change: 1}
  - {name: fair, type: INV, perturb: {column: Sex, swap: each}, tolerance: {abs: 1, rel: 0.1, scale: prediction}}
`)
	require.NoError(t, err)
	want := []checklist.Test{
		{Name: "hotter days never lower ozone", Type: checklist.DIR, Line: 2, Col: 5,
			Perturb: []checklist.Perturbation{checklist.Add("Temp", 5)},
			Change:  checklist.Change{Direction: checklist.Increase}},
		{Name: "day of month is irrelevant", Type: checklist.INV, Line: 3, Col: 5,
			Perturb:   []checklist.Perturbation{checklist.Shuffle("Day")},
			Tolerance: checklist.Tolerance{Abs: 0.5}},
		{Name: "a calm hot sunny day", Type: checklist.MFT, Line: 4, Col: 5,
			Cases: []checklist.Case{{Input: checklist.Input{"Solar.R": 250.0, "Wind": 3.0, "Temp": 92.0},
				Expect: &checklist.Bounds{Interval: bound.Interval{Min: ptr(60)}}}}},
		{Name: "ozone rises with temperature", Type: checklist.DIR, Capability: "Monotonicity", Line: 5, Col: 5,
			Sweep:          &checklist.Sweep{Column: "Temp", From: ptr(50), To: ptr(100), Steps: 11},
			Change:         checklist.Change{Direction: checklist.Increase, Slack: 0.5},
			MaxFailureRate: 0.05, N: 40, Seed: u64(7)},
		{Name: "plausible everywhere", Type: checklist.MFT, Severity: result.SeverityWarn, Line: 13, Col: 5,
			Templates: []checklist.Template{{
				Vary:  []checklist.Values{{Column: "Wind", Values: []any{2.0, 10.0}}, {Column: "Region", Values: []any{"N", "S"}}},
				Fixed: checklist.Input{"Temp": 70.0, "Flag": nil, "Ok": true}}},
			Cases:  []checklist.Case{{Input: checklist.Input{"Wind": 5.0}, Expect: &checklist.Bounds{Value: ptr(30), Tolerance: 2}}},
			Expect: &checklist.Bounds{Interval: bound.Interval{Min: ptr(0), Max: ptr(200)}}},
		{Name: "composed", Type: checklist.DIR, Line: 19, Col: 5,
			Rows: []checklist.Input{{"Temp": 70.0, "Region": "N"}},
			Perturb: []checklist.Perturbation{
				checklist.Multiply("Temp", 1.1), checklist.RelativeNoise("Wind", 0.1), checklist.Noise("Solar.R", 3),
				checklist.SwapEach("Region"), checklist.SwapRandom("Month"), checklist.Set("Day", 3.0), checklist.SetNull("Ozone"),
			},
			Change: checklist.Change{Interval: bound.Interval{Min: ptr(-1), Max: ptr(1)}}},
		{Name: "fair", Type: checklist.INV, Line: 31, Col: 5,
			Perturb:   []checklist.Perturbation{checklist.SwapEach("Sex")},
			Tolerance: checklist.Tolerance{Abs: 1, Rel: 0.1, Scale: checklist.ScalePrediction}},
	}
	assert.Equal(t, want, tests)
}

func TestDecodeProblems(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"not a list", `checklist: {name: x}`,
			`suite.yaml:1:12: checklist: must be a list, got a mapping`},
		{"unknown key", `checklist: [{name: a, type: DIR, perturb: {column: T, add: 1}, expect: increase, severty: warn}]`,
			`suite.yaml:1:82: checklist[0].severty: unknown key "severty" (did you mean "severity"?)`},
		{"missing name and type", `checklist: [{cases: []}]`,
			"suite.yaml:1:13: checklist[0]: needs name: a short sentence saying the behaviour tested\n" +
				"suite.yaml:1:13: checklist[0]: needs type: MFT, INV or DIR\n" +
				"suite.yaml:1:21: checklist[0].cases: must list at least one case"},
		{"bad type", `checklist: [{name: a, type: mft, cases: [{input: {x: 1}, expect: {min: 0}}]}]`,
			`suite.yaml:1:29: checklist[0].type: must be MFT, INV or DIR, got "mft" (did you mean "MFT"?)`},
		{"key of another type", `checklist: [{name: a, type: INV, perturb: {column: T, add: 1}, expect: increase}]`,
			`suite.yaml:1:64: checklist[0].expect: INV tests take tolerance: {abs: ..., rel: ...}, not expect`},
		{"tolerance on DIR", `checklist: [{name: a, type: DIR, perturb: {column: T, add: 1}, expect: increase, tolerance: {abs: 1}}]`,
			`suite.yaml:1:82: checklist[0].tolerance: applies to INV tests only, not DIR`},
		{"cases on INV", `checklist: [{name: a, type: INV, perturb: {column: T, add: 1}, cases: []}]`,
			`suite.yaml:1:64: checklist[0].cases: applies to MFT tests only, not INV`},
		{"duplicate name", "checklist:\n  - {name: a, type: INV, perturb: {column: T, add: 1}}\n  - {name: a, type: INV, perturb: {column: T, add: 1}}",
			`suite.yaml:3:5: checklist[1].name: duplicate test name "a" (first at line 2)`},
		{"INV without perturb", `checklist: [{name: a, type: INV}]`,
			`suite.yaml:1:13: checklist[0]: an INV test needs perturb: {column: ..., <operation>: ...}`},
		{"DIR without expect", `checklist: [{name: a, type: DIR, perturb: {column: T, add: 1}}]`,
			`suite.yaml:1:13: checklist[0]: a DIR test needs expect: increase, decrease or {min_change: ..., max_change: ...}`},
		{"DIR with both", `checklist: [{name: a, type: DIR, perturb: {column: T, add: 1}, sweep: {column: T}, expect: increasing}]`,
			`suite.yaml:1:34: checklist[0].perturb: perturb and sweep are exclusive: write two tests`},
		{"sweep expects increasing", `checklist: [{name: a, type: DIR, sweep: {column: T, from: 5, to: 1, steps: 1}, expect: increase}]`,
			"suite.yaml:1:41: checklist[0].sweep: from 5 must be less than to 1\n" +
				"suite.yaml:1:76: checklist[0].sweep.steps: must be between 2 and 10000, got 1\n" +
				`suite.yaml:1:88: checklist[0].expect: must be increasing or decreasing, got "increase" (did you mean "increasing"?)`},
		{"direction and bounds", `checklist: [{name: a, type: DIR, perturb: {column: T, add: 1}, expect: {direction: increase, min_change: 1}}]`,
			`suite.yaml:1:72: checklist[0].expect: direction and min_change/max_change are exclusive; min_change: 0 also means an increase`},
		{"slack without direction", `checklist: [{name: a, type: DIR, perturb: {column: T, add: 1}, expect: {slack: 1, max_change: 2}}]`,
			`suite.yaml:1:72: checklist[0].expect: slack applies to a direction: {direction: increase, slack: ...}`},
		{"min change above max", `checklist: [{name: a, type: DIR, perturb: {column: T, add: 1}, expect: {min_change: 3, max_change: 2}}]`,
			`suite.yaml:1:72: checklist[0].expect: min_change 3 is greater than max_change 2`},
		{"two operations", `checklist: [{name: a, type: INV, perturb: {column: T, add: 1, multiply: 2}}]`,
			`suite.yaml:1:43: checklist[0].perturb: has 2 operations (add, multiply); list them to compose: [{column: ..., add: ...}, {column: ..., multiply: ...}]`},
		{"no operation", `checklist: [{name: a, type: INV, perturb: [{column: T}]}]`,
			`suite.yaml:1:44: checklist[0].perturb[0]: needs one operation: set, add, multiply, noise, shuffle, swap, set_null`},
		{"no column", `checklist: [{name: a, type: INV, perturb: {add: 1}}]`,
			`suite.yaml:1:43: checklist[0].perturb: needs column: the column to perturb`},
		{"operation typo", `checklist: [{name: a, type: INV, perturb: {column: T, ad: 1}}]`,
			"suite.yaml:1:43: checklist[0].perturb: needs one operation: set, add, multiply, noise, shuffle, swap, set_null\n" +
				`suite.yaml:1:55: checklist[0].perturb.ad: unknown key "ad" (did you mean "add"?)`},
		{"bad values", `checklist: [{name: a, type: INV, perturb: [{column: T, add: x}, {column: T, shuffle: false}, {column: T, swap: every}, {column: T, set: null}], n: 0, seed: -1, max_failure_rate: 1.5}]`,
			"suite.yaml:1:61: checklist[0].perturb[0].add: must be a number, got the string \"x\"\n" +
				"suite.yaml:1:86: checklist[0].perturb[1].shuffle: shuffle: false perturbs nothing; remove the perturbation\n" +
				"suite.yaml:1:112: checklist[0].perturb[2].swap: must be each or random, got \"every\"\n" +
				"suite.yaml:1:137: checklist[0].perturb[3].set: write set_null: true to set a null\n" +
				"suite.yaml:1:148: checklist[0].n: must be between 1 and 100000, got 0\n" +
				"suite.yaml:1:157: checklist[0].seed: must be ≥ 0, got -1\n" +
				"suite.yaml:1:179: checklist[0].max_failure_rate: must be a fraction between 0 and 1, got 1.5"},
		{"noise", `checklist: [{name: a, type: INV, perturb: [{column: T, noise: {stddev: 1, relative: 1}}, {column: T, noise: {stddev: 0}}]}]`,
			"suite.yaml:1:63: checklist[0].perturb[0].noise: needs exactly one of stddev (absolute) or relative (× the column's standard deviation)\n" +
				"suite.yaml:1:118: checklist[0].perturb[1].noise.stddev: must be > 0, got 0"},
		{"tolerance", `checklist: [{name: a, type: INV, perturb: {column: T, add: 1}, tolerance: {abs: -1, scale: target}}]`,
			"suite.yaml:1:75: checklist[0].tolerance: scale applies to rel: tolerance = abs + rel × scale\n" +
				"suite.yaml:1:81: checklist[0].tolerance.abs: must be ≥ 0, got -1"},
		{"tolerance scale typo", `checklist: [{name: a, type: INV, perturb: {column: T, add: 1}, tolerance: {rel: 0.1, scale: predictions}}]`,
			`suite.yaml:1:93: checklist[0].tolerance.scale: must be target or prediction, got "predictions" (did you mean "prediction"?)`},
		{"MFT without cases", `checklist: [{name: a, type: MFT, expect: {min: 0}}]`,
			`suite.yaml:1:13: checklist[0]: an MFT test needs cases: [{input: {...}, expect: {...}}] or templates: [{vary: {...}}]`},
		{"MFT case without expect", `checklist: [{name: a, type: MFT, cases: [{input: {x: 1}}, {input: {x: 2}, expect: {min: 0}}]}]`,
			`suite.yaml:1:42: checklist[0].cases[0]: needs expect: {min: ..., max: ...} or {value: ..., tolerance: ...}, here or for the whole test`},
		{"MFT bounds", `checklist: [{name: a, type: MFT, cases: [{input: {x: [1]}, expect: {min: 2, max: 1}}, {input: {}, expect: {value: 1, min: 0}}, {expect: {tolerance: 1}}]}]`,
			"suite.yaml:1:54: checklist[0].cases[0].input.x: must be a single value (number, string, boolean or null), got a list\n" +
				"suite.yaml:1:68: checklist[0].cases[0].expect: min 2 > max 1: no value can pass\n" +
				"suite.yaml:1:95: checklist[0].cases[1].input: must give at least one column a value\n" +
				"suite.yaml:1:107: checklist[0].cases[1].expect: value and min/max are exclusive: expect {value, tolerance} or {min, max}\n" +
				"suite.yaml:1:128: checklist[0].cases[2]: needs input: {column: value, ...}\n" +
				"suite.yaml:1:137: checklist[0].cases[2].expect: tolerance applies to value: expect {value: ..., tolerance: ...}"},
		{"templates", `checklist: [{name: a, type: MFT, expect: {min: 0}, templates: [{vary: {x: []}, fixed: {x: 1}}, {fixed: {y: 1}}]}]`,
			"suite.yaml:1:75: checklist[0].templates[0].vary.x: must list at least one value\n" +
				"suite.yaml:1:87: checklist[0].templates[0].fixed: column \"x\" is also in vary\n" +
				"suite.yaml:1:96: checklist[0].templates[1]: needs vary: {column: [value, ...], ...}"},
		{"n and rows", `checklist: [{name: a, type: INV, perturb: {column: T, add: 1}, n: 5, rows: [{T: 1}]}]`,
			`suite.yaml:1:64: checklist[0].n: n and rows are exclusive: rows lists the base rows`},
		{"severity", `checklist: [{name: a, type: INV, perturb: {column: T, add: 1}, severity: warning}]`,
			`suite.yaml:1:74: checklist[0].severity: must be error or warn, got "warning" (did you mean "warn"?)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode(t, tc.src)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// FuzzDecode checks that no input makes Decode panic, and that a suite
// it accepts runs through Test validation without a problem of its own.
func FuzzDecode(f *testing.F) {
	f.Add(`checklist: [{name: a, type: DIR, perturb: {column: T, add: 1}, expect: increase}]`)
	f.Add(`checklist: [{name: b, type: MFT, templates: [{vary: {x: [1, 2]}}], expect: {min: 0}}]`)
	f.Add(`checklist: [{name: c, type: INV, perturb: [{column: g, swap: each}], tolerance: {rel: 0.1, scale: prediction}}]`)
	f.Add(`checklist: [{name: d, type: DIR, sweep: {column: x, steps: 3}, expect: {direction: decreasing, slack: 1}}]`)
	f.Fuzz(func(t *testing.T, src string) {
		root, err := yamlx.Parse("f.yaml", []byte(src))
		if err != nil || root == nil {
			return
		}
		d := &yamlx.Decoder{File: "f.yaml"}
		fields, ok := d.Mapping(root, "", []string{"checklist"})
		if !ok || len(fields) != 1 {
			return
		}
		tests := section.Decode("checklist", d, nil, fields[0].Value, fields[0].Path, section.Env{}).([]checklist.Test)
		if d.Err() != nil {
			return
		}
		for _, tt := range tests {
			if strings.TrimSpace(tt.Name) == "" {
				t.Fatalf("accepted a test without a name: %q", src)
			}
			if err := tt.Validate(); err != nil {
				t.Fatalf("decoded %q but the test is invalid: %v", src, err)
			}
		}
	})
}
