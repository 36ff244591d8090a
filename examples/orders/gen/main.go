// Command gen writes the orders example's data, deterministically:
// customers.csv (500 customers), orders.csv (their order lines, clean)
// and orders_failing.csv (the same lines with planted faults: two orders
// of customers who do not exist, a key written twice, a row loaded twice).
//
//	go run ./examples/orders/gen examples/orders
package main

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

const customers = 500

var (
	countries = []string{"DE", "FR", "NL", "PL", "ES", "IT"}
	regions   = []string{"north", "south", "east", "west"}
	products  = []string{"cable", "charger", "headset", "keyboard", "monitor", "mouse", "webcam"}
	prices    = map[string]float64{"cable": 9.9, "charger": 24.5, "headset": 59, "keyboard": 45, "monitor": 189, "mouse": 19.9, "webcam": 39}
	names     = []string{"Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lea"}
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	r := rand.New(rand.NewPCG(14, 2026))
	cust := [][]string{{"id", "name", "country", "signup_date"}}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for id := 1; id <= customers; id++ {
		signup := start.AddDate(0, 0, r.IntN(900))
		cust = append(cust, []string{strconv.Itoa(id), names[r.IntN(len(names))] + " " + strconv.Itoa(id),
			countries[r.IntN(len(countries))], signup.Format("2006-01-02")})
	}
	// Orders of November 2026, one to four lines each, numbered from 1.
	orders := [][]string{{"order_id", "line", "customer_id", "region", "product", "quantity", "unit_price", "ordered_at"}}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for id := 100001; len(orders) <= 3000; id++ {
		customer := 1 + r.IntN(customers)
		region := regions[customer%len(regions)]
		at := month.Add(time.Duration(r.IntN(29*24*60)) * time.Minute)
		lines := 1 + r.IntN(4)
		for line := 1; line <= lines && len(orders) <= 3000; line++ {
			p := products[r.IntN(len(products))]
			orders = append(orders, []string{strconv.Itoa(id), strconv.Itoa(line), strconv.Itoa(customer), region, p,
				strconv.Itoa(1 + r.IntN(5)), strconv.FormatFloat(prices[p], 'f', -1, 64), at.Format(time.RFC3339)})
		}
	}
	// The failing copy; data rows are numbered from 0, so row i is
	// orders[i+1].
	bad := make([][]string, len(orders))
	for i, o := range orders {
		bad[i] = append([]string(nil), o...)
	}
	bad[17+1][2] = "9001"           // row 17: no customer 9001
	bad[640+1][2] = "9002"          // row 640: no customer 9002
	bad[1200+1][0] = bad[1199+1][0] // row 1200 takes row 1199's key
	bad[1200+1][1] = bad[1199+1][1] //
	// Two cables priced 99 instead of 9.9, a decimal slip: the first cable
	// lines at or after rows 100 and 2000.
	for _, from := range []int{100, 2000} {
		for i := from; i < len(orders)-1; i++ {
			if bad[i+1][4] == "cable" {
				bad[i+1][6] = "99"
				break
			}
		}
	}
	bad = append(bad, append([]string(nil), bad[5+1]...)) // row 3000 repeats row 5
	for name, rows := range map[string][][]string{"customers.csv": cust, "orders.csv": orders, "orders_failing.csv": bad} {
		if err := write(filepath.Join(dir, name), rows); err != nil {
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
