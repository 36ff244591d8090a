package model

import (
	"fmt"
	"strconv"
	"strings"
)

// RowError is an error about some rows of the batch given to a
// [Regressor]'s Predict: the adapters of this package return it (or an
// [*EndpointError]) as the error itself, not wrapped, so that a caller who
// knows which data rows the batch holds can name them with [AtDataRows].
type RowError struct {
	// Source names what failed, e.g. `command ["python3" "p.py"]` or
	// `predict: column "x"`.
	Source string
	// First and Last are the rows, inclusive: 0-based positions in the
	// batch of N rows.
	First, Last, N int
	// DataRows, when set by AtDataRows, holds the data row of each position
	// First..Last.
	DataRows []int
	// Err says what went wrong with the rows.
	Err error
}

// Error formats the error as "model: SOURCE: ROWS: ERR", where ROWS reads
// "row 3 of 16" (positions in the batch) or, after AtDataRows, "data row
// 90".
func (e *RowError) Error() string {
	var rows string
	switch {
	case e.DataRows != nil:
		rows = dataRowsText(e.DataRows)
	case e.First == e.Last:
		rows = fmt.Sprintf("row %d of %d", e.First, e.N)
	default:
		rows = fmt.Sprintf("rows %d..%d of %d", e.First, e.Last, e.N)
	}
	return fmt.Sprintf("model: %s: %s: %v", e.Source, rows, e.Err)
}

// Unwrap returns Err.
func (e *RowError) Unwrap() error { return e.Err }

func (e *RowError) setDataRows(rows []int) bool {
	if e.First < 0 || e.Last < e.First || e.Last >= len(rows) {
		return false
	}
	e.DataRows = rows[e.First : e.Last+1 : e.Last+1]
	return true
}

// dataRowsText names data rows: "data row 90", "data rows 90..105" when
// consecutive, else the first five and the count.
func dataRowsText(rows []int) string {
	if len(rows) == 1 {
		return "data row " + strconv.Itoa(rows[0])
	}
	consecutive := true
	for i := 1; i < len(rows); i++ {
		if rows[i] != rows[i-1]+1 {
			consecutive = false
			break
		}
	}
	if consecutive {
		return fmt.Sprintf("data rows %d..%d", rows[0], rows[len(rows)-1])
	}
	var b strings.Builder
	b.WriteString("data rows ")
	for i, r := range rows[:min(5, len(rows))] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(r))
	}
	if len(rows) > 5 {
		fmt.Fprintf(&b, ", … (%d rows)", len(rows))
	}
	return b.String()
}

// dataRowSetter is an error that can name data rows in place of batch
// positions.
type dataRowSetter interface {
	setDataRows(rows []int) bool
}

// AtDataRows names data rows in err when it is a [*RowError] or an
// [*EndpointError] (as returned by the adapters of this package, or by
// [PredictAll]): rows[i] is the 0-based data row at position i of the
// batch that was predicted. It sets the error's DataRows and returns err.
// Other errors, and positions outside rows, are returned unchanged.
// Call it on the error as returned, before wrapping it.
func AtDataRows(err error, rows []int) error {
	if s, ok := err.(dataRowSetter); ok {
		s.setDataRows(rows)
	}
	return err
}

// rowErrorf returns a RowError about the row at position i of n.
func rowErrorf(source string, i, n int, format string, args ...any) *RowError {
	return &RowError{Source: source, First: i, Last: i, N: n, Err: fmt.Errorf(format, args...)}
}
