package fairness_test

import (
	"fmt"

	"github.com/trustml/trustml/bound"
	"github.com/trustml/trustml/fairness"
)

func ExampleAssess() {
	// Six loan applicants in each of two groups; "repaid" is the positive
	// class and the model approves (selects) some of them.
	o := fairness.Outcomes{
		Actual:   []bool{true, true, true, false, false, false, true, true, true, false, false, false},
		Selected: []bool{true, true, true, true, false, false, true, false, false, false, false, false},
		Group:    []string{"x", "x", "x", "x", "x", "x", "y", "y", "y", "y", "y", "y"},
	}
	a, err := fairness.Assess(o, fairness.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range a.Groups {
		fmt.Printf("%s: selection rate %.3f, TPR %.3f, FPR %.3f\n", g.Name, g.SelectionRate.Value, g.TPR.Value, g.FPR.Value)
	}
	m, _ := a.Metric(fairness.EqualOpportunityDifference)
	fmt.Printf("%s %.3f, within 0.1: %v\n", m.Name, m.Value, m.Pass(bound.AtMost(0.1), false))
	// Output:
	// x: selection rate 0.667, TPR 1.000, FPR 0.333
	// y: selection rate 0.167, TPR 0.333, FPR 0.000
	// equal_opportunity_difference 0.667, within 0.1: false
}

func ExampleCheck() {
	// The loan decisions of ExampleAssess, judged against a bound on the
	// equal opportunity difference: one summary check, then one per bound.
	o := fairness.Outcomes{
		Actual:   []bool{true, true, true, false, false, false, true, true, true, false, false, false},
		Selected: []bool{true, true, true, true, false, false, true, false, false, false, false, false},
		Group:    []string{"x", "x", "x", "x", "x", "x", "y", "y", "y", "y", "y", "y"},
	}
	spec := &fairness.Spec{Feature: "region", Seed: 1, Bounds: []fairness.Bound{
		{Metric: fairness.EqualOpportunityDifference, Interval: bound.AtMost(0.1)},
	}}
	checks, err := fairness.Check(spec, "repaid", o)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range checks {
		fmt.Println(c.Name, c.Status)
	}
	// Output:
	// fairness.region pass
	// fairness.equal_opportunity_difference fail
}
