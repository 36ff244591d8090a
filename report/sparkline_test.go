package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustml/trustml"
	"github.com/trustml/trustml/result"
)

func TestSparkline(t *testing.T) {
	vals := make([]float64, trustml.TrendRuns)
	for i := range vals {
		vals[i] = 1e6 + 12345.678*math.Sin(float64(i)) // long numbers
	}
	svg := string(sparkline(vals, result.Ptr(995000.0), result.Ptr(1005000.0)))
	assert.Less(t, len(svg), 2048, "under 2 KB")
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "well-formed SVG")
	}
	assert.Equal(t, trustml.TrendRuns, strings.Count(strings.SplitN(strings.SplitN(svg, `points="`, 2)[1], `"`, 2)[0], ",")+0, "one point per value")
	assert.Contains(t, svg, `<rect x="0" y=`)
	assert.Contains(t, svg, `fill="#c62828"`, "the last value (1e6 + 12345.678 sin 29 ≈ 991830), outside the band, is marked")

	// The band's edges: 0..10 with bounds [2, 8], height 24, padding 2:
	// y(8) = 2 + (10−8)/10 × 20 = 6, y(2) = 2 + 8/10 × 20 = 18.
	svg = string(sparkline([]float64{0, 10, 5}, result.Ptr(2.0), result.Ptr(8.0)))
	assert.Contains(t, svg, `<rect x="0" y="6.0" width="120" height="12.0"`)
	assert.Contains(t, svg, `points="2.0,22.0 60.0,2.0 118.0,12.0"`)
	assert.Contains(t, svg, `<circle cx="118.0" cy="12.0" r="2" fill="#555"/>`)

	assert.Empty(t, sparkline([]float64{math.NaN()}, nil, nil))
	assert.Contains(t, string(sparkline([]float64{3}, nil, nil)), `points="60.0,12.0"`)
}

func TestHTMLHistorySection(t *testing.T) {
	r := &trustml.Result{SchemaVersion: 1, Passed: true, Run: trustml.RunInfo{Start: time.Unix(0, 0)},
		History: &trustml.HistoryInfo{Store: "h.db", RunID: 7, Trends: []trustml.Trend{
			{Check: "model.rmse", Field: "value", Values: []float64{1, 2, 3}, Upper: result.Ptr(25.0)},
			{Check: "columns.Ozone.missing", Field: "fraction", Values: []float64{0.2, 0.25}},
		}}}
	var buf bytes.Buffer
	require.NoError(t, WriteHTML(&buf, r))
	html := buf.String()
	assert.Contains(t, html, "<p>Recorded as run 7 in h.db.</p>")
	assert.Contains(t, html, "<td>model.rmse</td><td><svg class=\"spark\"")
	assert.Contains(t, html, "<td>columns.Ozone.missing · fraction</td>")
	assert.Contains(t, html, "<td>≤ 25</td>")
	assert.Equal(t, 2, strings.Count(html, "<svg class=\"spark\""))
}
