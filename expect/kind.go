package expect

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// kindDef declares one expectation kind, once: the decoder, the engine,
// the results and the SQL definition all read it from the registry, and
// nothing else in the package switches on kinds. A kind lives in a file of
// its own or with its family (kind_*.go) and registers itself from init.
//
// Adding a kind that reuses the existing accumulators is one such file,
// its tests and its documentation.
type kindDef struct {
	kind Kind
	// table: a table-level check (reads the schema and the row count).
	table bool
	// rowWise: the check judges each non-null value, keeps failing
	// values and accepts mostly.
	rowWise bool
	// failedRows: the check knows, batch by batch, which rows fail it, and
	// reports them to the failed-rows output (Options.FailedRows) through
	// the batch's collector (rowState.rows for column checks, the rule's
	// state for rules, recordCheck for table checks).
	failedRows bool
	// lateRows: the check learns which rows fail it only at the end of the
	// pass (unique, unique_key, duplicate_rows); the failed-rows output
	// gets them from a second read of the data (failedrows.go).
	lateRows bool
	// example is a YAML value of the kind's key, for the documentation and
	// for the test that decodes, evaluates and defines every kind.
	example string
	// decode fills c from the kind's YAML value n at path, recording every
	// problem in d with its position.
	decode func(d *yamlx.Decoder, c *Check, n *yaml.Node, path string)
	// validate states the kind's own rules, beyond the shared ones of
	// Check.validate; the same rules serve suites decoded and built in code.
	validate func(c *Check) error

	// reads are the column classes the kind can evaluate; needs are the
	// shared accumulators it reads when it can.
	reads classes
	needs accSet
	// quantiles are the fractions whose order statistics the kind reads
	// (with needs accValues).
	quantiles func(c *Check) []float64
	// bind completes the plan for one check when needs is not all: it
	// compiles a row-wise check, or asks for what depends on the check's
	// parameters. Optional.
	bind func(cp *colPlan, c *Check) error

	// finish turns the merged accumulators into the check's result; it
	// reports whether the check passed.
	finish func(e *eval, c *Check, r *result.Check) bool
	// define returns the check's definition as aggregates over mergeable
	// state, the form a SQL engine computes.
	define func(c *Check, q *SQLDialect) Definition

	// key is the table kind's key in a suite file when it is not the
	// kind's name (unique for unique_key); the kind's name is accepted too.
	key string
	// list: the table key holds a list, one check per item (references).
	list bool
	// newRows, for table kinds that read rows (see rows.go), makes a
	// worker's accumulator of the rows of the check's Columns (every
	// column when allColumns and Columns is empty).
	newRows    func() rowsAcc
	allColumns bool
	// prepare reads what the check needs from another dataset before the
	// pass.
	prepare func(ctx context.Context, rp *rowsPlan, open OpenFunc) error
}

// accSet is a set of the shared accumulators a column's checks read. Each
// is computed once per column and pass, whatever the number of checks
// reading it.
type accSet uint16

const (
	accMoments accSet = 1 << iota // count, compensated sum and squared deviations of the values
	accMinMax                     // smallest and largest value
	accValues                     // the values, for exact order statistics
	accFreq                       // the frequency table: each distinct value with its count and first row
	accDupRows                    // with accFreq: the later rows of repeated values
	accClasses                    // with accFreq: every class, for distributions
	accLengths                    // the shortest and longest string, in characters
)

// classes is a set of column classes a kind can read.
type classes struct {
	set  uint16
	what string // for the error: "a numeric column"
}

func classSet(what string, cs ...class) classes {
	var s uint16
	for _, c := range cs {
		s |= 1 << c
	}
	return classes{set: s, what: what}
}

func (cs classes) has(c class) bool { return cs.set == 0 || cs.set&(1<<c) != 0 }

// The sets of classes kinds read. A column of the null type has no values:
// row-wise checks pass vacuously and statistics are undefined, so every
// kind that reads values accepts it.
var (
	anyClass       = classes{}
	numericClasses = classSet("a numeric column", classInt, classFloat, classNull)
	// Statistics read booleans as 0 and 1 (the mean is the share of true).
	statClasses   = classSet("a numeric or boolean column", classInt, classFloat, classNull, classBool)
	stringClasses = classSet("a string column", classString, classNull)
	valueClasses  = classSet("a numeric, string, boolean or temporal column", classInt, classFloat, classString, classBool, classTemporal, classNull)
	setClasses    = classSet("a numeric, string or boolean column", classInt, classFloat, classString, classBool, classNull)
)

// eval is what a kind's finish reads: the merged accumulators of its
// column (nil for table checks) and the table's shape.
type eval struct {
	p     *plan
	rule  *ruleState // a rule's merged counts
	rows  int64      // rows in the data
	names []string   // the table's columns
	cp    *colPlan
	cs    *colState
	st    *colStats
	// rp and acc are a table check's rows plan and merged accumulator,
	// for the kinds that read rows.
	rp  *rowsPlan
	acc rowsAcc
}

// rowState returns the accumulator of row-wise check c.
func (e *eval) rowState(c *Check) *rowState {
	k := slices.IndexFunc(e.cp.rowCheck, func(rc *rowCheck) bool { return rc.check == c })
	if k < 0 {
		return nil
	}
	return &e.cs.row[k]
}

// registry holds every kind by name; aliases maps accepted old spellings
// to their kind.
var (
	registry = map[Kind]*kindDef{}
	aliases  = map[string]Kind{}
)

// register declares a kind; it panics on a kind declared twice or
// declared without what every kind must provide.
func register(d kindDef) {
	if _, dup := registry[d.kind]; dup {
		panic("expect: kind " + string(d.kind) + " registered twice")
	}
	if d.decode == nil || d.finish == nil || d.define == nil || d.example == "" {
		panic("expect: kind " + string(d.kind) + " lacks decode, finish, define or example")
	}
	registry[d.kind] = &d
}

// alias accepts old as another spelling of k in suite files.
func alias(old string, k Kind) { aliases[old] = k }

// lookup returns the kind a suite key names, through aliases.
func lookup(key string) *kindDef {
	if k, ok := aliases[key]; ok {
		key = string(k)
	}
	return registry[Kind(key)]
}

// Kinds lists every expectation kind, sorted by name.
func Kinds() []Kind {
	out := make([]Kind, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Known reports whether k is a registered kind.
func (k Kind) Known() bool { return registry[k] != nil }

// RowWise reports whether checks of kind k judge each non-null value:
// they count unexpected values, keep a sample of them and accept Mostly.
func (k Kind) RowWise() bool { d := registry[k]; return d != nil && d.rowWise }

// Table reports whether k is a table-level kind (Check.Column is "").
func (k Kind) Table() bool { d := registry[k]; return d != nil && d.table }

// Example returns a YAML value of k's key in a suite, as the
// documentation shows it ("{min: 0, max: 120}"); "" for an unknown kind.
func (k Kind) Example() string {
	if d := registry[k]; d != nil {
		return d.example
	}
	return ""
}

// columnKeys are the keys of a column's mapping: every column kind, its
// aliases, and severity.
func columnKeys() []string {
	var out []string
	for _, k := range Kinds() {
		if !registry[k].table {
			out = append(out, string(k))
		}
	}
	for a, k := range aliases {
		if !registry[k].table {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return append(out, "severity", "where")
}

// bind plans check c on the column: the kind must read the column's class,
// and the column gets the accumulators the kind needs.
func (cp *colPlan) bind(c *Check) error {
	def := registry[c.Kind]
	switch {
	case def == nil:
		return fmt.Errorf("unknown check kind %q", c.Kind)
	case def.table:
		return fmt.Errorf("%s is a table check, not a column check", c.Kind)
	case !def.reads.has(cp.class) && cp.hint != "":
		// The reader left a note on why a text column was not read as
		// numbers: where the first value that is not one is, and the fix.
		return fmt.Errorf("column %q is %s; %s needs %s: %s", cp.name, cp.dt, c.Kind, def.reads.what, cp.hint)
	case !def.reads.has(cp.class):
		return fmt.Errorf("column %q is %s; %s needs %s", cp.name, cp.dt, c.Kind, def.reads.what)
	}
	cp.need(def.needs)
	if def.quantiles != nil {
		cp.quantiles = append(cp.quantiles, def.quantiles(c)...)
	}
	if def.bind != nil {
		return def.bind(cp, c)
	}
	return nil
}

// need turns on the accumulators of a.
func (cp *colPlan) need(a accSet) {
	cp.moments = cp.moments || a&accMoments != 0
	cp.minmax = cp.minmax || a&accMinMax != 0
	cp.values = cp.values || a&accValues != 0
	cp.freq = cp.freq || a&(accFreq|accDupRows|accClasses) != 0
	cp.dupRows = cp.dupRows || a&accDupRows != 0
	cp.classes = cp.classes || a&accClasses != 0
	cp.lengths = cp.lengths || a&accLengths != 0
}

// result starts the result of check c.
func newResult(c *Check) result.Check {
	return result.Check{Section: result.Expectations, Name: c.Name(), Kind: string(c.Kind), Column: c.Column, Severity: c.severity()}
}
