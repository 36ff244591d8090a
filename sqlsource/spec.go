package sqlsource

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
)

// Spec is a suite's `data: {sql: {...}}` section: the table an engine
// holds, and how to reach it.
type Spec struct {
	// Engine is a key of the engines table: "postgres", "clickhouse".
	Engine string
	// DSN is the connection string as the suite writes it: one ${NAME},
	// the environment variable that holds it. It is read when the source
	// is opened and never written anywhere.
	DSN string
	// Table is a table name, optionally schema-qualified ("public.orders");
	// Query a SELECT whose rows are the table. Exactly one is set.
	Table, Query string
	// Key is a column whose order is the rows' order: failing values are
	// reported at their 0-based position in it. "" means no order: the
	// checks run, but no failing values are sampled.
	Key string
	// Timeout bounds each statement the engine runs (default 10 minutes).
	Timeout time.Duration
	// Line and Col locate `data.sql` in the suite file.
	Line, Col int
}

// DefaultTimeout bounds each statement of a SQL source whose section sets
// no timeout.
const DefaultTimeout = 10 * time.Minute

var (
	specKeys = []string{"engine", "dsn", "table", "query", "key", "timeout"}
	envRef   = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)
	// tableName is a name or schema.name of plain identifiers.
	tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$`)
)

// Decode reads the section at n (path "data.sql"), recording every problem
// in d with its position. It returns nil when the section is not a
// mapping.
func Decode(d *yamlx.Decoder, n *yaml.Node, path string) *Spec {
	fields, ok := d.Mapping(n, path, specKeys)
	if !ok {
		return nil
	}
	s := &Spec{Line: n.Line, Col: n.Column, Timeout: DefaultTimeout}
	has := map[string]bool{}
	for _, f := range fields {
		has[f.Key] = true
		v, ok := d.String(f.Value, f.Path)
		if !ok {
			continue
		}
		switch f.Key {
		case "engine":
			if !slices.Contains(Engines(), v) {
				hint := ""
				if h := yamlx.Suggest(v, Engines()); h != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", h)
				}
				d.Errorf(f.Value, f.Path, "unknown engine %q%s; engines are %s", v, hint, strings.Join(Engines(), ", "))
			}
			s.Engine = v
		case "dsn":
			if !envRef.MatchString(v) {
				// The value is not repeated: it may be a credential.
				d.Errorf(f.Value, f.Path, "must be ${NAME}, the environment variable holding the connection string: credentials never go in a suite file")
			}
			s.DSN = v
		case "table":
			if !tableName.MatchString(v) {
				d.Errorf(f.Value, f.Path, "%q is not a table name (name or schema.name); use query: for anything else", v)
			}
			s.Table = v
		case "query":
			if strings.TrimSpace(v) == "" {
				d.Errorf(f.Value, f.Path, "must not be empty")
			}
			s.Query = v
		case "key":
			if v == "" {
				d.Errorf(f.Value, f.Path, "must not be empty")
			}
			s.Key = v
		case "timeout":
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				d.Errorf(f.Value, f.Path, "must be a positive duration such as 30s or 10m, got %q", v)
			}
			s.Timeout = t
		}
	}
	for _, k := range []string{"engine", "dsn"} {
		if !has[k] {
			d.Errorf(n, yamlx.Join(path, k), "missing: %s", map[string]string{"engine": "the engine: " + strings.Join(Engines(), ", "), "dsn": "${NAME}, the environment variable holding the connection string"}[k])
		}
	}
	switch {
	case has["table"] && has["query"]:
		d.Errorf(n, path, "names both table and query; keep one")
	case !has["table"] && !has["query"]:
		d.Errorf(n, yamlx.Join(path, "table"), "missing: the table to check (or query: SELECT …)")
	}
	return s
}

// WithTable returns a copy of s reading table instead of its table or
// query (the command line's --data ENGINE:TABLE).
func (s *Spec) WithTable(table string) (*Spec, error) {
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("%q is not a table name (name or schema.name)", table)
	}
	c := *s
	c.Table, c.Query = table, ""
	return &c, nil
}

// dsn reads the connection string from the environment.
func (s *Spec) dsn(lookup func(string) (string, bool)) (string, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	m := envRef.FindStringSubmatch(s.DSN)
	if m == nil {
		return "", fmt.Errorf("data.sql.dsn must be ${NAME}")
	}
	v, ok := lookup(m[1])
	if !ok || v == "" {
		return "", fmt.Errorf("data.sql.dsn: environment variable %s is not set", m[1])
	}
	return v, nil
}

// From is the FROM item the queries read: the table's quoted name, or the
// query as a subquery.
func (s *Spec) From() string {
	if s.Query != "" {
		return "(" + s.Query + ") AS trustml_source"
	}
	parts := strings.Split(s.Table, ".")
	for i, p := range parts {
		parts[i] = `"` + p + `"`
	}
	return strings.Join(parts, ".")
}

// Location names the source in fingerprints and messages, without the
// DSN: "postgres:public.orders" or "postgres:query".
func (s *Spec) Location() string {
	if s.Query != "" {
		return s.Engine + ":query"
	}
	return s.Engine + ":" + s.Table
}
