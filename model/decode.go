package model

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The model section decodes here, for the model and for compare_to alike:
// the decoder reads shapes and types; every rule about values is
// Spec.Validate's, whose findings the decoder positions.
func init() { section.Register("model", decodeSection) }

var (
	baseKeys      = []string{"task", "target", "features", "positive", "threshold", "ece_bins", "split", "metrics", "compare_to", "severity", "class_balance"}
	predKeys      = []string{"label", "proba"}
	thresholdKeys = []string{"value", "precision", "recall"}
	compareKeys   = []string{"name", "max_worse", "n_boot", "seed"}
	trainKeys     = []string{"algorithm", "alpha", "standardize", "tune"}
	tuneKeys      = []string{"alpha", "cv"}
	cvKeys        = []string{"method", "by", "folds"}
	splitKeys     = []string{"method", "test_fraction", "seed", "by"}
	commandKeys   = []string{"argv", "timeout"}
	endpointKeys  = []string{"url", "method", "headers", "batch_size", "concurrency", "timeout", "retries", "backoff", "response_path"}
)

func decodeSection(d *yamlx.Decoder, key, n *yaml.Node, path string, env section.Env) any {
	m := &Spec{Line: key.Line, Col: key.Column}
	fields, ok := d.Mapping(n, path, append(slices.Clone(baseKeys), kindNames(false)...))
	if !ok {
		return m
	}
	sev := d.SeverityIn(fields, result.SeverityError)
	for _, f := range fields {
		if f.Key == "task" {
			m.Task, _ = d.String(f.Value, f.Path)
		}
	}
	sources := decodeSources(d, n, fields, path, env.Dir, "model sources")
	if len(sources) > 0 {
		m.Source = sources[0]
	}
	for _, f := range fields {
		switch f.Key {
		case "target":
			m.Target, _ = d.Text(f.Value, f.Path)
		case "positive":
			m.Positive, _ = d.Text(f.Value, f.Path)
			if r := yamlx.Resolve(f.Value); r != nil && r.Tag == "!!bool" {
				m.Positive = strings.ToLower(m.Positive) // True is the label "true"
			}
		case "threshold":
			m.Threshold = decodeThreshold(d, f.Value, f.Path)
		case "ece_bins":
			if v, ok := d.Int(f.Value, f.Path); ok {
				if v == 0 { // in Go, 0 selects the default
					d.Errorf(f.Value, f.Path, "must be between 1 and %d, got 0", MaxECEBins)
				}
				m.ECEBins = int(v)
			}
		case "features":
			m.Features, _ = d.Texts(f.Value, f.Path)
			if len(m.Features) == 0 && yamlx.Resolve(f.Value).Kind == yaml.SequenceNode {
				d.Errorf(f.Value, f.Path, "must list at least one column")
			}
		case "split":
			m.Split = decodeSplit(d, f.Value, f.Path)
		case "metrics":
			m.Objectives = decodeObjectives(d, f.Value, f.Path, sev, m.Task)
		case "compare_to":
			m.CompareTo = decodeCompare(d, f.Value, f.Path, env.Dir, sev, m.Task)
		case "class_balance":
			m.Balance = decodeBalance(d, f.Value, f.Path, sev)
		}
	}
	if t := m.Source.Train; t != nil && t.Tune != nil {
		t.Tune.Seed = m.Split.Seed // folds are dealt with the split's seed
	}
	var fs yamlx.Findings
	m.validate(path, &fs)
	for _, s := range sources[min(1, len(sources)):] {
		s.validate(path, false, &fs)
	}
	d.Report(fs)
	return m
}

// decodeSources reads every source key among fields, in document order,
// reporting more than one.
func decodeSources(d *yamlx.Decoder, n *yaml.Node, fields []yamlx.Field, path, dir, what string) []Source {
	var out []Source
	var kinds []string
	for _, f := range fields {
		if a, ok := adapterOf(SourceKind(f.Key)); ok {
			out = append(out, a.decode(d, f.Value, f.Path, dir))
			kinds = append(kinds, f.Key)
		}
	}
	if len(out) > 1 {
		d.Errorf(n, path, "has %d %s (%s); give exactly one", len(out), what, strings.Join(kinds, ", "))
	}
	return out
}

// decodeCommand reads a subprocess's argv, either as a list or as a
// mapping {argv: [program, args...], timeout: 30s}. A program given by a
// relative path with a slash is relative to the suite file, like every
// other path.
func decodeCommand(d *yamlx.Decoder, n *yaml.Node, path, dir string) (argv []string, timeout time.Duration) {
	argvNode, argvPath := n, path
	if r := yamlx.Resolve(n); r != nil && r.Kind == yaml.MappingNode {
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
	if !ok || len(argv) == 0 {
		return nil, timeout
	}
	if strings.Contains(argv[0], "/") && !filepath.IsAbs(argv[0]) {
		argv[0] = filepath.Join(dir, argv[0])
	}
	return argv, timeout
}

func decodeCompare(d *yamlx.Decoder, n *yaml.Node, path, dir string, sev result.Severity, task string) *Compare {
	c := &Compare{NBoot: DefaultCompareBoot}
	fields, ok := d.Mapping(n, path, append(slices.Clone(compareKeys), kindNames(false)...))
	if !ok {
		return c
	}
	if sources := decodeSources(d, n, fields, path, dir, "sources"); len(sources) > 0 {
		c.Source = sources[0]
	}
	for _, f := range fields {
		switch f.Key {
		case "name":
			c.Name, _ = d.Text(f.Value, f.Path)
		case "max_worse":
			mf, ok := d.Mapping(f.Value, f.Path, nil)
			if !ok {
				continue
			}
			for _, g := range mf {
				if !knownMetric(d, g, task) {
					continue
				}
				if v, ok := d.Float(g.Value, g.Path); ok {
					w := Objective{Metric: g.Key, Severity: sev}
					w.Bounds.Max = &v
					c.MaxWorse = append(c.MaxWorse, w)
				}
			}
		case "n_boot":
			if v, ok := d.Int(f.Value, f.Path); ok {
				if v == 0 { // in Go, 0 selects the default
					d.Errorf(f.Value, f.Path, "must be between %d and %d, got 0", MinCompareBoot, MaxCompareBoot)
				}
				c.NBoot = int(v)
			}
		case "seed":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s := uint64(v)
				c.Seed = &s
			}
		}
	}
	return c
}

func decodeTrain(d *yamlx.Decoder, n *yaml.Node, path string) *FitOptions {
	o := &FitOptions{Algorithm: AlgorithmLinear}
	fields, ok := d.Mapping(n, path, trainKeys)
	if !ok {
		return o
	}
	for _, f := range fields {
		switch f.Key {
		case "algorithm":
			o.Algorithm, _ = d.String(f.Value, f.Path)
		case "alpha":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if v == 0 {
					d.Errorf(f.Value, f.Path, "must be > 0, got 0")
				}
				o.Alpha = v
			}
		case "standardize":
			o.Standardize, _ = d.Bool(f.Value, f.Path)
		case "tune":
			o.Tune = decodeTune(d, f.Value, f.Path)
		}
	}
	return o
}

// decodeTune reads {alpha: [...], cv: {method: kfold|time, by: COLUMN, folds: K}}.
func decodeTune(d *yamlx.Decoder, n *yaml.Node, path string) *Tune {
	t := &Tune{Method: CVKFold}
	fields, ok := d.Mapping(n, path, tuneKeys)
	if !ok {
		return t
	}
	for _, f := range fields {
		switch f.Key {
		case "alpha":
			items, ok := d.Sequence(f.Value, f.Path)
			if !ok {
				continue
			}
			for i, it := range items {
				if v, ok := d.Float(it, fmt.Sprintf("%s[%d]", f.Path, i)); ok {
					t.Alphas = append(t.Alphas, v)
				}
			}
		case "cv":
			cf, ok := d.Mapping(f.Value, f.Path, cvKeys)
			if !ok {
				continue
			}
			for _, g := range cf {
				switch g.Key {
				case "method":
					t.Method, _ = d.String(g.Value, g.Path)
				case "by":
					t.By, _ = d.Text(g.Value, g.Path)
				case "folds":
					if v, ok := d.Int(g.Value, g.Path); ok {
						t.Folds = int(v)
					}
				}
			}
		}
	}
	return t
}

func decodeSplit(d *yamlx.Decoder, n *yaml.Node, path string) Split {
	var s Split
	fields, ok := d.Mapping(n, path, splitKeys)
	if !ok {
		return s
	}
	for _, f := range fields {
		switch f.Key {
		case "method":
			s.Method, _ = d.String(f.Value, f.Path)
		case "test_fraction":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if v == 0 {
					d.Errorf(f.Value, f.Path, "must be between 0 and 1 (exclusive), got 0")
				}
				s.TestFraction = v
			}
		case "seed":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s.Seed = uint64(v)
			}
		case "by":
			s.By, _ = d.Text(f.Value, f.Path)
		}
	}
	s.Method = s.method()
	return s
}

func decodeEndpoint(d *yamlx.Decoder, n *yaml.Node, path string) *Endpoint {
	e := &Endpoint{}
	fields, ok := d.Mapping(n, path, endpointKeys)
	if !ok {
		return e
	}
	for _, f := range fields {
		switch f.Key {
		case "url":
			e.URL, _ = d.String(f.Value, f.Path)
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
		case "batch_size", "concurrency":
			// In Go, 0 selects the default; a suite that writes 0 means it.
			if v, ok := d.Int(f.Value, f.Path); ok {
				if v < 1 {
					d.Errorf(f.Value, f.Path, "must be ≥ 1, got %d", v)
				} else if f.Key == "batch_size" {
					e.BatchSize = int(v)
				} else {
					e.Concurrency = int(v)
				}
			}
		case "retries":
			if v, ok := d.Count(f.Value, f.Path); ok {
				e.Retries = int(v)
				if v == 0 {
					e.Retries = -1 // Endpoint: negative disables retries
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
	return e
}

func decodeObjectives(d *yamlx.Decoder, n *yaml.Node, path string, sev result.Severity, task string) []Objective {
	fields, ok := d.Mapping(n, path, nil)
	if !ok {
		return nil
	}
	keys := append(slices.Clone(yamlx.IntervalKeys), "severity")
	var out []Objective
	for _, f := range fields {
		if !knownMetric(d, f, task) {
			continue
		}
		o := Objective{Metric: f.Key, Severity: sev}
		bf, ok := d.Mapping(f.Value, f.Path, keys)
		if !ok {
			continue
		}
		o.Severity = d.SeverityIn(bf, o.Severity)
		var sub yamlx.Decoder
		o.Bounds = sub.Interval(f.Value, f.Path, bf, false)
		for _, p := range sub.Problems() {
			if p.Path != f.Path { // the interval's own verdict is Validate's
				d.Errorf(&yaml.Node{Line: p.Line, Column: p.Col}, p.Path, "%s", p.Msg)
			}
		}
		out = append(out, o)
	}
	return out
}

// knownMetric reports whether the key of f names a metric of the task,
// reporting it at the key with a hint when it does not.
func knownMetric(d *yamlx.Decoder, f yamlx.Field, task string) bool {
	if task != TaskClassification && task != TaskRegression {
		task = TaskRegression // an unknown task is reported at task:
	}
	if p := metricProblem(f.Key, task); p != "" {
		d.Errorf(f.KeyN, f.Path, "%s", p)
		return false
	}
	return true
}

// decodePredictions reads a predictions source: a column name, or a
// classifier's {label: COLUMN, proba: {CLASS: COLUMN, ...} | COLUMN}.
func decodePredictions(d *yamlx.Decoder, n *yaml.Node, path, _ string) Source {
	src := Source{Kind: FromPredictions}
	if r := yamlx.Resolve(n); r == nil || r.Kind != yaml.MappingNode {
		src.Column, _ = d.Text(n, path)
		return src
	}
	fields, ok := d.Mapping(n, path, predKeys)
	if !ok {
		return src
	}
	for _, f := range fields {
		switch f.Key {
		case "label":
			src.Column, _ = d.Text(f.Value, f.Path)
		case "proba":
			if r := yamlx.Resolve(f.Value); r == nil || r.Kind != yaml.MappingNode {
				src.PositiveProba, _ = d.Text(f.Value, f.Path)
				continue
			}
			pf, ok := d.Mapping(f.Value, f.Path, nil)
			if !ok {
				continue
			}
			for _, g := range pf {
				if col, ok := d.Text(g.Value, g.Path); ok {
					src.Proba = append(src.Proba, ClassColumn{Class: g.Key, Column: col})
				}
			}
			if len(pf) == 0 {
				d.Errorf(f.Value, f.Path, "must name one column per class, e.g. {yes: p_yes, no: p_no}")
			}
		}
	}
	return src
}

// decodeThreshold reads `threshold: 0.5` or `threshold: {precision: 0.9}`
// (or recall).
func decodeThreshold(d *yamlx.Decoder, n *yaml.Node, path string) Threshold {
	var t Threshold
	if r := yamlx.Resolve(n); r == nil || r.Kind != yaml.MappingNode {
		if v, ok := d.Float(n, path); ok {
			t.Value = &v
		}
		return t
	}
	fields, ok := d.Mapping(n, path, thresholdKeys)
	if !ok {
		return t
	}
	for _, f := range fields {
		v, ok := d.Float(f.Value, f.Path)
		if !ok {
			continue
		}
		switch f.Key {
		case "value":
			t.Value = &v
		case "precision":
			t.Precision = &v
		case "recall":
			t.Recall = &v
		}
	}
	if len(fields) == 0 {
		d.Errorf(n, path, "needs a value, or the precision or recall to reach on the training rows")
	}
	return t
}
