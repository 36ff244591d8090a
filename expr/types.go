package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the kind of a value type.
type Kind int

// The value kinds. Every column type the evaluator reads maps to one of
// them (see ColumnType); NullKind is the type of the bare NULL constant, which
// takes the type its context asks for.
const (
	NullKind      Kind = iota
	BoolKind           // arrow boolean
	IntKind            // int64; narrower and unsigned integer columns widen to it
	FloatKind          // float64; float32 columns widen to it
	StringKind         // utf8; large_utf8, string_view and dictionary-encoded strings are read as it
	DateKind           // date32, days since 1970-01-01; date64 is read as it
	TimestampKind      // int64 microseconds since the epoch, with a time zone or none
	IntervalKind       // an INTERVAL constant; no column has this type
)

var kindNames = [...]string{NullKind: "NULL", BoolKind: "BOOLEAN", IntKind: "BIGINT", FloatKind: "DOUBLE", StringKind: "VARCHAR",
	DateKind: "DATE", TimestampKind: "TIMESTAMP", IntervalKind: "INTERVAL"}

// Type is the static type of an expression.
type Type struct {
	Kind Kind
	// Zone is a Timestamp's time zone as Arrow spells it ("UTC",
	// "Europe/Paris", "+02:00"); "" is a timestamp without zone.
	Zone string
}

// String names the type as SQL does: BIGINT, TIMESTAMP WITH TIME ZONE 'UTC'.
func (t Type) String() string {
	if t.Kind == TimestampKind && t.Zone != "" {
		return fmt.Sprintf("TIMESTAMP WITH TIME ZONE '%s'", t.Zone)
	}
	return kindNames[t.Kind]
}

func (t Type) numeric() bool { return t.Kind == IntKind || t.Kind == FloatKind }

// Arrow is the Arrow type of the arrays the evaluator produces for t.
// Null gives arrow.Null.
func (t Type) Arrow() arrow.DataType {
	switch t.Kind {
	case BoolKind:
		return arrow.FixedWidthTypes.Boolean
	case IntKind:
		return arrow.PrimitiveTypes.Int64
	case FloatKind:
		return arrow.PrimitiveTypes.Float64
	case StringKind:
		return arrow.BinaryTypes.String
	case DateKind:
		return arrow.FixedWidthTypes.Date32
	case TimestampKind:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: t.Zone}
	case IntervalKind:
		return arrow.FixedWidthTypes.MonthDayNanoInterval
	}
	return arrow.Null
}

// ColumnType is the expression type of an Arrow column type, and false
// when expressions cannot read the type (lists, structs, decimals,
// binary...). Timestamps of every unit are read as microseconds,
// truncating nanoseconds, as DuckDB's TIMESTAMP does.
func ColumnType(dt arrow.DataType) (Type, bool) {
	switch dt.ID() {
	case arrow.BOOL:
		return Type{Kind: BoolKind}, true
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return Type{Kind: IntKind}, true
	case arrow.FLOAT32, arrow.FLOAT64:
		return Type{Kind: FloatKind}, true
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return Type{Kind: StringKind}, true
	case arrow.DATE32, arrow.DATE64:
		return Type{Kind: DateKind}, true
	case arrow.TIMESTAMP:
		return Type{Kind: TimestampKind, Zone: dt.(*arrow.TimestampType).TimeZone}, true
	case arrow.DICTIONARY:
		return ColumnType(dt.(*arrow.DictionaryType).ValueType)
	}
	return Type{}, false
}
