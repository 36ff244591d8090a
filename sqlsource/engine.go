package sqlsource

import (
	"context"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/expect"
)

// engine declares one SQL engine, once: its SQL dialect and how to
// connect.
type engine struct {
	dialect *expect.SQLDialect
	// connect opens a session with every statement bounded by timeout.
	connect func(ctx context.Context, dsn string, timeout time.Duration) (session, error)
}

// session is one connection to an engine.
type session interface {
	// columns describes the columns of the FROM item: each column's Arrow
	// type, or nil and the engine's name of a type trustml does not read.
	columns(ctx context.Context, from string) ([]column, error)
	// query runs q and returns its rows, each value nil, int64, float64,
	// string, bool or time.Time.
	query(ctx context.Context, q string) ([][]any, error)
	// stream runs q and calls row with each row's values, as query's.
	stream(ctx context.Context, q string, row func([]any) error) error
	close() error
}

// column is one column of a table as an engine describes it.
type column struct {
	name       string
	typ        arrow.DataType // nil: a type trustml does not read
	engineType string
}

// engines holds every engine by the name a suite's engine key uses.
var engines = map[string]*engine{}

// Engines returns the names of the SQL engines, sorted.
func Engines() []string {
	out := make([]string, 0, len(engines))
	for k := range engines {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
