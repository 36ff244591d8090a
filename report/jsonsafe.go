package report

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/trustml/trustml/result"
)

// marshalSafe encodes v as compact JSON as encoding/json does (field
// names, omitempty, embedded structs, json.Marshaler and
// encoding.TextMarshaler, sorted map keys), with one difference: a float
// that is not finite, wherever it is, is written as [result.Number]
// writes it (NaN as null, ±Inf as the strings "+Inf" and "-Inf") instead
// of failing the whole encoding. HTML characters are not escaped.
func marshalSafe(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeSafe(&b, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

func encodeSafe(b *bytes.Buffer, v reflect.Value) error {
	if !v.IsValid() {
		b.WriteString("null")
		return nil
	}
	if v.Kind() == reflect.Pointer && v.IsNil() || v.Kind() == reflect.Interface && v.IsNil() {
		b.WriteString("null")
		return nil
	}
	if m, ok := asMarshaler(v); ok {
		raw, err := m.MarshalJSON()
		if err != nil {
			return fmt.Errorf("json: %s: %w", v.Type(), err)
		}
		return json.Compact(b, raw)
	}
	if v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface {
		if tm, ok := asTextMarshaler(v); ok {
			text, err := tm.MarshalText()
			if err != nil {
				return fmt.Errorf("json: %s: %w", v.Type(), err)
			}
			writeString(b, string(text))
			return nil
		}
	}
	switch v.Kind() {
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return encodeSafe(b, reflect.ValueOf(result.Number(f)))
		}
		// encoding/json's own formatting, for output identical to it.
		raw, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		b.Write(raw)
	case reflect.String:
		writeString(b, v.String())
	case reflect.Interface, reflect.Pointer:
		return encodeSafe(b, v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			raw, err := json.Marshal(v.Bytes())
			if err != nil {
				return err
			}
			b.Write(raw)
			return nil
		}
		return encodeList(b, v)
	case reflect.Array:
		return encodeList(b, v)
	case reflect.Map:
		return encodeMap(b, v)
	case reflect.Struct:
		return encodeStruct(b, v)
	default:
		return &json.UnsupportedTypeError{Type: v.Type()}
	}
	return nil
}

func encodeList(b *bytes.Buffer, v reflect.Value) error {
	b.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeSafe(b, v.Index(i)); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

func encodeMap(b *bytes.Buffer, v reflect.Value) error {
	if v.IsNil() {
		b.WriteString("null")
		return nil
	}
	type kv struct {
		k string
		v reflect.Value
	}
	var kvs []kv
	iter := v.MapRange()
	for iter.Next() {
		k, err := mapKey(iter.Key())
		if err != nil {
			return err
		}
		kvs = append(kvs, kv{k, iter.Value()})
	}
	slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	b.WriteByte('{')
	for i, e := range kvs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, e.k)
		b.WriteByte(':')
		if err := encodeSafe(b, e.v); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// mapKey resolves a map key as encoding/json does.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := asTextMarshaler(k); ok {
		text, err := tm.MarshalText()
		return string(text), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", &json.UnsupportedTypeError{Type: k.Type()}
}

func encodeStruct(b *bytes.Buffer, v reflect.Value) error {
	b.WriteByte('{')
	first := true
	for _, f := range fieldsOf(v.Type()) {
		fv, ok := fieldByIndex(v, f.index)
		if !ok || f.omitEmpty && isEmpty(fv) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, f.name)
		b.WriteByte(':')
		if f.quoted {
			var inner bytes.Buffer
			if err := encodeSafe(&inner, fv); err != nil {
				return err
			}
			writeString(b, inner.String())
			continue
		}
		if err := encodeSafe(b, fv); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// fieldByIndex follows index through embedded pointers; ok is false when
// one of them is nil (the field is then left out, as encoding/json does).
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// jsonField is one JSON member of a struct type.
type jsonField struct {
	name      string
	index     []int
	omitEmpty bool
	quoted    bool
	tagged    bool
}

var fieldCache sync.Map // reflect.Type → []jsonField

// fieldsOf lists t's JSON members in encoding/json's order, with its
// rules for embedded structs: the shallowest name wins, a tagged one
// breaks a tie, and an unbroken tie drops the name.
func fieldsOf(t reflect.Type) []jsonField {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]jsonField)
	}
	type cand struct {
		jsonField
		depth int
	}
	var all []cand
	var walk func(t reflect.Type, index []int, depth int, visited map[reflect.Type]bool)
	walk = func(t reflect.Type, index []int, depth int, visited map[reflect.Type]bool) {
		if visited[t] {
			return
		}
		visited[t] = true
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(slices.Clone(index), i)
			ft := sf.Type
			if sf.Anonymous {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
				if name == "" && ft.Kind() == reflect.Struct {
					walk(ft, idx, depth+1, visited)
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			f := jsonField{name: name, index: idx, tagged: name != ""}
			if f.name == "" {
				f.name = sf.Name
			}
			for o := range strings.SplitSeq(opts, ",") {
				switch o {
				case "omitempty":
					f.omitEmpty = true
				case "string":
					switch ft.Kind() {
					case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64, reflect.String:
						f.quoted = true
					}
				}
			}
			all = append(all, cand{f, depth})
		}
		delete(visited, t)
	}
	walk(t, nil, 0, map[reflect.Type]bool{})
	// Keep, per name, the dominant field; keep the order of first sight.
	var out []jsonField
	byName := map[string][]cand{}
	var order []string
	for _, c := range all {
		if _, ok := byName[c.name]; !ok {
			order = append(order, c.name)
		}
		byName[c.name] = append(byName[c.name], c)
	}
	for _, name := range order {
		cs := byName[name]
		minDepth := slices.MinFunc(cs, func(a, b cand) int { return a.depth - b.depth }).depth
		var top []cand
		for _, c := range cs {
			if c.depth == minDepth {
				top = append(top, c)
			}
		}
		if len(top) > 1 {
			var tagged []cand
			for _, c := range top {
				if c.tagged {
					tagged = append(tagged, c)
				}
			}
			top = tagged
		}
		if len(top) == 1 {
			out = append(out, top[0].jsonField)
		}
	}
	// encoding/json orders fields by their index sequence.
	slices.SortStableFunc(out, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	fieldCache.Store(t, out)
	return out
}

func asMarshaler(v reflect.Value) (json.Marshaler, bool) {
	if v.Type().Implements(marshalerType) {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return nil, false
		}
		return v.Interface().(json.Marshaler), true
	}
	if v.Kind() != reflect.Pointer && v.CanAddr() && reflect.PointerTo(v.Type()).Implements(marshalerType) {
		return v.Addr().Interface().(json.Marshaler), true
	}
	return nil, false
}

func asTextMarshaler(v reflect.Value) (encoding.TextMarshaler, bool) {
	if v.Type().Implements(textMarshalerType) {
		return v.Interface().(encoding.TextMarshaler), true
	}
	if v.Kind() != reflect.Pointer && v.CanAddr() && reflect.PointerTo(v.Type()).Implements(textMarshalerType) {
		return v.Addr().Interface().(encoding.TextMarshaler), true
	}
	return nil, false
}

// writeString writes s as a JSON string, without escaping HTML.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}
