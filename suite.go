package trustml

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/checklist"
	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/drift"
	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/fairness"
	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/slice"
	"github.com/trustml/trustml/sqlsource"
)

// DefaultSeed seeds the behavioural tests and slices of a suite that sets
// no seed.
const DefaultSeed = 1

// Suite is a parsed suite file.
type Suite struct {
	// Path is the file the suite was read from (as given to Load or Parse).
	Path string
	// SHA256 is the hex SHA-256 of the suite file's bytes.
	SHA256 string
	// Name is the suite's optional name.
	Name string

	Data         DataSpec
	Expectations *expect.Suite
	Model        *model.Spec // nil when the suite has no model section
	Checklist    []checklist.Test
	Slices       *slice.Spec // nil when the suite has no slices section
	Drift        *drift.Spec // nil when the suite has no drift section
	Report       ReportSpec
	// History is the suite's history section: nil when it has none.
	History *history.Spec
	// Fairness is the suite's fairness section: nil when it has none.
	Fairness *fairness.Spec

	// Seed seeds every random choice of the behavioural tests and slices
	// that do not set their own (the model split has its own seed).
	Seed uint64

	checklistLine, checklistCol int
	slicesLine, slicesCol       int
	driftLine, driftCol         int
}

// DataSpec says where the data is and how to read it.
type DataSpec struct {
	// Path is the data: a file, a glob or a directory (read as one table,
	// see dataset's "Many files as one table"), relative to the suite
	// file's directory unless absolute (Load and Parse resolve it).
	Path string
	// Options are passed to dataset.OpenSource; Columns is set by Run.
	Options dataset.Options
	// Line and Col locate `data.path` in the suite file.
	Line, Col int

	// Reference is the data the drift section compares with: a profile
	// JSON written by `trustml profile` when it ends in .json, else any
	// data file, read with Options (but its own format, from its
	// extension). Relative to the suite file unless absolute; "" when the
	// suite has none.
	Reference string
	// RefLine and RefCol locate `data.reference`.
	RefLine, RefCol int

	// SQL, when set instead of Path, is a table held by a SQL engine
	// (`data: {sql: {engine, dsn, table | query, key, timeout}}`): the
	// expectations are pushed down to it (see package sqlsource).
	SQL *sqlsource.Spec
}

// ReportSpec names the output files a run writes, relative to the suite
// file's directory unless absolute; "" means none.
type ReportSpec struct {
	JSON, JUnit, HTML string
	// FailedRows is the failed-rows file (.parquet or .csv): every row
	// that failed a row-wise check, a rule or a key check (see
	// expect.FailedRowsWriter).
	FailedRows string
}

var (
	topKeys    = []string{"version", "name", "seed", "data", "expectations", "model", "checklist", "slices", "drift", "report", "history", "fairness"}
	dataKeys   = []string{"path", "sql", "reference", "format", "types", "null_values", "header", "names", "delimiter", "schema", "fingerprint"}
	reportKeys = []string{"json", "junit", "html", "failed_rows"}
)

// MaxSuiteSize is the largest suite file Load reads, in bytes (4 MiB): a
// suite is a page of YAML, and a path such as /dev/zero must not be read
// until memory runs out.
const MaxSuiteSize = 4 << 20

// Load reads and parses the suite file at path. It reads at most
// MaxSuiteSize bytes, from a regular file or a pipe; a larger file is an
// error that names the cap.
func Load(path string) (*Suite, error) {
	src, err := readSuite(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("suite %s: no such file", path)
		}
		return nil, fmt.Errorf("suite %s: %w", path, err)
	}
	return Parse(path, src)
}

// readSuite reads the file at path through a reader bounded at one byte
// more than MaxSuiteSize, so that a device or a pipe that never ends is
// read no further than the cap.
func readSuite(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.New("is a directory, not a suite file")
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxSuiteSize+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxSuiteSize {
		return nil, fmt.Errorf("larger than the %d MiB a suite file may be", MaxSuiteSize>>20)
	}
	return src, nil
}

// Parse parses a suite from src; name is the file name used in error
// messages and to resolve relative paths. Every problem in the file is
// reported at once, as a *SuiteError whose lines read
// "name:line:col: key.path: message".
func Parse(name string, src []byte) (*Suite, error) {
	sum := sha256.Sum256(src)
	s := &Suite{Path: name, SHA256: hex.EncodeToString(sum[:]), Expectations: &expect.Suite{}, Seed: DefaultSeed}
	root, err := yamlx.Parse(name, src)
	if err != nil {
		return nil, err
	}
	d := &yamlx.Decoder{File: name, Src: src}
	if root == nil {
		d.Errorf(nil, "", "empty suite: it needs at least data: {path: ...} and expectations")
		return nil, d.Err()
	}
	fields, ok := d.Mapping(root, "", topKeys)
	if !ok {
		return nil, d.Err()
	}
	var hasData, slicesSeeded, fairnessSeeded bool
	env := section.Env{Dir: filepath.Dir(name), Task: modelTask(root)}
	for _, f := range fields {
		switch f.Key {
		case "version":
			if v, ok := d.Int(f.Value, f.Path); ok && v != 1 {
				d.Errorf(f.Value, f.Path, "unsupported suite version %d; this trustml reads version 1", v)
			}
		case "name":
			s.Name, _ = d.Text(f.Value, f.Path)
		case "seed":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s.Seed = uint64(v)
			}
		case "checklist":
			s.Checklist, _ = section.Decode("checklist", d, f.KeyN, f.Value, f.Path, env).([]checklist.Test)
			s.checklistLine, s.checklistCol = f.KeyN.Line, f.KeyN.Column
		case "slices":
			s.Slices, _ = section.Decode("slices", d, f.KeyN, f.Value, f.Path, env).(*slice.Spec)
			s.slicesLine, s.slicesCol = f.KeyN.Line, f.KeyN.Column
			slicesSeeded = hasMapKey(f.Value, "seed")
		case "data":
			hasData = true
			s.decodeData(d, f.Value, f.Path)
		case "expectations":
			s.Expectations = expect.DecodeWith(d, f.Value, f.Path, expect.DecodeOptions{Dataset: decodeOther})
		case "drift":
			s.Drift, _ = section.Decode("drift", d, f.KeyN, f.Value, f.Path, env).(*drift.Spec)
			s.driftLine, s.driftCol = f.KeyN.Line, f.KeyN.Column
		case "model":
			s.Model, _ = section.Decode("model", d, f.KeyN, f.Value, f.Path, env).(*model.Spec)
		case "history":
			s.History = history.Decode(d, f.KeyN, f.Value, f.Path)
		case "fairness":
			s.Fairness, _ = section.Decode("fairness", d, f.KeyN, f.Value, f.Path, env).(*fairness.Spec)
			fairnessSeeded = hasMapKey(f.Value, "seed")
		case "report":
			rf, ok := d.Mapping(f.Value, f.Path, reportKeys)
			if !ok {
				continue
			}
			for _, g := range rf {
				v, _ := d.String(g.Value, g.Path)
				switch g.Key {
				case "json":
					s.Report.JSON = v
				case "junit":
					s.Report.JUnit = v
				case "html":
					s.Report.HTML = v
				case "failed_rows":
					if _, err := FailedRowsFormat(v); err != nil {
						d.Errorf(g.Value, g.Path, "%v", err)
					}
					s.Report.FailedRows = v
				}
			}
		}
	}
	if !hasData {
		d.Errorf(root, "data", "missing: every suite needs data: {path: FILE}")
	}
	if s.Slices != nil {
		if !slicesSeeded {
			s.Slices.Seed = s.Seed
		}
		if s.Model == nil {
			d.Errorf(&yaml.Node{Line: s.slicesLine, Column: s.slicesCol}, "slices", "slices measure a model's predictions: add a model section")
		} else if sr := s.Slices.Search; sr != nil && len(sr.Features) == 0 && len(s.Slices.By) == 0 {
			// Search the model's features when nothing else is named.
			for _, f := range s.Model.Features {
				sr.Features = append(sr.Features, slice.Dim{Column: f})
			}
		}
	}
	if s.Fairness != nil && !fairnessSeeded {
		s.Fairness.Seed = s.Seed
	}
	s.validateFairness(d)
	switch {
	case s.Drift != nil && s.Data.Reference == "" && hasData:
		d.Errorf(&yaml.Node{Line: s.driftLine, Column: s.driftCol}, "drift", "drift compares the data with a reference: add data.reference: FILE (a data file, or a profile JSON written by `trustml profile`)")
	case s.Drift == nil && s.Data.Reference != "":
		d.Errorf(&yaml.Node{Line: s.Data.RefLine, Column: s.Data.RefCol}, "data.reference", "nothing compares with the reference: add a drift section")
	}
	s.wireModelDrift(d)
	if s.checklistLine > 0 {
		switch {
		case s.Model == nil:
			d.Errorf(&yaml.Node{Line: s.checklistLine, Column: s.checklistCol}, "checklist", "behavioural tests need a model: add a model section (train, endpoint or command)")
		case s.Model.Source.Kind == model.FromPredictions:
			d.Errorf(&yaml.Node{Line: s.checklistLine, Column: s.checklistCol}, "checklist", "behavioural tests call the model on new rows; a predictions column cannot predict them (use train, endpoint or command)")
		}
	}
	if s.Len() == 0 && s.Model == nil && len(d.Problems()) == 0 {
		d.Errorf(root, "expectations", "the suite has no checks: add expectations (see the README for every kind)")
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	dir := filepath.Dir(name)
	s.Data.Path = resolve(dir, s.Data.Path)
	s.Data.Reference = resolve(dir, s.Data.Reference)
	for i := range s.Expectations.Table {
		if o := s.Expectations.Table[i].Other; o != nil {
			o.Path = resolve(dir, o.Path)
		}
	}
	s.Report.JSON = resolve(dir, s.Report.JSON)
	s.Report.JUnit = resolve(dir, s.Report.JUnit)
	s.Report.HTML = resolve(dir, s.Report.HTML)
	s.Report.FailedRows = resolve(dir, s.Report.FailedRows)
	if s.History != nil && s.History.DSN == "" {
		s.History.Path = resolve(dir, cmp.Or(s.History.Path, history.DefaultPath))
	}
	return s, nil
}

// Len returns the number of checks the suite declares.
func (s *Suite) Len() int {
	n := s.Expectations.Len()
	if s.Model != nil {
		n += len(s.Model.Objectives)
		if s.Model.Balance != nil {
			n++
		}
		if s.Model.CompareTo != nil {
			n += len(s.Model.CompareTo.MaxWorse)
		}
	}
	n += len(s.Checklist)
	n += s.Drift.Len()
	if s.History != nil {
		n += len(s.History.Checks)
		if s.History.Schema != nil {
			n++
		}
	}
	if s.Slices != nil {
		n += len(s.Slices.By)
		if s.Slices.Search != nil {
			n++
		}
	}
	if s.Fairness != nil {
		n += 1 + len(s.Fairness.Bounds)
	}
	return n
}

func hasMapKey(n *yaml.Node, key string) bool {
	n = yamlx.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// columns lists every data column the suite reads, each once, in the
// order the sections name them.
func (s *Suite) columns() []string {
	if s.Expectations.ReadsEveryColumn() {
		return nil // every column
	}
	cols := s.Expectations.Names()
	cols = append(cols, s.modelColumns()...)
	cols = append(cols, s.Drift.Names()...)
	return distinct(cols)
}

// modelColumns lists the columns kept in memory for the model, the
// behavioural tests and the slices.
func (s *Suite) modelColumns() []string {
	if s.Model == nil {
		return nil
	}
	cols := s.Model.Columns()
	if s.Slices != nil {
		for _, sl := range s.Slices.By {
			for _, d := range sl {
				cols = append(cols, d.Column)
			}
		}
		if s.Slices.Search != nil {
			for _, d := range s.Slices.Search.Features {
				cols = append(cols, d.Column)
			}
		}
	}
	if s.Fairness != nil && s.Fairness.Feature != "" {
		cols = append(cols, s.Fairness.Feature)
	}
	return distinct(cols)
}

func resolve(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func (s *Suite) decodeData(d *yamlx.Decoder, n *yaml.Node, path string) {
	s.Data.decode(d, n, path, dataKeys)
}

// decodeOther reads another dataset an expectation compares with (a
// reference's, row_count_ratio's): a path, or a mapping of path and the
// data section's reading options (all but reference). Missing options
// take their defaults, not the data section's: another file has its own
// shape. It returns a *DataSpec, which Run's opener reads.
func decodeOther(d *yamlx.Decoder, n *yaml.Node, path string) any {
	ds := &DataSpec{}
	ds.decode(d, n, path, slices.DeleteFunc(slices.Clone(dataKeys), func(k string) bool { return k == "reference" || k == "sql" }))
	return ds
}

// decode reads a data mapping with the keys known into ds.
func (ds *DataSpec) decode(d *yamlx.Decoder, n *yaml.Node, path string, known []string) {
	fields, ok := d.Mapping(n, path, known)
	if !ok {
		return
	}
	o := &ds.Options
	hasPath := false
	for _, f := range fields {
		switch f.Key {
		case "path":
			if v, ok := d.String(f.Value, f.Path); ok {
				if v == "" {
					d.Errorf(f.Value, f.Path, "must not be empty")
				}
				ds.Path, hasPath = v, true
				ds.Line, ds.Col = f.Value.Line, f.Value.Column
			}
		case "sql":
			ds.SQL = sqlsource.Decode(d, f.Value, f.Path)
		case "reference":
			if v, ok := d.String(f.Value, f.Path); ok {
				if v == "" {
					d.Errorf(f.Value, f.Path, "must not be empty")
				}
				ds.Reference = v
				ds.RefLine, ds.RefCol = f.Value.Line, f.Value.Column
			}
		case "format":
			if v, ok := d.String(f.Value, f.Path); ok {
				ff, err := dataset.ParseFormat(v)
				if err != nil {
					d.Errorf(f.Value, f.Path, "%s", strings.TrimPrefix(err.Error(), "dataset: "))
				}
				o.Format = ff
			}
		case "types":
			tf, ok := d.Mapping(f.Value, f.Path, nil)
			if !ok {
				continue
			}
			o.Types = map[string]arrow.DataType{}
			for _, g := range tf {
				v, ok := d.String(g.Value, g.Path)
				if !ok {
					continue
				}
				dt, err := ParseType(v)
				if err != nil {
					d.Errorf(g.Value, g.Path, "%v", err)
					continue
				}
				o.Types[g.Key] = dt
			}
		case "null_values":
			vals, ok := d.Texts(f.Value, f.Path)
			if ok {
				o.NullValues = append([]string{}, vals...)
			}
		case "header":
			if v, ok := d.Bool(f.Value, f.Path); ok {
				o.Header = dataset.HeaderAbsent
				if v {
					o.Header = dataset.HeaderPresent
				}
			}
		case "names":
			o.Names, _ = d.Texts(f.Value, f.Path)
		case "schema":
			if v, ok := d.String(f.Value, f.Path); ok {
				m, err := dataset.ParseSchemaMode(v)
				if err != nil {
					d.Errorf(f.Value, f.Path, "%v", err)
				}
				o.Schema = m
			}
		case "fingerprint":
			if v, ok := d.String(f.Value, f.Path); ok {
				a, err := dataset.ParseHashAlgorithm(v)
				if err != nil || v == "" {
					d.Errorf(f.Value, f.Path, "must be one of %s, got %q", strings.Join(dataset.HashAlgorithms(), ", "), v)
				}
				o.Fingerprint = a
			}
		case "delimiter":
			if v, ok := d.String(f.Value, f.Path); ok {
				r := []rune(v)
				if len(r) != 1 || r[0] == '"' || r[0] == '\n' || r[0] == '\r' {
					d.Errorf(f.Value, f.Path, "must be one character other than a quote or a newline, got %q", v)
				} else {
					o.Delimiter = r[0]
				}
			}
		}
	}
	switch {
	case hasPath && ds.SQL != nil:
		d.Errorf(n, path, "names both path and sql; keep one")
	case !hasPath && ds.SQL == nil && hasMapKey(n, "sql"):
	case !hasPath && ds.SQL == nil:
		d.Errorf(n, yamlx.Join(path, "path"), "missing: the data file to check (or sql: {engine, dsn, table})")
	}
}

// ParseType returns the Arrow type a suite's `data.types` names, from the
// one table of type names the type check reads too (see expect.ReadType):
// bool (boolean), int8…int64, integer (int64), uint8…uint64, float32,
// float64 (float), string (utf8), large_utf8, date32, timestamp
// (microseconds, UTC).
func ParseType(name string) (arrow.DataType, error) { return expect.ReadType(name) }

// distinct returns names without repeats, in first-appearance order.
func distinct(names []string) []string {
	seen := map[string]bool{}
	out := names[:0:0]
	for _, c := range names {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
