package crypto_test

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"

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
		// Zero padding where MLI says there is none: only the bounds on
		// MLI catch these.
		{"MLI 8 with a zero second block", crypto.KWPRawWrapForTest(kek, aiv(8), append(bytes.Repeat([]byte{7}, 8), make([]byte, 8)...))},
		{"MLI 0 with a zero block", crypto.KWPRawWrapForTest(kek, aiv(0), make([]byte, 8))},
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
			if a.alg == "RSAES_OAEP_SHA_1" || a.alg == "RSAES_OAEP_SHA_256" {
				// OAEP encrypts an empty message; there is no empty key
				// material.
				empty, err := wrappingPrimitive(t, spec, priv).(crypto.Decrypter).Encrypt(a.alg, nil)
				if err != nil {
					t.Fatal(err)
				}
				cases = append(cases, refusal{"empty material", a.alg, priv, empty})
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

// opensslKeys caches keys made by openssl, by name.
var opensslKeys sync.Map

type opensslKeyPair struct {
	once         sync.Once
	pkcs8, spki  []byte
	traditional  []byte // openssl's non-PKCS #8 DER of the same key (PKCS #1, RFC 5915), nil for Ed25519
	noPublicKey  []byte // PKCS #8 of an EC key without its public key, nil for others
	explicitEC   []byte // PKCS #8 of the same EC key with explicit curve parameters, nil for others
	pem          []byte
	genErr, name string
}

// opensslKey generates a key with openssl genpkey args and returns its
// forms: PKCS #8 DER (openssl pkcs8 -topk8 -nocrypt), SPKI DER, and the
// other encodings openssl writes for it.
func opensslKey(t *testing.T, name string, args ...string) *opensslKeyPair {
	t.Helper()
	opensslPath(t)
	v, _ := opensslKeys.LoadOrStore(name, &opensslKeyPair{name: name})
	k := v.(*opensslKeyPair)
	k.once.Do(func() {
		dir, err := os.MkdirTemp("", "importkey")
		if err != nil {
			k.genErr = err.Error()
			return
		}
		defer os.RemoveAll(dir)
		run := func(args ...string) []byte {
			cmd := exec.Command("openssl", args...)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil && k.genErr == "" {
				k.genErr = fmt.Sprintf("openssl %v: %v", args, err)
			}
			return out
		}
		run(append([]string{"genpkey", "-out", "k.pem"}, args...)...)
		k.pem, _ = os.ReadFile(filepath.Join(dir, "k.pem"))
		k.pkcs8 = run("pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER")
		k.spki = run("pkey", "-in", "k.pem", "-pubout", "-outform", "DER")
		switch {
		case args[1] == "RSA":
			k.traditional = run("rsa", "-in", "k.pem", "-traditional", "-outform", "DER")
		case args[1] == "EC" || args[1] == "SM2":
			k.traditional = run("ec", "-in", "k.pem", "-outform", "DER")
			run("ec", "-in", "k.pem", "-no_public", "-out", "np.pem")
			k.noPublicKey = run("pkcs8", "-topk8", "-nocrypt", "-in", "np.pem", "-outform", "DER")
			if args[1] == "EC" {
				run("ec", "-in", "k.pem", "-param_enc", "explicit", "-out", "ex.pem")
				k.explicitEC = run("pkcs8", "-topk8", "-nocrypt", "-in", "ex.pem", "-outform", "DER")
			}
		}
	})
	if k.genErr != "" {
		t.Fatal(k.genErr)
	}
	return k
}

// importSpecs are the asymmetric specs with the openssl genpkey arguments
// of a key of each.
var importSpecs = []struct {
	spec, name string
	args       []string
}{
	{"RSA_2048", "rsa2048", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}},
	{"RSA_3072", "rsa3072", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"}},
	{"RSA_4096", "rsa4096", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"}},
	{"ECC_NIST_P256", "p256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}},
	{"ECC_NIST_P384", "p384", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"}},
	{"ECC_NIST_P521", "p521", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"}},
	{"ECC_SECG_P256K1", "secp256k1", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"}},
	{"SM2", "sm2", []string{"-algorithm", "SM2"}},
	{"ECC_NIST_EDWARDS25519", "ed25519", []string{"-algorithm", "ED25519"}},
}

// Keys made by openssl import as their spec: the material builds a key
// whose public key is openssl's, and an EC key imports to the same bytes
// with or without the public key in its PKCS #8 (one key, one internal
// form).
func TestImportedKeyMaterialOfOpenSSLKeys(t *testing.T) {
	for _, s := range importSpecs {
		t.Run(s.spec, func(t *testing.T) {
			k := opensslKey(t, s.name, s.args...)
			out, err := crypto.ImportedKeyMaterial(s.spec, k.pkcs8)
			if err != nil {
				t.Fatalf("ImportedKeyMaterial: %v", err)
			}
			p, err := crypto.NewKeyPrimitive(s.spec, out)
			if err != nil {
				t.Fatalf("NewKeyPrimitive of the imported material: %v", err)
			}
			if got := p.(crypto.PublicKeyer).PublicKey(); !bytes.Equal(got, k.spki) {
				t.Fatalf("public key of the imported key differs from openssl's:\n%x\n%x", got, k.spki)
			}
			if k.noPublicKey != nil {
				out2, err := crypto.ImportedKeyMaterial(s.spec, k.noPublicKey)
				if err != nil || !bytes.Equal(out2, out) {
					t.Fatalf("without its public key the key imports as %x, %v; with it %x", out2, err, out)
				}
			}
		})
	}
}

// Each spec refuses every other spec's key (a P-384 key for ECC_NIST_P256,
// an RSA-2048 key for RSA_3072, a secp256k1 or SM2 key for ECC_NIST_P256)
// and every form but PKCS #8 DER of its own keys.
func TestImportedKeyMaterialRefusesOtherKeysAndForms(t *testing.T) {
	for _, s := range importSpecs {
		t.Run(s.spec, func(t *testing.T) {
			refuse := func(name string, raw []byte) {
				t.Helper()
				if out, err := crypto.ImportedKeyMaterial(s.spec, raw); err != crypto.ErrInvalidImportedMaterial || out != nil {
					t.Errorf("%s: ImportedKeyMaterial = %x, %v; want ErrInvalidImportedMaterial", name, out, err)
				}
			}
			for _, o := range importSpecs {
				if o.spec != s.spec {
					ok := opensslKey(t, o.name, o.args...)
					refuse("a "+o.spec+" key", ok.pkcs8)
					if ok.noPublicKey != nil {
						// Without a public key to disagree with, only the
						// curve named in the PKCS #8 tells the keys apart.
						refuse("a "+o.spec+" key without its public key", ok.noPublicKey)
					}
				}
			}
			k := opensslKey(t, s.name, s.args...)
			refuse("PEM", k.pem)
			refuse("SPKI", k.spki)
			if k.traditional != nil {
				refuse("traditional DER (PKCS #1 / RFC 5915)", k.traditional)
			}
			if k.explicitEC != nil {
				refuse("explicit curve parameters", k.explicitEC)
			}
			refuse("trailing byte", append(append([]byte(nil), k.pkcs8...), 0))
			refuse("truncated", k.pkcs8[:len(k.pkcs8)-1])
			refuse("empty", nil)
			refuse("32 random bytes", randBytes(t, 32))
			if s.spec != "ECC_NIST_EDWARDS25519" {
				// The last byte of openssl's PKCS #8 is the public key's last
				// byte for EC keys, the CRT coefficient's for RSA.
				f := append([]byte(nil), k.pkcs8...)
				f[len(f)-1] ^= 1
				refuse("last byte altered", f)
			}
		})
	}
}

// ecPKCS8 encodes the scalar d (as given, any length) on curve as PKCS #8
// of an RFC 5915 ECPrivateKey, with the public key pub if not nil.
func ecPKCS8(t testing.TB, curve asn1.ObjectIdentifier, d, pub []byte) []byte {
	t.Helper()
	type ecPriv struct {
		Version    int
		PrivateKey []byte
		PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
	}
	e := ecPriv{Version: 1, PrivateKey: d}
	if pub != nil {
		e.PublicKey = asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}
	}
	inner, err := asn1.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return pkcs8Of(t, asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, curve, inner)
}

// pkcs8Of encodes a version 0 PKCS #8 PrivateKeyInfo.
func pkcs8Of(t testing.TB, alg, param asn1.ObjectIdentifier, privateKey []byte) []byte {
	t.Helper()
	type algID struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	a := algID{Algorithm: alg}
	if param != nil {
		p, err := asn1.Marshal(param)
		if err != nil {
			t.Fatal(err)
		}
		a.Parameters = asn1.RawValue{FullBytes: p}
	}
	b, err := asn1.Marshal(struct {
		Version    int
		Algorithm  algID
		PrivateKey []byte
	}{0, a, privateKey})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	oidSecp256k1 = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	oidSM2Curve  = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}
	oidP256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
)

// Scalars at and past the ends of each curve's range (SEC 1 3.2.1: d in
// [1, n-1]; GB/T 32918.1 6.1: d in [1, n-2] for SM2), and a scalar encoded
// without its leading zeros, which imports as the full-length encoding.
func TestImportedKeyMaterialScalarRange(t *testing.T) {
	n := map[string]string{
		"ECC_SECG_P256K1": "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
		"SM2":             "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123",
		"ECC_NIST_P256":   "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
	}
	curve := map[string]asn1.ObjectIdentifier{"ECC_SECG_P256K1": oidSecp256k1, "SM2": oidSM2Curve, "ECC_NIST_P256": oidP256}
	minus := func(h string, k byte) []byte {
		b := unhex(t, h)
		b[31] -= k // no borrow: n's last byte exceeds 2
		return b
	}
	for spec, order := range n {
		t.Run(spec, func(t *testing.T) {
			top := minus(order, 1) // n-1
			if spec == "SM2" {
				top = minus(order, 2) // n-2
			}
			for _, d := range [][]byte{make([]byte, 32), unhex(t, order), bytes.Repeat([]byte{0xff}, 32), append(minus(order, 0), 0)} {
				if out, err := crypto.ImportedKeyMaterial(spec, ecPKCS8(t, curve[spec], d, nil)); err != crypto.ErrInvalidImportedMaterial {
					t.Errorf("scalar %x: ImportedKeyMaterial = %x, %v; want ErrInvalidImportedMaterial", d, out, err)
				}
			}
			if spec == "SM2" {
				if out, err := crypto.ImportedKeyMaterial(spec, ecPKCS8(t, curve[spec], minus(order, 1), nil)); err != crypto.ErrInvalidImportedMaterial {
					t.Errorf("SM2 scalar n-1: ImportedKeyMaterial = %x, %v; want ErrInvalidImportedMaterial (GB/T 32918.1: d <= n-2)", out, err)
				}
			}
			if _, err := crypto.ImportedKeyMaterial(spec, ecPKCS8(t, curve[spec], top, nil)); err != nil {
				t.Errorf("largest scalar %x refused: %v", top, err)
			}
			one := append(make([]byte, 31), 1)
			full, err := crypto.ImportedKeyMaterial(spec, ecPKCS8(t, curve[spec], one, nil))
			if err != nil {
				t.Fatalf("scalar 1: %v", err)
			}
			short, err := crypto.ImportedKeyMaterial(spec, ecPKCS8(t, curve[spec], []byte{1}, nil))
			if err != nil || !bytes.Equal(short, full) {
				t.Fatalf("scalar 1 in one octet imports as %x, %v; in 32 as %x", short, err, full)
			}
			// A public key that is not the scalar's is refused.
			other := append(make([]byte, 31), 2)
			p, err := crypto.NewKeyPrimitive(spec, mustImport(t, spec, ecPKCS8(t, curve[spec], other, nil)))
			if err != nil {
				t.Fatal(err)
			}
			pk, err := crypto.ParsePublicKey(p.(crypto.PublicKeyer).PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			point := pointOf(t, p.(crypto.PublicKeyer).PublicKey())
			if _, err := crypto.ImportedKeyMaterial(spec, ecPKCS8(t, curve[spec], one, point)); err != crypto.ErrInvalidImportedMaterial {
				t.Errorf("scalar 1 with the public key of 2 (%s): %v, want ErrInvalidImportedMaterial", pk.Spec, err)
			}
			p1, err := crypto.NewKeyPrimitive(spec, full)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := crypto.ImportedKeyMaterial(spec, ecPKCS8(t, curve[spec], one, pointOf(t, p1.(crypto.PublicKeyer).PublicKey()))); err != nil {
				t.Errorf("scalar 1 with its own public key refused: %v", err)
			}
		})
	}
}

func mustImport(t testing.TB, spec string, raw []byte) []byte {
	t.Helper()
	out, err := crypto.ImportedKeyMaterial(spec, raw)
	if err != nil {
		t.Fatalf("ImportedKeyMaterial(%s): %v", spec, err)
	}
	return out
}

// pointOf returns the subjectPublicKey BIT STRING's bytes of an SPKI.
func pointOf(t testing.TB, spki []byte) []byte {
	t.Helper()
	var s struct {
		Algorithm asn1.RawValue
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &s); err != nil {
		t.Fatal(err)
	}
	return s.Key.Bytes
}

// Symmetric and HMAC material is raw bytes: exactly 32 for
// SYMMETRIC_DEFAULT; for HMAC from the hash's output length to its block
// size (LocalStack's HMAC_RANGE_KEY_LENGTHS; its AWS-validated
// test_import_key_hmac_keys imports the lower bounds).
func TestImportedKeyMaterialLengths(t *testing.T) {
	for _, tc := range []struct {
		spec, alg string
		min, max  int
	}{
		{"SYMMETRIC_DEFAULT", "", 32, 32},
		{"HMAC_224", "HMAC_SHA_224", 28, 64},
		{"HMAC_256", "HMAC_SHA_256", 32, 64},
		{"HMAC_384", "HMAC_SHA_384", 48, 128},
		{"HMAC_512", "HMAC_SHA_512", 64, 128},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			for _, n := range []int{0, 1, 16, tc.min - 1, tc.max + 1, 256} {
				if out, err := crypto.ImportedKeyMaterial(tc.spec, randBytes(t, n)); err != crypto.ErrInvalidImportedMaterial || out != nil {
					t.Errorf("%d bytes: ImportedKeyMaterial = %x, %v; want ErrInvalidImportedMaterial", n, out, err)
				}
			}
			for _, n := range []int{tc.min, (tc.min + tc.max) / 2, tc.max} {
				raw := randBytes(t, n)
				out, err := crypto.ImportedKeyMaterial(tc.spec, raw)
				if err != nil || !bytes.Equal(out, raw) {
					t.Fatalf("%d bytes: ImportedKeyMaterial = %x, %v; want the bytes as given", n, out, err)
				}
				if tc.alg == "" {
					continue
				}
				// The material is the HMAC key as given (RFC 2104 keys of
				// any length): openssl computes the same MAC with it.
				m, err := crypto.NewKeyPrimitive(tc.spec, out)
				if err != nil {
					t.Fatal(err)
				}
				msg := []byte("imported HMAC key")
				mac, err := m.(crypto.MAC).Generate(tc.alg, msg)
				if err != nil {
					t.Fatal(err)
				}
				if opensslAvailable() {
					dir := t.TempDir()
					writeFiles(t, dir, map[string][]byte{"msg": msg})
					md := map[string]string{"HMAC_SHA_224": "sha224", "HMAC_SHA_256": "sha256", "HMAC_SHA_384": "sha384", "HMAC_SHA_512": "sha512"}[tc.alg]
					want := openssl(t, dir, true, "dgst", "-"+md, "-mac", "HMAC", "-macopt", "hexkey:"+hex.EncodeToString(raw), "-binary", "msg")
					if !bytes.Equal(mac, want) {
						t.Fatalf("MAC with the imported %d-byte key %x, openssl %x", n, mac, want)
					}
				}
			}
		})
	}
	if _, err := crypto.ImportedKeyMaterial("RSA_1024", nil); !errors.Is(err, crypto.ErrUnsupportedSpec) {
		t.Errorf("unknown spec: %v, want ErrUnsupportedSpec", err)
	}
}

// GenerateKeyPair's private keys (PKCS #8 for every spec it makes) import
// back to a key with the same public key; RSA and NIST material, PKCS #8
// as Go writes it, imports unchanged.
func TestImportedKeyMaterialOfGeneratedPairs(t *testing.T) {
	for _, spec := range []string{"RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
		"ECC_NIST_EDWARDS25519", "SM2", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"} {
		t.Run(spec, func(t *testing.T) {
			pub, priv, err := crypto.GenerateKeyPair(spec)
			if err != nil {
				t.Fatal(err)
			}
			out := mustImport(t, spec, priv)
			p, err := crypto.NewKeyPrimitive(spec, out)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.(crypto.PublicKeyer).PublicKey(); !bytes.Equal(got, pub) {
				t.Fatalf("public key after import differs:\n%x\n%x", got, pub)
			}
			if strings.HasPrefix(spec, "RSA") || strings.HasPrefix(spec, "ECC_NIST_P") {
				if !bytes.Equal(out, priv) {
					t.Fatalf("material changed on import:\n%x\n%x", out, priv)
				}
			}
		})
	}
}

var mldsaOIDs = map[string]asn1.ObjectIdentifier{
	"ML_DSA_44": {2, 16, 840, 1, 101, 3, 4, 3, 17},
	"ML_DSA_65": {2, 16, 840, 1, 101, 3, 4, 3, 18},
	"ML_DSA_87": {2, 16, 840, 1, 101, 3, 4, 3, 19},
}

// mldsaKeyFromSeed returns the public key and the expanded private key
// (FIPS 204 encodings) of seed, computed by circl directly.
func mldsaKeyFromSeed(spec string, seed []byte) (pub, expanded []byte) {
	s := (*[32]byte)(seed)
	switch spec {
	case "ML_DSA_44":
		pk, sk := mldsa44.NewKeyFromSeed(s)
		return pk.Bytes(), sk.Bytes()
	case "ML_DSA_65":
		pk, sk := mldsa65.NewKeyFromSeed(s)
		return pk.Bytes(), sk.Bytes()
	}
	pk, sk := mldsa87.NewKeyFromSeed(s)
	return pk.Bytes(), sk.Bytes()
}

// ML-DSA private keys are PKCS #8 of RFC 9881's ML-DSA-xx-PrivateKey: the
// seed form ([0] IMPLICIT OCTET STRING of the 32-byte seed) and the both
// form (SEQUENCE of the seed and the matching expanded key) import as the
// seed; the expandedKey form alone, which does not give the seed back, a
// both form whose halves disagree, and other parameter sets' keys do not.
func TestImportedKeyMaterialMLDSA(t *testing.T) {
	for spec, oid := range mldsaOIDs {
		t.Run(spec, func(t *testing.T) {
			seed := randBytes(t, 32)
			pub, expanded := mldsaKeyFromSeed(spec, seed)
			seedForm := append([]byte{0x80, 0x20}, seed...)
			both, err := asn1.Marshal(struct{ Seed, Expanded []byte }{seed, expanded})
			if err != nil {
				t.Fatal(err)
			}
			for name, pk := range map[string][]byte{"seed": seedForm, "both": both} {
				out, err := crypto.ImportedKeyMaterial(spec, pkcs8Of(t, oid, nil, pk))
				if err != nil || !bytes.Equal(out, seed) {
					t.Fatalf("%s form: ImportedKeyMaterial = %x, %v; want the seed %x", name, out, err, seed)
				}
				p, err := crypto.NewKeyPrimitive(spec, out)
				if err != nil {
					t.Fatal(err)
				}
				if got := pointOf(t, p.(crypto.PublicKeyer).PublicKey()); !bytes.Equal(got, pub) {
					t.Fatalf("%s form: public key differs from circl's", name)
				}
			}
			expandedOnly, _ := asn1.Marshal(expanded)
			_, otherExpanded := mldsaKeyFromSeed(spec, randBytes(t, 32))
			mismatched, _ := asn1.Marshal(struct{ Seed, Expanded []byte }{seed, otherExpanded})
			var otherOID asn1.ObjectIdentifier
			for s, o := range mldsaOIDs {
				if s != spec {
					otherOID = o
				}
			}
			for name, raw := range map[string][]byte{
				"expandedKey form":             pkcs8Of(t, oid, nil, expandedOnly),
				"both with another key":        pkcs8Of(t, oid, nil, mismatched),
				"another parameter set":        pkcs8Of(t, otherOID, nil, seedForm),
				"31-byte seed":                 pkcs8Of(t, oid, nil, append([]byte{0x80, 0x1f}, seed[:31]...)),
				"seed as a plain OCTET STRING": pkcs8Of(t, oid, nil, append([]byte{0x04, 0x20}, seed...)),
				"parameters present":           pkcs8Of(t, oid, oid, seedForm),
				"the raw seed":                 seed,
				"seed form trailing byte":      pkcs8Of(t, oid, nil, append(append([]byte{0x80, 0x20}, seed...), 0)),
			} {
				if out, err := crypto.ImportedKeyMaterial(spec, raw); err != crypto.ErrInvalidImportedMaterial {
					t.Errorf("%s: ImportedKeyMaterial = %x, %v; want ErrInvalidImportedMaterial", name, out, err)
				}
			}
		})
	}
}

func FuzzImportedKeyMaterial(f *testing.F) {
	specs := append([]string{"SYMMETRIC_DEFAULT"}, crypto.Specs()...)
	for i, spec := range specs {
		if spec == "RSA_3072" || spec == "RSA_4096" {
			continue // slow to generate; RSA_2048's key covers the parser
		}
		if _, priv, err := crypto.GenerateKeyPair(spec); err == nil {
			f.Add(uint8(i), priv)
		}
		if m, err := crypto.GenerateKeyMaterial(spec); err == nil {
			f.Add(uint8(i), m)
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, raw []byte) {
		spec := specs[int(i)%len(specs)]
		out, err := crypto.ImportedKeyMaterial(spec, raw)
		if err != nil {
			if err != crypto.ErrInvalidImportedMaterial || out != nil {
				t.Fatalf("ImportedKeyMaterial = %x, %v", out, err)
			}
			return
		}
		if spec == "SYMMETRIC_DEFAULT" {
			return
		}
		if _, err := crypto.NewKeyPrimitive(spec, out); err != nil {
			t.Fatalf("imported material does not build a %s key: %v", spec, err)
		}
	})
}

// oneAsymmetricKey encodes an RFC 5958 OneAsymmetricKey of version v, with
// the public key [1] if pub is not nil.
func oneAsymmetricKey(t testing.TB, v int, alg, param asn1.ObjectIdentifier, privateKey, pub []byte) []byte {
	t.Helper()
	type algID struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	a := algID{Algorithm: alg}
	if param != nil {
		p, err := asn1.Marshal(param)
		if err != nil {
			t.Fatal(err)
		}
		a.Parameters = asn1.RawValue{FullBytes: p}
	}
	k := struct {
		Version    int
		Algorithm  algID
		PrivateKey []byte
		PublicKey  asn1.BitString `asn1:"optional,tag:1"`
	}{Version: v, Algorithm: a, PrivateKey: privateKey}
	if pub != nil {
		k.PublicKey = asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)}
	}
	b, err := asn1.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 5958: a version 1 OneAsymmetricKey may carry the public key, which
// must then be the private key's; version 0 (PKCS #8 v1.2) has no public
// key field, and no other version exists.
func TestImportedKeyMaterialOneAsymmetricKey(t *testing.T) {
	ecInner := func(d []byte) []byte {
		b, err := asn1.Marshal(struct {
			Version    int
			PrivateKey []byte
		}{1, d})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	edSeed := randBytes(t, 32)
	edPriv, _ := asn1.Marshal(edSeed)
	mlSeed := randBytes(t, 32)
	mlPub, _ := mldsaKeyFromSeed("ML_DSA_65", mlSeed)
	type keyCase struct {
		spec       string
		alg, param asn1.ObjectIdentifier
		priv       []byte
	}
	cases := []keyCase{
		{"ECC_SECG_P256K1", asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, oidSecp256k1, ecInner(append(make([]byte, 31), 5))},
		{"SM2", asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, oidSM2Curve, ecInner(append(make([]byte, 31), 5))},
		{"ECC_NIST_P256", asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, oidP256, ecInner(append(make([]byte, 31), 5))},
		{"ECC_NIST_EDWARDS25519", asn1.ObjectIdentifier{1, 3, 101, 112}, nil, edPriv},
		{"ML_DSA_65", mldsaOIDs["ML_DSA_65"], nil, append([]byte{0x80, 0x20}, mlSeed...)},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			want := mustImport(t, c.spec, oneAsymmetricKey(t, 0, c.alg, c.param, c.priv, nil))
			p, err := crypto.NewKeyPrimitive(c.spec, want)
			if err != nil {
				t.Fatal(err)
			}
			pub := pointOf(t, p.(crypto.PublicKeyer).PublicKey())
			if c.spec == "ML_DSA_65" && !bytes.Equal(pub, mlPub) {
				t.Fatal("ML-DSA public key differs from circl's")
			}
			got, err := crypto.ImportedKeyMaterial(c.spec, oneAsymmetricKey(t, 1, c.alg, c.param, c.priv, pub))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("version 1 with the public key: %x, %v; want %x", got, err, want)
			}
			if got, err := crypto.ImportedKeyMaterial(c.spec, oneAsymmetricKey(t, 1, c.alg, c.param, c.priv, nil)); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("version 1 without the public key: %x, %v; want %x", got, err, want)
			}
			wrong := append([]byte(nil), pub...)
			wrong[len(wrong)-1] ^= 1
			for name, raw := range map[string][]byte{
				"version 1 with another public key": oneAsymmetricKey(t, 1, c.alg, c.param, c.priv, wrong),
				"version 0 with a public key":       oneAsymmetricKey(t, 0, c.alg, c.param, c.priv, pub),
				"version 2":                         oneAsymmetricKey(t, 2, c.alg, c.param, c.priv, nil),
			} {
				if out, err := crypto.ImportedKeyMaterial(c.spec, raw); err != crypto.ErrInvalidImportedMaterial {
					t.Errorf("%s: ImportedKeyMaterial = %x, %v; want ErrInvalidImportedMaterial", name, out, err)
				}
			}
		})
	}
}
