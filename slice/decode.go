package slice

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/section"
	"github.com/trustml/trustml/internal/yamlx"
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
	section.Register("slices", func(d *yamlx.Decoder, _, n *yaml.Node, path string, _ section.Env) any {
		return decode(d, n, path)
	})
}

// decode reads the `slices` section of a suite from n, recording every
// problem in d with its position; path is the key path of n (for example
// "slices"). Keys left out take the defaults of [NewSpec] and [NewSearch].
// The returned spec is complete only when d has recorded no problem.
func decode(d *yamlx.Decoder, n *yaml.Node, path string) *Spec {
	s := NewSpec()
	fields, ok := d.Mapping(n, path, specKeys)
	if !ok {
		return s
	}
	var confidence, nBoot, search *yaml.Node
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
			s.FailIf = decodeRules(d, f.Value, f.Path)
		case "confidence":
			confidence = f.Value
			s.Confidence, _ = d.Bool(f.Value, f.Path)
		case "n_boot":
			nBoot = f.Value
			if v, ok := d.Count(f.Value, f.Path); ok {
				if p := nBootProblem(v); p != "" {
					d.Errorf(f.Value, f.Path, "%s", p)
				} else {
					s.NBoot = int(v)
				}
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
			search = f.Value
			s.Search = decodeSearch(d, f.Value, f.Path)
		}
	}
	if s.Confidence && s.NBoot == 0 && nBoot != nil {
		d.Errorf(confidence, yamlx.Join(path, "confidence"), "needs bootstrap intervals; n_boot must be > 0")
	}
	if len(s.By) == 0 && s.Search == nil && !slices.ContainsFunc(fields, func(f yamlx.Field) bool { return f.Key == "by" }) {
		d.Errorf(n, path, "needs by: [columns] or search: {}")
	}
	if s.Search != nil && len(s.Search.Features) == 0 && len(s.By) == 0 && len(d.Problems()) == 0 {
		d.Errorf(search, yamlx.Join(path, "search"), "no features to search: list search.features or add by: [columns]")
	}
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
	var out []Slicing
	seen := map[string]int{}
	add := func(it *yaml.Node, ip string, i int, s Slicing) {
		set := columnSet(s)
		if j, dup := seen[set]; dup {
			d.Errorf(it, ip, "slicing %s repeats %s[%d]; slice names must be unique", s, path, j)
			return
		}
		seen[set] = i
		out = append(out, s)
	}
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		if it.Kind != yaml.SequenceNode {
			if dim, ok := decodeDim(d, it, ip); ok {
				add(it, ip, i, Slicing{dim})
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
			if !ok {
				good = false
				continue
			}
			if slices.ContainsFunc(cross, func(c Dim) bool { return c.Column == dim.Column }) {
				d.Errorf(p, pp, "column %q appears twice in one cross", dim.Column)
				good = false
				continue
			}
			cross = append(cross, dim)
		}
		if good {
			add(it, ip, i, cross)
		}
	}
	return out
}

// decodeDim reads a column name or a {column, bins | quantiles} mapping.
func decodeDim(d *yamlx.Decoder, n *yaml.Node, path string) (Dim, bool) {
	if n != nil && n.Kind == yaml.ScalarNode {
		name, ok := d.Text(n, path)
		if ok && name == "" {
			d.Errorf(n, path, "column name is empty")
			return Dim{}, false
		}
		return Dim{Column: name}, ok
	}
	fields, ok := d.Mapping(n, path, dimKeys)
	if !ok {
		return Dim{}, false
	}
	var dim Dim
	var bins, quantiles *yaml.Node
	good := true
	for _, f := range fields {
		switch f.Key {
		case "column":
			name, ok := d.Text(f.Value, f.Path)
			if ok && name == "" {
				d.Errorf(f.Value, f.Path, "column name is empty")
				ok = false
			}
			dim.Column, good = name, good && ok
		case "bins":
			bins = f.Value
			items, ok := d.Sequence(f.Value, f.Path)
			if !ok {
				good = false
				continue
			}
			for j, it := range items {
				v, ok := d.Float(it, fmt.Sprintf("%s[%d]", f.Path, j))
				if !ok {
					good = false
				}
				dim.Bins = append(dim.Bins, v)
			}
			if good {
				if p := binsProblem(dim.Bins); p != "" {
					d.Errorf(f.Value, f.Path, "%s", p)
					good = false
				}
			}
		case "quantiles":
			quantiles = f.Value
			if v, ok := d.Int(f.Value, f.Path); ok {
				if p := quantilesProblem(v); p != "" {
					d.Errorf(f.Value, f.Path, "%s", p)
					good = false
				} else {
					dim.Quantiles = int(v)
				}
			} else {
				good = false
			}
		}
	}
	if !slices.ContainsFunc(fields, func(f yamlx.Field) bool { return f.Key == "column" }) {
		d.Errorf(n, path, "needs column: NAME")
		good = false
	}
	if bins != nil && quantiles != nil {
		d.Errorf(quantiles, yamlx.Join(path, "quantiles"), "bins and quantiles exclude each other; keep one")
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
	var out []string
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		name, ok := d.String(it, ip)
		if !ok {
			continue
		}
		if p := metricProblem(name); p != "" {
			d.Errorf(it, ip, "%s", p)
			continue
		}
		if slices.Contains(out, name) {
			d.Errorf(it, ip, "metric %q is listed twice", name)
			continue
		}
		out = append(out, name)
	}
	return out
}

func decodeRules(d *yamlx.Decoder, n *yaml.Node, path string) []Rule {
	fields, ok := d.Mapping(n, path, nil)
	if !ok {
		return nil
	}
	keys := ruleKeys()
	if len(yamlx.Resolve(n).Content) == 0 {
		d.Errorf(n, path, "needs at least one rule, e.g. {rmse_ratio: 1.5}; rules are %s", strings.Join(keys, ", "))
	}
	var out []Rule
	for _, f := range fields {
		if !slices.Contains(keys, f.Key) {
			msg := fmt.Sprintf("unknown rule %q", f.Key)
			metric := f.Key[:max(strings.LastIndexByte(f.Key, '_'), 0)]
			if metric == "r2" {
				msg += "; r2 has no slice rule (a slice's R² depends on the spread of its targets)"
			} else if i := slices.IndexFunc(keys, func(k string) bool { return strings.HasPrefix(k, metric+"_") && metric != "" }); i >= 0 && metricProblem(metric) == "" {
				msg += fmt.Sprintf(" (the rule on %s is %s)", metric, keys[i])
			} else if h := suggest(f.Key, keys); h != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", h)
			}
			d.Errorf(f.KeyN, f.Path, "%s; rules are %s", msg, strings.Join(keys, ", "))
			continue
		}
		v, ok := d.Float(f.Value, f.Path)
		if !ok {
			continue
		}
		cut := strings.LastIndexByte(f.Key, '_')
		r := Rule{Metric: f.Key[:cut], Kind: RuleKind(f.Key[cut+1:]), Limit: v}
		switch {
		case r.Kind == Ratio && v <= 0:
			d.Errorf(f.Value, f.Path, "a ratio to the overall value must be > 0, got %s", f.Value.Value)
		case r.Kind == Abs && v < 0:
			d.Errorf(f.Value, f.Path, "a bound on |%s| must be ≥ 0, got %s", r.Metric, f.Value.Value)
		default:
			out = append(out, r)
		}
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
					continue
				}
				dim, ok := decodeDim(d, it, ip)
				if !ok {
					continue
				}
				if slices.ContainsFunc(s.Features, func(c Dim) bool { return c.Column == dim.Column }) {
					d.Errorf(it, ip, "column %q is listed twice", dim.Column)
					continue
				}
				s.Features = append(s.Features, dim)
			}
			if p := featuresProblem(len(s.Features)); p != "" {
				d.Errorf(f.Value, f.Path, "%s", p)
			}
		case "pairs":
			s.Pairs, _ = d.Bool(f.Value, f.Path)
		case "quantiles":
			if v, ok := d.Int(f.Value, f.Path); ok {
				if p := quantilesProblem(v); p != "" {
					d.Errorf(f.Value, f.Path, "%s", p)
				} else {
					s.Quantiles = int(v)
				}
			}
		case "min_support":
			if v, ok := d.Int(f.Value, f.Path); ok {
				if v < 2 {
					d.Errorf(f.Value, f.Path, "must be at least 2 (a t-test needs two rows a side), got %d", v)
				} else {
					s.MinSupport = int(v)
				}
			}
		case "fdr":
			if v, ok := d.Float(f.Value, f.Path); ok {
				if v <= 0 || v >= 1 {
					d.Errorf(f.Value, f.Path, "must be a rate strictly between 0 and 1, got %s", f.Value.Value)
				} else {
					s.FDR = v
				}
			}
		case "top_k":
			if v, ok := d.Int(f.Value, f.Path); ok {
				if p := topKProblem(v); p != "" {
					d.Errorf(f.Value, f.Path, "%s", p)
				} else {
					s.TopK = int(v)
				}
			}
		case "metric":
			if v, ok := d.String(f.Value, f.Path); ok {
				if p := lossProblem(Loss(v)); p != "" {
					d.Errorf(f.Value, f.Path, "%s", p)
				} else {
					s.Metric = Loss(v)
				}
			}
		case "severity":
			if v, ok := d.Severity(f.Value, f.Path); ok {
				s.Severity = result.Severity(v)
			}
		}
	}
	return s
}
