package model

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"
)

// Defaults applied by [Endpoint] to zero fields.
const (
	DefaultBatchSize   = 256
	DefaultConcurrency = 4
	DefaultTimeout     = 30 * time.Second
	DefaultRetries     = 3
	DefaultBackoff     = 100 * time.Millisecond
)

// maxResponse bounds the bytes read from one response.
const maxResponse = 64 << 20

// Endpoint is a [Regressor] (or, with [Endpoint.Classify], a [Classifier])
// served over HTTP. The zero value of every
// field but URL selects a default.
//
// Predict cuts the batch into chunks of BatchSize rows and sends each as
//
//	{"instances": [{"feature": value, ...}, ...]}
//
// holding only the Features columns (every column when Features is nil),
// in that order, with nulls, NaN and ±Inf as JSON null. At most Concurrency
// requests are in flight at once. The predictions are read from the
// response at ResponsePath, or else from "predictions" or
// "data.predictions" (as in {"data": {"predictions": [...]}, "metadata":
// {...}}); they must be JSON numbers, one per row, in row order.
//
// A 5xx or 429 status, a connection error or a request that outlives
// Timeout is retried up to Retries times, waiting Backoff, 2·Backoff,
// 4·Backoff, ... between attempts. Any other failure (a 4xx, invalid JSON,
// a wrong count, a value that is not a number) fails at once. Every error
// is an *[EndpointError] naming the chunk's rows.
//
// An Endpoint is safe for concurrent use and holds no resources of its own
// (the http.Client's connections are the client's), so it needs no Close.
// Its methods have value receivers, so Endpoint and *Endpoint are both
// Regressors and both marshal with the redaction of MarshalJSON.
type Endpoint struct {
	// URL is the model server's address. Required.
	URL string
	// Method is the HTTP method, POST by default.
	Method string
	// Headers are sent with every request. A value may hold references
	// ${NAME} to environment variables, expanded at request time (an
	// unset variable is an error); the expanded value is never stored, and
	// String and MarshalJSON show every value as "[redacted]".
	Headers map[string]string
	// Features are the columns sent; nil sends every column of the batch.
	Features []string
	// BatchSize is the number of rows per request, DefaultBatchSize when 0.
	BatchSize int
	// Concurrency bounds the requests in flight, DefaultConcurrency when 0.
	Concurrency int
	// Timeout bounds each attempt, DefaultTimeout when 0.
	Timeout time.Duration
	// Retries is the number of retries after a retryable failure,
	// DefaultRetries when 0; a negative value disables retries.
	Retries int
	// Backoff is the wait before the first retry, doubling after each,
	// DefaultBackoff when 0.
	Backoff time.Duration
	// ResponsePath is a dotted path to the predictions array in the
	// response, e.g. "data.predictions". Empty tries "predictions" then
	// "data.predictions".
	ResponsePath string
	// Client sends the requests; nil uses http.DefaultClient.
	Client *http.Client
	// LookupEnv resolves ${NAME} in header values; nil uses os.LookupEnv.
	LookupEnv func(name string) (string, bool)
}

// EndpointError reports a chunk that an [Endpoint] could not predict.
type EndpointError struct {
	Method, URL string // URL with any password redacted
	// FirstRow and LastRow are the chunk's rows in the batch, inclusive.
	FirstRow, LastRow int
	// DataRows, when set by [AtDataRows], holds the data row of each of
	// the chunk's rows; the message then names them.
	DataRows []int
	// Attempts is the number of requests made for the chunk.
	Attempts int
	// Status is the HTTP status of the last response, 0 when there was none.
	Status int
	// Body holds the first 200 bytes of the last response; BodyLen is its
	// full length.
	Body    string
	BodyLen int
	// Err is the cause; nil when the status alone says what went wrong.
	Err error
}

// Error formats the failure as, for example:
//
//	model: endpoint POST http://host/predict: rows 0..255: status 200 OK: got 3 predictions for 256 rows; response: "{...}"
func (e *EndpointError) Error() string {
	var b strings.Builder
	if e.DataRows != nil {
		fmt.Fprintf(&b, "model: endpoint %s %s: %s: ", e.Method, e.URL, dataRowsText(e.DataRows))
	} else {
		fmt.Fprintf(&b, "model: endpoint %s %s: rows %d..%d: ", e.Method, e.URL, e.FirstRow, e.LastRow)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, "after %d attempts: ", e.Attempts)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "status %d %s", e.Status, http.StatusText(e.Status))
		if e.Err != nil {
			b.WriteString(": ")
		}
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.BodyLen > len(e.Body) {
		fmt.Fprintf(&b, "; response (first %d of %d bytes): %q", len(e.Body), e.BodyLen, e.Body)
	} else if e.BodyLen > 0 {
		fmt.Fprintf(&b, "; response: %q", e.Body)
	}
	return b.String()
}

// Unwrap returns Err.
func (e *EndpointError) Unwrap() error { return e.Err }

func (e *EndpointError) setDataRows(rows []int) bool {
	if e.FirstRow < 0 || e.LastRow < e.FirstRow || e.LastRow >= len(rows) {
		return false
	}
	e.DataRows = rows[e.FirstRow : e.LastRow+1 : e.LastRow+1]
	return true
}

type endpointConfig struct {
	method      string
	batchSize   int
	concurrency int
	timeout     time.Duration
	retries     int
	backoff     time.Duration
}

func (e Endpoint) config() (endpointConfig, error) {
	c := endpointConfig{method: e.Method, batchSize: e.BatchSize, concurrency: e.Concurrency,
		timeout: e.Timeout, retries: e.Retries, backoff: e.Backoff}
	if c.method == "" {
		c.method = http.MethodPost
	}
	if c.batchSize == 0 {
		c.batchSize = DefaultBatchSize
	}
	if c.concurrency == 0 {
		c.concurrency = DefaultConcurrency
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultRetries
	case c.retries < 0:
		c.retries = 0
	}
	if c.backoff == 0 {
		c.backoff = DefaultBackoff
	}
	var errs []error
	if e.URL == "" {
		errs = append(errs, errors.New("url is required"))
	} else if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		errs = append(errs, fmt.Errorf("url %q is not an http(s) URL", redactURL(e.URL)))
	}
	if c.batchSize < 0 {
		errs = append(errs, fmt.Errorf("batch size %d < 0", c.batchSize))
	}
	if c.concurrency < 0 {
		errs = append(errs, fmt.Errorf("concurrency %d < 0", c.concurrency))
	}
	if c.timeout < 0 || c.backoff < 0 {
		errs = append(errs, errors.New("timeout and backoff must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("model: endpoint: %w", err)
	}
	return c, nil
}

// Predict implements [Regressor]; see [Endpoint] for the protocol. The
// batch is only read, and not retained after Predict returns.
func (e Endpoint) Predict(ctx context.Context, batch arrow.RecordBatch) ([]float64, error) {
	out := make([]float64, batch.NumRows())
	if err := e.each(ctx, batch, numberInto(out)); err != nil {
		return nil, err
	}
	return out, nil
}

// numberInto returns a conversion for [Endpoint.each] that stores each
// prediction, a JSON number within float64's range, into out.
func numberInto(out []float64) func(i int, v any) error {
	return func(i int, v any) error {
		num, ok := v.(json.Number)
		if !ok {
			b, _ := json.Marshal(v)
			return fmt.Errorf("is %s, not a number", b)
		}
		f, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			return fmt.Errorf("is %s, out of range", num)
		}
		out[i] = f
		return nil
	}
}

// Classify implements [Classifier] with the protocol of [Endpoint]: each
// prediction is a label (a JSON string, integer or boolean) or a list of
// probabilities, one per class in the order of the model section's
// classes; every row of a response must have the same form.
func (e Endpoint) Classify(ctx context.Context, batch arrow.RecordBatch) (ClassOutput, error) {
	vals := make([]any, batch.NumRows())
	if err := e.each(ctx, batch, func(i int, v any) error {
		vals[i] = v
		return nil
	}); err != nil {
		return ClassOutput{}, err
	}
	o, i, err := classOutputOf(vals)
	if err != nil {
		return ClassOutput{}, rowErrorf(e.String(), i, len(vals), "%w", err)
	}
	return o, nil
}

// each sends the batch as Predict documents and calls conv with each
// row's prediction, a value decoded from JSON with json.Number for numbers;
// an error from conv fails the row's chunk.
func (e Endpoint) each(ctx context.Context, batch arrow.RecordBatch, conv func(i int, v any) error) error {
	c, err := e.config()
	if err != nil {
		return err
	}
	headers, err := e.expandHeaders()
	if err != nil {
		return err
	}
	enc, err := newRowEncoder(batch, e.Features)
	if err != nil {
		return fmt.Errorf("model: endpoint: %w", err)
	}
	n := int(batch.NumRows())
	// A failed chunk stops the chunks after it, not those before: the error
	// reported is the first failing chunk's in row order, whatever the
	// scheduling, and every chunk before it got its full retries.
	var g errgroup.Group
	g.SetLimit(c.concurrency)
	chunks := (n + c.batchSize - 1) / c.batchSize
	errs := make([]error, chunks)
	var firstFailed atomic.Int64
	firstFailed.Store(int64(chunks))
	cancels := make([]context.CancelFunc, chunks)
	ctxs := make([]context.Context, chunks)
	for k := range chunks {
		ctxs[k], cancels[k] = context.WithCancel(ctx)
	}
	defer func() {
		for _, cancel := range cancels {
			cancel()
		}
	}()
	fail := func(k int) {
		for {
			cur := firstFailed.Load()
			if int64(k) >= cur || firstFailed.CompareAndSwap(cur, int64(k)) {
				break
			}
		}
		for j := k + 1; j < chunks; j++ {
			cancels[j]()
		}
	}
	for first := 0; first < n; first += c.batchSize {
		last := min(first+c.batchSize, n) - 1
		k := first / c.batchSize
		g.Go(func() error {
			if int64(k) > firstFailed.Load() {
				return nil // an earlier chunk failed: this one is moot
			}
			body := []byte(`{"instances":[`)
			for i := first; i <= last; i++ {
				if i > first {
					body = append(body, ',')
				}
				var err error
				if body, err = enc.appendRow(body, i); err != nil {
					errs[k] = rowErrorf("endpoint "+c.method+" "+redactURL(e.URL), i, n, "%w", err)
					fail(k)
					return nil
				}
			}
			body = append(body, "]}"...)
			if err := e.call(ctxs[k], c, headers, body, first, last, conv); err != nil {
				errs[k] = err
				fail(k)
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if k := firstFailed.Load(); k < int64(chunks) {
		return errs[k]
	}
	return nil
}

// call sends one chunk, retrying as documented, and parses its predictions.
func (e Endpoint) call(ctx context.Context, c endpointConfig, headers http.Header, body []byte, first, last int, conv func(i int, v any) error) error {
	fail := &EndpointError{Method: c.method, URL: redactURL(e.URL), FirstRow: first, LastRow: last}
	var (
		status int
		resp   []byte
		err    error
	)
	for attempt := 0; ; attempt++ {
		fail.Attempts = attempt + 1
		status, resp, err = e.do(ctx, c, headers, body)
		if ctx.Err() != nil {
			fail.Status, fail.Err = 0, ctx.Err()
			return fail
		}
		retryable := err != nil || status >= 500 || status == http.StatusTooManyRequests
		if !retryable || attempt == c.retries {
			break
		}
		select {
		case <-time.After(c.backoff << attempt):
		case <-ctx.Done():
			fail.Err = ctx.Err()
			return fail
		}
	}
	fail.Status, fail.BodyLen = status, len(resp)
	fail.Body = string(resp[:min(len(resp), 200)])
	switch {
	case err != nil:
		fail.Err = err
		return fail
	case status < 200 || status > 299:
		return fail
	}
	if err := e.parse(resp, last-first+1, first, conv); err != nil {
		fail.Err = err
		return fail
	}
	return nil
}

// do makes one attempt. err reports a failure to get a response.
func (e Endpoint) do(ctx context.Context, c endpointConfig, headers http.Header, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, c.method, e.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = headers.Clone()
	client := e.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no response within %v: %w", c.timeout, context.DeadlineExceeded)
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("response not complete within %v: %w", c.timeout, context.DeadlineExceeded)
		}
		return resp.StatusCode, data, fmt.Errorf("reading response: %w", err)
	}
	if len(data) > maxResponse {
		return resp.StatusCode, data, fmt.Errorf("response larger than %d bytes", maxResponse)
	}
	return resp.StatusCode, data, nil
}

// parse extracts want predictions from a response body, calling conv
// with each and its row (first + its index).
func (e Endpoint) parse(body []byte, want, first int, conv func(i int, v any) error) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: data after the top-level value")
	}
	paths := []string{"predictions", "data.predictions"}
	if e.ResponsePath != "" {
		paths = []string{e.ResponsePath}
	}
	var found any
	var path string
	for _, path = range paths {
		if v, ok := lookupPath(doc, path); ok {
			found = v
			break
		}
	}
	if found == nil {
		return fmt.Errorf("no %s in the response", quoteAll(paths, " or "))
	}
	list, ok := found.([]any)
	if !ok {
		return fmt.Errorf("%q is not an array", path)
	}
	if len(list) != want {
		return fmt.Errorf("got %d predictions for %d rows", len(list), want)
	}
	for i, v := range list {
		if err := conv(first+i, v); err != nil {
			return fmt.Errorf("prediction %d %w", i, err)
		}
	}
	return nil
}

func lookupPath(doc any, path string) (any, bool) {
	for key := range strings.SplitSeq(path, ".") {
		obj, ok := doc.(map[string]any)
		if !ok {
			return nil, false
		}
		if doc, ok = obj[key]; !ok {
			return nil, false
		}
	}
	return doc, doc != nil
}

func quoteAll(s []string, sep string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, sep)
}

// expandHeaders resolves ${NAME} references in header values.
func (e Endpoint) expandHeaders() (http.Header, error) {
	lookup := e.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	for _, name := range slices.Sorted(maps.Keys(e.Headers)) {
		v, err := expandEnv(e.Headers[name], lookup)
		if err != nil {
			return nil, fmt.Errorf("model: endpoint: header %q: %w", name, err)
		}
		h.Set(name, v)
	}
	return h, nil
}

// expandEnv replaces each ${NAME} in s by the variable's value. A "$" not
// followed by "{" is kept as is.
func expandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", errors.New("unterminated ${")
		}
		name := s[i+2 : i+j]
		v, ok := lookup(name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		s = s[i+j+1:]
	}
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparsable URL]"
	}
	return u.Redacted()
}

// endpointJSON is the shape of Endpoint.MarshalJSON.
type endpointJSON struct {
	URL          string            `json:"url"`
	Method       string            `json:"method"`
	Headers      map[string]string `json:"headers,omitempty"`
	Features     []string          `json:"features,omitempty"`
	BatchSize    int               `json:"batch_size"`
	Concurrency  int               `json:"concurrency"`
	Timeout      string            `json:"timeout"`
	Retries      int               `json:"retries"`
	Backoff      string            `json:"backoff"`
	ResponsePath string            `json:"response_path,omitempty"`
}

func (e Endpoint) describe() endpointJSON {
	c, _ := e.config()
	j := endpointJSON{URL: redactURL(e.URL), Method: c.method, Features: e.Features,
		BatchSize: c.batchSize, Concurrency: c.concurrency, Timeout: c.timeout.String(),
		Retries: c.retries, Backoff: c.backoff.String(), ResponsePath: e.ResponsePath}
	if len(e.Headers) > 0 {
		j.Headers = make(map[string]string, len(e.Headers))
		for k := range e.Headers {
			j.Headers[k] = "[redacted]"
		}
	}
	return j
}

// MarshalJSON describes the endpoint for a report, with defaults applied,
// every header value replaced by "[redacted]" and any password in the URL
// masked. It is a description, not meant to be decoded back.
func (e Endpoint) MarshalJSON() ([]byte, error) { return json.Marshal(e.describe()) }

// String describes the endpoint like MarshalJSON, on one line.
func (e Endpoint) String() string {
	j := e.describe()
	s := fmt.Sprintf("endpoint %s %s (batch size %d, concurrency %d, timeout %s, retries %d",
		j.Method, j.URL, j.BatchSize, j.Concurrency, j.Timeout, j.Retries)
	for _, k := range slices.Sorted(maps.Keys(j.Headers)) {
		s += fmt.Sprintf(", header %s: %s", k, j.Headers[k])
	}
	return s + ")"
}
