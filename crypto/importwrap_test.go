package crypto_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/embedkms/kms/crypto"
)

// RFC 5649 section 6: the two examples, both under the same 192-bit KEK.
func TestKWPRFC5649Vectors(t *testing.T) {
	kek := unhex(t, "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8")
	for _, tc := range []struct{ name, key, wrap string }{
		{"20 octets", "c37b7e6492584340bed12207808941155068f738", "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"},
		{"7 octets", "466f7250617369", "afbeb0f07dfbf5419200f2ccb50bb24f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, want := unhex(t, tc.key), unhex(t, tc.wrap)
			got, err := crypto.KWPWrapForTest(kek, key)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("wrap = %x, %v; want %x", got, err, want)
			}
			back, err := crypto.KWPUnwrapForTest(kek, want)
			if err != nil || !bytes.Equal(back, key) {
				t.Fatalf("unwrap = %x, %v; want %x", back, err, key)
			}
		})
	}
}

// openssl's id-aes*-wrap-pad (OpenSSL's RFC 5649 implementation; -iv
// A65959A6 is the AIV prefix it expects) wraps deterministically: our wrap
// must equal its output byte for byte, and each side must unwrap the
// other's.
func TestKWPMatchesOpenSSL(t *testing.T) {
	opensslPath(t)
	for _, kekLen := range []int{16, 24, 32} {
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 32, 33, 121, 1217} {
			t.Run(fmt.Sprintf("aes%d/%d", 8*kekLen, n), func(t *testing.T) {
				kek, pt := randBytes(t, kekLen), randBytes(t, n)
				dir := t.TempDir()
				writeFiles(t, dir, map[string][]byte{"pt": pt})
				cipher := fmt.Sprintf("-id-aes%d-wrap-pad", 8*kekLen)
				theirs := openssl(t, dir, true, "enc", cipher, "-K", hex.EncodeToString(kek), "-iv", "A65959A6", "-in", "pt")
				ours, err := crypto.KWPWrapForTest(kek, pt)
				if err != nil || !bytes.Equal(ours, theirs) {
					t.Fatalf("our wrap %x, %v; openssl's %x", ours, err, theirs)
				}
				got, err := crypto.KWPUnwrapForTest(kek, theirs)
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("unwrap of openssl's = %x, %v", got, err)
				}
				writeFiles(t, dir, map[string][]byte{"ct": ours})
				back := openssl(t, dir, true, "enc", "-d", cipher, "-K", hex.EncodeToString(kek), "-iv", "A65959A6", "-in", "ct")
				if !bytes.Equal(back, pt) {
					t.Fatalf("openssl unwrapped ours to %x", back)
				}
			})
		}
	}
}

func randBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKWPRefuses(t *testing.T) {
	kek := unhex(t, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	aiv := func(mli uint32) []byte {
		return []byte{0xa6, 0x59, 0x59, 0xa6, byte(mli >> 24), byte(mli >> 16), byte(mli >> 8), byte(mli)}
	}
	block := func(b ...byte) []byte { return append(b, make([]byte, 8-len(b))...) }
	p16 := append(bytes.Repeat([]byte{7}, 8), block(7, 7)...) // 10 octets padded
	// Ciphertexts that decrypt but whose recovered AIV or padding is wrong
	// (RFC 5649 section 3 checks), and the control they differ from.
	good := crypto.KWPRawWrapForTest(kek, aiv(10), p16)
	if got, err := crypto.KWPUnwrapForTest(kek, good); err != nil || !bytes.Equal(got, p16[:10]) {
		t.Fatalf("control: unwrap = %x, %v", got, err)
	}
	goodOne := crypto.KWPRawWrapForTest(kek, aiv(3), block(1, 2, 3))
	if got, err := crypto.KWPUnwrapForTest(kek, goodOne); err != nil || !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Fatalf("control (one block): unwrap = %x, %v", got, err)
	}
	goodFull := crypto.KWPRawWrapForTest(kek, aiv(16), p16)
	if got, err := crypto.KWPUnwrapForTest(kek, goodFull); err != nil || !bytes.Equal(got, p16) {
		t.Fatalf("control (no padding): unwrap = %x, %v", got, err)
	}
	goodLow := crypto.KWPRawWrapForTest(kek, aiv(9), append(bytes.Repeat([]byte{7}, 8), block(7)...))
	if got, err := crypto.KWPUnwrapForTest(kek, goodLow); err != nil || len(got) != 9 {
		t.Fatalf("control (7 octets of padding): unwrap = %x, %v", got, err)
	}
	badPrefix := aiv(10)
	badPrefix[3] ^= 1
	nonzeroPad := append(bytes.Repeat([]byte{7}, 8), block(7, 7)...)
	nonzeroPad[15] = 1
	nonzeroPadFirst := append(bytes.Repeat([]byte{7}, 8), block(7, 7)...)
	nonzeroPadFirst[10] = 1
	tests := []struct {
		name string
		ct   []byte
	}{
		{"AIV prefix altered", crypto.KWPRawWrapForTest(kek, badPrefix, p16)},
		{"MLI 0", crypto.KWPRawWrapForTest(kek, aiv(0), p16)},
		{"MLI one block short (8)", crypto.KWPRawWrapForTest(kek, aiv(8), p16)},
		{"MLI past the end (17)", crypto.KWPRawWrapForTest(kek, aiv(17), p16)},
		{"MLI huge", crypto.KWPRawWrapForTest(kek, aiv(0xffffffff), p16)},
		{"MLI 0 in one block", crypto.KWPRawWrapForTest(kek, aiv(0), block(1, 2, 3))},
		{"MLI 9 in one block", crypto.KWPRawWrapForTest(kek, aiv(9), block(1, 2, 3))},
		{"last padding octet nonzero", crypto.KWPRawWrapForTest(kek, aiv(10), nonzeroPad)},
		{"first padding octet nonzero", crypto.KWPRawWrapForTest(kek, aiv(10), nonzeroPadFirst)},
		{"nonzero padding in one block", crypto.KWPRawWrapForTest(kek, aiv(3), block(1, 2, 3, 4))},
		{"empty", nil},
		{"one block", good[:8]},
		{"not whole blocks", good[:len(good)-1]},
		{"a block short", good[:len(good)-8]},
		{"a block more", append(append([]byte(nil), good...), good[:8]...)},
	}
	for i := range good {
		ct := append([]byte(nil), good...)
		ct[i] ^= 0x10
		tests = append(tests, struct {
			name string
			ct   []byte
		}{fmt.Sprintf("byte %d flipped", i), ct})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := crypto.KWPUnwrapForTest(kek, tc.ct); err == nil {
				t.Fatalf("unwrap = %x, want an error", got)
			}
		})
	}
	other := append([]byte(nil), kek...)
	other[0] ^= 1
	if got, err := crypto.KWPUnwrapForTest(other, good); err == nil {
		t.Fatalf("unwrap under another KEK = %x, want an error", got)
	}
	if _, err := crypto.KWPWrapForTest(kek, nil); err == nil {
		t.Fatal("wrap of an empty plaintext succeeded (RFC 5649 4.1 needs one octet)")
	}
}

// wrappingKeys holds one wrapping key pair per spec, made once: RSA_4096
// takes a while.
var wrappingKeys = struct {
	sync.Mutex
	m map[string][2][]byte
}{m: map[string][2][]byte{}}

func wrappingKey(t testing.TB, spec string) (priv, pub []byte) {
	t.Helper()
	wrappingKeys.Lock()
	defer wrappingKeys.Unlock()
	if k, ok := wrappingKeys.m[spec]; ok {
		return k[0], k[1]
	}
	priv, pub, err := crypto.GenerateWrappingKey(spec)
	if err != nil {
		t.Fatal(err)
	}
	wrappingKeys.m[spec] = [2][]byte{priv, pub}
	return priv, pub
}

func TestGenerateWrappingKey(t *testing.T) {
	for _, spec := range []string{"RSA_2048", "RSA_3072", "RSA_4096", "SM2"} {
		t.Run(spec, func(t *testing.T) {
			priv, pub := wrappingKey(t, spec)
			pk, err := crypto.ParsePublicKey(pub)
			if err != nil || pk.Spec != spec {
				t.Fatalf("ParsePublicKey of the wrapping public key: %+v, %v; want spec %s", pk, err, spec)
			}
			if opensslAvailable() {
				dir := t.TempDir()
				writeFiles(t, dir, map[string][]byte{"priv.der": priv})
				fromPriv := openssl(t, dir, true, "pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER")
				if !bytes.Equal(fromPriv, pub) {
					t.Fatalf("openssl's public key of the private key differs from pubSPKI:\n%x\n%x", fromPriv, pub)
				}
			}
			priv2, pub2, err := crypto.GenerateWrappingKey(spec)
			if err != nil || bytes.Equal(priv2, priv) || bytes.Equal(pub2, pub) {
				t.Fatalf("a second wrapping key is not new (err %v)", err)
			}
		})
	}
	for _, spec := range []string{"ECC_NIST_P256", "SYMMETRIC_DEFAULT", "RSA_1024", "", "rsa_2048"} {
		if _, _, err := crypto.GenerateWrappingKey(spec); !errors.Is(err, crypto.ErrUnsupportedSpec) {
			t.Errorf("GenerateWrappingKey(%q) = %v, want ErrUnsupportedSpec", spec, err)
		}
	}
}

func opensslAvailable() bool {
	_, err := exec.LookPath("openssl")
	return err == nil
}

// wrapWithOpenSSL wraps material for the wrapping public key pub with alg
// as AWS's documented openssl procedure does (Developer Guide, "Encrypt
// the key material"): pkeyutl with OAEP for RSAES_OAEP_*, and for
// RSA_AES_KEY_WRAP_* a fresh 256-bit AES key wrapped by pkeyutl with OAEP,
// followed by the material wrapped by enc -id-aes256-wrap-pad under it;
// pkeyutl's SM2 encryption for SM2PKE.
func wrapWithOpenSSL(t *testing.T, alg string, pub, material []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"pub.der": pub, "material": material})
	md := map[string]string{
		"RSAES_OAEP_SHA_1": "sha1", "RSAES_OAEP_SHA_256": "sha256",
		"RSA_AES_KEY_WRAP_SHA_1": "sha1", "RSA_AES_KEY_WRAP_SHA_256": "sha256",
	}[alg]
	encrypt := []string{"pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.der", "-keyform", "DER"}
	if md != "" {
		encrypt = append(encrypt, "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:"+md, "-pkeyopt", "rsa_mgf1_md:"+md)
	}
	switch alg {
	case "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE":
		return openssl(t, dir, true, append(encrypt, "-in", "material")...)
	}
	openssl(t, dir, true, "rand", "-out", "aes.key", "32")
	aesKey, err := os.ReadFile(filepath.Join(dir, "aes.key"))
	if err != nil {
		t.Fatal(err)
	}
	wrappedKey := openssl(t, dir, true, append(encrypt, "-in", "aes.key")...)
	wrappedMaterial := openssl(t, dir, true, "enc", "-id-aes256-wrap-pad", "-K", hex.EncodeToString(aesKey), "-iv", "A65959A6", "-in", "material")
	return append(wrappedKey, wrappedMaterial...)
}

var wrapAlgs = []struct {
	alg   string
	specs []string
}{
	{"RSAES_OAEP_SHA_1", []string{"RSA_2048", "RSA_3072", "RSA_4096"}},
	{"RSAES_OAEP_SHA_256", []string{"RSA_2048", "RSA_3072", "RSA_4096"}},
	{"RSA_AES_KEY_WRAP_SHA_1", []string{"RSA_2048", "RSA_3072", "RSA_4096"}},
	{"RSA_AES_KEY_WRAP_SHA_256", []string{"RSA_2048", "RSA_3072", "RSA_4096"}},
	{"SM2PKE", []string{"SM2"}},
}

func TestUnwrapKeyMaterialOfOpenSSL(t *testing.T) {
	opensslPath(t)
	symmetric := randBytes(t, 32)
	rsaMaterial := testMaterial(t, "RSA_2048") // PKCS #8, too long for OAEP alone
	for _, a := range wrapAlgs {
		for _, spec := range a.specs {
			materials := map[string][]byte{"32 bytes": symmetric, "1 byte": {0x5a}}
			if a.alg == "RSA_AES_KEY_WRAP_SHA_1" || a.alg == "RSA_AES_KEY_WRAP_SHA_256" {
				materials["RSA_2048 PKCS #8"] = rsaMaterial
			}
			for name, material := range materials {
				t.Run(a.alg+"/"+spec+"/"+name, func(t *testing.T) {
					priv, pub := wrappingKey(t, spec)
					wrapped := wrapWithOpenSSL(t, a.alg, pub, material)
					got, err := crypto.UnwrapKeyMaterial(a.alg, priv, wrapped)
					if err != nil || !bytes.Equal(got, material) {
						t.Fatalf("UnwrapKeyMaterial = %x, %v; want %x", got, err, material)
					}
				})
			}
		}
	}
}

// wrapInGo wraps material as wrapWithOpenSSL does, with this package's own
// primitives (encryption with the wrapping key, KWP), for tests that need
// many wrapped values without spawning openssl.
func wrapInGo(t testing.TB, alg, spec string, material []byte) []byte {
	t.Helper()
	priv, _ := wrappingKey(t, spec)
	k := wrappingPrimitive(t, spec, priv).(crypto.Decrypter)
	oaep := map[string]string{"RSA_AES_KEY_WRAP_SHA_1": "RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256": "RSAES_OAEP_SHA_256"}[alg]
	if oaep == "" {
		ct, err := k.Encrypt(alg, material)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	aesKey := randBytes(t, 32)
	ct, err := k.Encrypt(oaep, aesKey)
	if err != nil {
		t.Fatal(err)
	}
	w, err := crypto.KWPWrapForTest(aesKey, material)
	if err != nil {
		t.Fatal(err)
	}
	return append(ct, w...)
}

// wrappingPrimitive builds the KeyPrimitive of a wrapping private key:
// RSA PKCS #8 is RSA key material as is; an SM2 key's material is the
// scalar in its PKCS #8.
func wrappingPrimitive(t testing.TB, spec string, priv []byte) crypto.KeyPrimitive {
	t.Helper()
	material := priv
	if spec == "SM2" {
		var err error
		if material, err = crypto.SM2ScalarForTest(priv); err != nil {
			t.Fatal(err)
		}
	}
	k, err := crypto.NewKeyPrimitive(spec, material)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestUnwrapKeyMaterialRefuses(t *testing.T) {
	material := []byte("0123456789abcdef0123456789abcdef")
	for _, a := range wrapAlgs {
		spec := a.specs[0]
		t.Run(a.alg, func(t *testing.T) {
			priv, _ := wrappingKey(t, spec)
			wrapped := wrapInGo(t, a.alg, spec, material)
			if got, err := crypto.UnwrapKeyMaterial(a.alg, priv, wrapped); err != nil || !bytes.Equal(got, material) {
				t.Fatalf("control: UnwrapKeyMaterial = %x, %v", got, err)
			}
			otherSpec := map[string]string{"RSA_2048": "RSA_3072", "SM2": "SM2"}[spec]
			otherPriv, _, err := crypto.GenerateWrappingKey(otherSpec)
			if err != nil {
				t.Fatal(err)
			}
			otherAlg := map[string]string{
				"RSAES_OAEP_SHA_1": "RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_256": "RSAES_OAEP_SHA_1",
				"RSA_AES_KEY_WRAP_SHA_1": "RSA_AES_KEY_WRAP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256": "RSA_AES_KEY_WRAP_SHA_1",
				"SM2PKE": "RSAES_OAEP_SHA_256",
			}[a.alg]
			crossKey, _ := wrappingKey(t, map[string]string{"RSA_2048": "SM2", "SM2": "RSA_2048"}[spec])
			type refusal struct {
				name          string
				alg           string
				priv, wrapped []byte
			}
			cases := []refusal{
				{"another wrapping key", a.alg, otherPriv, wrapped},
				{"another algorithm", otherAlg, priv, wrapped},
				{"a wrapping key of the other kind", a.alg, crossKey, wrapped},
				{"unknown algorithm", "RSAES_PKCS1_V1_5", priv, wrapped},
				{"empty algorithm", "", priv, wrapped},
				{"private key not PKCS #8", a.alg, priv[:len(priv)-1], wrapped},
				{"private key with trailing bytes", a.alg, append(append([]byte(nil), priv...), 0), wrapped},
				{"no private key", a.alg, nil, wrapped},
				{"empty", a.alg, priv, nil},
				{"truncated by one byte", a.alg, priv, wrapped[:len(wrapped)-1]},
				{"truncated by a block", a.alg, priv, wrapped[:len(wrapped)-8]},
				{"extra byte", a.alg, priv, append(append([]byte(nil), wrapped...), 0)},
				{"extra block", a.alg, priv, append(append([]byte(nil), wrapped...), wrapped[len(wrapped)-8:]...)},
			}
			if a.alg == "RSA_AES_KEY_WRAP_SHA_1" || a.alg == "RSA_AES_KEY_WRAP_SHA_256" {
				n := 256 // RSA_2048 modulus length
				cases = append(cases,
					refusal{"RSA part only", a.alg, priv, wrapped[:n]},
					refusal{"KWP part only", a.alg, priv, wrapped[n:]},
					refusal{"RSA part and one KWP block", a.alg, priv, wrapped[:n+8]},
				)
				// An AES key of the wrong length, correctly OAEP-wrapped,
				// with material KWP-wrapped under it.
				k := wrappingPrimitive(t, spec, priv).(crypto.Decrypter)
				oaep := map[string]string{"RSA_AES_KEY_WRAP_SHA_1": "RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256": "RSAES_OAEP_SHA_256"}[a.alg]
				for _, n := range []int{16, 24} {
					aesKey := randBytes(t, n)
					ct, err := k.Encrypt(oaep, aesKey)
					if err != nil {
						t.Fatal(err)
					}
					w, err := crypto.KWPWrapForTest(aesKey, material)
					if err != nil {
						t.Fatal(err)
					}
					cases = append(cases, refusal{fmt.Sprintf("%d-byte AES key", n), a.alg, priv, append(ct, w...)})
				}
			}
			for _, i := range []int{0, 1, len(wrapped) / 2, len(wrapped) - 9, len(wrapped) - 1} {
				f := append([]byte(nil), wrapped...)
				f[i] ^= 0x01
				cases = append(cases, refusal{fmt.Sprintf("byte %d flipped", i), a.alg, priv, f})
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					got, err := crypto.UnwrapKeyMaterial(c.alg, c.priv, c.wrapped)
					if err != crypto.ErrInvalidWrappedMaterial || got != nil {
						t.Fatalf("UnwrapKeyMaterial = %x, %v; want nil, ErrInvalidWrappedMaterial", got, err)
					}
				})
			}
		})
	}
}

func FuzzUnwrapKeyMaterial(f *testing.F) {
	algs := []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE"}
	rsaPriv, _ := wrappingKey(f, "RSA_2048")
	sm2Priv, _ := wrappingKey(f, "SM2")
	for i, a := range wrapAlgs {
		f.Add(uint8(i), a.specs[0] == "SM2", wrapInGo(f, a.alg, a.specs[0], []byte("material")))
	}
	f.Fuzz(func(t *testing.T, alg uint8, sm2 bool, wrapped []byte) {
		priv := rsaPriv
		if sm2 {
			priv = sm2Priv
		}
		got, err := crypto.UnwrapKeyMaterial(algs[int(alg)%len(algs)], priv, wrapped)
		if err != nil && (err != crypto.ErrInvalidWrappedMaterial || got != nil) {
			t.Fatalf("UnwrapKeyMaterial = %x, %v", got, err)
		}
		if err == nil && len(got) == 0 {
			t.Fatal("UnwrapKeyMaterial returned no material and no error")
		}
	})
}
