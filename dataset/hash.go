package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"slices"
	"strings"

	"github.com/zeebo/xxh3"
)

// HashAlgorithm names the hash a Fingerprint is made with.
type HashAlgorithm string

const (
	// XXH3 is XXH3-128 (seed 0), a fast non-cryptographic 128-bit hash,
	// written as 32 lower-case hex digits in its canonical big-endian
	// form (as xxhsum -H2 prints it). It is the default: it detects
	// changed data, not an adversary forging a collision.
	XXH3 HashAlgorithm = "xxh3-128"
	// SHA256 is SHA-256, written as 64 lower-case hex digits: for records
	// that must resist deliberate collisions, at several times the cost.
	SHA256 HashAlgorithm = "sha256"

	// DefaultHash is the algorithm used when none is asked for.
	DefaultHash = XXH3
)

type hashAlgorithm struct {
	name HashAlgorithm
	make func() hash.Hash
}

// hashAlgorithms lists the algorithms with their constructors.
var hashAlgorithms = []hashAlgorithm{
	{XXH3, func() hash.Hash { return xxh128{xxh3.New()} }},
	{SHA256, sha256.New},
}

// HashAlgorithms returns the names ParseHashAlgorithm accepts.
func HashAlgorithms() []string {
	names := make([]string, len(hashAlgorithms))
	for i, a := range hashAlgorithms {
		names[i] = string(a.name)
	}
	return names
}

// ParseHashAlgorithm returns the algorithm named s ("xxh3-128" or
// "sha256", case-insensitive; "xxh3" is accepted for "xxh3-128"); "" is
// DefaultHash. Any other name is an error listing those accepted.
func ParseHashAlgorithm(s string) (HashAlgorithm, error) {
	switch n := strings.ToLower(strings.TrimSpace(s)); n {
	case "":
		return DefaultHash, nil
	case "xxh3":
		return XXH3, nil
	default:
		for _, a := range hashAlgorithms {
			if n == string(a.name) {
				return a.name, nil
			}
		}
	}
	return "", fmt.Errorf("unknown fingerprint algorithm %q (want one of %s)", s, strings.Join(HashAlgorithms(), ", "))
}

// newHash returns a new hash of algorithm a ("" is DefaultHash); a is
// assumed valid (ParseHashAlgorithm).
func newHash(a HashAlgorithm) hash.Hash {
	if a == "" {
		a = DefaultHash
	}
	i := slices.IndexFunc(hashAlgorithms, func(x hashAlgorithm) bool { return x.name == a })
	if i < 0 {
		panic(fmt.Sprintf("dataset: unknown hash algorithm %q", a))
	}
	return hashAlgorithms[i].make()
}

// xxh128 makes xxh3.Hasher's Sum the 128-bit hash (its own Sum appends
// the 64-bit one).
type xxh128 struct{ *xxh3.Hasher }

func (h xxh128) Sum(b []byte) []byte {
	s := h.Sum128().Bytes()
	return append(b, s[:]...)
}

func (h xxh128) Size() int { return 16 }

// HashBytes returns the hash of b by algorithm a ("" is DefaultHash), in
// lower-case hex, with the algorithm it used; an unknown name is an error.
func HashBytes(a HashAlgorithm, b []byte) (HashAlgorithm, string, error) {
	a, err := ParseHashAlgorithm(string(a))
	if err != nil {
		return "", "", err
	}
	h := newHash(a)
	h.Write(b)
	return a, hexSum(h), nil
}

// hexSum returns h's sum in lower-case hex.
func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// Digest returns the fingerprint's hash prefixed with its algorithm, as
// "xxh3-128:9a0b..." or "sha256:2cd4...", so that hashes of different
// algorithms never compare equal. A fingerprint read from a result
// written before the algorithm was recorded is "sha256:...".
func (f Fingerprint) Digest() string {
	a := f.Algorithm
	if a == "" {
		a = SHA256
	}
	return string(a) + ":" + f.Hash
}

// Compare reports whether f and g were made with the same algorithm
// (comparable) and, if so, whether they have the same hash, size and row
// count (same). Fingerprints of different algorithms are never the same:
// whether the data changed is then unknown.
func (f Fingerprint) Compare(g Fingerprint) (same, comparable bool) {
	if f.algorithm() != g.algorithm() {
		return false, false
	}
	return f.Hash == g.Hash && f.Bytes == g.Bytes && f.Rows == g.Rows, true
}

func (f Fingerprint) algorithm() HashAlgorithm {
	if f.Algorithm == "" {
		return SHA256
	}
	return f.Algorithm
}

// UnmarshalJSON reads a fingerprint, including one written before the
// algorithm was recorded, whose hash was the "sha256" key: it is read as
// Algorithm SHA256.
func (f *Fingerprint) UnmarshalJSON(b []byte) error {
	type plain Fingerprint
	var v struct {
		plain
		Legacy string `json:"sha256"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Fingerprint(v.plain)
	if f.Hash == "" && v.Legacy != "" {
		f.Algorithm, f.Hash = SHA256, v.Legacy
	}
	return nil
}

// UnmarshalJSON reads a file's fingerprint, including one written before
// the algorithm was recorded, whose hash was the "sha256" key.
func (f *FileFingerprint) UnmarshalJSON(b []byte) error {
	type plain FileFingerprint
	var v struct {
		plain
		Legacy string `json:"sha256"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = FileFingerprint(v.plain)
	if f.Hash == "" {
		f.Hash = v.Legacy
	}
	return nil
}
