// Package serving is what the examples' model servers (examples/iris/serve
// and examples/regression/serve) share: a fit on the training rows of the
// split their suites use, and a main that serves the fitted model over
// HTTP on a loopback address.
package serving

import (
	"context"
	"flag"
	"log"
	"net/http"
	"path/filepath"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/model"
)

// Split is the split the example suites use: random, 20% held out, seed
// 42.
var Split = model.Split{Method: model.SplitRandom, TestFraction: 0.2, Seed: 42}

// FitOnTraining reads the data at path with opts and calls fit with all
// its batches and the training rows of Split, so that the model fit
// returns leaves the held-out rows unseen. The batches are released when
// FitOnTraining returns: fit must not keep them.
func FitOnTraining[M any](ctx context.Context, path string, opts dataset.Options, fit func(batches []arrow.RecordBatch, train []int) (M, error)) (M, error) {
	var zero M
	r, err := dataset.Open(ctx, path, opts)
	if err != nil {
		return zero, err
	}
	defer r.Close()
	var batches []arrow.RecordBatch
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	for r.Next() {
		b := r.RecordBatch()
		b.Retain()
		batches = append(batches, b)
	}
	if err := r.Err(); err != nil {
		return zero, err
	}
	part, err := Split.Batches(batches)
	if err != nil {
		return zero, err
	}
	return fit(batches, part.Train)
}

// Main is an example server's main function. It reads the flags -addr
// (default addr) and -data (default the file data in the example's
// folder: the parent of the folder of the source file that calls Main),
// fits the model with fit, logs "serving <describe(m)> on
// http://ADDR/predict" and serves handler(m) at ADDR until that fails,
// which it logs fatally, as it does an error of fit.
func Main[M any](addr, data string, fit func(ctx context.Context, path string) (M, error), handler func(M) http.Handler, describe func(M) string) {
	_, file, _, _ := runtime.Caller(1)
	listen := flag.String("addr", addr, "listen address")
	path := flag.String("data", filepath.Join(filepath.Dir(file), "..", data), "the "+data+" to fit on")
	flag.Parse()
	m, err := fit(context.Background(), *path)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("serving %s on http://%s/predict", describe(m), *listen)
	log.Fatal(http.ListenAndServe(*listen, handler(m)))
}
