package result

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Field is one column's value in a Tuple: nil for a missing value (null),
// else a value as Failure.Value holds one.
type Field struct {
	Column string
	Value  any
}

// Tuple is the sampled value of a row over several columns (a composite
// key, a whole row of duplicate_rows, the columns of unique_within_record
// or of a reference), its fields in the columns' order as the check names
// them.
//
// In JSON a Tuple is an object whose keys are its columns, in that order
// ({"b":2,"a":1}); a float that is not finite is written as Number writes
// it. Failure.UnmarshalJSON reads an object value back as a Tuple in the
// order of its keys, so a result written before Tuple existed (a map,
// written with its keys sorted) still loads, its columns in that order.
type Tuple []Field

// String writes the tuple for people as messages show it: (a=1, b="x"),
// each value as ShowValue writes it and a missing one as null.
func (t Tuple) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, f := range t {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Column)
		b.WriteByte('=')
		if f.Value == nil {
			b.WriteString("null")
		} else {
			b.WriteString(ShowValue(f.Value))
		}
	}
	b.WriteByte(')')
	return b.String()
}

// Get returns the value of column and whether the tuple has that column.
func (t Tuple) Get(column string) (any, bool) {
	for _, f := range t {
		if f.Column == column {
			return f.Value, true
		}
	}
	return nil, false
}

// MarshalJSON writes the tuple as a JSON object, its keys in the tuple's
// order; a float that is not finite is written as Number writes it, and
// HTML characters are not escaped (as report.WriteJSON writes strings).
func (t Tuple) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, f := range t {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(f.Column); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode ends each value with a newline
		b.WriteByte(':')
		v := f.Value
		switch x := v.(type) {
		case float64:
			v = Number(x)
		case float32:
			v = Number(float64(x))
		}
		if err := enc.Encode(v); err != nil {
			return nil, fmt.Errorf("result: tuple column %q: %w", f.Column, err)
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object as a tuple, its fields in the order of
// the object's keys; values are decoded as encoding/json decodes into an
// any (numbers as float64). null leaves the tuple unchanged.
func (t *Tuple) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("result: a tuple is a JSON object")
	}
	out := Tuple{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var f Field
		f.Column = tok.(string) // inside an object, a key is a string
		if err := dec.Decode(&f.Value); err != nil {
			return err
		}
		out = append(out, f)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	*t = out
	return nil
}

// UnmarshalJSON reads a failure as encoding/json would, except that a
// value that is a JSON object is read as a Tuple, its columns in the
// order of the object's keys.
func (f *Failure) UnmarshalJSON(b []byte) error {
	type plain Failure
	var v struct {
		plain
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Failure(v.plain)
	raw := bytes.TrimSpace(v.Value)
	switch {
	case len(raw) == 0:
		f.Value = nil
	case raw[0] == '{':
		var t Tuple
		if err := t.UnmarshalJSON(raw); err != nil {
			return err
		}
		f.Value = t
	default:
		return json.Unmarshal(raw, &f.Value)
	}
	return nil
}
