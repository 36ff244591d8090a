package dataset

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format names a file format that Open can read.
type Format string

// The formats Open reads. The comment after each lists the file extensions
// FormatFromPath maps to it.
const (
	CSV         Format = "csv"     // .csv
	TSV         Format = "tsv"     // .tsv, .tab, .txt (tab-separated)
	Parquet     Format = "parquet" // .parquet, .pq
	ArrowFile   Format = "arrow"   // .arrow, .feather, .ipc (Arrow IPC file format)
	ArrowStream Format = "arrows"  // .arrows (Arrow IPC stream format)
	JSONLines   Format = "jsonl"   // .jsonl, .ndjson
)

var extensions = map[string]Format{
	".csv":     CSV,
	".tsv":     TSV,
	".tab":     TSV,
	".txt":     TSV,
	".parquet": Parquet,
	".pq":      Parquet,
	".arrow":   ArrowFile,
	".feather": ArrowFile,
	".ipc":     ArrowFile,
	".arrows":  ArrowStream,
	".jsonl":   JSONLines,
	".ndjson":  JSONLines,
}

const supportedExtensions = ".csv, .tsv, .tab, .txt, .parquet, .pq, .arrow, .feather, .ipc, .arrows, .jsonl, .ndjson"

var formatNames = map[string]Format{
	"csv":     CSV,
	"tsv":     TSV,
	"txt":     TSV,
	"parquet": Parquet,
	"arrow":   ArrowFile,
	"feather": ArrowFile,
	"ipc":     ArrowFile,
	"arrows":  ArrowStream,
	"jsonl":   JSONLines,
	"ndjson":  JSONLines,
}

const supportedNames = "csv, tsv, txt, parquet, arrow, feather, ipc, arrows, jsonl, ndjson"

// FormatFromPath returns the format implied by the extension of path,
// compared case-insensitively. An unknown or missing extension is an error
// that names it and lists the supported extensions.
//
// A text format's extension followed by .gz (data.csv.gz, data.tsv.gz,
// data.jsonl.gz) gives that format: Open decompresses gzip, which it
// recognises by its first bytes, whatever the name.
func FormatFromPath(path string) (Format, error) {
	ext := filepath.Ext(path)
	if strings.EqualFold(ext, ".gz") {
		inner := filepath.Ext(strings.TrimSuffix(path, ext))
		switch f := extensions[strings.ToLower(inner)]; f {
		case CSV, TSV, JSONLines:
			return f, nil
		case "":
			return "", fmt.Errorf("%s: a .gz file is read as the text format its name has before .gz (.csv.gz, .tsv.gz, .jsonl.gz), and %q is not one (or set the format)", path, inner)
		default:
			return "", fmt.Errorf("%s: gzip-compressed %s is not read; decompress it (Parquet has its own compression)", path, formatTitle(f))
		}
	}
	if f, ok := extensions[strings.ToLower(ext)]; ok {
		return f, nil
	}
	if ext == "" {
		return "", fmt.Errorf("%s: no file extension to tell the format; supported extensions are %s (or set the format)", path, supportedExtensions)
	}
	return "", fmt.Errorf("%s: unknown file extension %q; supported extensions are %s (or set the format)", path, ext, supportedExtensions)
}

// ParseFormat returns the format named by s, compared case-insensitively
// after trimming spaces. It accepts the Format constants' values and the
// aliases "feather" and "ipc" (ArrowFile), "ndjson" (JSONLines) and "txt"
// (TSV). Any other name is an error listing the valid names.
func ParseFormat(s string) (Format, error) {
	if f, ok := formatNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return f, nil
	}
	return "", fmt.Errorf("dataset: unknown format %q; valid formats are %s", s, supportedNames)
}
