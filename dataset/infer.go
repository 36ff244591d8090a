package dataset

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// timestampUTC is the type inferred for RFC 3339 values.
var timestampUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// inference accumulates, over the non-null values of one column, which types
// every value so far fits.
type inference struct {
	seen                                      bool
	notBool, notInt, notFloat, notDate, notTS bool
}

func (s *inference) observe(v string) {
	s.seen = true
	if !s.notBool {
		_, ok := parseBool(v)
		s.notBool = !ok
	}
	if !s.notInt {
		_, ok := parseInt(v, 64)
		s.notInt = !ok
	}
	if !s.notFloat {
		_, ok := parseFloat(v, 64)
		s.notFloat = !ok
	}
	if !s.notDate {
		_, ok := parseDate(v)
		s.notDate = !ok
	}
	if !s.notTS {
		_, ok := parseTimestamp(v)
		s.notTS = !ok
	}
}

// HintKey is the key of the field metadata in which Open's type inference
// leaves a sentence for the user about a column's inferred type, for a
// message that reports the type as unsuitable to append: for a CSV or TSV
// column inferred as utf8 although some of its values are numbers, where
// the first value that is not a number is and how to read the column as
// numbers.
const HintKey = "trustml.hint"

// result is the narrowest type every observed value fits: bool, int64,
// float64, date32, timestamp[us, tz=UTC], else utf8; null when no value was
// observed (a column of nulls only).
func (s *inference) result() arrow.DataType {
	switch {
	case !s.seen:
		return arrow.Null
	case !s.notBool:
		return arrow.FixedWidthTypes.Boolean
	case !s.notInt:
		return arrow.PrimitiveTypes.Int64
	case !s.notFloat:
		return arrow.PrimitiveTypes.Float64
	case !s.notDate:
		return arrow.FixedWidthTypes.Date32
	case !s.notTS:
		return timestampUTC
	}
	return arrow.BinaryTypes.String
}

// widen returns the type to suggest when v does not fit dt: float64 when a
// numeric column meets a number of another kind, else utf8.
func widen(dt arrow.DataType, v string) arrow.DataType {
	var s inference
	s.observe(v)
	if dt.ID() == arrow.NULL {
		return s.result()
	}
	got := s.result().ID()
	numeric := func(id arrow.Type) bool { return arrow.IsInteger(id) || arrow.IsFloating(id) }
	if numeric(dt.ID()) && numeric(got) {
		return arrow.PrimitiveTypes.Float64
	}
	return arrow.BinaryTypes.String
}

func parseBool(s string) (bool, bool) {
	s = strings.TrimSpace(s)
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

func parseInt(s string, bits int) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
	return v, err == nil
}

func parseUint(s string, bits int) (uint64, bool) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, bits)
	return v, err == nil
}

// parseFloat accepts decimal numbers with an optional exponent and the words
// inf, infinity and nan in any case, with an optional sign; not Go's hex
// floats or digit separators.
func parseFloat(s string, bits int) (float64, bool) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "xX_") {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, bits)
	return v, err == nil
}

func parseDate(s string) (arrow.Date32, bool) {
	s = strings.TrimSpace(s)
	if len(s) != len("2006-01-02") {
		return 0, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	days := t.Unix() / 86400
	return arrow.Date32(days), true
}

func parseTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	return t, err == nil
}

// appender appends the text v, already known not to be a null token, to a
// column's builder; the error says why v does not fit the column's type.
type appender func(v string) error

func notValid(v string, dt arrow.DataType) error {
	return fmt.Errorf("%q is not a valid %s", v, dt)
}

// encodingError is a text value that is not UTF-8, which Arrow strings
// must be: no choice of column type reads it, so it carries no type hint.
type encodingError struct {
	v   string
	off int // byte offset of the first invalid sequence in v
}

func (e *encodingError) Error() string {
	return fmt.Sprintf("%q is not valid UTF-8 (byte %d of the value); convert the file to UTF-8", e.v, e.off+1)
}

// checkUTF8 returns an *encodingError unless v is valid UTF-8.
func checkUTF8(v string) error {
	if utf8.ValidString(v) {
		return nil
	}
	off := 0
	for off < len(v) {
		r, n := utf8.DecodeRuneInString(v[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return &encodingError{v: strings.Clone(v), off: off} // v may alias a reused read buffer
}

// supportedType reports whether text can be decoded into dt.
func supportedType(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING,
		arrow.DATE32, arrow.TIMESTAMP:
		return true
	}
	return false
}

// newAppender returns the appender for b, whose type supportedType accepts.
func newAppender(b array.Builder) appender {
	dt := b.Type()
	switch b := b.(type) {
	case *array.BooleanBuilder:
		return func(v string) error {
			x, ok := parseBool(v)
			if !ok {
				return notValid(v, dt)
			}
			b.Append(x)
			return nil
		}
	case *array.Int8Builder:
		return intAppender(dt, 8, func(x int64) { b.Append(int8(x)) })
	case *array.Int16Builder:
		return intAppender(dt, 16, func(x int64) { b.Append(int16(x)) })
	case *array.Int32Builder:
		return intAppender(dt, 32, func(x int64) { b.Append(int32(x)) })
	case *array.Int64Builder:
		return intAppender(dt, 64, b.Append)
	case *array.Uint8Builder:
		return uintAppender(dt, 8, func(x uint64) { b.Append(uint8(x)) })
	case *array.Uint16Builder:
		return uintAppender(dt, 16, func(x uint64) { b.Append(uint16(x)) })
	case *array.Uint32Builder:
		return uintAppender(dt, 32, func(x uint64) { b.Append(uint32(x)) })
	case *array.Uint64Builder:
		return uintAppender(dt, 64, b.Append)
	case *array.Float32Builder:
		return func(v string) error {
			x, ok := parseFloat(v, 32)
			if !ok {
				return notValid(v, dt)
			}
			b.Append(float32(x))
			return nil
		}
	case *array.Float64Builder:
		return func(v string) error {
			x, ok := parseFloat(v, 64)
			if !ok {
				return notValid(v, dt)
			}
			b.Append(x)
			return nil
		}
	case *array.NullBuilder:
		// A column inferred from nulls only: a later value does not fit.
		return func(v string) error { return fmt.Errorf("%q is not null", v) }
	case *array.StringBuilder:
		return func(v string) error {
			if err := checkUTF8(v); err != nil {
				return err
			}
			b.Append(v)
			return nil
		}
	case *array.LargeStringBuilder:
		return func(v string) error {
			if err := checkUTF8(v); err != nil {
				return err
			}
			b.Append(v)
			return nil
		}
	case *array.Date32Builder:
		return func(v string) error {
			x, ok := parseDate(v)
			if !ok {
				return notValid(v, dt)
			}
			b.Append(x)
			return nil
		}
	case *array.TimestampBuilder:
		unit := dt.(*arrow.TimestampType).Unit
		return func(v string) error {
			t, ok := parseTimestamp(v)
			if !ok {
				return notValid(v, dt)
			}
			x, err := arrow.TimestampFromTime(t, unit)
			if err != nil {
				return notValid(v, dt)
			}
			b.Append(x)
			return nil
		}
	}
	panic(fmt.Sprintf("dataset: no appender for %s", dt))
}

func intAppender(dt arrow.DataType, bits int, app func(int64)) appender {
	return func(v string) error {
		x, ok := parseInt(v, bits)
		if !ok {
			return notValid(v, dt)
		}
		app(x)
		return nil
	}
}

func uintAppender(dt arrow.DataType, bits int, app func(uint64)) appender {
	return func(v string) error {
		x, ok := parseUint(v, bits)
		if !ok {
			return notValid(v, dt)
		}
		app(x)
		return nil
	}
}
