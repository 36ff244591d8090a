package dataset

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHashKnownAnswers checks the streaming hashes the readers use, fed in
// pieces of several sizes, against values of the reference
// implementations: xxhsum -H2 (xxHash 0.8.1, Debian's xxhash package) and
// sha256sum, computed offline on the same bytes.
func TestHashKnownAnswers(t *testing.T) {
	long := strings.Repeat("trustml ", 40000) // 320,000 bytes: many XXH3 blocks
	tests := []struct {
		alg      HashAlgorithm
		in, want string
	}{
		{XXH3, "", "99aa06d3014798d86001c324468d497f"},
		{XXH3, "abc", "06b05ab6733a618578af5f94892f3950"},
		{XXH3, long, "23479d1f3eec4f5662201d726d740a25"},
		{SHA256, long, "96d7e6e3a0c1d6362485bc7ccb976e0b2e9f36260bc561b51170a95f62817b75"},
		{SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		for _, piece := range []int{1, 7, 4096, 1 << 20} {
			h := newHash(tt.alg)
			for b := tt.in; len(b) > 0; {
				k := min(piece, len(b))
				h.Write([]byte(b[:k]))
				b = b[k:]
			}
			assert.Equal(t, tt.want, hexSum(h), "%s of %d bytes in pieces of %d", tt.alg, len(tt.in), piece)
		}
	}
}

func TestParseHashAlgorithm(t *testing.T) {
	for in, want := range map[string]HashAlgorithm{"": XXH3, "xxh3": XXH3, "XXH3-128": XXH3, " sha256 ": SHA256} {
		got, err := ParseHashAlgorithm(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseHashAlgorithm("md5")
	assert.EqualError(t, err, `unknown fingerprint algorithm "md5" (want one of xxh3-128, sha256)`)
	_, err = Open(t.Context(), writeFile(t, "d.csv", "a\n1\n"), Options{Fingerprint: "md5"})
	assert.ErrorContains(t, err, `d.csv: unknown fingerprint algorithm "md5"`)
	_, err = OpenSource(t.Context(), FileKind, t.TempDir(), Options{Fingerprint: "md5"})
	assert.ErrorContains(t, err, `unknown fingerprint algorithm "md5"`)
}

// TestFingerprintCompare: fingerprints compare only within one algorithm.
func TestFingerprintCompare(t *testing.T) {
	path := writeFile(t, "d.csv", "a\n1\n2\n")
	x := mustRead(t, path, Options{}).fp
	x2 := mustRead(t, path, Options{Fingerprint: XXH3}).fp
	s := mustRead(t, path, Options{Fingerprint: SHA256}).fp
	same, ok := x.Compare(x2)
	assert.True(t, same)
	assert.True(t, ok)
	same, ok = x.Compare(s)
	assert.False(t, same)
	assert.False(t, ok, "xxh3-128 against sha256 is not comparable")
	assert.Equal(t, "xxh3-128:"+x.Hash, x.Digest())
	assert.Equal(t, "sha256:"+s.Hash, s.Digest())
	assert.Len(t, x.Hash, 32)
	assert.Len(t, s.Hash, 64)

	other := mustRead(t, writeFile(t, "d.csv", "a\n1\n3\n"), Options{}).fp
	same, ok = x.Compare(other)
	assert.False(t, same)
	assert.True(t, ok)
}

// TestFileSetFingerprintAlgorithm: a set hashes its files and its list of
// files with the algorithm asked for.
func TestFileSetFingerprintAlgorithm(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.csv": "v\n1\n", "b.csv": "v\n22\n"})
	list := func(sum func(string) string) string {
		return sum("a.csv\x004\x00" + sum("v\n1\n") + "\nb.csv\x005\x00" + sum("v\n22\n") + "\n")
	}
	got, err := scanSource(t, dir, Options{Fingerprint: SHA256})
	require.NoError(t, err)
	assert.Equal(t, SHA256, got.fp.Algorithm)
	assert.Equal(t, sha256Hex("v\n1\n"), got.fp.Files[0].Hash)
	assert.Equal(t, list(sha256Hex), got.fp.Hash)

	def, err := scanSource(t, dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, XXH3, def.fp.Algorithm)
	assert.Equal(t, xxh3Hex("v\n22\n"), def.fp.Files[1].Hash)
	assert.Equal(t, list(xxh3Hex), def.fp.Hash)
}

// TestTableFingerprintAlgorithm: WithFingerprint picks a table's hash;
// an unknown one fails the Scan.
func TestTableFingerprintAlgorithm(t *testing.T) {
	tbl := chunked(t, memory.NewGoAllocator(), tableRows, 4)
	defer tbl.Release()
	_, x := scanMem(t, FromTable(tbl))
	_, s := scanMem(t, FromTable(tbl, WithFingerprint(SHA256)))
	assert.Equal(t, XXH3, x.Algorithm)
	assert.Equal(t, SHA256, s.Algorithm)
	assert.Len(t, s.Hash, 64)
	_, ok := x.Compare(s)
	assert.False(t, ok)
	_, err := FromTable(tbl, WithFingerprint("md5")).Scan(t.Context(), nil)
	assert.EqualError(t, err, `table: unknown fingerprint algorithm "md5" (want one of xxh3-128, sha256)`)
}

// BenchmarkHash measures each fingerprint algorithm over 1 GiB, fed 1 MiB
// at a time as the readers feed it:
//
//	go test ./dataset -run '^$' -bench Hash -benchtime 3x
func BenchmarkHash(b *testing.B) {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i*7 + i>>9)
	}
	for _, a := range hashAlgorithms {
		b.Run(string(a.name), func(b *testing.B) {
			b.SetBytes(1 << 30)
			for b.Loop() {
				h := newHash(a.name)
				for range 1 << 10 {
					h.Write(buf)
				}
				hexSum(h)
			}
		})
	}
}
