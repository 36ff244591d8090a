package trustml

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

// ModelSpec is a suite's `model` section: which model, on which rows, and
// the objectives it must meet.
type ModelSpec struct {
	Target   string
	Features []string

	// Exactly one source: Train (fit a model here), Predictions (a column
	// of the data), Endpoint (an HTTP model server) or Command (a
	// subprocess reading JSON Lines).
	Train       *model.FitOptions
	Predictions string
	Endpoint    *model.Endpoint
	Command     []string
	// CommandTimeout is the Command's model.Command.Timeout (zero: the
	// default).
	CommandTimeout time.Duration

	// Split chooses the rows a fitted model trains on and every model is
	// evaluated on. The zero value evaluates on every row.
	Split model.Split

	// Metrics are the objectives, in suite order.
	Metrics []MetricSpec

	// CompareTo, when set, is a second model (the champion) evaluated on
	// the same rows, which this one (the challenger) is compared with.
	CompareTo *CompareSpec

	Line, Col int // position of the `model` key
}

// CompareSpec is the model section's compare_to: a champion model and how
// much worse than it the challenger may be.
type CompareSpec struct {
	// Name labels the champion in results ("champion" when empty).
	Name string
	// Exactly one source, as for the model itself.
	Predictions string
	Endpoint    *model.Endpoint
	Command     []string
	// CommandTimeout is the Command's model.Command.Timeout (zero: the
	// default).
	CommandTimeout time.Duration
	// MaxWorse bounds, per metric, how much worse the challenger may be
	// than the champion (in the metric's units; for r2 a drop, for bias a
	// growth of |bias|). Each becomes a check model.compare.<metric>.
	MaxWorse []MetricSpec
	// NBoot is the number of paired bootstrap resamples behind each
	// interval on a difference (default 1000); Seed seeds them (default:
	// the suite's seed).
	NBoot int
	Seed  uint64
	// seeded reports whether the suite set Seed.
	seeded bool
}

func (c *CompareSpec) source() string {
	switch {
	case c.Predictions != "":
		return fmt.Sprintf("predictions column %q", c.Predictions)
	case c.Endpoint != nil:
		return "endpoint " + c.Endpoint.String()
	}
	return fmt.Sprintf("command %q", c.Command)
}

// MetricSpec is one objective: a metric (one of model.MetricNames) and its
// bounds.
type MetricSpec struct {
	Name      string
	Threshold model.Threshold
	Severity  result.Severity
}

var (
	modelKeys    = []string{"target", "features", "train", "split", "predictions", "endpoint", "command", "metrics", "compare_to", "severity"}
	compareKeys  = []string{"name", "predictions", "endpoint", "command", "max_worse", "n_boot", "seed"}
	trainKeys    = []string{"algorithm", "alpha", "standardize"}
	splitKeys    = []string{"method", "test_fraction", "seed", "by"}
	commandKeys  = []string{"argv", "timeout"}
	endpointKeys = []string{"url", "method", "headers", "batch_size", "concurrency", "timeout", "retries", "backoff", "response_path"}
)

// columns lists the data columns the model section reads.
func (m *ModelSpec) columns() []string {
	cols := append([]string{m.Target}, m.Features...)
	if m.Predictions != "" {
		cols = append(cols, m.Predictions)
	}
	if m.Split.By != "" {
		cols = append(cols, m.Split.By)
	}
	if m.CompareTo != nil && m.CompareTo.Predictions != "" {
		cols = append(cols, m.CompareTo.Predictions)
	}
	return cols
}

// source describes where predictions come from, for results.
func (m *ModelSpec) source() string {
	switch {
	case m.Train != nil:
		return "fitted " + m.Train.Algorithm
	case m.Predictions != "":
		return fmt.Sprintf("predictions column %q", m.Predictions)
	case m.Endpoint != nil:
		return "endpoint " + m.Endpoint.String()
	}
	return fmt.Sprintf("command %q", m.Command)
}

func decodeModel(d *yamlx.Decoder, key, n *yaml.Node, path, dir string) *ModelSpec {
	m := &ModelSpec{Line: key.Line, Col: key.Column}
	fields, ok := d.Mapping(n, path, modelKeys)
	if !ok {
		return m
	}
	sev := result.SeverityError
	for _, f := range fields {
		if f.Key == "severity" {
			if s, ok := decodeSeverity(d, f.Value, f.Path); ok {
				sev = s
			}
		}
	}
	var sources []string
	for _, f := range fields {
		switch f.Key {
		case "target":
			m.Target, _ = d.Text(f.Value, f.Path)
		case "features":
			m.Features, _ = d.Texts(f.Value, f.Path)
			if len(m.Features) == 0 && yamlx.Resolve(f.Value).Kind == yaml.SequenceNode {
				d.Errorf(f.Value, f.Path, "must list at least one column")
			}
		case "train":
			sources = append(sources, f.Key)
			m.Train = decodeTrain(d, f.Value, f.Path)
		case "split":
			m.Split = decodeSplit(d, f.Value, f.Path)
		case "predictions":
			sources = append(sources, f.Key)
			m.Predictions, _ = d.Text(f.Value, f.Path)
		case "endpoint":
			sources = append(sources, f.Key)
			m.Endpoint = decodeEndpoint(d, f.Value, f.Path)
		case "command":
			sources = append(sources, f.Key)
			m.Command, m.CommandTimeout = decodeCommand(d, f.Value, f.Path, dir)
		case "metrics":
			m.Metrics = decodeMetrics(d, f.Value, f.Path, sev)
		case "compare_to":
			m.CompareTo = decodeCompare(d, f.Value, f.Path, dir, sev)
		}
	}
	if m.Target == "" && !hasKey(fields, "target") {
		d.Errorf(n, yamlx.Join(path, "target"), "missing: the column the model predicts")
	}
	switch len(sources) {
	case 0:
		d.Errorf(n, path, "needs one model source: train, predictions, endpoint or command")
	case 1:
	default:
		d.Errorf(n, path, "has %d model sources (%s); give exactly one", len(sources), strings.Join(sources, ", "))
	}
	if len(sources) == 1 && sources[0] != "predictions" && len(m.Features) == 0 && !hasKey(fields, "features") {
		d.Errorf(n, yamlx.Join(path, "features"), "missing: the columns the model predicts from")
	}
	if slices.Contains(m.Features, m.Target) && m.Target != "" {
		d.Errorf(n, yamlx.Join(path, "features"), "lists the target %q among the features", m.Target)
	}
	if m.Train != nil {
		m.Train.Target, m.Train.Features = m.Target, m.Features
	}
	if m.Endpoint != nil {
		m.Endpoint.Features = m.Features
	}
	if c := m.CompareTo; c != nil && c.Endpoint != nil {
		c.Endpoint.Features = m.Features
	}
	return m
}

// decodeCommand reads a subprocess's argv, either as a list or as a
// mapping {argv: [program, args...], timeout: 30s}. A program given by a
// relative path with a slash is relative to the suite file, like every
// other path.
func decodeCommand(d *yamlx.Decoder, n *yaml.Node, path, dir string) (argv []string, timeout time.Duration) {
	argvNode, argvPath := n, path
	if yamlx.Resolve(n).Kind == yaml.MappingNode {
		fields, ok := d.Mapping(n, path, commandKeys)
		if !ok {
			return nil, 0
		}
		argvNode = nil
		for _, f := range fields {
			switch f.Key {
			case "argv":
				argvNode, argvPath = f.Value, f.Path
			case "timeout":
				if v, ok := d.String(f.Value, f.Path); ok {
					dur, err := time.ParseDuration(v)
					if err != nil || dur <= 0 {
						d.Errorf(f.Value, f.Path, "must be a positive duration such as 30s or 2m, got %q", v)
						continue
					}
					timeout = dur
				}
			}
		}
		if argvNode == nil {
			d.Errorf(n, yamlx.Join(path, "argv"), "missing: the program and its arguments, [program, args...]")
			return nil, timeout
		}
	}
	argv, ok := d.Texts(argvNode, argvPath)
	if !ok {
		return nil, timeout
	}
	if len(argv) == 0 {
		d.Errorf(argvNode, argvPath, "must name a program: [program, args...]")
		return nil, timeout
	}
	if strings.Contains(argv[0], "/") && !filepath.IsAbs(argv[0]) {
		argv[0] = filepath.Join(dir, argv[0])
	}
	return argv, timeout
}

func decodeCompare(d *yamlx.Decoder, n *yaml.Node, path, dir string, sev result.Severity) *CompareSpec {
	c := &CompareSpec{NBoot: 1000}
	fields, ok := d.Mapping(n, path, compareKeys)
	if !ok {
		return c
	}
	var sources []string
	for _, f := range fields {
		switch f.Key {
		case "name":
			c.Name, _ = d.Text(f.Value, f.Path)
		case "predictions":
			sources = append(sources, f.Key)
			c.Predictions, _ = d.Text(f.Value, f.Path)
		case "endpoint":
			sources = append(sources, f.Key)
			c.Endpoint = decodeEndpoint(d, f.Value, f.Path)
		case "command":
			sources = append(sources, f.Key)
			c.Command, c.CommandTimeout = decodeCommand(d, f.Value, f.Path, dir)
		case "max_worse":
			mf, ok := d.Mapping(f.Value, f.Path, nil)
			if !ok {
				continue
			}
			for _, g := range mf {
				if !knownMetric(d, g) {
					continue
				}
				if v, ok := d.Float(g.Value, g.Path); ok {
					if v < 0 {
						d.Errorf(g.Value, g.Path, "must be ≥ 0 (how much worse the challenger may be), got %s", result.FormatFloat(v))
					}
					c.MaxWorse = append(c.MaxWorse, MetricSpec{Name: g.Key, Threshold: model.Threshold{Max: &v}, Severity: sev})
				}
			}
		case "n_boot":
			if v, ok := d.Int(f.Value, f.Path); ok {
				if v < 100 || v > 100000 {
					d.Errorf(f.Value, f.Path, "must be between 100 and 100000, got %d", v)
				}
				c.NBoot = int(v)
			}
		case "seed":
			if v, ok := d.Count(f.Value, f.Path); ok {
				c.Seed, c.seeded = uint64(v), true
			}
		}
	}
	switch len(sources) {
	case 0:
		d.Errorf(n, path, "needs the champion's source: predictions, endpoint or command")
	case 1:
	default:
		d.Errorf(n, path, "has %d sources (%s); give exactly one", len(sources), strings.Join(sources, ", "))
	}
	return c
}

func hasKey(fields []yamlx.Field, key string) bool {
	return slices.ContainsFunc(fields, func(f yamlx.Field) bool { return f.Key == key })
}

func decodeSeverity(d *yamlx.Decoder, n *yaml.Node, path string) (result.Severity, bool) {
	s, ok := d.Severity(n, path)
	return result.Severity(s), ok
}

func decodeTrain(d *yamlx.Decoder, n *yaml.Node, path string) *model.FitOptions {
	o := &model.FitOptions{Algorithm: model.AlgorithmLinear}
	fields, ok := d.Mapping(n, path, trainKeys)
	if !ok {
		return o
	}
	hasAlpha, algOK := false, true
	for _, f := range fields {
		switch f.Key {
		case "algorithm":
			if s, ok := d.String(f.Value, f.Path); ok {
				switch s {
				case model.AlgorithmLinear, model.AlgorithmRidge:
					o.Algorithm = s
				default:
					algOK = false
					d.Errorf(f.Value, f.Path, "unknown algorithm %q; algorithms are linear (ordinary least squares) and ridge", s)
				}
			}
		case "alpha":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if v <= 0 {
					d.Errorf(f.Value, f.Path, "must be > 0, got %s", result.FormatFloat(v))
				}
				o.Alpha, hasAlpha = v, true
			}
		case "standardize":
			o.Standardize, _ = d.Bool(f.Value, f.Path)
		}
	}
	switch {
	case !algOK:
	case o.Algorithm == model.AlgorithmRidge && !hasAlpha:
		d.Errorf(n, yamlx.Join(path, "alpha"), "missing: ridge needs a penalty alpha > 0")
	case o.Algorithm == model.AlgorithmLinear && hasAlpha:
		d.Errorf(n, yamlx.Join(path, "alpha"), "applies to ridge only; set algorithm: ridge or remove alpha")
	}
	return o
}

func decodeSplit(d *yamlx.Decoder, n *yaml.Node, path string) model.Split {
	var s model.Split
	fields, ok := d.Mapping(n, path, splitKeys)
	if !ok {
		return s
	}
	hasFraction := false
	for _, f := range fields {
		switch f.Key {
		case "method":
			if v, ok := d.String(f.Value, f.Path); ok {
				switch v {
				case model.SplitRandom, model.SplitTime, model.SplitNone:
					s.Method = v
				default:
					d.Errorf(f.Value, f.Path, "unknown split method %q; methods are random, time and none", v)
				}
			}
		case "test_fraction":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if v <= 0 || v >= 1 {
					d.Errorf(f.Value, f.Path, "must be between 0 and 1 (exclusive), got %s", result.FormatFloat(v))
				}
				s.TestFraction, hasFraction = v, true
			}
		case "seed":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s.Seed = uint64(v)
			}
		case "by":
			s.By, _ = d.Text(f.Value, f.Path)
		}
	}
	if s.Method == "" {
		switch {
		case s.By != "":
			s.Method = model.SplitTime
		case hasFraction:
			s.Method = model.SplitRandom
		default:
			s.Method = model.SplitNone
		}
	}
	switch s.Method {
	case model.SplitRandom, model.SplitTime:
		if !hasFraction {
			d.Errorf(n, yamlx.Join(path, "test_fraction"), "missing: a %s split needs the fraction of rows held out, e.g. 0.2", s.Method)
		}
		if s.Method == model.SplitTime && s.By == "" {
			d.Errorf(n, yamlx.Join(path, "by"), "missing: a time split needs the time column")
		}
		if s.Method == model.SplitRandom && s.By != "" {
			d.Errorf(n, yamlx.Join(path, "by"), "applies to time splits; set method: time or remove by")
		}
	case model.SplitNone:
		if hasFraction || s.By != "" {
			d.Errorf(n, path, "method none evaluates on every row; remove test_fraction and by")
		}
	}
	return s
}

func decodeEndpoint(d *yamlx.Decoder, n *yaml.Node, path string) *model.Endpoint {
	e := &model.Endpoint{}
	fields, ok := d.Mapping(n, path, endpointKeys)
	if !ok {
		return e
	}
	for _, f := range fields {
		switch f.Key {
		case "url":
			if v, ok := d.String(f.Value, f.Path); ok {
				if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
					d.Errorf(f.Value, f.Path, "must be an http:// or https:// URL, got %q", v)
				}
				e.URL = v
			}
		case "method":
			if v, ok := d.String(f.Value, f.Path); ok {
				e.Method = strings.ToUpper(v)
			}
		case "headers":
			hf, ok := d.Mapping(f.Value, f.Path, nil)
			if !ok {
				continue
			}
			e.Headers = map[string]string{}
			for _, g := range hf {
				if v, ok := d.String(g.Value, g.Path); ok {
					e.Headers[g.Key] = v
				}
			}
		case "batch_size", "concurrency", "retries":
			v, ok := d.Int(f.Value, f.Path)
			if !ok {
				continue
			}
			if v < 1 && f.Key != "retries" || v < 0 {
				d.Errorf(f.Value, f.Path, "must be ≥ %d, got %d", map[bool]int{true: 0, false: 1}[f.Key == "retries"], v)
				continue
			}
			switch f.Key {
			case "batch_size":
				e.BatchSize = int(v)
			case "concurrency":
				e.Concurrency = int(v)
			case "retries":
				e.Retries = int(v)
				if v == 0 {
					e.Retries = -1 // model.Endpoint: negative disables retries
				}
			}
		case "timeout", "backoff":
			if v, ok := d.String(f.Value, f.Path); ok {
				dur, err := time.ParseDuration(v)
				if err != nil || dur <= 0 {
					d.Errorf(f.Value, f.Path, "must be a positive duration such as 30s or 500ms, got %q", v)
					continue
				}
				if f.Key == "timeout" {
					e.Timeout = dur
				} else {
					e.Backoff = dur
				}
			}
		case "response_path":
			e.ResponsePath, _ = d.String(f.Value, f.Path)
		}
	}
	if e.URL == "" && !hasKey(fields, "url") {
		d.Errorf(n, yamlx.Join(path, "url"), "missing: the model server's URL")
	}
	return e
}

func decodeMetrics(d *yamlx.Decoder, n *yaml.Node, path string, sev result.Severity) []MetricSpec {
	fields, ok := d.Mapping(n, path, nil)
	if !ok {
		return nil
	}
	var out []MetricSpec
	for _, f := range fields {
		if !knownMetric(d, f) {
			continue
		}
		ms := MetricSpec{Name: f.Key, Severity: sev}
		bf, ok := d.Mapping(f.Value, f.Path, []string{"min", "max", "severity"})
		if !ok {
			continue
		}
		for _, g := range bf {
			switch g.Key {
			case "min", "max":
				if v, ok := d.Float(g.Value, g.Path); ok {
					if g.Key == "min" {
						ms.Threshold.Min = &v
					} else {
						ms.Threshold.Max = &v
					}
				}
			case "severity":
				if s, ok := decodeSeverity(d, g.Value, g.Path); ok {
					ms.Severity = s
				}
			}
		}
		if ms.Threshold.Min == nil && ms.Threshold.Max == nil && !hasKey(bf, "min") && !hasKey(bf, "max") {
			d.Errorf(f.Value, f.Path, "needs at least one of min or max")
		}
		if t := ms.Threshold; t.Min != nil && t.Max != nil && *t.Min > *t.Max {
			d.Errorf(f.Value, f.Path, "min %s is greater than max %s", result.FormatFloat(*t.Min), result.FormatFloat(*t.Max))
		}
		out = append(out, ms)
	}
	return out
}

// knownMetric reports whether the key of f names a metric, reporting it
// with a hint when it does not.
func knownMetric(d *yamlx.Decoder, f yamlx.Field) bool {
	names := model.MetricNames()
	if slices.Contains(names, f.Key) {
		return true
	}
	msg := fmt.Sprintf("unknown metric %q", f.Key)
	if h := yamlx.Suggest(f.Key, names); h != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", h)
	}
	d.Errorf(f.KeyN, f.Path, "%s; metrics are %s", msg, strings.Join(names, ", "))
	return false
}
