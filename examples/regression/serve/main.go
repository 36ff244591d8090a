// Command serve fits the regression example's line on its training rows and
// serves it over HTTP, the way a model server would:
//
//	go run ./examples/regression/serve -addr 127.0.0.1:8080
//
// POST /predict with {"instances": [{"x": 1.5}, ...]} answers
// {"data": {"predictions": [...]}, "metadata": {...}}. The suite
// endpoint.yaml tests it as a black box.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/trustml/trustml/dataset"
	"github.com/trustml/trustml/examples/internal/serving"
	"github.com/trustml/trustml/model"
)

func main() {
	serving.Main("127.0.0.1:8080", "regression_dataset.txt", fit, handler, func(m *model.Linear) string {
		return fmt.Sprintf("y = %.4f + %.4f·x", m.Intercept, m.Coefficients[0].Value)
	})
}

// fit fits y on x with the training rows of the split the suites use
// (random, 20% held out, seed 42), so that the held-out rows stay unseen.
func fit(ctx context.Context, path string) (*model.Linear, error) {
	return serving.FitOnTraining(ctx, path, dataset.Options{Names: []string{"x", "y"}}, func(batches []arrow.RecordBatch, train []int) (*model.Linear, error) {
		return model.Fit(ctx, batches, model.FitOptions{Target: "y", Features: []string{"x"}, Rows: train})
	})
}

// handler serves POST /predict.
func handler(m *model.Linear) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /predict", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Instances []struct {
				X *float64 `json:"x"`
			} `json:"instances"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		defer b.Release()
		for i, in := range req.Instances {
			if in.X == nil {
				http.Error(w, fmt.Sprintf("instance %d: x is missing", i), http.StatusBadRequest)
				return
			}
			b.Append(*in.X)
		}
		xs := b.NewArray()
		defer xs.Release()
		schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
		batch := array.NewRecordBatch(schema, []arrow.Array{xs}, int64(xs.Len()))
		defer batch.Release()
		preds, err := m.Predict(r.Context(), batch)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"data":     map[string]any{"predictions": preds},
			"metadata": map[string]any{"model": "linear", "intercept": m.Intercept, "slope": m.Coefficients[0].Value},
		})
	})
	return mux
}
