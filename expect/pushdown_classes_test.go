package expect_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/internal/pgtest"
	"github.com/trustml/trustml/internal/sqltest"
	"github.com/trustml/trustml/sqlsource"
)

// recorder is a Querier that records the statements it passes on.
type recorder struct {
	q       expect.Querier
	queries []string
}

func (r *recorder) Query(ctx context.Context, q string) ([][]any, error) {
	r.queries = append(r.queries, q)
	return r.q.Query(ctx, q)
}

// TestPushdownClassesPostgres: imbalance's classes are computed by
// PostgreSQL (counted in the second pass for an integer column of a
// narrow range, by a GROUP BY query otherwise: a wide integer range,
// floats with NaN, strings, booleans, nulls everywhere) and equal the local
// engine's; distinct_values, which matches classes against the suite's
// values, stays local and says why. A unique check whose column's
// count(DISTINCT) equals its count of values sends no query for repeats;
// one with repeats does, and samples them as the local engine does.
func TestPushdownClassesPostgres(t *testing.T) {
	admin := pgtest.Start(t)
	url := sqltest.CreateDatabase(t, admin, "classes")
	mem := memory.DefaultAllocator
	const n = 100
	id, dup, label, wide := array.NewInt64Builder(mem), array.NewInt64Builder(mem), array.NewInt64Builder(mem), array.NewInt64Builder(mem)
	f, s, b := array.NewFloat64Builder(mem), array.NewStringBuilder(mem), array.NewBooleanBuilder(mem)
	for i := range int64(n) {
		id.Append(i)
		dup.Append(i % 90) // 0..9 twice: 20 rows repeat
		switch {
		case i == 7:
			label.AppendNull()
		case i%3 == 0:
			label.Append(-1)
		default:
			label.Append(2)
		}
		wide.Append((i % 70) * 1000)
		switch {
		case i%10 == 1:
			f.Append(math.NaN())
		case i%10 == 2:
			f.AppendNull()
		default:
			f.Append(float64(i%4) / 2)
		}
		if i == 5 {
			s.AppendNull()
		} else {
			s.Append([]string{"a", "b", "c"}[i%3])
		}
		b.Append(i%3 == 0)
	}
	var cols []arrow.Array
	for _, bld := range []array.Builder{id, dup, label, wide, f, s, b} {
		cols = append(cols, bld.NewArray())
		bld.Release()
	}
	names := []string{"id", "dup", "label", "wide", "f", "s", "b"}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: names[i], Type: c.DataType(), Nullable: true}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n)
	for _, c := range cols {
		c.Release()
	}
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	rec.Release()
	defer tbl.Release()
	sqltest.LoadPostgres(t, url, "classes", tbl, true)
	keyed := sqltest.WithKey(tbl)
	defer keyed.Release()

	suite := decodeSuite(t, `
columns:
  id: {unique: true, distinct: {min: 1}}
  dup: {unique: true, distinct: {min: 1}}
  label: {imbalance: {min_fraction: 0.1}}
  wide: {imbalance: {min_count: 1}}
  f: {imbalance: {min_fraction: 0.1}}
  s: {imbalance: {max_ratio: 2}, distinct_values: {in_set: [a, b, c]}}
  b: {imbalance: {max_ratio: 1.5}}
`)
	ctx := context.Background()
	want, err := suite.Evaluate(ctx, array.NewTableReader(keyed, 16), expect.Options{SampleSize: 20})
	require.NoError(t, err)
	src, err := sqlsource.Open(ctx, &sqlsource.Spec{Engine: "postgres", DSN: "${PG_DSN}", Table: "classes", Key: sqltest.KeyColumn, Timeout: sqlsource.DefaultTimeout},
		func(string) (string, bool) { return url, true })
	require.NoError(t, err)
	defer src.Close()
	pd, err := suite.CompilePushdown(src.Schema(), src.Dialect(), src.Table(), expect.Options{SampleSize: 20})
	require.NoError(t, err)
	local := pd.Local()
	require.NotNil(t, local)
	assert.Equal(t, []string{"s"}, local.Names(), "only distinct_values is local")
	sc, err := src.Scan(ctx, local.Names())
	require.NoError(t, err)
	lres, err := local.Evaluate(ctx, sc, expect.Options{Schema: sc.TableSchema(), SampleSize: 20})
	sc.Close()
	require.NoError(t, err)
	rec2 := &recorder{q: src}
	got, rows, err := pd.Run(ctx, rec2, lres)
	require.NoError(t, err)
	assert.Equal(t, int64(n), rows)
	_, diff := sameChecks(want, got)
	assert.Empty(t, diff)
	statuses := map[string]string{}
	for _, c := range got {
		statuses[c.Name] = string(c.Status)
		if c.Name == "columns.s.distinct_values" {
			assert.Contains(t, c.Details.(map[string]any)["reason"], "matches the column's classes against the suite's values")
		} else {
			assert.Nil(t, c.Details, c.Name)
		}
	}
	// The verdicts, by hand: 20 of 100 dup values repeat; label is -1 on 33
	// rows and 2 on 66; f's classes 0, 0.5, 1, 1.5 hold 20 rows each;
	// s is 33, 33, 33; b is 34 true and 66 false, a ratio of 1.94.
	assert.Equal(t, map[string]string{
		"columns.id.unique": "pass", "columns.id.distinct": "pass", "columns.dup.unique": "fail", "columns.dup.distinct": "pass",
		"columns.label.imbalance": "pass", "columns.wide.imbalance": "pass", "columns.f.imbalance": "pass",
		"columns.s.imbalance": "pass", "columns.s.distinct_values": "pass", "columns.b.imbalance": "fail",
	}, statuses)

	all := strings.Join(rec2.queries, "\n")
	assert.NotContains(t, all, `GROUP BY "id"`, "no repeats: count(DISTINCT) = count")
	assert.Contains(t, all, `GROUP BY "dup" HAVING count(*) > 1`)
	assert.NotContains(t, all, `GROUP BY "label"`, "a narrow integer range is counted in the second pass")
	assert.Contains(t, all, `count(*) FILTER (WHERE "label" = -1)`)
	assert.Contains(t, all, `count(*) FILTER (WHERE "label" = 2)`)
	for _, g := range []string{`GROUP BY "wide"`, `GROUP BY NULLIF("f", 'NaN')`, `GROUP BY "s"`, `GROUP BY "b"`} {
		assert.Contains(t, all, g)
	}

	// Without a key no failing values are fetched, and --explain shows none.
	pd, err = suite.CompilePushdown(src.Schema(), src.Dialect(), expect.Table{From: `"classes"`}, expect.Options{SampleSize: 20})
	require.NoError(t, err)
	assert.NotContains(t, pd.Explain(), "LIMIT")
	assert.Contains(t, pd.Explain(), `GROUP BY "label"`)
}
