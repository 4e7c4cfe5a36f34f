package kms_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

// fixture is a handle with one enabled key and an alias to it.
type fixture struct {
	k     *kms.KMS
	clock *kmstest.Clock
	id    string // key id
	arn   string // key ARN
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	k, clock := kmstest.New(t)
	return &fixture{k: k, clock: clock}
}

func (f *fixture) key(t *testing.T) (id, arn string) {
	t.Helper()
	out, err := f.k.CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata.KeyId, out.KeyMetadata.Arn
}

// wantErr checks err has the AWS code of sentinel and, if msg is not empty,
// a message containing msg.
func wantErr(t *testing.T, err error, sentinel error, msg string) {
	t.Helper()
	if sentinel == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("error = %v, want %v", err, sentinel)
	}
	var e *kms.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not a *kms.Error", err)
	}
	if msg != "" && !strings.Contains(e.ErrorMessage(), msg) {
		t.Fatalf("message = %q, want it to contain %q", e.ErrorMessage(), msg)
	}
}

var ctx = context.Background()

func TestEncryptDecryptRoundTrip(t *testing.T) {
	f := newFixture(t)
	id, arn := f.key(t)
	if _, err := f.k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/app", TargetKeyId: id}); err != nil {
		t.Fatal(err)
	}
	ec := map[string]string{"tenant": "acme", "ünïcode": "välue", "": "empty key"}
	for _, keyID := range []string{id, arn, "alias/app", "arn:aws:kms:us-east-1:111122223333:alias/app"} {
		for _, size := range []int{1, 32, 4096} {
			pt := bytes.Repeat([]byte{0xa5}, size)
			enc, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: keyID, Plaintext: pt, EncryptionContext: ec})
			if err != nil {
				t.Fatalf("Encrypt(%s, %d): %v", keyID, size, err)
			}
			if enc.KeyId != arn || enc.EncryptionAlgorithm != kms.EncryptionAlgorithmSpecSymmetricDefault {
				t.Fatalf("Encrypt output = %+v", enc)
			}
			if len(enc.CiphertextBlob) > kms.MaxCiphertextSize {
				t.Fatalf("blob of %d bytes exceeds CiphertextType", len(enc.CiphertextBlob))
			}
			// Decrypt without KeyId, and with each form of KeyId.
			for _, dkey := range []string{"", keyID} {
				dec, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: dkey})
				if err != nil {
					t.Fatalf("Decrypt(KeyId=%q): %v", dkey, err)
				}
				if !bytes.Equal(dec.Plaintext, pt) || dec.KeyId != arn || dec.EncryptionAlgorithm != kms.EncryptionAlgorithmSpecSymmetricDefault || len(dec.KeyMaterialId) != 64 {
					t.Fatalf("Decrypt output = %+v", dec)
				}
			}
		}
	}
	// Two encryptions of the same plaintext differ (random IV).
	a, _ := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	b, _ := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	if bytes.Equal(a.CiphertextBlob, b.CiphertextBlob) {
		t.Fatal("two ciphertexts of one plaintext are equal")
	}
}

func TestEncryptErrors(t *testing.T) {
	f := newFixture(t)
	id, _ := f.key(t)
	disabled, disabledARN := f.key(t)
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled}); err != nil {
		t.Fatal(err)
	}
	pending, pendingARN := f.key(t)
	if _, err := f.k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: pending}); err != nil {
		t.Fatal(err)
	}
	missing := "11111111-2222-4333-8444-555555555555"
	tests := []struct {
		name string
		in   *kms.EncryptInput
		err  error
		msg  string
	}{
		{"nil input", nil, kms.ErrValidation, "Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
		{"missing KeyId", &kms.EncryptInput{Plaintext: []byte("x")}, kms.ErrValidation, "at 'keyId'"},
		{"KeyId over 2048", &kms.EncryptInput{KeyId: strings.Repeat("k", 2049), Plaintext: []byte("x")}, kms.ErrValidation, "Member must have length less than or equal to 2048"},
		{"missing Plaintext", &kms.EncryptInput{KeyId: id}, kms.ErrValidation, "Value null at 'plaintext'"},
		{"empty Plaintext", &kms.EncryptInput{KeyId: id, Plaintext: []byte{}}, kms.ErrValidation, "Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		// AWS: "1 validation error detected: Value at 'plaintext' failed to satisfy
		// constraint: Member must have length less than or equal to 4096" (no value shown).
		{"Plaintext over 4096", &kms.EncryptInput{KeyId: id, Plaintext: make([]byte, 4097)}, kms.ErrValidation, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"two violations", &kms.EncryptInput{Plaintext: make([]byte, 4097)}, kms.ErrValidation, "2 validation errors detected"},
		{"bad algorithm", &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionAlgorithm: "AES"}, kms.ErrValidation, "Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]"},
		{"RSA algorithm on symmetric key", &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionAlgorithm: kms.EncryptionAlgorithmSpecRsaesOaepSha256}, kms.ErrInvalidKeyUsage, "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT."},
		{"too many grant tokens", &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), GrantTokens: make([]string, 11)}, kms.ErrValidation, "at 'grantTokens'"},
		{"unknown grant token", &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), GrantTokens: []string{"token"}}, kms.ErrInvalidGrantToken, ""},
		{"unknown key", &kms.EncryptInput{KeyId: missing, Plaintext: []byte("x")}, kms.ErrNotFound, "Key 'arn:aws:kms:us-east-1:111122223333:key/" + missing + "' does not exist"},
		{"malformed key id", &kms.EncryptInput{KeyId: "not-a-key", Plaintext: []byte("x")}, kms.ErrNotFound, "Invalid keyId 'not-a-key'"},
		{"unknown alias", &kms.EncryptInput{KeyId: "alias/nope", Plaintext: []byte("x")}, kms.ErrNotFound, "Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."},
		{"other Region", &kms.EncryptInput{KeyId: "arn:aws:kms:eu-west-1:111122223333:key/" + id, Plaintext: []byte("x")}, kms.ErrNotFound, "Invalid arn eu-west-1"},
		// Encrypt's model error list has no InvalidArnException: NotFoundException.
		{"malformed ARN", &kms.EncryptInput{KeyId: "arn:aws:kms:us-east-1:111122223333", Plaintext: []byte("x")}, kms.ErrNotFound, "Invalid arn"},
		{"disabled key", &kms.EncryptInput{KeyId: disabled, Plaintext: []byte("x")}, kms.ErrDisabled, disabledARN + " is disabled."},
		{"pending deletion", &kms.EncryptInput{KeyId: pending, Plaintext: []byte("x")}, kms.ErrKMSInvalidState, pendingARN + " is pending deletion."},
		{"dry run", &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), DryRun: true}, kms.ErrDryRunOperation, "The request would have succeeded, but the DryRun option is set."},
		// DryRun runs every check first: a disabled key reports that, not DryRun.
		{"dry run on disabled key", &kms.EncryptInput{KeyId: disabled, Plaintext: []byte("x"), DryRun: true}, kms.ErrDisabled, ""},
		{"ok", &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.k.Encrypt(ctx, tt.in)
			wantErr(t, err, tt.err, tt.msg)
		})
	}
}

func TestDecryptErrors(t *testing.T) {
	f := newFixture(t)
	id, _ := f.key(t)
	other, _ := f.key(t)
	ec := map[string]string{"a": "b"}
	enc, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("secret"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	blob := enc.CiphertextBlob
	tests := []struct {
		name string
		in   *kms.DecryptInput
		err  error
		msg  string
	}{
		{"nil input", nil, kms.ErrValidation, "'ciphertextBlob'"},
		{"empty blob", &kms.DecryptInput{CiphertextBlob: []byte{}}, kms.ErrValidation, "Member must have length greater than or equal to 1"},
		{"blob over 6144", &kms.DecryptInput{CiphertextBlob: make([]byte, 6145)}, kms.ErrValidation, "Member must have length less than or equal to 6144"},
		{"garbage blob", &kms.DecryptInput{CiphertextBlob: []byte("garbage")}, kms.ErrInvalidCiphertext, ""},
		{"truncated blob", &kms.DecryptInput{CiphertextBlob: blob[:len(blob)-1], EncryptionContext: ec}, kms.ErrInvalidCiphertext, ""},
		{"missing context", &kms.DecryptInput{CiphertextBlob: blob}, kms.ErrInvalidCiphertext, ""},
		{"wrong context value", &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"a": "c"}}, kms.ErrInvalidCiphertext, ""},
		{"extra context pair", &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"a": "b", "c": "d"}}, kms.ErrInvalidCiphertext, ""},
		// AWS: IncorrectKeyException "The key ID in the request does not identify a CMK that can perform this operation."
		{"KeyId of another key", &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec, KeyId: other}, kms.ErrIncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation."},
		{"KeyId unknown", &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec, KeyId: "alias/none"}, kms.ErrNotFound, ""},
		{"bad DryRunModifier", &kms.DecryptInput{CiphertextBlob: blob, DryRunModifiers: []kms.DryRunModifierType{"X"}}, kms.ErrValidation, "IGNORE_CIPHERTEXT"},
		{"dry run", &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec, DryRun: true}, kms.ErrDryRunOperation, ""},
		// Without IGNORE_CIPHERTEXT a dry run still checks the ciphertext.
		{"dry run bad ciphertext", &kms.DecryptInput{CiphertextBlob: blob, DryRun: true}, kms.ErrInvalidCiphertext, ""},
		{"dry run ignore ciphertext", &kms.DecryptInput{CiphertextBlob: []byte("junk"), KeyId: id, DryRun: true, DryRunModifiers: []kms.DryRunModifierType{kms.DryRunModifierTypeIgnoreCiphertext}}, kms.ErrDryRunOperation, ""},
		{"ignore ciphertext needs KeyId", &kms.DecryptInput{CiphertextBlob: []byte("junk"), DryRun: true, DryRunModifiers: []kms.DryRunModifierType{kms.DryRunModifierTypeIgnoreCiphertext}}, kms.ErrValidation, "KeyId"},
		{"recipient", &kms.DecryptInput{CiphertextBlob: blob, Recipient: &kms.RecipientInfo{}}, kms.ErrValidation, "Recipient"},
		{"ok", &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.k.Decrypt(ctx, tt.in)
			wantErr(t, err, tt.err, tt.msg)
			if errors.Is(err, kms.ErrInvalidCiphertext) && err.(*kms.Error).ErrorMessage() != "" {
				t.Fatalf("InvalidCiphertextException must carry no detail, got %q", err.(*kms.Error).ErrorMessage())
			}
		})
	}
	// Disabling the key makes Decrypt fail with DisabledException; enabling restores it.
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	_, err = f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec})
	wantErr(t, err, kms.ErrDisabled, " is disabled.")
	if _, err := f.k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec}); err != nil {
		t.Fatal(err)
	}
}

// TestEncryptionContextIsUnambiguous is the collision some emulators get
// wrong: {"ab":"c"} and {"a":"bc"} concatenate to the same string.
func TestEncryptionContextIsUnambiguous(t *testing.T) {
	f := newFixture(t)
	id, _ := f.key(t)
	pairs := [][2]map[string]string{
		{{"ab": "c"}, {"a": "bc"}},
		{{"a": "b", "c": "d"}, {"a": "bc", "": "d"}},
		{{"a": ""}, {}},
		{{"a=b": "c"}, {"a": "b=c"}},
		{{"k": "v1"}, {"k1": "v"}},
	}
	for _, p := range pairs {
		enc, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionContext: p[0]})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: p[1]})
		wantErr(t, err, kms.ErrInvalidCiphertext, "")
		if _, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: p[0]}); err != nil {
			t.Fatalf("own context %v: %v", p[0], err)
		}
	}
	// A nil and an empty context are the same context.
	enc, _ := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	if _, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
}

// TestEveryBitFlipIsInvalidCiphertext flips each bit of a ciphertext blob in
// turn: every variant must give InvalidCiphertextException, never another
// error, a panic or a plaintext.
func TestEveryBitFlipIsInvalidCiphertext(t *testing.T) {
	f := newFixture(t)
	id, _ := f.key(t)
	f.key(t) // another key in the account
	ec := map[string]string{"purpose": "bitflip"}
	enc, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("attack at dawn"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	blob := enc.CiphertextBlob
	for i := range len(blob) * 8 {
		flipped := bytes.Clone(blob)
		flipped[i/8] ^= 1 << (i % 8)
		_, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: flipped, EncryptionContext: ec})
		if !errors.Is(err, kms.ErrInvalidCiphertext) {
			t.Fatalf("bit %d (byte %d): error = %v, want InvalidCiphertextException", i, i/8, err)
		}
	}
}

func TestReEncrypt(t *testing.T) {
	f := newFixture(t)
	src, srcARN := f.key(t)
	dst, dstARN := f.key(t)
	disabled, _ := f.key(t)
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/dst", TargetKeyId: dst}); err != nil {
		t.Fatal(err)
	}
	sec, dec := map[string]string{"stage": "old"}, map[string]string{"stage": "new"}
	enc, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: src, Plaintext: []byte("payload"), EncryptionContext: sec})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sec, DestinationKeyId: "alias/dst", DestinationEncryptionContext: dec})
	if err != nil {
		t.Fatal(err)
	}
	if out.SourceKeyId != srcARN || out.KeyId != dstARN || out.SourceEncryptionAlgorithm != kms.EncryptionAlgorithmSpecSymmetricDefault ||
		out.DestinationEncryptionAlgorithm != kms.EncryptionAlgorithmSpecSymmetricDefault || len(out.SourceKeyMaterialId) != 64 || len(out.DestinationKeyMaterialId) != 64 {
		t.Fatalf("ReEncrypt output = %+v", out)
	}
	got, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: dec})
	if err != nil || string(got.Plaintext) != "payload" || got.KeyId != dstARN {
		t.Fatalf("Decrypt after ReEncrypt = %+v, %v", got, err)
	}
	// The old context no longer opens the new blob.
	_, err = f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: sec})
	wantErr(t, err, kms.ErrInvalidCiphertext, "")

	tests := []struct {
		name string
		in   *kms.ReEncryptInput
		err  error
		msg  string
	}{
		{"nil input", nil, kms.ErrValidation, "'ciphertextBlob'"},
		{"missing destination", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob}, kms.ErrValidation, "'destinationKeyId'"},
		{"wrong source context", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: dst}, kms.ErrInvalidCiphertext, ""},
		{"wrong SourceKeyId", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sec, SourceKeyId: dst, DestinationKeyId: dst}, kms.ErrIncorrectKey, ""},
		{"right SourceKeyId", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sec, SourceKeyId: srcARN, DestinationKeyId: dst}, nil, ""},
		{"disabled destination", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sec, DestinationKeyId: disabled}, kms.ErrDisabled, " is disabled."},
		{"unknown destination", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sec, DestinationKeyId: "alias/none"}, kms.ErrNotFound, ""},
		{"same key", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sec, DestinationKeyId: src}, nil, ""},
		{"dry run", &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sec, DestinationKeyId: dst, DryRun: true}, kms.ErrDryRunOperation, ""},
		{"dry run ignore ciphertext", &kms.ReEncryptInput{CiphertextBlob: []byte("junk"), SourceKeyId: src, DestinationKeyId: dst, DryRun: true, DryRunModifiers: []kms.DryRunModifierType{kms.DryRunModifierTypeIgnoreCiphertext}}, kms.ErrDryRunOperation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.k.ReEncrypt(ctx, tt.in)
			wantErr(t, err, tt.err, tt.msg)
		})
	}
	// A disabled source key: DisabledException.
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: src}); err != nil {
		t.Fatal(err)
	}
	_, err = f.k.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sec, DestinationKeyId: dst})
	wantErr(t, err, kms.ErrDisabled, srcARN+" is disabled.")
}

func TestGenerateDataKey(t *testing.T) {
	f := newFixture(t)
	id, arn := f.key(t)
	ec := map[string]string{"file": "a.txt"}
	for _, tc := range []struct {
		spec kms.DataKeySpec
		n    int32
		size int
	}{{kms.DataKeySpecAes256, 0, 32}, {kms.DataKeySpecAes128, 0, 16}, {"", 1, 1}, {"", 64, 64}, {"", 1024, 1024}} {
		out, err := f.k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, KeySpec: tc.spec, NumberOfBytes: tc.n, EncryptionContext: ec})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Plaintext) != tc.size || out.KeyId != arn || len(out.KeyMaterialId) != 64 {
			t.Fatalf("GenerateDataKey(%s,%d) = %d bytes, %+v", tc.spec, tc.n, len(out.Plaintext), out)
		}
		dec, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: ec})
		if err != nil || !bytes.Equal(dec.Plaintext, out.Plaintext) || dec.KeyMaterialId != out.KeyMaterialId {
			t.Fatalf("data key does not decrypt back: %v", err)
		}
		wp, err := f.k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: id, KeySpec: tc.spec, NumberOfBytes: tc.n, EncryptionContext: ec})
		if err != nil || wp.KeyId != arn || len(wp.KeyMaterialId) != 64 {
			t.Fatalf("GenerateDataKeyWithoutPlaintext: %+v, %v", wp, err)
		}
		dec, err = f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wp.CiphertextBlob, EncryptionContext: ec})
		if err != nil || len(dec.Plaintext) != tc.size {
			t.Fatalf("data key without plaintext does not decrypt: %v", err)
		}
	}
	a, _ := f.k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, KeySpec: kms.DataKeySpecAes256})
	b, _ := f.k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, KeySpec: kms.DataKeySpecAes256})
	if bytes.Equal(a.Plaintext, b.Plaintext) {
		t.Fatal("two data keys are equal")
	}
	disabled, _ := f.key(t)
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled}); err != nil {
		t.Fatal(err)
	}
	const either = "Please specify either number of bytes or key spec."
	tests := []struct {
		name string
		in   kms.GenerateDataKeyInput
		err  error
		msg  string
	}{
		{"neither", kms.GenerateDataKeyInput{KeyId: id}, kms.ErrValidation, either},
		{"both", kms.GenerateDataKeyInput{KeyId: id, KeySpec: kms.DataKeySpecAes256, NumberOfBytes: 32}, kms.ErrValidation, either},
		{"bad spec", kms.GenerateDataKeyInput{KeyId: id, KeySpec: "AES-256"}, kms.ErrValidation, "Value 'AES-256' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"},
		{"too many bytes", kms.GenerateDataKeyInput{KeyId: id, NumberOfBytes: 1025}, kms.ErrValidation, "Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},
		{"negative bytes", kms.GenerateDataKeyInput{KeyId: id, NumberOfBytes: -1}, kms.ErrValidation, "Member must have value greater than or equal to 1"},
		{"missing key", kms.GenerateDataKeyInput{KeySpec: kms.DataKeySpecAes256}, kms.ErrValidation, "'keyId'"},
		{"unknown key", kms.GenerateDataKeyInput{KeyId: "alias/none", KeySpec: kms.DataKeySpecAes256}, kms.ErrNotFound, ""},
		{"disabled key", kms.GenerateDataKeyInput{KeyId: disabled, KeySpec: kms.DataKeySpecAes256}, kms.ErrDisabled, ""},
		{"dry run", kms.GenerateDataKeyInput{KeyId: id, KeySpec: kms.DataKeySpecAes256, DryRun: true}, kms.ErrDryRunOperation, ""},
		{"recipient", kms.GenerateDataKeyInput{KeyId: id, KeySpec: kms.DataKeySpecAes256, Recipient: &kms.RecipientInfo{}}, kms.ErrValidation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.k.GenerateDataKey(ctx, &tt.in)
			wantErr(t, err, tt.err, tt.msg)
			if tt.in.Recipient != nil {
				return
			}
			_, err = f.k.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{
				KeyId: tt.in.KeyId, KeySpec: tt.in.KeySpec, NumberOfBytes: tt.in.NumberOfBytes, DryRun: tt.in.DryRun,
			})
			wantErr(t, err, tt.err, tt.msg)
		})
	}
}

// TestConcurrentUse runs crypto and key management from many goroutines at
// once; run with -race. State changes must be seen consistently: after
// DisableKey returns, no Encrypt may succeed.
func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	id, _ := f.key(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ec := map[string]string{"g": itoa(g)}
			for i := range 50 {
				pt := []byte("msg " + itoa(i))
				enc, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: pt, EncryptionContext: ec})
				if err != nil {
					t.Error(err)
					return
				}
				dec, err := f.k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
				if err != nil || !bytes.Equal(dec.Plaintext, pt) {
					t.Errorf("decrypt: %v", err)
					return
				}
				if i%10 == 0 {
					if _, err := f.k.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []kms.Tag{{TagKey: "g" + itoa(g), TagValue: itoa(i)}}}); err != nil {
						t.Error(err)
						return
					}
					if _, err := f.k.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	tags, err := f.k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id})
	if err != nil || len(tags.Tags) != 8 {
		t.Fatalf("tags after concurrent TagResource: %v, %v", tags, err)
	}

	// Disable while others encrypt: once DisableKey has returned, every
	// later Encrypt fails.
	stop := make(chan struct{})
	var disabledAt sync.WaitGroup
	disabledAt.Add(1)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
			}
		}()
	}
	if _, err := f.k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		_, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
		wantErr(t, err, kms.ErrDisabled, "")
	}
	close(stop)
	wg.Wait()
}

// TestHandlesShareBackend: two handles on one backend (two Regions of one
// account, and a second handle of the same Region) see each other's writes
// at once, and a key of one Region is not visible from the other.
func TestHandlesShareBackend(t *testing.T) {
	store := memory.New()
	defer store.Close()
	east1, err := kms.New(kms.Options{Backend: store})
	if err != nil {
		t.Fatal(err)
	}
	defer east1.Close()
	east2, err := kms.New(kms.Options{Backend: store})
	if err != nil {
		t.Fatal(err)
	}
	defer east2.Close()
	west, err := kms.New(kms.Options{Backend: store, Region: "us-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	defer west.Close()

	key, err := east1.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := key.KeyMetadata.KeyId
	enc, err := east2.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := east1.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil {
		t.Fatal(err)
	}
	// Disabling through one handle is seen by the other's cache at once.
	if _, err := east1.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	_, err = east2.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	wantErr(t, err, kms.ErrDisabled, "")
	_, err = west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	wantErr(t, err, kms.ErrNotFound, "")
	// A blob of another Region does not decrypt here.
	_, err = west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantErr(t, err, kms.ErrInvalidCiphertext, "")
}

// TestCrossAccount: a handle of another account on the same backend can
// name a key by ARN, and the default key policy denies it.
func TestCrossAccount(t *testing.T) {
	store := memory.New()
	defer store.Close()
	owner, _ := kms.New(kms.Options{Backend: store})
	defer owner.Close()
	other, err := kms.New(kms.Options{Backend: store, AccountID: "444455556666"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	key, _ := owner.CreateKey(ctx, &kms.CreateKeyInput{})
	enc, _ := owner.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")})

	_, err = other.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.Arn, Plaintext: []byte("x")})
	wantErr(t, err, kms.ErrAccessDenied, "is not authorized to perform: kms:Encrypt on resource: "+key.KeyMetadata.Arn)
	_, err = other.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantErr(t, err, kms.ErrAccessDenied, "kms:Decrypt")
	// Without the ARN, the other account looks in its own namespace.
	_, err = other.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, kms.ErrNotFound, "444455556666")
	// A caller of another account on the owner's handle is denied too; a
	// user of the owner's account is allowed.
	_, err = owner.Encrypt(kms.WithCaller(ctx, "arn:aws:iam::444455556666:user/mallory"), &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, kms.ErrAccessDenied, "arn:aws:iam::444455556666:user/mallory")
	if _, err := owner.Encrypt(kms.WithCaller(ctx, "arn:aws:iam::111122223333:user/alice"), &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = owner.CreateKey(kms.WithCaller(ctx, "not an arn"), &kms.CreateKeyInput{})
	wantErr(t, err, kms.ErrAccessDenied, "")
}

// FuzzDecrypt feeds arbitrary bytes to Decrypt's ciphertext parsing: it
// must never panic and never return anything but an error for bytes that
// are not a blob it made.
func FuzzDecrypt(f *testing.F) {
	k, err := kms.New(kms.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer k.Close()
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	enc, _ := k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("seed"), EncryptionContext: map[string]string{"a": "b"}})
	f.Add(enc.CiphertextBlob)
	f.Add([]byte{1})
	f.Add([]byte{1, 12, '1', '1', '1', '1', '2', '2', '2', '2', '3', '3', '3', '3'})
	f.Add(make([]byte, 100))
	f.Fuzz(func(t *testing.T, blob []byte) {
		out, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: map[string]string{"a": "b"}})
		if err == nil && !bytes.Equal(out.Plaintext, []byte("seed")) {
			t.Fatalf("decrypted a blob it never made: %x -> %q", blob, out.Plaintext)
		}
		var e *kms.Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error %T is not a *kms.Error", err)
		}
	})
}

// TestVolatileStoreOutlivesHandles: a memory store opened without a root
// key keeps its (random) root key for its whole life, so a handle opened
// after every earlier one closed still decrypts their ciphertexts.
func TestVolatileStoreOutlivesHandles(t *testing.T) {
	store := memory.New()
	defer store.Close()
	first, err := kms.New(kms.Options{Backend: store})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := first.CreateKey(ctx, &kms.CreateKeyInput{})
	enc, err := first.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("kept")})
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	second, err := kms.New(kms.Options{Backend: store})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	dec, err := second.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "kept" {
		t.Fatalf("Decrypt through a later handle: %v", err)
	}
}

// TestClosedHandleRefusesCalls: after Close no call succeeds, not even one
// the cache could answer.
func TestClosedHandleRefusesCalls(t *testing.T) {
	store := memory.New()
	defer store.Close()
	k, err := kms.New(kms.Options{Backend: store})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := k.CreateKey(ctx, &kms.CreateKeyInput{})
	enc, _ := k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")})
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")})
	wantErr(t, err, kms.ErrKMSInternal, "closed")
	_, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantErr(t, err, kms.ErrKMSInternal, "closed")
	_, err = k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.KeyId})
	wantErr(t, err, kms.ErrKMSInternal, "closed")
	_, err = k.ListKeys(ctx, nil)
	wantErr(t, err, kms.ErrKMSInternal, "closed")
	if err := k.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestDeletedKeysAliasesAreGone: once a key's deletion date passes, its
// aliases are gone for every operation at once, without a ListAliases in
// between (AWS: deletion removes "all aliases that refer to it").
func TestDeletedKeysAliasesAreGone(t *testing.T) {
	f := newFixture(t)
	id, _ := f.key(t)
	other, _ := f.key(t)
	for _, n := range []string{"alias/reused", "alias/moved", "alias/used"} {
		if _, err := f.k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: n, TargetKeyId: id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/used", Plaintext: []byte("x")}); err != nil {
		t.Fatal(err) // caches the alias
	}
	if _, err := f.k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: 7}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(8 * 24 * time.Hour)

	_, err := f.k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/used", Plaintext: []byte("x")})
	wantErr(t, err, kms.ErrNotFound, "Alias arn:aws:kms:us-east-1:111122223333:alias/used is not found.")
	if _, err := f.k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/reused", TargetKeyId: other}); err != nil {
		t.Fatalf("reusing a deleted key's alias name: %v", err)
	}
	_, err = f.k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/moved", TargetKeyId: other})
	wantErr(t, err, kms.ErrNotFound, "alias/moved is not found.")
}
