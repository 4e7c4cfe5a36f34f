package kms_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/kmstest"
)

// Encrypt, Decrypt and ReEncrypt with RSA ENCRYPT_DECRYPT keys. The
// expected messages are AWS's (see the sources cited in symmetric.go).

const (
	oaep1   = kms.EncryptionAlgorithmSpecRsaesOaepSha1
	oaep256 = kms.EncryptionAlgorithmSpecRsaesOaepSha256
)

// rsaKey creates an RSA key of spec and usage (ENCRYPT_DECRYPT if empty).
func rsaKey(t testing.TB, k *kms.KMS, spec kms.KeySpec, usage kms.KeyUsageType) *kms.KeyMetadata {
	t.Helper()
	if usage == "" {
		usage = kms.KeyUsageTypeEncryptDecrypt
	}
	out, err := k.CreateKey(context.Background(), &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// rsaShared is one handle with one RSA key of each size, made once: RSA_4096
// takes a while to generate.
var rsaShared struct {
	once sync.Once
	k    *kms.KMS
	keys map[kms.KeySpec]*kms.KeyMetadata
	err  error
}

func rsaKeys(t *testing.T) (*kms.KMS, map[kms.KeySpec]*kms.KeyMetadata) {
	t.Helper()
	rsaShared.once.Do(func() {
		k, err := kms.New(kms.Options{Backend: memory.New()})
		if err != nil {
			rsaShared.err = err
			return
		}
		rsaShared.k = k
		rsaShared.keys = map[kms.KeySpec]*kms.KeyMetadata{}
		for _, spec := range []kms.KeySpec{kms.KeySpecRsa2048, kms.KeySpecRsa3072, kms.KeySpecRsa4096} {
			out, err := k.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: kms.KeyUsageTypeEncryptDecrypt})
			if err != nil {
				rsaShared.err = err
				return
			}
			rsaShared.keys[spec] = out.KeyMetadata
		}
	})
	if rsaShared.err != nil {
		t.Fatal(rsaShared.err)
	}
	return rsaShared.k, rsaShared.keys
}

// wantExact checks err has the code of sentinel and exactly message msg.
func wantExact(t *testing.T, err error, sentinel error, msg string) {
	t.Helper()
	var e *kms.Error
	if !errors.Is(err, sentinel) || !errors.As(err, &e) {
		t.Fatalf("error = %v, want %v", err, sentinel)
	}
	if e.Message != msg {
		t.Fatalf("message = %q, want %q", e.Message, msg)
	}
}

// Each size's limit and AWS's text past it (localstack's snapshot of AWS,
// test_encrypt_validate_plaintext_size_per_key_type); the ciphertext is
// the bare OAEP output, as long as the modulus; Decrypt needs KeyId and
// the algorithm and returns no KeyMaterialId.
func TestRSAEncryptDecryptEverySize(t *testing.T) {
	k, keys := rsaKeys(t)
	limits := map[kms.KeySpec]map[kms.EncryptionAlgorithmSpec]int{
		kms.KeySpecRsa2048: {oaep1: 214, oaep256: 190},
		kms.KeySpecRsa3072: {oaep1: 342, oaep256: 318},
		kms.KeySpecRsa4096: {oaep1: 470, oaep256: 446},
	}
	for spec, algs := range limits {
		md := keys[spec]
		if !slicesEqual(md.EncryptionAlgorithms, []kms.EncryptionAlgorithmSpec{oaep1, oaep256}) {
			t.Errorf("%s EncryptionAlgorithms = %v", spec, md.EncryptionAlgorithms)
		}
		modulus := map[kms.KeySpec]int{kms.KeySpecRsa2048: 256, kms.KeySpecRsa3072: 384, kms.KeySpecRsa4096: 512}[spec]
		for alg, limit := range algs {
			t.Run(fmt.Sprintf("%s/%s", spec, alg), func(t *testing.T) {
				for _, n := range []int{1, limit} {
					pt := bytes.Repeat([]byte{byte(n)}, n)
					enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: alg})
					if err != nil {
						t.Fatalf("Encrypt of %d bytes: %v", n, err)
					}
					if len(enc.CiphertextBlob) != modulus || enc.KeyId != md.Arn || enc.EncryptionAlgorithm != alg {
						t.Fatalf("Encrypt = %d bytes, %s, %s; want %d bytes, %s, %s", len(enc.CiphertextBlob), enc.KeyId, enc.EncryptionAlgorithm, modulus, md.Arn, alg)
					}
					dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, KeyId: md.Arn, EncryptionAlgorithm: alg})
					if err != nil {
						t.Fatalf("Decrypt: %v", err)
					}
					if !bytes.Equal(dec.Plaintext, pt) || dec.KeyId != md.Arn || dec.EncryptionAlgorithm != alg || dec.KeyMaterialId != "" {
						t.Fatalf("Decrypt = %+v", dec)
					}
				}
				_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, limit+1), EncryptionAlgorithm: alg})
				wantExact(t, err, kms.ErrValidation, fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", alg, spec, limit))
				// DryRun runs the check too.
				_, err = k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, limit+1), EncryptionAlgorithm: alg, DryRun: true})
				wantErr(t, err, kms.ErrValidation, "cannot encrypt data larger than")
			})
		}
	}
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRSAEncryptErrors(t *testing.T) {
	f := newFixture(t)
	md := rsaKey(t, f.k, kms.KeySpecRsa2048, "")
	sym, _ := f.key(t)
	signing := rsaKey(t, f.k, kms.KeySpecRsa2048, kms.KeyUsageTypeSignVerify)
	pt := []byte("x")
	tests := []struct {
		name string
		in   *kms.EncryptInput
		err  error
		msg  string
	}{
		// AWS, as reported in sops#684, pulumi#17649, helm-secrets#395.
		{"no algorithm", &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt}, kms.ErrInvalidKeyUsage, "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."},
		{"SYMMETRIC_DEFAULT", &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSymmetricDefault}, kms.ErrInvalidKeyUsage, "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."},
		{"SM2PKE", &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke}, kms.ErrInvalidKeyUsage, "Algorithm SM2PKE is incompatible with key spec RSA_2048."},
		{"RSA algorithm on a symmetric key", &kms.EncryptInput{KeyId: sym, Plaintext: pt, EncryptionAlgorithm: oaep1}, kms.ErrInvalidKeyUsage, "Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT."},
		{"encryption context", &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: oaep256, EncryptionContext: map[string]string{"a": "b"}}, kms.ErrValidation, "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."},
		{"SIGN_VERIFY key", &kms.EncryptInput{KeyId: signing.KeyId, Plaintext: pt, EncryptionAlgorithm: oaep256}, kms.ErrInvalidKeyUsage, signing.Arn + " key usage is SIGN_VERIFY which is not valid for Encrypt."},
		{"dry run", &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: oaep256, DryRun: true}, kms.ErrDryRunOperation, "The request would have succeeded, but the DryRun option is set."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.k.Encrypt(ctx, tt.in)
			wantExact(t, err, tt.err, tt.msg)
		})
	}
}

func TestRSADecryptErrors(t *testing.T) {
	f := newFixture(t)
	md := rsaKey(t, f.k, kms.KeySpecRsa2048, "")
	other := rsaKey(t, f.k, kms.KeySpecRsa2048, "")
	sym, _ := f.key(t)
	enc, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("secret"), EncryptionAlgorithm: oaep256})
	if err != nil {
		t.Fatal(err)
	}
	ct := enc.CiphertextBlob
	symBlob := rkEncrypt(t, f.k, sym, []byte("secret"), nil)
	tampered := bytes.Clone(ct)
	tampered[len(tampered)/2] ^= 1
	tests := []struct {
		name string
		in   *kms.DecryptInput
		err  error
		msg  string
	}{
		// floci-io/floci#3038, measured against AWS.
		{"no KeyId", &kms.DecryptInput{CiphertextBlob: ct, EncryptionAlgorithm: oaep256}, kms.ErrValidation, "KeyId must not be null"},
		// The blob is read as a symmetric one and fails as such
		// (aws/aws-sdk-java#2310; floci's
		// decryptWithRsaKeyIdAndDefaultAlgorithmThrowsInvalidCiphertext).
		{"no algorithm", &kms.DecryptInput{CiphertextBlob: ct, KeyId: md.KeyId}, kms.ErrInvalidCiphertext, ""},
		{"neither", &kms.DecryptInput{CiphertextBlob: ct}, kms.ErrInvalidCiphertext, ""},
		{"other hash", &kms.DecryptInput{CiphertextBlob: ct, KeyId: md.KeyId, EncryptionAlgorithm: oaep1}, kms.ErrInvalidCiphertext, ""},
		{"other key", &kms.DecryptInput{CiphertextBlob: ct, KeyId: other.KeyId, EncryptionAlgorithm: oaep256}, kms.ErrInvalidCiphertext, ""},
		{"tampered", &kms.DecryptInput{CiphertextBlob: tampered, KeyId: md.KeyId, EncryptionAlgorithm: oaep256}, kms.ErrInvalidCiphertext, ""},
		{"truncated", &kms.DecryptInput{CiphertextBlob: ct[1:], KeyId: md.KeyId, EncryptionAlgorithm: oaep256}, kms.ErrInvalidCiphertext, ""},
		{"encryption context", &kms.DecryptInput{CiphertextBlob: ct, KeyId: md.KeyId, EncryptionAlgorithm: oaep256, EncryptionContext: map[string]string{"a": "b"}}, kms.ErrValidation, "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."},
		{"RSA algorithm on a symmetric key", &kms.DecryptInput{CiphertextBlob: symBlob, KeyId: sym, EncryptionAlgorithm: oaep256}, kms.ErrInvalidKeyUsage, "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT."},
		{"SM2PKE", &kms.DecryptInput{CiphertextBlob: ct, KeyId: md.KeyId, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSm2pke}, kms.ErrInvalidKeyUsage, "Algorithm SM2PKE is incompatible with key spec RSA_2048."},
		{"dry run", &kms.DecryptInput{CiphertextBlob: ct, KeyId: md.KeyId, EncryptionAlgorithm: oaep256, DryRun: true}, kms.ErrDryRunOperation, "The request would have succeeded, but the DryRun option is set."},
		{"dry run, bad ciphertext", &kms.DecryptInput{CiphertextBlob: tampered, KeyId: md.KeyId, EncryptionAlgorithm: oaep256, DryRun: true}, kms.ErrInvalidCiphertext, ""},
		{"dry run, IGNORE_CIPHERTEXT", &kms.DecryptInput{CiphertextBlob: tampered, KeyId: md.KeyId, EncryptionAlgorithm: oaep256, DryRun: true, DryRunModifiers: []kms.DryRunModifierType{kms.DryRunModifierTypeIgnoreCiphertext}}, kms.ErrDryRunOperation, "The request would have succeeded, but the DryRun option is set."},
		{"dry run, IGNORE_CIPHERTEXT, no algorithm", &kms.DecryptInput{CiphertextBlob: tampered, KeyId: md.KeyId, DryRun: true, DryRunModifiers: []kms.DryRunModifierType{kms.DryRunModifierTypeIgnoreCiphertext}}, kms.ErrInvalidKeyUsage, "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.k.Decrypt(ctx, tt.in)
			if tt.msg == "" {
				wantErr(t, err, tt.err, "")
				return
			}
			wantExact(t, err, tt.err, tt.msg)
		})
	}
	// A disabled key refuses before anything is decrypted.
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, KeyId: md.KeyId, EncryptionAlgorithm: oaep256})
	wantExact(t, err, kms.ErrDisabled, md.Arn+" is disabled.")
}

// ReEncrypt from and to RSA keys: SourceKeyId and SourceEncryptionAlgorithm
// name an RSA source; DestinationEncryptionAlgorithm an RSA destination.
// Key material ids are returned only for symmetric keys.
func TestRSAReEncrypt(t *testing.T) {
	f := newFixture(t)
	a := rsaKey(t, f.k, kms.KeySpecRsa2048, "")
	b := rsaKey(t, f.k, kms.KeySpecRsa2048, "")
	sym, symARN := f.key(t)
	symMD, err := f.k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sym})
	if err != nil {
		t.Fatal(err)
	}
	pt := []byte("re-encrypted")
	enc, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: a.KeyId, Plaintext: pt, EncryptionAlgorithm: oaep1})
	if err != nil {
		t.Fatal(err)
	}

	// RSA -> RSA.
	out, err := f.k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceKeyId: a.KeyId, SourceEncryptionAlgorithm: oaep1, DestinationKeyId: b.KeyId, DestinationEncryptionAlgorithm: oaep256})
	if err != nil {
		t.Fatal(err)
	}
	if out.SourceKeyId != a.Arn || out.KeyId != b.Arn || out.SourceEncryptionAlgorithm != oaep1 || out.DestinationEncryptionAlgorithm != oaep256 ||
		out.SourceKeyMaterialId != "" || out.DestinationKeyMaterialId != "" || len(out.CiphertextBlob) != 256 {
		t.Fatalf("ReEncrypt RSA -> RSA = %+v", out)
	}
	dec, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, KeyId: b.Arn, EncryptionAlgorithm: oaep256})
	if err != nil || !bytes.Equal(dec.Plaintext, pt) {
		t.Fatalf("Decrypt of RSA -> RSA: %v", err)
	}

	// RSA -> symmetric, with a destination encryption context.
	ec := map[string]string{"to": "symmetric"}
	out, err = f.k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceKeyId: a.Arn, SourceEncryptionAlgorithm: oaep1, DestinationKeyId: sym, DestinationEncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if out.SourceKeyId != a.Arn || out.KeyId != symARN || out.SourceEncryptionAlgorithm != oaep1 || out.DestinationEncryptionAlgorithm != kms.EncryptionAlgorithmSpecSymmetricDefault ||
		out.SourceKeyMaterialId != "" || out.DestinationKeyMaterialId != symMD.KeyMetadata.CurrentKeyMaterialId {
		t.Fatalf("ReEncrypt RSA -> symmetric = %+v", out)
	}
	rkDecrypts(t, f.k, out.CiphertextBlob, pt, ec)

	// symmetric -> RSA.
	symBlob := out.CiphertextBlob
	out, err = f.k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: symBlob, SourceEncryptionContext: ec, DestinationKeyId: a.KeyId, DestinationEncryptionAlgorithm: oaep256})
	if err != nil {
		t.Fatal(err)
	}
	if out.SourceKeyId != symARN || out.KeyId != a.Arn || out.SourceEncryptionAlgorithm != kms.EncryptionAlgorithmSpecSymmetricDefault || out.DestinationEncryptionAlgorithm != oaep256 ||
		out.SourceKeyMaterialId != symMD.KeyMetadata.CurrentKeyMaterialId || out.DestinationKeyMaterialId != "" {
		t.Fatalf("ReEncrypt symmetric -> RSA = %+v", out)
	}
	dec, err = f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, KeyId: a.KeyId, EncryptionAlgorithm: oaep256})
	if err != nil || !bytes.Equal(dec.Plaintext, pt) {
		t.Fatalf("Decrypt of symmetric -> RSA: %v", err)
	}

	big := rkEncrypt(t, f.k, sym, make([]byte, 191), nil)
	tests := []struct {
		name string
		in   *kms.ReEncryptInput
		err  error
		msg  string
	}{
		{"no SourceKeyId", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionAlgorithm: oaep1, DestinationKeyId: sym}, kms.ErrValidation, "SourceKeyId must not be null"},
		{"no SourceEncryptionAlgorithm", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceKeyId: a.KeyId, DestinationKeyId: sym}, kms.ErrInvalidCiphertext, ""},
		{"source encryption context", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceKeyId: a.KeyId, SourceEncryptionAlgorithm: oaep1, SourceEncryptionContext: ec, DestinationKeyId: sym}, kms.ErrValidation, "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."},
		{"no DestinationEncryptionAlgorithm", &kms.ReEncryptInput{CiphertextBlob: symBlob, SourceEncryptionContext: ec, DestinationKeyId: a.KeyId}, kms.ErrInvalidKeyUsage, "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."},
		{"RSA destination algorithm on a symmetric key", &kms.ReEncryptInput{CiphertextBlob: symBlob, SourceEncryptionContext: ec, DestinationKeyId: sym, DestinationEncryptionAlgorithm: oaep256}, kms.ErrInvalidKeyUsage, "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT."},
		{"destination encryption context", &kms.ReEncryptInput{CiphertextBlob: symBlob, SourceEncryptionContext: ec, DestinationKeyId: a.KeyId, DestinationEncryptionAlgorithm: oaep256, DestinationEncryptionContext: ec}, kms.ErrValidation, "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."},
		{"too large for the destination", &kms.ReEncryptInput{CiphertextBlob: big, DestinationKeyId: a.KeyId, DestinationEncryptionAlgorithm: oaep256}, kms.ErrValidation, "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes."},
		{"dry run", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceKeyId: a.KeyId, SourceEncryptionAlgorithm: oaep1, DestinationKeyId: b.KeyId, DestinationEncryptionAlgorithm: oaep1, DryRun: true}, kms.ErrDryRunOperation, "The request would have succeeded, but the DryRun option is set."},
		{"dry run, IGNORE_CIPHERTEXT", &kms.ReEncryptInput{CiphertextBlob: []byte("junk"), SourceKeyId: a.KeyId, SourceEncryptionAlgorithm: oaep1, DestinationKeyId: b.KeyId, DestinationEncryptionAlgorithm: oaep1, DryRun: true, DryRunModifiers: []kms.DryRunModifierType{kms.DryRunModifierTypeIgnoreCiphertext}}, kms.ErrDryRunOperation, "The request would have succeeded, but the DryRun option is set."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.k.ReEncrypt(ctx, tt.in)
			if tt.msg == "" {
				wantErr(t, err, tt.err, "")
				return
			}
			wantExact(t, err, tt.err, tt.msg)
		})
	}
}

// GenerateDataKey* take only a symmetric encryption key (floci's
// generateDataKeyWithRsaKeyThrowsInvalidKeyUsage, measured against AWS).
func TestGenerateDataKeyRefusesRSAKey(t *testing.T) {
	f := newFixture(t)
	md := rsaKey(t, f.k, kms.KeySpecRsa2048, "")
	const msg = "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."
	_, err := f.k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, KeySpec: kms.DataKeySpecAes256})
	wantExact(t, err, kms.ErrInvalidKeyUsage, msg)
	_, err = f.k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: md.KeyId, KeySpec: kms.DataKeySpecAes256})
	wantExact(t, err, kms.ErrInvalidKeyUsage, msg)
	_, err = f.k.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
	wantExact(t, err, kms.ErrInvalidKeyUsage, msg)
	_, err = f.k.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: md.KeyId, KeyPairSpec: kms.DataKeyPairSpecEccNistP256})
	wantExact(t, err, kms.ErrInvalidKeyUsage, msg)
}

func opensslBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (apt-get install openssl; scripts/test.sh does): skipping interop with it")
	}
	return p
}

func runOpenSSL(t *testing.T, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(opensslBin(t), args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, errb.Bytes())
	}
	return out.Bytes()
}

// Interop with openssl: data encrypted offline with the public key
// (openssl pkeyutl, OAEP with MGF1 over the OAEP hash) decrypts with
// Decrypt; our Encrypt's output is the bare OAEP ciphertext, which openssl
// decrypts with the private key. The public key is derived from the
// unwrapped material, as GetPublicKey would return it; the private key
// (which never leaves KMS) is taken the same way, for the test alone.
func TestRSAOpenSSLInterop(t *testing.T) {
	opensslBin(t)
	m := memory.New()
	t.Cleanup(func() { m.Close() })
	root := crypto.Random(32)
	k := rkNew(t, kms.Options{Backend: &rkDurable{m}, RootKey: root})
	md := rsaKey(t, k, kms.KeySpecRsa2048, "")
	material := unwrapped(t, m, root, md)
	prim, err := crypto.NewKeyPrimitive(string(md.KeySpec), material)
	if err != nil {
		t.Fatal(err)
	}
	spki := prim.(crypto.PublicKeyer).PublicKey()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "priv.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: material}), 0o600); err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(material)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		alg kms.EncryptionAlgorithmSpec
		md  string
		h   func() hash.Hash
	}{{oaep256, "sha256", sha256.New}, {oaep1, "sha1", sha1.New}} {
		t.Run(c.md, func(t *testing.T) {
			pt := []byte("encrypted offline with openssl, " + c.md)
			opts := []string{"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:" + c.md, "-pkeyopt", "rsa_mgf1_md:" + c.md}
			ct := runOpenSSL(t, dir, pt, append([]string{"pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.pem"}, opts...)...)
			if len(ct) != 256 {
				t.Fatalf("openssl ciphertext of %d bytes", len(ct))
			}
			dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, KeyId: md.KeyId, EncryptionAlgorithm: c.alg})
			if err != nil {
				t.Fatalf("Decrypt of openssl's ciphertext: %v", err)
			}
			if !bytes.Equal(dec.Plaintext, pt) {
				t.Fatalf("Decrypt = %q, want %q", dec.Plaintext, pt)
			}

			enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: pt, EncryptionAlgorithm: c.alg})
			if err != nil {
				t.Fatal(err)
			}
			if got := runOpenSSL(t, dir, enc.CiphertextBlob, append([]string{"pkeyutl", "-decrypt", "-inkey", "priv.pem"}, opts...)...); !bytes.Equal(got, pt) {
				t.Fatalf("openssl decrypts Encrypt's output to %q, want %q", got, pt)
			}
			if got, err := rsa.DecryptOAEP(c.h(), nil, priv.(*rsa.PrivateKey), enc.CiphertextBlob, nil); err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("rsa.DecryptOAEP of Encrypt's output: %v", err)
			}
		})
	}
}

// The RSA paths leave the symmetric ones as they were: a symmetric blob
// still decrypts with KeyId and SYMMETRIC_DEFAULT named, and an RSA KeyId
// on a symmetric blob is IncorrectKeyException.
func TestRSAKeyIdOnSymmetricBlob(t *testing.T) {
	k, _ := kmstest.New(t)
	f := &fixture{k: k}
	sym, _ := f.key(t)
	md := rsaKey(t, k, kms.KeySpecRsa2048, "")
	blob := rkEncrypt(t, k, sym, []byte("x"), nil)
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: sym, EncryptionAlgorithm: kms.EncryptionAlgorithmSpecSymmetricDefault}); err != nil {
		t.Fatal(err)
	}
	_, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: md.KeyId})
	wantExact(t, err, kms.ErrIncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.")
}
