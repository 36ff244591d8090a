package main

// The whole job runs, and prints what suite.yaml checks.
func Example() {
	main()
	// Output:
	// 200 rows, x in [0.03, 9.96]
	// y = 3.6636 + 3.0524·x
	// test R² 0.9414, RMSE 2.1163 (predicting the mean: RMSE 8.7418)
}
