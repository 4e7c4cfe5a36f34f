package crypto_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"slices"
	"testing"

	"github.com/embedkms/kms/crypto"
)

// RSAES-OAEP maximum plaintext k - 2·hLen - 2 (RFC 8017 7.1.1; the AWS
// Developer Guide's RSA key spec table lists the same numbers).
func TestDecrypterMaxPlaintext(t *testing.T) {
	for _, tc := range []struct {
		spec          string
		sha1, sha256_ int
	}{{"RSA_2048", 214, 190}, {"RSA_3072", 342, 318}, {"RSA_4096", 470, 446}} {
		k := testKey(t, tc.spec).(crypto.Decrypter)
		for alg, want := range map[string]int{"RSAES_OAEP_SHA_1": tc.sha1, "RSAES_OAEP_SHA_256": tc.sha256_} {
			if got, err := k.MaxPlaintext(alg); got != want || err != nil {
				t.Errorf("%s %s: MaxPlaintext = %d, %v; want %d", tc.spec, alg, got, err, want)
			}
			ct, err := k.Encrypt(alg, make([]byte, want))
			if err != nil {
				t.Errorf("%s %s: Encrypt of %d bytes: %v", tc.spec, alg, want, err)
			}
			if pt, err := k.Decrypt(alg, ct); err != nil || len(pt) != want {
				t.Errorf("%s %s: Decrypt: %d bytes, %v", tc.spec, alg, len(pt), err)
			}
			if _, err := k.Encrypt(alg, make([]byte, want+1)); !errors.Is(err, crypto.ErrPlaintextTooLarge) {
				t.Errorf("%s %s: Encrypt of %d bytes: %v, want ErrPlaintextTooLarge", tc.spec, alg, want+1, err)
			}
		}
		if !slices.Equal(k.EncryptionAlgorithms(), []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}) {
			t.Errorf("%s: EncryptionAlgorithms = %v", tc.spec, k.EncryptionAlgorithms())
		}
	}
}

func TestDecrypterRejects(t *testing.T) {
	k := testKey(t, "RSA_2048").(crypto.Decrypter)
	ct, err := k.Encrypt("RSAES_OAEP_SHA_256", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	altered := slices.Clone(ct)
	altered[100] ^= 1
	for name, c := range map[string][]byte{"altered": altered, "empty": nil, "short": ct[:255], "long": append(slices.Clone(ct), 0)} {
		if _, err := k.Decrypt("RSAES_OAEP_SHA_256", c); !errors.Is(err, crypto.ErrInvalidCiphertext) {
			t.Errorf("%s: %v, want ErrInvalidCiphertext", name, err)
		}
	}
	// The other OAEP hash does not decrypt it.
	if _, err := k.Decrypt("RSAES_OAEP_SHA_1", ct); !errors.Is(err, crypto.ErrInvalidCiphertext) {
		t.Errorf("SHA-1 decrypt of a SHA-256 ciphertext: %v", err)
	}
	for _, alg := range []string{"SYMMETRIC_DEFAULT", "SM2PKE", ""} {
		if _, err := k.Encrypt(alg, []byte("x")); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
			t.Errorf("Encrypt %q: %v", alg, err)
		}
		if _, err := k.Decrypt(alg, ct); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
			t.Errorf("Decrypt %q: %v", alg, err)
		}
		if _, err := k.MaxPlaintext(alg); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
			t.Errorf("MaxPlaintext %q: %v", alg, err)
		}
	}
}

func TestAgreement(t *testing.T) {
	curves := map[string]ecdh.Curve{"ECC_NIST_P256": ecdh.P256(), "ECC_NIST_P384": ecdh.P384(), "ECC_NIST_P521": ecdh.P521()}
	for spec, curve := range curves {
		k := testKey(t, spec).(crypto.Agreement)
		peer, err := curve.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		peerSPKI, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.DeriveSharedSecret("ECDH", peerSPKI)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := crypto.ParsePublicKey(k.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		oursDH, _ := ours.Key.(*ecdsa.PublicKey).ECDH()
		want, _ := peer.ECDH(oursDH)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: shared secret differs from the peer's", spec)
		}
		if _, err := k.DeriveSharedSecret("SM2", peerSPKI); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
			t.Errorf("%s: alg SM2: %v", spec, err)
		}
		// A peer key of every other spec, or malformed, is refused.
		for other := range curves {
			if other == spec {
				continue
			}
			if _, err := k.DeriveSharedSecret("ECDH", testKey(t, other).(crypto.PublicKeyer).PublicKey()); !errors.Is(err, crypto.ErrInvalidPublicKey) {
				t.Errorf("%s: %s peer: %v, want ErrInvalidPublicKey", spec, other, err)
			}
		}
		for _, other := range []string{"ECC_SECG_P256K1", "RSA_2048", "ECC_NIST_EDWARDS25519", "ML_KEM_768"} {
			if _, err := k.DeriveSharedSecret("ECDH", testKey(t, other).(crypto.PublicKeyer).PublicKey()); !errors.Is(err, crypto.ErrInvalidPublicKey) {
				t.Errorf("%s: %s peer: %v, want ErrInvalidPublicKey", spec, other, err)
			}
		}
		for _, bad := range [][]byte{nil, peerSPKI[:len(peerSPKI)-1], append(slices.Clone(peerSPKI), 0), offCurve(peerSPKI)} {
			if _, err := k.DeriveSharedSecret("ECDH", bad); !errors.Is(err, crypto.ErrInvalidPublicKey) {
				t.Errorf("%s: bad peer key: %v, want ErrInvalidPublicKey", spec, err)
			}
		}
	}
}

// offCurve returns spki with the point's last byte changed: y no longer
// fits x.
func offCurve(spki []byte) []byte {
	b := slices.Clone(spki)
	b[len(b)-1] ^= 1
	return b
}

func TestParsePublicKeyRejects(t *testing.T) {
	secp := testKey(t, "ECC_SECG_P256K1").(crypto.PublicKeyer).PublicKey()
	mldsa := testKey(t, "ML_DSA_44").(crypto.PublicKeyer).PublicKey()
	// A P-224 key: a curve no key spec has.
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p224SPKI, _ := x509.MarshalPKIXPublicKey(&p224.PublicKey)
	compressed := slices.Clone(secp[:len(secp)-32])
	compressed[1] -= 32
	compressed[len(compressed)-35] -= 32 // BIT STRING length
	compressed[len(compressed)-33] = 2   // 02 || x: a compressed point
	var spki struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if rest, err := asn1.Unmarshal(compressed, &spki); err != nil || len(rest) != 0 || len(spki.Key.Bytes) != 33 {
		t.Fatalf("the compressed-point SPKI is not well-formed DER: %v", err)
	}
	for name, b := range map[string][]byte{
		"empty": nil, "secp256k1 off curve": offCurve(secp), "secp256k1 trailing": append(slices.Clone(secp), 0),
		"secp256k1 truncated": secp[:len(secp)-1], "secp256k1 compressed": compressed,
		"ML-DSA short": mldsa[:len(mldsa)-1], "P-224": p224SPKI,
	} {
		if _, err := crypto.ParsePublicKey(b); !errors.Is(err, crypto.ErrInvalidPublicKey) {
			t.Errorf("%s: %v, want ErrInvalidPublicKey", name, err)
		}
	}
}

func TestMAC(t *testing.T) {
	for spec, alg := range map[string]string{"HMAC_224": "HMAC_SHA_224", "HMAC_256": "HMAC_SHA_256", "HMAC_384": "HMAC_SHA_384", "HMAC_512": "HMAC_SHA_512"} {
		k := testKey(t, spec).(crypto.MAC)
		if k.MACAlgorithm() != alg {
			t.Errorf("%s: MACAlgorithm = %s", spec, k.MACAlgorithm())
		}
		mac, err := k.Generate(alg, []byte("m"))
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Verify(alg, []byte("m"), mac); err != nil {
			t.Errorf("%s: Verify: %v", spec, err)
		}
		bad := slices.Clone(mac)
		bad[len(bad)-1] ^= 1
		for _, m := range [][]byte{bad, mac[:len(mac)-1], nil} {
			if err := k.Verify(alg, []byte("m"), m); !errors.Is(err, crypto.ErrInvalidMAC) {
				t.Errorf("%s: Verify of a wrong MAC: %v", spec, err)
			}
		}
		if err := k.Verify(alg, []byte("n"), mac); !errors.Is(err, crypto.ErrInvalidMAC) {
			t.Errorf("%s: Verify for another message: %v", spec, err)
		}
		for _, other := range []string{"HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"} {
			if other == alg {
				continue
			}
			if _, err := k.Generate(other, []byte("m")); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
				t.Errorf("%s: Generate %s: %v", spec, other, err)
			}
		}
	}
}
