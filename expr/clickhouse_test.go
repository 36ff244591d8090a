package expr

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trustml/trustml/internal/chtest"
)

// TestAgreesWithClickHouse prints the 1,000 generated predicates of
// TestAgreesWithDuckDB in the ClickHouse dialect and evaluates them on a
// Distributed table over two ClickHouse shards holding the same 500
// rows: every predicate the dialect does not refuse gives DuckDB's pinned
// counts (TRUE, FALSE and NULL rows and the sums of their ids), and an
// overflow DuckDB reports is an error in ClickHouse too.
func TestAgreesWithClickHouse(t *testing.T) {
	ch := chtest.Start(t)
	tbl := benchTable(t)
	defer tbl.Release()
	ch.Load(t, "bench", tbl, false)

	client := &http.Client{Timeout: time.Minute}
	query := func(q string) (string, error) {
		resp, err := client.Post(ch.DSN()+"?max_execution_time=60", "text/plain", strings.NewReader(q+" FORMAT TabSeparated"))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%s", strings.TrimSpace(string(b)))
		}
		return strings.TrimSpace(string(b)), nil
	}
	d := *ClickHouse
	d.Now = time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	a := agreeInSQL(t, &d, func(cond string) (duckResult, error) {
		var got duckResult
		out, err := query(`SELECT countIf(ifNull(` + cond + `, 0)), countIf(ifNull(not(` + cond + `), 0)), countIf(isNull(` + cond + `)),
			sumIf(id, ifNull(` + cond + `, 0)), sumIf(id, isNull(` + cond + `)) FROM bench`)
		if err != nil {
			return got, err
		}
		fields := strings.Split(out, "\t")
		if len(fields) != 5 {
			t.Fatalf("%s: ClickHouse answered %q", cond, out)
		}
		for i, p := range []*int64{&got.True, &got.False, &got.Null, &got.TrueIDSum, &got.NullIDSum} {
			if *p, err = strconv.ParseInt(fields[i], 10, 64); err != nil {
				t.Fatalf("%s: ClickHouse answered %q", cond, out)
			}
		}
		return got, nil
	}, nil)
	t.Logf("%d of %d agree with DuckDB on two ClickHouse shards; %d refused by the dialect: %v", a.agree, a.total-a.refused, a.refused, a.reasons)
}
