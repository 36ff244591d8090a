package sqlsource

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/expect"
)

// Engine declares one SQL engine, once: its SQL dialect and how to
// connect. Engines in this module register from init; an engine whose
// driver lives in another module (DuckDB's, which needs cgo) registers
// from that module's package.
type Engine struct {
	// Dialect spells the pushdown's SQL for the engine.
	Dialect *expect.SQLDialect
	// Connect opens a session, with every statement bounded by timeout.
	Connect func(ctx context.Context, dsn string, timeout time.Duration) (Session, error)
	// TextType is the engine's name of its text type, in the hint that a
	// column of a type trustml does not read be cast; "" is text.
	TextType string
}

// Session is one connection to an engine. It is used by one goroutine at
// a time.
type Session interface {
	// Columns describes the columns of the FROM item.
	Columns(ctx context.Context, from string) ([]Column, error)
	// Stream runs q and calls row with each row's values, each nil, int64,
	// float64, string, bool or time.Time (see Normalize).
	Stream(ctx context.Context, q string, row func([]any) error) error
	// Close ends the session.
	Close() error
}

// Column is one column of a table as an engine describes it.
type Column struct {
	Name string
	// Type is the column's Arrow type; nil for a type trustml does not
	// read.
	Type arrow.DataType
	// EngineType is the engine's name of the type, for messages.
	EngineType string
}

var (
	enginesMu sync.RWMutex
	engines   = map[string]*Engine{}
)

// Register makes an engine available to suites under name. It panics on
// an empty name, a nil hook, or a name registered twice.
func Register(name string, e Engine) {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if name == "" || e.Dialect == nil || e.Connect == nil {
		panic("sqlsource: Register with an empty name, dialect or connect")
	}
	if _, dup := engines[name]; dup {
		panic("sqlsource: engine " + name + " registered twice")
	}
	engines[name] = &e
}

func engine(name string) *Engine {
	enginesMu.RLock()
	defer enginesMu.RUnlock()
	return engines[name]
}

// Engines returns the names of the registered SQL engines, sorted.
func Engines() []string {
	enginesMu.RLock()
	defer enginesMu.RUnlock()
	out := make([]string, 0, len(engines))
	for k := range engines {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// query runs q on sess and returns its rows.
func query(ctx context.Context, sess Session, q string) ([][]any, error) {
	var out [][]any
	err := sess.Stream(ctx, q, func(r []any) error {
		out = append(out, append([]any(nil), r...))
		return nil
	})
	return out, err
}
