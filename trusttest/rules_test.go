package trusttest_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml/trusttest"
)

// ordersTable: five rows. Hand-computed for orders_rules.yaml: the
// suite's filter drops row 4 (country XX); the FR rows 0 and 2 are aged 30
// and 15, so age.range under country = 'FR' fails at row 2; "age >= 18 OR
// country = 'DE'" is TRUE at row 1 (NULL OR TRUE) and row 3 (DE), FALSE at
// row 2 only; "id < age" is NULL at row 1 (age NULL) and FALSE at row 3
// (40 < 12).
func ordersTable(t *testing.T, mem memory.Allocator) arrow.Table {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "country", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	tbl, err := array.TableFromJSON(mem, schema, []string{`[
		{"id": 1, "age": 30, "country": "FR"},
		{"id": 2, "age": null, "country": "DE"},
		{"id": 3, "age": 15, "country": "FR"},
		{"id": 40, "age": 12, "country": "DE"},
		{"id": 5, "age": 1, "country": "XX"}
	]`})
	require.NoError(t, err)
	return tbl
}

func TestCheckTableWhereAndRules(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := ordersTable(t, mem)
	defer tbl.Release()
	var r recorder
	res := trusttest.CheckTable(&r, "testdata/orders_rules.yaml", tbl)
	require.NotNil(t, res)
	assert.Empty(t, r.fatals)
	assert.Equal(t, []string{
		"columns.age.range: 1 of 2 values outside ≥ 18 (50.0%), e.g. row 2: 15 (where (country <> 'XX') AND (country = 'FR'): 2 rows)",
		"rules.adult buyers: 1 of 4 rows break age >= 18 OR country = 'DE' (25.0%), e.g. row 2: (age=15, country=\"FR\") (where country <> 'XX': 4 rows)",
	}, r.errors)
	require.Len(t, r.logs, 1)
	assert.Contains(t, r.logs[0], "warning: rules.ids grow with age: 1 of 3 rows break id < age (33.3%); 1 row is NULL")
}

func TestFluentWhereAndRule(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := ordersTable(t, mem)
	defer tbl.Release()

	var r recorder
	fr := trusttest.Expect(&r, tbl).Where("country = 'FR'")
	fr.RowCountBetween(2, 2)
	fr.Column("age").InRange(18, 120)
	fr.Where("age > 20").RowCountBetween(1, 1)
	trusttest.Expect(&r, tbl).Rule("teen or older", "age >= 13 OR country <> 'DE'")
	trusttest.Expect(&r, tbl).Where("id < 10").Rule("small ids", "id <= 5")
	assert.Equal(t, []string{
		"columns.age.range: 1 of 2 values outside [18, 120] (50.0%), e.g. row 2: 15 (where country = 'FR': 2 rows)",
		"rules.teen or older: 1 of 4 rows break age >= 13 OR country <> 'DE' (25.0%); 1 row is NULL (counted as null, neither passed nor failed), e.g. row 3: (age=12, country=\"DE\")",
	}, r.errors)

	var bad recorder
	trusttest.Expect(&bad, tbl).Where("age >").RowCountBetween(0, 10)
	trusttest.Expect(&bad, tbl).Rule("typo", "agee > 1")
	require.Len(t, bad.errors, 2)
	assert.Contains(t, bad.errors[0], "where age >: ")
	assert.Contains(t, bad.errors[1], "unknown column agee (did you mean age?)")
}
