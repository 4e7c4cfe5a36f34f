package kms_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/kmstest"
	"github.com/tink-crypto/tink-go/v2/aead/aesgcm"
	"github.com/tink-crypto/tink-go/v2/insecuresecretdataaccess"
	"github.com/tink-crypto/tink-go/v2/secretdata"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Benchmarks put the raw AES-256-GCM primitives (Tink's aead/aesgcm, the
// yardstick, and the standard library's GCM that crypto.AESGCM uses), the
// per-blob-key constructions (crypto.XAES256GCM, which blob format v2 uses,
// and the HKDF-SHA256 alternative it was measured against) beside the
// operations built on them, in the same run. Results and the command:
// BENCHMARKS.md.

var benchEC = map[string]string{"tenant": "acme", "purpose": "bench"}

func benchKey(b *testing.B) (*kms.KMS, string) {
	k, _ := kmstest.New(b)
	out, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	return k, out.KeyMetadata.KeyId
}

// rawTink returns Tink's AES-256-GCM primitive (no output prefix).
func rawTink(b *testing.B) tink.AEAD {
	p, err := aesgcm.NewParameters(aesgcm.ParametersOpts{KeySizeInBytes: 32, IVSizeInBytes: 12, TagSizeInBytes: 16, Variant: aesgcm.VariantNoPrefix})
	if err != nil {
		b.Fatal(err)
	}
	k, err := aesgcm.NewKey(secretdata.NewBytesFromData(crypto.Random(32), insecuresecretdataaccess.Token{}), 0, p)
	if err != nil {
		b.Fatal(err)
	}
	a, err := aesgcm.NewAEAD(k)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func BenchmarkRawStdlibGCMEncrypt(b *testing.B) {
	benchRawEncrypt(b, func(b *testing.B) tink.AEAD {
		a, err := crypto.NewAESGCM(crypto.Random(32))
		if err != nil {
			b.Fatal(err)
		}
		return a
	})
}

func BenchmarkRawAEADEncrypt(b *testing.B) { benchRawEncrypt(b, rawTink) }

// BenchmarkRawXAESEncrypt is the per-blob-key construction of blob format
// v2: XAES-256-GCM's AES-CMAC key derivation, then AES-256-GCM.
func BenchmarkRawXAESEncrypt(b *testing.B) {
	benchRawEncrypt(b, func(b *testing.B) tink.AEAD {
		x, err := crypto.NewXAES256GCM(crypto.Random(32))
		if err != nil {
			b.Fatal(err)
		}
		return x
	})
}

// BenchmarkRawHKDFGCMEncrypt is the alternative measured against it: a key
// per message from HKDF-SHA256 with a random 32-byte salt, then AES-256-GCM.
func BenchmarkRawHKDFGCMEncrypt(b *testing.B) {
	benchRawEncrypt(b, func(b *testing.B) tink.AEAD { return hkdfGCM{crypto.Random(32)} })
}

// hkdfGCM seals salt(32) || iv(12) || ciphertext || tag under
// HKDF-SHA256(key, salt, info) (benchmarks only: Decrypt is not needed).
type hkdfGCM struct{ key []byte }

func (h hkdfGCM) Encrypt(pt, aad []byte) ([]byte, error) {
	out := make([]byte, 32, 32+12+len(pt)+16)
	copy(out, crypto.Random(32))
	dk, err := hkdf.Key(sha256.New, h.key, out[:32], "embedkms blob key", 32)
	if err != nil {
		return nil, err
	}
	c, err := aes.NewCipher(dk)
	clear(dk)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCMWithRandomNonce(c)
	if err != nil {
		return nil, err
	}
	return g.Seal(out, nil, pt, aad), nil
}

func (hkdfGCM) Decrypt([]byte, []byte) ([]byte, error) { panic("not used") }

// benchRawEncrypt encrypts 32 B and 4 KiB with a primitive, with 96 bytes
// of associated data (about a blob header and a small context).
func benchRawEncrypt(b *testing.B, newAEAD func(*testing.B) tink.AEAD) {
	for _, size := range []int{32, 4096} {
		b.Run(sizeName(size), func(b *testing.B) {
			a := newAEAD(b)
			pt, aad := make([]byte, size), make([]byte, 96)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Encrypt(pt, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncrypt(b *testing.B) {
	for _, size := range []int{32, 4096} {
		b.Run(sizeName(size), func(b *testing.B) {
			k, id := benchKey(b)
			ctx := context.Background()
			in := &kms.EncryptInput{KeyId: id, Plaintext: make([]byte, size), EncryptionContext: benchEC}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Encrypt(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRawAEADDecrypt(b *testing.B) {
	a := rawTink(b)
	aad := make([]byte, 96)
	ct, _ := a.Encrypt(make([]byte, 4096), aad)
	b.SetBytes(4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Decrypt(ct, aad); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawXAESDecrypt is the raw decryption of blob format v2.
func BenchmarkRawXAESDecrypt(b *testing.B) {
	x, err := crypto.NewXAES256GCM(crypto.Random(32))
	if err != nil {
		b.Fatal(err)
	}
	aad := make([]byte, 96)
	ct, _ := x.Encrypt(make([]byte, 4096), aad)
	b.SetBytes(4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.Decrypt(ct, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	k, id := benchKey(b)
	ctx := context.Background()
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: make([]byte, 4096), EncryptionContext: benchEC})
	if err != nil {
		b.Fatal(err)
	}
	in := &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: benchEC}
	b.SetBytes(4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Decrypt(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateDataKey(b *testing.B) {
	k, id := benchKey(b)
	ctx := context.Background()
	in := &kms.GenerateDataKeyInput{KeyId: id, KeySpec: kms.DataKeySpecAes256, EncryptionContext: benchEC}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.GenerateDataKey(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// Parallel variants: many goroutines on one key, the hot path's real load.

func BenchmarkRawAEADEncryptParallel(b *testing.B) {
	a := rawTink(b)
	b.SetBytes(4096)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		pt, aad := make([]byte, 4096), make([]byte, 96)
		for pb.Next() {
			if _, err := a.Encrypt(pt, aad); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncryptParallel(b *testing.B) {
	k, id := benchKey(b)
	ctx := context.Background()
	b.SetBytes(4096)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		in := &kms.EncryptInput{KeyId: id, Plaintext: make([]byte, 4096), EncryptionContext: benchEC}
		for pb.Next() {
			if _, err := k.Encrypt(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecryptParallel(b *testing.B) {
	k, id := benchKey(b)
	ctx := context.Background()
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: make([]byte, 4096), EncryptionContext: benchEC})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(4096)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		in := &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: benchEC}
		for pb.Next() {
			if _, err := k.Decrypt(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGenerateDataKeyParallel(b *testing.B) {
	k, id := benchKey(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		in := &kms.GenerateDataKeyInput{KeyId: id, KeySpec: kms.DataKeySpecAes256, EncryptionContext: benchEC}
		for pb.Next() {
			if _, err := k.GenerateDataKey(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func sizeName(n int) string {
	if n >= 1024 {
		return itoa(n/1024) + "KiB"
	}
	return itoa(n) + "B"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// BenchmarkEncryptAudit is Encrypt of 32 bytes without an audit sink, with
// a sink that drops events (the cost of making them) and with the JSON
// writer to io.Discard (making and encoding them).
func BenchmarkEncryptAudit(b *testing.B) {
	for _, c := range []struct {
		name string
		sink kms.AuditSink
	}{
		{"none", nil},
		{"drop", kms.AuditFunc(func(context.Context, *kms.AuditEvent) {})},
		{"json", kms.NewJSONAudit(io.Discard)},
	} {
		b.Run(c.name, func(b *testing.B) {
			k, _ := kmstest.NewWithOptions(b, kms.Options{Audit: c.sink})
			ctx := context.Background()
			out, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
			if err != nil {
				b.Fatal(err)
			}
			in := &kms.EncryptInput{KeyId: out.KeyMetadata.KeyId, Plaintext: make([]byte, 32), EncryptionContext: benchEC}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Encrypt(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
