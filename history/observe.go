package history

import (
	"encoding/json"
	"math"
	"sort"

	"github.com/trustml/trustml/result"
)

// Key names one observed number: a check's name and the field of its
// observed value ("value" when the check observed a single number).
type Key struct {
	Name  string `json:"check"`
	Field string `json:"value"`
}

// Observation is one number a run observed.
type Observation struct {
	Key
	Value float64 `json:"observed"`
}

// Observe lists every finite number the checks observed, in check order:
// a numeric Observed as field "value"; each numeric field of an object
// Observed under its own name (e.g. "fraction" of a missing check, "rmse"
// of a slice); and the row-wise counts (element_count, null_count,
// unexpected_count, unexpected_fraction). Lists, strings and NaN are left
// out. A name seen twice keeps its first value.
func Observe(checks []result.Check) []Observation {
	var out []Observation
	seen := map[Key]bool{}
	add := func(name, field string, v float64) {
		k := Key{name, field}
		if math.IsNaN(v) || math.IsInf(v, 0) || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, Observation{Key: k, Value: v})
	}
	for i := range checks {
		c := &checks[i]
		switch v := numeric(c.Observed).(type) {
		case float64:
			add(c.Name, "value", v)
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if f, ok := v[k].(float64); ok {
					add(c.Name, k, f)
				}
			}
		}
		if c.ElementCount != nil {
			add(c.Name, "element_count", float64(*c.ElementCount))
		}
		if c.NullCount != nil {
			add(c.Name, "null_count", float64(*c.NullCount))
		}
		if c.UnexpectedCount != nil {
			add(c.Name, "unexpected_count", float64(*c.UnexpectedCount))
		}
		if c.UnexpectedFraction != nil {
			add(c.Name, "unexpected_fraction", *c.UnexpectedFraction)
		}
	}
	return out
}

// numeric returns v as JSON sees it: float64 for any number, map[string]any
// for any object, else nil.
func numeric(v any) any {
	switch x := v.(type) {
	case nil, string, bool:
		return nil
	case float64:
		return x
	case float32:
		return float64(x)
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	switch out.(type) {
	case float64, map[string]any:
		return out
	}
	return nil
}

// Clean drops the observations that are NaN or ±Inf.
func Clean(obs []Observation) []Observation {
	out := obs[:0:0]
	for _, o := range obs {
		if !math.IsNaN(o.Value) && !math.IsInf(o.Value, 0) {
			out = append(out, o)
		}
	}
	return out
}

// CommitVars are the environment variables that name the commit a run
// checks, in the order they are tried: GIT_COMMIT, then those CI systems
// set (GitHub Actions, GitLab CI, CircleCI, Buildkite, Bitbucket).
var CommitVars = []string{"GIT_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA", "CIRCLE_SHA1", "BUILDKITE_COMMIT", "BITBUCKET_COMMIT"}

// Commit returns the first non-empty CommitVars variable, or "".
func Commit(lookup func(string) (string, bool)) string {
	for _, name := range CommitVars {
		if v, ok := lookup(name); ok && v != "" {
			return v
		}
	}
	return ""
}
