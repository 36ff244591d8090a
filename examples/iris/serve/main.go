// Command serve fits the iris example's multinomial logistic regression on
// its training rows and serves it over HTTP, the way a model server would:
//
//	go run ./examples/iris/serve -addr 127.0.0.1:8081
//
// POST /predict with {"instances": [{"sepal_length": 5.1, "sepal_width":
// 3.5, "petal_length": 1.4, "petal_width": 0.2}, ...]} answers
// {"predictions": [[P(setosa), P(versicolor), P(virginica)], ...],
// "metadata": {"classes": [...], ...}}: one probability list per instance,
// in the class order the metadata names. The suite endpoint.yaml tests it
// as a black box.
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

// features are the model's inputs, in the order of the data's columns.
var features = []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}

func main() {
	serving.Main("127.0.0.1:8081", "iris.csv", fit, handler, func(m *model.Logistic) string {
		return fmt.Sprintf("a logistic regression of %s (classes %q)", m.Target, m.Classes)
	})
}

// fit fits the species on the four measurements with the training rows of
// the split the suites use (random, 20% held out, seed 42), so that the
// held-out rows stay unseen: standardised features, L2 penalty α = 1
// (scikit-learn's C = 1), multinomial.
func fit(ctx context.Context, path string) (*model.Logistic, error) {
	return serving.FitOnTraining(ctx, path, dataset.Options{}, func(batches []arrow.RecordBatch, train []int) (*model.Logistic, error) {
		return model.FitLogistic(ctx, batches, model.FitOptions{Target: "species", Features: features,
			Algorithm: model.AlgorithmLogistic, Alpha: 1, Standardize: true, Rows: train})
	})
}

// handler serves POST /predict.
func handler(m *model.Logistic) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /predict", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Instances []map[string]*float64 `json:"instances"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		fields := make([]arrow.Field, len(features))
		cols := make([]arrow.Array, len(features))
		for j, name := range features {
			fields[j] = arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64}
			b := array.NewFloat64Builder(memory.DefaultAllocator)
			for i, in := range req.Instances {
				v := in[name]
				if v == nil {
					b.Release()
					releaseAll(cols)
					http.Error(w, fmt.Sprintf("instance %d: %s is missing", i, name), http.StatusBadRequest)
					return
				}
				b.Append(*v)
			}
			cols[j] = b.NewArray()
			b.Release()
		}
		defer releaseAll(cols)
		batch := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(len(req.Instances)))
		defer batch.Release()
		out, err := m.Classify(r.Context(), batch)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"predictions": out.Proba,
			"metadata":    map[string]any{"model": "logistic", "alpha": m.Alpha, "classes": m.Classes},
		})
	})
	return mux
}

func releaseAll(cols []arrow.Array) {
	for _, c := range cols {
		if c != nil {
			c.Release()
		}
	}
}
