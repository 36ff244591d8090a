// Command split writes the drift example's data: the airquality rows of May
// and June as the reference, and those of August and September as the
// current data, unchanged (header included).
//
//	go run ./examples/drift/split
//
// run from the repository's root.
package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"slices"
)

func main() {
	if err := split("examples/airquality/airquality.csv", "examples/drift"); err != nil {
		fmt.Fprintln(os.Stderr, "split:", err)
		os.Exit(1)
	}
}

func split(src, dir string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return err
	}
	month := slices.Index(rows[0], "Month")
	if month < 0 {
		return fmt.Errorf("%s: no Month column", src)
	}
	for name, months := range map[string][]string{"reference.csv": {"5", "6"}, "current.csv": {"8", "9"}} {
		out := [][]string{rows[0]}
		for _, r := range rows[1:] {
			if slices.Contains(months, r[month]) {
				out = append(out, r)
			}
		}
		if err := write(dir+"/"+name, out); err != nil {
			return err
		}
	}
	return nil
}

func write(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
