package model

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/trustml/trustml/internal/arrowx"
)

// rowEncoder writes rows of a batch as JSON objects holding the chosen
// columns in order, with nulls, NaN and ±Inf as JSON null.
type rowEncoder struct {
	keys [][]byte // `"name":` for each column
	cols []func(dst []byte, i int) ([]byte, error)
}

func newRowEncoder(batch arrow.RecordBatch, features []string) (*rowEncoder, error) {
	if features == nil {
		for i := range int(batch.NumCols()) {
			features = append(features, batch.ColumnName(i))
		}
	}
	e := &rowEncoder{}
	for _, name := range features {
		col, err := arrowx.Column(batch, name)
		if err != nil {
			return nil, err
		}
		key, _ := json.Marshal(name)
		e.keys = append(e.keys, append(key, ':'))
		e.cols = append(e.cols, valueEncoder(col))
	}
	return e, nil
}

func valueEncoder(col arrow.Array) func(dst []byte, i int) ([]byte, error) {
	null := func(dst []byte) []byte { return append(dst, "null"...) }
	switch c := col.(type) {
	case *array.Float64:
		return func(dst []byte, i int) ([]byte, error) {
			if v := c.Value(i); c.IsValid(i) && finite(v) {
				return strconv.AppendFloat(dst, v, 'g', -1, 64), nil
			}
			return null(dst), nil
		}
	case *array.Float32:
		return func(dst []byte, i int) ([]byte, error) {
			if v := float64(c.Value(i)); c.IsValid(i) && finite(v) {
				return strconv.AppendFloat(dst, v, 'g', -1, 32), nil
			}
			return null(dst), nil
		}
	case *array.Float16:
		return func(dst []byte, i int) ([]byte, error) {
			if v := float64(c.Value(i).Float32()); c.IsValid(i) && finite(v) {
				return strconv.AppendFloat(dst, v, 'g', -1, 32), nil
			}
			return null(dst), nil
		}
	case *array.Int64:
		return func(dst []byte, i int) ([]byte, error) {
			if c.IsNull(i) {
				return null(dst), nil
			}
			return strconv.AppendInt(dst, c.Value(i), 10), nil
		}
	}
	if str, ok := arrowx.StringAt(col); ok {
		return func(dst []byte, i int) ([]byte, error) {
			s, valid := str(i)
			if !valid {
				return null(dst), nil
			}
			b, err := json.Marshal(s)
			return append(dst, b...), err
		}
	}
	return func(dst []byte, i int) ([]byte, error) {
		if col.IsNull(i) {
			return null(dst), nil
		}
		v := col.GetOneForMarshal(i)
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return null(dst), nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return dst, fmt.Errorf("column of type %s: %w", col.DataType(), err)
		}
		return append(dst, b...), nil
	}
}

// appendRow appends row i as a JSON object.
func (e *rowEncoder) appendRow(dst []byte, i int) ([]byte, error) {
	dst = append(dst, '{')
	for k, enc := range e.cols {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e.keys[k]...)
		var err error
		if dst, err = enc(dst, i); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}
