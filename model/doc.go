// Package model trains, wraps and measures regressors for trustml.
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
// Row numbers in errors are zero-based.
package model
