package trustml

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/sqlsource"
)

// sqlRun is a run's SQL source, its expectations compiled to SQL, and the
// checks computed locally.
type sqlRun struct {
	src   *sqlsource.Source
	pd    *expect.Pushdown
	local *expect.Suite // never nil
}

// sqlSpec is the SQL source a run reads: the suite's data.sql, with its
// table replaced when RunOptions.DataPath is ENGINE:TABLE; nil when the
// run reads a file.
func (s *Suite) sqlSpec(opts RunOptions) *sqlsource.Spec {
	if s.Data.SQL == nil {
		if _, ok := sqlTarget(opts.DataPath); ok {
			return &sqlsource.Spec{} // refused by openSQL, with the reason
		}
		return nil
	}
	if opts.DataPath != "" {
		if _, ok := sqlTarget(opts.DataPath); !ok {
			return nil // a file instead of the table
		}
	}
	return s.Data.SQL
}

// sqlTarget splits ENGINE:TABLE, for a known engine.
func sqlTarget(dataPath string) (table string, ok bool) {
	engine, table, found := strings.Cut(dataPath, ":")
	if !found {
		return "", false
	}
	for _, e := range sqlsource.Engines() {
		if e == engine {
			return table, true
		}
	}
	return "", false
}

// openSQL opens the run's SQL source and compiles the expectations for it.
func (s *Suite) openSQL(ctx context.Context, opts RunOptions, now time.Time) (*sqlRun, error) {
	spec := s.Data.SQL
	if table, ok := sqlTarget(opts.DataPath); ok {
		engine, _, _ := strings.Cut(opts.DataPath, ":")
		if spec == nil {
			return nil, fmt.Errorf("--data %s: the suite has no data.sql section to take the connection from (add data: {sql: {engine: %s, dsn: ${NAME}, table: …}})", opts.DataPath, engine)
		}
		if engine != spec.Engine {
			return nil, fmt.Errorf("--data %s: the suite's data.sql connects to %s, not %s", opts.DataPath, spec.Engine, engine)
		}
		var err error
		if spec, err = spec.WithTable(table); err != nil {
			return nil, fmt.Errorf("--data %s: %w", opts.DataPath, err)
		}
	}
	src, err := sqlsource.Open(ctx, spec, opts.LookupEnv)
	if err != nil {
		return nil, err
	}
	if err := src.Check(s.columns()); err != nil {
		src.Close()
		return nil, err
	}
	pd, err := s.Expectations.CompilePushdown(src.Schema(), src.Dialect(), src.Table(), expect.Options{SampleSize: opts.SampleSize, Now: now, FailedRows: opts.FailedRows})
	if err != nil {
		src.Close()
		return nil, err
	}
	local := pd.Local()
	if local == nil {
		local = &expect.Suite{}
	}
	return &sqlRun{src: src, pd: pd, local: local}, nil
}

// empty is a scan of no columns and no rows, for a run that streams
// nothing: every check is pushed down.
func (r *sqlRun) empty() dataset.Scan { return &emptyScan{table: r.src.Schema()} }

// emptyScan reads nothing; its Fingerprint is replaced by the pushdown's.
type emptyScan struct{ table *arrow.Schema }

func (e *emptyScan) Retain()                                   {}
func (e *emptyScan) Release()                                  {}
func (e *emptyScan) Schema() *arrow.Schema                     { return arrow.NewSchema(nil, nil) }
func (e *emptyScan) Next() bool                                { return false }
func (e *emptyScan) RecordBatch() arrow.RecordBatch            { return nil }
func (e *emptyScan) Record() arrow.RecordBatch                 { return nil }
func (e *emptyScan) Err() error                                { return nil }
func (e *emptyScan) TableSchema() *arrow.Schema                { return e.table }
func (e *emptyScan) Progress() (int64, int64, string)          { return 0, 0, "rows" }
func (e *emptyScan) Fingerprint() (dataset.Fingerprint, error) { return dataset.Fingerprint{}, nil }
func (e *emptyScan) Close() error                              { return nil }

// ExplainSQL returns the SQL a run of the suite sends to its SQL source,
// statement by statement with what each computes, and the checks computed
// locally; it connects to read the table's columns, and runs nothing
// else. A suite reading a file is an error.
func (s *Suite) ExplainSQL(ctx context.Context, opts RunOptions) (string, error) {
	if s.sqlSpec(opts) == nil {
		return "", fmt.Errorf("--explain: the suite reads a file, not a SQL source (data.sql)")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	r, err := s.openSQL(ctx, opts, now())
	if err != nil {
		return "", s.dataError(err)
	}
	defer r.src.Close()
	return r.pd.Explain(), nil
}
