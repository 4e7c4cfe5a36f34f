package crypto_test

import (
	"bytes"
	"crypto/aes"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"testing"

	"github.com/embedkms/kms/crypto"
)

// refXAESDerive is XAES-256-GCM's key derivation written from the
// specification's "Detailed key derivation algorithm" (c2sp.org/XAES-256-GCM)
// on the AES block function. It returns L, K1 and Kx.
func refXAESDerive(t testing.TB, key, n1 []byte) (l, k1, kx []byte) {
	t.Helper()
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	l = make([]byte, 16)
	b.Encrypt(l, l)
	// K1 = L << 1 as a 128-bit number; xor 0x87 into the last byte if the
	// bit shifted out was set.
	k1 = make([]byte, 16)
	carry := byte(0)
	for i := 15; i >= 0; i-- {
		k1[i] = l[i]<<1 | carry
		carry = l[i] >> 7
	}
	if carry == 1 {
		k1[15] ^= 0x87
	}
	kx = make([]byte, 32)
	for i, counter := range []byte{1, 2} {
		m := append([]byte{0x00, counter, 'X', 0x00}, n1...)
		for j := range m {
			m[j] ^= k1[j]
		}
		b.Encrypt(kx[16*i:16*(i+1)], m)
	}
	return l, k1, kx
}

// refXAESSeal is XAES-256-GCM with a chosen 24-byte nonce: AES-256-GCM
// under Kx with the last 12 bytes of the nonce. It returns ciphertext ||
// tag, without the nonce.
func refXAESSeal(t testing.TB, key, nonce, pt, aad []byte) []byte {
	t.Helper()
	_, _, kx := refXAESDerive(t, key, nonce[:12])
	return refGCMSeal(t, kx, nonce[12:], pt, aad)
}

func refGCMSeal(t testing.TB, key, iv, pt, aad []byte) []byte {
	t.Helper()
	return refGCM(t, key).Seal(nil, iv, pt, aad)
}

func testXAES(t testing.TB, key []byte) *crypto.XAES256GCM {
	t.Helper()
	x, err := crypto.NewXAES256GCM(key)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

type xaesFile struct {
	Vectors []struct {
		Name, Key, Nonce, L, K1, M1, M2, DerivedKey, GCMNonce, Plaintext, AAD, Ciphertext string
	}
	Accumulated []struct {
		Iterations int
		Hash       string
	}
}

func readXAESVectors(t *testing.T) xaesFile {
	t.Helper()
	data, err := os.ReadFile("testdata/xaes256gcm.json")
	if err != nil {
		t.Fatal(err)
	}
	var f xaesFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) != 2 || len(f.Accumulated) != 2 {
		t.Fatalf("testdata/xaes256gcm.json: %d vectors, %d accumulated tests; want 2 and 2", len(f.Vectors), len(f.Accumulated))
	}
	return f
}

// TestXAESVectors checks the derivation's intermediate values and the
// ciphertexts of the specification's vectors, through XAES256GCM (Open
// reads N1 || IV from the ciphertext, as for a blob) and through the
// reference implementation above.
func TestXAESVectors(t *testing.T) {
	for _, v := range readXAESVectors(t).Vectors {
		t.Run(v.Name, func(t *testing.T) {
			key, nonce, pt, aad := unhex(t, v.Key), []byte(v.Nonce), []byte(v.Plaintext), []byte(v.AAD)
			want := unhex(t, v.Ciphertext)
			x := testXAES(t, key)
			if got := hex.EncodeToString(x.K1ForTest()); got != v.K1 {
				t.Errorf("K1 = %s, want %s", got, v.K1)
			}
			if got := hex.EncodeToString(x.DeriveKeyForTest(nonce[:12])); got != v.DerivedKey {
				t.Errorf("Kx = %s, want %s", got, v.DerivedKey)
			}
			l, k1, kx := refXAESDerive(t, key, nonce[:12])
			if hex.EncodeToString(l) != v.L || hex.EncodeToString(k1) != v.K1 || hex.EncodeToString(kx) != v.DerivedKey {
				t.Errorf("reference derivation: L %x, K1 %x, Kx %x; want %s, %s, %s", l, k1, kx, v.L, v.K1, v.DerivedKey)
			}
			if got := hex.EncodeToString(nonce[12:]); got != v.GCMNonce {
				t.Errorf("GCM nonce %s, want %s", got, v.GCMNonce)
			}
			if got := refXAESSeal(t, key, nonce, pt, aad); !bytes.Equal(got, want) {
				t.Errorf("reference ciphertext %x, want %x", got, want)
			}
			sealed := append(slices.Clone(nonce), want...)
			got, err := x.Open(nil, sealed, aad)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("Open(nonce || vector ciphertext) = %q, %v; want %q", got, err, pt)
			}
			if _, err := x.Decrypt(sealed, append(slices.Clone(aad), 0)); err == nil {
				t.Error("vector opened with other associated data")
			}
		})
	}
}

var xaesLong = flag.Bool("xaes-long", false, "run the 1,000,000-iteration XAES-256-GCM accumulated test")

// TestXAESAccumulated runs the specification's accumulated randomized test
// (10,000 iterations; 1,000,000 with -xaes-long): the reference
// implementation must reproduce the published hash, XAES256GCM must derive
// the same key and open every ciphertext, and its own Seal output must
// open with the reference for the same inputs.
func TestXAESAccumulated(t *testing.T) {
	acc := readXAESVectors(t).Accumulated[0]
	if *xaesLong {
		acc = readXAESVectors(t).Accumulated[1]
	}
	s, d := sha3.NewSHAKE128(), sha3.NewSHAKE128()
	read := func(n int) []byte { b := make([]byte, n); s.Read(b); return b }
	for i := range acc.Iterations {
		key, nonce := read(32), read(24)
		pt := read(int(read(1)[0]))
		aad := read(int(read(1)[0]))
		ct := refXAESSeal(t, key, nonce, pt, aad)
		d.Write(ct)

		x := testXAES(t, key)
		if _, _, kx := refXAESDerive(t, key, nonce[:12]); !bytes.Equal(x.DeriveKeyForTest(nonce[:12]), kx) {
			t.Fatalf("iteration %d: derived key differs from the reference", i)
		}
		got, err := x.Open(nil, append(slices.Clone(nonce), ct...), aad)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("iteration %d: Open = %v", i, err)
		}
		if i%100 == 0 {
			sealed := x.Seal(nil, pt, aad)
			if ref := refXAESSeal(t, key, sealed[:24], pt, aad); !bytes.Equal(sealed[24:], ref) {
				t.Fatalf("iteration %d: Seal output differs from the reference for its nonce", i)
			}
		}
	}
	sum := make([]byte, 32)
	d.Read(sum)
	if got := hex.EncodeToString(sum); got != acc.Hash {
		t.Errorf("%d iterations: hash %s, want %s", acc.Iterations, got, acc.Hash)
	}
}

func TestXAESKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := crypto.NewXAES256GCM(make([]byte, n)); err == nil {
			t.Errorf("NewXAES256GCM(%d-byte key) succeeded", n)
		}
		if _, err := crypto.NewBlobKey(make([]byte, n)); err == nil {
			t.Errorf("NewBlobKey(%d-byte material) succeeded", n)
		}
	}
}

// TestXAESSealAppends: Seal appends nonce || ciphertext || tag to dst and
// leaves dst's bytes alone; Open rejects short or altered input.
func TestXAESSealAppends(t *testing.T) {
	key := crypto.Random(32)
	x := testXAES(t, key)
	for _, n := range []int{0, 1, 15, 16, 17, 4096} {
		pt, aad := crypto.Random(n), []byte("aad")
		out := x.Seal([]byte("prefix"), pt, aad)
		if string(out[:6]) != "prefix" || len(out) != 6+crypto.XNonceSize+n+16 {
			t.Fatalf("%d bytes: Seal returned %d bytes (prefix %q)", n, len(out), out[:6])
		}
		sealed := out[6:]
		if ref := refXAESSeal(t, key, sealed[:24], pt, aad); !bytes.Equal(sealed[24:], ref) {
			t.Fatalf("%d bytes: Seal output is not XAES-256-GCM for its nonce", n)
		}
		got, err := x.Open([]byte("p"), sealed, aad)
		if err != nil || !bytes.Equal(got, append([]byte("p"), pt...)) {
			t.Fatalf("%d bytes: Open = %v", n, err)
		}
		for i := range sealed {
			b := slices.Clone(sealed)
			b[i] ^= 0x80
			if _, err := x.Open(nil, b, aad); err == nil {
				t.Fatalf("%d bytes: opened with byte %d altered", n, i)
			}
		}
		for i := range crypto.XNonceSize + 16 {
			if _, err := x.Open(nil, sealed[:i], aad); err == nil {
				t.Fatalf("%d bytes: opened a %d-byte input", n, i)
			}
		}
	}
}
