// Package trusttest brings trustml's checks into go test.
//
// Run a whole suite file, one t.Errorf line per failed check:
//
//	func TestData(t *testing.T) {
//		trusttest.Check(t, "testdata/suite.yaml")
//	}
//
// Run a suite file on an Arrow table built in code instead of its data:
//
//	trusttest.CheckTable(t, "testdata/suite.yaml", tbl)
//
// Or assert on an Arrow table built in code, with the same engine and the
// same messages:
//
//	trusttest.Expect(t, tbl).Column("age").NotNull().InRange(0, 120)
//	trusttest.Model(t, regressor, tbl, "price").Metric("r2").AtLeast(0.8)
//
// Every assertion is evaluated when it is called; there is nothing to
// "run" at the end, so none can be forgotten. A failed assertion reports
// with t.Errorf and the chain goes on, so one test shows every problem.
// Helper is called throughout, so failures point at the caller's line.
package trusttest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/report"
	"github.com/trustml/trustml/result"
)

// TestingT is the part of *testing.T that trusttest uses. *testing.T,
// *testing.B, *testing.F and testify's suite.Suite (via s.T()) satisfy it.
type TestingT interface {
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Helper()
	Log(args ...any)
}

// Option adjusts Check.
type Option func(*options)

type options struct {
	data        string
	source      dataset.Source
	json, junit string
}

// WithData checks this data file instead of the suite's data.path.
func WithData(path string) Option { return func(o *options) { o.data = path } }

// WithSource checks src (an Arrow table or record reader built in Go, see
// dataset.FromTable) instead of the suite's data.
func WithSource(src dataset.Source) Option { return func(o *options) { o.source = src } }

// WithJSON also writes the result as JSON to path.
func WithJSON(path string) Option { return func(o *options) { o.json = path } }

// WithJUnit also writes the result as JUnit XML to path.
func WithJUnit(path string) Option { return func(o *options) { o.junit = path } }

// Check runs the suite file at path. Each failed check of severity error
// becomes one t.Errorf line, "name: message"; a warning is logged with
// t.Log; a check that could not be evaluated is a t.Errorf line too. A
// suite that cannot run at all (a malformed suite, missing data) stops the
// test with t.Fatalf. Check returns the result for further assertions, or
// nil after Fatalf (when t does not stop the goroutine).
func Check(t TestingT, path string, opts ...Option) *trustml.Result {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	s, err := trustml.Load(path)
	if err != nil {
		t.Fatalf("trustml: %v", err)
		return nil
	}
	res, err := s.Run(context.Background(), trustml.RunOptions{DataPath: o.data, Source: o.source})
	if err != nil {
		t.Fatalf("trustml: %v", err)
		return nil
	}
	for _, w := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{o.json, func(w io.Writer) error { return report.WriteJSON(w, res) }},
		{o.junit, func(w io.Writer) error { return report.WriteJUnit(w, res) }},
	} {
		if w.path == "" {
			continue
		}
		if err := writeFile(w.path, w.write); err != nil {
			t.Errorf("trustml: %v", err)
		}
	}
	reportChecks(t, res.Checks)
	return res
}

// CheckTable runs the suite file at path on tbl instead of the suite's
// data, as Check does. tbl stays the caller's: CheckTable does not release
// it.
func CheckTable(t TestingT, path string, tbl arrow.Table, opts ...Option) *trustml.Result {
	t.Helper()
	return Check(t, path, append(opts, WithSource(dataset.FromTable(tbl)))...)
}

func reportChecks(t TestingT, checks []result.Check) {
	t.Helper()
	for _, c := range checks {
		switch c.Status {
		case result.Fail:
			t.Errorf("%s: %s", c.Name, c.Message)
		case result.Error:
			t.Errorf("%s: could not be evaluated: %s", c.Name, c.Message)
		case result.Warn:
			t.Log(fmt.Sprintf("warning: %s: %s", c.Name, c.Message))
		}
	}
}

func writeFile(path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
