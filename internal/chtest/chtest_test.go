package chtest_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/internal/chtest"
)

// get runs q on shard i as user:password and returns the status and body.
func get(t *testing.T, c *chtest.Cluster, i int, user, password, q string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:"+strconv.Itoa(c.Shards[i].HTTP)+"/?query="+url.QueryEscape(q), nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestCluster: five rows loaded are split 3 and 2 across the shards, the
// Distributed table on either shard sees all five, only the cluster's
// user's password lets it in, and a killed shard fails the Distributed
// query in ClickHouse's words.
func TestCluster(t *testing.T) {
	c := chtest.Start(t)
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues([]float64{1, 2, 3, 4, 5}, []bool{true, true, false, true, true})
	col := b.NewArray()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 5)
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	c.Load(t, "t", tbl, true)

	for i, want := range []string{"3\t0,2,4", "2\t1,3"} {
		_, got := get(t, c, i, "", "", "SELECT count(), arrayStringConcat(arrayMap(k -> toString(k), arraySort(groupArray(trustml_key))), ',') FROM t_local")
		if got != want {
			t.Errorf("shard %d holds %q, want %q", i+1, got, want)
		}
		if _, got := get(t, c, i, "", "", "SELECT count(), count(x), sum(x) FROM t"); got != "5\t4\t12" {
			t.Errorf("Distributed table on shard %d: %q, want 5 rows, 4 values summing to 12", i+1, got)
		}
	}
	if code, got := get(t, c, 0, chtest.User, c.Password, "SELECT count() FROM t"); code != http.StatusOK || got != "5" {
		t.Errorf("the password user: %d %q", code, got)
	}
	if code, got := get(t, c, 0, chtest.User, "wrong", "SELECT 1"); code == http.StatusOK || !strings.Contains(got, "Wrong password for user app") {
		t.Errorf("a wrong password: %d %q", code, got)
	}
	// A loader streams rows into a Distributed table whose sharding key
	// splits them.
	c.ExecAll(t, "CREATE TABLE s_local (k Int64, v String) ENGINE = MergeTree() ORDER BY k",
		"CREATE TABLE s AS s_local ENGINE = Distributed("+chtest.ClusterName+", default, s_local, k)")
	if err := c.Insert(0, "INSERT INTO s FORMAT CSV", strings.NewReader("1,a\n2,b\n3,c\n4,d\n")); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"2,4", "1,3"} {
		if _, got := get(t, c, i, "", "", "SELECT arrayStringConcat(arrayMap(k -> toString(k), arraySort(groupArray(k))), ',') FROM s_local"); got != want {
			t.Errorf("shard %d holds keys %q, want %q", i+1, got, want)
		}
	}

	if err := c.Kill(1); err != nil {
		t.Fatal(err)
	}
	code, got := get(t, c, 0, "", "", "SELECT count() FROM t")
	if code == http.StatusOK || !strings.Contains(got, "Connection refused") {
		t.Errorf("with shard 2 down: %d %q", code, got)
	}
	t.Logf("with shard 2 down: %s", got)
}
