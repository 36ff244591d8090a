package expect_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/trustml/trustml/expect"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// openTables opens the other datasets of references and row_count_ratio
// from tables in memory, by path, projected onto the columns asked for.
func openTables(tables map[string]arrow.Table) expect.OpenFunc {
	return func(_ context.Context, d *expect.Dataset, columns []string) (array.RecordReader, error) {
		tbl, ok := tables[d.Path]
		if !ok {
			return nil, fmt.Errorf("%s: %w", d.Path, os.ErrNotExist)
		}
		rr := array.NewTableReader(tbl, 2)
		if columns == nil {
			return rr, nil
		}
		defer rr.Release()
		var fields []arrow.Field
		var idx []int
		for _, c := range columns {
			// A column the table lacks is left out, for the check to find.
			i := tbl.Schema().FieldIndices(c)
			if len(i) == 0 {
				continue
			}
			idx = append(idx, i[0])
			fields = append(fields, tbl.Schema().Field(i[0]))
		}
		schema := arrow.NewSchema(fields, nil)
		var recs []arrow.RecordBatch
		for rr.Next() {
			b := rr.RecordBatch()
			cols := make([]arrow.Array, len(idx))
			for k, i := range idx {
				cols[k] = b.Column(i)
			}
			recs = append(recs, array.NewRecordBatch(schema, cols, b.NumRows()))
		}
		out, err := array.NewRecordReader(schema, recs)
		for _, r := range recs {
			r.Release()
		}
		return out, err
	}
}

var keysSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "p", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "q", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "cust", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

// Eight rows. By hand:
//
//	(id, region): (1,n) at rows 0 and 3, (3,null) at 5 and 6; row 4 has no key
//	whole rows: row 6 repeats row 5
//	(p, q): rows 0 (1, 1.0), 5 and 6 (4, 4) and 7 (0, -0) repeat a value; row 2 has none
//	cust: 99 (rows 5 and 6) is not a customer; row 2 has none
const keysRows = `[
 {"id": 1,    "region": "n",  "amount": 10,   "p": 1,    "q": 1.0,  "cust": 10},
 {"id": 1,    "region": "s",  "amount": 20,   "p": 1,    "q": 2,    "cust": 11},
 {"id": 2,    "region": "n",  "amount": 30,   "p": null, "q": null, "cust": null},
 {"id": 1,    "region": "n",  "amount": 11,   "p": 2,    "q": null, "cust": 12},
 {"id": null, "region": null, "amount": null, "p": 3,    "q": 3.5,  "cust": 10},
 {"id": 3,    "region": null, "amount": 5,    "p": 4,    "q": 4,    "cust": 99},
 {"id": 3,    "region": null, "amount": 5,    "p": 4,    "q": 4,    "cust": 99},
 {"id": 2,    "region": "s",  "amount": 40,   "p": 0,    "q": -0.0, "cust": 11}
]`

var customersSchema = arrow.NewSchema([]arrow.Field{
	{Name: "cid", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// Customers 10, 11 and 12 (10 twice, one without an id).
const customersRows = `[
 {"cid": 10, "name": "ann"}, {"cid": 11, "name": "bob"}, {"cid": null, "name": "cy"},
 {"cid": 12, "name": "dee"}, {"cid": 10, "name": "ann"}
]`

// rereadTable reads tbl again, in batches of batch rows, projected onto
// the columns asked for, and counts the reads.
func rereadTable(tbl arrow.Table, batch int64, reads *int) expect.RereadFunc {
	open := openTables(map[string]arrow.Table{"": tbl})
	return func(ctx context.Context, columns []string) (array.RecordReader, error) {
		*reads++
		if columns == nil {
			return array.NewTableReader(tbl, batch), nil
		}
		return open(ctx, &expect.Dataset{}, columns)
	}
}

// evalKeys evaluates suite over the keys rows in batches of batch rows on
// workers workers, keeping sample failures, with customers.csv readable;
// with reread, the key checks read the data again rather than keep the
// keys.
func evalKeys(t *testing.T, suite string, batch int64, workers, sample int, reread ...bool) map[string]result.Check {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, keysSchema, keysRows)
	defer tbl.Release()
	cust := table(t, mem, customersSchema, customersRows)
	defer cust.Release()
	opts := expect.Options{Workers: workers, SampleSize: sample, Open: openTables(map[string]arrow.Table{"customers.csv": cust})}
	reads := 0
	if len(reread) > 0 && reread[0] {
		opts.Reread = rereadTable(tbl, batch, &reads)
	}
	res := byName(evaluate(t, decode(t, suite), tbl, batch, opts))
	if opts.Reread != nil {
		// One read again per key check with repeated keys.
		assert.Positive(t, reads)
	}
	return res
}

func failingRows(sample []result.Failure) []int64 {
	out := make([]int64, len(sample))
	for i, f := range sample {
		out[i] = f.Row
	}
	return out
}

const keysSuite = `
table:
  unique: [id, region]
  duplicate_rows: {max: 0, columns: [id, region]}
  unique_within_record: {columns: [p, q], mostly: 0.4}
  references:
    - {columns: [cust], data: customers.csv, to: [cid]}
  row_count_ratio: {data: customers.csv, min: 1.5, max: 1.7}
`

func TestKeysHandComputed(t *testing.T) {
	for _, run := range []struct {
		batch   int64
		workers int
		reread  bool
	}{{8, 1, false}, {3, 2, false}, {1, 3, false}, {2, 4, false}, {8, 1, true}, {3, 2, true}, {1, 3, true}} {
		t.Run(fmt.Sprintf("batch%d-workers%d-reread%v", run.batch, run.workers, run.reread), func(t *testing.T) {
			res := evalKeys(t, keysSuite, run.batch, run.workers, -1, run.reread)

			u := res["table.unique_key"]
			assert.Equal(t, result.Fail, u.Status, u.Message)
			assert.Equal(t, []int64{0, 3, 5, 6}, failingRows(u.Sample))
			assert.Equal(t, int64(4), *u.UnexpectedCount)
			assert.Equal(t, int64(7), *u.ElementCount)
			assert.Equal(t, int64(1), *u.NullCount)
			assert.Equal(t, result.Tuple{{Column: "id", Value: int64(1)}, {Column: "region", Value: "n"}}, u.Sample[1].Value)
			assert.Equal(t, result.Tuple{{Column: "id", Value: int64(3)}, {Column: "region", Value: nil}}, u.Sample[2].Value)
			assert.Equal(t, `4 of 7 rows share their key with another row (57.1%), e.g. row 0: (id=1, region="n")`, u.Message)

			d := res["table.duplicate_rows"]
			assert.Equal(t, result.Fail, d.Status)
			assert.Equal(t, int64(2), d.Observed)
			assert.Equal(t, []int64{3, 6}, failingRows(d.Sample))
			assert.Equal(t, `2 of 8 rows repeat an earlier row over id, region, expected ≤ 0, e.g. row 3: (id=1, region="n")`, d.Message)

			w := res["table.unique_within_record"]
			assert.Equal(t, result.Pass, w.Status, w.Message) // 3 of 7 pass, 0.43 ≥ 0.4
			assert.Equal(t, []int64{0, 5, 6, 7}, failingRows(w.Sample))
			assert.Equal(t, int64(7), *w.ElementCount)
			assert.Equal(t, int64(1), *w.NullCount)
			assert.Equal(t, result.Tuple{{Column: "p", Value: int64(0)}, {Column: "q", Value: 0.0}}, w.Sample[3].Value) // -0 is 0

			r := res["table.references.cust"]
			assert.Equal(t, result.Fail, r.Status)
			assert.Equal(t, []int64{5, 6}, failingRows(r.Sample))
			assert.Equal(t, result.Tuple{{Column: "cust", Value: int64(99)}}, r.Sample[0].Value)
			assert.Equal(t, int64(7), *r.ElementCount)
			assert.Equal(t, `2 of 7 rows not found in customers.csv (cid) (28.6%), e.g. row 5: (cust=99)`, r.Message)
			assert.Equal(t, map[string]any{"referenced_keys": 3}, r.Details)

			n := res["table.row_count_ratio"]
			assert.Equal(t, result.Pass, n.Status, n.Message)
			assert.Equal(t, map[string]any{"self": int64(8), "other": int64(5)}, n.Observed)
			assert.Equal(t, "8 rows, 5 in customers.csv: ratio 1.6, expected [1.5, 1.7]", n.Message)
		})
	}
}

// TestKeysSampleIsTheFirstRows: with a sample of two, every check keeps
// the two smallest failing rows, whatever the batches and workers.
func TestKeysSampleIsTheFirstRows(t *testing.T) {
	for _, workers := range []int{1, 2, 3} {
		res := evalKeys(t, keysSuite, 1, workers, 2, workers == 2)
		assert.Equal(t, []int64{0, 3}, failingRows(res["table.unique_key"].Sample))
		assert.Equal(t, int64(4), *res["table.unique_key"].UnexpectedCount)
		assert.Equal(t, []int64{3, 6}, failingRows(res["table.duplicate_rows"].Sample))
		assert.Equal(t, []int64{0, 5}, failingRows(res["table.unique_within_record"].Sample))
		assert.Equal(t, []int64{5, 6}, failingRows(res["table.references.cust"].Sample))
	}
}

func TestKeysOptions(t *testing.T) {
	res := evalKeys(t, `
table:
  unique: {columns: [id, region], ignore_row_if: any_value_is_missing, mostly: 0.6}
  duplicate_rows: {max: 1}
  unique_within_record: {columns: [p, q], ignore_row_if: any_value_is_missing}
  references:
    - {columns: [id, region], data: customers.csv, to: [cid, name]}
  row_count_ratio: {data: customers.csv}
`, 3, 2, -1, true)
	// Rows 4, 5 and 6 lack a key value: 5 judged, rows 0 and 3 fail;
	// 3 of 5 pass, 0.6.
	u := res["table.unique_key"]
	assert.Equal(t, result.Pass, u.Status, u.Message)
	assert.Equal(t, []int64{0, 3}, failingRows(u.Sample))
	assert.Equal(t, int64(5), *u.ElementCount)
	assert.Equal(t, int64(3), *u.NullCount)

	// Whole rows: only row 6 repeats row 5.
	d := res["table.duplicate_rows"]
	assert.Equal(t, result.Pass, d.Status, d.Message)
	assert.Equal(t, []int64{6}, failingRows(d.Sample))
	amount, _ := d.Sample[0].Value.(result.Tuple).Get("amount")
	assert.Equal(t, 5.0, amount)

	// Rows 2 and 3 lack a value: 6 judged, rows 0, 5, 6 and 7 fail.
	w := res["table.unique_within_record"]
	assert.Equal(t, result.Fail, w.Status)
	assert.Equal(t, int64(6), *w.ElementCount)
	assert.Equal(t, int64(4), *w.UnexpectedCount)
	assert.Equal(t, "every row with distinct values across p, q", w.ExpectedText)

	// (id, region) against (cid, name): rows 4, 5 and 6 lack a value;
	// no pair (1, "n") … is a customer's (10, "ann") ….
	r := res["table.references.id,region"]
	assert.Equal(t, result.Fail, r.Status)
	assert.Equal(t, int64(5), *r.ElementCount)
	assert.Equal(t, int64(5), *r.UnexpectedCount)
	assert.Equal(t, int64(3), *r.NullCount)

	// Equal counts by default: 8 rows and 5.
	n := res["table.row_count_ratio"]
	assert.Equal(t, result.Fail, n.Status)
	assert.Equal(t, "8 rows, 5 in customers.csv: ratio 1.6, expected = 1", n.Message)
}

// TestKeysErrors: what a key check names must exist and be comparable;
// errors found reading the data point at the check's key.
func TestKeysErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(t, mem, keysSchema, keysRows)
	defer tbl.Release()
	cust := table(t, mem, customersSchema, customersRows)
	defer cust.Release()
	open := openTables(map[string]arrow.Table{"customers.csv": cust})
	for _, tc := range []struct{ suite, err string }{
		{"table: {unique: [id, regoin]}", `expectations.table.unique.columns: table.unique_key: expect: column "regoin" is not in the data (did you mean "region"?)`},
		{"table: {references: [{columns: [cust], data: customers.csv, to: [cdi]}]}", `expectations.table.references[0].to: table.references.cust: the referenced data customers.csv: expect: column "cdi" is not in the data; columns are: `},
		{"table: {references: [{columns: [cust], data: nowhere.csv, to: [cid]}]}", "expectations.table.references[0].data: table.references.cust: nowhere.csv: file does not exist"},
		{"table: {references: [{columns: [region], data: customers.csv, to: [cid]}]}", `column "region" is utf8 and the referenced column "cid" is float64: no value can match`},
		{"table: {row_count_ratio: nowhere.csv}", "expectations.table.row_count_ratio: table.row_count_ratio: nowhere.csv: file does not exist"},
	} {
		rr := array.NewTableReader(tbl, 3)
		_, err := decode(t, tc.suite).Evaluate(context.Background(), rr, expect.Options{Open: open})
		rr.Release()
		if assert.Error(t, err, tc.suite) {
			assert.Contains(t, err.Error(), tc.err)
		}
	}
	// Without Open, a check that reads another dataset cannot run.
	rr := array.NewTableReader(tbl, 3)
	defer rr.Release()
	_, err := decode(t, "table: {row_count_ratio: customers.csv}").Evaluate(context.Background(), rr, expect.Options{})
	assert.EqualError(t, err, "expect: table.row_count_ratio: reads another dataset, and Options.Open is nil")
}

// TestKeysSuiteErrors: mistakes in the suite file, each at its position.
func TestKeysSuiteErrors(t *testing.T) {
	for _, tc := range []struct{ src, err string }{
		{"table: {unique: []}\n", "test.yaml:1:17: expectations.table.unique: must list at least one column"},
		{"table: {unique: [a, a]}\n", `test.yaml:1:21: expectations.table.unique[1]: column "a" is listed twice`},
		{"table: {unique_within_record: [a]}\n", "test.yaml:1:31: expectations.table.unique_within_record: unique_within_record needs at least 2 columns, got 1"},
		{"table: {unique: {columns: [a, b], ignore_row_if: sometimes}}\n", `expectations.table.unique.ignore_row_if`},
		{"table: {duplicate_rows: {columns: [a]}}\n", "test.yaml:1:25: expectations.table.duplicate_rows: needs at least one of min or max"},
		{"table: {references: []}\n", "test.yaml:1:21: expectations.table.references: must list at least one item"},
		{"table: {references: [{columns: [a], to: [b]}]}\n", "test.yaml:1:22: expectations.table.references[0]: references needs data: the file whose columns hold the values"},
		{"table: {references: [{columns: [a, b], data: f.csv, to: [b]}]}\n", "test.yaml:1:57: expectations.table.references[0].to: to names 1 columns for 2 in columns; name one referenced column for each"},
		{"table: {references: [{columns: [a], data: {path: f.csv, format: csv}}]}\n", `test.yaml:1:57: expectations.table.references[0].data.format: unknown key "format"; valid keys: path`},
		{"table: {references: [{columns: [a], data: f.csv}, {columns: [a], data: g.csv}]}\n", "a second references check over a"},
		{"table: {row_count_ratio: {min: 0.5}}\n", "test.yaml:1:26: expectations.table.row_count_ratio: needs data: the file whose row count this table's is compared with"},
	} {
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(tc.src), &n))
		d := &yamlx.Decoder{File: "test.yaml"}
		expect.Decode(d, n.Content[0], "expectations")
		if assert.Error(t, d.Err(), tc.src) {
			assert.Contains(t, d.Err().Error(), tc.err)
		}
	}
}
