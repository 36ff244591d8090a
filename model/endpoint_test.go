package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// instancesOf decodes a request body {"instances": [...]}.
func instancesOf(t *testing.T, r *http.Request) []map[string]any {
	var req struct {
		Instances []map[string]any `json:"instances"`
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Error(err)
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Errorf("request %s: %v", body, err)
	}
	return req.Instances
}

// doubler answers 2·x for each instance, wrapped by shape.
func doubler(t *testing.T, shape func(preds []float64) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var preds []float64
		for _, in := range instancesOf(t, r) {
			x, _ := in["x"].(float64)
			preds = append(preds, 2*x)
		}
		_ = json.NewEncoder(w).Encode(shape(preds))
	}
}

func seqBatch(t *testing.T, n int) arrow.RecordBatch {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
	}
	return newBatch(t, newMem(t), floats64("x", xs), floats64("y", xs))
}

func TestEndpointShapes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		path  string
		shape func([]float64) any
	}{
		{"predictions", "", func(p []float64) any { return map[string]any{"predictions": p} }},
		{"data.predictions", "", func(p []float64) any {
			return map[string]any{"data": map[string]any{"predictions": p}, "metadata": map[string]any{"model": "m1"}}
		}},
		{"configured path", "output.values", func(p []float64) any {
			return map[string]any{"output": map[string]any{"values": p}, "predictions": "ignored"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(doubler(t, tc.shape))
			defer srv.Close()
			e := &Endpoint{URL: srv.URL, ResponsePath: tc.path, Features: []string{"x"}}
			got, err := e.Predict(context.Background(), seqBatch(t, 5))
			require.NoError(t, err)
			assert.Equal(t, []float64{0, 2, 4, 6, 8}, got)
		})
	}
}

func TestEndpointRequestBody(t *testing.T) {
	var got []byte
	var method, ctype string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		method, ctype = r.Method, r.Header.Get("Content-Type")
		fmt.Fprint(w, `{"predictions": [1, 2.5, -3e2]}`)
	}))
	defer srv.Close()
	mem := newMem(t)
	b := newBatch(t, mem, f64("x", 1.5, nil, nan), str("c", "a", nil, `q"uote`), f64("y", 1, 2, 3), i64("k", 7, 8, 9))
	e := &Endpoint{URL: srv.URL, Features: []string{"c", "x", "k"}}
	p, err := e.Predict(context.Background(), b)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2.5, -300}, p)
	assert.Equal(t, `{"instances":[{"c":"a","x":1.5,"k":7},{"c":null,"x":null,"k":8},{"c":"q\"uote","x":null,"k":9}]}`, string(got))
	assert.Equal(t, http.MethodPost, method)
	assert.Equal(t, "application/json", ctype)
}

func TestEndpointBatchingAndConcurrency(t *testing.T) {
	var requests, inflight, peak atomic.Int32
	var mu sync.Mutex
	var sizes []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		now := inflight.Add(1)
		defer inflight.Add(-1)
		for {
			old := peak.Load()
			if now <= old || peak.CompareAndSwap(old, now) {
				break
			}
		}
		ins := instancesOf(t, r)
		mu.Lock()
		sizes = append(sizes, len(ins))
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		preds := make([]float64, len(ins))
		for i, in := range ins {
			preds[i] = 2 * in["x"].(float64)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"predictions": preds})
	}))
	defer srv.Close()

	e := &Endpoint{URL: srv.URL, BatchSize: 3, Concurrency: 2, Features: []string{"x"}}
	got, err := e.Predict(context.Background(), seqBatch(t, 20))
	require.NoError(t, err)
	want := make([]float64, 20)
	for i := range want {
		want[i] = 2 * float64(i)
	}
	assert.Equal(t, want, got, "predictions slotted back in row order")
	assert.Equal(t, int32(7), requests.Load(), "ceil(20/3) requests")
	assert.ElementsMatch(t, []int{3, 3, 3, 3, 3, 3, 2}, sizes)
	assert.LessOrEqual(t, peak.Load(), int32(2), "never more than Concurrency in flight")
	assert.Equal(t, int32(2), peak.Load(), "requests do overlap")
}

func TestEndpointRetries(t *testing.T) {
	var attempts atomic.Int32
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) <= 2 {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		doubler(t, func(p []float64) any { return map[string]any{"predictions": p} })(w, r)
	}))
	defer flaky.Close()
	e := &Endpoint{URL: flaky.URL, Backoff: time.Millisecond}
	got, err := e.Predict(context.Background(), seqBatch(t, 2))
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 2}, got)
	assert.Equal(t, int32(3), attempts.Load())

	attempts.Store(0)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		http.Error(w, "still down", http.StatusBadGateway)
	}))
	defer down.Close()
	e = &Endpoint{URL: down.URL, Retries: 2, Backoff: time.Millisecond}
	_, err = e.Predict(context.Background(), seqBatch(t, 2))
	assert.Equal(t, int32(3), attempts.Load())
	assert.EqualError(t, err, fmt.Sprintf(`model: endpoint POST %s: rows 0..1: after 3 attempts: status 502 Bad Gateway; response: "still down\n"`, down.URL))
	var ee *EndpointError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 502, ee.Status)

	attempts.Store(0)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		http.Error(w, `{"error": "feature x missing"}`, http.StatusBadRequest)
	}))
	defer bad.Close()
	e = &Endpoint{URL: bad.URL, Backoff: time.Millisecond}
	_, err = e.Predict(context.Background(), seqBatch(t, 2))
	assert.Equal(t, int32(1), attempts.Load(), "no retry on 4xx")
	assert.EqualError(t, err, fmt.Sprintf(`model: endpoint POST %s: rows 0..1: status 400 Bad Request; response: "{\"error\": \"feature x missing\"}\n"`, bad.URL))
}

func TestEndpointBadResponses(t *testing.T) {
	// 38 bytes of prefix, 300 of padding, 2 of suffix: 340 bytes.
	long := `{"predictions": [1, 2, 3], "pad": "` + strings.Repeat("z", 300) + `"}`
	for _, tc := range []struct {
		name, body, want string
	}{
		{"wrong count", `{"predictions": [1, 2]}`,
			`rows 0..2: status 200 OK: got 2 predictions for 3 rows; response: "{\"predictions\": [1, 2]}"`},
		{"non-number", `{"predictions": [1, "2", 3]}`,
			`rows 0..2: status 200 OK: prediction 1 is "2", not a number; response: "{\"predictions\": [1, \"2\", 3]}"`},
		{"null", `{"predictions": [1, null, 3]}`,
			`rows 0..2: status 200 OK: prediction 1 is null, not a number; response: "{\"predictions\": [1, null, 3]}"`},
		{"invalid JSON", `{"predictions": [1, 2,`,
			`rows 0..2: status 200 OK: invalid JSON: unexpected EOF; response: "{\"predictions\": [1, 2,"`},
		{"trailing data", `{"predictions": [1, 2, 3]} x`,
			`rows 0..2: status 200 OK: invalid JSON: data after the top-level value; response: "{\"predictions\": [1, 2, 3]} x"`},
		{"missing", `{"preds": [1, 2, 3]}`,
			`rows 0..2: status 200 OK: no "predictions" or "data.predictions" in the response; response: "{\"preds\": [1, 2, 3]}"`},
		{"long body", strings.Replace(long, "3]", "3, 4]", 1),
			`rows 0..2: status 200 OK: got 4 predictions for 3 rows; response (first 200 of 340 bytes): "{\"predictions\": [1, 2, 3, 4], \"pad\": \"` + strings.Repeat("z", 200-len(`{"predictions": [1, 2, 3, 4], "pad": "`)) + `"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			e := &Endpoint{URL: srv.URL + "/predict", Backoff: time.Millisecond}
			_, err := e.Predict(context.Background(), seqBatch(t, 3))
			assert.EqualError(t, err, "model: endpoint POST "+srv.URL+"/predict: "+tc.want)
		})
	}
}

func TestEndpointDeadAndTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + l.Addr().String() + "/predict"
	require.NoError(t, l.Close())
	e := &Endpoint{URL: dead, Retries: 1, Backoff: time.Millisecond}
	_, err = e.Predict(context.Background(), seqBatch(t, 3))
	require.Error(t, err)
	assert.Equal(t, fmt.Sprintf(`model: endpoint POST %s: rows 0..2: after 2 attempts: Post %q: dial tcp %s: connect: connection refused`, dead, dead, l.Addr()), err.Error())

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client hanging up.
		_, _ = io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	e = &Endpoint{URL: slow.URL, Timeout: 50 * time.Millisecond, Retries: -1}
	start := time.Now()
	_, err = e.Predict(context.Background(), seqBatch(t, 3))
	assert.Less(t, time.Since(start), 4*time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, fmt.Sprintf(`model: endpoint POST %s: rows 0..2: no response within 50ms: context deadline exceeded`, slow.URL))
}

func TestEndpointCancelled(t *testing.T) {
	srv := httptest.NewServer(doubler(t, func(p []float64) any { return map[string]any{"predictions": p} }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Endpoint{URL: srv.URL}).Predict(ctx, seqBatch(t, 3))
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

func TestEndpointEnvHeaders(t *testing.T) {
	const secret = "s3cret-token-value"
	var seen string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Get("Authorization")
		doubler(t, func(p []float64) any { return map[string]any{"predictions": p} })(w, r)
	}))
	defer srv.Close()
	t.Setenv("TRUSTML_TEST_TOKEN", secret)
	e := &Endpoint{URL: srv.URL, Headers: map[string]string{"Authorization": "Bearer ${TRUSTML_TEST_TOKEN}"}}
	_, err := e.Predict(context.Background(), seqBatch(t, 1))
	require.NoError(t, err)
	assert.Equal(t, "Bearer "+secret, seen)
	assert.Equal(t, "Bearer ${TRUSTML_TEST_TOKEN}", e.Headers["Authorization"], "the config keeps the reference")

	data, err := json.Marshal(e)
	require.NoError(t, err)
	assert.NotContains(t, string(data), secret)
	assert.NotContains(t, e.String(), secret)
	assert.JSONEq(t, fmt.Sprintf(`{"url":%q,"method":"POST","headers":{"Authorization":"[redacted]"},
		"batch_size":256,"concurrency":4,"timeout":"30s","retries":3,"backoff":"100ms"}`, srv.URL), string(data))
	assert.Equal(t, "endpoint POST "+srv.URL+" (batch size 256, concurrency 4, timeout 30s, retries 3, header Authorization: [redacted])", e.String())

	// A literal secret is redacted too, and so is a password in the URL.
	lit := &Endpoint{URL: "http://user:pw@host/p", Headers: map[string]string{"X-Key": "abc123"}}
	data, _ = json.Marshal(lit)
	assert.NotContains(t, string(data), "abc123")
	assert.NotContains(t, string(data), ":pw@")
	data, _ = json.Marshal(struct{ E Endpoint }{*lit})
	assert.NotContains(t, string(data), "abc123", "a value Endpoint redacts too")

	unset := &Endpoint{URL: srv.URL, Headers: map[string]string{"X-Key": "${TRUSTML_TEST_UNSET_VAR}"}, LookupEnv: func(string) (string, bool) { return "", false }}
	_, err = unset.Predict(context.Background(), seqBatch(t, 1))
	assert.EqualError(t, err, `model: endpoint: header "X-Key": environment variable TRUSTML_TEST_UNSET_VAR is not set`)
}

// TestEndpointReportsFirstFailingChunk: when several chunks fail, the error
// names the first in row order even when a later one fails sooner.
func TestEndpointReportsFirstFailingChunk(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ins := instancesOf(t, r)
		first, _ := ins[0]["x"].(float64)
		switch first {
		case 0:
			time.Sleep(150 * time.Millisecond) // the first chunk fails last
			http.Error(w, "bad chunk zero", http.StatusBadRequest)
		case 20:
			http.Error(w, "bad chunk two", http.StatusBadRequest)
		default:
			preds := make([]float64, len(ins))
			_ = json.NewEncoder(w).Encode(map[string]any{"predictions": preds})
		}
	}))
	defer srv.Close()
	e := &Endpoint{URL: srv.URL, BatchSize: 10, Concurrency: 4, Features: []string{"x"}}
	for range 3 {
		_, err := e.Predict(context.Background(), seqBatch(t, 40))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "rows 0..9: status 400 Bad Request")
		assert.Contains(t, err.Error(), "bad chunk zero")
	}
}
