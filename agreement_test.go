package kms_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/crypto"
)

var ecdhSpecs = []struct {
	spec  kms.KeySpec
	curve ecdh.Curve
	size  int // bytes of a field element: the shared secret's length
}{
	{kms.KeySpecEccNistP256, ecdh.P256(), 32},
	{kms.KeySpecEccNistP384, ecdh.P384(), 48},
	{kms.KeySpecEccNistP521, ecdh.P521(), 66},
}

func peerSPKI(t testing.TB, priv *ecdh.PrivateKey) []byte {
	t.Helper()
	spki, err := x509.MarshalPKIXPublicKey(priv.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	return spki
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDeriveSharedSecretMatchesECDH: for each NIST curve, the secret
// DeriveSharedSecret returns with a peer's public key is the one the peer
// derives from the KMS key's public key, with the standard library's
// crypto/ecdh and with `openssl pkeyutl -derive`; two KMS keys agree with
// each other. The output names the key by ARN, with ECDH and KeyOrigin
// AWS_KMS.
func TestDeriveSharedSecretMatchesECDH(t *testing.T) {
	f := newMaterialFixture(t)
	dir := t.TempDir()
	for _, c := range ecdhSpecs {
		t.Run(string(c.spec), func(t *testing.T) {
			md := f.create(t, c.spec, kms.KeyUsageTypeKeyAgreement)
			ours := f.publicKey(t, md)
			pub, err := x509.ParsePKIXPublicKey(ours)
			if err != nil {
				t.Fatal(err)
			}
			oursDH, err := pub.(*ecdsa.PublicKey).ECDH()
			if err != nil {
				t.Fatal(err)
			}
			peer, err := c.curve.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			out, err := f.k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerSPKI(t, peer)})
			if err != nil {
				t.Fatalf("DeriveSharedSecret: %v", err)
			}
			if out.KeyId != md.Arn || out.KeyAgreementAlgorithm != kms.KeyAgreementAlgorithmSpecEcdh || out.KeyOrigin != kms.OriginTypeAwsKms || out.CiphertextForRecipient != nil {
				t.Fatalf("output = %+v", out)
			}
			want, err := peer.ECDH(oursDH)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.SharedSecret) != c.size || !bytes.Equal(out.SharedSecret, want) {
				t.Fatalf("SharedSecret = %x, the peer derives %x", out.SharedSecret, want)
			}

			peerPKCS8, err := x509.MarshalPKCS8PrivateKey(peer)
			if err != nil {
				t.Fatal(err)
			}
			writePEM(t, filepath.Join(dir, "peer.pem"), "PRIVATE KEY", peerPKCS8)
			writePEM(t, filepath.Join(dir, "ours.pem"), "PUBLIC KEY", ours)
			if got := runOpenSSL(t, dir, nil, "pkeyutl", "-derive", "-inkey", "peer.pem", "-peerkey", "ours.pem"); !bytes.Equal(got, out.SharedSecret) {
				t.Fatalf("openssl pkeyutl -derive = %x, DeriveSharedSecret = %x", got, out.SharedSecret)
			}

			// Two KMS keys, each with the other's public key.
			md2 := f.create(t, c.spec, kms.KeyUsageTypeKeyAgreement)
			a, err := f.k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.Arn, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: f.publicKey(t, md2)})
			if err != nil {
				t.Fatal(err)
			}
			b, err := f.k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md2.Arn, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: ours})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.SharedSecret, b.SharedSecret) || bytes.Equal(a.SharedSecret, out.SharedSecret) {
				t.Fatalf("two KMS keys derived %x and %x", a.SharedSecret, b.SharedSecret)
			}
		})
	}
}

// TestDeriveSharedSecretRefusesBadPeerKeys: a PublicKey that is not a
// public key on the KMS key's curve gets AWS's answer for a malformed one,
// ValidationException with no message, DryRun or not: garbage, trailing
// bytes, a key on another NIST curve, secp256k1, Ed25519, RSA, a point not
// on the curve, the point at infinity, a compressed point.
func TestDeriveSharedSecretRefusesBadPeerKeys(t *testing.T) {
	f := newMaterialFixture(t)
	md := f.create(t, kms.KeySpecEccNistP256, kms.KeyUsageTypeKeyAgreement)
	good, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	goodSPKI := peerSPKI(t, good)
	p384, _ := ecdh.P384().GenerateKey(rand.Reader)
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edSPKI, err := x509.MarshalPKIXPublicKey(edPub)
	if err != nil {
		t.Fatal(err)
	}
	secp, err := crypto.GenerateKeyMaterial(crypto.SpecSecp256k1)
	if err != nil {
		t.Fatal(err)
	}
	secpPrim, _ := crypto.NewKeyPrimitive(crypto.SpecSecp256k1, secp)
	rsaMD := f.create(t, kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify)

	// The uncompressed point is the last 65 bytes of a P-256 SPKI.
	point := goodSPKI[len(goodSPKI)-65:]
	withPoint := func(p []byte) []byte {
		return append(bytes.Clone(goodSPKI[:len(goodSPKI)-65]), p...)
	}
	offCurve := bytes.Clone(point)
	offCurve[64] ^= 1
	infinity := make([]byte, 65)
	infinity[0] = 4
	x, y := elliptic.Unmarshal(elliptic.P256(), point)
	compressed := elliptic.MarshalCompressed(elliptic.P256(), x, y) // 33 bytes: the SPKI's lengths change
	compressedSPKI := append([]byte{0x30, 0x39, 0x30, 0x13}, goodSPKI[4:4+0x13]...)
	compressedSPKI = append(append(compressedSPKI, 0x03, 0x22, 0x00), compressed...)

	cases := map[string][]byte{
		"garbage":           []byte("InvalidPublicKey"),
		"trailing byte":     append(bytes.Clone(goodSPKI), 0),
		"truncated":         goodSPKI[:len(goodSPKI)-1],
		"raw point":         point,
		"P-384 key":         peerSPKI(t, p384),
		"secp256k1 key":     secpPrim.(crypto.PublicKeyer).PublicKey(),
		"Ed25519 key":       edSPKI,
		"RSA key":           f.publicKey(t, rsaMD),
		"off the curve":     withPoint(offCurve),
		"point at infinity": withPoint(infinity),
		"compressed point":  compressedSPKI,
	}
	for name, spki := range cases {
		for _, dryRun := range []bool{false, true} {
			out, err := f.k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: spki, DryRun: dryRun})
			if out != nil {
				t.Errorf("%s (DryRun %v): output %+v", name, dryRun, out)
			}
			wantErr(t, err, kms.ErrValidation, "")
			if err.Error() != "ValidationException" {
				t.Errorf("%s (DryRun %v): error %q, want no message", name, dryRun, err)
			}
		}
	}
	// The same SPKI with a valid point is accepted, and DryRun then says
	// the call would have succeeded.
	if _, err := f.k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: withPoint(point)}); err != nil {
		t.Fatalf("valid peer key: %v", err)
	}
	_, err = f.k.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: kms.KeyAgreementAlgorithmSpecEcdh, PublicKey: goodSPKI, DryRun: true})
	wantErr(t, err, kms.ErrDryRunOperation, "")
}

// TestDeriveSharedSecretRequest: the members' constraints (KeyId,
// KeyAgreementAlgorithm and PublicKey required; PublicKey 1 to 8192 bytes,
// not sensitive), Recipient refused as Decrypt refuses it, and the key
// usage KEY_AGREEMENT (AWS's answers as LocalStack's snapshots recorded
// them).
func TestDeriveSharedSecretRequest(t *testing.T) {
	f := newMaterialFixture(t)
	md := f.create(t, kms.KeySpecEccNistP384, kms.KeyUsageTypeKeyAgreement)
	peer, _ := ecdh.P384().GenerateKey(rand.Reader)
	spki := peerSPKI(t, peer)
	ecdhAlg := kms.KeyAgreementAlgorithmSpecEcdh
	derive := func(in kms.DeriveSharedSecretInput) error { _, err := f.k.DeriveSharedSecret(ctx, &in); return err }

	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, PublicKey: spki}), kms.ErrValidation, "Value null at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must not be null")
	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, PublicKey: spki, KeyAgreementAlgorithm: "INVALID"}), kms.ErrValidation,
		"1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]")
	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg}), kms.ErrValidation, "Value null at 'publicKey' failed to satisfy constraint: Member must not be null")
	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: make([]byte, kms.MaxPublicKeySize+1)}), kms.ErrValidation,
		"Value 'java.nio.HeapByteBuffer[pos=0 lim=8193 cap=8193]' at 'publicKey' failed to satisfy constraint: Member must have length less than or equal to 8192")
	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: []byte{}}), kms.ErrValidation, "Member must have length greater than or equal to 1")
	// The longest PublicKey passes validation (and is then no key).
	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: make([]byte, kms.MaxPublicKeySize)}), kms.ErrValidation, "")
	wantErr(t, derive(kms.DeriveSharedSecretInput{}), kms.ErrValidation, "3 validation errors detected")
	if _, err := f.k.DeriveSharedSecret(ctx, nil); err == nil {
		t.Error("DeriveSharedSecret(nil) succeeded")
	}

	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: spki, Recipient: &kms.RecipientInfo{}}), kms.ErrValidation, "Recipient (Nitro Enclaves attestation) is not supported")
	// Recipient is refused before the key is looked up, as in Decrypt.
	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: "alias/none", KeyAgreementAlgorithm: ecdhAlg, PublicKey: spki, Recipient: &kms.RecipientInfo{}}), kms.ErrValidation, "Recipient")

	sign := f.create(t, kms.KeySpecEccNistP384, kms.KeyUsageTypeSignVerify)
	sym, err := f.k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []*kms.KeyMetadata{sign, sym.KeyMetadata} {
		wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: k.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: spki}), kms.ErrInvalidKeyUsage,
			k.Arn+" key usage is "+string(k.KeyUsage)+" which is not valid for DeriveSharedSecret.")
	}
	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: spki, GrantTokens: []string{"t"}}), kms.ErrInvalidGrantToken, "")
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, derive(kms.DeriveSharedSecretInput{KeyId: md.KeyId, KeyAgreementAlgorithm: ecdhAlg, PublicKey: spki}), kms.ErrDisabled, md.Arn+" is disabled.")
	if !slices.Equal(md.KeyAgreementAlgorithms, []kms.KeyAgreementAlgorithmSpec{ecdhAlg}) {
		t.Errorf("KeyAgreementAlgorithms = %v", md.KeyAgreementAlgorithms)
	}
}
