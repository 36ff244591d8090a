// Package model trains, wraps and measures regressors and classifiers for
// trustml.
//
// A [Regressor] is anything that turns an Arrow record batch into one
// prediction per row. The package provides four of them:
//
//   - [Linear], fitted here by ordinary least squares or ridge regression
//     with [Fit] (one-hot encoding of string columns, optional
//     standardisation);
//   - [PredictionsColumn], which reads predictions already present in the data;
//   - [Endpoint], an HTTP model server called in batches;
//   - [Command], a long-running subprocess speaking JSON Lines.
//
// [Split] chooses reproducible train and test rows (random with a seed, by
// time, or none), and [Evaluate] measures predictions against targets next
// to the baseline that predicts the training mean. Undefined metrics (R² of
// a constant target, MAPE with only zero targets, no rows) are reported as
// undefined with a reason, never as a NaN that a threshold might let through.
//
// A [Classifier] turns a batch into class labels, per-class probabilities
// or both ([ClassOutput]); [ClassifyAll] checks them (a label that is not a
// class, probabilities outside [0, 1], of the wrong count or not summing to
// 1 name the rows). [Logistic], fitted by [FitLogistic] (L2-penalised,
// binary or multinomial), and the predictions, endpoint and command
// adapters are classifiers too. [EvaluateClasses] measures one
// ([ClassMetrics]) next to the baseline of the training prior and majority
// class, with its ROC curves and reliability diagram; [ChooseThreshold]
// picks a binary decision threshold on the training rows.
//
// A suite's `model` section decodes here, for the model and its
// compare_to alike, into a [Spec] whose [Source] names one adapter kind
// (train, predictions, endpoint, command). Each kind is declared once, in
// the adapters table of source.go: its decoding, description, validation,
// extra columns and how [Source.Open] turns it into a [Regressor]. A kind
// the table does not know is an error. [Spec.Validate] is the one check of
// the section's rules, for suites read from a file and specs built in Go.
//
// Row numbers in errors are zero-based.
package model
