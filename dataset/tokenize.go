package dataset

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"math/bits"
)

// tokenizer splits records out of a byte slice that starts at a record
// boundary, following encoding/csv's rules exactly: lines end at '\n', a
// "\r\n" ending counts as '\n', a trailing '\r' at the end of the file is
// dropped, empty lines are skipped, a field that starts with a quote is
// quoted ("" is a quote, newlines are kept), and without lazy quotes a quote
// elsewhere is an error with encoding/csv's message and position. Fields are
// kept as offsets into data, or into scratch for quoted fields, so that no
// field is copied unless it was quoted.
type tokenizer struct {
	data    []byte
	pos     int  // next unread byte of data
	eof     bool // data ends at the end of the file
	numLine int  // line number of the last line read
	delim   byte
	lazy    bool // encoding/csv's LazyQuotes
	quotes  bool // data may hold a quote

	fields  []field
	scratch []byte // the unescaped quoted fields of the current record
}

// field is one field of the current record.
type field struct {
	start, end int  // in data, or in scratch if quoted
	line       int  // line where the field starts
	quoted     bool // the field is in scratch
}

// errIncomplete reports that data ended inside a record and more data
// follows in the file.
var errIncomplete = errors.New("dataset: incomplete record")

// syntaxError is an encoding/csv parse error: err is csv.ErrBareQuote or
// csv.ErrQuote, col the byte of the line.
type syntaxError struct {
	line, col int
	err       error
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("line %d, byte %d: %v", e.line, e.col, e.err)
}

// reset points the tokenizer at data, whose first line is line firstLine.
func (t *tokenizer) reset(data []byte, eof bool, firstLine int) {
	t.data, t.pos, t.eof, t.numLine = data, 0, eof, firstLine-1
	t.quotes = containsByte(data, '"')
}

// scanPiece is the most bytes searched by one call into assembly: the
// garbage collector cannot preempt a goroutine inside assembly and waits
// for it, so long scans are cut into pieces.
const scanPiece = 64 << 10

// containsByte is bytes.IndexByte(b, c) >= 0 in pieces.
func containsByte(b []byte, c byte) bool {
	for len(b) > 0 {
		n := min(len(b), scanPiece)
		if bytes.IndexByte(b[:n], c) >= 0 {
			return true
		}
		b = b[n:]
	}
	return false
}

// countByte is bytes.Count(b, []byte{c}) in pieces.
func countByte(b []byte, c byte) int {
	k := 0
	for len(b) > 0 {
		n := min(len(b), scanPiece)
		k += bytes.Count(b[:n], []byte{c})
		b = b[n:]
	}
	return k
}

// value returns the bytes of f, valid until the next record.
func (t *tokenizer) value(f field) []byte {
	if f.quoted {
		return t.scratch[f.start:f.end]
	}
	return t.data[f.start:f.end]
}

// readLine returns the bounds of the next line without its line ending and
// whether it had a '\n'; ok is false at the end of data.
func (t *tokenizer) readLine() (ls, le int, nl, ok bool) {
	if t.pos >= len(t.data) {
		return 0, 0, false, false
	}
	ls = t.pos
	t.numLine++
	i := bytes.IndexByte(t.data[ls:], '\n')
	if i < 0 {
		le = len(t.data)
		t.pos = le
	} else {
		le = ls + i
		t.pos = le + 1
		nl = true
	}
	if le > ls && t.data[le-1] == '\r' {
		le--
	}
	return ls, le, nl, true
}

// record reads the next record into fields. It returns false at the end of
// data, errIncomplete if data ends inside a quoted field before the end of
// the file, and a *syntaxError where encoding/csv would fail.
func (t *tokenizer) record() (bool, error) {
	t.fields, t.scratch = t.fields[:0], t.scratch[:0]
	var ls, le int
	var nl, ok bool
	for {
		ls, le, nl, ok = t.readLine()
		if !ok {
			return false, nil
		}
		if le > ls {
			break // else an empty line, skipped
		}
	}
	d := t.data
	line, col, p := t.numLine, 1, ls
	for {
		if p == le || d[p] != '"' {
			e := le
			i := indexShort(d[p:le], t.delim)
			if i >= 0 {
				e = p + i
			}
			if t.quotes && !t.lazy {
				if j := bytes.IndexByte(d[p:e], '"'); j >= 0 {
					return false, &syntaxError{line: t.numLine, col: col + j, err: csv.ErrBareQuote}
				}
			}
			t.fields = append(t.fields, field{start: p, end: e, line: line})
			if i < 0 {
				return true, nil
			}
			col += i + 1
			p = e + 1
			continue
		}
		// A quoted field, possibly over several lines.
		fline := line
		p++
		col++
		start := len(t.scratch)
	quoted:
		for {
			i := bytes.IndexByte(d[p:le], '"')
			switch {
			case i >= 0:
				t.scratch = append(t.scratch, d[p:p+i]...)
				p += i + 1
				col += i + 1
				switch {
				case p < le && d[p] == '"':
					t.scratch = append(t.scratch, '"')
					p++
					col++
				case p < le && d[p] == t.delim:
					p++
					col++
					t.fields = append(t.fields, field{start: start, end: len(t.scratch), line: fline, quoted: true})
					break quoted
				case p == le:
					t.fields = append(t.fields, field{start: start, end: len(t.scratch), line: fline, quoted: true})
					return true, nil
				case t.lazy:
					t.scratch = append(t.scratch, '"')
				default:
					return false, &syntaxError{line: t.numLine, col: col - 1, err: csv.ErrQuote}
				}
			case p < le || nl:
				// The field goes on on the next line.
				t.scratch = append(t.scratch, d[p:le]...)
				col += le - p
				if nl {
					t.scratch = append(t.scratch, '\n')
					col++
				}
				p = le
				nl = false
				var more bool
				ls, le, nl, more = t.readLine()
				if !more {
					if !t.eof {
						return false, errIncomplete
					}
					ls, le = p, p
					continue
				}
				if le > ls || nl {
					line++
					col = 1
				}
				p = ls
			default:
				// The end of the file inside a quoted field.
				if !t.lazy {
					return false, &syntaxError{line: line, col: col, err: csv.ErrQuote}
				}
				t.fields = append(t.fields, field{start: start, end: len(t.scratch), line: fline, quoted: true})
				return true, nil
			}
		}
	}
}

// countLines counts the records in b, which holds no quote, starts at a line
// start and ends after a '\n' or at the end of the file, stopping after max
// records. It returns the records counted and the bytes they span.
func countLines(b []byte, max int) (n, size int) {
	if len(b) == 0 {
		return 0, 0
	}
	// bytes.Contains stops at every '\n' on its way to "\n\n" or "\n\r":
	// a file without a CR (most) is spared the second search by one for
	// '\r', which runs at memory speed.
	if b[0] != '\n' && b[0] != '\r' && !bytes.Contains(b, []byte("\n\n")) &&
		(!containsByte(b, '\r') || !bytes.Contains(b, []byte("\n\r"))) {
		// No blank line: every line is a record.
		c := bytes.Count(b, []byte{'\n'})
		if b[len(b)-1] != '\n' {
			c++
		}
		if c <= max {
			return c, len(b)
		}
	}
	for size < len(b) && n < max {
		var l []byte
		if i := bytes.IndexByte(b[size:], '\n'); i >= 0 {
			l = b[size : size+i]
			size += i + 1
		} else {
			l = b[size:]
			size = len(b)
		}
		if len(l) == 0 || len(l) == 1 && l[0] == '\r' {
			continue
		}
		n++
	}
	return n, size
}

// countRecords counts the records in b, which starts at a record boundary
// and ends after a '\n' or, if eof, at the end of the file, stopping after
// max records. Lines without quotes are counted in bulk; a record with a
// quote is parsed with t. It returns the records counted, the bytes they
// span, and errIncomplete if a quoted record goes on past b, or the
// *syntaxError encoding/csv would give.
func countRecords(t *tokenizer, b []byte, max int, eof bool) (n, size int, err error) {
	for size < len(b) && n < max {
		rest := b[size:]
		q := bytes.IndexByte(rest, '"')
		plain := rest
		if q >= 0 {
			plain = rest[:bytes.LastIndexByte(rest[:q], '\n')+1]
		}
		k, s := countLines(plain, max-n)
		n += k
		size += s
		if q < 0 || n == max {
			break
		}
		// The next record holds a quote: parse it.
		t.reset(b[size:], eof, 1)
		ok, err := t.record()
		if err != nil {
			return n, size, err
		}
		if !ok {
			break
		}
		n++
		size += t.pos
	}
	return n, size, nil
}

// indexShort is bytes.IndexByte for b whose c, if any, is likely within a
// few words: it tests 8 bytes at a time in a register, sparing IndexByte's
// setup for short fields, and leaves long ones to IndexByte.
func indexShort(b []byte, c byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	pat := lo * uint64(c)
	i := 0
	for ; i+8 <= len(b) && i < 32; i += 8 {
		w := binary.LittleEndian.Uint64(b[i:]) ^ pat
		// The lowest byte of w that is zero sets the lowest bit of z.
		if z := (w - lo) &^ w & hi; z != 0 {
			return i + bits.TrailingZeros64(z)>>3
		}
	}
	if i < 32 {
		for ; i < len(b); i++ {
			if b[i] == c {
				return i
			}
		}
		return -1
	}
	if j := bytes.IndexByte(b[i:], c); j >= 0 {
		return i + j
	}
	return -1
}
