package expect

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/internal/yamlx"
)

// typeName is one name a suite may give a type, declared once for both
// places that read type names: the type check (match) and the suite's
// data.types (read: the Arrow type a text column is read as; nil when the
// name is a family no single type stands for, or a type text is not read
// as).
type typeName struct {
	name  string
	match func(arrow.DataType) bool
	read  arrow.DataType
}

func byName(n string) func(arrow.DataType) bool {
	return func(dt arrow.DataType) bool { return dt.Name() == n }
}

func isBool(dt arrow.DataType) bool { return dt.ID() == arrow.BOOL }

// typeTable is every type name of a suite: Arrow type names
// (DataType.Name) and the families integer, float, numeric, string,
// boolean and temporal.
var typeTable = []typeName{
	{"bool", isBool, arrow.FixedWidthTypes.Boolean},
	{"boolean", isBool, arrow.FixedWidthTypes.Boolean},
	{"int8", byName("int8"), arrow.PrimitiveTypes.Int8},
	{"int16", byName("int16"), arrow.PrimitiveTypes.Int16},
	{"int32", byName("int32"), arrow.PrimitiveTypes.Int32},
	{"int64", byName("int64"), arrow.PrimitiveTypes.Int64},
	{"uint8", byName("uint8"), arrow.PrimitiveTypes.Uint8},
	{"uint16", byName("uint16"), arrow.PrimitiveTypes.Uint16},
	{"uint32", byName("uint32"), arrow.PrimitiveTypes.Uint32},
	{"uint64", byName("uint64"), arrow.PrimitiveTypes.Uint64},
	{"integer", isInteger, arrow.PrimitiveTypes.Int64},
	{"float16", byName("float16"), nil},
	{"float32", byName("float32"), arrow.PrimitiveTypes.Float32},
	{"float64", byName("float64"), arrow.PrimitiveTypes.Float64},
	{"float", isFloat, arrow.PrimitiveTypes.Float64},
	{"numeric", isNumeric, nil},
	{"utf8", byName("utf8"), arrow.BinaryTypes.String},
	{"string", isString, arrow.BinaryTypes.String},
	{"large_utf8", byName("large_utf8"), arrow.BinaryTypes.LargeString},
	{"utf8_view", byName("utf8_view"), nil},
	{"binary", byName("binary"), nil},
	{"date32", byName("date32"), arrow.FixedWidthTypes.Date32},
	{"date64", byName("date64"), nil},
	{"timestamp", byName("timestamp"), &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{"time32", byName("time32"), nil},
	{"time64", byName("time64"), nil},
	{"duration", byName("duration"), nil},
	{"decimal", func(dt arrow.DataType) bool { return arrow.IsDecimal(dt.ID()) }, nil},
	{"dictionary", byName("dictionary"), nil},
	{"temporal", isTemporal, nil},
}

func lookupType(name string) *typeName {
	for i := range typeTable {
		if typeTable[i].name == name {
			return &typeTable[i]
		}
	}
	return nil
}

func typeNames(readable bool) []string {
	var out []string
	for _, t := range typeTable {
		if !readable || t.read != nil {
			out = append(out, t.name)
		}
	}
	sort.Strings(out)
	return out
}

// KnownType reports whether the type check accepts name: a name of the
// type table or a timestamp's full form (see TypeMatches).
func KnownType(name string) bool { return lookupType(name) != nil || isTypeString(name) }

func unknownType(t string) error {
	msg := fmt.Sprintf("unknown type %q", t)
	if h := yamlx.Suggest(t, typeNames(false)); h != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", h)
	}
	return fmt.Errorf("%s; types are Arrow type names (int64, float64, utf8, bool, date32, timestamp ...), integer, float, numeric, string, boolean, temporal, or a timestamp's full form (timestamp[ns], timestamp[ns, tz=UTC])", msg)
}

// ReadType returns the Arrow type a text column is read as when a suite's
// data.types names it, from the same table of names as the type check:
// bool (boolean), int8…int64, integer (int64), uint8…uint64, float32,
// float64 (float), utf8 (string), large_utf8, date32, timestamp
// (microseconds, UTC). A family with no single type (numeric, temporal)
// or a type text is not read as is an error naming the readable ones.
func ReadType(name string) (arrow.DataType, error) {
	if t := lookupType(name); t != nil && t.read != nil {
		return t.read, nil
	}
	names := typeNames(true)
	msg := fmt.Sprintf("unknown type %q", name)
	if lookupType(name) != nil {
		msg = fmt.Sprintf("type %q cannot be read from text", name)
	} else if h := yamlx.Suggest(name, names); h != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", h)
	}
	return nil, errors.New(msg + "; types are " + strings.Join(names, ", "))
}

// timestampString matches the full Arrow form of a timestamp type, with
// its unit and, for zoned timestamps, its time zone: "timestamp[ns]",
// "timestamp[us, tz=UTC]".
var timestampString = regexp.MustCompile(`^timestamp\[(s|ms|us|ns)(, tz=[^\]]+)?\]$`)

// isTypeString reports whether s is a full Arrow type string the type
// check accepts besides the names (see TypeMatches).
func isTypeString(s string) bool { return timestampString.MatchString(s) }

// TypeMatches reports whether dt is of the named type: an Arrow type name
// (DataType.Name: "int64", "utf8", "timestamp", "decimal" for any decimal
// width, "dictionary"), a family: integer, float, numeric, string (utf8,
// large_utf8, utf8_view and dictionaries of those), boolean, temporal, or
// the full form of a timestamp type (DataType.String: "timestamp[ns]" is
// naive, "timestamp[ns, tz=UTC]" zoned), which tells the two apart.
func TypeMatches(dt arrow.DataType, name string) bool {
	if t := lookupType(name); t != nil {
		return t.match(dt)
	}
	return isTypeString(name) && dt.String() == name
}

func isInteger(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func isFloat(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}

func isNumeric(dt arrow.DataType) bool { return isInteger(dt) || isFloat(dt) }

func isString(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return true
	case arrow.DICTIONARY:
		return isString(dt.(*arrow.DictionaryType).ValueType)
	}
	return false
}

func isTemporal(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME32, arrow.TIME64, arrow.DURATION:
		return true
	}
	return false
}
