package sqlbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/trustml/trustml/examples/bench/benchdata"
	"github.com/trustml/trustml/internal/chtest"
)

func init() {
	Register("clickhouse", Engine{Hand: "clickhouse.sql", Start: startClickHouse})
}

// chColumns are benchdata.Schema in ClickHouse's types, for the MergeTree
// table bench_local on each shard.
const chColumns = `(id Int64, age Nullable(Int64), income Nullable(Float64), score Nullable(Float64),
	region String, label Int64, x Float64, y Nullable(Float64))`

// startClickHouse starts the two-shard cluster (chtest.Launch) in a
// temporary directory, creates bench_local on each shard and the
// Distributed table bench over both, sharded by id, and streams the
// generated rows into bench as TabSeparated: the servers put each row on
// the shard its id picks (id mod 2).
func startClickHouse(ctx context.Context, cfg Config, logf func(string, ...any)) (*Instance, error) {
	root, err := os.MkdirTemp("", "trustml-bench-clickhouse-")
	if err != nil {
		return nil, err
	}
	c, err := chtest.Launch(root)
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	stop := func() error { c.Stop(); return os.RemoveAll(root) }
	logf("clickhouse started: shards on 127.0.0.1:%d and :%d, pids %d and %d", c.Shards[0].HTTP, c.Shards[1].HTTP, c.Shards[0].PID(), c.Shards[1].PID())
	if err := loadClickHouse(c, cfg.Rows, cfg.Seed, logf); err != nil {
		stop()
		return nil, err
	}
	return &Instance{
		DSN:     c.DSN(),
		Network: true,
		CPU: func() (time.Duration, error) {
			var sum time.Duration
			for _, s := range c.Shards {
				d, err := TreeCPU(s.PID())
				if err != nil {
					return 0, err
				}
				sum += d
			}
			p, err := ProcessCPU()
			return sum + p, err
		},
		Close: stop,
	}, nil
}

// loadClickHouse creates the tables and streams rows rows of seed in.
func loadClickHouse(c *chtest.Cluster, rows int64, seed uint64, logf func(string, ...any)) error {
	for i := range c.Shards {
		for _, q := range []string{
			"CREATE TABLE bench_local " + chColumns + " ENGINE = MergeTree() ORDER BY id",
			"CREATE TABLE " + Table + " AS bench_local ENGINE = Distributed(" + chtest.ClusterName + ", default, bench_local, id)",
		} {
			if err := c.Insert(i, q, nil); err != nil {
				return fmt.Errorf("shard %d: %w", i+1, err)
			}
		}
	}
	pr, pw := io.Pipe()
	go func() {
		g := benchdata.NewGenerator(seed)
		var row benchdata.Row
		buf := make([]byte, 0, 1<<16)
		f := func(x float64, valid bool) {
			if !valid {
				buf = append(buf, `\N`...)
				return
			}
			buf = strconv.AppendFloat(buf, x, 'g', -1, 64)
		}
		t0 := time.Now()
		for n := int64(0); n < rows; n++ {
			g.Next(&row)
			buf = strconv.AppendInt(buf, row.ID, 10)
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, row.Age, 10)
			buf = append(buf, '\t')
			f(row.Income, row.IncomeValid)
			buf = append(buf, '\t')
			f(row.Score, row.ScoreValid)
			buf = append(buf, '\t')
			buf = append(buf, benchdata.Regions[row.Region]...)
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, row.Label, 10)
			buf = append(buf, '\t')
			f(row.X, true)
			buf = append(buf, '\t')
			f(row.Y, true)
			buf = append(buf, '\n')
			if len(buf) > 1<<15 {
				if _, err := pw.Write(buf); err != nil {
					return
				}
				buf = buf[:0]
			}
			if (n+1)%1_000_000 == 0 {
				logf("sent %d of %d rows (%.0f s)", n+1, rows, time.Since(t0).Seconds())
			}
		}
		_, err := pw.Write(buf)
		pw.CloseWithError(err)
	}()
	err := c.Insert(0, "INSERT INTO "+Table+" FORMAT TabSeparated", pr)
	pr.Close()
	return err
}
