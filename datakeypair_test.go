package kms_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/mlkem"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
	"github.com/embedkms/kms"
)

// pairSpecs are the DataKeyPairSpecs GenerateDataKeyPair serves outside
// China Regions (all but SM2).
var pairSpecs = []kms.DataKeyPairSpec{
	kms.DataKeyPairSpecRsa2048, kms.DataKeyPairSpecRsa3072, kms.DataKeyPairSpecRsa4096,
	kms.DataKeyPairSpecEccNistP256, kms.DataKeyPairSpecEccNistP384, kms.DataKeyPairSpecEccNistP521,
	kms.DataKeyPairSpecEccSecgP256k1, kms.DataKeyPairSpecEccNistEdwards25519,
	kms.DataKeyPairSpecMlKem512, kms.DataKeyPairSpecMlKem768, kms.DataKeyPairSpecMlKem1024,
}

// spkiParts splits a SubjectPublicKeyInfo into its algorithm OID and key.
func spkiParts(t *testing.T, der []byte) (asn1.ObjectIdentifier, []byte) {
	t.Helper()
	var spki struct {
		Alg struct {
			OID    asn1.ObjectIdentifier
			Params asn1.RawValue `asn1:"optional"`
		}
		Key asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) != 0 {
		t.Fatalf("PublicKey is not a SubjectPublicKeyInfo: %v", err)
	}
	return spki.Alg.OID, spki.Key.Bytes
}

// mlkemSeed returns the 64-byte seed of an RFC 9935 seed-form ML-KEM
// PKCS #8.
func mlkemSeed(t *testing.T, der []byte) []byte {
	t.Helper()
	var p8 struct {
		Version int
		Alg     struct{ OID asn1.ObjectIdentifier }
		Key     []byte
	}
	if rest, err := asn1.Unmarshal(der, &p8); err != nil || len(rest) != 0 {
		t.Fatalf("PrivateKeyPlaintext is not PKCS #8: %v", err)
	}
	if len(p8.Key) != 66 || p8.Key[0] != 0x80 || p8.Key[1] != 64 {
		t.Fatalf("ML-KEM private key %x is not the seed form", p8.Key)
	}
	return p8.Key[2:]
}

// checkPair checks that pub is the public key of the PKCS #8 priv: with
// the standard library for the specs it parses, crypto/mlkem for
// ML_KEM_768/1024 and circl for ML_KEM_512; and for every spec openssl 3.0
// knows, that openssl parses both and derives pub from priv.
func checkPair(t *testing.T, spec kms.DataKeyPairSpec, pub, priv []byte) {
	t.Helper()
	switch spec {
	case kms.DataKeyPairSpecMlKem512, kms.DataKeyPairSpecMlKem768, kms.DataKeyPairSpecMlKem1024:
		seed := mlkemSeed(t, priv)
		_, key := spkiParts(t, pub)
		var want []byte
		switch spec {
		case kms.DataKeyPairSpecMlKem512:
			pk, _ := mlkem512.NewKeyFromSeed(seed)
			want, _ = pk.MarshalBinary()
		case kms.DataKeyPairSpecMlKem768:
			dk, err := mlkem.NewDecapsulationKey768(seed)
			if err != nil {
				t.Fatal(err)
			}
			want = dk.EncapsulationKey().Bytes()
		case kms.DataKeyPairSpecMlKem1024:
			dk, err := mlkem.NewDecapsulationKey1024(seed)
			if err != nil {
				t.Fatal(err)
			}
			want = dk.EncapsulationKey().Bytes()
		}
		if !bytes.Equal(key, want) {
			t.Fatalf("%s: PublicKey is not the encapsulation key of the private key's seed", spec)
		}
		return
	case kms.DataKeyPairSpecEccSecgP256k1:
		// Not in the standard library: openssl below.
	default:
		k, err := x509.ParsePKCS8PrivateKey(priv)
		if err != nil {
			t.Fatalf("%s: PrivateKeyPlaintext: %v", spec, err)
		}
		p, err := x509.ParsePKIXPublicKey(pub)
		if err != nil {
			t.Fatalf("%s: PublicKey: %v", spec, err)
		}
		var same bool
		switch k := k.(type) {
		case *rsa.PrivateKey:
			same = k.PublicKey.Equal(p)
		case *ecdsa.PrivateKey:
			same = k.PublicKey.Equal(p)
		case ed25519.PrivateKey:
			same = k.Public().(ed25519.PublicKey).Equal(p)
		}
		if !same {
			t.Fatalf("%s: PublicKey is not the private key's (%T)", spec, k)
		}
	}
	opensslBin(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "priv.der"), priv, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pub.der"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	runOpenSSL(t, dir, nil, "pkey", "-inform", "DER", "-in", "priv.der", "-noout")
	runOpenSSL(t, dir, nil, "pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-noout")
	if got := runOpenSSL(t, dir, nil, "pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER"); !bytes.Equal(got, pub) {
		t.Fatalf("%s: openssl derives public key %x from the private key, want PublicKey %x", spec, got, pub)
	}
}

func TestGenerateDataKeyPair(t *testing.T) {
	f := newFixture(t)
	id, arn := f.key(t)
	md, err := f.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	material := md.KeyMetadata.CurrentKeyMaterialId
	ec := map[string]string{"pair": "yes"}
	for _, spec := range pairSpecs {
		t.Run(string(spec), func(t *testing.T) {
			t.Parallel()
			out, err := f.k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: spec, EncryptionContext: ec})
			if err != nil {
				t.Fatal(err)
			}
			if out.KeyId != arn || out.KeyPairSpec != spec || out.KeyMaterialId != material || out.CiphertextForRecipient != nil {
				t.Fatalf("GenerateDataKeyPair = KeyId %s, KeyPairSpec %s, KeyMaterialId %s", out.KeyId, out.KeyPairSpec, out.KeyMaterialId)
			}
			checkPair(t, spec, out.PublicKey, out.PrivateKeyPlaintext)
			// The private key is encrypted as Encrypt encrypts: Decrypt
			// under the same encryption context returns it.
			dec, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: ec})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dec.Plaintext, out.PrivateKeyPlaintext) || dec.KeyId != arn || dec.KeyMaterialId != material {
				t.Fatal("Decrypt of PrivateKeyCiphertextBlob is not PrivateKeyPlaintext")
			}
			if _, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.PrivateKeyCiphertextBlob}); err == nil {
				t.Fatal("PrivateKeyCiphertextBlob decrypted without its encryption context")
			}

			wo, err := f.k.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: id, KeyPairSpec: spec, EncryptionContext: ec})
			if err != nil {
				t.Fatal(err)
			}
			if wo.KeyId != arn || wo.KeyPairSpec != spec || wo.KeyMaterialId != material || bytes.Equal(wo.PublicKey, out.PublicKey) {
				t.Fatalf("GenerateDataKeyPairWithoutPlaintext = KeyId %s, KeyPairSpec %s, KeyMaterialId %s", wo.KeyId, wo.KeyPairSpec, wo.KeyMaterialId)
			}
			dec, err = f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wo.PrivateKeyCiphertextBlob, EncryptionContext: ec})
			if err != nil {
				t.Fatal(err)
			}
			checkPair(t, spec, wo.PublicKey, dec.Plaintext)
		})
	}
}

func TestGenerateDataKeyPairErrors(t *testing.T) {
	f := newFixture(t)
	id, _ := f.key(t)
	disabled, disabledARN := f.key(t)
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled}); err != nil {
		t.Fatal(err)
	}
	signing := rsaKey(t, f.k, kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify)
	hmac, err := f.k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
	if err != nil {
		t.Fatal(err)
	}
	p256 := kms.DataKeyPairSpecEccNistP256
	tests := []struct {
		name string
		in   *kms.GenerateDataKeyPairInput
		err  error
		msg  string
	}{
		{"nil input", nil, kms.ErrValidation, "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; Value null at 'keyPairSpec' failed to satisfy constraint: Member must not be null"},
		{"no KeyPairSpec", &kms.GenerateDataKeyPairInput{KeyId: id}, kms.ErrValidation, "1 validation error detected: Value null at 'keyPairSpec' failed to satisfy constraint: Member must not be null"},
		{"bad KeyPairSpec", &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: "ML_DSA_44"}, kms.ErrValidation, "1 validation error detected: Value 'ML_DSA_44' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SM2, ECC_NIST_EDWARDS25519, ML_KEM_512, ML_KEM_768, ML_KEM_1024]"},
		{"SM2 outside China Regions", &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: kms.DataKeyPairSpecSm2}, kms.ErrValidation, "KeyPairSpec SM2 is supported only in China Regions"},
		{"Recipient", &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: p256, Recipient: &kms.RecipientInfo{}}, kms.ErrValidation, "Recipient (Nitro Enclaves attestation) is not supported: embedkms has no enclave to attest"},
		{"too many grant tokens", &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: p256, GrantTokens: make([]string, 11)}, kms.ErrValidation, ""},
		{"SIGN_VERIFY key", &kms.GenerateDataKeyPairInput{KeyId: signing.KeyId, KeyPairSpec: p256}, kms.ErrInvalidKeyUsage, signing.Arn + " key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair."},
		{"HMAC key", &kms.GenerateDataKeyPairInput{KeyId: hmac.KeyMetadata.KeyId, KeyPairSpec: p256}, kms.ErrInvalidKeyUsage, hmac.KeyMetadata.Arn + " key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKeyPair."},
		{"disabled key", &kms.GenerateDataKeyPairInput{KeyId: disabled, KeyPairSpec: p256}, kms.ErrDisabled, disabledARN + " is disabled."},
		{"dry run", &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: p256, DryRun: true}, kms.ErrDryRunOperation, "The request would have succeeded, but the DryRun option is set."},
		{"dry run on a disabled key", &kms.GenerateDataKeyPairInput{KeyId: disabled, KeyPairSpec: p256, DryRun: true}, kms.ErrDisabled, disabledARN + " is disabled."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.k.GenerateDataKeyPair(ctx, tt.in)
			if tt.msg == "" {
				wantErr(t, err, tt.err, "")
				return
			}
			wantExact(t, err, tt.err, tt.msg)
			// The same request without plaintext, where it has the members.
			if tt.in == nil || tt.in.Recipient != nil {
				return
			}
			_, err = f.k.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: tt.in.KeyId, KeyPairSpec: tt.in.KeyPairSpec, GrantTokens: tt.in.GrantTokens, DryRun: tt.in.DryRun})
			var want = tt.msg
			if tt.err == kms.ErrInvalidKeyUsage {
				want = tt.msg[:len(tt.msg)-len("GenerateDataKeyPair.")] + "GenerateDataKeyPairWithoutPlaintext."
			}
			wantExact(t, err, tt.err, want)
		})
	}

}
