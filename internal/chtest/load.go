package chtest

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/internal/sqlload"
	"github.com/trustml/trustml/internal/sqltest"
)

// Exec runs statements on shard i (0 or 1) as the default user.
func (c *Cluster) Exec(t testing.TB, i int, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if err := c.post(i, s, nil); err != nil {
			t.Fatalf("chtest: shard %d: %s: %v", i+1, s, err)
		}
	}
}

// ExecAll runs statements on every shard.
func (c *Cluster) ExecAll(t testing.TB, stmts ...string) {
	t.Helper()
	for i := range c.Shards {
		c.Exec(t, i, stmts...)
	}
}

// Insert runs an INSERT … FORMAT … statement on shard i (0 or 1) as the
// default user, with body as its data, streamed: a loader can send a file
// of any size. Inserted into a Distributed table with a sharding key
// (Distributed(trustml, default, t_local, key)), the rows go to the shards
// the key picks, before Insert returns.
func (c *Cluster) Insert(i int, query string, body io.Reader) error {
	return c.post(i, query, body)
}

// post sends query, with body as its data when not nil, to shard i.
func (c *Cluster) post(i int, query string, body io.Reader) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	// An insert into a Distributed table returns once every shard has
	// its rows.
	u := "http://127.0.0.1:" + strconv.Itoa(c.Shards[i].HTTP) + "/?insert_distributed_sync=1&query=" + url.QueryEscape(query)
	if body == nil {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", strings.TrimSpace(string(msg)))
	}
	return nil
}

// chType spells an Arrow type as the ClickHouse type that holds it.
var chType = map[arrow.Type]string{
	arrow.INT16: "Int16", arrow.INT32: "Int32", arrow.INT64: "Int64", arrow.FLOAT32: "Float32", arrow.FLOAT64: "Float64", arrow.STRING: "String",
	arrow.DATE32: "Date", arrow.TIMESTAMP: "DateTime",
}

// Type returns the ClickHouse type Load gives a column of Arrow type dt
// (a timestamp with a time zone is DateTime('UTC'));
// ok is false when it has none (booleans: ClickHouse 18 has no boolean
// type; Arrow's null type).
func Type(dt arrow.DataType) (string, bool) {
	t, ok := chType[dt.ID()]
	return t, ok
}

// Fits returns why tbl cannot be held exactly by ClickHouse tables (nil
// when it can): a column type without a ClickHouse type, a timestamp
// with a fraction of a second (DateTime counts seconds), or a date or
// timestamp outside the years 1970 to 2105 that Date and DateTime hold.
func Fits(tbl arrow.Table) error {
	for i, f := range tbl.Schema().Fields() {
		if _, ok := Type(f.Type); !ok {
			return fmt.Errorf("column %q: no ClickHouse type for %s", f.Name, f.Type)
		}
		if !temporal(f.Type) {
			continue
		}
		for _, r := range sqltest.Rows(tbl) {
			tm, ok := r[i].(time.Time)
			if !ok {
				continue
			}
			if tm.Nanosecond() != 0 {
				return fmt.Errorf("column %q: %s has a fraction of a second, which DateTime drops", f.Name, tm)
			}
			if tm.Year() < 1970 || tm.Year() > 2105 || tm.Before(time.Unix(0, 0)) {
				return fmt.Errorf("column %q: %s is outside the years ClickHouse's Date and DateTime hold", f.Name, tm)
			}
		}
	}
	return nil
}

func temporal(dt arrow.DataType) bool {
	return dt.ID() == arrow.DATE32 || dt.ID() == arrow.TIMESTAMP
}

// Load holds tbl in the cluster as table name: a MergeTree table
// name_local on each shard, row i on shard i mod 2, and on each shard a
// Distributed table name over both. With key, the column
// sqltest.KeyColumn comes first: each row's 0-based position. Every
// other column is Nullable.
func (c *Cluster) Load(t testing.TB, name string, tbl arrow.Table, key bool) {
	t.Helper()
	k := ""
	if key {
		k = sqltest.KeyColumn
	}
	if err := c.LoadTable(name, tbl, k); err != nil {
		t.Fatalf("chtest: %v", err)
	}
}

// LoadTable is Load for a program that is not a test: key names the
// column of row positions ("" for none).
func (c *Cluster) LoadTable(name string, tbl arrow.Table, key string) error {
	if err := Fits(tbl); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var defs []string
	order := "tuple()"
	if key != "" {
		defs = append(defs, ident(key)+" Int64")
		order = ident(key)
	}
	for _, f := range tbl.Schema().Fields() {
		typ, _ := Type(f.Type)
		if ts, ok := f.Type.(*arrow.TimestampType); ok && ts.TimeZone != "" {
			typ = "DateTime('UTC')"
		}
		defs = append(defs, ident(f.Name)+" Nullable("+typ+")")
	}
	local := ident(name + "_local")
	for i := range c.Shards {
		for _, q := range []string{
			"CREATE TABLE " + local + " (" + strings.Join(defs, ", ") + ") ENGINE = MergeTree() ORDER BY " + order,
			"CREATE TABLE " + ident(name) + " AS " + local + " ENGINE = Distributed(" + ClusterName + ", default, " + local + ")",
		} {
			if err := c.post(i, q, nil); err != nil {
				return fmt.Errorf("shard %d: %w", i+1, err)
			}
		}
	}
	dates := make([]bool, tbl.NumCols())
	for j, f := range tbl.Schema().Fields() {
		dates[j] = f.Type.ID() == arrow.DATE32
	}
	var parts [2]strings.Builder
	for i, r := range sqltest.Rows(tbl) {
		b := &parts[i%2]
		if key != "" {
			b.WriteString(strconv.Itoa(i))
			b.WriteByte('\t')
		}
		for j, v := range r {
			if j > 0 {
				b.WriteByte('\t')
			}
			if tm, ok := v.(time.Time); ok && dates[j] {
				b.WriteString(tm.Format("2006-01-02"))
				continue
			}
			b.WriteString(tsv(v))
		}
		b.WriteByte('\n')
	}
	for i := range parts {
		if parts[i].Len() == 0 {
			continue
		}
		if err := c.post(i, "INSERT INTO "+local+" FORMAT TabSeparated", strings.NewReader(parts[i].String())); err != nil {
			return fmt.Errorf("loading %s into shard %d: %w", name, i+1, err)
		}
	}
	return nil
}

// LoadFiles loads each file (any format trustml reads) with LoadTable
// as a table named after the file (sqlload.TableNames), with key the
// column of row positions.
func (c *Cluster) LoadFiles(ctx context.Context, files []string, key string) error {
	names := sqlload.TableNames(files)
	for i, path := range files {
		tbl, err := sqlload.ReadFile(ctx, path)
		if err != nil {
			return err
		}
		err = c.LoadTable(names[i], tbl, key)
		tbl.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `\"`) + `"` }

var tsvEscape = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)

// tsv spells a value as a field of ClickHouse's TabSeparated format.
func tsv(v any) string {
	switch x := v.(type) {
	case nil:
		return `\N`
	case string:
		return tsvEscape.Replace(x)
	case float64:
		return float(x, 64)
	case float32:
		return float(float64(x), 32)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}

func float(x float64, bits int) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return strconv.FormatFloat(x, 'g', -1, bits)
}
