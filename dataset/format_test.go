package dataset

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatFromPath(t *testing.T) {
	tests := []struct {
		path string
		want Format
	}{
		{"data.csv", CSV},
		{"DIR/DATA.CSV", CSV},
		{"a.tsv", TSV},
		{"a.tab", TSV},
		{"regression_dataset.txt", TSV},
		{"a.parquet", Parquet},
		{"a.PQ", Parquet},
		{"a.arrow", ArrowFile},
		{"a.feather", ArrowFile},
		{"a.ipc", ArrowFile},
		{"a.arrows", ArrowStream},
		{"a.jsonl", JSONLines},
		{"a.ndjson", JSONLines},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := FormatFromPath(tt.path)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFormatFromPathErrors(t *testing.T) {
	tests := []struct{ path, want string }{
		{"data.xlsx", `data.xlsx: unknown file extension ".xlsx"; supported extensions are .csv, .tsv, .tab, .txt, .parquet, .pq, .arrow, .feather, .ipc, .arrows, .jsonl, .ndjson (or set the format)`},
		{"data", `data: no file extension to tell the format; supported extensions are .csv, .tsv, .tab, .txt, .parquet, .pq, .arrow, .feather, .ipc, .arrows, .jsonl, .ndjson (or set the format)`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := FormatFromPath(tt.path)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
	}{
		{"csv", CSV}, {"CSV", CSV}, {"tsv", TSV}, {"txt", TSV}, {"parquet", Parquet},
		{"arrow", ArrowFile}, {"feather", ArrowFile}, {"ipc", ArrowFile}, {"arrows", ArrowStream},
		{"jsonl", JSONLines}, {" ndjson ", JSONLines},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := ParseFormat("excel")
	require.EqualError(t, err, `dataset: unknown format "excel"; valid formats are csv, tsv, txt, parquet, arrow, feather, ipc, arrows, jsonl, ndjson`)
}
