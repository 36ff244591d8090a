package model

import (
	"fmt"
	"math"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// Balance bounds the class imbalance of each split of a classifier's rows
// (the training rows and the evaluated rows): the model section's
// `class_balance: {min_fraction: f, max_ratio: r, min_count: n}`, with the
// meaning of the expectation kind imbalance, per split. A class of the
// target that a split lacks counts as 0 rows there: its fraction is 0 and
// the ratio infinite. At least one bound is set.
type Balance struct {
	// MinFraction bounds every class's share of each split from below.
	MinFraction *float64
	// MaxRatio bounds the largest class's count over the smallest's, in
	// each split, from above (≥ 1).
	MaxRatio *float64
	// MinCount bounds every class's count in each split from below.
	MinCount *int64
	// Severity is the check's; "" means error.
	Severity result.Severity
}

// SplitClasses counts the classes of one split.
type SplitClasses struct {
	// Split is "train", "test", or "all" when the model is evaluated on
	// its training rows (split none).
	Split string `json:"split"`
	Rows  int    `json:"rows"`
	// Counts and Fractions are per class, in class order.
	Counts    []int     `json:"counts"`
	Fractions []float64 `json:"fractions"`
	// Minority and Majority are the least and most frequent classes (the
	// first in class order on a tie); Ratio is their counts' ratio, nil
	// when the minority is absent from the split.
	Minority string   `json:"minority"`
	Majority string   `json:"majority"`
	Ratio    *float64 `json:"ratio"`
}

// ClassBalance counts the classes of each split: y holds the class index
// of every usable row, part the split. A split evaluated on its training
// rows is reported once, as "all".
func ClassBalance(classes []string, y []int, part Partition) []SplitClasses {
	count := func(name string, rows []int) SplitClasses {
		s := SplitClasses{Split: name, Rows: len(rows), Counts: make([]int, len(classes)), Fractions: make([]float64, len(classes))}
		for _, i := range rows {
			s.Counts[y[i]]++
		}
		lo, hi := 0, 0
		for c, n := range s.Counts {
			if len(rows) > 0 {
				s.Fractions[c] = float64(n) / float64(len(rows))
			}
			if n < s.Counts[lo] {
				lo = c
			}
			if n > s.Counts[hi] {
				hi = c
			}
		}
		s.Minority, s.Majority = classes[lo], classes[hi]
		if s.Counts[lo] > 0 {
			r := float64(s.Counts[hi]) / float64(s.Counts[lo])
			s.Ratio = &r
		}
		return s
	}
	if part.OnTrainingData {
		return []SplitClasses{count("all", part.Test)}
	}
	return []SplitClasses{count("train", part.Train), count("test", part.Test)}
}

// Check judges the splits against b: a result.Check named
// "model.class_balance" in section model, failing when any split breaks a
// bound; the message names every split and class that does.
func (b *Balance) Check(splits []SplitClasses) result.Check {
	c := result.Check{Section: result.Model, Name: "model.class_balance", Kind: "class_balance", Severity: b.Severity}
	if c.Severity == "" {
		c.Severity = result.SeverityError
	}
	exp := map[string]any{}
	var want []string
	if b.MinFraction != nil {
		exp["min_fraction"] = *b.MinFraction
		want = append(want, "every class ≥ "+pctText(*b.MinFraction)+" of each split")
	}
	if b.MaxRatio != nil {
		exp["max_ratio"] = *b.MaxRatio
		want = append(want, "majority/minority ≤ "+result.FormatFloat(*b.MaxRatio))
	}
	if b.MinCount != nil {
		exp["min_count"] = *b.MinCount
		want = append(want, fmt.Sprintf("every class ≥ %d rows of each split", *b.MinCount))
	}
	c.Expected, c.ExpectedText = exp, strings.Join(want, ", ")
	var seen, bad []string
	for _, s := range splits {
		minor := s.Counts[0]
		for _, n := range s.Counts {
			minor = min(minor, n)
		}
		frac := 0.0
		if s.Rows > 0 {
			frac = float64(minor) / float64(s.Rows)
		}
		ratio := "∞"
		if s.Ratio != nil {
			ratio = fmt.Sprintf("%.3g", *s.Ratio)
		}
		seen = append(seen, fmt.Sprintf("%s: minority %s %s (%d of %d rows), ratio %s", s.Split, s.Minority, pctText(frac), minor, s.Rows, ratio))
		if b.MinFraction != nil && frac < *b.MinFraction {
			bad = append(bad, fmt.Sprintf("%s split: class %s is %s of %d rows, below %s", s.Split, s.Minority, pctText(frac), s.Rows, pctText(*b.MinFraction)))
		}
		if b.MaxRatio != nil && (s.Ratio == nil || *s.Ratio > *b.MaxRatio) {
			bad = append(bad, fmt.Sprintf("%s split: majority/minority ratio %s (%s/%s) above %s", s.Split, ratio, s.Majority, s.Minority, result.FormatFloat(*b.MaxRatio)))
		}
		if b.MinCount != nil && int64(minor) < *b.MinCount {
			bad = append(bad, fmt.Sprintf("%s split: class %s has %d rows, below %d", s.Split, s.Minority, minor, *b.MinCount))
		}
	}
	c.Observed = splits
	c.ObservedText = strings.Join(seen, "; ")
	c.Status = result.StatusOf(len(bad) == 0, c.Severity)
	c.Message = c.ObservedText
	if len(bad) > 0 {
		c.Message = strings.Join(bad, "; ")
	}
	return c
}

func pctText(f float64) string {
	return result.FormatFloat(math.Round(f*1e4)/100) + "%"
}

var balanceKeys = []string{"min_fraction", "max_ratio", "min_count", "severity"}

// decodeBalance reads class_balance: {min_fraction, max_ratio, min_count,
// severity}.
func decodeBalance(d *yamlx.Decoder, n *yaml.Node, path string, sev result.Severity) *Balance {
	fields, ok := d.Mapping(n, path, balanceKeys)
	if !ok {
		return nil
	}
	b := &Balance{Severity: d.SeverityIn(fields, sev)}
	for _, f := range fields {
		switch f.Key {
		case "min_fraction":
			if v, ok := d.Float(f.Value, f.Path); ok {
				b.MinFraction = &v
			}
		case "max_ratio":
			if v, ok := d.Float(f.Value, f.Path); ok {
				b.MaxRatio = &v
			}
		case "min_count":
			if v, ok := d.Count(f.Value, f.Path); ok {
				b.MinCount = &v
			}
		}
	}
	return b
}

// validate reports impossible bounds, and a balance bound on a regressor.
func (b *Balance) validate(path string, classify bool, fs *yamlx.Findings) {
	if !classify {
		fs.Add(path, "applies to classification: add task: classification to the model section")
		return
	}
	if b.MinFraction == nil && b.MaxRatio == nil && b.MinCount == nil {
		fs.Add(path, "needs a bound: min_fraction, max_ratio or min_count")
	}
	if v := b.MinFraction; v != nil && !(*v >= 0 && *v <= 1) {
		fs.Add(yamlx.Join(path, "min_fraction"), "must be a fraction between 0 and 1, got %s", result.FormatFloat(*v))
	}
	if v := b.MaxRatio; v != nil && !(*v >= 1) {
		fs.Add(yamlx.Join(path, "max_ratio"), "must be ≥ 1 (the majority class's count over the minority's), got %s", result.FormatFloat(*v))
	}
	if v := b.MinCount; v != nil && *v < 0 {
		fs.Add(yamlx.Join(path, "min_count"), "must be ≥ 0, got %d", *v)
	}
	fs.Severity(yamlx.Join(path, "severity"), b.Severity)
}
