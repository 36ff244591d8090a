package report

import (
	"fmt"

	"github.com/trustml/trustml"
)

// lossText says how a classifier's mean per-row loss compares with its
// champion's: "Mean per-row log loss: 0.553 against 0.702, difference
// −0.149 (−0.300 to 0.010): lower". "" for a regressor.
func lossText(c *trustml.Comparison) string {
	l := c.Loss
	if l == nil {
		return ""
	}
	name := map[string]string{"log_loss": "log loss", "zero_one": "0/1 error"}[l.Loss]
	diff := formatNumber(l.Difference, value)
	if l.Lower != nil && l.Upper != nil {
		diff = intervalText(l.Difference, *l.Lower, *l.Upper)
	}
	verdict := "lower"
	switch {
	case l.Difference == 0:
		verdict = "equal"
	case !l.Better:
		verdict = "higher"
	}
	return fmt.Sprintf("Mean per-row %s: this model %s, %s %s; difference %s: %s.", name,
		formatNumber(l.Model, value), c.Champion, formatNumber(l.Champion, value), diff, verdict)
}
