package fairness

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// The `fairness` section of a suite decodes here; the root package reaches
// the decoder through the section registry, so it is not exported API.
func init() {
	section.Register("fairness", func(d *yamlx.Decoder, key, n *yaml.Node, path string, _ section.Env) any {
		return decode(d, key, n, path)
	})
}

var (
	specKeys    = []string{"feature", "class", "confidence", "n_boot", "permutations", "seed", "severity"}
	featureKeys = []string{"column", "bins"}
)

// decode reads the `fairness` section from n (its key node key), recording
// every problem in d with its position; path is the key path of n. The
// returned spec is complete only when d has recorded no problem.
func decode(d *yamlx.Decoder, key, n *yaml.Node, path string) *Spec {
	s := &Spec{Line: key.Line, Col: key.Column}
	known := slices.Clone(specKeys)
	for _, m := range Names {
		known = append(known, string(m))
	}
	fields, ok := d.Mapping(n, path, known)
	if !ok {
		return s
	}
	sev := d.SeverityIn(fields, result.SeverityError)
	for _, f := range fields {
		switch f.Key {
		case "feature":
			s.FeatureLine, s.FeatureCol = f.Value.Line, f.Value.Column
			if f.Value.Kind != yaml.MappingNode {
				s.Feature, _ = d.Text(f.Value, f.Path)
				continue
			}
			ff, ok := d.Mapping(f.Value, f.Path, featureKeys)
			if !ok {
				continue
			}
			for _, g := range ff {
				switch g.Key {
				case "column":
					s.Feature, _ = d.Text(g.Value, g.Path)
				case "bins":
					items, ok := d.Sequence(g.Value, g.Path)
					if !ok {
						continue
					}
					s.Bins = []float64{}
					for i, it := range items {
						v, _ := d.Float(it, fmt.Sprintf("%s[%d]", g.Path, i))
						s.Bins = append(s.Bins, v)
					}
				}
			}

		case "class":
			s.Class, _ = d.Text(f.Value, f.Path)
		case "confidence":
			s.Confidence, _ = d.Bool(f.Value, f.Path)
		case "n_boot":
			if v, ok := d.Int(f.Value, f.Path); ok && !d.WrittenZero(f.Value, f.Path, v == 0, yamlx.Between(v, 1, MaxResamples)) {
				s.Resamples = int(v)
			}
		case "permutations":
			if v, ok := d.Int(f.Value, f.Path); ok && !d.WrittenZero(f.Value, f.Path, v == 0, yamlx.Between(v, 1, MaxPermutations)) {
				s.Permutations = int(v)
			}
		case "seed":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s.Seed = uint64(v)
			}
		case "severity":
			s.Severity = sev
		default: // a metric
			b := Bound{Metric: Name(f.Key), Severity: sev}
			bf, ok := d.Mapping(f.Value, f.Path, append(slices.Clone(yamlx.IntervalKeys), "severity"))
			if !ok {
				continue
			}
			b.Severity = d.SeverityIn(bf, sev)
			// The interval's own verdict (empty, min > max) is Validate's.
			var sub yamlx.Decoder
			b.Interval = sub.Interval(f.Value, f.Path, bf, false)
			for _, p := range sub.Problems() {
				if p.Path != f.Path {
					d.Errorf(&yaml.Node{Line: p.Line, Column: p.Col}, p.Path, "%s", p.Msg)
				}
			}
			s.Bounds = append(s.Bounds, b)
		}
	}
	var fs yamlx.Findings
	s.validate(path, &fs)
	d.Report(fs)
	return s
}
