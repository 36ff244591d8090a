// Package sqlbench is the benchmark on SQL engines (issue 15's
// acceptance): it generates the benchmark's rows (package benchdata),
// loads them into an engine as the table bench, and then
//
//   - runs the 12-check suite (examples/bench/suite.yaml) through trustml's
//     pushdown and compares every observed value with the reference values
//     benchdata.Reference computes from the same rows;
//   - counts the bytes trustml receives from the engine for the 12 checks:
//     at the connection (a counting net.Conn, sqlsource.WithDialer) for an
//     engine reached over the network, and for every engine the bytes of
//     the result values its driver hands back (8 per number, a string's
//     length), the only measure for an embedded engine;
//   - times the pushdown against the hand-written query of the engine
//     (postgres.sql, duckdb.sql in this directory: the best single query
//     a person would write for the same numbers, whose values are checked
//     too), in alternating pairs, and reports the median of the pairs'
//     ratios, by wall time and by CPU time (the engine's and trustml's);
//   - times pulling the table into trustml's local engine (every column the
//     suite reads streamed as Arrow batches, the checks evaluated by
//     trustml) against the pushdown.
//
// Engines are entries of a table (Register): PostgreSQL is registered here
// (a temporary cluster of internal/pgserver, loaded with COPY); DuckDB by
// package sqlsource/duckdb/benchengine, in the cgo module of its driver,
// whose command is sqlsource/duckdb/sqlbench. The commands are in
// examples/bench/README.md.
package sqlbench

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/examples/bench/benchdata"
	"github.com/trustml/trustml/result"
	"github.com/trustml/trustml/sqlsource"
)

//go:embed *.sql
var handQueries embed.FS

// Table is the name of the table each engine holds the rows in.
const Table = "bench"

// Engine is one entry of the engines table: how to make an instance of
// the engine that holds the rows, and its hand-written query.
type Engine struct {
	// Hand names the file of this directory holding the engine's
	// hand-written query; its columns are HandColumns, in order.
	Hand string
	// Start makes an instance holding Table with cfg.Rows rows of
	// cfg.Seed: starts a server or writes a file, and loads the rows.
	// logf reports progress.
	Start func(ctx context.Context, cfg Config, logf func(format string, args ...any)) (*Instance, error)
}

// Instance is a running engine holding the table.
type Instance struct {
	// DSN is the connection string sqlsource's engine of the same name
	// takes.
	DSN string
	// Network says that sessions reach the engine over TCP: the bytes
	// received are counted at the connection.
	Network bool
	// CPU returns the CPU time (user + system) used so far by the engine
	// and by this process: the server's processes for a server, this
	// process alone for an embedded engine.
	CPU func() (time.Duration, error)
	// Close stops the engine and removes what Start made.
	Close func() error
}

var (
	enginesMu sync.Mutex
	engines   = map[string]Engine{}
)

// Register adds an engine under the name of its sqlsource engine; it
// panics on a name registered twice or an entry without Hand or Start.
func Register(name string, e Engine) {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if e.Hand == "" || e.Start == nil {
		panic("sqlbench: Register " + name + " without Hand or Start")
	}
	if _, dup := engines[name]; dup {
		panic("sqlbench: engine " + name + " registered twice")
	}
	engines[name] = e
}

// Engines returns the registered engines' names, sorted.
func Engines() []string {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	out := make([]string, 0, len(engines))
	for k := range engines {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// HandQuery returns the hand-written query of file (postgres.sql,
// duckdb.sql).
func HandQuery(file string) (string, error) {
	b, err := handQueries.ReadFile(file)
	return string(b), err
}

// HandColumns are the columns of a hand-written query, in order.
var HandColumns = []string{"row_count", "distinct_ids", "age_in_range", "age_nulls", "income_nulls", "income_min",
	"score_nulls", "score_mean", "score_stddev", "score_median", "region_out", "label_0", "label_1", "x_min", "x_max", "y_nulls"}

// Config is one run of the benchmark.
type Config struct {
	Engine string
	Rows   int64
	Seed   uint64
	// Suite is the path of examples/bench/suite.yaml.
	Suite string
	// Pairs is the number of alternating pushdown/hand-written pairs
	// timed (0: none).
	Pairs int
	// Pull is the number of times the table is pulled into the local
	// engine, each after a pushdown run (0: never).
	Pull int
	// Timeout bounds each statement (0: sqlsource.DefaultTimeout).
	Timeout time.Duration
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Timing is one measured run.
type Timing struct {
	Wall, CPU time.Duration
	// Wire is the bytes received at the connection (-1: not counted, an
	// embedded engine); Values the bytes of the result values.
	Wire, Values int64
}

// Report is what a run measured.
type Report struct {
	Engine   string
	Rows     int64
	Seed     uint64
	Load     time.Duration // generating and loading the rows
	LoadAvg  [2]string     // /proc/loadavg before and after the measurements
	SQL      string        // what the pushdown sends (Pushdown.Explain)
	Want     benchdata.Values
	Pushdown benchdata.Values // observed by the 12 checks pushed down
	Hand     benchdata.Values // returned by the hand-written query
	// Problems lists every value that differs from the reference; empty
	// when the run is good.
	Problems []string
	// Pairs are the timed runs, pushdown and hand-written, in the order
	// run (a pair's first run alternates).
	PushRuns, HandRuns []Timing
	PullRuns           []Timing
}

// WallRatio and CPURatio are the medians of the pairs' ratios of the
// pushdown's time to the hand-written query's.
func (r *Report) WallRatio() float64 {
	return medianRatio(r.PushRuns, r.HandRuns, func(t Timing) time.Duration { return t.Wall })
}

// CPURatio: see WallRatio.
func (r *Report) CPURatio() float64 {
	return medianRatio(r.PushRuns, r.HandRuns, func(t Timing) time.Duration { return t.CPU })
}

// PullRatio is the median pull time over the median pushdown time, by
// wall time and by CPU time.
func (r *Report) PullRatio() (wall, cpu float64) {
	if len(r.PullRuns) == 0 || len(r.PushRuns) == 0 {
		return math.NaN(), math.NaN()
	}
	w := func(t Timing) time.Duration { return t.Wall }
	c := func(t Timing) time.Duration { return t.CPU }
	return float64(median(r.PullRuns, w)) / float64(median(r.PushRuns, w)),
		float64(median(r.PullRuns, c)) / float64(median(r.PushRuns, c))
}

func medianRatio(a, b []Timing, f func(Timing) time.Duration) float64 {
	var rs []float64
	for i := range min(len(a), len(b)) {
		rs = append(rs, float64(f(a[i]))/float64(f(b[i])))
	}
	return medianFloat(rs)
}

func medianFloat(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

func median(ts []Timing, f func(Timing) time.Duration) time.Duration {
	xs := make([]float64, len(ts))
	for i, t := range ts {
		xs[i] = float64(f(t))
	}
	return time.Duration(medianFloat(xs))
}

// dsnVar is the environment variable the benchmark's SQL spec names; Run
// resolves it itself, so nothing is read from the real environment.
const dsnVar = "TRUSTML_BENCH_DSN"

// Run starts cfg.Engine holding the rows, runs every measurement on that
// one instance, stops it, and returns the report. An error means the run
// could not be made; values that differ from the reference are listed in
// Report.Problems.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	enginesMu.Lock()
	eng, ok := engines[cfg.Engine]
	enginesMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown engine %q; engines are %s", cfg.Engine, strings.Join(Engines(), ", "))
	}
	if cfg.Rows < 2 {
		return nil, fmt.Errorf("-rows %d: the suite needs at least 2 rows", cfg.Rows)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = sqlsource.DefaultTimeout
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "sqlbench: "+format+"\n", args...)
		}
	}
	hand, err := HandQuery(eng.Hand)
	if err != nil {
		return nil, err
	}
	suite, err := trustml.Load(cfg.Suite)
	if err != nil {
		return nil, err
	}
	counted, err := countedEngine(cfg.Engine)
	if err != nil {
		return nil, err
	}
	// The suite's twelve checks, on the table the engine holds; no key:
	// the twelve numbers need no row order, and the hand-written query
	// fetches no failing values either.
	suite.Data.SQL = &sqlsource.Spec{Engine: counted.name, DSN: "${" + dsnVar + "}", Table: Table, Timeout: cfg.Timeout}
	spec := suite.Data.SQL

	rep := &Report{Engine: cfg.Engine, Rows: cfg.Rows, Seed: cfg.Seed}
	refDone := make(chan struct{})
	go func() {
		// The reference values are computed while the engine loads.
		defer close(refDone)
		rep.Want = benchdata.Reference(cfg.Rows, cfg.Seed)
	}()
	start := time.Now()
	inst, err := eng.Start(ctx, cfg, logf)
	if err != nil {
		<-refDone
		return nil, err
	}
	defer func() {
		if err := inst.Close(); err != nil {
			logf("stopping %s: %v", cfg.Engine, err)
		}
	}()
	rep.Load = time.Since(start)
	<-refDone
	logf("%s holds %d rows (%.1f s)", cfg.Engine, cfg.Rows, rep.Load.Seconds())
	lookup := func(name string) (string, bool) {
		if name == dsnVar {
			return inst.DSN, true
		}
		return "", false
	}
	if rep.SQL, err = suite.ExplainSQL(ctx, trustml.RunOptions{LookupEnv: lookup}); err != nil {
		return nil, err
	}
	rep.LoadAvg[0] = loadAvg()

	// measure runs f once and returns its wall and CPU time and the bytes
	// received.
	measure := func(f func(ctx context.Context) error) (Timing, error) {
		var wire atomic.Int64
		mctx := ctx
		if inst.Network {
			mctx = sqlsource.WithDialer(ctx, countingDialer(&wire))
		}
		counted.values.Store(0)
		cpu0, err := inst.CPU()
		if err != nil {
			return Timing{}, err
		}
		t0 := time.Now()
		if err := f(mctx); err != nil {
			return Timing{}, err
		}
		t := Timing{Wall: time.Since(t0), Wire: -1, Values: counted.values.Load()}
		cpu1, err := inst.CPU()
		if err != nil {
			return Timing{}, err
		}
		t.CPU = cpu1 - cpu0
		if inst.Network {
			t.Wire = wire.Load()
		}
		return t, nil
	}
	var pushed *trustml.Result
	push := func(ctx context.Context) error {
		res, err := suite.Run(ctx, trustml.RunOptions{LookupEnv: lookup})
		pushed = res
		return err
	}
	var handRow []any
	handRun := func(ctx context.Context) error {
		src, err := sqlsource.Open(ctx, spec, lookup)
		if err != nil {
			return err
		}
		defer src.Close()
		rows, err := src.Query(ctx, hand)
		if err != nil {
			return err
		}
		if len(rows) != 1 || len(rows[0]) != len(HandColumns) {
			return fmt.Errorf("%s: %d rows, want one row of %d columns (%s)", eng.Hand, len(rows), len(HandColumns), strings.Join(HandColumns, ", "))
		}
		handRow = rows[0]
		return nil
	}
	pull := func(ctx context.Context) error {
		src, err := sqlsource.Open(ctx, spec, lookup)
		if err != nil {
			return err
		}
		defer src.Close()
		res, err := suite.Run(ctx, trustml.RunOptions{Source: src})
		if err == nil {
			if problems := compare("pulled", rep.Want, observed(res), false); len(problems) > 0 {
				err = errors.New(strings.Join(problems, "; "))
			}
		}
		return err
	}

	// The values first, once each: the pushdown's and the hand-written
	// query's, against the reference.
	t, err := measure(push)
	if err != nil {
		return nil, err
	}
	logf("pushdown: %.2f s wall, %.2f s CPU, %d bytes received", t.Wall.Seconds(), t.CPU.Seconds(), t.Wire)
	rep.Pushdown = observed(pushed)
	rep.Problems = append(rep.Problems, compare("pushdown", rep.Want, rep.Pushdown, true)...)
	pushFirst := t
	t, err = measure(handRun)
	if err != nil {
		return nil, err
	}
	logf("hand-written: %.2f s wall, %.2f s CPU, %d bytes received", t.Wall.Seconds(), t.CPU.Seconds(), t.Wire)
	if rep.Hand, err = handValues(handRow); err != nil {
		return nil, err
	}
	rep.Problems = append(rep.Problems, compare("hand-written", rep.Want, rep.Hand, false)...)
	if cfg.Pairs == 0 {
		rep.PushRuns, rep.HandRuns = []Timing{pushFirst}, []Timing{t}
	}
	for i := range cfg.Pairs {
		order := []func(context.Context) error{push, handRun}
		if i%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		var ts [2]Timing
		for k, f := range order {
			if ts[k], err = measure(f); err != nil {
				return nil, err
			}
		}
		if i%2 == 1 {
			ts[0], ts[1] = ts[1], ts[0]
		}
		rep.PushRuns, rep.HandRuns = append(rep.PushRuns, ts[0]), append(rep.HandRuns, ts[1])
		logf("pair %d: pushdown %.2f s (CPU %.2f s), hand-written %.2f s (CPU %.2f s)", i+1,
			ts[0].Wall.Seconds(), ts[0].CPU.Seconds(), ts[1].Wall.Seconds(), ts[1].CPU.Seconds())
	}
	for i := range cfg.Pull {
		t, err := measure(pull)
		if err != nil {
			return nil, fmt.Errorf("pulling the table: %w", err)
		}
		rep.PullRuns = append(rep.PullRuns, t)
		logf("pull %d: %.2f s wall, %.2f s CPU, %d bytes received", i+1, t.Wall.Seconds(), t.CPU.Seconds(), t.Wire)
	}
	rep.LoadAvg[1] = loadAvg()
	return rep, nil
}

// observed reads the benchmark's values from the 12 checks' results.
func observed(res *trustml.Result) benchdata.Values {
	c := map[string]result.Check{}
	for _, k := range res.Checks {
		c[k.Name] = k
	}
	i64 := func(p *int64) int64 {
		if p == nil {
			return -1
		}
		return *p
	}
	num := func(name string) float64 {
		switch x := c[name].Observed.(type) {
		case float64:
			return x
		case int64:
			return float64(x)
		}
		return math.NaN()
	}
	count := func(name string) int64 {
		if m, ok := c[name].Observed.(map[string]any); ok {
			if n, ok := m["count"].(int64); ok {
				return n
			}
		}
		return -1
	}
	v := benchdata.Values{
		Rows:        int64(num("table.row_count")),
		DistinctIDs: int64(num("columns.id.distinct")),
		RepeatedIDs: i64(c["columns.id.unique"].UnexpectedCount),
		AgeInRange:  i64(c["columns.age.range"].ElementCount) - i64(c["columns.age.range"].UnexpectedCount),
		AgeNulls:    count("columns.age.missing"),
		IncomeNulls: count("columns.income.missing"),
		IncomeMin:   num("columns.income.min"),
		ScoreNulls:  i64(c["columns.score.mean"].NullCount),
		ScoreMean:   num("columns.score.mean"),
		ScoreStddev: num("columns.score.stddev"),
		ScoreMedian: num("columns.score.median"),
		RegionOut:   i64(c["columns.region.in_set"].UnexpectedCount),
		LabelCounts: [2]int64{-1, -1},
		XMin:        num("columns.x.min"),
		XMax:        num("columns.x.max"),
		YNulls:      count("columns.y.missing"),
	}
	if m, ok := c["columns.label.imbalance"].Observed.(map[string]any); ok {
		classes, _ := m["classes"].([]any)
		for _, cl := range classes {
			cm, _ := cl.(map[string]any)
			label, _ := cm["value"].(int64)
			n, _ := cm["count"].(int64)
			if label == 0 || label == 1 {
				v.LabelCounts[label] = n
			}
		}
	}
	return v
}

// handValues reads a hand-written query's row (HandColumns).
func handValues(row []any) (benchdata.Values, error) {
	var bad []string
	i64 := func(k int) int64 {
		if x, ok := row[k].(int64); ok {
			return x
		}
		bad = append(bad, fmt.Sprintf("%s is %T %v, not an integer", HandColumns[k], row[k], row[k]))
		return -1
	}
	f64 := func(k int) float64 {
		switch x := row[k].(type) {
		case float64:
			return x
		case int64:
			return float64(x)
		}
		bad = append(bad, fmt.Sprintf("%s is %T %v, not a number", HandColumns[k], row[k], row[k]))
		return math.NaN()
	}
	v := benchdata.Values{
		Rows: i64(0), DistinctIDs: i64(1), AgeInRange: i64(2), AgeNulls: i64(3), IncomeNulls: i64(4), IncomeMin: f64(5),
		ScoreNulls: i64(6), ScoreMean: f64(7), ScoreStddev: f64(8), ScoreMedian: f64(9), RegionOut: i64(10),
		LabelCounts: [2]int64{i64(11), i64(12)}, XMin: f64(13), XMax: f64(14), YNulls: i64(15),
	}
	if len(bad) > 0 {
		return v, errors.New(strings.Join(bad, "; "))
	}
	return v, nil
}

// Tolerance bounds the relative difference of a mean, a standard
// deviation and an interpolated median from the reference values; every
// count, minimum and maximum, and the pushdown's median, must be exact.
const Tolerance = 1e-12

// compare lists the values of got that differ from want. exactMedian
// holds the median to exact equality (the pushdown reads order statistics;
// a hand-written percentile_cont interpolates, within Tolerance). A
// hand-written query has no repeated-row count: its distinct count stands
// for E2.
func compare(who string, want, got benchdata.Values, exactMedian bool) []string {
	var out []string
	eq := func(name string, w, g any) {
		if w != g {
			out = append(out, fmt.Sprintf("%s %s: got %v, want %v", who, name, g, w))
		}
	}
	rel := func(name string, w, g float64) {
		if d := math.Abs(g-w) / math.Abs(w); !(d <= Tolerance) {
			out = append(out, fmt.Sprintf("%s %s: got %v, want %v (relative difference %.2g > %g)", who, name, g, w, d, Tolerance))
		}
	}
	eq("E1 rows", want.Rows, got.Rows)
	eq("E2 distinct ids", want.DistinctIDs, got.DistinctIDs)
	if who != "hand-written" {
		eq("E2 repeated ids", want.RepeatedIDs, got.RepeatedIDs)
	}
	eq("E3 ages in [0, 120]", want.AgeInRange, got.AgeInRange)
	eq("E4 age nulls", want.AgeNulls, got.AgeNulls)
	eq("E5 income nulls", want.IncomeNulls, got.IncomeNulls)
	eq("E6 income min", want.IncomeMin, got.IncomeMin)
	eq("score nulls", want.ScoreNulls, got.ScoreNulls)
	rel("E7 score mean", want.ScoreMean, got.ScoreMean)
	rel("E8 score stddev", want.ScoreStddev, got.ScoreStddev)
	if exactMedian {
		eq("E9 score median", want.ScoreMedian, got.ScoreMedian)
	} else {
		rel("E9 score median", want.ScoreMedian, got.ScoreMedian)
	}
	eq("E10 regions outside the set", want.RegionOut, got.RegionOut)
	eq("E11 label counts", want.LabelCounts, got.LabelCounts)
	eq("E12 x min", want.XMin, got.XMin)
	eq("E12 x max", want.XMax, got.XMax)
	eq("E12 y nulls", want.YNulls, got.YNulls)
	return out
}

// countingConn counts the bytes read from the server.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func countingDialer(n *atomic.Int64) sqlsource.DialFunc {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: c, n: n}, nil
	}
}

// counter is an engine registered with sqlsource under another name whose
// sessions count the bytes of the values they return.
type counter struct {
	name   string
	values atomic.Int64
}

var (
	countersMu sync.Mutex
	counters   = map[string]*counter{}
)

// countedEngine registers, once per engine, sqlsource's engine name
// wrapped so that its sessions count the bytes of the result values.
func countedEngine(name string) (*counter, error) {
	countersMu.Lock()
	defer countersMu.Unlock()
	if c := counters[name]; c != nil {
		return c, nil
	}
	e, ok := sqlsource.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("sqlsource has no engine %q; engines are %s", name, strings.Join(sqlsource.Engines(), ", "))
	}
	c := &counter{name: name + "_counted"}
	connect := e.Connect
	e.Connect = func(ctx context.Context, dsn string, timeout time.Duration) (sqlsource.Session, error) {
		s, err := connect(ctx, dsn, timeout)
		if err != nil {
			return nil, err
		}
		return countingSession{Session: s, n: &c.values}, nil
	}
	sqlsource.Register(c.name, e)
	counters[name] = c
	return c, nil
}

type countingSession struct {
	sqlsource.Session
	n *atomic.Int64
}

func (s countingSession) Stream(ctx context.Context, q string, row func([]any) error) error {
	return s.Session.Stream(ctx, q, func(vals []any) error {
		var n int64
		for _, v := range vals {
			n += valueBytes(v)
		}
		s.n.Add(n)
		return row(vals)
	})
}

// valueBytes is the size of a value in a binary row format: 8 bytes for a
// number or an instant, 1 for a boolean, a string's length, 0 for NULL.
func valueBytes(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case string:
		return int64(len(x))
	}
	return 8
}

// ProcessCPU is this process's CPU time, user and system, of every thread.
func ProcessCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// Print writes the report: the values against the reference, the bytes,
// the runs, the ratios, and the README's table row.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "engine %s, %d rows (seed %d), loaded in %.1f s\n", r.Engine, r.Rows, r.Seed, r.Load.Seconds())
	fmt.Fprintf(w, "\n%-28s %-24s %-24s %s\n", "value", "reference", "pushdown", "hand-written")
	row := func(name string, want, push, hand any) {
		fmt.Fprintf(w, "%-28s %-24s %-24s %s\n", name, fmt.Sprint(want), fmt.Sprint(push), fmt.Sprint(hand))
	}
	row("E1 rows", r.Want.Rows, r.Pushdown.Rows, r.Hand.Rows)
	row("E2 distinct ids", r.Want.DistinctIDs, r.Pushdown.DistinctIDs, r.Hand.DistinctIDs)
	row("E3 ages in [0, 120]", r.Want.AgeInRange, r.Pushdown.AgeInRange, r.Hand.AgeInRange)
	row("E4 age nulls", r.Want.AgeNulls, r.Pushdown.AgeNulls, r.Hand.AgeNulls)
	row("E5 income nulls", r.Want.IncomeNulls, r.Pushdown.IncomeNulls, r.Hand.IncomeNulls)
	row("E6 income min", r.Want.IncomeMin, r.Pushdown.IncomeMin, r.Hand.IncomeMin)
	row("E7 score mean", r.Want.ScoreMean, r.Pushdown.ScoreMean, r.Hand.ScoreMean)
	row("E8 score stddev", r.Want.ScoreStddev, r.Pushdown.ScoreStddev, r.Hand.ScoreStddev)
	row("E9 score median", r.Want.ScoreMedian, r.Pushdown.ScoreMedian, r.Hand.ScoreMedian)
	row("E10 regions outside", r.Want.RegionOut, r.Pushdown.RegionOut, r.Hand.RegionOut)
	row("E11 label 0, 1", r.Want.LabelCounts, r.Pushdown.LabelCounts, r.Hand.LabelCounts)
	row("E12 x min", r.Want.XMin, r.Pushdown.XMin, r.Hand.XMin)
	row("E12 x max", r.Want.XMax, r.Pushdown.XMax, r.Hand.XMax)
	row("E12 y nulls", r.Want.YNulls, r.Pushdown.YNulls, r.Hand.YNulls)
	if len(r.Problems) == 0 {
		fmt.Fprintf(w, "every value equals the reference (mean, stddev and the hand-written median within %g relative)\n", Tolerance)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "DIFFERS: %s\n", p)
	}
	fmt.Fprintf(w, "\n%-14s %10s %10s %14s %14s\n", "run", "wall s", "CPU s", "wire bytes", "value bytes")
	runs := func(name string, ts []Timing) {
		for _, t := range ts {
			fmt.Fprintf(w, "%-14s %10.3f %10.3f %14s %14d\n", name, t.Wall.Seconds(), t.CPU.Seconds(), wire(t.Wire), t.Values)
		}
	}
	for i := range r.PushRuns {
		runs("pushdown", r.PushRuns[i:i+1])
		runs("hand-written", r.HandRuns[i:i+1])
	}
	runs("pull", r.PullRuns)
	wall := func(ts []Timing) float64 {
		return median(ts, func(t Timing) time.Duration { return t.Wall }).Seconds()
	}
	cpu := func(ts []Timing) float64 {
		return median(ts, func(t Timing) time.Duration { return t.CPU }).Seconds()
	}
	bytes := r.PushRuns[0]
	fmt.Fprintf(w, "\nbytes received for the 12 checks: %s at the connection, %d in result values (target ≤ 1 MB)\n", wire(bytes.Wire), bytes.Values)
	fmt.Fprintf(w, "pushdown / hand-written, median of %d pairs' ratios: wall %.2f, CPU %.2f (target ≤ 1.2)\n", len(r.PushRuns), r.WallRatio(), r.CPURatio())
	pw, pc := r.PullRatio()
	if len(r.PullRuns) > 0 {
		fmt.Fprintf(w, "pull into the local engine / pushdown: wall %.1f, CPU %.1f\n", pw, pc)
	}
	fmt.Fprintf(w, "load average: %s before, %s after\n", r.LoadAvg[0], r.LoadAvg[1])
	fmt.Fprintf(w, "\nthe pushdown's SQL (check --explain):\n%s", r.SQL)
	fmt.Fprintf(w, "\n| engine | rows | pushdown wall / CPU s | hand-written wall / CPU s | ratio wall / CPU (median of %d pairs) | bytes received | pull wall / CPU s | pull / pushdown wall / CPU | load average |\n|---|---|---|---|---|---|---|---|---|\n", len(r.PushRuns))
	pullTimes, pullRatio := "not run", "not run"
	if len(r.PullRuns) > 0 {
		pullTimes = fmt.Sprintf("%.2f / %.2f", wall(r.PullRuns), cpu(r.PullRuns))
		pullRatio = fmt.Sprintf("%.1f / %.1f", pw, pc)
	}
	fmt.Fprintf(w, "| %s | %d | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %s | %s | %s | %s – %s |\n",
		r.Engine, r.Rows, wall(r.PushRuns), cpu(r.PushRuns), wall(r.HandRuns), cpu(r.HandRuns), r.WallRatio(), r.CPURatio(),
		bytesText(bytes), pullTimes, pullRatio, r.LoadAvg[0], r.LoadAvg[1])
}

func wire(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func bytesText(t Timing) string {
	if t.Wire >= 0 {
		return fmt.Sprintf("%d (wire)", t.Wire)
	}
	return fmt.Sprintf("%d (values)", t.Values)
}
