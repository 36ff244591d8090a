package slice

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/model"
	"github.com/trustml/trustml/result"
)

var (
	specKeys   = []string{"by", "metrics", "min_size", "fail_if", "confidence", "n_boot", "seed", "severity", "search"}
	dimKeys    = []string{"column", "bins", "quantiles"}
	searchKeys = []string{"features", "pairs", "quantiles", "min_support", "fdr", "top_k", "metric", "severity"}
)

func suggest(s string, candidates []string) string { return yamlx.Suggest(s, candidates) }

// The `slices` section of a suite decodes here; the root package reaches
// the decoder through the section registry, so it is not exported API.
func init() {
	section.Register("slices", func(d *yamlx.Decoder, _, n *yaml.Node, path string, env section.Env) any {
		return decode(d, n, path, env.Task)
	})
}

// decode reads the `slices` section of a suite from n, recording every
// problem in d with its position; path is the key path of n (for example
// "slices") and task the model's (its metrics, rules and losses are the
// ones accepted; any other value, those of either task). Keys left out
// take the defaults of [NewSpec] and [NewSearch]. The returned spec is
// complete only when d has recorded no problem.
func decode(d *yamlx.Decoder, n *yaml.Node, path, task string) *Spec {
	if task != model.TaskRegression && task != model.TaskClassification {
		task = ""
	}
	s := NewSpec()
	fields, ok := d.Mapping(n, path, specKeys)
	if !ok {
		return s
	}
	for _, f := range fields {
		switch f.Key {
		case "by":
			s.By = decodeBy(d, f.Value, f.Path)
		case "metrics":
			s.Metrics = decodeMetrics(d, f.Value, f.Path)
		case "min_size":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s.MinSize = int(v)
			}
		case "fail_if":
			s.FailIf = decodeRules(d, f.Value, f.Path, task)
		case "confidence":
			s.Confidence, _ = d.Bool(f.Value, f.Path)
		case "n_boot":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s.NBoot = int(v)
			}
		case "seed":
			if v, ok := d.Count(f.Value, f.Path); ok {
				s.Seed = uint64(v)
			}
		case "severity":
			if v, ok := d.Severity(f.Value, f.Path); ok {
				s.Severity = result.Severity(v)
			}
		case "search":
			s.Search = decodeSearch(d, f.Value, f.Path)
		}
	}
	if len(s.By) == 0 && s.Search == nil && !slices.ContainsFunc(fields, func(f yamlx.Field) bool { return f.Key == "by" }) {
		d.Errorf(n, path, "needs by: [columns] or search: {}")
		return s
	}
	// Every rule about values is Validate's; the decoder positions its
	// findings.
	var fs yamlx.Findings
	s.validate(path, task, &fs)
	d.Report(fs)
	return s
}

// decodeBy reads the list of slicings: a column name, a {column, bins |
// quantiles} mapping, or a list of those (a cross).
func decodeBy(d *yamlx.Decoder, n *yaml.Node, path string) []Slicing {
	items, ok := d.Sequence(n, path)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.Errorf(n, path, "must list at least one slicing, e.g. [Month]")
	}
	// A slicing left out keeps its place, so that Validate's findings
	// name the index the suite wrote.
	out := make([]Slicing, len(items))
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		if it.Kind != yaml.SequenceNode {
			if dim, ok := decodeDim(d, it, ip); ok {
				out[i] = Slicing{dim}
			}
			continue
		}
		parts, _ := d.Sequence(it, ip)
		if len(parts) < 2 {
			d.Errorf(it, ip, "a cross needs at least 2 columns, got %d", len(parts))
			continue
		}
		var cross Slicing
		good := true
		for j, p := range parts {
			pp := fmt.Sprintf("%s[%d]", ip, j)
			if p.Kind == yaml.SequenceNode {
				d.Errorf(p, pp, "a cross lists columns; it cannot contain another list")
				good = false
				continue
			}
			dim, ok := decodeDim(d, p, pp)
			good = good && ok
			cross = append(cross, dim)
		}
		if good {
			out[i] = cross
		}
	}
	return out
}

// decodeDim reads a column name or a {column, bins | quantiles} mapping.
func decodeDim(d *yamlx.Decoder, n *yaml.Node, path string) (Dim, bool) {
	if n != nil && n.Kind == yaml.ScalarNode {
		name, ok := d.Text(n, path)
		return Dim{Column: name}, ok
	}
	fields, ok := d.Mapping(n, path, dimKeys)
	if !ok {
		return Dim{}, false
	}
	var dim Dim
	good := true
	for _, f := range fields {
		switch f.Key {
		case "column":
			name, ok := d.Text(f.Value, f.Path)
			dim.Column, good = name, good && ok
		case "bins":
			items, ok := d.Sequence(f.Value, f.Path)
			if !ok {
				good = false
				continue
			}
			for j, it := range items {
				v, ok := d.Float(it, fmt.Sprintf("%s[%d]", f.Path, j))
				good = good && ok
				dim.Bins = append(dim.Bins, v)
			}
			if dim.Bins == nil {
				dim.Bins = []float64{} // written, with no edge
			}
		case "quantiles":
			v, ok := d.Int(f.Value, f.Path)
			good = good && ok && !d.WrittenZero(f.Value, f.Path, v == 0, quantilesProblem(v))
			dim.Quantiles = int(v)
		}
	}
	if !slices.ContainsFunc(fields, func(f yamlx.Field) bool { return f.Key == "column" }) {
		d.Errorf(n, path, "needs column: NAME")
		good = false
	}
	return dim, good
}

func decodeMetrics(d *yamlx.Decoder, n *yaml.Node, path string) []string {
	items, ok := d.Sequence(n, path)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.Errorf(n, path, "must list at least one metric, e.g. [rmse, mae, bias]")
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		name, _ := d.String(it, fmt.Sprintf("%s[%d]", path, i))
		out = append(out, name)
	}
	return out
}

func decodeRules(d *yamlx.Decoder, n *yaml.Node, path, task string) []Rule {
	fields, ok := d.Mapping(n, path, nil)
	if !ok {
		return nil
	}
	if len(yamlx.Resolve(n).Content) == 0 {
		example := "rmse_ratio: 1.5"
		if task == model.TaskClassification {
			example = "accuracy_drop: 0.05"
		}
		d.Errorf(n, path, "needs at least one rule, e.g. {%s}; rules are %s", example, strings.Join(ruleKeys(task), ", "))
	}
	var out []Rule
	for _, f := range fields {
		// A rule's name is a key: an unknown one is reported at the key,
		// as unknown keys are, by the rule Validate states.
		if p := ruleProblem(f.Key, task); p != "" {
			d.Errorf(f.KeyN, f.Path, "%s", p)
			continue
		}
		v, ok := d.Float(f.Value, f.Path)
		if !ok {
			continue
		}
		cut := strings.LastIndexByte(f.Key, '_')
		out = append(out, Rule{Metric: f.Key[:cut], Kind: RuleKind(f.Key[cut+1:]), Limit: v})
	}
	return out
}

func decodeSearch(d *yamlx.Decoder, n *yaml.Node, path string) *Search {
	s := NewSearch()
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		if v, ok := d.Bool(n, path); ok && !v {
			return nil
		}
		return s
	}
	fields, ok := d.Mapping(n, path, searchKeys)
	if !ok {
		return s
	}
	for _, f := range fields {
		switch f.Key {
		case "features":
			items, ok := d.Sequence(f.Value, f.Path)
			if !ok {
				continue
			}
			if len(items) == 0 {
				d.Errorf(f.Value, f.Path, "must list at least one column, or be left out to search the columns of by")
			}
			for i, it := range items {
				ip := fmt.Sprintf("%s[%d]", f.Path, i)
				if it.Kind == yaml.SequenceNode {
					d.Errorf(it, ip, "list single columns; pairs are searched with pairs: true")
					s.Features = append(s.Features, Dim{})
					continue
				}
				dim, _ := decodeDim(d, it, ip)
				s.Features = append(s.Features, dim)
			}
		case "pairs":
			s.Pairs, _ = d.Bool(f.Value, f.Path)
		case "quantiles":
			if v, ok := d.Int(f.Value, f.Path); ok && !d.WrittenZero(f.Value, f.Path, v == 0, quantilesProblem(v)) {
				s.Quantiles = int(v)
			}
		case "min_support":
			if v, ok := d.Int(f.Value, f.Path); ok && !d.WrittenZero(f.Value, f.Path, v == 0, minSupportProblem(v)) {
				s.MinSupport = int(v)
			}
		case "fdr":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if !d.WrittenZero(f.Value, f.Path, v == 0, fdrProblem(v)) {
					s.FDR = v
				}
			}
		case "top_k":
			if v, ok := d.Int(f.Value, f.Path); ok && !d.WrittenZero(f.Value, f.Path, v == 0, topKProblem(v)) {
				s.TopK = int(v)
			}
		case "metric":
			if v, ok := d.String(f.Value, f.Path); ok {
				s.Metric = Loss(v)
			}
		case "severity":
			if v, ok := d.Severity(f.Value, f.Path); ok {
				s.Severity = result.Severity(v)
			}
		}
	}
	return s
}
