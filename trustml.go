// Package trustml runs a trust suite: one YAML file that says what must hold
// of a dataset (and, as the suite grows, of a model trained on it), and
// the combined, machine-readable result of running it.
//
// Load or Parse a suite, then Run it:
//
//	s, err := trustml.Load("suite.yaml")
//	if err != nil { ... }            // the suite is malformed: positioned errors
//	res, err := s.Run(ctx, trustml.RunOptions{})
//	if err != nil { ... }            // the run could not happen: data missing, malformed, ...
//	if !res.Passed { ... }           // some error-severity check failed
//
// A failed check is a result, never an error. Run reads the data once,
// evaluating every expectation in the same streaming pass.
package trustml

import (
	"runtime/debug"
)

// SchemaVersion is the version of the result's JSON layout.
const SchemaVersion = 1

// Version is trustml's version: set at link time with
// -ldflags "-X github.com/trustml/trustml.Version=v1.2.3", else taken from
// the module's build information.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == "github.com/trustml/trustml" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/trustml/trustml" {
				return dep.Version
			}
		}
	}
	return "devel"
}

// VersionString returns the version trustml reports in results.
func VersionString() string { return version() }
