package crypto_test

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/embedkms/kms/crypto"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
)

// SM2 tests. They never run under GODEBUG=fips140=only (scripts/test.sh
// names none of them there): gmsm is not a FIPS 140-3 module.
//
// gmsm implements the primitive, so its own high-level API is no
// independent check. The checks here are: the SM2 curve parameters of
// GB/T 32918.5-2017 (section 3.3, the recommended curve) with an affine
// double-and-add scalar multiplication written on math/big below, for
// public keys and ECDH; Z_A assembled here from those parameters (GB/T
// 32918.2-2016 5.5) for the RAW and DIGEST messages; a published signature
// on the recommended curve; and the openssl command (OpenSSL 3.0 has SM2
// signing, SM2PKE and SM2 key encodings, but no ECDH on SM2 keys).

// GB/T 32918.5-2017 3.3: the recommended curve y² = x³ + ax + b over F_p.
var sm2Params = struct{ p, a, b, n, gx, gy *big.Int }{
	p:  hexInt("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"),
	a:  hexInt("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"),
	b:  hexInt("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"),
	n:  hexInt("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"),
	gx: hexInt("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"),
	gy: hexInt("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"),
}

func hexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic(s)
	}
	return v
}

func fe(v *big.Int) []byte { return v.FillBytes(make([]byte, 32)) }

// refMul returns k·(x, y) on the SM2 curve by affine double-and-add (nil x
// for the point at infinity). Slow and not constant time: tests only.
func refMul(k, x, y *big.Int) (*big.Int, *big.Int) {
	p := sm2Params.p
	var rx, ry *big.Int // infinity
	add := func(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
		if x1 == nil {
			return x2, y2
		}
		if x2 == nil {
			return x1, y1
		}
		var l *big.Int
		if x1.Cmp(x2) == 0 {
			if new(big.Int).Add(y1, y2).Mod(new(big.Int).Add(y1, y2), p).Sign() == 0 {
				return nil, nil
			}
			num := new(big.Int).Mul(x1, x1)
			num.Mul(num, big.NewInt(3)).Add(num, sm2Params.a)
			den := new(big.Int).Lsh(y1, 1)
			l = num.Mul(num, den.ModInverse(den.Mod(den, p), p))
		} else {
			num := new(big.Int).Sub(y2, y1)
			den := new(big.Int).Sub(x2, x1)
			l = num.Mul(num, den.ModInverse(den.Mod(den, p), p))
		}
		l.Mod(l, p)
		x3 := new(big.Int).Mul(l, l)
		x3.Sub(x3, x1).Sub(x3, x2).Mod(x3, p)
		y3 := new(big.Int).Sub(x1, x3)
		y3.Mul(y3, l).Sub(y3, y1).Mod(y3, p)
		return x3, y3
	}
	for i := k.BitLen() - 1; i >= 0; i-- {
		rx, ry = add(rx, ry, rx, ry)
		if k.Bit(i) == 1 {
			rx, ry = add(rx, ry, x, y)
		}
	}
	return rx, ry
}

func onCurve(x, y *big.Int) bool {
	p := sm2Params.p
	lhs := new(big.Int).Mul(y, y)
	rhs := new(big.Int).Mul(x, x)
	rhs.Mul(rhs, x).Add(rhs, new(big.Int).Mul(sm2Params.a, x)).Add(rhs, sm2Params.b)
	return lhs.Mod(lhs, p).Cmp(rhs.Mod(rhs, p)) == 0
}

// refSPKI is the SubjectPublicKeyInfo of the point (x, y): id-ecPublicKey
// with the sm2p256v1 curve, spelled out byte by byte.
func refSPKI(x, y *big.Int) []byte {
	prefix := "3059301306072a8648ce3d020106082a811ccf5501822d03420004"
	b, _ := hex.DecodeString(prefix)
	return append(append(b, fe(x)...), fe(y)...)
}

// refE is GB/T 32918.2-2016's e = SM3(Z_A || M) with
// Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A), built
// here from the parameters above, with AWS's ID 1234567812345678.
func refE(pubX, pubY *big.Int, m []byte) []byte {
	id := []byte("1234567812345678")
	h := sm3.New()
	h.Write([]byte{byte(len(id) * 8 >> 8), byte(len(id) * 8)})
	h.Write(id)
	for _, v := range []*big.Int{sm2Params.a, sm2Params.b, sm2Params.gx, sm2Params.gy, pubX, pubY} {
		h.Write(fe(v))
	}
	za := h.Sum(nil)
	h.Reset()
	h.Write(za)
	h.Write(m)
	return h.Sum(nil)
}

func sm2TestKey(t *testing.T) (k interface {
	crypto.Signer
	crypto.Decrypter
	crypto.Agreement
}, x, y *big.Int) {
	t.Helper()
	p := testKey(t, "SM2")
	k = p.(interface {
		crypto.Signer
		crypto.Decrypter
		crypto.Agreement
	})
	d := new(big.Int).SetBytes(testMaterial(t, "SM2"))
	x, y = refMul(d, sm2Params.gx, sm2Params.gy)
	return k, x, y
}

// The material is the scalar d; the public key is d·G in the SPKI form
// AWS's GetPublicKey returns for SM2 (id-ecPublicKey, sm2p256v1).
func TestSM2PublicKey(t *testing.T) {
	k, x, y := sm2TestKey(t)
	if got, want := k.PublicKey(), refSPKI(x, y); !bytes.Equal(got, want) {
		t.Fatalf("SPKI\n got %x\nwant %x", got, want)
	}
	pk, err := crypto.ParsePublicKey(k.PublicKey())
	if err != nil || pk.Spec != "SM2" {
		t.Fatalf("ParsePublicKey = %v, %v", pk, err)
	}
	enc, err := crypto.MarshalPublicKey(pk)
	if err != nil || !bytes.Equal(enc, k.PublicKey()) {
		t.Errorf("MarshalPublicKey = %x, %v", enc, err)
	}
	gm, err := smx509.ParsePKIXPublicKey(k.PublicKey())
	if err != nil || !sm2.IsSM2PublicKey(gm) || gm.(*ecdsa.PublicKey).X.Cmp(x) != 0 {
		t.Errorf("smx509.ParsePKIXPublicKey = %v, %v", gm, err)
	}
	// Off the curve, compressed, trailing data: refused.
	bad := bytes.Clone(k.PublicKey())
	bad[len(bad)-1] ^= 1
	compressed := append(bytes.Clone(k.PublicKey()[:26]), 0x02)
	compressed = append(compressed, fe(x)...)
	for name, b := range map[string][]byte{"off curve": bad, "trailing": append(bytes.Clone(k.PublicKey()), 0), "compressed": compressed} {
		if _, err := crypto.ParsePublicKey(b); !errors.Is(err, crypto.ErrInvalidPublicKey) {
			t.Errorf("%s: ParsePublicKey err = %v", name, err)
		}
	}
}

func TestSM2MaterialRange(t *testing.T) {
	n := sm2Params.n
	// GB/T 32918.1-2016 6.1: d in [1, n-2].
	for _, d := range []*big.Int{big.NewInt(0), new(big.Int).Sub(n, big.NewInt(1)), n} {
		if _, err := crypto.NewKeyPrimitive("SM2", fe(d)); !errors.Is(err, crypto.ErrInvalidKeyMaterial) {
			t.Errorf("d = %x: err = %v, want ErrInvalidKeyMaterial", d, err)
		}
	}
	for _, d := range []*big.Int{big.NewInt(1), new(big.Int).Sub(n, big.NewInt(2))} {
		if _, err := crypto.NewKeyPrimitive("SM2", fe(d)); err != nil {
			t.Errorf("d = %x: %v", d, err)
		}
	}
}

// A published SM2DSA signature on the recommended curve: the verification
// example of the Chinese LTE-V2X standard "基于LTE的车联网无线通信技术 安全
// 证书管理系统技术要求" (Technical requirements of the security certificate
// management system for LTE-based vehicular communication), as reproduced
// at const.net.cn/tag/SM3/: private key d, public key (x, y) and, for the
// value e = SM3(Z_A || data), the signature (r, s). The signer's ID is not
// the default there, so the vector checks key derivation and DIGEST
// verification; Z_A is checked against refE and openssl below.
func TestSM2PublishedSignature(t *testing.T) {
	unh := func(s string) []byte {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	d := unh("179e18aee33872e1605e99e8bc6120f795e7c8f8a9ce607a4a7178682353a169")
	x := unh("1e5f89a574082c8b3611fba8d065f308b48f64eeef71303c75ba8e95d5be8942")
	y := unh("7784ef220941deebcf5b3e3465980a309167346ffe050ae1007c2d2f3f105774")
	e := unh("7ab12a19b645dfc636e20ea7aeb0e55ef3f3683887b2e076a8eb3294904ee5d4")
	r := unh("ddf9075dd2d94705a12f425e51cb274cb8f4ae65b31c7cddcd31c2bc3c552881")
	s := unh("208611de09a7cc4e4876e69ef2e7c06a8539a467f20b0ea7feeb2afe9d595cc4")
	k, err := crypto.NewKeyPrimitive("SM2", d)
	if err != nil {
		t.Fatal(err)
	}
	rx, ry := refMul(new(big.Int).SetBytes(d), sm2Params.gx, sm2Params.gy)
	if !bytes.Equal(fe(rx), x) || !bytes.Equal(fe(ry), y) {
		t.Fatal("refMul disagrees with the published public key")
	}
	if !bytes.Equal(k.(crypto.PublicKeyer).PublicKey(), refSPKI(rx, ry)) {
		t.Fatal("public key differs from the published one")
	}
	sig := derSig(r, s)
	v := k.(crypto.Signer)
	if err := v.Verify("SM2DSA", e, crypto.MessageDigest, sig); err != nil {
		t.Fatalf("published signature: %v", err)
	}
	e[0] ^= 1
	if err := v.Verify("SM2DSA", e, crypto.MessageDigest, sig); !errors.Is(err, crypto.ErrInvalidSignature) {
		t.Fatalf("altered e: %v", err)
	}
}

// derSig is DER SEQUENCE { INTEGER r, INTEGER s } for 32-byte r, s.
func derSig(r, s []byte) []byte {
	integer := func(v []byte) []byte {
		v = bytes.TrimLeft(v, "\x00")
		if v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		return append([]byte{0x02, byte(len(v))}, v...)
	}
	body := append(integer(r), integer(s)...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

func TestSM2SignVerify(t *testing.T) {
	k, x, y := sm2TestKey(t)
	msg := []byte("a message signed with SM2DSA")
	e := refE(x, y, msg)
	tests := []struct {
		name    string
		message []byte
		mt      crypto.MessageType
	}{
		{"RAW", msg, crypto.MessageRaw},
		{"DIGEST e", e, crypto.MessageDigest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := k.Sign("SM2DSA", tc.message, tc.mt)
			if err != nil {
				t.Fatal(err)
			}
			// Both forms sign the same e: each verifies as the other.
			if err := k.Verify("SM2DSA", msg, crypto.MessageRaw, sig); err != nil {
				t.Errorf("as RAW: %v", err)
			}
			if err := k.Verify("SM2DSA", e, crypto.MessageDigest, sig); err != nil {
				t.Errorf("as DIGEST of e: %v", err)
			}
			// gmsm's verifier, given e computed here.
			pub := &ecdsa.PublicKey{Curve: sm2.P256(), X: x, Y: y}
			if !sm2.VerifyASN1(pub, e, sig) {
				t.Error("sm2.VerifyASN1 refuses it")
			}
			// Signing is randomized (hedged nonce).
			again, _ := k.Sign("SM2DSA", tc.message, tc.mt)
			if bytes.Equal(again, sig) {
				t.Error("two signatures are equal")
			}
			for name, bad := range map[string]struct {
				m   []byte
				mt  crypto.MessageType
				sig []byte
			}{
				"other message":    {[]byte("another message"), crypto.MessageRaw, sig},
				"e as RAW":         {e, crypto.MessageRaw, sig},
				"message as e":     {sm3Sum(msg), crypto.MessageDigest, sig},
				"flipped":          {msg, crypto.MessageRaw, flip(sig)},
				"truncated":        {msg, crypto.MessageRaw, sig[:len(sig)-1]},
				"trailing":         {msg, crypto.MessageRaw, append(bytes.Clone(sig), 0)},
				"empty":            {msg, crypto.MessageRaw, nil},
				"r = 0, s = 0 DER": {msg, crypto.MessageRaw, []byte{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00}},
			} {
				if err := k.Verify("SM2DSA", bad.m, bad.mt, bad.sig); !errors.Is(err, crypto.ErrInvalidSignature) {
					t.Errorf("%s: err = %v, want ErrInvalidSignature", name, err)
				}
			}
		})
	}
	// Wrong algorithm, message type, digest length.
	for _, tc := range []struct {
		alg  string
		m    []byte
		mt   crypto.MessageType
		want error
	}{
		{"ECDSA_SHA_256", msg, crypto.MessageRaw, crypto.ErrUnsupportedAlgorithm},
		{"SM2PKE", msg, crypto.MessageRaw, crypto.ErrUnsupportedAlgorithm},
		{"SM2DSA", e[:31], crypto.MessageDigest, crypto.ErrInvalidDigestLength},
		{"SM2DSA", append(bytes.Clone(e), 0), crypto.MessageDigest, crypto.ErrInvalidDigestLength},
		{"SM2DSA", make([]byte, 64), crypto.MessageExternalMu, crypto.ErrUnsupportedMessageType},
	} {
		if _, err := k.Sign(tc.alg, tc.m, tc.mt); !errors.Is(err, tc.want) {
			t.Errorf("Sign(%s, %d bytes, %s) err = %v, want %v", tc.alg, len(tc.m), tc.mt, err, tc.want)
		}
		if err := k.Verify(tc.alg, tc.m, tc.mt, []byte{0x30, 0}); !errors.Is(err, tc.want) {
			t.Errorf("Verify(%s, %d bytes, %s) err = %v, want %v", tc.alg, len(tc.m), tc.mt, err, tc.want)
		}
	}
	if got := k.SigningAlgorithms(); len(got) != 1 || got[0] != "SM2DSA" {
		t.Errorf("SigningAlgorithms = %v", got)
	}
}

func sm3Sum(m []byte) []byte {
	h := sm3.New()
	h.Write(m)
	return h.Sum(nil)
}

func flip(b []byte) []byte {
	c := bytes.Clone(b)
	c[len(c)-3] ^= 0x40
	return c
}

func TestSM2EncryptDecrypt(t *testing.T) {
	k, _, _ := sm2TestKey(t)
	if got := k.EncryptionAlgorithms(); len(got) != 1 || got[0] != "SM2PKE" {
		t.Errorf("EncryptionAlgorithms = %v", got)
	}
	if n, err := k.MaxPlaintext("SM2PKE"); n != 1024 || err != nil {
		t.Errorf("MaxPlaintext = %d, %v", n, err)
	}
	for _, n := range []int{1, 32, 100, 1024} {
		pt := bytes.Repeat([]byte{byte(n)}, n)
		ct, err := k.Encrypt("SM2PKE", pt)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		// ASN.1 C1C3C2: SEQUENCE { x INTEGER, y INTEGER, C3 OCTET STRING
		// (32), C2 OCTET STRING (len(pt)) }, C2 last.
		var c struct {
			X, Y   *big.Int
			C3, C2 []byte
		}
		if rest, err := asn1.Unmarshal(ct, &c); err != nil || len(rest) != 0 || len(c.C3) != 32 || len(c.C2) != n {
			t.Fatalf("%d bytes: ciphertext %x is not the ASN.1 form: %v", n, ct, err)
		}
		if !onCurve(c.X, c.Y) {
			t.Fatalf("%d bytes: C1 is not on the curve", n)
		}
		got, err := k.Decrypt("SM2PKE", ct)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("%d bytes: Decrypt = %x, %v", n, got, err)
		}
		again, _ := k.Encrypt("SM2PKE", pt)
		if bytes.Equal(again, ct) {
			t.Errorf("%d bytes: encryption is deterministic", n)
		}
	}
	ct, _ := k.Encrypt("SM2PKE", []byte("sixteen byte msg"))
	// Altered C2 or C3, a C1 off the curve, raw (non-ASN.1) C1C3C2,
	// truncation, trailing data: all ErrInvalidCiphertext.
	raw, err := sm2.ASN1Ciphertext2Plain(ct, sm2.NewPlainEncrypterOpts(sm2.MarshalUncompressed, sm2.C1C3C2))
	if err != nil {
		t.Fatal(err)
	}
	offCurve := bytes.Clone(ct)
	offCurve[5] ^= 1 // inside x1
	for name, bad := range map[string][]byte{
		"C2 altered":  flipAt(ct, len(ct)-1),
		"C3 altered":  flipAt(ct, len(ct)-17-20),
		"C1 off":      offCurve,
		"raw C1C3C2":  raw,
		"truncated":   ct[:len(ct)-1],
		"trailing":    append(bytes.Clone(ct), 0),
		"empty":       nil,
		"not a point": []byte{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00},
	} {
		if _, err := k.Decrypt("SM2PKE", bad); !errors.Is(err, crypto.ErrInvalidCiphertext) {
			t.Errorf("%s: err = %v, want ErrInvalidCiphertext", name, err)
		}
	}
	if _, err := k.Encrypt("SM2PKE", make([]byte, 1025)); !errors.Is(err, crypto.ErrPlaintextTooLarge) {
		t.Errorf("1025 bytes: %v", err)
	}
	if _, err := k.Encrypt("SM2PKE", nil); !errors.Is(err, crypto.ErrEmptyPlaintext) {
		t.Errorf("empty: %v", err)
	}
	for _, alg := range []string{"RSAES_OAEP_SHA_256", "SYMMETRIC_DEFAULT", "SM2DSA"} {
		if _, err := k.Encrypt(alg, []byte("x")); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
			t.Errorf("Encrypt(%s): %v", alg, err)
		}
		if _, err := k.Decrypt(alg, ct); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
			t.Errorf("Decrypt(%s): %v", alg, err)
		}
		if _, err := k.MaxPlaintext(alg); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
			t.Errorf("MaxPlaintext(%s): %v", alg, err)
		}
	}
}

func flipAt(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

// ECDH on the SM2 curve, both sides, against refMul.
func TestSM2Agreement(t *testing.T) {
	k, x, y := sm2TestKey(t)
	peerMaterial, err := crypto.GenerateKeyMaterial("SM2")
	if err != nil {
		t.Fatal(err)
	}
	peerPrim, err := crypto.NewKeyPrimitive("SM2", peerMaterial)
	if err != nil {
		t.Fatal(err)
	}
	peer := peerPrim.(crypto.Agreement)
	ab, err := k.DeriveSharedSecret("ECDH", peer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	ba, err := peer.DeriveSharedSecret("ECDH", k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	sx, _ := refMul(new(big.Int).SetBytes(peerMaterial), x, y)
	if !bytes.Equal(ab, ba) || !bytes.Equal(ab, fe(sx)) {
		t.Fatalf("shared secrets differ:\n%x\n%x\n%x (reference)", ab, ba, fe(sx))
	}
	// The peer must be an SM2 key on the curve.
	bad := bytes.Clone(peer.PublicKey())
	bad[len(bad)-1] ^= 1
	for name, spki := range map[string][]byte{
		"P-256 key": testKey(t, "ECC_NIST_P256").(crypto.PublicKeyer).PublicKey(),
		"secp256k1": testKey(t, "ECC_SECG_P256K1").(crypto.PublicKeyer).PublicKey(),
		"off curve": bad,
		"garbage":   {0x30, 0x00},
	} {
		if _, err := k.DeriveSharedSecret("ECDH", spki); !errors.Is(err, crypto.ErrInvalidPublicKey) {
			t.Errorf("%s: err = %v, want ErrInvalidPublicKey", name, err)
		}
	}
	// A NIST key refuses an SM2 peer.
	if _, err := testKey(t, "ECC_NIST_P256").(crypto.Agreement).DeriveSharedSecret("ECDH", k.PublicKey()); !errors.Is(err, crypto.ErrInvalidPublicKey) {
		t.Errorf("P-256 with an SM2 peer: %v", err)
	}
	if _, err := k.DeriveSharedSecret("SM2", peer.PublicKey()); !errors.Is(err, crypto.ErrUnsupportedAlgorithm) {
		t.Errorf("alg SM2: %v", err)
	}
}

// GenerateKeyPair(SM2): PKCS #8 that gmsm's smx509 parses to the key of
// the SPKI, and whose scalar is our material form.
func TestSM2KeyPair(t *testing.T) {
	pub, priv, err := crypto.GenerateKeyPair("SM2")
	if err != nil {
		t.Fatal(err)
	}
	key, err := smx509.ParsePKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sk, ok := key.(*sm2.PrivateKey)
	if !ok {
		t.Fatalf("smx509 parsed a %T", key)
	}
	x, y := refMul(sk.D, sm2Params.gx, sm2Params.gy)
	if !bytes.Equal(pub, refSPKI(x, y)) {
		t.Fatal("SPKI is not the public key of the PKCS #8 scalar")
	}
	spki, err := smx509.MarshalPKIXPublicKey(&sk.PublicKey)
	if err != nil || !bytes.Equal(spki, pub) {
		t.Errorf("smx509's SPKI of the private key differs: %x, %v", spki, err)
	}
	p, err := crypto.NewKeyPrimitive("SM2", fe(sk.D))
	if err != nil || !bytes.Equal(p.(crypto.PublicKeyer).PublicKey(), pub) {
		t.Errorf("the scalar as material: %v", err)
	}
}

// openssl (3.0) interop: signatures both ways with the default
// distinguishing ID (-rawin -digest sm3 -pkeyopt distid:...), SM2PKE both
// ways (openssl's pkeyutl writes and reads the ASN.1 C1C3C2 form), and
// openssl reading our PKCS #8 and SPKI.
func TestOpenSSLSM2(t *testing.T) {
	opensslPath(t)
	pub, priv, err := crypto.GenerateKeyPair("SM2")
	if err != nil {
		t.Fatal(err)
	}
	key, err := smx509.ParsePKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := crypto.NewKeyPrimitive("SM2", fe(key.(*sm2.PrivateKey).D))
	if err != nil {
		t.Fatal(err)
	}
	k := p.(interface {
		crypto.Signer
		crypto.Decrypter
	})
	dir := t.TempDir()
	msg := []byte("a message for openssl, signed with SM2DSA")
	pkx, pky := refMul(key.(*sm2.PrivateKey).D, sm2Params.gx, sm2Params.gy)
	rawSig, err := k.Sign("SM2DSA", msg, crypto.MessageRaw)
	if err != nil {
		t.Fatal(err)
	}
	digestSig, err := k.Sign("SM2DSA", refE(pkx, pky, msg), crypto.MessageDigest)
	if err != nil {
		t.Fatal(err)
	}
	pt := []byte("plaintext for openssl")
	ct, err := k.Encrypt("SM2PKE", pt)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string][]byte{"pub.der": pub, "priv.der": priv, "msg": msg, "raw.sig": rawSig, "digest.sig": digestSig, "ours.ct": ct, "pt": pt})

	t.Run("keys", func(t *testing.T) {
		if got := openssl(t, dir, true, "pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER"); !bytes.Equal(got, pub) {
			t.Errorf("openssl's public key of our PKCS #8 differs:\n%x\n%x", got, pub)
		}
		if got := openssl(t, dir, true, "pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-outform", "DER"); !bytes.Equal(got, pub) {
			t.Errorf("openssl re-encodes our SPKI differently")
		}
		if got := openssl(t, dir, true, "pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-in", "priv.der", "-outform", "DER"); !bytes.Equal(got, priv) {
			t.Errorf("openssl re-encodes our PKCS #8 differently:\n%x\n%x", got, priv)
		}
	})
	verifyArgs := []string{"pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in", "msg", "-sigfile"}
	t.Run("openssl verifies ours", func(t *testing.T) {
		for _, sig := range []string{"raw.sig", "digest.sig"} {
			openssl(t, dir, true, append(verifyArgs, sig)...)
		}
		// Another distinguishing ID gives another Z_A: refused.
		openssl(t, dir, false, "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:8765432187654321", "-in", "msg", "-sigfile", "raw.sig")
	})
	t.Run("we verify openssl's", func(t *testing.T) {
		sig := openssl(t, dir, true, "pkeyutl", "-sign", "-keyform", "DER", "-inkey", "priv.der", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in", "msg")
		if err := k.Verify("SM2DSA", msg, crypto.MessageRaw, sig); err != nil {
			t.Errorf("RAW: %v", err)
		}
		if err := k.Verify("SM2DSA", refE(pkx, pky, msg), crypto.MessageDigest, sig); err != nil {
			t.Errorf("DIGEST: %v", err)
		}
	})
	t.Run("openssl decrypts ours", func(t *testing.T) {
		if got := openssl(t, dir, true, "pkeyutl", "-decrypt", "-keyform", "DER", "-inkey", "priv.der", "-in", "ours.ct"); !bytes.Equal(got, pt) {
			t.Errorf("openssl decrypted %q", got)
		}
	})
	t.Run("we decrypt openssl's", func(t *testing.T) {
		theirs := openssl(t, dir, true, "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-in", "pt")
		if got, err := k.Decrypt("SM2PKE", theirs); err != nil || !bytes.Equal(got, pt) {
			t.Errorf("Decrypt(openssl's) = %q, %v", got, err)
		}
	})
}

// TestSM2EncryptShortPlaintextsDecrypt: every SM2PKE ciphertext of a short
// plaintext decrypts (gmsm alone fails about once in 256 for 1 byte).
func TestSM2EncryptShortPlaintextsDecrypt(t *testing.T) {
	m, err := crypto.GenerateKeyMaterial(crypto.SpecSM2)
	if err != nil {
		t.Fatal(err)
	}
	p, err := crypto.NewKeyPrimitive(crypto.SpecSM2, m)
	if err != nil {
		t.Fatal(err)
	}
	d := p.(crypto.Decrypter)
	for i := range 3000 {
		pt := []byte{byte(i)}
		ct, err := d.Encrypt(crypto.AlgSM2PKE, pt)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := d.Decrypt(crypto.AlgSM2PKE, ct); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("encryption %d of 1 byte: Decrypt = %x, %v", i, got, err)
		}
	}
}
