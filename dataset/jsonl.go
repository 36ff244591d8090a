package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// jsonKind is the kind of a scalar JSON value.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonNumber
	jsonString
	jsonBool
)

// jsonValue is one key and scalar value of a JSON Lines object, the value
// as text: a string's contents or a number's or bool's literal.
type jsonValue struct {
	key  string
	text string
	kind jsonKind
}

// jsonRow is a decoded line.
type jsonRow struct {
	line   int
	values []jsonValue
}

// jsonSource decodes JSON Lines, one object of scalars per line.
type jsonSource struct {
	path      string
	br        *bufio.Reader
	line      int
	fs, ps    *arrow.Schema
	col       map[string]int // file column of each key
	proj      []int          // projected column of each file column, or -1
	inferred  []bool
	sampled   int
	batchSize int
	projected bool // only some columns are read: other keys are ignored

	b     *array.RecordBuilder
	app   []appender
	row   []*jsonValue // per file column, for the row being appended
	queue []jsonRow    // sampled rows not yet emitted
	eof   bool
}

func newJSONSource(r io.Reader, path string, opts Options) (source, error) {
	s := &jsonSource{path: path, br: bufio.NewReaderSize(r, 1<<16), batchSize: opts.BatchSize}
	var keys []string
	kinds := map[string][]bool{} // key → seen kinds, indexed by jsonKind
	integral := map[string]bool{}
	strs := map[string]*inference{}
	for len(s.queue) < opts.InferRows {
		row, err := s.readRow()
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			return nil, err
		}
		for _, v := range row.values {
			k, ok := kinds[v.key]
			if !ok {
				keys = append(keys, v.key)
				k = make([]bool, 4)
				kinds[v.key] = k
				integral[v.key] = true
				strs[v.key] = &inference{}
			}
			k[v.kind] = true
			switch v.kind {
			case jsonNumber:
				if _, ok := parseInt(v.text, 64); !ok {
					integral[v.key] = false
				}
			case jsonString:
				strs[v.key].observe(v.text)
			}
		}
		s.queue = append(s.queue, row)
	}
	if len(s.queue) == 0 {
		return nil, &emptyError{path: path, why: "no JSON objects, only blank lines"}
	}
	s.sampled = len(s.queue)
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no columns: the first %d %s have no keys", path, s.sampled, plural(s.sampled, "object", "objects"))
	}

	// Keys the caller names that the sample lacks may come later.
	var late []string
	for _, n := range opts.Columns {
		if _, ok := kinds[n]; !ok && !slices.Contains(late, n) {
			late = append(late, n)
		}
	}
	for n := range opts.Types {
		if _, ok := kinds[n]; !ok && !slices.Contains(late, n) {
			late = append(late, n)
		}
	}
	if late != nil {
		var err error
		if opts.reopen != nil {
			keys, err = s.scanLate(opts, late, keys, kinds, integral, strs)
		} else {
			keys, err = s.typedLate(opts, late, keys, kinds)
		}
		if err != nil {
			return nil, err
		}
	}
	var missing []string
	for n := range opts.Types {
		if _, ok := kinds[n]; !ok {
			missing = append(missing, n)
		}
	}
	if missing != nil {
		slices.Sort(missing)
		return nil, &MissingColumnsError{Path: path, Missing: missing, Available: keys}
	}
	fields := make([]arrow.Field, len(keys))
	s.inferred = make([]bool, len(keys))
	s.col = make(map[string]int, len(keys))
	for j, key := range keys {
		s.col[key] = j
		dt, ok := opts.Types[key]
		if ok {
			if dt == nil || !supportedType(dt) {
				return nil, fmt.Errorf("%s: types: column %q: cannot read JSON values as %v", path, key, dt)
			}
		} else {
			s.inferred[j] = true
			dt = jsonType(kinds[key], integral[key], strs[key])
		}
		fields[j] = arrow.Field{Name: key, Type: dt, Nullable: true}
	}
	s.fs = arrow.NewSchema(fields, nil)
	idx, ps, err := projection(path, s.fs, opts.Columns)
	if err != nil {
		var me *MissingColumnsError
		if opts.reopen == nil && errors.As(err, &me) {
			return nil, fmt.Errorf("%w (the keys of the first %d %s: a pipe is read once, so name the type of a key that first appears later in data.types)", err, s.sampled, plural(s.sampled, "object", "objects"))
		}
		return nil, err
	}
	s.projected = opts.Columns != nil
	s.ps = ps
	s.proj = slices.Repeat([]int{-1}, len(keys))
	for k, j := range idx {
		s.proj[j] = k
	}
	s.b = array.NewRecordBuilder(opts.Allocator, ps)
	s.app = make([]appender, len(idx))
	for k := range idx {
		s.app[k] = newAppender(s.b.Field(k))
	}
	s.row = make([]*jsonValue, len(keys))
	return s, nil
}

// jsonType infers a column's type from the kinds of its sampled values.
func jsonType(kinds []bool, integral bool, strs *inference) arrow.DataType {
	n := 0
	for _, k := range kinds[1:] {
		if k {
			n++
		}
	}
	switch {
	case n == 0:
		// Nulls only.
		return arrow.Null
	case n != 1:
		// Values of several kinds: keep the text.
		return arrow.BinaryTypes.String
	case kinds[jsonBool]:
		return arrow.FixedWidthTypes.Boolean
	case kinds[jsonNumber] && integral:
		return arrow.PrimitiveTypes.Int64
	case kinds[jsonNumber]:
		return arrow.PrimitiveTypes.Float64
	}
	// Strings: dates and timestamps are recognised, numbers stay text.
	switch dt := strs.result(); dt.ID() {
	case arrow.DATE32, arrow.TIMESTAMP:
		return dt
	}
	return arrow.BinaryTypes.String
}

// readRow reads and decodes the next non-blank line.
func (s *jsonSource) readRow() (jsonRow, error) {
	for {
		line, err := s.br.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				return jsonRow{}, io.EOF
			}
			return jsonRow{}, fmt.Errorf("%s: %w", s.path, err)
		}
		s.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		values, err := decodeObject(line)
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				pe.Path, pe.Line = s.path, s.line
				return jsonRow{}, pe
			}
			return jsonRow{}, &ParseError{Path: s.path, Line: s.line, Err: err}
		}
		return jsonRow{line: s.line, values: values}, nil
	}
}

// decodeObject decodes one JSON object of scalar values, keeping the order
// of its keys.
func decodeObject(line []byte) ([]jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonSyntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected a JSON object, found %s", describe(tok))
	}
	var values []jsonValue
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonSyntax(err)
		}
		key := tok.(string) // the decoder only yields string keys here
		for _, v := range values {
			if v.key == key {
				return nil, &ParseError{Field: key, Err: errors.New("key appears twice in the object")}
			}
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, jsonSyntax(err)
		}
		v := jsonValue{key: key}
		switch t := tok.(type) {
		case nil:
		case json.Number:
			v.kind, v.text = jsonNumber, t.String()
		case string:
			v.kind, v.text = jsonString, t
		case bool:
			v.kind, v.text = jsonBool, fmt.Sprint(t)
		case json.Delim:
			what := "objects"
			if t == '[' {
				what = "arrays"
			}
			return nil, &ParseError{Field: key, Err: fmt.Errorf("nested %s are not supported; flatten the data", what)}
		}
		values = append(values, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonSyntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, jsonSyntax(err)
		}
		return nil, errors.New("more than one JSON value on the line")
	}
	return values, nil
}

func jsonSyntax(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return fmt.Sprintf("%q", string(t))
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprint(tok)
}

func (s *jsonSource) fileSchema() *arrow.Schema { return s.fs }
func (s *jsonSource) schema() *arrow.Schema     { return s.ps }

func (s *jsonSource) next() (arrow.RecordBatch, error) {
	n := 0
	for n < s.batchSize {
		var row jsonRow
		switch {
		case len(s.queue) > 0:
			row = s.queue[0]
			s.queue[0] = jsonRow{}
			s.queue = s.queue[1:]
		case s.eof:
		default:
			var err error
			row, err = s.readRow()
			if err == io.EOF {
				s.eof = true
				break
			}
			if err != nil {
				return nil, err
			}
		}
		if row.line == 0 {
			break
		}
		if err := s.appendRow(row); err != nil {
			return nil, err
		}
		n++
	}
	if n == 0 {
		return nil, io.EOF
	}
	return s.b.NewRecordBatch(), nil
}

func (s *jsonSource) appendRow(row jsonRow) error {
	clear(s.row)
	for i := range row.values {
		v := &row.values[i]
		j, ok := s.col[v.key]
		if !ok {
			if s.projected {
				continue
			}
			return &ParseError{Path: s.path, Line: row.line, Field: v.key,
				Err: fmt.Errorf("not in the columns found in the first %d %s", s.sampled, plural(s.sampled, "row", "rows"))}
		}
		s.row[j] = v
	}
	for j, v := range s.row {
		k := s.proj[j]
		if k < 0 {
			continue
		}
		if v == nil || v.kind == jsonNull {
			s.b.Field(k).AppendNull()
			continue
		}
		if err := s.app[k](v.text); err != nil {
			f := s.fs.Field(j)
			return &ParseError{Path: s.path, Line: row.line, Field: f.Name,
				Err: typeError(err, f, v.text, s.inferred[j], s.sampled)}
		}
	}
	return nil
}

func (s *jsonSource) release() {
	if s.b != nil {
		s.b.Release()
		s.b = nil
	}
}

// scanLate reads and decodes the whole file a second time, from its
// start, because keys in late are not in the sample, and infers the types
// of the keys the sample lacks from their first InferRows values as the
// sample's are inferred. Keys found are appended to keys in order of first
// appearance, so that a key still missing is reported with every key the
// file has. It costs one more read and JSON decoding of the file, only
// when a named key is not in the sample.
func (s *jsonSource) scanLate(opts Options, late, keys []string, kinds map[string][]bool, integral map[string]bool, strs map[string]*inference) ([]string, error) {
	in, c, err := opts.reopen()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	defer c.Close()
	seen := make(map[string]int, len(late))
	for k := range kinds {
		seen[k] = opts.InferRows // typed from the sample
	}
	scan := &jsonSource{path: s.path, br: bufio.NewReaderSize(in, 1<<16)}
	for {
		line, err := scan.br.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				break
			}
			return nil, fmt.Errorf("%s: %w", s.path, err)
		}
		scan.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		values, err := decodeObject(line)
		if err != nil {
			// Reported with its position when the rows are read.
			continue
		}
		for _, v := range values {
			if seen[v.key] >= opts.InferRows {
				continue
			}
			k, ok := kinds[v.key]
			if !ok {
				keys = append(keys, v.key)
				k = make([]bool, 4)
				kinds[v.key] = k
				integral[v.key] = true
				strs[v.key] = &inference{}
			}
			if v.kind == jsonNull {
				continue
			}
			seen[v.key]++
			k[v.kind] = true
			switch v.kind {
			case jsonNumber:
				if _, ok := parseInt(v.text, 64); !ok {
					integral[v.key] = false
				}
			case jsonString:
				strs[v.key].observe(v.text)
			}
		}
	}
	return keys, nil
}

// typedLate adds the keys in late whose type Options.Types sets to the
// columns, for a stream that cannot be read twice.
func (s *jsonSource) typedLate(opts Options, late, keys []string, kinds map[string][]bool) ([]string, error) {
	for _, k := range late {
		if _, ok := opts.Types[k]; ok {
			keys = append(keys, k)
			kinds[k] = make([]bool, 4)
		}
	}
	return keys, nil
}
