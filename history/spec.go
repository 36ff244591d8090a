package history

import (
	"fmt"
	"math"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// DefaultPath is where a suite's history is kept when its history section
// names neither a path nor a dsn: relative to the suite file's directory.
const DefaultPath = ".trustml/history.db"

// Spec is a suite's history section.
type Spec struct {
	// Path is the SQLite file (relative to the suite file until the suite
	// loader resolves it); DSN a PostgreSQL URL, in which ${NAME} is
	// replaced by the environment variable when the store is opened (so it
	// never appears in a result). At most one is set; neither means
	// DefaultPath.
	Path string
	DSN  string
	// Schema, when set, reports columns added, removed or retyped since
	// the last run, with this severity.
	Schema *SchemaSpec
	// Checks bound observed numbers against history, in suite order.
	Checks []Check
	// Line and Col locate the section's key in the suite file.
	Line, Col int
}

// SchemaSpec is `schema: {changes: error | warn}`.
type SchemaSpec struct {
	Severity result.Severity
}

// Check bounds one observed number (Key) against the runs before: by
// Change or as an Anomaly (exactly one is set).
type Check struct {
	Key
	Change   *Change
	Anomaly  *Anomaly
	Severity result.Severity
	// Line and Col locate the check in the suite file.
	Line, Col int
}

// Name is the check's result name: "history.", the check it watches, the
// field when not "value", and ".change" or ".anomaly".
func (c *Check) Name() string {
	n := "history." + c.Key.Name
	if c.Field != "value" {
		n += "." + c.Field
	}
	if c.Change != nil {
		return n + ".change"
	}
	return n + ".anomaly"
}

// Change bounds the change from a baseline: the last run (MedianOf 0) or
// the median of the last MedianOf runs. MaxRelative bounds |x − b| / |b|;
// MaxAbsolute bounds |x − b|; at least one is set, and both must hold.
type Change struct {
	MaxRelative, MaxAbsolute *float64
	MedianOf                 int
}

// Runs is the number of past runs the change needs.
func (c *Change) Runs() int { return max(c.MedianOf, 1) }

// Anomaly scores a value against the last Window runs with Method and
// fails when |z| > MaxZ.
type Anomaly struct {
	Method Method
	Window int
	MaxZ   float64
	Params Params
	// MinRuns is how many past runs are needed before the check judges.
	MinRuns int
}

// Anomaly defaults.
const (
	DefaultWindow = 30
	DefaultMaxZ   = 4
)

var (
	specKeys    = []string{"path", "dsn", "schema", "checks"}
	checkKeys   = []string{"check", "value", "change", "anomaly", "severity"}
	changeKeys  = []string{"max_relative", "max_absolute", "against"}
	anomalyKeys = []string{"method", "window", "max_z", "season", "min_runs", "alpha", "beta", "gamma"}
)

// Decode reads a suite's history section at path, recording every problem
// in d.
func Decode(d *yamlx.Decoder, key, n *yaml.Node, path string) *Spec {
	s := &Spec{Line: key.Line, Col: key.Column}
	if yamlx.IsNull(n) {
		return s // `history:` alone: record runs in the default store
	}
	fields, ok := d.Mapping(n, path, specKeys)
	if !ok {
		return s
	}
	for _, f := range fields {
		switch f.Key {
		case "path", "dsn":
			v, ok := d.String(f.Value, f.Path)
			if !ok {
				continue
			}
			if v == "" {
				d.Errorf(f.Value, f.Path, "must not be empty")
			}
			if f.Key == "path" {
				s.Path = v
			} else {
				s.DSN = v
			}
		case "schema":
			sf, ok := d.Mapping(f.Value, f.Path, []string{"changes"})
			if !ok {
				continue
			}
			for _, g := range sf {
				if v, ok := d.Severity(g.Value, g.Path); ok {
					s.Schema = &SchemaSpec{Severity: result.Severity(v)}
				}
			}
			if s.Schema == nil && len(sf) == 0 {
				d.Errorf(f.Value, f.Path, "missing changes: error or warn")
			}
		case "checks":
			items, ok := d.Sequence(f.Value, f.Path)
			if !ok {
				continue
			}
			for i, it := range items {
				if c, ok := decodeCheck(d, it, fmt.Sprintf("%s[%d]", f.Path, i)); ok {
					s.Checks = append(s.Checks, c)
				}
			}
		}
	}
	if s.Path != "" && s.DSN != "" {
		d.Errorf(n, path, "path and dsn name two stores: keep one")
	}
	return s
}

func decodeCheck(d *yamlx.Decoder, n *yaml.Node, path string) (Check, bool) {
	c := Check{Key: Key{Field: "value"}, Severity: result.SeverityError, Line: n.Line, Col: n.Column}
	fields, ok := d.Mapping(n, path, checkKeys)
	if !ok {
		return c, false
	}
	before := len(d.Problems())
	for _, f := range fields {
		switch f.Key {
		case "check":
			c.Key.Name, _ = d.String(f.Value, f.Path)
		case "value":
			c.Field, _ = d.String(f.Value, f.Path)
		case "severity":
			if v, ok := d.Severity(f.Value, f.Path); ok {
				c.Severity = result.Severity(v)
			}
		case "change":
			c.Change = decodeChange(d, f.Value, f.Path)
		case "anomaly":
			c.Anomaly = decodeAnomaly(d, f.Value, f.Path)
		}
	}
	if c.Key.Name == "" {
		d.Errorf(n, yamlx.Join(path, "check"), "missing: the name of the check whose observed number is watched, e.g. table.row_count")
	}
	switch {
	case c.Change == nil && c.Anomaly == nil:
		d.Errorf(n, path, "says nothing to check: add change: {max_relative: ...} or anomaly: {method: ...}")
	case c.Change != nil && c.Anomaly != nil:
		d.Errorf(n, path, "has both change and anomaly: make them two checks")
	}
	return c, len(d.Problems()) == before
}

func decodeChange(d *yamlx.Decoder, n *yaml.Node, path string) *Change {
	c := &Change{}
	fields, ok := d.Mapping(n, path, changeKeys)
	if !ok {
		return c
	}
	for _, f := range fields {
		switch f.Key {
		case "max_relative", "max_absolute":
			v, ok := d.Float(f.Value, f.Path)
			if !ok {
				continue
			}
			if v < 0 || math.IsNaN(v) {
				d.Errorf(f.Value, f.Path, "must be ≥ 0, got %v", v)
			}
			if f.Key == "max_relative" {
				c.MaxRelative = &v
			} else {
				c.MaxAbsolute = &v
			}
		case "against":
			if f.Value.Kind == yaml.ScalarNode {
				if f.Value.Value != "last" {
					d.Errorf(f.Value, f.Path, "must be last or {median_of: N}, got %s", yamlx.Describe(f.Value))
				}
				continue
			}
			af, ok := d.Mapping(f.Value, f.Path, []string{"median_of"})
			if !ok {
				continue
			}
			for _, g := range af {
				if v, ok := d.Count(g.Value, g.Path); ok {
					if v < 1 {
						d.Errorf(g.Value, g.Path, "must be ≥ 1, got %d", v)
					}
					c.MedianOf = int(v)
				}
			}
			if len(af) == 0 {
				d.Errorf(f.Value, f.Path, "must be last or {median_of: N}")
			}
		}
	}
	if c.MaxRelative == nil && c.MaxAbsolute == nil {
		d.Errorf(n, path, "missing max_relative or max_absolute")
	}
	return c
}

func decodeAnomaly(d *yamlx.Decoder, n *yaml.Node, path string) *Anomaly {
	a := &Anomaly{Window: DefaultWindow, MaxZ: DefaultMaxZ}
	fields, ok := d.Mapping(n, path, anomalyKeys)
	if !ok {
		return a
	}
	var hasMethod, hasSeason bool
	var params int
	for _, f := range fields {
		switch f.Key {
		case "method":
			if v, ok := d.Word(f.Value, f.Path, methodNames()...); ok {
				a.Method, _ = MethodNamed(v)
				hasMethod = true
			} else {
				hasMethod = true // reported
			}
		case "window", "season", "min_runs":
			v, ok := d.Count(f.Value, f.Path)
			if !ok {
				continue
			}
			if v < 1 {
				d.Errorf(f.Value, f.Path, "must be ≥ 1, got %d", v)
			}
			switch f.Key {
			case "window":
				a.Window = int(v)
			case "season":
				a.Params.Season, hasSeason = int(v), true
			case "min_runs":
				a.MinRuns = int(v)
			}
		case "max_z":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if !(v > 0) {
					d.Errorf(f.Value, f.Path, "must be > 0, got %v", v)
				}
				a.MaxZ = v
			}
		case "alpha", "beta", "gamma":
			v, ok := d.Float(f.Value, f.Path)
			if !ok {
				continue
			}
			if !(v > 0 && v < 1) {
				d.Errorf(f.Value, f.Path, "must be in (0, 1), got %v", v)
			}
			params++
			switch f.Key {
			case "alpha":
				a.Params.Alpha = v
			case "beta":
				a.Params.Beta = v
			case "gamma":
				a.Params.Gamma = v
			}
		}
	}
	if !hasMethod {
		d.Errorf(n, yamlx.Join(path, "method"), "missing: one of batch_normal, mad, holt_winters")
		return a
	}
	hw := a.Method.Name == "holt_winters"
	switch {
	case hw && !hasSeason:
		d.Errorf(n, yamlx.Join(path, "season"), "missing: holt_winters needs the season length in runs (7 for daily runs with a weekly pattern)")
	case !hw && hasSeason:
		d.Errorf(n, yamlx.Join(path, "season"), "only holt_winters has a season")
	case !hw && params > 0:
		d.Errorf(n, path, "alpha, beta and gamma are holt_winters' smoothing parameters")
	case hw && params > 0 && params < 3:
		d.Errorf(n, path, "set alpha, beta and gamma together, or none to fit them on the window")
	}
	if a.Method.Name != "" {
		need := a.Method.MinRuns(a.Params.Season)
		if a.MinRuns == 0 {
			a.MinRuns = need
		}
		a.MinRuns = max(a.MinRuns, need)
		if a.Window < a.MinRuns {
			d.Errorf(n, yamlx.Join(path, "window"), "%d runs are too few for %s: it needs at least %d", a.Window, describe(a), a.MinRuns)
		}
	}
	return a
}

func describe(a *Anomaly) string {
	if a.Method.Name == "holt_winters" {
		return fmt.Sprintf("holt_winters with season %d", a.Params.Season)
	}
	return a.Method.Name
}
