package expect

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/trustml/trustml/internal/arrowx"
	"github.com/trustml/trustml/internal/ksdist"
	"github.com/trustml/trustml/internal/yamlx"
	"github.com/trustml/trustml/result"
)

// KSTest: the one-sample Kolmogorov–Smirnov test of the column's non-null
// values against the continuous distribution Check.Distribution with
// Check.Params has a p-value above Alpha. The p-value is exact up to
// 1,000 values (Marsaglia–Tsang–Wang), asymptotic beyond. The check keeps
// every value (8 bytes each) to sort them at the end.
const KSTest Kind = "ks_test"

// distribution is a parameterised continuous distribution a ks_test can
// name: its parameters with their defaults (NaN: required) and its CDF.
type distribution struct {
	name     string
	params   []string
	defaults []float64
	// valid states the rules of the parameters, in the order of params.
	valid func(p []float64) error
	cdf   func(p []float64) func(float64) float64
}

func positive(names ...string) func(p []float64) error {
	return func(p []float64) error {
		for i, n := range names {
			if n != "" && !(p[i] > 0) {
				return fmt.Errorf("%s must be positive, got %s", n, result.FormatFloat(p[i]))
			}
		}
		return nil
	}
}

// shifted reads a standard CDF at (x − loc)/scale, as scipy's loc and
// scale.
func shifted(cdf func(float64) float64, loc, scale float64) func(float64) float64 {
	return func(x float64) float64 { return cdf((x - loc) / scale) }
}

var nan = math.NaN()

// distributions is every distribution ks_test knows, with scipy.stats'
// parameters (loc shifts, scale stretches).
var distributions = []distribution{
	{"normal", []string{"mean", "sd"}, []float64{0, 1}, positive("", "sd"),
		func(p []float64) func(float64) float64 { return distuv.Normal{Mu: p[0], Sigma: p[1]}.CDF }},
	{"uniform", []string{"min", "max"}, []float64{0, 1}, func(p []float64) error {
		if !(p[1] > p[0]) {
			return fmt.Errorf("max %s must be above min %s", result.FormatFloat(p[1]), result.FormatFloat(p[0]))
		}
		return nil
	}, func(p []float64) func(float64) float64 { return distuv.Uniform{Min: p[0], Max: p[1]}.CDF }},
	{"exponential", []string{"scale", "loc"}, []float64{1, 0}, positive("scale"),
		func(p []float64) func(float64) float64 { return shifted(distuv.Exponential{Rate: 1}.CDF, p[1], p[0]) }},
	{"gamma", []string{"shape", "scale", "loc"}, []float64{nan, 1, 0}, positive("shape", "scale"),
		func(p []float64) func(float64) float64 {
			return shifted(distuv.Gamma{Alpha: p[0], Beta: 1}.CDF, p[2], p[1])
		}},
	{"beta", []string{"a", "b", "loc", "scale"}, []float64{nan, nan, 0, 1}, positive("a", "b", "", "scale"),
		func(p []float64) func(float64) float64 {
			return shifted(distuv.Beta{Alpha: p[0], Beta: p[1]}.CDF, p[2], p[3])
		}},
	{"chi_squared", []string{"df", "loc", "scale"}, []float64{nan, 0, 1}, positive("df", "", "scale"),
		func(p []float64) func(float64) float64 { return shifted(distuv.ChiSquared{K: p[0]}.CDF, p[1], p[2]) }},
	{"lognormal", []string{"mu", "sigma"}, []float64{0, 1}, positive("", "sigma"),
		func(p []float64) func(float64) float64 {
			d := distuv.LogNormal{Mu: p[0], Sigma: p[1]}
			return func(x float64) float64 {
				if x <= 0 {
					return 0
				}
				return d.CDF(x)
			}
		}},
	{"student_t", []string{"df", "loc", "scale"}, []float64{nan, 0, 1}, positive("df", "", "scale"),
		func(p []float64) func(float64) float64 {
			return distuv.StudentsT{Nu: p[0], Mu: p[1], Sigma: p[2]}.CDF
		}},
	{"laplace", []string{"loc", "scale"}, []float64{0, 1}, positive("", "scale"),
		func(p []float64) func(float64) float64 { return distuv.Laplace{Mu: p[0], Scale: p[1]}.CDF }},
	{"weibull", []string{"shape", "scale", "loc"}, []float64{nan, 1, 0}, positive("shape", "scale"),
		func(p []float64) func(float64) float64 {
			return shifted(distuv.Weibull{K: p[0], Lambda: 1}.CDF, p[2], p[1])
		}},
}

func lookupDistribution(name string) *distribution {
	for i := range distributions {
		if distributions[i].name == name {
			return &distributions[i]
		}
	}
	return nil
}

func distributionNames() []string {
	var out []string
	for _, d := range distributions {
		out = append(out, d.name)
	}
	return out
}

func init() {
	register(kindDef{
		kind: KSTest, example: "{distribution: normal, params: {mean: 1.5, sd: 1}, alpha: 0.05}", reads: numericClasses,
		decode: decodeKS,
		validate: func(c *Check) error {
			_, err := c.ksCDF()
			if err == nil && c.Alpha == nil {
				err = fmt.Errorf("ks_test needs alpha")
			}
			if err == nil && (*c.Alpha < 0 || *c.Alpha > 1 || math.IsNaN(*c.Alpha)) {
				err = atKey("alpha", fmt.Errorf("alpha %s is outside [0, 1]", result.FormatFloat(*c.Alpha)))
			}
			return err
		},
		bind: func(cp *colPlan, c *Check) error {
			idx := cp.idx
			cp.addCustom(c, func() customAcc { return &valuesAcc{col: idx} })
			return nil
		},
		finish: finishKS,
		// The exact empirical distribution is the column's histogram.
		define: histogramDefinition,
	})
}

// decodeKS reads {distribution, params: {...}, alpha, severity}.
func decodeKS(d *yamlx.Decoder, c *Check, n *yaml.Node, path string) {
	fields, ok := d.Mapping(n, path, []string{"distribution", "params", "alpha", "severity"})
	if !ok {
		return
	}
	c.Severity = d.SeverityIn(fields, c.Severity)
	var dist *distribution
	var params *yamlx.Field
	hasDist, hasAlpha := false, false
	for i, g := range fields {
		switch g.Key {
		case "distribution":
			hasDist = true
			if s, ok := d.Word(g.Value, g.Path, distributionNames()...); ok {
				c.Distribution = s
				dist = lookupDistribution(s)
			}
		case "params":
			params = &fields[i]
		case "alpha":
			hasAlpha = true
			if v, ok := d.Fraction(g.Value, g.Path); ok {
				c.Alpha = &v
			}
		}
	}
	if !hasDist {
		d.Errorf(n, path, "needs distribution: one of %s", strings.Join(distributionNames(), ", "))
	}
	if !hasAlpha {
		d.Errorf(n, path, "needs alpha (the test fails when its p-value is at most alpha)")
	}
	if dist == nil {
		return
	}
	at := n
	if params != nil {
		pf, ok := d.Mapping(params.Value, params.Path, dist.params)
		if !ok {
			return
		}
		at = params.Value
		c.Params = map[string]float64{}
		for _, g := range pf {
			v, ok := d.Float(g.Value, g.Path)
			if !ok {
				return
			}
			c.Params[g.Key] = v
		}
	}
	if _, err := c.ksCDF(); err != nil {
		var ke *keyError
		if errors.As(err, &ke) {
			err = ke.err
		}
		d.Errorf(at, path+".params", "%v", err)
	}
}

// ksCDF returns the CDF of a ks_test's distribution with its parameters.
func (c *Check) ksCDF() (func(float64) float64, error) {
	dist := lookupDistribution(c.Distribution)
	if dist == nil {
		return nil, atKey("distribution", fmt.Errorf("unknown distribution %q; distributions are %s", c.Distribution, strings.Join(distributionNames(), ", ")))
	}
	p := slices.Clone(dist.defaults)
	for k, v := range c.Params {
		i := slices.Index(dist.params, k)
		if i < 0 {
			return nil, atKey("params", fmt.Errorf("%s has no parameter %q; its parameters are %s", dist.name, k, strings.Join(dist.params, ", ")))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, atKey("params", fmt.Errorf("%s must be a finite number", k))
		}
		p[i] = v
	}
	for i, v := range p {
		if math.IsNaN(v) {
			return nil, atKey("params", fmt.Errorf("%s needs params.%s", dist.name, dist.params[i]))
		}
	}
	if err := dist.valid(p); err != nil {
		return nil, atKey("params", err)
	}
	return dist.cdf(p), nil
}

// valuesAcc keeps the non-missing values of a column, in any order.
type valuesAcc struct {
	col  int
	vals []float64
}

func (a *valuesAcc) add(j job) error {
	at, ok := arrowx.NumericAt(j.batch.Column(a.col))
	if !ok {
		return nil // a column of the null type: no values
	}
	for i := range int(j.batch.NumRows()) {
		if v, ok := at(i); ok && !math.IsNaN(v) {
			a.vals = append(a.vals, v)
		}
	}
	return nil
}

func (a *valuesAcc) merge(o customAcc, _ int) {
	a.vals = append(a.vals, o.(*valuesAcc).vals...)
}

// ksStatistic returns sup |F_n(x) − F(x)| over the sorted values xs.
func ksStatistic(xs []float64, cdf func(float64) float64) float64 {
	n := float64(len(xs))
	d := 0.0
	for i, x := range xs {
		f := cdf(x)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	return d
}

func finishKS(e *eval, c *Check, r *result.Check) bool {
	xs := e.customState(c).(*valuesAcc).vals
	sort.Float64s(xs)
	cdf, _ := c.ksCDF()
	r.Expected = map[string]any{"distribution": c.Distribution, "params": c.Params, "alpha": *c.Alpha}
	r.ExpectedText = fmt.Sprintf("p-value above %s against %s", result.FormatFloat(*c.Alpha), c.distributionText())
	if len(xs) == 0 {
		r.Status = result.Error
		r.Message = "no non-null values: the KS test is undefined"
		r.ObservedText = r.Message
		return false
	}
	d := ksStatistic(xs, cdf)
	p, exact := ksdist.OneSampleP(d, len(xs))
	method := "exact"
	if !exact {
		method = "asymptotic"
	}
	r.Observed = p
	r.Details = map[string]any{"statistic": d, "p_value": p, "n": len(xs), "method": method}
	r.ObservedText = fmt.Sprintf("p-value %s (D = %s, n = %d, %s)", result.FormatFloat(p), result.FormatFloat(d), len(xs), method)
	ok := p > *c.Alpha
	r.Message = r.ObservedText
	if !ok {
		r.Message += fmt.Sprintf(", at most alpha %s: the values do not follow %s", result.FormatFloat(*c.Alpha), c.distributionText())
	}
	return ok
}

// distributionText writes "normal(mean=0, sd=1)".
func (c *Check) distributionText() string {
	dist := lookupDistribution(c.Distribution)
	var parts []string
	for i, k := range dist.params {
		v, ok := c.Params[k]
		if !ok {
			v = dist.defaults[i]
		}
		parts = append(parts, k+"="+result.FormatFloat(v))
	}
	return c.Distribution + "(" + strings.Join(parts, ", ") + ")"
}
