package dataset

import (
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// validateArray checks that arr's buffers hold what its type and length
// promise (offsets in bounds and non-decreasing, null counts true,
// dictionary indices in range, strings valid UTF-8), so that the kernels
// that read it can trust them. Binary formats are read from files that may
// be corrupt, and arrow-go's readers check little of what they read.
func validateArray(arr arrow.Array) error {
	var err error
	switch arr.DataType().ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		err = validateText(arr)
	default:
		err = array.ValidateFull(arr)
	}
	if err != nil {
		return fmt.Errorf("corrupt column data: %w", err)
	}
	return nil
}

// validateText validates a utf8 or large_utf8 array as arrow-go's
// ValidateFull does, with the same result, but checks UTF-8 over all the
// values' bytes at once rather than value by value (about ten times
// faster on short strings, where a call per value dominates): arrow-go
// validates the array's structure, null count and offsets as those of a
// binary array, then the bytes from the first offset to the last must be
// valid UTF-8 and every offset must fall on the start of a character. A
// sequence of valid strings is valid and each starts a character;
// conversely, a valid sequence cut only at the starts of characters is cut
// into valid strings. As with ValidateFull, the bytes of null slots count.
func validateText(arr arrow.Array) error {
	d := arr.Data()
	bt := arrow.DataType(arrow.BinaryTypes.Binary)
	if arr.DataType().ID() == arrow.LARGE_STRING {
		bt = arrow.BinaryTypes.LargeBinary
	}
	bd := array.NewData(bt, d.Len(), d.Buffers(), nil, d.NullN(), d.Offset())
	defer bd.Release()
	bin := array.MakeFromData(bd)
	defer bin.Release()
	if err := array.ValidateFull(bin); err != nil {
		return err
	}
	if arr.Len() == 0 {
		return nil
	}
	switch a := arr.(type) {
	case *array.String:
		return validUTF8(a.ValueOffsets(), a.ValueBytes(), a.Offset())
	case *array.LargeString:
		return validUTF8(a.ValueOffsets(), a.ValueBytes(), a.Offset())
	}
	return nil
}

// validUTF8 checks the strings of validated offsets over text, the bytes
// from the first offset to the last (see validateText); off is the array's
// offset, for the index in errors.
func validUTF8[O int32 | int64](offs []O, text []byte, off int) error {
	base := offs[0]
	value := func(i int) []byte { return text[offs[i]-base : offs[i+1]-base] }
	if !utf8.Valid(text) {
		// Name the first invalid value, as ValidateFull does.
		for i := 0; i+1 < len(offs); i++ {
			if !utf8.Valid(value(i)) {
				return fmt.Errorf("arrow/array: string at index %d is not valid utf8: %s", off+i, value(i))
			}
		}
	}
	for i := 1; i+1 < len(offs); i++ {
		if o := offs[i] - base; int(o) < len(text) && !utf8.RuneStart(text[o]) {
			return fmt.Errorf("arrow/array: string at index %d is not valid utf8: %s", off+i-1, value(i-1))
		}
	}
	return nil
}

// validateBatch checks each column of rec as validateArray does, and that
// every column has the batch's length.
func validateBatch(rec arrow.RecordBatch) error {
	for j, c := range rec.Columns() {
		name := rec.Schema().Field(j).Name
		if int64(c.Len()) != rec.NumRows() {
			return fmt.Errorf("column %q: corrupt batch: %d values in a batch of %d rows", name, c.Len(), rec.NumRows())
		}
		if err := validateArray(c); err != nil {
			return fmt.Errorf("column %q: %w", name, err)
		}
	}
	return nil
}

// duplicateColumns reports a schema in which two columns share a name: a
// check would read only one of them. The CSV reader refuses such headers
// as *ParseError. It also refuses a schema without columns, whose row
// count no data backs: a corrupt count would be read as that many rows.
func duplicateColumns(path, format string, s *arrow.Schema) error {
	if s.NumFields() == 0 {
		return fmt.Errorf("%s: the %s file has no columns", path, format)
	}
	seen := make(map[string]int, s.NumFields())
	for i, f := range s.Fields() {
		if j, ok := seen[f.Name]; ok {
			return fmt.Errorf("%s: the %s file has two columns named %q (columns %d and %d); column names must be unique, rename one when writing the file", path, format, f.Name, j+1, i+1)
		}
		seen[f.Name] = i
	}
	return nil
}
