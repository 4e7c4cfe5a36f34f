package crypto_test

import (
	stdcrypto "crypto"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/embedkms/kms/crypto"
)

// keyCache generates one key per spec for the whole test binary: RSA-4096
// generation is slow.
var keyCache sync.Map // spec -> *cachedKey

type cachedKey struct {
	once     sync.Once
	material []byte
	prim     crypto.KeyPrimitive
	err      error
}

func testKey(t testing.TB, spec string) crypto.KeyPrimitive {
	t.Helper()
	v, _ := keyCache.LoadOrStore(spec, &cachedKey{})
	c := v.(*cachedKey)
	c.once.Do(func() {
		c.material, c.err = crypto.GenerateKeyMaterial(spec)
		if c.err == nil {
			c.prim, c.err = crypto.NewKeyPrimitive(spec, c.material)
		}
	})
	if c.err != nil {
		t.Fatalf("%s: %v", spec, c.err)
	}
	return c.prim
}

func testMaterial(t testing.TB, spec string) []byte {
	testKey(t, spec)
	v, _ := keyCache.Load(spec)
	return v.(*cachedKey).material
}

// The independent statement of which (spec, algorithm, message type) the
// AWS KMS Developer Guide ("Key spec reference") and the Sign API reference
// (MessageType) allow, with the digest hash for RAW and DIGEST.
type sigCase struct {
	alg  string
	hash stdcrypto.Hash // the algorithm's digest; 0 for PureEdDSA and ML-DSA
	mts  []crypto.MessageType
}

var (
	rawDigest = []crypto.MessageType{crypto.MessageRaw, crypto.MessageDigest}
	rsaSig    = []sigCase{
		{"RSASSA_PSS_SHA_256", stdcrypto.SHA256, rawDigest},
		{"RSASSA_PSS_SHA_384", stdcrypto.SHA384, rawDigest},
		{"RSASSA_PSS_SHA_512", stdcrypto.SHA512, rawDigest},
		{"RSASSA_PKCS1_V1_5_SHA_256", stdcrypto.SHA256, rawDigest},
		{"RSASSA_PKCS1_V1_5_SHA_384", stdcrypto.SHA384, rawDigest},
		{"RSASSA_PKCS1_V1_5_SHA_512", stdcrypto.SHA512, rawDigest},
	}
	mldsaSig = []sigCase{{"ML_DSA_SHAKE_256", 0, []crypto.MessageType{crypto.MessageRaw, crypto.MessageExternalMu}}}
	allowed  = map[string][]sigCase{
		"RSA_2048":              rsaSig,
		"RSA_3072":              rsaSig,
		"RSA_4096":              rsaSig,
		"ECC_NIST_P256":         {{"ECDSA_SHA_256", stdcrypto.SHA256, rawDigest}},
		"ECC_NIST_P384":         {{"ECDSA_SHA_384", stdcrypto.SHA384, rawDigest}},
		"ECC_NIST_P521":         {{"ECDSA_SHA_512", stdcrypto.SHA512, rawDigest}},
		"ECC_SECG_P256K1":       {{"ECDSA_SHA_256", stdcrypto.SHA256, rawDigest}},
		"ECC_NIST_EDWARDS25519": {{"ED25519_SHA_512", 0, []crypto.MessageType{crypto.MessageRaw}}, {"ED25519_PH_SHA_512", stdcrypto.SHA512, []crypto.MessageType{crypto.MessageDigest}}},
		"ML_DSA_44":             mldsaSig,
		"ML_DSA_65":             mldsaSig,
		"ML_DSA_87":             mldsaSig,
	}
	allSigningAlgs = []string{
		"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
		"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
		"ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512", "SM2DSA",
		"ML_DSA_SHAKE_256", "ED25519_SHA_512", "ED25519_PH_SHA_512",
	}
	allMessageTypes = []crypto.MessageType{crypto.MessageRaw, crypto.MessageDigest, crypto.MessageExternalMu}
)

func digestOf(h stdcrypto.Hash, m []byte) []byte {
	switch h {
	case stdcrypto.SHA256:
		d := sha256.Sum256(m)
		return d[:]
	case stdcrypto.SHA384:
		d := sha512.Sum384(m)
		return d[:]
	case stdcrypto.SHA512:
		d := sha512.Sum512(m)
		return d[:]
	}
	panic("no hash")
}

// rawMLDSAKey returns the FIPS 204 public key inside an ML-DSA SPKI: what
// follows the fixed 22-byte DER header (RFC 9881 section 4).
func rawMLDSAKey(t testing.TB, spki []byte) []byte {
	t.Helper()
	// SEQUENCE { SEQUENCE { OID } BIT STRING { 00 key } }: the header is
	// 4 (outer) + 2+11 (algorithm) + 4 (bit string) + 1 (unused bits).
	if len(spki) < 22 {
		t.Fatal("short SPKI")
	}
	return spki[22:]
}

// externalMu computes μ = SHAKE256(SHAKE256(pk, 64) || 0 || 0 || M, 64)
// (FIPS 204 Algorithm 2 step 10 and Algorithm 7 step 6, empty context).
func externalMu(pk, m []byte) []byte {
	tr := make([]byte, 64)
	sha3.ShakeSum256(tr, pk)
	mu := make([]byte, 64)
	sha3.ShakeSum256(mu, append(append(tr, 0, 0), m...))
	return mu
}

// messageFor returns what Sign takes for m under mt.
func messageFor(t testing.TB, k crypto.Signer, c sigCase, mt crypto.MessageType, m []byte) []byte {
	switch mt {
	case crypto.MessageDigest:
		return digestOf(c.hash, m)
	case crypto.MessageExternalMu:
		return externalMu(rawMLDSAKey(t, k.PublicKey()), m)
	}
	return m
}

// TestMLDSAExternalMuVerify: a signature made from μ verifies from μ and
// from the message (RAW), and a RAW signature verifies from μ.
func TestMLDSAExternalMuVerify(t *testing.T) {
	k := testKey(t, "ML_DSA_65").(crypto.Signer)
	m := []byte("m")
	mu := externalMu(rawMLDSAKey(t, k.PublicKey()), m)
	sig, err := k.Sign("ML_DSA_SHAKE_256", mu, crypto.MessageExternalMu)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Verify("ML_DSA_SHAKE_256", mu, crypto.MessageExternalMu, sig); err != nil {
		t.Fatalf("Verify EXTERNAL_MU = %v", err)
	}
	if err := k.Verify("ML_DSA_SHAKE_256", m, crypto.MessageRaw, sig); err != nil {
		t.Fatalf("Verify RAW of a signature from μ = %v", err)
	}
	raw, err := k.Sign("ML_DSA_SHAKE_256", m, crypto.MessageRaw)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Verify("ML_DSA_SHAKE_256", mu, crypto.MessageExternalMu, raw); err != nil {
		t.Fatalf("Verify EXTERNAL_MU of a RAW signature = %v", err)
	}
}

func TestEverySpecAlgorithmMessageType(t *testing.T) {
	m := []byte("the message to sign")
	for spec, cases := range allowed {
		k, ok := testKey(t, spec).(crypto.Signer)
		if !ok {
			t.Fatalf("%s: not a Signer", spec)
		}
		var algs []string
		for _, c := range cases {
			algs = append(algs, c.alg)
		}
		if !slices.Equal(k.SigningAlgorithms(), algs) {
			t.Errorf("%s: SigningAlgorithms = %v, want %v", spec, k.SigningAlgorithms(), algs)
		}
		for _, alg := range allSigningAlgs {
			i := slices.IndexFunc(cases, func(c sigCase) bool { return c.alg == alg })
			for _, mt := range allMessageTypes {
				name := spec + "/" + alg + "/" + string(mt)
				if i < 0 {
					_, err := k.Sign(alg, m, mt)
					if !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
						t.Errorf("%s: Sign err = %v, want ErrUnsupportedAlgorithm", name, err)
					}
					if err := k.Verify(alg, m, mt, make([]byte, 64)); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
						t.Errorf("%s: Verify err = %v, want ErrUnsupportedAlgorithm", name, err)
					}
					continue
				}
				c := cases[i]
				if !slices.Contains(c.mts, mt) {
					_, err := k.Sign(alg, make([]byte, 64), mt)
					if !errors.Is(err, crypto.ErrUnsupportedMessageType) {
						t.Errorf("%s: Sign err = %v, want ErrUnsupportedMessageType", name, err)
					}
					if err := k.Verify(alg, make([]byte, 64), mt, make([]byte, 64)); !errors.Is(err, crypto.ErrUnsupportedMessageType) {
						t.Errorf("%s: Verify err = %v, want ErrUnsupportedMessageType", name, err)
					}
					continue
				}
				msg := messageFor(t, k, c, mt, m)
				sig, err := k.Sign(alg, msg, mt)
				if err != nil {
					t.Errorf("%s: Sign: %v", name, err)
					continue
				}
				if err := k.Verify(alg, msg, mt, sig); err != nil {
					t.Errorf("%s: Verify of own signature: %v", name, err)
				}
				bad := slices.Clone(sig)
				bad[len(bad)/2] ^= 0x01
				if err := k.Verify(alg, msg, mt, bad); !errors.Is(err, crypto.ErrInvalidSignature) {
					t.Errorf("%s: Verify of altered signature = %v, want ErrInvalidSignature", name, err)
				}
				other := slices.Clone(msg)
				other[0] ^= 0x80
				if err := k.Verify(alg, other, mt, sig); !errors.Is(err, crypto.ErrInvalidSignature) {
					t.Errorf("%s: Verify of another message = %v, want ErrInvalidSignature", name, err)
				}
				for _, s := range [][]byte{nil, sig[:len(sig)-1], append(slices.Clone(sig), 0)} {
					if err := k.Verify(alg, msg, mt, s); !errors.Is(err, crypto.ErrInvalidSignature) {
						t.Errorf("%s: Verify of %d-byte signature = %v, want ErrInvalidSignature", name, len(s), err)
					}
				}
				// A signature of the RAW message verifies as the signature
				// of its digest (or μ) and back: the digest is never hashed
				// again.
				for _, mt2 := range c.mts {
					if mt2 == mt {
						continue
					}
					if err := k.Verify(alg, messageFor(t, k, c, mt2, m), mt2, sig); err != nil {
						t.Errorf("%s: signature does not verify as %s: %v", name, mt2, err)
					}
				}
				// A digest or μ of the wrong length is refused.
				if mt != crypto.MessageRaw {
					for _, n := range []int{0, len(msg) - 1, len(msg) + 1} {
						if _, err := k.Sign(alg, make([]byte, n), mt); !errors.Is(err, crypto.ErrInvalidDigestLength) {
							t.Errorf("%s: Sign of %d-byte digest = %v, want ErrInvalidDigestLength", name, n, err)
						}
						if err := k.Verify(alg, make([]byte, n), mt, sig); !errors.Is(err, crypto.ErrInvalidDigestLength) {
							t.Errorf("%s: Verify of %d-byte digest = %v, want ErrInvalidDigestLength", name, n, err)
						}
					}
				}
			}
		}
	}
}

// Which interfaces each spec's primitive implements (Developer Guide,
// "Key spec reference": key usages per spec).
func TestPrimitiveInterfaces(t *testing.T) {
	type set struct{ sign, dec, agree, mac, kem, pub bool }
	want := map[string]set{
		"RSA_2048":              {sign: true, dec: true, pub: true},
		"RSA_3072":              {sign: true, dec: true, pub: true},
		"RSA_4096":              {sign: true, dec: true, pub: true},
		"ECC_NIST_P256":         {sign: true, agree: true, pub: true},
		"ECC_NIST_P384":         {sign: true, agree: true, pub: true},
		"ECC_NIST_P521":         {sign: true, agree: true, pub: true},
		"ECC_SECG_P256K1":       {sign: true, pub: true},
		"ECC_NIST_EDWARDS25519": {sign: true, pub: true},
		"SM2":                   {sign: true, dec: true, agree: true, pub: true},
		"ML_DSA_44":             {sign: true, pub: true},
		"ML_DSA_65":             {sign: true, pub: true},
		"ML_DSA_87":             {sign: true, pub: true},
		"HMAC_224":              {mac: true},
		"HMAC_256":              {mac: true},
		"HMAC_384":              {mac: true},
		"HMAC_512":              {mac: true},
		"ML_KEM_512":            {kem: true, pub: true},
		"ML_KEM_768":            {kem: true, pub: true},
		"ML_KEM_1024":           {kem: true, pub: true},
	}
	if got := crypto.Specs(); len(got) != len(want) {
		t.Errorf("Specs() has %d specs, want %d", len(got), len(want))
	}
	for _, spec := range crypto.Specs() {
		p := testKey(t, spec)
		var got set
		_, got.sign = p.(crypto.Signer)
		_, got.dec = p.(crypto.Decrypter)
		_, got.agree = p.(crypto.Agreement)
		_, got.mac = p.(crypto.MAC)
		_, got.kem = p.(crypto.KEM)
		_, got.pub = p.(crypto.PublicKeyer)
		if got != want[spec] {
			t.Errorf("%s: interfaces %+v, want %+v", spec, got, want[spec])
		}
		if p.Spec() != spec {
			t.Errorf("%s: Spec() = %s", spec, p.Spec())
		}
		if pk, ok := p.(crypto.PublicKeyer); ok {
			parsed, err := crypto.ParsePublicKey(pk.PublicKey())
			if err != nil || parsed.Spec != spec {
				t.Errorf("%s: ParsePublicKey(PublicKey()) = %v, %v", spec, parsed, err)
			}
		}
	}
}

// The documented material forms and lengths.
func TestKeyMaterialForms(t *testing.T) {
	lengths := map[string]int{
		"ECC_SECG_P256K1": 32, "ECC_NIST_EDWARDS25519": 32, "SM2": 32,
		"ML_DSA_44": 32, "ML_DSA_65": 32, "ML_DSA_87": 32,
		"ML_KEM_512": 64, "ML_KEM_768": 64, "ML_KEM_1024": 64,
		// HMAC key specs: as long as the hash output.
		"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64,
	}
	for _, spec := range crypto.Specs() {
		m := testMaterial(t, spec)
		if n, ok := lengths[spec]; ok {
			if len(m) != n {
				t.Errorf("%s: material is %d bytes, want %d", spec, len(m), n)
			}
			continue
		}
		if _, err := x509.ParsePKCS8PrivateKey(m); err != nil {
			t.Errorf("%s: material is not PKCS #8: %v", spec, err)
		}
	}
}

func TestNewKeyPrimitiveRejectsBadMaterial(t *testing.T) {
	for _, spec := range crypto.Specs() {
		m := testMaterial(t, spec)
		bad := [][]byte{nil, m[:len(m)-1], append(slices.Clone(m), 0)}
		if strings.HasPrefix(spec, "HMAC_") {
			bad = [][]byte{nil, {}} // any other length is a valid HMAC key
		}
		for _, b := range bad {
			if _, err := crypto.NewKeyPrimitive(spec, b); !errors.Is(err, crypto.ErrInvalidKeyMaterial) {
				t.Errorf("%s: NewKeyPrimitive(%d bytes) err = %v, want ErrInvalidKeyMaterial", spec, len(b), err)
			}
		}
	}
	// Material of another spec of the same family.
	for _, c := range [][2]string{{"RSA_2048", "RSA_3072"}, {"ECC_NIST_P256", "ECC_NIST_P384"}, {"ECC_NIST_P521", "RSA_2048"}} {
		if _, err := crypto.NewKeyPrimitive(c[1], testMaterial(t, c[0])); !errors.Is(err, crypto.ErrInvalidKeyMaterial) {
			t.Errorf("%s material as %s: err = %v, want ErrInvalidKeyMaterial", c[0], c[1], err)
		}
	}
	// secp256k1 scalars out of range: 0 and the group order n (SEC 2 2.4.1).
	n := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41}
	for _, b := range [][]byte{make([]byte, 32), n} {
		if _, err := crypto.NewKeyPrimitive("ECC_SECG_P256K1", b); !errors.Is(err, crypto.ErrInvalidKeyMaterial) {
			t.Errorf("secp256k1 scalar %x: err = %v, want ErrInvalidKeyMaterial", b, err)
		}
	}
	for _, spec := range []string{"SYMMETRIC_DEFAULT", "SM2PKE", ""} {
		if _, err := crypto.GenerateKeyMaterial(spec); !errors.Is(err, crypto.ErrUnsupportedSpec) {
			t.Errorf("GenerateKeyMaterial(%q) err = %v", spec, err)
		}
		if _, err := crypto.NewKeyPrimitive(spec, make([]byte, 32)); !errors.Is(err, crypto.ErrUnsupportedSpec) {
			t.Errorf("NewKeyPrimitive(%q) err = %v", spec, err)
		}
	}
}

// The same material builds a primitive with the same public key: the
// material is the whole key.
func TestMaterialDeterminesKey(t *testing.T) {
	for _, spec := range crypto.Specs() {
		p, err := crypto.NewKeyPrimitive(spec, testMaterial(t, spec))
		if err != nil {
			t.Fatal(err)
		}
		if pk, ok := p.(crypto.PublicKeyer); ok {
			if string(pk.PublicKey()) != string(testKey(t, spec).(crypto.PublicKeyer).PublicKey()) {
				t.Errorf("%s: rebuilt key has another public key", spec)
			}
		}
	}
}
