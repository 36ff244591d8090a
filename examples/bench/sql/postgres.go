package sqlbench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trustml/trustml/examples/bench/benchdata"
	"github.com/trustml/trustml/internal/pgserver"
	_ "github.com/trustml/trustml/sqlsource" // registers postgres
)

func init() {
	Register("postgres", Engine{Hand: "postgres.sql", Start: startPostgres})
}

// createBench is the table the rows are loaded into: benchdata.Schema in
// PostgreSQL's types.
const createBench = `CREATE TABLE bench (id bigint NOT NULL, age bigint, income double precision, score double precision,
	region text, label bigint, x double precision, y double precision)`

// startPostgres starts a temporary cluster (internal/pgserver, with the
// server's default settings but fsync), COPYs the rows in, in binary, and
// VACUUM ANALYZEs the table, so that no run pays for hint bits or
// statistics.
func startPostgres(ctx context.Context, cfg Config, logf func(string, ...any)) (*Instance, error) {
	srv, err := pgserver.Start(ctx)
	if err != nil {
		return nil, err
	}
	logf("postgres started on %s, pid %d", srv.Addr, srv.PID())
	if err := loadPostgres(ctx, srv.URL, cfg.Rows, cfg.Seed, logf); err != nil {
		srv.Stop()
		return nil, err
	}
	return &Instance{
		DSN:     srv.URL,
		Network: true,
		CPU: func() (time.Duration, error) {
			s, err := TreeCPU(srv.PID())
			if err != nil {
				return 0, err
			}
			p, err := ProcessCPU()
			return s + p, err
		},
		Close: srv.Stop,
	}, nil
}

// loadPostgres creates the table bench at url and copies rows rows of
// seed into it.
func loadPostgres(ctx context.Context, url string, rows int64, seed uint64, logf func(string, ...any)) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, createBench); err != nil {
		return err
	}
	g := benchdata.NewGenerator(seed)
	var row benchdata.Row
	vals := make([]any, 8)
	left := rows
	t0 := time.Now()
	next := func() ([]any, error) {
		if left == 0 {
			return nil, nil
		}
		left--
		g.Next(&row)
		vals[0], vals[1], vals[2], vals[3] = row.ID, row.Age, nullable(row.Income, row.IncomeValid), nullable(row.Score, row.ScoreValid)
		vals[4], vals[5], vals[6], vals[7] = benchdata.Regions[row.Region], row.Label, row.X, row.Y
		if left%1_000_000 == 0 && left > 0 {
			logf("copied %d of %d rows (%.0f s)", rows-left, rows, time.Since(t0).Seconds())
		}
		return vals, nil
	}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{Table}, []string{"id", "age", "income", "score", "region", "label", "x", "y"}, pgx.CopyFromFunc(next))
	if err != nil {
		return err
	}
	if n != rows {
		return fmt.Errorf("COPY wrote %d rows of %d", n, rows)
	}
	_, err = conn.Exec(ctx, "VACUUM ANALYZE "+Table)
	return err
}

func nullable(x float64, valid bool) any {
	if !valid {
		return nil
	}
	return x
}

// TreeCPU is the CPU time (user + system) of process pid and its
// children: the running ones', read from /proc, and that of the children
// it has waited for (a PostgreSQL server's parallel workers and ended
// sessions). Clock ticks are taken as 100 a second, Linux's USER_HZ.
func TreeCPU(pid int) (time.Duration, error) {
	const tick = 10 * time.Millisecond
	fields := func(p int) ([]string, error) {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "stat"))
		if err != nil {
			return nil, err
		}
		// The command name, in parentheses, may hold spaces.
		s := string(b)
		return strings.Fields(s[strings.LastIndexByte(s, ')')+2:]), nil
	}
	ticks := func(f []string, from, to int) int64 {
		var n int64
		for i := from; i <= to; i++ {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			n += v
		}
		return n
	}
	// Fields after the name, 0-based: 1 ppid, 11 utime, 12 stime, 13
	// cutime, 14 cstime.
	root, err := fields(pid)
	if err != nil {
		return 0, err
	}
	total := ticks(root, 11, 14)
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range procs {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == pid {
			continue
		}
		f, err := fields(p)
		if err != nil || len(f) < 15 || f[1] != strconv.Itoa(pid) {
			continue // ended meanwhile, or another's
		}
		total += ticks(f, 11, 12)
	}
	return time.Duration(total) * tick, nil
}
