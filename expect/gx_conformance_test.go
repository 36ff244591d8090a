package expect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/expr"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// TestGreatExpectationsConformance runs Great Expectations' own test
// definitions (GX 1.2, tests/test_definitions/*/*.json, copied unchanged to
// testdata/gx and testdata/gx-more, or the directories named by
// TRUSTML_GX_DIR)
// through the expect engine: each dataset becomes an Arrow table, each
// test's expectation becomes a suite written in YAML (GX.md has the
// translation table) and decoded and evaluated as the command line does,
// and the result is compared with the test's `out` as GX's runner compares
// it:
//
//   - success must match; a test that expects an exception (an `error`
//     block, or `traceback_substring` in `out`) must make trustml reject the
//     suite or fail to evaluate it;
//   - observed_value within np.allclose(rtol 1e-7, atol 0.05), or rtol =
//     the test's tolerance;
//   - unexpected_list (and partial_unexpected_list) as sorted multisets;
//     unexpected_index_list as the set of failing rows;
//   - unexpected_count and missing_count exactly; value_counts, and the
//     observed and expected partitions of kl_divergence.
//
// element_count, missing_percent, unexpected_percent and
// details.mismatched are not compared: they restate the counts above.
//
// Tests GX itself does not run on pandas are not counted. Skipped tests
// name their reason (see gxSkip*); unsupported tests are those of an
// expectation, or a dataset, the harness cannot translate yet. Both are
// listed with their counts at the end, and one line per folder gives
//
//	gx conformance: P passed, F failed, S skipped, U unsupported (of T)
//
// with P + F + S + U = T, then the same line for all folders together.
func TestGreatExpectationsConformance(t *testing.T) {
	var all gxTally
	for _, dir := range gxDirs(t) {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files, "no *.json in %s; set TRUSTML_GX_DIR", dir)
		tally := runGXFiles(t, files)
		fmt.Printf("%s: %s\n", filepath.Base(dir), tally)
		all.add(tally)
	}
	all.log(t)
	fmt.Printf("gx conformance: %s\n", all)
	if all.skipped*10 > all.total {
		t.Errorf("%d of %d tests skipped, more than 10%%", all.skipped, all.total)
	}
}

// gxTally counts the tests of a set of files by outcome, and the reasons
// for skips and unsupported tests.
type gxTally struct {
	passed, failed, skipped, unsupported, total int
	reasons, unsupportedTypes                   map[string]int
}

func (g gxTally) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped, %d unsupported (of %d)",
		g.passed, g.failed, g.skipped, g.unsupported, g.total)
}

func (g *gxTally) count(m *map[string]int, key string) {
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[key]++
}

func (g *gxTally) add(o gxTally) {
	g.passed += o.passed
	g.failed += o.failed
	g.skipped += o.skipped
	g.unsupported += o.unsupported
	g.total += o.total
	for k, n := range o.reasons {
		for range n {
			g.count(&g.reasons, k)
		}
	}
	for k, n := range o.unsupportedTypes {
		for range n {
			g.count(&g.unsupportedTypes, k)
		}
	}
}

// log lists the skip reasons and the unsupported expectation types, each
// with its count, in a stable order.
func (g gxTally) log(t *testing.T) {
	for _, k := range slices.Sorted(maps.Keys(g.reasons)) {
		fmt.Printf("skipped %d: %s\n", g.reasons[k], k)
	}
	for _, k := range slices.Sorted(maps.Keys(g.unsupportedTypes)) {
		why := gxUnsupportedWhy[k]
		if why == "" {
			why = "no translation yet"
		}
		fmt.Printf("unsupported %d: %s: %s\n", g.unsupportedTypes[k], k, why)
	}
}

// gxUnsupported marks a test the harness cannot translate: the reason
// returned by translateGX, or the error of a dataset it cannot build.
type gxUnsupported struct{ what string }

func (u gxUnsupported) Error() string { return "unsupported: " + u.what }

func runGXFiles(t *testing.T, files []string) gxTally {
	var g gxTally
	for _, path := range files {
		f := readGXFile(t, path)
		for _, ds := range f.Datasets {
			var tests []gxTest
			for _, tc := range ds.Tests {
				if runsOnPandas(ds, tc) {
					tests = append(tests, tc)
				}
			}
			if len(tests) == 0 {
				continue
			}
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			tbl, err := buildGXTable(mem, ds)
			for _, tc := range tests {
				g.total++
				name := strings.TrimSuffix(filepath.Base(path), ".json") + "/" + tc.Title
				var problem, reason string
				if err == nil {
					problem, reason = runGXTest(f.ExpectationType, tc, tbl)
				}
				switch {
				case err != nil:
					g.unsupported++
					g.count(&g.unsupportedTypes, f.ExpectationType+" (dataset: "+err.Error()+")")
				case reason == gxNoTranslation:
					g.unsupported++
					g.count(&g.unsupportedTypes, f.ExpectationType)
				case reason != "":
					g.skipped++
					g.count(&g.reasons, reason)
				case problem != "":
					g.failed++
					t.Errorf("%s: %s", name, problem)
				default:
					g.passed++
				}
			}
			if tbl != nil {
				tbl.Release()
			}
			mem.AssertSize(t, 0)
		}
	}
	return g
}

// Reasons for leaving a test out. Each names a GX feature trustml does not
// have on purpose; GX.md says why.
const (
	gxSkipUnbounded       = "bound-less check: GX passes a check with no bound (no min/max, threshold or set) vacuously; trustml rejects a check that checks nothing"
	gxSkipRowCondition    = "row_condition: a pandas query beyond comparisons joined with & and |, or on an expectation without a column or table form"
	gxSkipConditionParser = "row_condition with a condition_parser other than pandas: GX raises; trustml's where: has one language"
	gxSkipConditionTypes  = "row_condition compares a mixed-type (object) column with a number: pandas compares Python objects, trustml's where: types strictly and reports a suite error"
	gxSkipParameter       = "suite parameters ($PARAMETER, evaluated at run time): a trustml suite is static"
	gxSkipTemporalBound   = "date-time bounds on a statistic of a timestamp column: trustml's statistic bounds are numbers"
	gxSkipEmptySet        = "empty value_set: trustml rejects an empty set as a mistake (GX fails every value)"
	gxSkipColumnIndex     = "column_index: trustml checks column order for the whole list (columns.exact with ordered: true), not one column's position"
	gxSkipProfiling       = "no partition_object: GX profiles the data into its own histogram and checks nothing; trustml compares with a given partition"

	// gxNoTranslation marks an expectation trustml has no suite key for
	// yet: its tests count as unsupported, not skipped.
	gxNoTranslation = "no translation"
)

// gxDirs is the directories of TRUSTML_GX_DIR (a list separated by the
// OS's path-list separator, ":" on Unix), or testdata/gx and
// testdata/gx-more.
func gxDirs(t *testing.T) []string {
	if d := os.Getenv("TRUSTML_GX_DIR"); d != "" {
		return filepath.SplitList(d)
	}
	dirs := []string{filepath.Join("testdata", "gx"), filepath.Join("testdata", "gx-more")}
	for _, d := range dirs {
		_, err := os.Stat(d)
		require.NoError(t, err, "the GX test definitions are part of the repository")
	}
	return dirs
}

type gxFile struct {
	ExpectationType string      `json:"expectation_type"`
	Datasets        []gxDataset `json:"datasets"`
}

type gxDataset struct {
	Data     json.RawMessage            `json:"data"`
	Schemas  map[string]json.RawMessage `json:"schemas"` // by backend; only "pandas" is read
	OnlyFor  []string                   `json:"only_for"`
	Suppress []string                   `json:"suppress_test_for"`
	Tests    []gxTest                   `json:"tests"`
}

type gxTest struct {
	Title     string          `json:"title"`
	In        map[string]any  `json:"in"`
	Out       map[string]any  `json:"out"`
	OnlyFor   []string        `json:"only_for"`
	Suppress  []string        `json:"suppress_test_for"`
	Error     json.RawMessage `json:"error"`
	Tolerance *float64        `json:"tolerance"`
}

// readGXFile decodes a test file. The files are Python's json.dumps output:
// bare Infinity and -Infinity, which encoding/json refuses, are read as
// the strings "Infinity" and "-Infinity". Numbers keep their text.
func readGXFile(t *testing.T, path string) gxFile {
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	var out bytes.Buffer
	inString, escaped := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case bytes.HasPrefix(src[i:], []byte("-Infinity")):
			out.WriteString(`"-Infinity"`)
			i += len("-Infinity") - 1
			continue
		case bytes.HasPrefix(src[i:], []byte("Infinity")):
			out.WriteString(`"Infinity"`)
			i += len("Infinity") - 1
			continue
		}
		out.WriteByte(c)
	}
	dec := json.NewDecoder(&out)
	dec.UseNumber()
	var f gxFile
	require.NoError(t, dec.Decode(&f), path)
	return f
}

func namesPandas(list []string) bool {
	return slices.Contains(list, "pandas") || slices.Contains(list, "pandas>=024")
}

// runsOnPandas applies GX's only_for and suppress_test_for to pandas.
func runsOnPandas(ds gxDataset, tc gxTest) bool {
	if ds.OnlyFor != nil && !namesPandas(ds.OnlyFor) {
		return false
	}
	if tc.OnlyFor != nil && !namesPandas(tc.OnlyFor) {
		return false
	}
	return !slices.Contains(ds.Suppress, "pandas") && !slices.Contains(tc.Suppress, "pandas")
}

// buildGXTable makes the dataset's columns, in their JSON order, with the
// types pandas gives them: the `schemas.pandas` dtype when there is one,
// else inferred (all numbers: int64, or float64 when one has a fraction or
// exponent; strings: utf8; booleans: bool; all null: Arrow's null type;
// mixed: pandas' object column of Python str() texts, utf8).
func buildGXTable(mem memory.Allocator, ds gxDataset) (arrow.Table, error) {
	dec := json.NewDecoder(bytes.NewReader(ds.Data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, gxUnsupported{"data is not one table (a JSON object of columns)"}
	}
	var dtypes map[string]string
	if raw, ok := ds.Schemas["pandas"]; ok {
		if err := json.Unmarshal(raw, &dtypes); err != nil {
			return nil, gxUnsupported{"pandas schema is not a map of column dtypes"}
		}
	}
	var fields []arrow.Field
	var cols []arrow.Array
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	rows := -1
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			release()
			return nil, err
		}
		var vals []any
		if err := dec.Decode(&vals); err != nil {
			release()
			return nil, gxUnsupported{fmt.Sprintf("column %v is not a list of values", k)}
		}
		name := k.(string)
		arr, err := gxColumn(mem, vals, dtypes[name])
		if err != nil {
			release()
			return nil, err
		}
		cols = append(cols, arr)
		if rows >= 0 && rows != arr.Len() {
			release()
			return nil, gxUnsupported{fmt.Sprintf("column %s has %d rows, not %d", name, arr.Len(), rows)}
		}
		rows = arr.Len()
		fields = append(fields, arrow.Field{Name: name, Type: arr.DataType(), Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, cols, int64(max(rows, 0)))
	release()
	defer rec.Release()
	return array.NewTableFromRecords(schema, []arrow.RecordBatch{rec}), nil
}

func gxColumn(mem memory.Allocator, vals []any, dtype string) (arrow.Array, error) {
	kind := strings.ToLower(dtype)
	if kind == "" || kind == "object" {
		kind = inferKind(vals)
	}
	bad := func(v any) (arrow.Array, error) {
		return nil, gxUnsupported{fmt.Sprintf("value %v as pandas dtype %q", v, kind)}
	}
	switch kind {
	case "int", "int64", "int64dtype":
		b := array.NewInt64Builder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
				continue
			}
			num, _ := v.(json.Number)
			n, err := strconv.ParseInt(string(num), 10, 64)
			if err != nil {
				return bad(v)
			}
			b.Append(n)
		}
		return b.NewArray(), nil
	case "float", "float64":
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
				continue
			}
			num, _ := v.(json.Number)
			f, err := num.Float64()
			if err != nil {
				return bad(v)
			}
			b.Append(f)
		}
		return b.NewArray(), nil
	case "bool":
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		for _, v := range vals {
			x, ok := v.(bool)
			switch {
			case v == nil:
				b.AppendNull()
			case !ok:
				return bad(v)
			default:
				b.Append(x)
			}
		}
		return b.NewArray(), nil
	case "str", "string", "mixed":
		b := array.NewStringBuilder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
				continue
			}
			s, ok := pythonStr(v)
			if !ok {
				return bad(v)
			}
			b.Append(s)
		}
		return b.NewArray(), nil
	case "null":
		b := array.NewNullBuilder(mem)
		defer b.Release()
		b.AppendNulls(len(vals))
		return b.NewArray(), nil
	case "datetime", "datetime64", "datetime64[ns]", "timestamp", "date":
		var dt arrow.DataType = &arrow.TimestampType{Unit: arrow.Nanosecond}
		switch kind {
		case "timestamp":
			dt = &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
		case "date":
			dt = arrow.FixedWidthTypes.Date32
		}
		b := array.NewBuilder(mem, dt)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
				continue
			}
			s, _ := v.(string)
			ts, err := parseGXTime(s)
			if err != nil {
				return bad(v)
			}
			switch b := b.(type) {
			case *array.TimestampBuilder:
				b.Append(arrow.Timestamp(ts.UnixNano()))
			case *array.Date32Builder:
				b.Append(arrow.Date32FromTime(ts))
			}
		}
		return b.NewArray(), nil
	}
	return nil, gxUnsupported{fmt.Sprintf("no Arrow type for pandas dtype %q", dtype)}
}

func inferKind(vals []any) string {
	kinds := map[string]bool{}
	for _, v := range vals {
		switch x := v.(type) {
		case json.Number:
			if strings.ContainsAny(string(x), ".eE") {
				kinds["float"] = true
			} else {
				kinds["int"] = true
			}
		case string:
			kinds["str"] = true
		case bool:
			kinds["bool"] = true
		}
	}
	switch {
	case len(kinds) == 0:
		return "null"
	case len(kinds) == 2 && kinds["int"] && kinds["float"]:
		return "float"
	case len(kinds) > 1:
		return "mixed"
	}
	for k := range kinds {
		return k
	}
	return ""
}

// pythonStr is Python's str() of a JSON scalar, as pandas' astype(str);
// ok is false for a list or an object.
func pythonStr(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	case string:
		return x, true
	}
	return "", false
}

func parseGXTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", "Jan 02 2006 15:04:05"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a date-time", s)
}

// runGXTest evaluates one test; it returns what disagrees with GX, or the
// reason the test is left out.
func runGXTest(expectation string, tc gxTest, tbl arrow.Table) (problem, skip string) {
	wantError := tc.Error != nil
	if _, ok := tc.Out["traceback_substring"]; ok {
		wantError = true
	}
	in := tc.In
	where := ""
	if rc, ok := in["row_condition"].(string); ok {
		if cp, _ := in["condition_parser"].(string); cp != "pandas" {
			return "", gxSkipConditionParser
		}
		if where, ok = pandasCondition(rc); !ok {
			return "", gxSkipRowCondition
		}
		in = maps.Clone(in)
		delete(in, "row_condition")
		delete(in, "condition_parser")
	}
	src, skip := translateGX(expectation, in, wantError, tbl.Schema())
	if skip != "" {
		return "", skip
	}
	if where != "" {
		// GX's row_condition is a where: on the check's column, or on the
		// suite for a table check.
		col, _ := in["column"].(string)
		w := flowYAML("where") + ": " + flowYAML(where) + ", "
		switch cp := "{" + flowYAML("columns") + ": {" + flowYAML(col) + ": {"; {
		case col != "" && strings.HasPrefix(src, cp):
			src = cp + w + strings.TrimPrefix(src, cp)
		case strings.HasPrefix(src, "{"+flowYAML("table")+": "):
			src = "{" + w + strings.TrimPrefix(src, "{")
		default:
			return "", gxSkipRowCondition
		}
	}
	res, err := evaluateYAML(src, tbl)
	if xe := (expect.ExpressionErrors{}); where != "" && errors.As(err, &xe) {
		return "", gxSkipConditionTypes
	}
	if err == nil && res.Status == result.Error {
		err = errors.New(res.Message)
	}
	if wantError {
		if err == nil {
			return fmt.Sprintf("GX raises an error; trustml gave %s (%s) for %s", res.Status, res.Message, src), ""
		}
		return "", ""
	}
	if err != nil {
		return fmt.Sprintf("trustml could not evaluate %s: %v", src, err), ""
	}
	var problems []string
	for key, want := range tc.Out {
		if p := compareGX(key, want, res, tc); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Sprintf("%s\n\tsuite: %s\n\tmessage: %s", strings.Join(problems, "\n\t"), src, res.Message), ""
	}
	return "", ""
}

// evaluateYAML decodes the expectations section src and evaluates its one
// check over tbl in batches of 7 rows on two workers, keeping every
// failing value.
func evaluateYAML(src string, tbl arrow.Table) (result.Check, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		return result.Check{}, err
	}
	d := &yamlx.Decoder{File: "gx.yaml"}
	s := expect.Decode(d, n.Content[0], "expectations")
	if err := d.Err(); err != nil {
		return result.Check{}, err
	}
	rr := array.NewTableReader(tbl, 7)
	defer rr.Release()
	res, err := s.Evaluate(context.Background(), rr, expect.Options{Workers: 2, SampleSize: -1})
	if err != nil {
		return result.Check{}, err
	}
	if len(res) != 1 {
		return result.Check{}, fmt.Errorf("%d results for one check", len(res))
	}
	return res[0], nil
}

// ymap is a YAML mapping with its keys in order.
type ymap []ykv

type ykv struct {
	k string
	v any
}

// flowYAML writes v in YAML's flow style.
func flowYAML(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case ymap:
		parts := make([]string, len(x))
		for i, kv := range x {
			parts[i] = flowYAML(kv.k) + ": " + flowYAML(kv.v)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = flowYAML(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := ymap{}
		for _, k := range keys {
			m = append(m, ykv{k, x[k]})
		}
		return flowYAML(m)
	case json.Number:
		return string(x)
	case float64:
		switch {
		case math.IsInf(x, 1):
			return ".inf"
		case math.IsInf(x, -1):
			return "-.inf"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		switch x {
		case "Infinity":
			return ".inf"
		case "-Infinity":
			return "-.inf"
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	panic(fmt.Sprintf("flowYAML: %T", v))
}

// bounds turns GX's min_value/max_value (absent or null: no bound) and
// strict_min/strict_max into trustml's bound keys.
func bounds(in map[string]any, minKey, maxKey string) ymap {
	var m ymap
	if v := in[minKey]; v != nil {
		m = append(m, ykv{"min", v})
	}
	if v := in[maxKey]; v != nil {
		m = append(m, ykv{"max", v})
	}
	for _, k := range []string{"strict_min", "strict_max"} {
		if v, ok := in[k]; ok {
			m = append(m, ykv{k, v})
		}
	}
	return m
}

func hasBound(m ymap) bool {
	return slices.ContainsFunc(m, func(kv ykv) bool { return kv.k == "min" || kv.k == "max" })
}

// gxTypes maps GX's pandas type names onto trustml's type names.
var gxTypes = map[string]string{
	"int": "int64", "int64": "int64", "int32": "int32", "Int64": "int64",
	"float": "float64", "float64": "float64", "float32": "float32",
	"str": "string", "string": "string", "object": "string", "object_": "string", "O": "string",
	"bool": "bool", "boolean": "bool",
	"datetime64": "timestamp[ns]", "datetime64[ns]": "timestamp[ns]",
	"Timestamp": "timestamp[ns, tz=UTC]", "DatetimeTZDtype": "timestamp[ns, tz=UTC]",
}

// pandasCondition translates the pandas queries of GX's row_condition
// (comparisons joined with & and |, strings in double quotes) into a row
// expression; ok is false for anything else.
func pandasCondition(q string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '"':
			j := strings.IndexByte(q[i+1:], '"')
			if j < 0 {
				return "", false
			}
			b.WriteString("'" + strings.ReplaceAll(q[i+1:i+1+j], "'", "''") + "'")
			i += j + 1
		case c == '=' && i+1 < len(q) && q[i+1] == '=':
			b.WriteByte('=')
			i++
		case c == '&':
			b.WriteString("AND")
		case c == '|':
			b.WriteString("OR")
		default:
			b.WriteByte(c)
		}
	}
	if _, err := expr.Parse(b.String()); err != nil {
		return "", false
	}
	return b.String(), true
}

// translateGX writes the expectations section of a suite that checks what
// the GX expectation checks, or says why it is left out.
func translateGX(expectation string, in map[string]any, wantError bool, schema *arrow.Schema) (string, string) {
	if _, ok := in["row_condition"]; ok {
		return "", gxSkipRowCondition
	}
	for _, v := range in {
		if m, ok := v.(map[string]any); ok && m["$PARAMETER"] != nil {
			return "", gxSkipParameter
		}
	}
	col, _ := in["column"].(string)
	column := func(key string, v any) (string, string) {
		return flowYAML(ymap{{"columns", ymap{{col, ymap{{key, v}}}}}}), ""
	}
	table := func(key string, v any) (string, string) {
		return flowYAML(ymap{{"table", ymap{{key, v}}}}), ""
	}
	withMostly := func(m ymap) ymap {
		if v, ok := in["mostly"]; ok {
			m = append(m, ykv{"mostly", v})
		}
		return m
	}
	// GX passes a check with no bound; trustml rejects it. When GX raises
	// instead (expect_column_min_to_be_between, values_to_be_between), the
	// two agree and the test runs.
	unbounded := func() (string, string) { return "", gxSkipUnbounded }

	switch expectation {
	case "expect_table_row_count_to_be_between", "expect_table_column_count_to_be_between":
		key := strings.TrimSuffix(strings.TrimPrefix(expectation, "expect_table_"), "_to_be_between")
		b := bounds(in, "min_value", "max_value")
		if !hasBound(b) && !wantError {
			return unbounded()
		}
		return table(key, b)
	case "expect_table_row_count_to_equal", "expect_table_column_count_to_equal":
		key := strings.TrimSuffix(strings.TrimPrefix(expectation, "expect_table_"), "_to_equal")
		return table(key, in["value"])
	case "expect_table_columns_to_match_ordered_list":
		if in["column_list"] == nil {
			return unbounded()
		}
		return table("columns", ymap{{"exact", in["column_list"]}, {"ordered", true}})
	case "expect_table_columns_to_match_set":
		if in["column_set"] == nil {
			return unbounded()
		}
		// exact_match false: every listed column exists.
		if exact, ok := in["exact_match"].(bool); ok && !exact {
			return table("columns", ymap{{"required", in["column_set"]}})
		}
		return table("columns", ymap{{"exact", in["column_set"]}})
	case "expect_column_to_exist":
		if _, ok := in["column_index"]; ok {
			return "", gxSkipColumnIndex
		}
		return table("columns", ymap{{"required", []any{col}}})
	case "expect_column_values_to_be_between":
		b := bounds(in, "min_value", "max_value")
		if !hasBound(b) && !wantError {
			return unbounded()
		}
		return column("range", withMostly(b))
	case "expect_column_values_to_be_in_set":
		set, _ := in["value_set"].([]any)
		if len(set) == 0 {
			return "", gxSkipEmptySet
		}
		return column("in_set", withMostly(ymap{{"values", set}}))
	case "expect_column_values_to_be_null":
		f := any(json.Number("1"))
		if v, ok := in["mostly"]; ok {
			f = v
		}
		return column("missing", ymap{{"min_fraction", f}})
	case "expect_column_values_to_not_be_null":
		if v, ok := in["mostly"]; ok {
			m, _ := v.(json.Number).Float64()
			return column("missing", ymap{{"max_fraction", 1 - m}})
		}
		return column("missing", json.Number("0"))
	case "expect_column_values_to_be_unique":
		if _, ok := in["mostly"]; ok {
			return column("unique", withMostly(nil))
		}
		return column("unique", true)
	case "expect_column_values_to_match_regex":
		return column("regex", withMostly(ymap{{"pattern", in["regex"]}}))
	case "expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list":
		var names []any
		if expectation == "expect_column_values_to_be_of_type" {
			names = []any{in["type_"]}
		} else {
			if in["type_list"] == nil {
				return unbounded()
			}
			names = in["type_list"].([]any)
		}
		var types []any
		for _, n := range names {
			tn, ok := gxTypes[n.(string)]
			if !ok {
				tn = n.(string)
			}
			types = append(types, tn)
		}
		return column("type", types)
	case "expect_column_mean_to_be_between", "expect_column_median_to_be_between", "expect_column_stdev_to_be_between",
		"expect_column_min_to_be_between", "expect_column_max_to_be_between", "expect_column_unique_value_count_to_be_between":
		key := strings.TrimSuffix(strings.TrimPrefix(expectation, "expect_column_"), "_to_be_between")
		switch key {
		case "stdev":
			key = "stddev"
		case "unique_value_count":
			key = "distinct"
		}
		b := bounds(in, "min_value", "max_value")
		if !hasBound(b) && !wantError {
			return unbounded()
		}
		return column(key, b)
	case "expect_column_quantile_values_to_be_between":
		qr := in["quantile_ranges"].(map[string]any)
		qs, ranges := qr["quantiles"].([]any), qr["value_ranges"].([]any)
		var list []any
		for i, q := range qs {
			item := ymap{{"q", q}}
			r := ranges[i].([]any)
			if r[0] != nil {
				item = append(item, ykv{"min", r[0]})
			}
			if r[1] != nil {
				item = append(item, ykv{"max", r[1]})
			}
			list = append(list, item)
		}
		// pandas' default in GX is "nearest"; allow_relative_error names
		// another interpolation.
		interp := "nearest"
		if s, ok := in["allow_relative_error"].(string); ok {
			interp = s
		}
		return column("quantiles", ymap{{"bounds", list}, {"interpolation", interp}})
	case "expect_column_distinct_values_to_be_in_set", "expect_column_distinct_values_to_contain_set", "expect_column_distinct_values_to_equal_set":
		if in["value_set"] == nil {
			return unbounded()
		}
		key := map[string]string{
			"expect_column_distinct_values_to_be_in_set":   "in_set",
			"expect_column_distinct_values_to_contain_set": "contains",
			"expect_column_distinct_values_to_equal_set":   "equals",
		}[expectation]
		return column("distinct_values", ymap{{key, in["value_set"]}})
	case "expect_column_kl_divergence_to_be_less_than":
		if in["partition_object"] == nil {
			return "", gxSkipProfiling
		}
		if in["threshold"] == nil && !wantError {
			return unbounded()
		}
		m := ymap{{"partition", in["partition_object"]}, {"max", in["threshold"]}}
		if v, ok := in["tail_weight_holdout"]; ok {
			m = append(m, ykv{"tail_holdout", v})
		}
		if v, ok := in["internal_weight_holdout"]; ok {
			m = append(m, ykv{"internal_holdout", v})
		}
		return column("kl_divergence", m)
	case "expect_column_chisquare_test_p_value_to_be_greater_than":
		m := ymap{{"partition", in["partition_object"]}, {"alpha", in["p"]}}
		if v, ok := in["tail_weight_holdout"]; ok {
			m = append(m, ykv{"tail_holdout", v})
		}
		return column("chisquare", m)
	case "expect_select_column_values_to_be_unique_within_record", "expect_compound_columns_to_be_unique":
		key := map[string]string{
			"expect_select_column_values_to_be_unique_within_record": "unique_within_record",
			"expect_compound_columns_to_be_unique":                   "unique",
		}[expectation]
		m := withMostly(ymap{{"columns", in["column_list"]}})
		if v, ok := in["ignore_row_if"]; ok {
			m = append(m, ykv{"ignore_row_if", v})
		}
		return table(key, m)
	}
	if src, skip, ok := translateGXMore(expectation, in, wantError, schema); ok {
		return src, skip
	}
	return "", gxNoTranslation
}

// compareGX compares one key of a test's `out` with trustml's result.
func compareGX(key string, want any, r result.Check, tc gxTest) string {
	switch key {
	case "success":
		if got := r.Status == result.Pass; got != want.(bool) {
			return fmt.Sprintf("success: GX %v, trustml %v", want, got)
		}
	case "observed_value":
		got := observedGX(r)
		rtol, atol := 1e-7, 0.05
		if tc.Tolerance != nil {
			rtol, atol = *tc.Tolerance, 1e-8
		}
		if !closeGX(got, want, rtol, atol) {
			return fmt.Sprintf("observed_value: GX %v, trustml %v", jsonText(want), jsonText(got))
		}
	case "observed_value_list":
		got := observedGX(r)
		if !slices.ContainsFunc(want.([]any), func(w any) bool { return closeGX(got, w, 0, 0) }) {
			return fmt.Sprintf("observed_value: GX one of %v, trustml %v", jsonText(want), jsonText(got))
		}
	case "unexpected_list", "partial_unexpected_list":
		got := make([]any, len(r.Sample))
		for i, f := range r.Sample {
			got[i] = f.Value
		}
		if r.UnexpectedCount == nil && len(want.([]any)) > 0 {
			return fmt.Sprintf("%s: GX %v, trustml's %s check has no failing values", key, jsonText(want), r.Kind)
		}
		if !sameMultiset(got, want.([]any)) {
			return fmt.Sprintf("%s: GX %v, trustml %v", key, jsonText(want), jsonText(got))
		}
	case "unexpected_index_list":
		var want64, got64 []int64
		for _, w := range want.([]any) {
			if m, ok := w.(map[string]any); ok {
				w = m["pk_index"]
			}
			n, _ := w.(json.Number).Int64()
			want64 = append(want64, n)
		}
		for _, f := range r.Sample {
			got64 = append(got64, f.Row)
		}
		slices.Sort(want64)
		slices.Sort(got64)
		if !slices.Equal(want64, got64) {
			return fmt.Sprintf("unexpected_index_list: GX rows %v, trustml %v", want64, got64)
		}
	case "unexpected_count":
		n, _ := want.(json.Number).Int64()
		if r.UnexpectedCount == nil || *r.UnexpectedCount != n {
			return fmt.Sprintf("unexpected_count: GX %d, trustml %v", n, jsonText(r.UnexpectedCount))
		}
	case "missing_count":
		if want == nil {
			return ""
		}
		n, _ := want.(json.Number).Int64()
		if r.NullCount == nil || *r.NullCount != n {
			return fmt.Sprintf("missing_count: GX %d, trustml %v", n, jsonText(r.NullCount))
		}
	case "unexpected_percent_nonmissing", "unexpected_percent_total":
		// The failing share of the values judged, or of every row.
		w, _ := want.(json.Number).Float64()
		if r.UnexpectedCount == nil || r.ElementCount == nil || r.NullCount == nil {
			return fmt.Sprintf("%s: GX %v, trustml has no counts", key, w)
		}
		n := float64(*r.ElementCount)
		if key == "unexpected_percent_total" {
			n += float64(*r.NullCount)
		}
		if got := 100 * float64(*r.UnexpectedCount) / n; math.Abs(got-w) > 1e-9 {
			return fmt.Sprintf("%s: GX %v, trustml %v", key, w, got)
		}
	case "partial_unexpected_counts_error":
		// GX's note that it cannot count rows of several values.
	case "element_count", "missing_percent", "unexpected_percent", "mismatched":
	case "value_counts":
		obs := r.Observed.(map[string]any)
		vals, counts := obs["values"].([]any), obs["counts"].([]int64)
		for _, vc := range want.([]any) {
			m := vc.(map[string]any)
			n, _ := m["count"].(json.Number).Int64()
			i := slices.IndexFunc(vals, func(v any) bool { return closeGX(v, m["value"], 0, 0) })
			if i < 0 || counts[i] != n {
				return fmt.Sprintf("value_counts: GX %v, trustml values %v counts %v", jsonText(want), jsonText(vals), counts)
			}
		}
	case "result", "details":
		var problems []string
		for k, v := range want.(map[string]any) {
			if p := compareGX(k, v, r, tc); p != "" {
				problems = append(problems, p)
			}
		}
		sort.Strings(problems)
		return strings.Join(problems, "; ")
	case "observed_partition", "expected_partition":
		details, _ := r.Details.(map[string]any)
		got, _ := details[key].(map[string]any)
		return comparePartition(key, want.(map[string]any), got)
	default:
		if p, ok := compareGXMore(key, want, r); ok {
			return p
		}
		return "unknown key " + key + " in out"
	}
	return ""
}

// comparePartition compares a GX partition (bins or values, weights,
// tail_weights) with trustml's, with np.allclose's default tolerances. A
// categorical partition is compared as a map from value to weight.
func comparePartition(key string, want, got map[string]any) string {
	if got == nil {
		return key + ": trustml reports none"
	}
	if vals, ok := want["values"].([]any); ok {
		gv, _ := got["values"].([]any)
		gw, _ := got["weights"].([]any)
		ww, _ := want["weights"].([]any)
		if len(gv) != len(vals) || len(gw) != len(gv) || len(ww) != len(vals) {
			return fmt.Sprintf("%s: GX %v, trustml %v", key, jsonText(want), jsonText(got))
		}
		for i, v := range vals {
			j := slices.IndexFunc(gv, func(g any) bool { return closeGX(g, v, 0, 0) })
			if j < 0 || !closeGX(gw[j], ww[i], 1e-5, 1e-8) {
				return fmt.Sprintf("%s: GX %v, trustml %v", key, jsonText(want), jsonText(got))
			}
		}
		return ""
	}
	for _, k := range []string{"bins", "weights", "tail_weights"} {
		if w, ok := want[k]; ok && !closeGX(got[k], w, 1e-5, 1e-8) {
			return fmt.Sprintf("%s.%s: GX %v, trustml %v", key, k, jsonText(w), jsonText(got[k]))
		}
	}
	return ""
}

// observedGX is trustml's observed value in the shape GX reports it.
func observedGX(r result.Check) any {
	switch r.Kind {
	case "quantiles":
		var qs, vs []any
		for _, o := range r.Observed.([]any) {
			m := o.(map[string]any)
			qs = append(qs, m["q"])
			vs = append(vs, m["value"])
		}
		return map[string]any{"quantiles": qs, "values": vs}
	case "distinct_values":
		return r.Observed.(map[string]any)["values"]
	case "type":
		// Arrow type names back to the pandas names GX reports.
		return map[string]any{"utf8": "object_", "timestamp[ns]": "datetime64", "timestamp[ns, tz=UTC]": "Timestamp",
			"int64": "int64", "float64": "float64", "bool": "bool_"}[r.Observed.(string)]
	case "kl_divergence":
		if r.Observed == "+Inf" {
			return nil // GX reports an infinite divergence as null
		}
	}
	return r.Observed
}

// closeGX reports whether got (a trustml value) equals want (a JSON value
// from a GX test), numbers within np.allclose(got, want, rtol, atol),
// recursively through lists and maps.
func closeGX(got, want any, rtol, atol float64) bool {
	g, w := normalize(got), normalize(want)
	switch wv := w.(type) {
	case float64:
		gv, ok := g.(float64)
		return ok && math.Abs(gv-wv) <= atol+rtol*math.Abs(wv)
	case []any:
		gl, ok := g.([]any)
		if !ok || len(gl) != len(wv) {
			return false
		}
		for i := range wv {
			if !closeGX(gl[i], wv[i], rtol, atol) {
				return false
			}
		}
		return true
	case map[string]any:
		gm, ok := g.(map[string]any)
		if !ok || len(gm) != len(wv) {
			return false
		}
		for k, v := range wv {
			if !closeGX(gm[k], v, rtol, atol) {
				return false
			}
		}
		return true
	}
	return g == w
}

// normalize turns numbers into float64 and typed slices into []any.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if s := string(x); s == "Infinity" || s == "-Infinity" {
			return v
		}
		f, _ := x.Float64()
		return f
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float64:
		switch {
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []float64:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []any:
		// A failing row of a pair check: its values.
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

func sameMultiset(got, want []any) bool {
	key := func(v any) string { return jsonText(normalize(v)) }
	a, b := make([]string, len(got)), make([]string, len(want))
	for i, v := range got {
		a[i] = key(v)
	}
	for i, v := range want {
		b[i] = key(v)
	}
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func jsonText(v any) string {
	if p, ok := v.(*int64); ok && p != nil {
		v = *p
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
