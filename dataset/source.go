package dataset

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Source is a table to check: anything that can be read as record batches
// with a schema, a fingerprint and progress. Files (one, a glob, or a
// directory; see OpenSource with kind "file") and Arrow data built in Go
// (FromTable, FromRecordReader) are Sources.
//
// A Source holds no open resources between scans; whoever built it keeps
// ownership of what it wraps (an arrow.Table stays valid until every Scan
// of it is closed).
type Source interface {
	// Scan starts one pass over the columns named, in that order (nil or
	// empty: every column of the table). A column the table lacks is a
	// *MissingColumnsError. The caller must Close the Scan (Release also
	// closes it at a zero reference count) on every path, including after
	// an error from Next. ctx bounds every read of the pass.
	Scan(ctx context.Context, columns []string) (Scan, error)
}

// Scan is one pass over a Source: an array.RecordReader of the projected
// columns. A batch returned by RecordBatch is valid until the next call to
// Next or Close; Retain it to keep it longer. A Scan is not safe for
// concurrent use, except Progress.
type Scan interface {
	array.RecordReader
	// TableSchema returns the schema of every column of the table, whether
	// projected or not.
	TableSchema() *arrow.Schema
	// Progress reports how far the pass has got, in unit "bytes" or
	// "rows", of a total that is 0 when unknown. It is safe to call from
	// another goroutine while Next runs.
	Progress() (done, total int64, unit string)
	// Fingerprint identifies the data read. It is valid once Next has
	// returned false with Err() == nil; what it covers depends on the
	// Source and is documented with it.
	Fingerprint() (Fingerprint, error)
	// Close ends the pass and frees what it holds. It is idempotent.
	Close() error
}

// RowLocator is implemented by the Scans of Sources made of several parts
// (files), whose row numbers are best reported within their part.
type RowLocator interface {
	// Locate maps the 0-based row number of the whole pass to the part it
	// is in, as the part is named in the Fingerprint, and the 0-based row
	// within it. It is valid for rows already read.
	Locate(row int64) (part string, rowInPart int64)
}

// Driver opens the Source a suite's data section names: location is the
// section's path (or an engine's connection string), opts its reading
// options. Options.Columns is ignored: Scan names the columns.
type Driver func(ctx context.Context, location string, opts Options) (Source, error)

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// FileKind is the kind of the file Source: one file, a glob or a directory
// (see the package documentation, "Many files as one table").
const FileKind = "file"

func init() { Register(FileKind, openFiles) }

// Register makes a Source kind available to OpenSource, as database/sql
// registers drivers. It panics if kind is empty, if open is nil, or if the
// kind is already registered.
func Register(kind string, open Driver) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if kind == "" || open == nil {
		panic("dataset: Register with an empty kind or a nil driver")
	}
	if _, dup := drivers[kind]; dup {
		panic("dataset: Register called twice for kind " + kind)
	}
	drivers[kind] = open
}

// Kinds returns the registered Source kinds, sorted.
func Kinds() []string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	ks := make([]string, 0, len(drivers))
	for k := range drivers {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// OpenSource opens a Source of a registered kind ("" means FileKind). An
// unknown kind is an error listing the registered ones.
func OpenSource(ctx context.Context, kind, location string, opts Options) (Source, error) {
	if kind == "" {
		kind = FileKind
	}
	driversMu.RLock()
	open := drivers[kind]
	driversMu.RUnlock()
	if open == nil {
		return nil, fmt.Errorf("dataset: unknown source kind %q; kinds are %s", kind, strings.Join(Kinds(), ", "))
	}
	opts.Columns = nil
	return open(ctx, location, opts)
}
