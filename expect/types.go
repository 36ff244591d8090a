package expect

import (
	"regexp"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
)

// Type families accepted by the type check besides Arrow type names.
var typeFamilies = map[string]func(arrow.DataType) bool{
	"integer":  isInteger,
	"float":    isFloat,
	"numeric":  isNumeric,
	"string":   isString,
	"boolean":  func(dt arrow.DataType) bool { return dt.ID() == arrow.BOOL },
	"temporal": isTemporal,
}

// arrowTypeNames are the Arrow type names (DataType.Name) a suite may name.
var arrowTypeNames = []string{
	"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
	"float16", "float32", "float64", "utf8", "large_utf8", "utf8_view", "binary",
	"date32", "date64", "timestamp", "time32", "time64", "duration", "decimal", "dictionary",
}

func typeNames() []string {
	out := append([]string(nil), arrowTypeNames...)
	for k := range typeFamilies {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func knownTypeName(s string) bool {
	if _, ok := typeFamilies[s]; ok {
		return true
	}
	for _, n := range arrowTypeNames {
		if n == s {
			return true
		}
	}
	return false
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
	if f, ok := typeFamilies[name]; ok {
		return f(dt)
	}
	if isTypeString(name) {
		return dt.String() == name
	}
	if name == "decimal" {
		return arrow.IsDecimal(dt.ID())
	}
	return dt.Name() == name
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
