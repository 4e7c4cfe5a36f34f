package crypto_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embedkms/kms/crypto"
)

// Interoperability with the openssl command (Debian's openssl package;
// scripts/test.sh installs it). OpenSSL 3.0 lacks Ed25519ph, ML-DSA and
// ML-KEM: those are checked against a second Go implementation instead
// (pqc_test.go, and the RFC 8032 vector for Ed25519ph).

func opensslPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (apt-get install openssl; scripts/test.sh does): skipping interop with it")
	}
	return p
}

// openssl runs openssl with args in dir and returns its stdout; it fails
// the test if openssl fails, unless fail is wanted.
func openssl(t *testing.T, dir string, wantOK bool, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(opensslPath(t), args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if wantOK && err != nil {
		t.Fatalf("openssl %s: %v\n%s%s", strings.Join(args, " "), err, out.Bytes(), errb.Bytes())
	}
	if !wantOK && err == nil {
		t.Fatalf("openssl %s succeeded, want failure\n%s", strings.Join(args, " "), out.Bytes())
	}
	return out.Bytes()
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenSSLVerifiesOurSignatures(t *testing.T) {
	opensslPath(t)
	tests := []struct {
		spec, alg, md string
		pss           bool
		mts           []crypto.MessageType
	}{
		{"ECC_NIST_P256", "ECDSA_SHA_256", "sha256", false, rawDigest},
		{"ECC_NIST_P384", "ECDSA_SHA_384", "sha384", false, rawDigest},
		{"ECC_NIST_P521", "ECDSA_SHA_512", "sha512", false, rawDigest},
		{"ECC_SECG_P256K1", "ECDSA_SHA_256", "sha256", false, rawDigest},
		{"RSA_2048", "RSASSA_PSS_SHA_256", "sha256", true, rawDigest},
		{"RSA_2048", "RSASSA_PSS_SHA_384", "sha384", true, rawDigest},
		{"RSA_3072", "RSASSA_PSS_SHA_512", "sha512", true, rawDigest},
		{"RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "sha256", false, rawDigest},
		{"RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", "sha384", false, rawDigest},
		{"RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512", "sha512", false, rawDigest},
		{"ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "", false, []crypto.MessageType{crypto.MessageRaw}},
	}
	msg := []byte("a message for openssl to verify")
	for _, tc := range tests {
		for _, mt := range tc.mts {
			t.Run(tc.spec+"/"+tc.alg+"/"+string(mt), func(t *testing.T) {
				k := testKey(t, tc.spec).(crypto.Signer)
				c := sigCase{alg: tc.alg}
				for _, sc := range allowed[tc.spec] {
					if sc.alg == tc.alg {
						c = sc
					}
				}
				in := messageFor(t, k, c, mt, msg)
				sig, err := k.Sign(tc.alg, in, mt)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				other := append([]byte(nil), in...)
				other[0] ^= 1
				writeFiles(t, dir, map[string][]byte{"pub.der": k.PublicKey(), "in": in, "other": other, "sig": sig})
				args := []string{"pkeyutl", "-verify", "-pubin", "-inkey", "pub.der", "-keyform", "DER", "-sigfile", "sig"}
				if mt == crypto.MessageRaw {
					args = append(args, "-rawin")
					if tc.md != "" {
						args = append(args, "-digest", tc.md)
					}
				} else {
					args = append(args, "-pkeyopt", "digest:"+tc.md)
				}
				if tc.pss {
					args = append(args, "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest")
				}
				openssl(t, dir, true, append(args, "-in", "in")...)
				openssl(t, dir, false, append(args, "-in", "other")...)
			})
		}
	}
}

func TestOpenSSLSignaturesVerifyWithUs(t *testing.T) {
	opensslPath(t)
	// openssl signs with the private key we generated (PKCS #8 for RSA and
	// NIST EC, from GenerateKeyPair's encoding for secp256k1 and Ed25519):
	// our Verify must accept what another implementation produces,
	// including high-S secp256k1 signatures, which openssl does not avoid.
	tests := []struct{ spec, alg, md string }{
		{"ECC_NIST_P256", "ECDSA_SHA_256", "sha256"},
		{"ECC_NIST_P384", "ECDSA_SHA_384", "sha384"},
		{"ECC_NIST_P521", "ECDSA_SHA_512", "sha512"},
		{"RSA_2048", "RSASSA_PSS_SHA_256", "sha256"},
		{"RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "sha256"},
	}
	msg := []byte("a message openssl signs")
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.alg, func(t *testing.T) {
			k := testKey(t, tc.spec).(crypto.Signer)
			dir := t.TempDir()
			writeFiles(t, dir, map[string][]byte{"priv.der": testMaterial(t, tc.spec), "msg": msg})
			args := []string{"pkeyutl", "-sign", "-inkey", "priv.der", "-keyform", "DER", "-rawin", "-digest", tc.md, "-in", "msg"}
			if strings.Contains(tc.alg, "PSS") {
				args = append(args, "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest")
			}
			sig := openssl(t, dir, true, args...)
			if err := k.Verify(tc.alg, msg, crypto.MessageRaw, sig); err != nil {
				t.Fatalf("Verify of openssl's signature: %v", err)
			}
		})
	}
}

func TestOpenSSLOAEPDecrypts(t *testing.T) {
	opensslPath(t)
	for _, spec := range []string{"RSA_2048", "RSA_3072", "RSA_4096"} {
		for _, tc := range []struct{ alg, md string }{{"RSAES_OAEP_SHA_1", "sha1"}, {"RSAES_OAEP_SHA_256", "sha256"}} {
			t.Run(spec+"/"+tc.alg, func(t *testing.T) {
				k := testKey(t, spec).(crypto.Decrypter)
				max, err := k.MaxPlaintext(tc.alg)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				pt := bytes.Repeat([]byte{0xa5}, max)
				writeFiles(t, dir, map[string][]byte{"pub.der": k.PublicKey(), "priv.der": testMaterial(t, spec), "pt": pt})
				opts := []string{"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:" + tc.md, "-pkeyopt", "rsa_mgf1_md:" + tc.md}
				// openssl encrypts, we decrypt.
				ct := openssl(t, dir, true, append([]string{"pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.der", "-keyform", "DER", "-in", "pt"}, opts...)...)
				got, err := k.Decrypt(tc.alg, ct)
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("Decrypt of openssl's ciphertext = %x, %v", got, err)
				}
				// We encrypt, openssl decrypts.
				ours, err := k.Encrypt(tc.alg, pt)
				if err != nil {
					t.Fatal(err)
				}
				writeFiles(t, dir, map[string][]byte{"ct": ours})
				got = openssl(t, dir, true, append([]string{"pkeyutl", "-decrypt", "-inkey", "priv.der", "-keyform", "DER", "-in", "ct"}, opts...)...)
				if !bytes.Equal(got, pt) {
					t.Fatalf("openssl decrypted our ciphertext to %x", got)
				}
			})
		}
	}
}

func TestOpenSSLECDHMatches(t *testing.T) {
	opensslPath(t)
	for _, tc := range []struct{ spec, curve string }{{"ECC_NIST_P256", "P-256"}, {"ECC_NIST_P384", "P-384"}, {"ECC_NIST_P521", "P-521"}} {
		t.Run(tc.spec, func(t *testing.T) {
			k := testKey(t, tc.spec).(crypto.Agreement)
			dir := t.TempDir()
			writeFiles(t, dir, map[string][]byte{"ours.der": k.PublicKey()})
			openssl(t, dir, true, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:"+tc.curve, "-out", "peer.pem")
			peerSPKI := openssl(t, dir, true, "pkey", "-in", "peer.pem", "-pubout", "-outform", "DER")
			want := openssl(t, dir, true, "pkeyutl", "-derive", "-inkey", "peer.pem", "-peerkey", "ours.der", "-peerform", "DER")
			got, err := k.DeriveSharedSecret("ECDH", peerSPKI)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) || len(want) == 0 {
				t.Fatalf("DeriveSharedSecret = %x, openssl derived %x", got, want)
			}
		})
	}
}

func TestOpenSSLParsesKeyPairs(t *testing.T) {
	opensslPath(t)
	// ML-KEM pairs are left out: OpenSSL 3.0 has no ML-KEM (pqc_test.go
	// checks them).
	for _, spec := range []string{"RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519"} {
		t.Run(spec, func(t *testing.T) {
			pub, priv, err := crypto.GenerateKeyPair(spec)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeFiles(t, dir, map[string][]byte{"pub.der": pub, "priv.der": priv})
			fromPriv := openssl(t, dir, true, "pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER")
			if !bytes.Equal(fromPriv, pub) {
				t.Errorf("openssl's public key of our PKCS #8 differs from our SPKI:\n%x\n%x", fromPriv, pub)
			}
			again := openssl(t, dir, true, "pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-outform", "DER")
			if !bytes.Equal(again, pub) {
				t.Errorf("openssl re-encodes our SPKI differently:\n%x\n%x", again, pub)
			}
			// openssl's private key re-encoded as PKCS #8 parses back to the
			// same key in our parser's view (its public key).
			text := openssl(t, dir, true, "pkey", "-inform", "DER", "-in", "priv.der", "-noout", "-text")
			if len(text) == 0 {
				t.Error("openssl printed nothing for our private key")
			}
		})
	}
}

func TestOpenSSLHMAC(t *testing.T) {
	opensslPath(t)
	msg := []byte("a message to MAC")
	for _, tc := range []struct{ spec, alg, md string }{
		{"HMAC_224", "HMAC_SHA_224", "sha224"}, {"HMAC_256", "HMAC_SHA_256", "sha256"},
		{"HMAC_384", "HMAC_SHA_384", "sha384"}, {"HMAC_512", "HMAC_SHA_512", "sha512"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			k := testKey(t, tc.spec).(crypto.MAC)
			dir := t.TempDir()
			writeFiles(t, dir, map[string][]byte{"msg": msg})
			want := openssl(t, dir, true, "dgst", "-"+tc.md, "-mac", "HMAC", "-macopt", "hexkey:"+hex.EncodeToString(testMaterial(t, tc.spec)), "-binary", "msg")
			got, err := k.Generate(tc.alg, msg)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Generate = %x, %v; openssl: %x", got, err, want)
			}
		})
	}
}
