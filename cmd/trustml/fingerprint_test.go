package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The data's fingerprint: XXH3-128 by default, SHA-256 by --fingerprint or
// data.fingerprint; the hashes are xxhsum -H2's and sha256sum's of the
// file, computed offline.
const (
	fpCSV    = "id,age\n1,30\n2,40\n"
	fpXXH3   = "6a4cc4a444470e6bc15fe7e0c3b3d9f4"
	fpSHA256 = "4e54b4e38b16298b125150104f0d4b17650a2132c21c82c0b12ec3f6dca6bddb"
)

func TestCheckFingerprint(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", fpCSV)
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations:\n  columns:\n    id: {unique: true}\n")
	fingerprint := func(args ...string) (alg, hash string) {
		t.Helper()
		out := filepath.Join(dir, "r.json")
		code, _, stderr := cli(t, append([]string{"check", suite, "--json", out, "--quiet"}, args...)...)
		require.Equal(t, exitPass, code, stderr)
		var res struct {
			Run struct {
				Data struct {
					Algorithm string
					Hash      string
				}
			}
		}
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &res))
		return res.Run.Data.Algorithm, res.Run.Data.Hash
	}
	alg, hash := fingerprint()
	assert.Equal(t, "xxh3-128", alg)
	assert.Equal(t, fpXXH3, hash)
	alg, hash = fingerprint("--fingerprint", "sha256")
	assert.Equal(t, "sha256", alg)
	assert.Equal(t, fpSHA256, hash)

	code, _, stderr := cli(t, "check", suite, "--fingerprint", "md5")
	assert.Equal(t, exitNoRun, code)
	assert.Equal(t, "trustml check: --fingerprint: unknown fingerprint algorithm \"md5\" (want one of xxh3-128, sha256)\n", stderr)

	// The suite's data.fingerprint, which the flag overrides.
	suite = writeFile(t, dir, "s.yaml", "data: {path: d.csv, fingerprint: sha256}\nexpectations:\n  columns:\n    id: {unique: true}\n")
	alg, hash = fingerprint()
	assert.Equal(t, "sha256", alg)
	assert.Equal(t, fpSHA256, hash)
	alg, _ = fingerprint("--fingerprint", "xxh3-128")
	assert.Equal(t, "xxh3-128", alg)

	bad := writeFile(t, dir, "bad.yaml", "data:\n  path: d.csv\n  fingerprint: md5\nexpectations:\n  columns:\n    id: {unique: true}\n")
	code, _, stderr = cli(t, "check", bad)
	assert.Equal(t, exitNoRun, code)
	assert.Contains(t, stderr, "bad.yaml:3:16: data.fingerprint: must be one of xxh3-128, sha256, got \"md5\"")
}

// TestDiffFingerprintAlgorithms: runs fingerprinted by different
// algorithms say so instead of "changed" or "same".
func TestDiffFingerprintAlgorithms(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", fpCSV)
	suite := writeFile(t, dir, "s.yaml", "data: {path: d.csv}\nexpectations:\n  columns:\n    id: {unique: true}\n")
	x, s, x2 := filepath.Join(dir, "x.json"), filepath.Join(dir, "s.json"), filepath.Join(dir, "x2.json")
	for _, run := range [][]string{{"--json", x}, {"--json", s, "--fingerprint", "sha256"}, {"--json", x2}} {
		code, _, stderr := cli(t, append([]string{"check", suite, "--quiet"}, run...)...)
		require.Equal(t, exitPass, code, stderr)
	}
	code, stdout, stderr := cli(t, "diff", x, s)
	require.Equal(t, exitPass, code, stderr)
	assert.Contains(t, stdout, "data:  not comparable (fingerprints by xxh3-128 and sha256; give both runs the same --fingerprint)  "+
		filepath.Join(dir, "d.csv")+" xxh3-128:"+fpXXH3[:10]+" (2 rows) → "+filepath.Join(dir, "d.csv")+" sha256:"+fpSHA256[:10]+" (2 rows)\n")
	code, stdout, _ = cli(t, "diff", x, s, "--json")
	require.Equal(t, exitPass, code)
	var d struct {
		DataChanged    bool `json:"data_changed"`
		DataComparable bool `json:"data_comparable"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &d))
	assert.False(t, d.DataChanged)
	assert.False(t, d.DataComparable)

	code, stdout, _ = cli(t, "diff", x, x2)
	require.Equal(t, exitPass, code)
	assert.Contains(t, stdout, "data:  same  xxh3-128:"+fpXXH3[:10]+" (2 rows)\n")
}

func TestShortDigest(t *testing.T) {
	assert.Equal(t, "xxh3-128:6a4cc4a444", shortDigest("xxh3-128:"+fpXXH3))
	assert.Equal(t, "sha256:4e54b4e38b", shortDigest(fpSHA256), "a bare hex, recorded before the algorithm was, is a SHA-256")
}
