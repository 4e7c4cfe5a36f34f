package crypto_test

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
	"testing"

	"github.com/embedkms/kms/crypto"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 4231 section 4.3, Test Case 2 (key "Jefe").
func TestHMACRFC4231(t *testing.T) {
	key, data := []byte("Jefe"), []byte("what do ya want for nothing?")
	for _, tc := range []struct{ spec, alg, want string }{
		{"HMAC_224", "HMAC_SHA_224", "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44"},
		{"HMAC_256", "HMAC_SHA_256", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{"HMAC_384", "HMAC_SHA_384", "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"},
		{"HMAC_512", "HMAC_SHA_512", "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
	} {
		p, err := crypto.NewKeyPrimitive(tc.spec, key)
		if err != nil {
			t.Fatal(err)
		}
		m := p.(crypto.MAC)
		got, err := m.Generate(tc.alg, data)
		if err != nil || hex.EncodeToString(got) != tc.want {
			t.Errorf("%s: %x, %v; want %s", tc.alg, got, err, tc.want)
		}
		if err := m.Verify(tc.alg, data, mustHex(t, tc.want)); err != nil {
			t.Errorf("%s: Verify of the RFC's MAC: %v", tc.alg, err)
		}
	}
}

// RFC 8032 section 7.1 TEST 1 (Ed25519, empty message).
func TestEd25519RFC8032(t *testing.T) {
	for _, tc := range []struct {
		name, seed, pub, sig string
		alg                  string
		msg                  []byte
		mt                   crypto.MessageType
	}{
		{"7.1 TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
			"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
			"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
			"ED25519_SHA_512", nil, crypto.MessageRaw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := crypto.NewKeyPrimitive("ECC_NIST_EDWARDS25519", mustHex(t, tc.seed))
			if err != nil {
				t.Fatal(err)
			}
			s := p.(crypto.Signer)
			pk, err := crypto.ParsePublicKey(s.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			if got := pk.Key.(ed25519.PublicKey); !bytes.Equal(got, mustHex(t, tc.pub)) {
				t.Errorf("public key %x, want %s", got, tc.pub)
			}
			sig, err := s.Sign(tc.alg, tc.msg, tc.mt)
			if err != nil || hex.EncodeToString(sig) != tc.sig {
				t.Errorf("Sign = %x, %v; want %s", sig, err, tc.sig)
			}
			if err := s.Verify(tc.alg, tc.msg, tc.mt, mustHex(t, tc.sig)); err != nil {
				t.Errorf("Verify of the RFC's signature: %v", err)
			}
		})
	}
}

// ED25519_PH_SHA_512 with a 64-byte DIGEST d is HashEdDSA of the message
// d: KMS "still performs the SHA-512 prehash ... the input is hashed
// twice" (Sign API reference, MessageType). Checked against the standard
// library's Ed25519ph, itself checked first against RFC 8032 section 7.3
// TEST abc.
func TestEd25519phHashesTheDigestAgain(t *testing.T) {
	seed := mustHex(t, "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	ph := &ed25519.Options{Hash: stdcrypto.SHA512}
	abc := sha512.Sum512([]byte("abc"))
	if err := ed25519.VerifyWithOptions(pub, abc[:], mustHex(t, "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"), ph); err != nil {
		t.Fatalf("the reference Ed25519ph does not verify RFC 8032 7.3 TEST abc: %v", err)
	}
	p, err := crypto.NewKeyPrimitive("ECC_NIST_EDWARDS25519", seed)
	if err != nil {
		t.Fatal(err)
	}
	s := p.(crypto.Signer)
	d := abc[:] // the caller's DIGEST of "abc"
	sig, err := s.Sign("ED25519_PH_SHA_512", d, crypto.MessageDigest)
	if err != nil {
		t.Fatal(err)
	}
	again := sha512.Sum512(d)
	if err := ed25519.VerifyWithOptions(pub, again[:], sig, ph); err != nil {
		t.Errorf("the signature of DIGEST d is not Ed25519ph of the message d: %v", err)
	}
	if ed25519.VerifyWithOptions(pub, d, sig, ph) == nil {
		t.Error("the signature of DIGEST d takes d as the prehash: KMS hashes it again")
	}
	if err := s.Verify("ED25519_PH_SHA_512", d, crypto.MessageDigest, sig); err != nil {
		t.Errorf("Verify of our own signature: %v", err)
	}
}
