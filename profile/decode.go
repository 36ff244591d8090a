package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// Encode writes p as indented JSON followed by a newline. The output is
// deterministic: the same profile gives the same bytes.
func Encode(w io.Writer, p *Profile) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// DecodeError is a problem in a saved profile: at a line and column of the
// file (0 when only the key path is known), at a key path, or both.
type DecodeError struct {
	File      string
	Line, Col int
	Path      string // e.g. "columns[2].numeric.sketch.gamma"
	Err       error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// MaxFileSize is the largest saved profile ReadFile reads, in bytes
// (64 MiB): a profile holds a few kilobytes per column, and a path such as
// a link to /dev/zero must not be read until memory runs out.
const MaxFileSize = 64 << 20

// ReadFile returns the bytes of the saved profile at path, for Decode. It
// reads at most MaxFileSize bytes, from a regular file or a pipe; a larger
// file is an error that names the cap, found after reading one byte more
// than the cap whatever the file claims.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a profile", path)
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than the %d MiB a saved profile may be", path, MaxFileSize>>20)
	}
	return src, nil
}

// Decode reads a profile written by Encode from src; file names it in
// errors. Unknown keys, values of the wrong type, a profile_version other
// than Version and inconsistent counts are errors (*DecodeError).
func Decode(file string, src []byte) (*Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, jsonError(file, src, dec, err)
	}
	if dec.More() {
		off := int(dec.InputOffset())
		for off < len(src) && strings.ContainsRune(" \t\r\n", rune(src[off])) {
			off++
		}
		line, col := position(src, off)
		return nil, &DecodeError{File: file, Line: line, Col: col, Err: errors.New("unexpected data after the profile")}
	}
	if p.Version != Version {
		return nil, &DecodeError{File: file, Path: "profile_version",
			Err: fmt.Errorf("this trustml reads profile_version %d, got %d (is this a profile written by `trustml profile`?)", Version, p.Version)}
	}
	if path, err := p.validate(); err != nil {
		return nil, &DecodeError{File: file, Path: path, Err: err}
	}
	return &p, nil
}

func jsonError(file string, src []byte, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the offending byte.
		line, col := position(src, int(se.Offset)-1)
		return &DecodeError{File: file, Line: line, Col: col, Err: fmt.Errorf("invalid JSON: %s", se.Error())}
	case errors.As(err, &te):
		line, col := position(src, valueStart(src, int(te.Offset)))
		return &DecodeError{File: file, Line: line, Col: col, Path: te.Field, Err: fmt.Errorf("must be %s, got a JSON %s", te.Type, te.Value)}
	case errors.Is(err, io.EOF):
		return &DecodeError{File: file, Err: errors.New("empty file: not a profile")}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(src, len(src))
		return &DecodeError{File: file, Line: line, Col: col, Err: errors.New("invalid JSON: unexpected end of file")}
	}
	// Unknown fields and errors of Float.UnmarshalJSON carry no offset;
	// the decoder's offset is just past the value read, and an unknown
	// key is the last occurrence of its quoted name before it.
	off := int(dec.InputOffset())
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if i := bytes.LastIndex(src[:min(off, len(src))], []byte(name)); i >= 0 {
			off = i
		}
	}
	line, col := position(src, off)
	return &DecodeError{File: file, Line: line, Col: col, Err: errors.New(msg)}
}

// valueStart returns the offset where the scalar JSON value ending just
// before end starts.
func valueStart(src []byte, end int) int {
	end = min(max(end, 0), len(src))
	i := end - 1
	if i >= 0 && src[i] == '"' {
		for i--; i >= 0; i-- {
			if src[i] == '"' && (i == 0 || src[i-1] != '\\') {
				return i
			}
		}
		return 0
	}
	for i >= 0 && !strings.ContainsRune(" \t\r\n:,[{", rune(src[i])) {
		i--
	}
	return i + 1
}

// position converts a byte offset into a 1-based line and column (in bytes).
func position(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	line = 1 + bytes.Count(src[:off], []byte{'\n'})
	col = off - bytes.LastIndexByte(src[:off], '\n')
	return line, col
}

// validate reports the first inconsistency and its key path.
func (p *Profile) validate() (string, error) {
	switch {
	case p.Rows < 0:
		return "rows", fmt.Errorf("must be ≥ 0, got %d", p.Rows)
	case !(p.RelativeAccuracy > 0 && p.RelativeAccuracy < 1):
		return "relative_accuracy", fmt.Errorf("must be between 0 and 1, got %v", p.RelativeAccuracy)
	case p.MaxDistinct < 1:
		return "max_distinct", fmt.Errorf("must be ≥ 1, got %d", p.MaxDistinct)
	}
	seen := map[string]bool{}
	for i := range p.Columns {
		c := &p.Columns[i]
		path := fmt.Sprintf("columns[%d]", i)
		if seen[c.Name] {
			return path + ".name", fmt.Errorf("column %q appears twice", c.Name)
		}
		seen[c.Name] = true
		if err := c.validate(p.Rows); err != nil {
			return path, fmt.Errorf("column %q: %w", c.Name, err)
		}
	}
	return "", nil
}

func (c *Column) validate(rows int64) error {
	switch c.Kind {
	case Numeric, String, Boolean, Other:
	default:
		return fmt.Errorf("kind must be numeric, string, boolean or other, got %q", c.Kind)
	}
	if c.Count < 0 || c.Nulls < 0 || c.Count+c.Nulls != rows {
		return fmt.Errorf("count %d and nulls %d do not add up to the profile's %d rows", c.Count, c.Nulls, rows)
	}
	if (c.Numeric != nil) != (c.Kind == Numeric && c.Count > 0) {
		return errors.New("numeric: a numeric summary is present exactly for numeric columns with values")
	}
	if c.HighCardinality && (c.Distinct != nil || c.Values != nil || (c.Numeric != nil && c.Numeric.Values != nil)) {
		return errors.New("a high-cardinality column lists no values and no distinct count")
	}
	if c.Kind != Numeric && c.Kind != Other && !c.HighCardinality {
		if err := checkCounts(len(c.Values), c.Count, c.Distinct, func(i int) int64 { return c.Values[i].Count }); err != nil {
			return err
		}
		for i := 1; i < len(c.Values); i++ {
			if c.Values[i].Value <= c.Values[i-1].Value {
				return fmt.Errorf("values must be sorted and distinct: %q after %q", c.Values[i].Value, c.Values[i-1].Value)
			}
		}
	}
	n := c.Numeric
	if n == nil {
		return nil
	}
	if err := n.Sketch.validate(); err != nil {
		return fmt.Errorf("numeric.sketch: %w", err)
	}
	if n.Sketch.Count() != c.Count {
		return fmt.Errorf("numeric.sketch holds %d values, the column %d", n.Sketch.Count(), c.Count)
	}
	if math.IsNaN(float64(n.Min)) || math.IsNaN(float64(n.Max)) || n.Min > n.Max {
		return fmt.Errorf("numeric: min %v and max %v are not in order", float64(n.Min), float64(n.Max))
	}
	if !c.HighCardinality {
		if err := checkCounts(len(n.Values), c.Count, c.Distinct, func(i int) int64 { return n.Values[i].Count }); err != nil {
			return fmt.Errorf("numeric.%w", err)
		}
		for i := 1; i < len(n.Values); i++ {
			if !(n.Values[i].Value > n.Values[i-1].Value) {
				return fmt.Errorf("numeric.values must be sorted and distinct: %v after %v", float64(n.Values[i].Value), float64(n.Values[i-1].Value))
			}
		}
	}
	return nil
}

func checkCounts(n int, count int64, distinct *int64, at func(int) int64) error {
	if distinct == nil || *distinct != int64(n) {
		return fmt.Errorf("values: %d listed, but distinct says %s", n, fmtDistinct(distinct))
	}
	var sum int64
	for i := range n {
		if at(i) <= 0 {
			return fmt.Errorf("values[%d].count must be > 0, got %d", i, at(i))
		}
		sum += at(i)
	}
	if sum != count {
		return fmt.Errorf("values: counts add up to %d, not the column's count %d", sum, count)
	}
	return nil
}

func fmtDistinct(d *int64) string {
	if d == nil {
		return "nothing"
	}
	return fmt.Sprint(*d)
}
