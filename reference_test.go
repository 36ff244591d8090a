package trustml_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/result"
)

const refCSV = "x,c,s\n1,a,u1\n2,a,u2\n3,b,u3\n4,b,u4\n5,a,u5\n6,b,u6\n"
const curCSV = "x,c,s\n4,a,v1\n5,b,v2\n6,c,v3\n7,c,v4\n8,a,v5\n9,b,v6\n"

func TestDriftRun(t *testing.T) {
	p := writeSuite(t, map[string]string{"ref.csv": refCSV, "cur.csv": curCSV, "suite.yaml": `
data: {path: cur.csv, reference: ref.csv}
expectations:
  columns:
    x: {missing: 0}
drift:
  columns:
    x: {ks: {max_statistic: 0.4}, wasserstein: {max: 1}, psi: {max: 10}, severity: warn}
    c: {new_categories: {max: 0}, chi_square: {min_p_value: 0.01}}
`})
	s, err := trustml.Load(p)
	require.NoError(t, err)
	assert.Equal(t, 6, s.Len())
	res, err := s.Run(context.Background(), trustml.RunOptions{Profile: true})
	require.NoError(t, err)
	byName := map[string]result.Check{}
	var names []string
	for _, c := range res.Checks {
		byName[c.Name] = c
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"columns.x.missing", "drift.x.ks", "drift.x.wasserstein", "drift.x.psi", "drift.c.new_categories", "drift.c.chi_square"}, names)
	// x shifts by 3: F_ref − F_cur peaks at 3 with 3/6 − 0 = 0.5; every
	// unit of mass moves 3.
	ks := byName["drift.x.ks"]
	assert.Equal(t, result.Drift, ks.Section)
	assert.Equal(t, result.Warn, ks.Status)
	assert.InDelta(t, 0.5, ks.Observed.(map[string]any)["statistic"], 1e-12)
	assert.InDelta(t, 3, byName["drift.x.wasserstein"].Observed.(map[string]any)["distance"], 1e-12)
	nc := byName["drift.c.new_categories"]
	assert.Equal(t, result.Fail, nc.Status)
	assert.Equal(t, `1 value not in the reference (2 rows): "c", expected new values ≤ 0`, nc.Message)
	// c: reference a 3, b 3; current a 2, b 2, c 2: table [[3,3,0],[2,2,2]],
	// E = [[2.5,2.5,1],[2.5,2.5,1]], χ² = 4·0.1 + 1 + 1 = 2.4, df 2,
	// p = e^{−1.2} = 0.301194.
	x2 := byName["drift.c.chi_square"].Observed.(map[string]any)
	assert.InDelta(t, 2.4, x2["statistic"], 1e-12)
	assert.InDelta(t, 0.301194, x2["p_value"], 1e-6)
	assert.Equal(t, 1, res.ExitCode())
	require.NotNil(t, res.Run.Reference)
	assert.Equal(t, int64(6), res.Run.Reference.Rows)
	assert.Len(t, res.Run.Reference.Hash, 32)
	assert.Equal(t, dataset.XXH3, res.Run.Reference.Algorithm)
	require.NotNil(t, res.Profile)
	assert.Equal(t, []string{"x", "c"}, []string{res.Profile.Columns[0].Name, res.Profile.Columns[1].Name})

	// Without RunOptions.Profile the result holds no profile.
	res, err = s.Run(context.Background(), trustml.RunOptions{})
	require.NoError(t, err)
	assert.Nil(t, res.Profile)
}

func TestDriftHighCardinalityIsAnError(t *testing.T) {
	var ref, cur strings.Builder
	ref.WriteString("s\n")
	cur.WriteString("s\n")
	for i := range 1200 {
		ref.WriteString("r" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "\n")
		cur.WriteString("c\n")
	}
	p := writeSuite(t, map[string]string{"ref.csv": ref.String(), "cur.csv": cur.String(), "suite.yaml": `
data: {path: cur.csv, reference: ref.csv}
drift:
  columns:
    s: {chi_square: {min_p_value: 0.01}, psi: {max: 0.2}}
`})
	res, err := run(t, p)
	require.NoError(t, err)
	require.Len(t, res.Checks, 2)
	assert.Equal(t, result.Error, res.Checks[0].Status)
	assert.Equal(t, "chi_square needs exact value counts, but s has more than 1000 distinct values in the reference", res.Checks[0].Message)
	assert.Equal(t, 2, res.ExitCode())
}

func TestDriftErrors(t *testing.T) {
	files := map[string]string{"ref.csv": refCSV, "cur.csv": curCSV,
		"other.csv": "x,c,s\na,1,u\nb,2,v\n",
		"bad.json":  "{\n  \"profile_version\": 1,\n  \"rows\": \"six\"\n}\n",
	}
	for _, tc := range []struct{ name, suite, want string }{
		{"no reference", `
data: {path: cur.csv}
drift: {columns: {x: {ks: {max_statistic: 0.1}}}}
`, "suite.yaml:3:1: drift: drift compares the data with a reference: add data.reference: FILE (a data file, or a profile JSON written by `trustml profile`)"},
		{"no drift", `
data: {path: cur.csv, reference: ref.csv}
expectations: {columns: {x: {missing: 0}}}
`, "suite.yaml:2:34: data.reference: nothing compares with the reference: add a drift section"},
		{"bad keys", `
data: {path: cur.csv, reference: ref.csv}
drift:
  columns:
    x: {kss: {max_statistic: 0.1}, psi: {}, wasserstein: {max: -1}}
    c: {chi_square: {min_p_value: 2}, new_categories: -1, severity: fatal}
`, strings.Join([]string{
			`suite.yaml:5:9: drift.columns.x.kss: unknown key "kss" (did you mean "ks"?)`,
			`suite.yaml:5:41: drift.columns.x.psi: needs a bound: max`,
			`suite.yaml:5:64: drift.columns.x.wasserstein.max: must be ≥ 0, got -1`,
			`suite.yaml:6:35: drift.columns.c.chi_square.min_p_value: must be a fraction between 0 and 1, got 2`,
			`suite.yaml:6:55: drift.columns.c.new_categories: must be ≥ 0, got -1`,
			`suite.yaml:6:69: drift.columns.c.severity: must be error or warn, got "fatal"`,
		}, "\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files["suite.yaml"] = tc.suite
			_, err := trustml.Load(writeSuite(t, files))
			require.Error(t, err)
			assert.Equal(t, tc.want, trimDir(err.Error()))
		})
	}
	for _, tc := range []struct{ name, suite, want string }{
		{"missing reference", `
data: {path: cur.csv, reference: nope.csv}
drift: {columns: {x: {ks: {max_statistic: 0.1}}}}
`, "suite.yaml:2:34: data.reference: nope.csv: no such file"},
		{"missing profile", `
data: {path: cur.csv, reference: nope.json}
drift: {columns: {x: {ks: {max_statistic: 0.1}}}}
`, "suite.yaml:2:34: data.reference: nope.json: no such file"},
		{"malformed profile", `
data: {path: cur.csv, reference: bad.json}
drift: {columns: {x: {ks: {max_statistic: 0.1}}}}
`, "reference profile: bad.json:3:11: rows: must be int64, got a JSON string"},
		{"column not in reference", `
data: {path: cur.csv, reference: ref.csv}
drift:
  columns:
    x: {ks: {max_statistic: 0.1}}
    y: {psi: {max: 0.1}}
`, `suite.yaml:6:5: drift.columns.y: the reference: ref.csv: no column "y" (did you mean "x"?); columns are: x, c, s`},
		{"type mismatch", `
data: {path: cur.csv, reference: other.csv}
drift:
  columns:
    x: {ks: {max_statistic: 0.1}}
    c: {psi: {max: 0.1}}
`, "suite.yaml:5:5: drift.columns.x: column \"x\" is string (utf8) in the reference but numeric (int64) in the current data\nsuite.yaml:6:5: drift.columns.c: column \"c\" is numeric (int64) in the reference but string (utf8) in the current data"},
		{"test for another kind", `
data: {path: cur.csv, reference: ref.csv}
drift:
  columns:
    c: {ks: {max_statistic: 0.1}, wasserstein: {max: 1}}
`, "suite.yaml:5:9: drift.columns.c.ks: column \"c\" is string (utf8): ks compares numeric columns; use chi_square, psi or new_categories\nsuite.yaml:5:35: drift.columns.c.wasserstein: column \"c\" is string (utf8): wasserstein compares numeric columns; use chi_square, psi or new_categories"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files["suite.yaml"] = tc.suite
			_, err := run(t, writeSuite(t, files))
			require.Error(t, err)
			assert.Equal(t, tc.want, trimDir(err.Error()))
		})
	}
}

// trimDir drops the temporary directory from the paths in a message.
func trimDir(msg string) string {
	var out []string
	for _, line := range strings.Split(msg, "\n") {
		for _, name := range []string{"suite.yaml", "nope.csv", "nope.json", "bad.json", "ref.csv"} {
			for {
				i := strings.Index(line, "/"+name)
				if i < 0 {
					break
				}
				j := strings.LastIndex(line[:i], " ") + 1
				line = line[:j] + line[i+1:]
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
