// Package report renders a trustml.Result for people and machines: a text
// summary, JSON and JUnit XML. It works from the result alone: it reads no
// data and opens no files; callers give it an io.Writer.
package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

// WriteJSON writes the result as indented JSON, the machine-readable form
// whose layout DESIGN.md section 4 fixes (schema_version, passed, summary,
// checks, run). Every number is encodable: a float that is not finite,
// anywhere in the result, is written as null (NaN) or as the string
// "+Inf" or "-Inf", as [result.Number] writes it; the *_text fields say
// the same for people.
func WriteJSON(w io.Writer, r *trustml.Result) error {
	compact, err := marshalSafe(r)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Grow(len(compact) * 2)
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err = w.Write(b.Bytes())
	return err
}

// TextOptions adjust WriteText.
type TextOptions struct {
	// Quiet leaves out everything but the totals line.
	Quiet bool
}

// WriteText writes the human summary: one line per check that did not pass
// (FAIL, WARN or ERROR, its name and message), then one line of totals.
func WriteText(w io.Writer, r *trustml.Result, opts TextOptions) error {
	var b strings.Builder
	if !opts.Quiet {
		for _, c := range r.Checks {
			if c.Status == result.Pass {
				continue
			}
			fmt.Fprintf(&b, "%-5s %s: %s\n", strings.ToUpper(string(c.Status)), c.Name, c.Message)
		}
	}
	s := r.Summary
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "%s: %d checks: %d passed, %d failed, %d warned, %d errors", verdict, s.Total, s.Pass, s.Fail, s.Warn, s.Error)
	d := r.Run.Data
	if d.Path != "" {
		fmt.Fprintf(&b, " on %s (%d rows)", d.Path, d.Rows)
	}
	fmt.Fprintf(&b, " in %.2fs\n", r.Run.DurationSeconds)
	_, err := io.WriteString(w, b.String())
	return err
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// WriteJUnit writes the result as JUnit XML: one testsuite per section and
// one testcase per check. A failed check is a <failure> whose body gives
// observed against expected and the failing values; a check that could not
// be evaluated is an <error>; a warning passes, with the message in
// <system-out>.
func WriteJUnit(w io.Writer, r *trustml.Result) error {
	out := junitSuites{Name: "trustml", Time: fmt.Sprintf("%.3f", r.Run.DurationSeconds)}
	if r.Run.Name != "" {
		out.Name = "trustml: " + r.Run.Name
	}
	idx := map[result.Section]int{}
	for _, c := range r.Checks {
		i, ok := idx[c.Section]
		if !ok {
			i = len(out.Suites)
			idx[c.Section] = i
			out.Suites = append(out.Suites, junitSuite{Name: string(c.Section)})
		}
		s := &out.Suites[i]
		tc := junitCase{Classname: "trustml." + string(c.Section), Name: c.Name}
		switch c.Status {
		case result.Fail:
			tc.Failure = &junitMessage{Message: c.Message, Type: "fail", Body: evidence(&c)}
			s.Failures++
		case result.Error:
			tc.Error = &junitMessage{Message: c.Message, Type: "error", Body: evidence(&c)}
			s.Errors++
		case result.Warn:
			tc.SystemOut = "warning (severity warn): " + c.Message + "\n" + evidence(&c)
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// evidence is the body of a failure: observed against expected, then the
// failing values by row.
func evidence(c *result.Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "observed: %s\nexpected: %s\n", c.ObservedText, c.ExpectedText)
	if len(c.Sample) > 0 {
		b.WriteString("failing values (row: value):\n")
		for _, f := range c.Sample {
			v := f.Value
			if v == nil {
				v = "null"
			}
			if f.File != "" {
				fmt.Fprintf(&b, "  %s: %v\n", f.Where(), v)
			} else {
				fmt.Fprintf(&b, "  %d: %v\n", f.Row, v)
			}
		}
	}
	return b.String()
}
