package dataset

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// validateArray checks that arr's buffers hold what its type and length
// promise (offsets in bounds and non-decreasing, null counts true,
// dictionary indices in range), so that the kernels that read it can trust
// them. Binary formats are read from files that may be corrupt, and
// arrow-go's readers check little of what they read.
func validateArray(arr arrow.Array) error {
	if err := array.ValidateFull(arr); err != nil {
		return fmt.Errorf("corrupt column data: %w", err)
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
