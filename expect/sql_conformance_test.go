package expect_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/internal/chtest"
	"github.com/trustml/trustml/internal/pgtest"
	"github.com/trustml/trustml/internal/sqltest"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/sqlsource"
)

// TestGXConformancePostgres loads every Great Expectations test dataset
// into PostgreSQL and runs each test's check twice: on the local engine
// over the Arrow table, and pushed down to PostgreSQL (checks it does not
// push are evaluated over columns streamed from it). The results must be
// the same: verdict, counts, failing values and their rows, exactly;
// observed statistics within 1e-9 relative. Datasets with a column type
// the loader has no PostgreSQL type for are counted and left out.
func TestGXConformancePostgres(t *testing.T) {
	admin := pgtest.Start(t)
	url := sqltest.CreateDatabase(t, admin, "gx")
	gxConformance(t, gxEngine{
		name: "postgres", dsn: url, differences: pgDifferences,
		fits: func(tbl arrow.Table) error {
			if !loadable(tbl.Schema()) {
				return errors.New("a column without a PostgreSQL type")
			}
			return nil
		},
		load: func(name string, tbl arrow.Table) { sqltest.LoadPostgres(t, url, name, tbl, true) },
	}, 100)
}

// TestGXConformanceClickHouse is TestGXConformancePostgres on a
// Distributed table over two ClickHouse shards, each dataset's rows split
// between them. Datasets ClickHouse cannot hold exactly are counted and
// left out: a boolean or null-typed column (ClickHouse 18 has neither
// type), a timestamp with a fraction of a second (DateTime counts
// seconds), a date before 1970.
func TestGXConformanceClickHouse(t *testing.T) {
	ch := chtest.Start(t)
	gxConformance(t, gxEngine{
		name: "clickhouse", dsn: ch.DSN(), differences: chDifferences, fits: chtest.Fits,
		load: func(name string, tbl arrow.Table) { ch.Load(t, name, tbl, true) },
	}, 100)
}

// gxEngine is an engine the GX datasets are loaded into.
type gxEngine struct {
	name        string
	dsn         string
	differences map[string]string                  // tests whose result differs, with the reason docs/sql.md gives
	fits        func(arrow.Table) error            // why the engine cannot hold a table, nil when it can
	load        func(name string, tbl arrow.Table) // holds tbl as table name, with sqltest.KeyColumn first
}

// gxConformance runs every GX test whose dataset the engine holds on the
// local engine and pushed down to the engine, and requires the same
// results of at least minCompared tests.
func gxConformance(t *testing.T, eng gxEngine, minCompared int) {
	lookup := func(string) (string, bool) { return eng.dsn, true }
	ctx := context.Background()
	var compared, equal, noType, local, documented int
	worst := 0.0
	table := 0
	for _, dir := range gxDirs(t) {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		for _, path := range files {
			f := readGXFile(t, path)
			for _, ds := range f.Datasets {
				tbl, err := buildGXTable(memory.DefaultAllocator, ds)
				if err != nil {
					continue
				}
				if eng.fits(tbl) != nil {
					noType++
					tbl.Release()
					continue
				}
				table++
				name := fmt.Sprintf("gx%d", table)
				eng.load(name, tbl)
				keyed := sqltest.WithKey(tbl)
				spec := &sqlsource.Spec{Engine: eng.name, DSN: "${DSN}", Table: name, Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout}
				src, err := sqlsource.Open(ctx, spec, lookup)
				require.NoError(t, err)
				for _, tc := range ds.Tests {
					if !runsOnPandas(ds, tc) {
						continue
					}
					wantError := tc.Error != nil
					if _, ok := tc.Out["traceback_substring"]; ok {
						wantError = true
					}
					yml, skip := translateGX(f.ExpectationType, tc.In, wantError, tbl.Schema())
					if skip != "" || wantError {
						continue
					}
					s := decodeSuite(t, yml)
					want, werr := s.Evaluate(ctx, array.NewTableReader(keyed, 7), expect.Options{SampleSize: -1})
					got, pushedLocally, gerr := pushdown(ctx, s, src, -1)
					label := strings.TrimSuffix(filepath.Base(path), ".json") + "/" + tc.Title
					if werr != nil || gerr != nil {
						// Both engines refuse the suite on this data.
						if (werr == nil) != (gerr == nil) {
							t.Errorf("%s: local error %v, %s error %v", label, werr, eng.name, gerr)
						}
						continue
					}
					if why, ok := eng.differences[label]; ok {
						// A documented difference must still be one.
						if _, diff := sameChecks(want, got); diff == "" {
							t.Errorf("%s: documented as differing on %s (%s) but equal: remove it from the differences and docs/sql.md", label, eng.name, why)
						}
						documented++
						continue
					}
					compared++
					local += pushedLocally
					if w, diff := sameChecks(want, got); diff == "" {
						equal++
						worst = math.Max(worst, w)
					} else {
						t.Errorf("%s: %s", label, diff)
					}
				}
				src.Close()
				keyed.Release()
				tbl.Release()
			}
		}
	}
	t.Logf("gx on %s: %d tests compared, %d equal (%d computed locally from streamed columns), largest relative difference %.3g; %d documented differences; %d datasets the engine cannot hold", eng.name, compared, equal, local, worst, documented, noType)
	require.Equal(t, compared, equal)
	require.Greater(t, compared, minCompared)
}

// pgDifferences are the GX tests whose result differs on PostgreSQL, each
// with the reason docs/sql.md gives.
var pgDifferences = map[string]string{
	"expect_column_values_to_be_of_type/positive_pandas_datetime_no_timezone":   "timestamp precision: PostgreSQL keeps microseconds, so the column is timestamp[us], not pandas' datetime64[ns]",
	"expect_column_values_to_be_of_type/positive_pandas_datetime_with_timezone": "timestamp precision: timestamptz is timestamp[us, tz=UTC]",
	"expect_column_values_to_be_of_type/negative_pandas_datetime_with_timezone": "timestamp precision: the observed type names microseconds (the verdict is the same)",
	"expect_column_values_to_be_of_type/negative_pandas_datetime_expected_int":  "timestamp precision: the observed type names microseconds (the verdict is the same)",
}

// chDifferences are the GX tests whose result differs on ClickHouse, each
// with the reason docs/sql.md gives.
var chDifferences = map[string]string{
	"expect_column_values_to_be_of_type/positive_pandas_datetime_no_timezone":   "timestamp precision: DateTime counts seconds, so the column is timestamp[s], not pandas' datetime64[ns]",
	"expect_column_values_to_be_of_type/positive_pandas_datetime_with_timezone": "timestamp precision: DateTime('UTC') is timestamp[s, tz=UTC]",
	"expect_column_values_to_be_of_type/negative_pandas_datetime_with_timezone": "timestamp precision: the observed type names seconds (the verdict is the same)",
	"expect_column_values_to_be_of_type/negative_pandas_datetime_expected_int":  "timestamp precision: the observed type names seconds (the verdict is the same)",
}

func loadable(s *arrow.Schema) bool {
	for _, f := range s.Fields() {
		if _, ok := sqltest.PostgresType(f.Type); !ok {
			return false
		}
	}
	return true
}

func decodeSuite(t *testing.T, src string) *expect.Suite {
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &n))
	d := &yamlx.Decoder{File: "gx.yaml"}
	s := expect.Decode(d, n.Content[0], "expectations")
	require.NoError(t, d.Err())
	return s
}

// pushdown runs s on src as a run does: the pushed checks in SQL, the
// others over a scan of their columns. It returns the results and the
// number of checks evaluated locally.
func pushdown(ctx context.Context, s *expect.Suite, src *sqlsource.Source, sample int) ([]result.Check, int, error) {
	if err := src.Check(s.Names()); err != nil {
		return nil, 0, err
	}
	pd, err := s.CompilePushdown(src.Schema(), src.Dialect(), src.Table(), expect.Options{SampleSize: sample})
	if err != nil {
		return nil, 0, err
	}
	var local []result.Check
	n := 0
	if l := pd.Local(); l != nil {
		n = l.Len()
		sc, err := src.Scan(ctx, l.Names())
		if err != nil {
			return nil, 0, err
		}
		local, err = l.Evaluate(ctx, sc, expect.Options{Schema: sc.TableSchema(), SampleSize: sample})
		sc.Close()
		if err != nil {
			return nil, 0, err
		}
	}
	out, _, err := pd.Run(ctx, src, local)
	return out, n, err
}

// sameChecks returns how got differs from want as the conformance
// requires ("" when it does not), and the largest relative difference of
// a number.
func sameChecks(want, got []result.Check) (float64, string) {
	if len(want) != len(got) {
		return 0, fmt.Sprintf("%d results locally, %d on the engine", len(want), len(got))
	}
	worst := 0.0
	for i := range want {
		a, b := want[i], got[i]
		var diffs []string
		same := func(what string, x, y any) {
			if jx, jy := jsonText(x), jsonText(y); jx != jy {
				diffs = append(diffs, fmt.Sprintf("%s: local %s, engine %s", what, jx, jy))
			}
		}
		same("status", a.Status, b.Status)
		same("element_count", a.ElementCount, b.ElementCount)
		same("null_count", a.NullCount, b.NullCount)
		same("unexpected_count", a.UnexpectedCount, b.UnexpectedCount)
		same("sample", a.Sample, b.Sample)
		if exactKinds[a.Kind] {
			same("observed", a.Observed, b.Observed)
		}
		w, err := relDiff(decodeJSON(a.Observed), decodeJSON(b.Observed))
		if err != nil {
			diffs = append(diffs, fmt.Sprintf("observed: %v (local %s, engine %s)", err, jsonText(a.Observed), jsonText(b.Observed)))
		}
		worst = math.Max(worst, w)
		if len(diffs) > 0 {
			return 0, a.Name + ": " + strings.Join(diffs, "; ")
		}
	}
	return worst, ""
}

// exactKinds are the kinds whose observed values are counts or values of
// the column (order statistics, extremes, distinct counts): equal exactly,
// not within a tolerance.
var exactKinds = map[string]bool{"median": true, "quantiles": true, "min": true, "max": true, "distinct": true, "row_count": true, "unique": true}

func decodeJSON(v any) any {
	var out any
	if err := json.Unmarshal([]byte(jsonText(v)), &out); err != nil {
		return err.Error()
	}
	return out
}

// relDiff compares decoded JSON values: numbers within 1e-9 relative,
// everything else exactly.
func relDiff(a, b any) (float64, error) {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return 0, errors.New("a number against something else")
		}
		if x == y {
			return 0, nil
		}
		rel := math.Abs(x-y) / math.Max(math.Abs(x), math.Abs(y))
		if rel > 1e-9 {
			return rel, fmt.Errorf("%v and %v differ by %.3g relative", x, y, rel)
		}
		return rel, nil
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return 0, errors.New("objects differ")
		}
		w := 0.0
		for k := range x {
			d, err := relDiff(x[k], y[k])
			if err != nil {
				return 0, fmt.Errorf("%s: %w", k, err)
			}
			w = math.Max(w, d)
		}
		return w, nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return 0, errors.New("lists differ")
		}
		w := 0.0
		for i := range x {
			d, err := relDiff(x[i], y[i])
			if err != nil {
				return 0, err
			}
			w = math.Max(w, d)
		}
		return w, nil
	}
	if jsonText(a) != jsonText(b) {
		return 0, errors.New("values differ")
	}
	return 0, nil
}

// TestClickHouseNaN: ClickHouse's Float NaN is a value, not NULL; trustml
// counts it as missing. On two shards holding 1, NaN, NULL, 3, 3, NaN, 2
// (rows alternating between them) every check sees what the local engine
// sees: 4 values and 3 missing, mean 9/4, median (2+3)/2, the repeated
// 3 at rows 3 and 4, which are also the two values outside [0, 2].
func TestClickHouseNaN(t *testing.T) {
	ch := chtest.Start(t)
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	nan := math.NaN()
	b.AppendValues([]float64{1, nan, 0, 3, 3, nan, 2}, []bool{true, true, false, true, true, true, true})
	x := b.NewArray()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{array.NewRecordBatch(schema, []arrow.Array{x}, 7)})
	ch.Load(t, "nans", tbl, true)
	keyed := sqltest.WithKey(tbl)
	ctx := context.Background()
	src, err := sqlsource.Open(ctx, &sqlsource.Spec{Engine: "clickhouse", DSN: "${DSN}", Table: "nans", Key: sqltest.KeyColumn, Timeout: time.Minute},
		func(string) (string, bool) { return ch.DSN(), true })
	require.NoError(t, err)
	defer src.Close()
	s := decodeSuite(t, `columns:
  x: {missing: {max: 0}, mean: {min: 0}, median: {min: 0}, stddev: {min: 0}, range: {min: 0, max: 2}, unique: true, sum: {min: 0}}
`)
	want, err := s.Evaluate(ctx, array.NewTableReader(keyed, 3), expect.Options{})
	require.NoError(t, err)
	got, _, err := pushdown(ctx, s, src, 20)
	require.NoError(t, err)
	_, diff := sameChecks(want, got)
	require.Empty(t, diff)
	byKind := map[string]result.Check{}
	for _, c := range got {
		byKind[c.Kind] = c
	}
	assert.EqualValues(t, 3, *byKind["missing"].UnexpectedCount)
	assert.Equal(t, 9.0/4, byKind["mean"].Observed)
	assert.Equal(t, 2.5, byKind["median"].Observed)
	assert.Equal(t, 9.0, byKind["sum"].Observed)
	assert.Equal(t, `[{"row":3,"value":3},{"row":4,"value":3}]`, jsonText(byKind["unique"].Sample))
	assert.EqualValues(t, 2, *byKind["range"].UnexpectedCount)
	assert.Equal(t, `[{"row":3,"value":3},{"row":4,"value":3}]`, jsonText(byKind["range"].Sample))
}

// TestClickHouseStringLiterals: ClickHouse reads a backslash in a string
// literal as an escape; the values of in_set, a regular expression's
// pattern and the string keys of failing rows keep theirs. The key is the
// string column itself, its rows in byte order, so that positions in key
// order are the table's rows: in_set fails at rows 1 and 4, the pattern
// at rows 0 to 2.
func TestClickHouseStringLiterals(t *testing.T) {
	ch := chtest.Start(t)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues([]string{`a\b`, "c\td", "it's", "x1", "y22"}, nil)
	sa := b.NewArray()
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{array.NewRecordBatch(schema, []arrow.Array{sa}, 5)})
	ch.Load(t, "strs", tbl, false)
	ctx := context.Background()
	src, err := sqlsource.Open(ctx, &sqlsource.Spec{Engine: "clickhouse", DSN: "${DSN}", Table: "strs", Key: "s", Timeout: time.Minute},
		func(string) (string, bool) { return ch.DSN(), true })
	require.NoError(t, err)
	defer src.Close()
	s := decodeSuite(t, `columns:
  s: {in_set: ['a\b', "it's", x1], regex: '^[a-z]\d+$'}
`)
	want, err := s.Evaluate(ctx, array.NewTableReader(tbl, 2), expect.Options{})
	require.NoError(t, err)
	got, _, err := pushdown(ctx, s, src, 20)
	require.NoError(t, err)
	_, diff := sameChecks(want, got)
	require.Empty(t, diff)
	require.Len(t, got, 2)
	assert.Equal(t, `[{"row":1,"value":"c\td"},{"row":4,"value":"y22"}]`, jsonText(got[0].Sample))
	assert.Equal(t, `[{"row":0,"value":"a\\b"},{"row":1,"value":"c\td"},{"row":2,"value":"it's"}]`, jsonText(got[1].Sample))
}
