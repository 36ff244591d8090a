package trustml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/trustml/trustml/history"
	"github.com/trustml/trustml/result"
)

// HistoryInfo says where a run was recorded, or why it could not be.
type HistoryInfo struct {
	// Store names the store (a file path, or PostgreSQL's host and
	// database; never credentials).
	Store string `json:"store"`
	// Suite is the key the suite's runs share in the store: its name, else
	// its file name without extension.
	Suite string `json:"suite"`
	// RunID is the run's id in the store, 0 when it was not recorded.
	RunID int64 `json:"run_id,omitempty"`
	// Error says why the store could not be read or written; the run's
	// own checks are complete, the run is not in the store, and its
	// history checks are missing when the store could not be read.
	Error string `json:"error,omitempty"`
	// Trends are the recent values of every number a history check
	// watches and of the model's metrics, for the report's sparklines.
	Trends []Trend `json:"trends,omitempty"`
}

// Trend is the last values of one observed number, oldest first and the
// current run's last, with the bounds its check allowed this run.
type Trend struct {
	Check  string    `json:"check"`
	Field  string    `json:"value"`
	Values []float64 `json:"values"`
	Lower  *float64  `json:"lower,omitempty"`
	Upper  *float64  `json:"upper,omitempty"`
}

// TrendRuns is the number of values a Trend keeps (the current run's
// included).
const TrendRuns = 30

// HistoryFailed reports whether the run was to be recorded in a history
// store that could not be read or written.
func (r *Result) HistoryFailed() bool { return r.History != nil && r.History.Error != "" }

// historyTarget is the store a run records in: RunOptions.History, else
// the suite's history section (its dsn with ${NAME} expanded, or its
// path), else "" for none.
func (s *Suite) historyTarget(opts RunOptions) (string, error) {
	switch {
	case opts.History != "":
		return opts.History, nil
	case s.History == nil:
		return "", nil
	case s.History.DSN != "":
		return expandEnv(s.History.DSN, opts.LookupEnv)
	}
	return s.History.Path, nil
}

// historyKey is the key the suite's runs share in a store.
func (s *Suite) historyKey() string {
	if s.Name != "" {
		return s.Name
	}
	base := filepath.Base(s.Path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// record evaluates the history checks of res against the store and
// appends the run. A store that fails leaves res's own checks as they were
// and says why in res.History.Error.
func (s *Suite) record(ctx context.Context, res *Result, opts RunOptions) {
	target, err := s.historyTarget(opts)
	if target == "" && err == nil {
		return
	}
	info := &HistoryInfo{Suite: s.historyKey(), Store: target}
	res.History = info
	if err != nil {
		info.Error = "history: " + err.Error()
		return
	}
	st, err := history.Open(ctx, target, opts.HistoryOptions)
	if err != nil {
		info.Error = err.Error()
		return
	}
	defer st.Close()
	info.Store = st.Name()
	checks := res.Checks
	if s.History != nil {
		hchecks, err := s.History.Evaluate(ctx, st, info.Suite, res.Checks, res.Run.Data.Schema)
		if err != nil {
			info.Error = err.Error()
			return
		}
		checks = append(checks, hchecks...)
	}
	run := &history.Run{
		Suite:        info.Suite,
		SuiteSHA256:  res.Run.SuiteSHA256,
		DataPath:     res.Run.Data.Path,
		DataHash:     res.Run.Data.Digest(),
		DataRows:     res.Run.Data.Rows,
		DataSchema:   res.Run.Data.Schema,
		Seeds:        res.Run.Seeds,
		Version:      res.Run.Version,
		Start:        res.Run.Start,
		GitCommit:    opts.GitCommit,
		Tags:         opts.Tags,
		Observations: append(history.Observe(checks), modelObservations(res.Model, checks)...),
	}
	trends, err := s.trends(ctx, st, info.Suite, checks, res.Model)
	if err != nil {
		info.Error = err.Error()
		return
	}
	res.Checks = checks
	res.finish()
	run.Passed = res.Passed
	for _, c := range res.Checks {
		run.Checks = append(run.Checks, history.CheckRow{Name: c.Name, Section: string(c.Section), Kind: c.Kind, Status: string(c.Status), Severity: string(c.Severity)})
	}
	// The stored document is the result as written, without the data
	// profile (large, and only the report draws it).
	doc := *res
	doc.Profile = nil
	doc.History = &HistoryInfo{Store: info.Store, Suite: info.Suite}
	if run.Result, err = json.Marshal(&doc); err != nil {
		info.Error = fmt.Sprintf("history: %v", err)
		return
	}
	if err := st.Append(ctx, run); err != nil {
		info.Error = err.Error()
		return
	}
	info.RunID = run.ID
	info.Trends = trends
}

// modelObservations are the model's metrics that no check observed, as
// "model.METRIC" (the name a metric's check has).
func modelObservations(m *ModelResult, checks []result.Check) []history.Observation {
	if m == nil {
		return nil
	}
	have := map[string]bool{}
	for _, c := range checks {
		have[c.Name] = true
	}
	var out []history.Observation
	for _, name := range m.metricNames() {
		v, _, _ := m.metric(name)
		if !v.Defined || have["model."+name] {
			continue
		}
		out = append(out, history.Observation{Key: history.Key{Name: "model." + name, Field: "value"}, Value: v.V})
	}
	return history.Clean(out)
}

// trends reads the recent values of every number a history check watches
// and of every model metric check, adding the current run's.
func (s *Suite) trends(ctx context.Context, st *history.Store, suite string, checks []result.Check, m *ModelResult) ([]Trend, error) {
	cur := map[history.Key]float64{}
	for _, o := range history.Observe(checks) {
		cur[o.Key] = o.Value
	}
	var keys []history.Key
	bounds := map[history.Key][2]*float64{}
	seen := map[history.Key]bool{}
	add := func(k history.Key, lo, hi *float64) {
		if _, ok := cur[k]; !ok || seen[k] {
			return
		}
		seen[k] = true
		keys = append(keys, k)
		bounds[k] = [2]*float64{lo, hi}
	}
	if s.History != nil {
		for _, hc := range s.History.Checks {
			lo, hi := historyBounds(checks, hc.Name())
			add(hc.Key, lo, hi)
		}
	}
	if m != nil {
		for _, c := range checks {
			if c.Section == result.Model && c.Kind == "metric" {
				lo, hi := expectedBounds(c.Expected)
				add(history.Key{Name: c.Name, Field: "value"}, lo, hi)
			}
		}
	}
	var out []Trend
	for _, k := range keys {
		past, err := st.Series(ctx, suite, k, TrendRuns-1, 0)
		if err != nil {
			return nil, err
		}
		t := Trend{Check: k.Name, Field: k.Field, Lower: bounds[k][0], Upper: bounds[k][1]}
		for _, p := range past {
			t.Values = append(t.Values, p.Value)
		}
		t.Values = append(t.Values, cur[k])
		out = append(out, t)
	}
	return out, nil
}

// historyBounds returns the interval a history check allowed: baseline ±
// the change allowed, or expected ± max_z × scale.
func historyBounds(checks []result.Check, name string) (lo, hi *float64) {
	for _, c := range checks {
		if c.Name != name || c.Section != history.Section {
			continue
		}
		obs, _ := c.Observed.(map[string]any)
		exp, _ := c.Expected.(map[string]any)
		if obs == nil || exp == nil {
			return nil, nil
		}
		if e, ok := obs["expected"].(float64); ok {
			sc, _ := obs["scale"].(float64)
			z, _ := exp["max_z"].(float64)
			return result.Ptr(e - z*sc), result.Ptr(e + z*sc)
		}
		if b, ok := obs["baseline"].(float64); ok {
			w := -1.0
			if r, ok := exp["max_relative"].(float64); ok {
				w = r * abs(b)
			}
			if a, ok := exp["max_absolute"].(float64); ok && (w < 0 || a < w) {
				w = a
			}
			if w >= 0 {
				return result.Ptr(b - w), result.Ptr(b + w)
			}
		}
	}
	return nil, nil
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// expectedBounds reads min and max from a check's expected value.
func expectedBounds(e any) (lo, hi *float64) {
	m, ok := e.(map[string]any)
	if !ok {
		return nil, nil
	}
	if v, ok := m["min"].(float64); ok {
		lo = &v
	}
	if v, ok := m["max"].(float64); ok {
		hi = &v
	}
	return lo, hi
}

// expandEnv replaces each ${NAME} in s by the environment variable NAME
// (looked up with lookup, os.LookupEnv when nil); an unset variable is an
// error that names it.
func expandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var missing []string
	out := os.Expand(s, func(name string) string {
		v, ok := lookup(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("dsn: environment variable %s is not set", strings.Join(missing, ", "))
	}
	if out == "" {
		return "", errors.New("dsn: empty")
	}
	return out, nil
}

// HistoryTarget is the store the suite's history is in: override when set,
// else the history section's dsn with ${NAME} expanded from the
// environment (left as written when a variable is unset, so that opening
// it fails) or its path, else the default path beside the suite.
func (s *Suite) HistoryTarget(override string) string {
	switch {
	case override != "":
		return override
	case s.History != nil && s.History.DSN != "":
		if t, err := expandEnv(s.History.DSN, nil); err == nil {
			return t
		}
		return s.History.DSN
	case s.History != nil:
		return s.History.Path
	}
	return filepath.Join(filepath.Dir(s.Path), history.DefaultPath)
}

// HistoryKey is the key the suite's runs share in a history store: its
// name, else its file name without extension.
func (s *Suite) HistoryKey() string { return s.historyKey() }
