package sqlsource_test

import (
	"context"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/internal/chtest"
	"github.com/trustml/trustml/sqlsource"
)

func lookup(dsn string) func(string) (string, bool) {
	return func(string) (string, bool) { return dsn, true }
}

func chSpec(table string, timeout time.Duration) *sqlsource.Spec {
	return &sqlsource.Spec{Engine: "clickhouse", DSN: "${CH_DSN}", Table: table, Key: "k", Timeout: timeout}
}

// TestClickHouseTypes: each ClickHouse type trustml reads becomes its
// Arrow type, and its values (NaN, NULL, an escaped tab, the largest
// UInt64, the day and instant ClickHouse writes as zeros, a DateTime of
// another zone, a LowCardinality string) come back as they were written;
// a type trustml does not read is an error naming it. The session logs in
// through a clickhouse:// URL whose password is a query parameter.
func TestClickHouseTypes(t *testing.T) {
	ch := chtest.Start(t)
	ch.Exec(t, 0,
		`CREATE TABLE typed (k Int64, i8 Nullable(Int8), u64 UInt64, f32 Float32, dec Nullable(Decimal(10, 2)), e Enum8('a' = 1, 'b' = 2),
			d Date, dt DateTime, dtz DateTime('Europe/Moscow'), s Nullable(String), fs FixedString(3)) ENGINE = Log`,
		`INSERT INTO typed VALUES (0, -5, 18446744073709551615, 1.5, 12.34, 'b', '2020-01-02', '2020-01-02 03:04:05', '2020-01-02 03:04:05', 'tab\there', 'abc'),
			(1, NULL, 1, nan, NULL, 'a', '1970-01-01', '1970-01-01 00:00:00', '1970-01-01 03:00:00', NULL, 'xyz')`,
	)
	dsn := strings.Replace(ch.DSN(), "http://", "clickhouse://", 1) + "?user=" + chtest.User + "&password=" + ch.Password
	ctx := context.Background()
	src, err := sqlsource.Open(ctx, chSpec("typed", time.Minute), lookup(dsn))
	require.NoError(t, err)
	defer src.Close()

	want := []string{"int64", "int8", "uint64", "float32", "float64", "utf8", "date32", "timestamp[s]", "timestamp[s, tz=UTC]", "utf8", "binary"}
	var got []string
	for _, f := range src.Schema().Fields() {
		got = append(got, f.Type.String())
	}
	assert.Equal(t, want, got)
	md, _ := src.Schema().Field(10).Metadata.GetValue("trustml.sql_type")
	assert.Equal(t, "FixedString(3)", md)
	err = src.Check([]string{"fs"})
	require.Error(t, err)
	assert.Equal(t, `clickhouse:typed: column "fs" has clickhouse type FixedString(3), which trustml does not read; cast it in a query, for example CAST("fs" AS String)`, err.Error())

	cols := []string{"i8", "u64", "f32", "dec", "e", "d", "dt", "dtz", "s"}
	sc, err := src.Scan(ctx, cols)
	require.NoError(t, err)
	defer sc.Close()
	require.True(t, sc.Next())
	rec := sc.RecordBatch()
	require.EqualValues(t, 2, rec.NumRows())
	i8 := rec.Column(0).(*array.Int8)
	assert.Equal(t, int8(-5), i8.Value(0))
	assert.True(t, i8.IsNull(1))
	assert.Equal(t, []uint64{math.MaxUint64, 1}, rec.Column(1).(*array.Uint64).Uint64Values())
	f32 := rec.Column(2).(*array.Float32)
	assert.Equal(t, float32(1.5), f32.Value(0))
	assert.True(t, math.IsNaN(float64(f32.Value(1))) && f32.IsValid(1), "NaN is a value in ClickHouse, read as one")
	dec := rec.Column(3).(*array.Float64)
	assert.Equal(t, 12.34, dec.Value(0))
	assert.True(t, dec.IsNull(1))
	e := rec.Column(4).(*array.String)
	assert.Equal(t, []string{"b", "a"}, []string{e.Value(0), e.Value(1)})
	d := rec.Column(5).(*array.Date32)
	assert.Equal(t, []string{"2020-01-02", "1970-01-01"}, []string{d.Value(0).FormattedString(), d.Value(1).FormattedString()})
	// DateTime is the wall time the server shows; DateTime('zone') the
	// instant, in UTC: 03:04:05 in Moscow is 00:04:05 UTC.
	dt := rec.Column(6).(*array.Timestamp)
	assert.Equal(t, []arrow.Timestamp{arrow.Timestamp(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC).Unix()), 0}, dt.TimestampValues())
	dtz := rec.Column(7).(*array.Timestamp)
	assert.Equal(t, []arrow.Timestamp{arrow.Timestamp(time.Date(2020, 1, 2, 0, 4, 5, 0, time.UTC).Unix()), 0}, dtz.TimestampValues())
	s := rec.Column(8).(*array.String)
	assert.Equal(t, "tab\there", s.Value(0))
	assert.True(t, s.IsNull(1))
	assert.False(t, sc.Next())
	require.NoError(t, sc.Err())

	// LowCardinality(Nullable(String)), of a query: a string.
	q := &sqlsource.Spec{Engine: "clickhouse", DSN: "${CH_DSN}", Query: "SELECT k, toLowCardinality(s) AS lc FROM typed", Key: "k", Timeout: time.Minute}
	lq, err := sqlsource.Open(ctx, q, lookup(dsn))
	require.NoError(t, err)
	defer lq.Close()
	assert.Equal(t, "utf8", lq.Schema().Field(1).Type.String())
	sc2, err := lq.Scan(ctx, []string{"lc"})
	require.NoError(t, err)
	defer sc2.Close()
	require.True(t, sc2.Next())
	lc := sc2.RecordBatch().Column(0).(*array.String)
	assert.Equal(t, "tab\there", lc.Value(0))
	assert.True(t, lc.IsNull(1))
}

// TestClickHouseConnection: connection strings that are not ClickHouse
// URLs are refused without being repeated, and a server that accepts the
// connection and never answers ends at the source's timeout plus trustml's
// grace, not never.
func TestClickHouseConnection(t *testing.T) {
	ctx := context.Background()
	for dsn, want := range map[string]string{
		"postgres://u:hunter2@db/shop": `clickhouse:t: the connection string's scheme is "postgres"; ClickHouse is reached over http://, https:// or clickhouse://`,
		"host=db password=hunter2":     "clickhouse:t: the connection string is not a URL such as http://user:password@host:8123/database",
		"http://u:hunter2@[::1":        "clickhouse:t: the connection string is not a URL such as http://user:password@host:8123/database",
	} {
		_, err := sqlsource.Open(ctx, chSpec("t", time.Minute), lookup(dsn))
		require.Error(t, err, dsn)
		assert.Equal(t, want, err.Error())
		assert.NotContains(t, err.Error(), "hunter2")
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // read nothing, answer nothing
		}
	}()
	start := time.Now()
	_, err = sqlsource.Open(ctx, chSpec("t", time.Second), lookup("http://u:hunter2@"+l.Addr().String()+"/db"))
	require.Error(t, err)
	assert.Less(t, time.Since(start), 30*time.Second)
	assert.Contains(t, err.Error(), "the source's timeout ran out")
	assert.NotContains(t, err.Error(), "hunter2")
	t.Logf("a server that never answers: %v after %s", err, time.Since(start).Round(time.Second))
}
