package kms_test

import (
	"bytes"
	"crypto/mlkem"
	"testing"

	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
	"github.com/embedkms/kms"
)

// refKEM is a second ML-KEM implementation of one key, built from the
// key's 64-byte seed d || z: the standard library's crypto/mlkem for
// ML-KEM-768 and ML-KEM-1024, circl for ML-KEM-512 (which the standard
// library lacks).
type refKEM struct {
	ek     []byte                          // encapsulation key, from the seed
	encaps func(ek []byte) (ss, ct []byte) // to a given encapsulation key
	decaps func(ct []byte) []byte
}

var kemSpecs = []struct {
	spec   kms.KeySpec
	ctLen  int // ciphertext length (FIPS 203 table 3; Encapsulate API reference)
	newRef func(t *testing.T, seed []byte) refKEM
}{
	{kms.KeySpecMlKem512, 768, func(t *testing.T, seed []byte) refKEM {
		pk, sk := mlkem512.NewKeyFromSeed(seed)
		ek, err := pk.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return refKEM{
			ek: ek,
			encaps: func(ek []byte) ([]byte, []byte) {
				pub, err := mlkem512.Scheme().UnmarshalBinaryPublicKey(ek)
				if err != nil {
					t.Fatal(err)
				}
				ct, ss, err := mlkem512.Scheme().Encapsulate(pub)
				if err != nil {
					t.Fatal(err)
				}
				return ss, ct
			},
			decaps: func(ct []byte) []byte {
				ss := make([]byte, mlkem512.SharedKeySize)
				sk.DecapsulateTo(ss, ct)
				return ss
			},
		}
	}},
	{kms.KeySpecMlKem768, 1088, func(t *testing.T, seed []byte) refKEM {
		dk, err := mlkem.NewDecapsulationKey768(seed)
		if err != nil {
			t.Fatal(err)
		}
		return refKEM{
			ek: dk.EncapsulationKey().Bytes(),
			encaps: func(ek []byte) ([]byte, []byte) {
				pub, err := mlkem.NewEncapsulationKey768(ek)
				if err != nil {
					t.Fatal(err)
				}
				return pub.Encapsulate()
			},
			decaps: func(ct []byte) []byte {
				ss, err := dk.Decapsulate(ct)
				if err != nil {
					t.Fatal(err)
				}
				return ss
			},
		}
	}},
	{kms.KeySpecMlKem1024, 1568, func(t *testing.T, seed []byte) refKEM {
		dk, err := mlkem.NewDecapsulationKey1024(seed)
		if err != nil {
			t.Fatal(err)
		}
		return refKEM{
			ek: dk.EncapsulationKey().Bytes(),
			encaps: func(ek []byte) ([]byte, []byte) {
				pub, err := mlkem.NewEncapsulationKey1024(ek)
				if err != nil {
					t.Fatal(err)
				}
				return pub.Encapsulate()
			},
			decaps: func(ct []byte) []byte {
				ss, err := dk.Decapsulate(ct)
				if err != nil {
					t.Fatal(err)
				}
				return ss
			},
		}
	}},
}

// TestEncapsulateDecapsulateInterop: for each ML-KEM key spec, a secret
// Encapsulate returns is the one a second implementation decapsulates
// with the key's seed, and a secret the second implementation
// encapsulates to the key's public key (as the handle's key material
// gives it, and as the seed gives it) is the one Decapsulate returns.
func TestEncapsulateDecapsulateInterop(t *testing.T) {
	f := newMaterialFixture(t)
	for _, c := range kemSpecs {
		t.Run(string(c.spec), func(t *testing.T) {
			md := f.create(t, c.spec, kms.KeyUsageTypeEncapsulateDecapsulate)
			seed := f.material(t, md)
			if len(seed) != 64 {
				t.Fatalf("material is %d bytes, want the 64-byte seed", len(seed))
			}
			ref := c.newRef(t, seed)
			spki := f.publicKey(t, md)
			if !bytes.HasSuffix(spki, ref.ek) {
				t.Fatal("the key's SPKI does not end with the encapsulation key the seed gives")
			}
			for i, keyID := range []string{md.KeyId, md.Arn} {
				enc, err := f.k.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: keyID, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
				if err != nil {
					t.Fatalf("Encapsulate: %v", err)
				}
				if enc.KeyId != md.Arn || enc.EncapsulationAlgorithm != kms.EncapsulationAlgorithmSpecMlKem || len(enc.SharedSecret) != 32 || len(enc.SharedSecretCiphertextBlob) != c.ctLen {
					t.Fatalf("Encapsulate output: KeyId %s, algorithm %s, %d-byte secret, %d-byte ciphertext", enc.KeyId, enc.EncapsulationAlgorithm, len(enc.SharedSecret), len(enc.SharedSecretCiphertextBlob))
				}
				if got := ref.decaps(enc.SharedSecretCiphertextBlob); !bytes.Equal(got, enc.SharedSecret) {
					t.Fatalf("second implementation decapsulates %x, Encapsulate returned %x", got, enc.SharedSecret)
				}
				dec, err := f.k.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: keyID, SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
				if err != nil {
					t.Fatalf("Decapsulate: %v", err)
				}
				if !bytes.Equal(dec.SharedSecret, enc.SharedSecret) || dec.KeyId != md.Arn || dec.EncapsulationAlgorithm != kms.EncapsulationAlgorithmSpecMlKem {
					t.Fatalf("Decapsulate output %+v, want secret %x", dec, enc.SharedSecret)
				}

				ek := [][]byte{spki[len(spki)-len(ref.ek):], ref.ek}[i]
				ss, ct := ref.encaps(ek)
				dec, err = f.k.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: keyID, SharedSecretCiphertextBlob: ct, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
				if err != nil {
					t.Fatalf("Decapsulate of the second implementation's ciphertext: %v", err)
				}
				if !bytes.Equal(dec.SharedSecret, ss) {
					t.Fatalf("Decapsulate = %x, the second implementation encapsulated %x", dec.SharedSecret, ss)
				}
			}
		})
	}
}

// TestDecapsulateImplicitRejection: as the Decapsulate API reference
// says, only a ciphertext of the wrong length for the key spec is an
// InvalidCiphertextException (with no message); an altered ciphertext of
// the right length, or one made for another key, gives a 32-byte secret
// unrelated to the encapsulated one. That secret is FIPS 203's implicit
// rejection value: the second implementation computes the same one, and
// it is the same every time.
func TestDecapsulateImplicitRejection(t *testing.T) {
	f := newMaterialFixture(t)
	for i, c := range kemSpecs {
		t.Run(string(c.spec), func(t *testing.T) {
			md := f.create(t, c.spec, kms.KeyUsageTypeEncapsulateDecapsulate)
			ref := c.newRef(t, f.material(t, md))
			decaps := func(ct []byte, dryRun bool) (*kms.DecapsulateOutput, error) {
				return f.k.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, SharedSecretCiphertextBlob: ct, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem, DryRun: dryRun})
			}
			enc, err := f.k.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
			if err != nil {
				t.Fatal(err)
			}
			ct := enc.SharedSecretCiphertextBlob
			other := kemSpecs[(i+1)%len(kemSpecs)]
			for _, bad := range [][]byte{ct[:len(ct)-1], append(bytes.Clone(ct), 0), {1}, make([]byte, other.ctLen), make([]byte, kms.MaxCiphertextSize)} {
				for _, dryRun := range []bool{false, true} {
					out, err := decaps(bad, dryRun)
					if out != nil {
						t.Errorf("%d-byte ciphertext: output %+v", len(bad), out)
					}
					wantErr(t, err, kms.ErrInvalidCiphertext, "")
					if err.Error() != "InvalidCiphertextException" {
						t.Errorf("%d-byte ciphertext: error %q, want no message", len(bad), err)
					}
				}
			}

			altered := bytes.Clone(ct)
			altered[len(altered)/2] ^= 0x80
			first, err := decaps(altered, false)
			if err != nil {
				t.Fatalf("Decapsulate of an altered ciphertext: %v", err)
			}
			if len(first.SharedSecret) != 32 || bytes.Equal(first.SharedSecret, enc.SharedSecret) {
				t.Fatalf("altered ciphertext gave %x, encapsulated secret %x", first.SharedSecret, enc.SharedSecret)
			}
			if want := ref.decaps(altered); !bytes.Equal(first.SharedSecret, want) {
				t.Fatalf("altered ciphertext gave %x, the second implementation's implicit rejection %x", first.SharedSecret, want)
			}
			again, err := decaps(altered, false)
			if err != nil || !bytes.Equal(again.SharedSecret, first.SharedSecret) {
				t.Fatalf("second Decapsulate of the altered ciphertext: %x, %v", again.SharedSecret, err)
			}

			// A ciphertext for another key of the same spec.
			md2 := f.create(t, c.spec, kms.KeyUsageTypeEncapsulateDecapsulate)
			enc2, err := f.k.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md2.KeyId, EncapsulationAlgorithm: kms.EncapsulationAlgorithmSpecMlKem})
			if err != nil {
				t.Fatal(err)
			}
			wrongKey, err := decaps(enc2.SharedSecretCiphertextBlob, false)
			if err != nil {
				t.Fatalf("Decapsulate of another key's ciphertext: %v", err)
			}
			if bytes.Equal(wrongKey.SharedSecret, enc2.SharedSecret) {
				t.Fatal("another key's ciphertext decapsulated to its secret")
			}

			_, err = decaps(ct, true)
			wantErr(t, err, kms.ErrDryRunOperation, "")
		})
	}
}

// TestKEMRequest: the members' constraints (KeyId and
// EncapsulationAlgorithm required, SharedSecretCiphertextBlob 1 to 6144
// bytes), key usage ENCAPSULATE_DECAPSULATE, key state, DryRun, and the
// China Regions, where AWS offers neither operation.
func TestKEMRequest(t *testing.T) {
	f := newMaterialFixture(t)
	md := f.create(t, kms.KeySpecMlKem768, kms.KeyUsageTypeEncapsulateDecapsulate)
	ml := kms.EncapsulationAlgorithmSpecMlKem
	encaps := func(in kms.EncapsulateInput) error { _, err := f.k.Encapsulate(ctx, &in); return err }
	decaps := func(in kms.DecapsulateInput) error { _, err := f.k.Decapsulate(ctx, &in); return err }
	ct := make([]byte, 1088)

	wantErr(t, encaps(kms.EncapsulateInput{KeyId: md.KeyId}), kms.ErrValidation, "Value null at 'encapsulationAlgorithm' failed to satisfy constraint: Member must not be null")
	wantErr(t, encaps(kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: "ML_KEM_768"}), kms.ErrValidation,
		"1 validation error detected: Value 'ML_KEM_768' at 'encapsulationAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ML_KEM]")
	wantErr(t, encaps(kms.EncapsulateInput{}), kms.ErrValidation, "2 validation errors detected")
	wantErr(t, decaps(kms.DecapsulateInput{KeyId: md.KeyId, SharedSecretCiphertextBlob: ct}), kms.ErrValidation, "Value null at 'encapsulationAlgorithm'")
	wantErr(t, decaps(kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml}), kms.ErrValidation, "Value null at 'sharedSecretCiphertextBlob' failed to satisfy constraint: Member must not be null")
	wantErr(t, decaps(kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml, SharedSecretCiphertextBlob: []byte{}}), kms.ErrValidation,
		"Value 'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'sharedSecretCiphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1")
	wantErr(t, decaps(kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml, SharedSecretCiphertextBlob: make([]byte, kms.MaxCiphertextSize+1)}), kms.ErrValidation,
		"Value 'java.nio.HeapByteBuffer[pos=0 lim=6145 cap=6145]' at 'sharedSecretCiphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144")
	wantErr(t, decaps(kms.DecapsulateInput{}), kms.ErrValidation, "3 validation errors detected")
	if _, err := f.k.Encapsulate(ctx, nil); err == nil {
		t.Error("Encapsulate(nil) succeeded")
	}
	if _, err := f.k.Decapsulate(ctx, nil); err == nil {
		t.Error("Decapsulate(nil) succeeded")
	}

	wantErr(t, encaps(kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml, DryRun: true}), kms.ErrDryRunOperation, "")
	wantErr(t, encaps(kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml, GrantTokens: []string{"t"}}), kms.ErrInvalidGrantToken, "")

	hmacKey := f.create(t, kms.KeySpecHmac256, kms.KeyUsageTypeGenerateVerifyMac)
	agree := f.create(t, kms.KeySpecEccNistP256, kms.KeyUsageTypeKeyAgreement)
	for _, k := range []*kms.KeyMetadata{hmacKey, agree} {
		wantErr(t, encaps(kms.EncapsulateInput{KeyId: k.KeyId, EncapsulationAlgorithm: ml}), kms.ErrInvalidKeyUsage, k.Arn+" key usage is "+string(k.KeyUsage)+" which is not valid for Encapsulate.")
		wantErr(t, decaps(kms.DecapsulateInput{KeyId: k.KeyId, EncapsulationAlgorithm: ml, SharedSecretCiphertextBlob: ct}), kms.ErrInvalidKeyUsage, k.Arn+" key usage is "+string(k.KeyUsage)+" which is not valid for Decapsulate.")
	}
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, encaps(kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml}), kms.ErrDisabled, md.Arn+" is disabled.")
	wantErr(t, decaps(kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml, SharedSecretCiphertextBlob: ct}), kms.ErrDisabled, md.Arn+" is disabled.")

	cn, err := kms.New(kms.Options{Region: "cn-north-1", Partition: "aws-cn"})
	if err != nil {
		t.Fatal(err)
	}
	defer cn.Close()
	wantErr(t, func() error {
		_, err := cn.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml})
		return err
	}(), kms.ErrUnsupportedOperation, "Encapsulate is not available in China Regions.")
	wantErr(t, func() error {
		_, err := cn.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: ml, SharedSecretCiphertextBlob: ct})
		return err
	}(), kms.ErrUnsupportedOperation, "Decapsulate is not available in China Regions.")
}
