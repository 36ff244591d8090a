package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/trustml/trustml"
)

const validateAbout = `
Checks the suite file alone: YAML syntax, known keys, value types and
ranges, regular expressions. Reads no data. Every problem is printed as
FILE:LINE:COL: key.path: message.

Exit status: 0 the suite is valid; 2 it is not.`

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.Usage = usageFor(fs, "validate SUITE.yaml", validateAbout)
	pos, code, done := parseArgs(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "trustml validate: want exactly one suite file, got %d arguments\nusage: trustml validate SUITE.yaml\n", len(pos))
		return exitNoRun
	}
	s, err := trustml.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitNoRun
	}
	fmt.Fprintf(stdout, "%s: valid: %d checks declared on %s\n", pos[0], s.Len(), s.Data.Path)
	return exitPass
}
