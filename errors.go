package trustml

import "github.com/trustml/trustml/internal/yamlx"

// SuiteError is the error Load, Parse and Run return when the suite file
// itself is wrong: every problem found, each with its position. Its message
// has one line per problem, in document order, each reading
// "file:line:col: key.path: message". Match it with errors.As:
//
//	var se *trustml.SuiteError
//	if errors.As(err, &se) {
//		for _, p := range se.Problems { ... }
//	}
type SuiteError = yamlx.Error

// Problem is one mistake in a suite file: its 1-based Line and Col (0 when
// unknown), the dotted key Path ("model.metrics.rmse") and the message.
type Problem = yamlx.Problem
