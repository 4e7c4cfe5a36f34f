package kms

import (
	"context"
	"errors"

	"github.com/embedkms/kms/crypto"
)

// Limits of the symmetric operations, from the API model.
const (
	MaxPlaintextSize     = 4096 // PlaintextType
	MaxCiphertextSize    = 6144 // CiphertextType
	MaxDataKeyBytes      = 1024 // NumberOfBytesType
	MaxGrantTokens       = 10   // GrantTokenList
	maxGrantTokenLength  = 8192
	dryRunMessage        = "The request would have succeeded, but the DryRun option is set."
	incorrectKeyMessage  = "The key ID in the request does not identify a CMK that can perform this operation."
	recipientUnsupported = "Recipient (Nitro Enclaves attestation) is not supported: embedkms has no enclave to attest"
)

var (
	opEncrypt                         = op("Encrypt", true, true)
	opDecrypt                         = op("Decrypt", true, true)
	opGenerateDataKey                 = op("GenerateDataKey", true, true)
	opGenerateDataKeyWithoutPlaintext = op("GenerateDataKeyWithoutPlaintext", true, true)
	// ReEncrypt is one row of the key-state table but two IAM actions.
	opReEncryptFrom = opAs("ReEncrypt", "kms:ReEncryptFrom", true, true)
	opReEncryptTo   = opAs("ReEncrypt", "kms:ReEncryptTo", true, true)
)

// errDryRun is the DryRunOperationException every DryRun request that
// passed all checks gets.
func errDryRun() error { return &Error{Code: ErrDryRunOperation, Message: dryRunMessage} }

// errInvalidCiphertext carries no message, as in AWS: it never says which
// check failed.
func errInvalidCiphertext() error { return &Error{Code: ErrInvalidCiphertext} }

// checkSymmetric checks that ck is a symmetric encryption key, for the
// operations that take no other: GenerateDataKey*, and Encrypt, Decrypt
// and ReEncrypt until RSA keys encrypt.
func checkSymmetric(ck *cachedKey, o keyOp, alg EncryptionAlgorithmSpec) error {
	if KeySpec(ck.rec.KeySpec) != KeySpecSymmetricDefault {
		return newErr(ErrInvalidKeyUsage, "%s key spec is %s which is not valid for %s.", ck.arn, ck.rec.KeySpec, o.name)
	}
	if alg != "" && alg != EncryptionAlgorithmSpecSymmetricDefault {
		return newErr(ErrInvalidKeyUsage, "%s key spec is %s which is not valid for encryption algorithm %s.", ck.arn, ck.rec.KeySpec, alg)
	}
	return nil
}

// Encrypt encrypts up to 4096 bytes under a symmetric key, binding the
// encryption context. The blob names the key, so Decrypt needs no KeyId.
func (k *KMS) Encrypt(ctx context.Context, in *EncryptInput) (*EncryptOutput, error) {
	if in == nil {
		in = &EncryptInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.blob("plaintext", in.Plaintext, 1, MaxPlaintextSize, true, true)
	v.grantTokens(in.GrantTokens)
	enum(&v, "encryptionAlgorithm", in.EncryptionAlgorithm, EncryptionAlgorithmSpec("").Values())
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opEncrypt)
	if err != nil {
		return nil, err
	}
	x := authzExtra{encryptionContext: in.EncryptionContext, encryptionAlgorithm: in.EncryptionAlgorithm, grantTokens: in.GrantTokens}
	if err := k.checkUse(ctx, ck, opEncrypt, x); err != nil {
		return nil, err
	}
	if err := checkSymmetric(ck, opEncrypt, x.encryptionAlgorithm); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	blob, err := k.seal(ck, in.EncryptionContext, in.Plaintext)
	if err != nil {
		return nil, err
	}
	return &EncryptOutput{CiphertextBlob: blob, KeyId: ck.arn, EncryptionAlgorithm: EncryptionAlgorithmSpecSymmetricDefault}, nil
}

func (k *KMS) seal(ck *cachedKey, ec map[string]string, pt []byte) ([]byte, error) {
	blob, err := crypto.SealBlob(ck.current.aead, &ck.hdr, ec, pt)
	if err != nil {
		return nil, internal(err)
	}
	return blob, nil
}

// opened is a decrypted blob and the key that decrypted it.
type opened struct {
	ck         *cachedKey
	plaintext  []byte
	materialID string
}

// str returns b as a string, reusing s when equal (no allocation in the
// common case of a blob of the handle's own account and Region).
func str(b []byte, s string) string {
	if string(b) == s {
		return s
	}
	return string(b)
}

// open decrypts blob for Decrypt or ReEncrypt (as o). keyID, if given, must
// name the key the blob was encrypted under (IncorrectKeyException
// otherwise). Any malformed or inauthentic blob gives
// InvalidCiphertextException with no detail. With ignoreCiphertext (DryRun
// modifier IGNORE_CIPHERTEXT) the blob is not examined: keyID is checked
// and nothing is decrypted.
func (k *KMS) open(ctx context.Context, o keyOp, blob []byte, keyID string, x authzExtra, ignoreCiphertext bool) (opened, error) {
	var named *cachedKey
	if keyID != "" {
		var err error
		if named, err = k.entry(ctx, keyID, o); err != nil {
			return opened{}, err
		}
	}
	if ignoreCiphertext {
		if named == nil {
			member := "KeyId"
			if o.action == opReEncryptFrom.action {
				member = "SourceKeyId"
			}
			return opened{}, invalid("%s is required when DryRunModifiers contains IGNORE_CIPHERTEXT", member)
		}
		if err := k.checkUse(ctx, named, o, x); err != nil {
			return opened{}, err
		}
		if err := checkSymmetric(named, o, x.encryptionAlgorithm); err != nil {
			return opened{}, err
		}
		return opened{ck: named}, nil
	}
	hdr, err := crypto.ParseBlobHeader(blob)
	if err != nil || string(hdr.Region) != k.region {
		return opened{}, errInvalidCiphertext()
	}
	ref := keyRef{account: str(hdr.Account, k.account), region: k.region, name: string(hdr.KeyID)}
	ck := named
	if ck == nil {
		if ck, err = k.entryByRef(ctx, ref); err != nil {
			if errors.Is(err, ErrNotFound) {
				return opened{}, errInvalidCiphertext()
			}
			return opened{}, err
		}
	} else if ck.rec.Account != ref.account || ck.rec.KeyID != ref.name {
		return opened{}, newErr(ErrIncorrectKey, incorrectKeyMessage)
	}
	if err := k.checkUse(ctx, ck, o, x); err != nil {
		return opened{}, err
	}
	if err := checkSymmetric(ck, o, x.encryptionAlgorithm); err != nil {
		return opened{}, err
	}
	m, ok := ck.materials[hdr.MaterialID]
	if !ok {
		return opened{}, errInvalidCiphertext()
	}
	pt, err := crypto.OpenBlob(m.aead, blob, hdr.Len, x.encryptionContext)
	if err != nil {
		return opened{}, errInvalidCiphertext()
	}
	return opened{ck: ck, plaintext: pt, materialID: m.id}, nil
}

func hasModifier(ms []DryRunModifierType, m DryRunModifierType) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// Decrypt decrypts a blob made by Encrypt, GenerateDataKey,
// GenerateDataKeyWithoutPlaintext or ReEncrypt. The encryption context must
// be the one used to encrypt. KeyId is optional; if given it must name the
// blob's key.
func (k *KMS) Decrypt(ctx context.Context, in *DecryptInput) (*DecryptOutput, error) {
	if in == nil {
		in = &DecryptInput{}
	}
	var v validator
	v.blob("ciphertextBlob", in.CiphertextBlob, 1, MaxCiphertextSize, true, false)
	v.optKeyID("keyId", in.KeyId)
	v.grantTokens(in.GrantTokens)
	enum(&v, "encryptionAlgorithm", in.EncryptionAlgorithm, EncryptionAlgorithmSpec("").Values())
	v.dryRunModifiers(in.DryRunModifiers)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.Recipient != nil {
		return nil, invalid(recipientUnsupported)
	}
	x := authzExtra{encryptionContext: in.EncryptionContext, encryptionAlgorithm: in.EncryptionAlgorithm, grantTokens: in.GrantTokens}
	ignore := in.DryRun && hasModifier(in.DryRunModifiers, DryRunModifierTypeIgnoreCiphertext)
	res, err := k.open(ctx, opDecrypt, in.CiphertextBlob, in.KeyId, x, ignore)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	return &DecryptOutput{
		KeyId:               res.ck.arn,
		Plaintext:           res.plaintext,
		EncryptionAlgorithm: EncryptionAlgorithmSpecSymmetricDefault,
		KeyMaterialId:       res.materialID,
	}, nil
}

// ReEncrypt decrypts a blob and encrypts its plaintext under another key
// (or the same one) and encryption context, without exposing the
// plaintext.
func (k *KMS) ReEncrypt(ctx context.Context, in *ReEncryptInput) (*ReEncryptOutput, error) {
	if in == nil {
		in = &ReEncryptInput{}
	}
	var v validator
	v.blob("ciphertextBlob", in.CiphertextBlob, 1, MaxCiphertextSize, true, false)
	v.optKeyID("sourceKeyId", in.SourceKeyId)
	v.keyID("destinationKeyId", in.DestinationKeyId)
	enum(&v, "sourceEncryptionAlgorithm", in.SourceEncryptionAlgorithm, EncryptionAlgorithmSpec("").Values())
	enum(&v, "destinationEncryptionAlgorithm", in.DestinationEncryptionAlgorithm, EncryptionAlgorithmSpec("").Values())
	v.grantTokens(in.GrantTokens)
	v.dryRunModifiers(in.DryRunModifiers)
	if err := v.err(); err != nil {
		return nil, err
	}
	src := authzExtra{encryptionContext: in.SourceEncryptionContext, encryptionAlgorithm: in.SourceEncryptionAlgorithm, grantTokens: in.GrantTokens}
	ignore := in.DryRun && hasModifier(in.DryRunModifiers, DryRunModifierTypeIgnoreCiphertext)
	res, err := k.open(ctx, opReEncryptFrom, in.CiphertextBlob, in.SourceKeyId, src, ignore)
	if err != nil {
		return nil, err
	}
	defer clear(res.plaintext)
	dst, err := k.entry(ctx, in.DestinationKeyId, opReEncryptTo)
	if err != nil {
		return nil, err
	}
	x := authzExtra{encryptionContext: in.DestinationEncryptionContext, encryptionAlgorithm: in.DestinationEncryptionAlgorithm, grantTokens: in.GrantTokens}
	if err := k.checkUse(ctx, dst, opReEncryptTo, x); err != nil {
		return nil, err
	}
	if err := checkSymmetric(dst, opReEncryptTo, x.encryptionAlgorithm); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	blob, err := k.seal(dst, in.DestinationEncryptionContext, res.plaintext)
	if err != nil {
		return nil, err
	}
	return &ReEncryptOutput{
		CiphertextBlob:                 blob,
		SourceKeyId:                    res.ck.arn,
		KeyId:                          dst.arn,
		SourceEncryptionAlgorithm:      EncryptionAlgorithmSpecSymmetricDefault,
		DestinationEncryptionAlgorithm: EncryptionAlgorithmSpecSymmetricDefault,
		SourceKeyMaterialId:            res.materialID,
		DestinationKeyMaterialId:       dst.current.id,
	}, nil
}

// dataKeySize returns the data key length GenerateDataKey* produce: exactly
// one of KeySpec and NumberOfBytes must be given.
func dataKeySize(spec DataKeySpec, n int32) (int, error) {
	switch {
	case (spec == "") == (n == 0):
		return 0, invalid("Please specify either number of bytes or key spec.")
	case spec == DataKeySpecAes128:
		return 16, nil
	case spec == DataKeySpecAes256:
		return 32, nil
	}
	return int(n), nil
}

// GenerateDataKey returns a fresh data key in plaintext and encrypted under
// a symmetric key, for envelope encryption.
func (k *KMS) GenerateDataKey(ctx context.Context, in *GenerateDataKeyInput) (*GenerateDataKeyOutput, error) {
	if in == nil {
		in = &GenerateDataKeyInput{}
	}
	pt, blob, ck, err := k.generateDataKey(ctx, opGenerateDataKey, in.KeyId, in.EncryptionContext, in.KeySpec, in.NumberOfBytes, in.GrantTokens, in.DryRun, in.Recipient != nil)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyOutput{CiphertextBlob: blob, Plaintext: pt, KeyId: ck.arn, KeyMaterialId: ck.current.id}, nil
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey that returns only the
// encrypted data key.
func (k *KMS) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *GenerateDataKeyWithoutPlaintextInput) (*GenerateDataKeyWithoutPlaintextOutput, error) {
	if in == nil {
		in = &GenerateDataKeyWithoutPlaintextInput{}
	}
	pt, blob, ck, err := k.generateDataKey(ctx, opGenerateDataKeyWithoutPlaintext, in.KeyId, in.EncryptionContext, in.KeySpec, in.NumberOfBytes, in.GrantTokens, in.DryRun, false)
	if err != nil {
		return nil, err
	}
	clear(pt)
	return &GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: blob, KeyId: ck.arn, KeyMaterialId: ck.current.id}, nil
}

// generateDataKey is GenerateDataKey*. recipient says the request has a
// Recipient, checked after the members' constraints as Decrypt does.
func (k *KMS) generateDataKey(ctx context.Context, o keyOp, keyID string, ec map[string]string, spec DataKeySpec, n int32, grantTokens []string, dryRun, recipient bool) ([]byte, []byte, *cachedKey, error) {
	var v validator
	v.keyID("keyId", keyID)
	v.intRange("numberOfBytes", n, 1, MaxDataKeyBytes)
	enum(&v, "keySpec", spec, DataKeySpec("").Values())
	v.grantTokens(grantTokens)
	if err := v.err(); err != nil {
		return nil, nil, nil, err
	}
	if recipient {
		return nil, nil, nil, invalid(recipientUnsupported)
	}
	size, err := dataKeySize(spec, n)
	if err != nil {
		return nil, nil, nil, err
	}
	ck, err := k.entry(ctx, keyID, o)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := k.checkUse(ctx, ck, o, authzExtra{encryptionContext: ec, grantTokens: grantTokens}); err != nil {
		return nil, nil, nil, err
	}
	if err := checkSymmetric(ck, o, ""); err != nil {
		return nil, nil, nil, err
	}
	if dryRun {
		return nil, nil, nil, errDryRun()
	}
	pt := crypto.Random(size)
	blob, err := k.seal(ck, ec, pt)
	if err != nil {
		return nil, nil, nil, err
	}
	return pt, blob, ck, nil
}
