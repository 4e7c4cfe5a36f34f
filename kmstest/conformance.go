package kmstest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/embedkms/kms"
)

// SymmetricConformance runs the symmetric operations (Encrypt, Decrypt,
// ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext) on the
// symmetric encryption key keyID of k, wherever its material lives (the
// default key store or a custom key store), and checks what every key of
// that kind must do: round trips with and without KeyId, the encryption
// context bound, ReEncrypt to and from another key (other, any symmetric
// encryption key of k), and any changed byte of a ciphertext refused with
// InvalidCiphertextException. The same table serves every store, so the
// stores are held to the same behaviour.
func SymmetricConformance(t *testing.T, k *kms.KMS, keyID, other string) {
	t.Helper()
	ctx := context.Background()
	ec := map[string]string{"purpose": "conformance", "tenant": "t-1"}
	encrypt := func(t *testing.T, key string, pt []byte, ec map[string]string) []byte {
		t.Helper()
		out, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: key, Plaintext: pt, EncryptionContext: ec})
		if err != nil {
			t.Fatal(err)
		}
		if out.EncryptionAlgorithm != kms.EncryptionAlgorithmSpecSymmetricDefault {
			t.Fatalf("EncryptionAlgorithm %s", out.EncryptionAlgorithm)
		}
		return out.CiphertextBlob
	}
	decrypt := func(blob []byte, keyID string, ec map[string]string) ([]byte, error) {
		out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: keyID, EncryptionContext: ec})
		if err != nil {
			return nil, err
		}
		return out.Plaintext, nil
	}
	md, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		t.Fatal(err)
	}
	arn := md.KeyMetadata.Arn

	for _, tc := range []struct {
		name string
		pt   []byte
		ec   map[string]string
	}{
		{"one byte", []byte{0}, nil},
		{"with context", []byte("a secret"), ec},
		{"largest", bytes.Repeat([]byte{0xa5}, kms.MaxPlaintextSize), ec},
	} {
		t.Run("Encrypt/Decrypt "+tc.name, func(t *testing.T) {
			blob := encrypt(t, keyID, tc.pt, tc.ec)
			if len(blob) > kms.MaxCiphertextSize {
				t.Fatalf("a %d-byte blob for %d bytes", len(blob), len(tc.pt))
			}
			for _, named := range []string{"", keyID, arn} {
				pt, err := decrypt(blob, named, tc.ec)
				if err != nil || !bytes.Equal(pt, tc.pt) {
					t.Fatalf("Decrypt (KeyId %q) = %d bytes, %v", named, len(pt), err)
				}
			}
			out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: tc.ec})
			if err != nil || out.KeyId != arn || out.EncryptionAlgorithm != kms.EncryptionAlgorithmSpecSymmetricDefault {
				t.Fatalf("Decrypt = %+v, %v", out, err)
			}
			if again := encrypt(t, keyID, tc.pt, tc.ec); bytes.Equal(again, blob) {
				t.Fatal("two encryptions of one plaintext are equal")
			}
		})
	}

	t.Run("wrong context", func(t *testing.T) {
		blob := encrypt(t, keyID, []byte("bound"), ec)
		for _, wrong := range []map[string]string{nil, {"purpose": "conformance"}, {"purpose": "conformance", "tenant": "t-2"}} {
			if _, err := decrypt(blob, "", wrong); !errors.Is(err, kms.ErrInvalidCiphertext) {
				t.Fatalf("context %v: %v, want InvalidCiphertextException", wrong, err)
			}
		}
	})

	t.Run("wrong key", func(t *testing.T) {
		blob := encrypt(t, keyID, []byte("named"), nil)
		if _, err := decrypt(blob, other, nil); !errors.Is(err, kms.ErrIncorrectKey) {
			t.Fatalf("%v, want IncorrectKeyException", err)
		}
	})

	t.Run("tampering", func(t *testing.T) {
		pt := []byte("tamper with me")
		blob := encrypt(t, keyID, pt, ec)
		for i := range blob {
			for _, flip := range []byte{0x01, 0x80} {
				bad := bytes.Clone(blob)
				bad[i] ^= flip
				if got, err := decrypt(bad, "", ec); err == nil {
					t.Fatalf("byte %d ^ %#x: decrypted to %q", i, flip, got)
				} else if !errors.Is(err, kms.ErrInvalidCiphertext) {
					t.Fatalf("byte %d ^ %#x: %v, want InvalidCiphertextException", i, flip, err)
				}
			}
		}
		for _, n := range []int{0, 1, len(blob) / 2, len(blob) - 1} {
			if _, err := decrypt(blob[:n], "", ec); err == nil {
				t.Fatalf("the first %d bytes decrypted", n)
			}
		}
		if _, err := decrypt(append(bytes.Clone(blob), 0), "", ec); !errors.Is(err, kms.ErrInvalidCiphertext) {
			t.Fatalf("a byte appended: %v", err)
		}
	})

	t.Run("ReEncrypt", func(t *testing.T) {
		pt := []byte("moved between keys")
		blob := encrypt(t, keyID, pt, ec)
		out, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, SourceEncryptionContext: ec, DestinationKeyId: other})
		if err != nil {
			t.Fatal(err)
		}
		if out.SourceKeyId != arn {
			t.Fatalf("SourceKeyId %s", out.SourceKeyId)
		}
		if got, err := decrypt(out.CiphertextBlob, other, nil); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("under the other key: %q, %v", got, err)
		}
		back, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: out.CiphertextBlob, DestinationKeyId: keyID, DestinationEncryptionContext: ec})
		if err != nil {
			t.Fatal(err)
		}
		if back.KeyId != arn {
			t.Fatalf("KeyId %s", back.KeyId)
		}
		if got, err := decrypt(back.CiphertextBlob, keyID, ec); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("back: %q, %v", got, err)
		}
		same, err := k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: back.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: keyID})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := decrypt(same.CiphertextBlob, keyID, nil); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("onto itself with a new context: %q, %v", got, err)
		}
	})

	t.Run("GenerateDataKey", func(t *testing.T) {
		out, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: keyID, KeySpec: kms.DataKeySpecAes256, EncryptionContext: ec})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Plaintext) != 32 || out.KeyId != arn {
			t.Fatalf("%d-byte data key, KeyId %s", len(out.Plaintext), out.KeyId)
		}
		if got, err := decrypt(out.CiphertextBlob, "", ec); err != nil || !bytes.Equal(got, out.Plaintext) {
			t.Fatalf("the data key: %v", err)
		}
		n, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: keyID, NumberOfBytes: kms.MaxDataKeyBytes})
		if err != nil || len(n.Plaintext) != kms.MaxDataKeyBytes {
			t.Fatalf("NumberOfBytes %d: %v", kms.MaxDataKeyBytes, err)
		}
		if got, err := decrypt(n.CiphertextBlob, keyID, nil); err != nil || !bytes.Equal(got, n.Plaintext) {
			t.Fatalf("the %d-byte data key: %v", kms.MaxDataKeyBytes, err)
		}
	})

	t.Run("GenerateDataKeyWithoutPlaintext", func(t *testing.T) {
		out, err := k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: keyID, KeySpec: kms.DataKeySpecAes128, EncryptionContext: ec})
		if err != nil {
			t.Fatal(err)
		}
		got, err := decrypt(out.CiphertextBlob, "", ec)
		if err != nil || len(got) != 16 {
			t.Fatalf("the data key: %d bytes, %v", len(got), err)
		}
	})
}
