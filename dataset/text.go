package dataset

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// textSource decodes CSV and TSV: it reads the sample with encoding/csv to
// detect the header and infer the types, then decodes the rows with
// parallelText, or, for a delimiter of more than one byte (and in tests that
// ask for it), with encoding/csv into Arrow builders, keeping the position
// of every field for errors.
type textSource struct {
	path      string
	csv       *csv.Reader
	fs, ps    *arrow.Schema
	idx       []int  // file column of each projected column
	nfields   int    // fields per record
	shape     string // "header" or "first row", for ragged-row errors
	nulls     map[string]bool
	inferred  []bool // per file column: the type was inferred, not set
	sampled   int    // data rows the types were inferred from
	batchSize int

	b   *array.RecordBuilder
	app []appender // per projected column

	pending      [][]string // sampled data rows not yet emitted
	pendingLines [][]int    // line of each field of each pending row
	eof          bool

	par *parallelText // decodes the rows, sample included, unless nil
}

// recorder keeps the bytes read through it while the sample is read, so
// that the parallel decoder can start again from the first data record.
type recorder struct {
	r   io.Reader
	buf []byte
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

// utf8BOM is skipped at the start of text files, as spreadsheets write it.
const utf8BOM = "\ufeff"

func newTextSource(r io.Reader, path string, format Format, opts Options) (src source, err error) {
	comma, lazy := ',', false
	if format == TSV {
		comma, lazy = '\t', true
	}
	if opts.Delimiter != 0 {
		comma = opts.Delimiter
	}
	// The parallel decoder handles one-byte delimiters; it starts again
	// from the first data record, whose offset it takes from the recorder.
	var rec *recorder
	if !opts.sequential && comma < utf8.RuneSelf {
		rec = &recorder{r: r}
		r = rec
	}
	// consumed is the offset in rec.buf of the next byte csv reads.
	var br *bufio.Reader
	consumed := func() int { return len(rec.buf) - br.Buffered() }

	br = bufio.NewReaderSize(r, 1<<16)
	if p, err := br.Peek(len(utf8BOM)); err == nil && string(p) == utf8BOM {
		br.Discard(len(utf8BOM))
	}
	dataStart := 0
	if rec != nil {
		dataStart = consumed()
	}
	// csv reads br itself (bufio.NewReader returns br), so that after each
	// record br is at the start of the next.
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	cr.Comma = comma
	cr.LazyQuotes = lazy
	s := &textSource{
		path:      path,
		csv:       cr,
		nulls:     make(map[string]bool, len(opts.NullValues)),
		batchSize: opts.BatchSize,
	}
	for _, v := range opts.NullValues {
		s.nulls[v] = true
	}

	// Sample the first records: one more than InferRows, in case the
	// first is a header.
	var sample [][]string
	var lines [][]int
	headerEnd := 0
	for len(sample) < opts.InferRows+1 {
		fields, err := s.read()
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			return nil, err
		}
		pos := make([]int, len(fields))
		for i := range fields {
			pos[i], _ = cr.FieldPos(i)
		}
		sample = append(sample, slices.Clone(fields))
		lines = append(lines, pos)
		if len(sample) == 1 && rec != nil {
			headerEnd = consumed()
		}
	}
	if len(sample) == 0 {
		return nil, &emptyError{path: path, why: "no records, only blank lines"}
	}
	s.nfields = len(sample[0])

	header := opts.Header == HeaderPresent
	if opts.Header == HeaderAuto {
		header = s.detectHeader(sample, opts.InferRows)
	}
	s.shape = "first row"
	if header {
		s.shape = "header"
	}
	for i, rec := range sample {
		if len(rec) != s.nfields {
			return nil, s.raggedError(lines[i][0], len(rec))
		}
	}

	names, err := s.names(sample[0], lines[0], header, opts.Names)
	if err != nil {
		return nil, err
	}
	if header {
		sample, lines = sample[1:], lines[1:]
		if len(sample) == 0 {
			return nil, &emptyError{path: path, why: "header only"}
		}
	}

	// Infer types from the first InferRows data rows.
	infer := sample[:min(len(sample), opts.InferRows)]
	s.sampled = len(infer)
	for n := range opts.Types {
		if !slices.Contains(names, n) {
			var missing []string
			for n := range opts.Types {
				if !slices.Contains(names, n) {
					missing = append(missing, n)
				}
			}
			slices.Sort(missing)
			return nil, &MissingColumnsError{Path: path, Missing: missing, Available: names}
		}
	}
	fields := make([]arrow.Field, s.nfields)
	s.inferred = make([]bool, s.nfields)
	for j, name := range names {
		dt, ok := opts.Types[name]
		if ok {
			if dt == nil || !supportedType(dt) {
				return nil, fmt.Errorf("%s: types: column %q: cannot read text as %v", path, name, dt)
			}
		} else {
			var inf inference
			numbers, other := 0, -1
			for i, rec := range infer {
				v := rec[j]
				if s.nulls[v] {
					continue
				}
				inf.observe(v)
				if _, ok := parseFloat(v, 64); ok {
					numbers++
				} else if other < 0 {
					other = i
				}
			}
			dt = inf.result()
			s.inferred[j] = true
			if dt.ID() == arrow.STRING && numbers > 0 {
				fields[j].Metadata = arrow.NewMetadata([]string{HintKey}, []string{
					fmt.Sprintf("%d of its first %d values are numbers, but not %q at %s:%d:%d; fix that value, or set data.types: {%s: float64} and the reader names each value that is not a number",
						numbers, len(infer), infer[other][j], path, lines[other][j], j+1, yamlKey(name)),
				})
			}
		}
		fields[j] = arrow.Field{Name: name, Type: dt, Nullable: true, Metadata: fields[j].Metadata}
	}
	s.fs = arrow.NewSchema(fields, nil)
	s.idx, s.ps, err = projection(path, s.fs, opts.Columns)
	if err != nil {
		return nil, err
	}

	if rec != nil {
		// Decode every data row in parallel, the sampled ones again, from
		// the bytes the recorder kept.
		start := dataStart
		if header {
			start = headerEnd
		}
		line := 1 + bytes.Count(rec.buf[:start], []byte{'\n'})
		s.par = newParallelText(s, rec.buf[start:], rec.r, line, byte(comma), lazy, opts)
		// encoding/csv is done with; let the sample's bytes go once the
		// decoder has taken them.
		s.csv, rec.buf = nil, nil
		return s, nil
	}
	s.b = array.NewRecordBuilder(opts.Allocator, s.ps)
	s.app = make([]appender, len(s.idx))
	for k := range s.idx {
		s.app[k] = newAppender(s.b.Field(k))
	}
	s.pending, s.pendingLines = sample, lines
	return s, nil
}

// read returns the next record, turning encoding/csv's errors into
// *ParseError.
func (s *textSource) read() ([]string, error) {
	rec, err := s.csv.Read()
	if err == nil || err == io.EOF {
		return rec, err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, &ParseError{Path: s.path, Line: pe.Line, Err: fmt.Errorf("%w (at byte %d of the line)", pe.Err, pe.Column)}
	}
	return nil, fmt.Errorf("%s: %w", s.path, err)
}

func (s *textSource) raggedError(line, n int) error {
	return &ParseError{Path: s.path, Line: line, Err: fmt.Errorf("row has %d fields, %s has %d", n, s.shape, s.nfields)}
}

// detectHeader reports whether the first sampled record looks like a header
// rather than data; see the package documentation for the rules.
func (s *textSource) detectHeader(sample [][]string, inferRows int) bool {
	first := sample[0]
	allNumeric, allWords := true, true
	seen := make(map[string]bool, len(first))
	for _, v := range first {
		_, num := parseFloat(v, 64)
		allNumeric = allNumeric && num
		var inf inference
		inf.observe(v)
		word := !s.nulls[v] && !seen[v] && inf.result().ID() == arrow.STRING
		allWords = allWords && word
		seen[v] = true
	}
	if allNumeric {
		return false
	}
	rest := sample[1:]
	rest = rest[:min(len(rest), inferRows)]
	if len(rest) == 0 {
		return allWords
	}
	allString, someNumeric := true, false
	for j := range first {
		var inf inference
		for _, rec := range rest {
			if j < len(rec) && !s.nulls[rec[j]] {
				inf.observe(rec[j])
			}
		}
		dt := inf.result()
		if dt.ID() == arrow.STRING || dt.ID() == arrow.NULL {
			continue
		}
		allString = false
		if dt.ID() == arrow.INT64 || dt.ID() == arrow.FLOAT64 {
			someNumeric = true
		}
		if !s.nulls[first[j]] && !fits(first[j], dt) {
			return true
		}
	}
	return allWords && (someNumeric || allString)
}

// fits reports whether v parses as the inferred type dt.
func fits(v string, dt arrow.DataType) bool {
	var ok bool
	switch dt.ID() {
	case arrow.BOOL:
		_, ok = parseBool(v)
	case arrow.INT64:
		_, ok = parseInt(v, 64)
	case arrow.FLOAT64:
		_, ok = parseFloat(v, 64)
	case arrow.DATE32:
		_, ok = parseDate(v)
	case arrow.TIMESTAMP:
		_, ok = parseTimestamp(v)
	default:
		ok = true
	}
	return ok
}

// names returns the column names: given, from the header, or column0,
// column1, .... An empty header field is named like a column without a
// header; a duplicate name is an error.
func (s *textSource) names(first []string, lines []int, header bool, given []string) ([]string, error) {
	if given != nil {
		if len(given) != s.nfields {
			return nil, fmt.Errorf("%s: %d names given, but the file has %d columns", s.path, len(given), s.nfields)
		}
		for i, n := range given {
			if j := slices.Index(given[:i], n); j >= 0 {
				return nil, fmt.Errorf("%s: names: %q is given twice (names %d and %d)", s.path, n, j+1, i+1)
			}
		}
		return slices.Clone(given), nil
	}
	names := make([]string, s.nfields)
	for i := range names {
		names[i] = "column" + strconv.Itoa(i)
		if header && first[i] != "" {
			names[i] = first[i]
		}
	}
	for i, n := range names {
		if j := slices.Index(names[:i], n); j >= 0 {
			return nil, &ParseError{Path: s.path, Line: lines[i], Column: i + 1,
				Err: fmt.Errorf("duplicate column name %q (fields %d and %d); rename it or set the names", n, j+1, i+1)}
		}
	}
	return names, nil
}

func (s *textSource) fileSchema() *arrow.Schema { return s.fs }
func (s *textSource) schema() *arrow.Schema     { return s.ps }

func (s *textSource) next() (arrow.RecordBatch, error) {
	if s.par != nil {
		return s.par.next()
	}
	n := 0
	for n < s.batchSize {
		if len(s.pending) > 0 {
			rec, lines := s.pending[0], s.pendingLines[0]
			s.pending[0], s.pendingLines[0] = nil, nil
			s.pending, s.pendingLines = s.pending[1:], s.pendingLines[1:]
			if err := s.appendRow(rec, func(j int) int { return lines[j] }); err != nil {
				return nil, err
			}
			n++
			continue
		}
		if s.eof {
			break
		}
		rec, err := s.read()
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != s.nfields {
			line, _ := s.csv.FieldPos(0)
			return nil, s.raggedError(line, len(rec))
		}
		if err := s.appendRow(rec, func(j int) int { l, _ := s.csv.FieldPos(j); return l }); err != nil {
			return nil, err
		}
		n++
	}
	if n == 0 {
		return nil, io.EOF
	}
	return s.b.NewRecordBatch(), nil
}

func (s *textSource) appendRow(rec []string, line func(j int) int) error {
	for k, j := range s.idx {
		v := rec[j]
		if s.nulls[v] {
			s.b.Field(k).AppendNull()
			continue
		}
		if err := s.app[k](v); err != nil {
			return &ParseError{Path: s.path, Line: line(j), Column: j + 1, Field: s.fs.Field(j).Name,
				Err: typeError(err, s.fs.Field(j), v, s.inferred[j], s.sampled)}
		}
	}
	return nil
}

// typeError adds to err, a value not fitting its column, how the column got
// its type and how to change it.
func typeError(err error, f arrow.Field, v string, inferred bool, sampled int) error {
	if _, ok := err.(*encodingError); ok {
		return err
	}
	if !inferred {
		return fmt.Errorf("%w (type set by types)", err)
	}
	return fmt.Errorf("%w (type inferred from the first %d %s; set it with types: {%s: %s})",
		err, sampled, plural(sampled, "row", "rows"), yamlKey(f.Name), widen(f.Type, v))
}

// plural returns one if n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// yamlKey quotes name unless it is a plain YAML key.
func yamlKey(name string) string {
	if name == "" || strings.ContainsFunc(name, func(r rune) bool {
		return !(r == '_' || r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return strconv.Quote(name)
	}
	return name
}

func (s *textSource) release() {
	if s.par != nil {
		s.par.release()
	}
	if s.b != nil {
		s.b.Release()
		s.b = nil
	}
}
