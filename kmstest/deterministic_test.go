package kmstest_test

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// A key the seed fixes, seen by what the handle tells of it: its id, its
// public key's SHA-256 (asymmetric specs), its HMAC of a fixed message
// (HMAC specs), and the SHA-256 of its signature of a fixed message
// (deterministic signing schemes).
type seededKey struct {
	id, publicKey, mac, signature string
}

var (
	signMessage = []byte("golden message")
	signAlgs    = map[kms.KeySpec]kms.SigningAlgorithmSpec{
		kms.KeySpecRsa2048:             kms.SigningAlgorithmSpecRsassaPkcs1V15Sha256,
		kms.KeySpecEccNistEdwards25519: kms.SigningAlgorithmSpecEd25519Sha512,
	}
	macAlgs = map[kms.KeySpec]kms.MacAlgorithmSpec{
		kms.KeySpecHmac224: kms.MacAlgorithmSpecHmacSha224,
		kms.KeySpecHmac256: kms.MacAlgorithmSpecHmacSha256,
		kms.KeySpecHmac384: kms.MacAlgorithmSpecHmacSha384,
		kms.KeySpecHmac512: kms.MacAlgorithmSpecHmacSha512,
	}
)

// seeded makes the Deterministic key seed of spec and usage in a fresh
// handle (in us-east-1, or in cn-north-1 for SM2, which AWS offers only in
// China Regions) and returns what the handle shows of it.
func seeded(t *testing.T, seed string, spec kms.KeySpec, usage kms.KeyUsageType, opts ...kmstest.KeyOption) seededKey {
	t.Helper()
	var handleOpts []kmstest.Option
	if spec == kms.KeySpecSm2 {
		handleOpts = append(handleOpts, kmstest.WithOptions(kms.Options{Partition: "aws-cn", Region: "cn-north-1"}))
	}
	k, _ := kmstest.New(t, handleOpts...)
	ctx := context.Background()
	id := kmstest.Key(t, k, append([]kmstest.KeyOption{kmstest.Deterministic(seed), kmstest.Spec(spec, usage)}, opts...)...)
	s := seededKey{id: id}
	if spec != kms.KeySpecSymmetricDefault && macAlgs[spec] == "" {
		pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: id})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pub.PublicKey)
		s.publicKey = hex.EncodeToString(sum[:])
	}
	if alg := macAlgs[spec]; alg != "" {
		out, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: id, Message: signMessage, MacAlgorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		s.mac = hex.EncodeToString(out.Mac)
	}
	if alg := signAlgs[spec]; alg != "" {
		out, err := k.Sign(ctx, &kms.SignInput{KeyId: id, Message: signMessage, MessageType: kms.MessageTypeRaw, SigningAlgorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(out.Signature)
		s.signature = hex.EncodeToString(sum[:])
	}
	return s
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Two fresh handles (each with its own random root key) given the same
// seed make the same key: the same id, public key, HMAC and deterministic
// signature; another seed makes another key. Every key spec, with one of
// its usages.
func TestDeterministicEverySpec(t *testing.T) {
	for _, tc := range []struct {
		spec  kms.KeySpec
		usage kms.KeyUsageType
	}{
		{kms.KeySpecSymmetricDefault, kms.KeyUsageTypeEncryptDecrypt},
		{kms.KeySpecHmac224, kms.KeyUsageTypeGenerateVerifyMac},
		{kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac},
		{kms.KeySpecHmac384, kms.KeyUsageTypeGenerateVerifyMac},
		{kms.KeySpecHmac512, kms.KeyUsageTypeGenerateVerifyMac},
		{kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecRsa3072, kms.KeyUsageTypeEncryptDecrypt},
		{kms.KeySpecRsa4096, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecEccNistP256, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecEccNistP384, kms.KeyUsageTypeKeyAgreement},
		{kms.KeySpecEccNistP521, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecEccSecgP256k1, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecSm2, kms.KeyUsageTypeEncryptDecrypt},
		{kms.KeySpecEccNistEdwards25519, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecMlDsa44, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecMlDsa65, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecMlDsa87, kms.KeyUsageTypeSignVerify},
		{kms.KeySpecMlKem512, kms.KeyUsageTypeEncapsulateDecapsulate},
		{kms.KeySpecMlKem768, kms.KeyUsageTypeEncapsulateDecapsulate},
		{kms.KeySpecMlKem1024, kms.KeyUsageTypeEncapsulateDecapsulate},
	} {
		t.Run(string(tc.spec), func(t *testing.T) {
			a := seeded(t, "seed one", tc.spec, tc.usage)
			b := seeded(t, "seed one", tc.spec, tc.usage)
			c := seeded(t, "seed two", tc.spec, tc.usage)
			if a != b {
				t.Fatalf("same seed, two handles:\n%+v\n%+v", a, b)
			}
			if !uuidV4.MatchString(a.id) {
				t.Fatalf("key id %s is not a version 4 UUID", a.id)
			}
			if c.id == a.id || (a.publicKey != "" && c.publicKey == a.publicKey) || (a.mac != "" && c.mac == a.mac) {
				t.Fatalf("another seed gave the same key:\n%+v\n%+v", a, c)
			}
			if a.publicKey == "" && a.mac == "" && tc.spec != kms.KeySpecSymmetricDefault {
				t.Fatalf("nothing of the key was compared")
			}
			if _, ok := signAlgs[tc.spec]; ok && (a.signature == "" || a.signature == c.signature) {
				t.Fatalf("signatures: %q and another seed's %q", a.signature, c.signature)
			}
		})
	}
}

// The derivation is fixed: these values, of seed "golden", must never
// change, or every golden file made with Deterministic breaks. (They were
// recorded from this implementation; public keys and signatures are
// given as their SHA-256: of the DER SubjectPublicKeyInfo GetPublicKey
// returns, of the signature Sign returns.)
func TestDeterministicGolden(t *testing.T) {
	mac := seeded(t, "golden", kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac)
	ed := seeded(t, "golden", kms.KeySpecEccNistEdwards25519, kms.KeyUsageTypeSignVerify)
	mrk := seeded(t, "golden", kms.KeySpecSymmetricDefault, kms.KeyUsageTypeEncryptDecrypt, kmstest.MultiRegion())
	rsa := seeded(t, "golden", kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify)
	p256 := seeded(t, "golden", kms.KeySpecEccNistP256, kms.KeyUsageTypeSignVerify)
	for _, c := range []struct{ name, got, want string }{
		{"key id", mac.id, goldenID},
		{"multi-Region key id", mrk.id, goldenMRKID},
		{"HMAC_SHA_256", mac.mac, goldenMAC},
		{"Ed25519 public key", ed.publicKey, goldenEdPublicKey},
		{"Ed25519 signature", ed.signature, goldenEdSignature},
		{"RSA_2048 public key", rsa.publicKey, goldenRSAPublicKey},
		{"RSASSA_PKCS1_V1_5_SHA_256 signature", rsa.signature, goldenRSASignature},
		{"ECC_NIST_P256 public key", p256.publicKey, goldenP256PublicKey},
	} {
		if c.got != c.want {
			t.Errorf("%s of seed \"golden\": %s, want %s", c.name, c.got, c.want)
		}
	}
}

const (
	goldenID            = "55035a1c-a02f-4252-8bac-7ee2fcb89490"
	goldenMRKID         = "mrk-55035a1ca02ff2520bac7ee2fcb89490"
	goldenMAC           = "3b3677cc762d30fe7ff05ec502676ad3c5bfc0528d97cb722ffb00fa682e2b86"
	goldenEdPublicKey   = "57add7a89d50eb2a21ed2b6db51549b09e2b08297c7f83d50f05a0f15234881d"
	goldenEdSignature   = "be5723734a3cead98fa3ee697d9bc1c959db2e223b230476e6d9fd97e34ade52"
	goldenRSAPublicKey  = "5099f3130bbaf3a013f6b116be90f5a21d87407b5b5b33e9898a43b89b6f50c7"
	goldenRSASignature  = "16b635816ff9988f8c4f0f3934286001e05f75749da8a5b8fd83b984e0fea675"
	goldenP256PublicKey = "a25067ca35cc5fcfce2edef6dc0ce9f109eb08511f939a6b8036d7c8cf55ab10"
)

// A ciphertext made under a Deterministic symmetric key in one handle
// decrypts in another handle seeded alike (another root key, another
// store), and not under another seed's key.
func TestDeterministicCiphertextMoves(t *testing.T) {
	ctx := context.Background()
	k1, _ := kmstest.New(t)
	k2, _ := kmstest.New(t)
	k3, _ := kmstest.New(t)
	id1 := kmstest.Key(t, k1, kmstest.Deterministic("orders"))
	id2 := kmstest.Key(t, k2, kmstest.Deterministic("orders"))
	kmstest.Key(t, k3, kmstest.Deterministic("invoices"))
	ec := map[string]string{"order": "42"}
	enc, err := k1.Encrypt(ctx, &kms.EncryptInput{KeyId: id1, Plaintext: []byte("secret"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := k2.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	if err != nil || !bytes.Equal(dec.Plaintext, []byte("secret")) || dec.KeyId != describe(t, k2, id2).Arn {
		t.Fatalf("Decrypt in the second handle: %+v, %v", dec, err)
	}
	if _, err := k3.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}); err == nil {
		t.Fatalf("a handle with another seed's key decrypted the ciphertext")
	}
}

// On one handle, Key with a seed already loaded returns the same key
// (loading a seed again changes nothing); the seed with another spec
// contradicts it and ends the test with the seed conflict.
func TestDeterministicAgainOnOneHandle(t *testing.T) {
	k, _ := kmstest.New(t)
	a := kmstest.Key(t, k, kmstest.Deterministic("s"), kmstest.Description("first"))
	if _, err := k.UpdateKeyDescription(context.Background(), &kms.UpdateKeyDescriptionInput{KeyId: a, Description: "changed"}); err != nil {
		t.Fatal(err)
	}
	if b := kmstest.Key(t, k, kmstest.Deterministic("s"), kmstest.Description("first")); b != a {
		t.Fatalf("the same seed again gave %s, then %s", a, b)
	}
	if md := describe(t, k, a); md.Description != "changed" {
		t.Fatalf("loading the seed again reset the description to %q", md.Description)
	}
	msg := fatalOf(t, func(tb testing.TB) {
		kmstest.Key(tb, k, kmstest.Deterministic("s"), kmstest.Spec(kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac))
	})
	if !strings.HasPrefix(msg, "kmstest.Key: seed: ") || !strings.Contains(msg, "conflicts with what the store holds") {
		t.Fatalf("Fatal message %q", msg)
	}
	out, err := k.ListKeys(context.Background(), &kms.ListKeysInput{})
	if err != nil || len(out.Keys) != 1 {
		t.Fatalf("ListKeys: %+v, %v; want the one key", out, err)
	}
}

// The id and the material of an HMAC_256 key follow the derivation
// Deterministic documents, computed here with the standard library alone.
func TestDeterministicDerivationAsDocumented(t *testing.T) {
	const seed = "documented"
	ikm := []byte("embedkms kmstest seed: " + seed)
	idBytes, err := hkdf.Key(sha256.New, ikm, nil, "embedkms kmstest key id", 16)
	if err != nil {
		t.Fatal(err)
	}
	idBytes[6] = idBytes[6]&0x0f | 0x40
	idBytes[8] = idBytes[8]&0x3f | 0x80
	h := hex.EncodeToString(idBytes)
	wantID := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]

	key, err := hkdf.Key(sha256.New, ikm, nil, "embedkms kmstest key material HMAC_256", 32)
	if err != nil {
		t.Fatal(err)
	}
	material := make([]byte, 32)
	rand.NewChaCha8([32]byte(key)).Read(material)
	m := hmac.New(sha256.New, material)
	m.Write(signMessage)
	wantMAC := hex.EncodeToString(m.Sum(nil))

	got := seeded(t, seed, kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac)
	if got.id != wantID || got.mac != wantMAC {
		t.Fatalf("seed %q gave key %s with HMAC %s; the documented derivation gives %s and %s", seed, got.id, got.mac, wantID, wantMAC)
	}
}
