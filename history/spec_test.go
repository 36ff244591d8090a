package history

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

func decode(t *testing.T, src string) (*Spec, error) {
	t.Helper()
	root, err := yamlx.Parse("s.yaml", []byte(src))
	require.NoError(t, err)
	d := &yamlx.Decoder{File: "s.yaml"}
	fields, ok := d.Mapping(root, "", []string{"history"})
	require.True(t, ok)
	require.Len(t, fields, 1)
	s := Decode(d, fields[0].KeyN, fields[0].Value, fields[0].Path)
	return s, d.Err()
}

func TestDecode(t *testing.T) {
	s, err := decode(t, `
history:
  dsn: ${HISTORY_DSN}
  schema: {changes: warn}
  checks:
    - {check: table.row_count, change: {max_relative: 0.2, against: last}}
    - {check: columns.Ozone.missing, value: fraction, anomaly: {method: mad, window: 30, max_z: 4}}
    - {check: model.rmse, anomaly: {method: holt_winters, season: 7}, severity: warn}
    - {check: model.r2, change: {max_absolute: 0.05, against: {median_of: 7}}}
`)
	require.NoError(t, err)
	assert.Equal(t, "${HISTORY_DSN}", s.DSN)
	assert.Equal(t, result.SeverityWarn, s.Schema.Severity)
	require.Len(t, s.Checks, 4)
	assert.Equal(t, "history.table.row_count.change", s.Checks[0].Name())
	assert.Equal(t, 1, s.Checks[0].Change.Runs())
	assert.Equal(t, "history.columns.Ozone.missing.fraction.anomaly", s.Checks[1].Name())
	assert.Equal(t, 3, s.Checks[1].Anomaly.MinRuns)
	hw := s.Checks[2].Anomaly
	assert.Equal(t, "holt_winters", hw.Method.Name)
	assert.Equal(t, DefaultWindow, hw.Window)
	assert.Equal(t, 17.0, float64(hw.MinRuns), "2 seasons + 3")
	assert.Equal(t, result.SeverityWarn, s.Checks[2].Severity)
	assert.Equal(t, 7, s.Checks[3].Change.Runs())
	assert.Equal(t, "within ±0.05 of the median of the last 7 runs", s.Checks[3].Change.String())

	s, err = decode(t, "history:\n")
	require.NoError(t, err)
	assert.Empty(t, s.Checks)
}

// Every mistake is reported at once, at its position.
func TestDecodeErrors(t *testing.T) {
	_, err := decode(t, `
history:
  path: a.db
  dsn: postgres://x
  schema: {changes: warning}
  chekcs: []
  checks:
    - {check: table.row_count}
    - {check: a, change: {max_relative: -1, against: first}}
    - {check: b, anomaly: {method: holt_winter}}
    - {check: c, anomaly: {method: holt_winters, window: 10, season: 7}}
    - {check: d, anomaly: {method: mad, season: 7, max_z: 0}}
    - {check: e, change: {against: {median_of: 0}}}
    - {value: x, change: {max_relative: 1}, anomaly: {method: mad}}
    - {check: f, anomaly: {method: holt_winters, season: 2, alpha: 0.5}}
`)
	require.Error(t, err)
	want := []string{
		"s.yaml:3:3: history: path and dsn name two stores: keep one",
		`s.yaml:5:21: history.schema.changes: must be error or warn, got "warning" (did you mean "warn"?)`,
		`s.yaml:6:3: history.chekcs: unknown key "chekcs" (did you mean "checks"?)`,
		"s.yaml:8:7: history.checks[0]: says nothing to check: add change: {max_relative: ...} or anomaly: {method: ...}",
		"s.yaml:9:41: history.checks[1].change.max_relative: must be ≥ 0, got -1",
		`s.yaml:9:54: history.checks[1].change.against: must be last or {median_of: N}, got the string "first"`,
		`s.yaml:10:36: history.checks[2].anomaly.method: must be batch_normal, mad or holt_winters, got "holt_winter" (did you mean "holt_winters"?)`,
		"s.yaml:11:27: history.checks[3].anomaly.window: 10 runs are too few for holt_winters with season 7: it needs at least 17",
		"s.yaml:12:27: history.checks[4].anomaly.season: only holt_winters has a season",
		"s.yaml:12:59: history.checks[4].anomaly.max_z: must be > 0, got 0",
		"s.yaml:13:26: history.checks[5].change: missing max_relative or max_absolute",
		"s.yaml:13:48: history.checks[5].change.against.median_of: must be ≥ 1, got 0",
		"s.yaml:14:7: history.checks[6].check: missing: the name of the check whose observed number is watched, e.g. table.row_count",
		"s.yaml:14:7: history.checks[6]: has both change and anomaly: make them two checks",
		"s.yaml:15:27: history.checks[7].anomaly: set alpha, beta and gamma together, or none to fit them on the window",
	}
	got := strings.Split(err.Error(), "\n")
	assert.Equal(t, want, got)
}

func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "h.db"), Options{})
	require.NoError(t, err)
	defer st.Close()
	s, err := decode(t, `
history:
  schema: {changes: error}
  checks:
    - {check: table.row_count, change: {max_relative: 0.2}}
    - {check: columns.x.missing, value: fraction, change: {max_absolute: 0.1, against: {median_of: 3}}, severity: warn}
    - {check: model.rmse, anomaly: {method: batch_normal, window: 5, max_z: 3}}
    - {check: table.row_cont, change: {max_relative: 0.2}}
    - {check: columns.x.missing, change: {max_relative: 0.2}}
`)
	require.NoError(t, err)
	checks := func(rows, frac, rmse float64) []result.Check {
		return []result.Check{
			{Name: "table.row_count", Observed: int64(rows)},
			{Name: "columns.x.missing", Observed: map[string]any{"count": int64(frac * rows), "fraction": frac}},
			{Name: "model.rmse", Observed: rmse},
		}
	}
	eval := func(rows, frac, rmse float64, schema string) []result.Check {
		t.Helper()
		out, err := s.Evaluate(ctx, st, "suite", checks(rows, frac, rmse), schema)
		require.NoError(t, err)
		return out
	}
	record := func(rows, frac, rmse float64, schema string) {
		t.Helper()
		require.NoError(t, st.Append(ctx, &Run{Suite: "suite", DataSchema: schema, Observations: Observe(checks(rows, frac, rmse)), Result: []byte("{}")}))
	}

	// No history: every judging check is learning and passes.
	out := eval(100, 0.1, 10, "a:int64")
	require.Len(t, out, 6)
	for _, c := range out[:4] {
		assert.Equal(t, result.Pass, c.Status, c.Name)
		assert.Equal(t, Section, c.Section)
	}
	assert.Equal(t, "learning: 0 of 1 runs", out[0].Message) // schema
	assert.Equal(t, "learning: 0 of 1 runs", out[1].Message)
	assert.Equal(t, "learning: 0 of 3 runs", out[2].Message)
	assert.Equal(t, "learning: 0 of 3 runs", out[3].Message)
	assert.Equal(t, result.Error, out[4].Status)
	assert.Equal(t, "this run has no check named table.row_cont (did you mean table.row_count?)", out[4].Message)
	assert.Equal(t, result.Error, out[5].Status)
	assert.Equal(t, `check columns.x.missing observed no number "value"; it observed count, fraction (set value: to one)`, out[5].Message)

	for _, r := range [][3]float64{{100, 0.1, 10}, {110, 0.2, 11}, {105, 0.3, 9}, {100, 0.1, 10}} {
		record(r[0], r[1], r[2], "a:int64, b:utf8")
	}
	// Last run 100 rows: 121 is +21%; median of fractions 0.2, 0.3, 0.1 is
	// 0.2 and 0.35 is 0.15 more; rmse mean 10, sd sqrt(2/3), 10 + 3.1 sd.
	out = eval(121, 0.35, 10+3.1*0.816496580927726, "b:utf8, a:float64, c:int64")
	assert.Equal(t, result.Fail, out[0].Status)
	assert.Equal(t, "the data's schema changed since the last run: added c; retyped a: int64 → float64", out[0].Message)
	assert.Equal(t, result.Fail, out[1].Status)
	assert.Equal(t, "121 vs 100, the last run: +21% (+21), which is not within ±20% of the last run", out[1].Message)
	assert.Equal(t, result.Warn, out[2].Status)
	assert.InDelta(t, 0.2, out[2].Observed.(map[string]any)["baseline"], 1e-12)
	assert.Equal(t, result.Fail, out[3].Status)
	assert.InDelta(t, 3.1, out[3].Observed.(map[string]any)["z"], 1e-9)
	assert.Contains(t, out[3].Message, "batch_normal expected 10 ± 0.816497 from the last 4 runs: z = 3.1, beyond |z| ≤ 3")

	out = eval(119, 0.25, 10.5, "a:int64, b:utf8")
	assert.Equal(t, result.Pass, out[0].Status)
	assert.Equal(t, result.Pass, out[1].Status, out[1].Message)
	assert.Equal(t, result.Pass, out[2].Status, out[2].Message)
	assert.Equal(t, result.Pass, out[3].Status, out[3].Message)
}

func TestDiffSchema(t *testing.T) {
	d := DiffSchema("a:int64, b:utf8, c:float64", "a:int64, c:int64, d:utf8")
	assert.Equal(t, SchemaDiff{Added: []string{"d"}, Removed: []string{"b"}, Retyped: []string{"c: float64 → int64"}}, d)
	assert.True(t, DiffSchema("a:x", "a:x").Empty())
	assert.Equal(t, SchemaDiff{Added: []string{"a"}}, DiffSchema("", "a:x"))
}

func TestCommit(t *testing.T) {
	env := map[string]string{"GITHUB_SHA": "abc", "CI_COMMIT_SHA": "def"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	assert.Equal(t, "abc", Commit(lookup))
	env["GIT_COMMIT"] = "123"
	assert.Equal(t, "123", Commit(lookup))
	assert.Equal(t, "", Commit(func(string) (string, bool) { return "", false }))
}
