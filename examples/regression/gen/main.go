// Command gen writes regression_dataset.txt: the classic first regression
// data set, two tab-separated columns x and y with no header, where
// y = 3·x + 4 + Gaussian noise (σ = 2). Seeded, so the file is the same on
// every machine:
//
//	go run ./examples/regression/gen > examples/regression/regression_dataset.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
)

func main() {
	n := flag.Int("n", 200, "rows")
	seed := flag.Uint64("seed", 7, "random seed")
	flag.Parse()
	rng := rand.New(rand.NewPCG(*seed, *seed))
	w := bufio.NewWriter(os.Stdout)
	for range *n {
		x := 10 * rng.Float64()
		y := 3*x + 4 + 2*rng.NormFloat64()
		fmt.Fprintf(w, "%.4f\t%.4f\n", x, y)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
