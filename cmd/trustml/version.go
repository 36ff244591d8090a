package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/trustml/trustml"
)

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.Usage = usageFor(fs, "version", "Prints trustml's version and the Go version it was built with.")
	pos, code, done := parseArgs(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "trustml version: takes no arguments\n")
		return exitNoRun
	}
	fmt.Fprintf(stdout, "trustml %s (%s)\n", trustml.VersionString(), runtime.Version())
	return exitPass
}
