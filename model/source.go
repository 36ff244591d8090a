package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/internal/yamlx"
)

// SourceKind names where a model's predictions come from. It is the key a
// suite's model section (or its compare_to) spells the source with.
type SourceKind string

// The source kinds, one per adapter.
const (
	FromTrain       SourceKind = "train"       // a Linear model fitted here on the training rows
	FromPredictions SourceKind = "predictions" // a column of the data (PredictionsColumn)
	FromEndpoint    SourceKind = "endpoint"    // an HTTP model server (Endpoint)
	FromCommand     SourceKind = "command"     // a subprocess speaking JSON Lines (Command)
)

// Source is where a model's predictions come from: exactly one adapter,
// named by Kind, and that adapter's settings. The same type serves the
// model section and its compare_to.
type Source struct {
	Kind SourceKind
	// Train configures FromTrain; Target and Features are filled in by
	// Open from its options.
	Train *FitOptions
	// Column names the predictions column of FromPredictions: the
	// predicted number of a regressor, the predicted label of a classifier
	// (empty when a classifier gives probabilities only).
	Column string
	// Proba names a classifier's probability columns, one per class
	// (FromPredictions); PositiveProba instead names a binary classifier's
	// one column, the positive class's probability.
	Proba         []ClassColumn
	PositiveProba string
	// Endpoint is FromEndpoint's server; Features are filled in by Open.
	Endpoint *Endpoint
	// Command is FromCommand's argv: a program and its arguments.
	Command []string
	// CommandTimeout is FromCommand's Command.Timeout (zero: the default).
	CommandTimeout time.Duration
}

// ClassColumn is the column holding one class's probability.
type ClassColumn struct {
	Class, Column string
}

// OpenOptions is what Open needs to turn a Source into a Regressor, or a
// Classifier for TaskClassification.
type OpenOptions struct {
	// Task is the model section's (empty: TaskRegression).
	Task string
	// Target and Features are the model section's columns.
	Target   string
	Features []string
	// Classes and Positive are a classifier's classes, in probability
	// order, and the index of a binary classifier's positive class.
	Classes  []string
	Positive int
	// TrainRows are the rows of the data a fitted model trains on.
	TrainRows []int
}

// Opened is a Source turned into a model.
type Opened struct {
	// Regressor is set for a regression task, Classifier for a
	// classification task.
	Regressor  Regressor
	Classifier Classifier
	// Fit is the fitted model of a FromTrain regressor, Logistic of a
	// FromTrain classifier, else nil.
	Fit      *Linear
	Logistic *Logistic
	// Tuning records how a tuned FromTrain source chose its penalty.
	Tuning *Tuning
	// Closer, when not nil, must be closed when the model is no longer
	// needed (a subprocess).
	Closer io.Closer
}

// adapter declares one source kind, in one place: how a suite spells it,
// how it is described, checked and turned into a model. Adding a kind is
// one entry of adapters.
type adapter struct {
	kind SourceKind
	// champion reports whether compare_to may use the kind (a champion is
	// an existing model, not one fitted here).
	champion bool
	decode   func(d *yamlx.Decoder, n *yaml.Node, path, dir string) Source
	describe func(s Source) string
	// validate reports problems of the kind's settings at path.
	validate func(s Source, path string, fs *yamlx.Findings)
	// columns lists the data columns the source reads beyond the features.
	columns func(s Source) []string
	open    func(ctx context.Context, s Source, data []arrow.RecordBatch, o OpenOptions) (Opened, error)
	// classify is open for a classification task.
	classify func(ctx context.Context, s Source, data []arrow.RecordBatch, o OpenOptions) (Opened, error)
}

var adapters = []adapter{
	{
		kind: FromTrain,
		decode: func(d *yamlx.Decoder, n *yaml.Node, path, _ string) Source {
			return Source{Kind: FromTrain, Train: decodeTrain(d, n, path)}
		},
		describe: func(s Source) string { return "fitted " + s.Train.Algorithm },
		validate: func(s Source, path string, fs *yamlx.Findings) {
			if s.Train == nil {
				fs.Add(path, "needs its fit options")
				return
			}
			validateTrain(*s.Train, path, fs)
		},
		open: func(ctx context.Context, s Source, data []arrow.RecordBatch, o OpenOptions) (Opened, error) {
			opts := *s.Train
			opts.Target, opts.Features, opts.Rows = o.Target, o.Features, o.TrainRows
			tu, err := tuneAlpha(ctx, data, &opts)
			if err != nil {
				return Opened{}, err
			}
			lin, err := Fit(ctx, data, opts)
			if err != nil {
				return Opened{}, err
			}
			return Opened{Regressor: lin, Fit: lin, Tuning: tu}, nil
		},
		classify: func(ctx context.Context, s Source, data []arrow.RecordBatch, o OpenOptions) (Opened, error) {
			opts := *s.Train
			opts.Target, opts.Features, opts.Rows = o.Target, o.Features, o.TrainRows
			opts.Classes, opts.Positive = o.Classes, o.Classes[o.Positive]
			tu, err := tuneAlpha(ctx, data, &opts)
			if err != nil {
				return Opened{}, err
			}
			lg, err := FitLogistic(ctx, data, opts)
			if err != nil {
				return Opened{}, err
			}
			return Opened{Classifier: lg, Logistic: lg, Tuning: tu}, nil
		},
	},
	{
		kind:     FromPredictions,
		champion: true,
		decode:   decodePredictions,
		describe: func(s Source) string {
			if len(s.Proba) == 0 && s.PositiveProba == "" {
				return fmt.Sprintf("predictions column %q", s.Column)
			}
			return s.predictionsClasses(nil, 0).(fmt.Stringer).String()
		},
		validate: func(s Source, path string, fs *yamlx.Findings) {
			if s.Column == "" && len(s.Proba) == 0 && s.PositiveProba == "" {
				fs.Add(path, "must name the predictions column")
			}
			if len(s.Proba) > 0 && s.PositiveProba != "" {
				fs.Add(yamlx.Join(path, "proba"), "give one column per class or the positive class's column, not both")
			}
		},
		columns: func(s Source) []string {
			var cols []string
			if s.Column != "" {
				cols = append(cols, s.Column)
			}
			for _, c := range s.Proba {
				cols = append(cols, c.Column)
			}
			if s.PositiveProba != "" {
				cols = append(cols, s.PositiveProba)
			}
			return cols
		},
		open: func(_ context.Context, s Source, _ []arrow.RecordBatch, _ OpenOptions) (Opened, error) {
			return Opened{Regressor: PredictionsColumn(s.Column)}, nil
		},
		classify: func(_ context.Context, s Source, _ []arrow.RecordBatch, o OpenOptions) (Opened, error) {
			if s.PositiveProba != "" && len(o.Classes) != 2 {
				return Opened{}, fmt.Errorf("model: predictions: one probability column %q fits a binary classifier; the target has %d classes (%s): give one column per class",
					s.PositiveProba, len(o.Classes), quoteAll(o.Classes, ", "))
			}
			if len(s.Proba) > 0 {
				var named, missing, extra []string
				for _, c := range s.Proba {
					named = append(named, c.Class)
					if !slices.Contains(o.Classes, c.Class) {
						extra = append(extra, c.Class)
					}
				}
				for _, c := range o.Classes {
					if !slices.Contains(named, c) {
						missing = append(missing, c)
					}
				}
				if len(missing)+len(extra) > 0 {
					msg := fmt.Sprintf("model: predictions: proba names %d classes for the %d of the target (%s)", len(named), len(o.Classes), quoteAll(o.Classes, ", "))
					if len(missing) > 0 {
						msg += "; missing " + quoteAll(missing, ", ")
					}
					if len(extra) > 0 {
						msg += "; not a class of the target: " + quoteAll(extra, ", ")
					}
					return Opened{}, errors.New(msg)
				}
			}
			return Opened{Classifier: s.predictionsClasses(o.Classes, o.Positive)}, nil
		},
	},
	{
		kind:     FromEndpoint,
		champion: true,
		decode: func(d *yamlx.Decoder, n *yaml.Node, path, _ string) Source {
			return Source{Kind: FromEndpoint, Endpoint: decodeEndpoint(d, n, path)}
		},
		describe: func(s Source) string { return "endpoint " + s.Endpoint.String() },
		validate: func(s Source, path string, fs *yamlx.Findings) {
			if s.Endpoint == nil {
				fs.Add(path, "needs the model server: {url: ...}")
				return
			}
			validateEndpoint(*s.Endpoint, path, fs)
		},
		open: func(_ context.Context, s Source, _ []arrow.RecordBatch, o OpenOptions) (Opened, error) {
			e := *s.Endpoint
			e.Features = o.Features
			return Opened{Regressor: e}, nil
		},
		classify: func(_ context.Context, s Source, _ []arrow.RecordBatch, o OpenOptions) (Opened, error) {
			e := *s.Endpoint
			e.Features = o.Features
			return Opened{Classifier: e}, nil
		},
	},
	{
		kind:     FromCommand,
		champion: true,
		decode: func(d *yamlx.Decoder, n *yaml.Node, path, dir string) Source {
			argv, timeout := decodeCommand(d, n, path, dir)
			return Source{Kind: FromCommand, Command: argv, CommandTimeout: timeout}
		},
		describe: func(s Source) string { return fmt.Sprintf("command %q", s.Command) },
		validate: func(s Source, path string, fs *yamlx.Findings) {
			if len(s.Command) == 0 {
				fs.Add(path, "must name a program: [program, args...]")
			}
			if s.CommandTimeout < 0 {
				fs.Add(path, "timeout must be positive")
			}
		},
		open: func(_ context.Context, s Source, _ []arrow.RecordBatch, o OpenOptions) (Opened, error) {
			c := &Command{Argv: s.Command, Features: o.Features, Timeout: s.CommandTimeout}
			return Opened{Regressor: c, Closer: c}, nil
		},
		classify: func(_ context.Context, s Source, _ []arrow.RecordBatch, o OpenOptions) (Opened, error) {
			c := &Command{Argv: s.Command, Features: o.Features, Timeout: s.CommandTimeout}
			return Opened{Classifier: c, Closer: c}, nil
		},
	},
}

func adapterOf(k SourceKind) (adapter, bool) {
	i := slices.IndexFunc(adapters, func(a adapter) bool { return a.kind == k })
	if i < 0 {
		return adapter{}, false
	}
	return adapters[i], true
}

// SourceKinds returns the kinds of source Open knows, in the order a
// suite's documentation lists them.
func SourceKinds() []SourceKind {
	out := make([]SourceKind, len(adapters))
	for i, a := range adapters {
		out[i] = a.kind
	}
	return out
}

func kindNames(champion bool) []string {
	var out []string
	for _, a := range adapters {
		if a.champion || !champion {
			out = append(out, string(a.kind))
		}
	}
	return out
}

func unknownKind(k SourceKind) error {
	return fmt.Errorf("unknown model source kind %q; kinds are %s", k, joinOr(kindNames(false)))
}

// joinOr lists words as "a, b or c".
func joinOr(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// String describes the source for results: "fitted linear",
// `predictions column "yhat"`, "endpoint POST http://...", `command
// ["python3" "m.py"]`; an unknown kind says so.
func (s Source) String() string {
	a, ok := adapterOf(s.Kind)
	if !ok {
		return fmt.Sprintf("unknown source kind %q", s.Kind)
	}
	return a.describe(s)
}

// Columns returns the data columns the source reads beyond the model's
// features (the predictions column of FromPredictions).
func (s Source) Columns() []string {
	if a, ok := adapterOf(s.Kind); ok && a.columns != nil {
		return a.columns(s)
	}
	return nil
}

// Validate reports every problem of the source's kind and settings; an
// unknown kind is an error, never a guess.
func (s Source) Validate() error {
	var fs yamlx.Findings
	s.validate("", false, &fs)
	return fs.Err()
}

func (s Source) validate(path string, champion bool, fs *yamlx.Findings) {
	a, ok := adapterOf(s.Kind)
	switch {
	case !ok:
		fs.Add(path, "%s", unknownKind(s.Kind).Error())
	case champion && !a.champion:
		fs.Add(path, "a champion cannot be %s; it is one of %s", s.Kind, joinOr(kindNames(true)))
	default:
		a.validate(s, yamlx.Join(path, string(s.Kind)), fs)
	}
}

// Open turns the source into a model over data, the rows the model is
// evaluated on (and, for FromTrain, fitted on at o.TrainRows). An unknown
// kind is an error.
func (s Source) Open(ctx context.Context, data []arrow.RecordBatch, o OpenOptions) (Opened, error) {
	a, ok := adapterOf(s.Kind)
	if !ok {
		return Opened{}, fmt.Errorf("model: %w", unknownKind(s.Kind))
	}
	if err := s.Validate(); err != nil {
		return Opened{}, fmt.Errorf("model: %w", err)
	}
	if o.Task == TaskClassification {
		if len(o.Classes) < 2 || o.Positive < 0 || o.Positive >= len(o.Classes) {
			return Opened{}, fmt.Errorf("model: a classifier needs at least two classes and a positive one among them, got %q and %d", o.Classes, o.Positive)
		}
		return a.classify(ctx, s, data, o)
	}
	return a.open(ctx, s, data, o)
}

// predictionsClasses is the Classifier of a FromPredictions source, its
// probability columns in the order of classes.
func (s Source) predictionsClasses(classes []string, positive int) Classifier {
	var proba []string
	if s.PositiveProba != "" {
		proba = []string{s.PositiveProba}
	} else if classes == nil || len(s.Proba) == 0 { // labels only, or as named
		for _, c := range s.Proba {
			proba = append(proba, c.Column)
		}
	} else {
		for _, c := range classes {
			i := slices.IndexFunc(s.Proba, func(p ClassColumn) bool { return p.Class == c })
			proba = append(proba, s.Proba[i].Column)
		}
	}
	return PredictionsClasses(s.Column, proba, classes, positive)
}
