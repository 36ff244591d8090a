package expect

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml/internal/arrowx"
	"github.com/trustml/trustml/result"
)

// customCheck is a check whose kind keeps an accumulator of its own, fed
// every batch whole: the kinds that read several columns of a row (column
// pairs, sums across columns), the order of the rows (monotonic) or every
// value (distribution tests, z-scores). Each worker has one accumulator
// per check; they merge at the end, so a kind's result does not depend on
// the number of workers or on batch boundaries.
type customCheck struct {
	check  *Check
	newAcc func() customAcc
}

// customAcc is a custom check's accumulator.
type customAcc interface {
	// add reads one batch; j.offset is the row number of its first row and
	// j.index its place in the stream.
	add(j job) error
	// merge folds another worker's accumulator of the same check in; limit
	// is the number of failing values kept (negative: all).
	merge(o customAcc, limit int)
}

// addCustom plans check c with an accumulator made by newAcc.
func (cp *colPlan) addCustom(c *Check, newAcc func() customAcc) {
	cp.custom = append(cp.custom, &customCheck{check: c, newAcc: newAcc})
}

// customState returns the merged accumulator of custom check c.
func (e *eval) customState(c *Check) customAcc {
	k := slices.IndexFunc(e.cp.custom, func(cc *customCheck) bool { return cc.check == c })
	if k < 0 {
		return nil
	}
	return e.cs.custom[k]
}

// otherColumn returns the index of another column a check reads, or an
// error naming the columns that exist.
func (cp *colPlan) otherColumn(name string) (int, arrow.DataType, error) {
	idx := cp.schema.FieldIndices(name)
	if len(idx) == 0 {
		return 0, nil, errors.New(strings.TrimPrefix(MissingColumnError(name, cp.schema).Error(), "expect: "))
	}
	return idx[0], cp.schema.Field(idx[0]).Type, nil
}

// cell is one value of a row as the custom kinds compare it: a number
// (integers, floats, and dates and timestamps by their integer value), a
// string, or a boolean; missing (null or NaN) otherwise.
type cell struct {
	num     float64
	ival    int64 // integers and times exactly, when isInt
	isInt   bool
	str     string
	kind    cellKind
	display any
}

type cellKind uint8

const (
	cellMissing cellKind = iota
	cellNum
	cellStr
	cellBool
)

// cellReader returns a reader of the cells of arr. Strings are cloned:
// they outlive the batch in samples.
func cellReader(arr arrow.Array) (func(i int) cell, error) {
	if at, ok := intAt(arr); ok {
		return func(i int) cell {
			if arr.IsNull(i) {
				return cell{}
			}
			v := at(i)
			return cell{num: float64(v), ival: v, isInt: true, kind: cellNum, display: v}
		}, nil
	}
	if at, ok := arrowx.NumericAt(arr); ok {
		return func(i int) cell {
			v, ok := at(i)
			if !ok || math.IsNaN(v) {
				return cell{}
			}
			return cell{num: v, kind: cellNum, display: numDisplay(arr, i, v)}
		}, nil
	}
	if at, ok := arrowx.StringAt(arr); ok {
		return func(i int) cell {
			s, ok := at(i)
			if !ok {
				return cell{}
			}
			s = string([]byte(s))
			return cell{str: s, kind: cellStr, display: s}
		}, nil
	}
	if isTemporal(arr.DataType()) || arr.DataType().ID() == arrow.BOOL || arr.DataType().ID() == arrow.NULL {
		cp := &colPlan{dt: arr.DataType()}
		return func(i int) cell {
			if arr.IsNull(i) {
				return cell{}
			}
			v, ok := temporalInt(arr, i)
			if !ok {
				return cell{}
			}
			if arr.DataType().ID() == arrow.BOOL {
				return cell{num: float64(v), kind: cellBool, display: v == 1}
			}
			return cell{num: float64(v), ival: v, isInt: true, kind: cellNum, display: cp.display(v)}
		}, nil
	}
	return nil, fmt.Errorf("cannot read values of type %s", arr.DataType())
}

// intAt reads the signed integers (and unsigned ones below 2^63) of arr
// exactly; ok is false for other types.
func intAt(arr arrow.Array) (func(i int) int64, bool) {
	switch a := arr.(type) {
	case *array.Int8:
		return func(i int) int64 { return int64(a.Value(i)) }, true
	case *array.Int16:
		return func(i int) int64 { return int64(a.Value(i)) }, true
	case *array.Int32:
		return func(i int) int64 { return int64(a.Value(i)) }, true
	case *array.Int64:
		return a.Value, true
	case *array.Uint8:
		return func(i int) int64 { return int64(a.Value(i)) }, true
	case *array.Uint16:
		return func(i int) int64 { return int64(a.Value(i)) }, true
	case *array.Uint32:
		return func(i int) int64 { return int64(a.Value(i)) }, true
	}
	return nil, false
}

// numDisplay is how results show value v of row i: integers as integers.
func numDisplay(arr arrow.Array, i int, v float64) any {
	if isInteger(arr.DataType()) {
		if arr.DataType().ID() == arrow.UINT64 {
			return uint64(v)
		}
		return int64(v)
	}
	return v
}

// temporalInt returns the integer value of a temporal or boolean element.
func temporalInt(arr arrow.Array, i int) (int64, bool) {
	switch a := arr.(type) {
	case interface{ Value(int) arrow.Date32 }:
		return int64(a.Value(i)), true
	case interface{ Value(int) arrow.Date64 }:
		return int64(a.Value(i)), true
	case interface{ Value(int) arrow.Timestamp }:
		return int64(a.Value(i)), true
	case interface{ Value(int) arrow.Time32 }:
		return int64(a.Value(i)), true
	case interface{ Value(int) arrow.Time64 }:
		return int64(a.Value(i)), true
	case interface{ Value(int) arrow.Duration }:
		return int64(a.Value(i)), true
	case interface{ Value(int) bool }:
		if a.Value(i) {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// compare orders two present cells of the same kind: -1, 0 or +1.
func (a cell) compare(b cell) int {
	if a.kind == cellStr {
		switch {
		case a.str < b.str:
			return -1
		case a.str > b.str:
			return 1
		}
		return 0
	}
	if a.isInt && b.isInt {
		switch {
		case a.ival < b.ival:
			return -1
		case a.ival > b.ival:
			return 1
		}
		return 0
	}
	switch {
	case a.num < b.num:
		return -1
	case a.num > b.num:
		return 1
	}
	return 0
}

// failures keeps a row-wise custom check's unexpected count and its first
// failing rows.
type failures struct {
	unexpected, evaluated int64
	sample                []result.Failure
	limit                 int
}

func (f *failures) fail(row int64, v any) {
	f.unexpected++
	if f.limit < 0 || len(f.sample) < f.limit {
		f.sample = append(f.sample, result.Failure{Row: row, Value: v})
	}
}

func (f *failures) mergeFrom(o *failures, limit int) {
	f.unexpected += o.unexpected
	f.evaluated += o.evaluated
	f.sample = sortedRows(append(f.sample, o.sample...), limit)
}
