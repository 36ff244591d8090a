// Package sqlsource reads tables where they live: in PostgreSQL and
// ClickHouse (DuckDB registers from its own module; more engines join
// through the engines table). A suite's `data: {sql: …}`
// section names the engine, the environment variable holding the
// connection string, and a table or a query.
//
// The expectations are pushed down (expect.Pushdown): the engine computes
// every aggregate in one scan and only numbers and bounded samples of
// failing values come back. What the engine cannot compute, and the model
// sections, read only the columns they need, streamed as Arrow record
// batches (Source.Scan).
//
// The connection string never leaves the process: it is read from the
// environment when the source opens, and every error of the engine is
// scrubbed of it, and of its password, before it is returned.
package sqlsource

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/expect"
)

// Source is a table held by a SQL engine, with an open session. It is a
// dataset.Source (Scan streams columns as Arrow batches) and an
// expect.Querier. Close it when done. It is not safe for concurrent use.
type Source struct {
	spec    *Spec
	eng     *Engine
	sess    Session
	secrets []string
	cols    []Column
	schema  *arrow.Schema
}

// Open connects to the engine of spec, with the connection string read
// from the environment through lookup (nil: os.LookupEnv), and reads the
// table's columns. Every error is in the engine's words, prefixed with
// the source's Location, and never contains the connection string.
func Open(ctx context.Context, spec *Spec, lookup func(string) (string, bool)) (*Source, error) {
	eng := engine(spec.Engine)
	if eng == nil {
		return nil, fmt.Errorf("unknown SQL engine %q; engines are %s", spec.Engine, strings.Join(Engines(), ", "))
	}
	dsn, err := spec.dsn(lookup)
	if err != nil {
		return nil, err
	}
	s := &Source{spec: spec, eng: eng, secrets: secretsOf(dsn)}
	cctx, cancel := context.WithTimeout(ctx, spec.Timeout+grace)
	defer cancel()
	if s.sess, err = eng.Connect(cctx, dsn, spec.Timeout); err != nil {
		return nil, s.wrap(err)
	}
	if s.cols, err = s.sess.Columns(cctx, spec.From()); err != nil {
		s.sess.Close()
		return nil, s.wrap(err)
	}
	fields := make([]arrow.Field, len(s.cols))
	for i, c := range s.cols {
		t := c.Type
		md := arrow.NewMetadata([]string{"trustml.sql_type"}, []string{c.EngineType})
		if t == nil {
			t = arrow.BinaryTypes.Binary
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: true, Metadata: md}
	}
	s.schema = arrow.NewSchema(fields, nil)
	return s, nil
}

// Close ends the session.
func (s *Source) Close() error { return s.wrap(s.sess.Close()) }

// Schema is the table's schema: each column's Arrow type, with the
// engine's type name in the field metadata "trustml.sql_type". A column
// of a type trustml does not read is binary here; Check refuses it.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// Location names the source without its connection string.
func (s *Source) Location() string { return s.spec.Location() }

// Dialect is the engine's SQL dialect.
func (s *Source) Dialect() *expect.SQLDialect { return s.eng.Dialect }

// Table is the FROM item and key the pushdown reads.
func (s *Source) Table() expect.Table { return expect.Table{From: s.spec.From(), Key: s.spec.Key} }

// Check reports the columns named that the table lacks
// (*dataset.MissingColumnsError) or whose engine type trustml does not
// read, and a key column the table lacks.
func (s *Source) Check(columns []string) error {
	names := make([]string, len(s.cols))
	for i, c := range s.cols {
		names[i] = c.Name
	}
	if s.spec.Key != "" && !slices.Contains(names, s.spec.Key) {
		return fmt.Errorf("%s: data.sql.key: column %q is not in the table; columns are %s", s.Location(), s.spec.Key, strings.Join(names, ", "))
	}
	var missing []string
	var errs []error
	for _, n := range columns {
		i := slices.Index(names, n)
		switch {
		case i < 0:
			missing = append(missing, n)
		case s.cols[i].Type == nil:
			text := s.eng.TextType
			if text == "" {
				text = "text"
			}
			errs = append(errs, fmt.Errorf("%s: column %q has %s type %s, which trustml does not read; cast it in a query, for example CAST(%s AS %s)",
				s.Location(), n, s.spec.Engine, s.cols[i].EngineType, expect.Ident(n), text))
		}
	}
	if len(missing) > 0 {
		return &dataset.MissingColumnsError{Path: s.Location(), Missing: missing, Available: names}
	}
	return errors.Join(errs...)
}

// grace is how long trustml waits past the source's timeout for the
// engine to end a statement itself, in its own words.
const grace = 10 * time.Second

// Query runs q, bounded by the source's timeout; see expect.Querier.
func (s *Source) Query(ctx context.Context, q string) ([][]any, error) {
	ctx, cancel := context.WithTimeout(ctx, s.spec.Timeout+grace)
	defer cancel()
	rows, err := query(ctx, s.sess, q)
	return rows, s.wrap(err)
}

// wrap prefixes an engine's error with the source's location and removes
// every secret of the connection string from its text. The error's chain
// is not kept: a driver's error may format its configuration.
func (s *Source) wrap(err error) error {
	if err == nil {
		return nil
	}
	// One line: a driver may join errors with newlines (DuckDB's
	// "context deadline exceeded" and "INTERRUPT Error: Interrupted!").
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	for _, sec := range s.secrets {
		msg = strings.ReplaceAll(msg, sec, "********")
	}
	return &Error{Location: s.Location(), Msg: msg, Timeout: errors.Is(err, context.DeadlineExceeded)}
}

// Error is an engine's failure, in its own words, scrubbed of the
// connection string.
type Error struct {
	Location string // engine:table
	Msg      string // the engine's message
	Timeout  bool   // the source's timeout ran out
}

func (e *Error) Error() string {
	if e.Timeout {
		return e.Location + ": " + e.Msg + " (the source's timeout ran out; raise data.sql.timeout)"
	}
	return e.Location + ": " + e.Msg
}

var kvPassword = regexp.MustCompile(`(?i)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)

// secretsOf lists the texts of dsn that must never be shown: the whole
// string and its password, raw and escaped.
func secretsOf(dsn string) []string {
	out := []string{dsn}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p, url.QueryEscape(p), url.PathEscape(p))
		}
		if p := u.Query().Get("password"); p != "" {
			out = append(out, p, url.QueryEscape(p))
		}
	}
	for _, m := range kvPassword.FindAllStringSubmatch(dsn, -1) {
		out = append(out, strings.Trim(m[1], "'"))
	}
	// Longest first, so that a secret containing another is removed whole.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// Scan streams the named columns (nil: every column) as Arrow record
// batches, in the key's order when the source has one; see
// dataset.Source. The Fingerprint names the source and counts the rows.
func (s *Source) Scan(ctx context.Context, columns []string) (dataset.Scan, error) {
	if len(columns) == 0 {
		for _, c := range s.cols {
			columns = append(columns, c.Name)
		}
	}
	if err := s.Check(columns); err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(columns))
	sel := make([]string, len(columns))
	for i, n := range columns {
		fields[i] = s.schema.Field(s.schema.FieldIndices(n)[0])
		sel[i] = expect.Ident(n)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + s.spec.From()
	if s.spec.Key != "" {
		q += " ORDER BY " + expect.Ident(s.spec.Key)
	}
	ctx, cancel := context.WithTimeout(ctx, s.spec.Timeout+grace)
	sc := &scan{src: s, schema: arrow.NewSchema(fields, nil), batches: make(chan arrow.RecordBatch, 1), cancel: cancel, done: make(chan struct{})}
	sc.refs.Store(1)
	go sc.run(ctx, q)
	return sc, nil
}

// scanBatchRows is the number of rows per batch a scan builds.
const scanBatchRows = 1 << 16

type scan struct {
	src     *Source
	schema  *arrow.Schema
	batches chan arrow.RecordBatch
	cancel  context.CancelFunc
	done    chan struct{}
	err     error // set before done closes
	cur     arrow.RecordBatch
	rows    atomic.Int64
	refs    atomic.Int64
	closed  bool
}

func (sc *scan) run(ctx context.Context, q string) {
	defer close(sc.done)
	defer close(sc.batches)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc.schema)
	defer b.Release()
	n := 0
	emit := func() bool {
		rec := b.NewRecordBatch()
		select {
		case sc.batches <- rec:
			n = 0
			return true
		case <-ctx.Done():
			rec.Release()
			return false
		}
	}
	err := sc.src.sess.Stream(ctx, q, func(vals []any) error {
		for i, v := range vals {
			if err := appendValue(b.Field(i), v); err != nil {
				return fmt.Errorf("column %q: %w", sc.schema.Field(i).Name, err)
			}
		}
		n++
		sc.rows.Add(1)
		if n == scanBatchRows && !emit() {
			return ctx.Err()
		}
		return nil
	})
	if err == nil && n > 0 && !emit() {
		err = ctx.Err()
	}
	if err != nil {
		sc.err = sc.src.wrap(err)
	}
}

// appendValue appends a normalized value to an Arrow builder.
func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch bb := b.(type) {
	case *array.Int8Builder:
		bb.Append(int8(v.(int64)))
	case *array.Uint8Builder:
		bb.Append(uint8(v.(int64)))
	case *array.Uint16Builder:
		bb.Append(uint16(v.(int64)))
	case *array.Uint32Builder:
		bb.Append(uint32(v.(int64)))
	case *array.Uint64Builder:
		bb.Append(uint64(v.(int64))) // the bits of a value above the int64 range
	case *array.Int16Builder:
		bb.Append(int16(v.(int64)))
	case *array.Int32Builder:
		bb.Append(int32(v.(int64)))
	case *array.Int64Builder:
		bb.Append(v.(int64))
	case *array.Float32Builder:
		bb.Append(float32(v.(float64)))
	case *array.Float64Builder:
		bb.Append(v.(float64))
	case *array.StringBuilder:
		bb.Append(v.(string))
	case *array.BooleanBuilder:
		bb.Append(v.(bool))
	case *array.Date32Builder:
		bb.Append(arrow.Date32FromTime(v.(time.Time)))
	case *array.TimestampBuilder:
		ts, err := arrow.TimestampFromTime(v.(time.Time), bb.Type().(*arrow.TimestampType).Unit)
		if err != nil {
			return err
		}
		bb.Append(ts)
	default:
		return fmt.Errorf("trustml does not read values of Arrow type %s", b.Type())
	}
	return nil
}

func (sc *scan) Schema() *arrow.Schema            { return sc.schema }
func (sc *scan) TableSchema() *arrow.Schema       { return sc.src.schema }
func (sc *scan) RecordBatch() arrow.RecordBatch   { return sc.cur }
func (sc *scan) Record() arrow.RecordBatch        { return sc.cur }
func (sc *scan) Progress() (int64, int64, string) { return sc.rows.Load(), 0, "rows" }
func (sc *scan) Retain()                          { sc.refs.Add(1) }

func (sc *scan) Release() {
	if sc.refs.Add(-1) == 0 {
		sc.Close()
	}
}

func (sc *scan) Next() bool {
	if sc.cur != nil {
		sc.cur.Release()
		sc.cur = nil
	}
	if sc.closed {
		return false
	}
	rec, ok := <-sc.batches
	if !ok {
		<-sc.done
		return false
	}
	sc.cur = rec
	return true
}

func (sc *scan) Err() error {
	select {
	case <-sc.done:
		return sc.err
	default:
		return nil
	}
}

func (sc *scan) Fingerprint() (dataset.Fingerprint, error) {
	return sc.src.Fingerprint(sc.rows.Load()), nil
}

// Fingerprint identifies the source in a result: its engine and table
// (never the connection string), its schema and the rows counted.
func (s *Source) Fingerprint(rows int64) dataset.Fingerprint {
	parts := make([]string, s.schema.NumFields())
	for i, f := range s.schema.Fields() {
		parts[i] = f.Name + ":" + f.Type.String()
	}
	return dataset.Fingerprint{Kind: s.spec.Engine, Path: s.Location(), Rows: rows, Columns: s.schema.NumFields(), Schema: strings.Join(parts, ", ")}
}

func (sc *scan) Close() error {
	if sc.closed {
		return nil
	}
	sc.closed = true
	sc.cancel()
	for rec := range sc.batches {
		rec.Release()
	}
	<-sc.done
	if sc.cur != nil {
		sc.cur.Release()
		sc.cur = nil
	}
	return nil
}
