package expect

import (
	"fmt"

	"github.com/trustml/trustml/result"
)

// ProportionUnique: the number of distinct non-null values divided by the
// number of non-null values is within the bounds (Great Expectations'
// expect_column_proportion_of_unique_values_to_be_between). NaN is
// missing and -0 is 0, as for distinct; over no values the proportion is
// undefined and the check fails.
const ProportionUnique Kind = "proportion_unique"

func init() {
	register(kindDef{
		kind: ProportionUnique, example: "{min: 0.9}", reads: valueClasses, needs: accFreq,
		decode: decodeBoundsOnly,
		validate: func(c *Check) error {
			for _, b := range []*float64{c.Min, c.Max} {
				if b != nil && (*b < 0 || *b > 1) {
					return fmt.Errorf("a proportion is between 0 and 1, got %s", result.FormatFloat(*b))
				}
			}
			return nil
		},
		finish: func(e *eval, c *Check, r *result.Check) bool {
			v := float64(e.cs.freq.distinct()) / float64(e.cs.Count) // NaN (0/0) without values
			return statistic(c, r, v, e.cs.Count, false)
		},
		define: func(c *Check, q *SQLDialect) Definition {
			x := q.col(c.Column)
			return Definition{Aggregates: []Aggregate{
				{Name: "element_count", Func: AggCount, Arg: x},
				{Name: "distinct", Func: AggCountDistinct, Arg: x},
			}}
		},
	})
}
