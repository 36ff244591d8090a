package dataset

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/trustml/trustml/internal/names"
)

// ErrEmpty reports a dataset without data rows: an empty file, a text file
// with a header only, or a binary file whose schema has no rows. Open and
// Reader.Err wrap it with the path; test for it with errors.Is.
var ErrEmpty = errors.New("dataset: no data rows")

// emptyError wraps ErrEmpty with the path and the reason.
type emptyError struct {
	path, why string
}

func (e *emptyError) Error() string { return e.path + ": no data rows (" + e.why + ")" }
func (e *emptyError) Unwrap() error { return ErrEmpty }

// ParseError is a value of a text file that could not be decoded. Its
// message has the form "data.csv:12:3: column \"age\": ...", leaving out the
// parts that are unknown (zero Line or Column, empty Field).
type ParseError struct {
	Path   string // the file, as given to Open
	Line   int    // 1-based line where the record or field starts; 0 if unknown
	Column int    // 1-based field number within the record; 0 if unknown
	Field  string // column name; "" if unknown
	Err    error  // what went wrong
}

// Error formats the error as "path:line:column: column \"name\": err".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "column %q: ", e.Field)
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// MissingColumnsError reports columns named in Options.Columns or
// Options.Types that the file does not have. Its message suggests the
// nearest existing name for each and lists the columns that exist:
//
//	data.csv: no column "agee" (did you mean "age"?); columns are: id, age, income
type MissingColumnsError struct {
	Path      string   // the file, as given to Open
	Missing   []string // the names not found, in the order they were asked for
	Available []string // every column of the file, in file order
}

// Error formats the error with a "did you mean" hint for near misses.
func (e *MissingColumnsError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if len(e.Missing) == 1 {
		b.WriteString(": no column ")
	} else {
		b.WriteString(": no columns ")
	}
	for i, m := range e.Missing {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", m)
		if s := suggest(m, e.Available); s != "" {
			fmt.Fprintf(&b, " (did you mean %q?)", s)
		}
	}
	b.WriteString("; columns are: ")
	b.WriteString(strings.Join(e.Available, ", "))
	return b.String()
}

// suggest returns the candidate nearest to s, if it is near enough to be
// a plausible typo (within a third of its length), or "".
func suggest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, n := range candidates {
		d := names.Distance(strings.ToLower(s), strings.ToLower(n))
		if d > max(1, len([]rune(s))/3) {
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}
