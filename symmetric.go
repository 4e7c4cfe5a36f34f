package kms

import (
	"context"
	"errors"
	"slices"

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

// Messages AWS sends for asymmetric encryption. The first two are as
// recorded from AWS in localstack's snapshot tests
// (tests/aws/services/kms/test_kms.snapshot.json,
// test_encrypt_validate_plaintext_size_per_key_type) and in reports of
// AWS errors (sops#684, pulumi#17649: "Algorithm SYMMETRIC_DEFAULT is
// incompatible with key spec RSA_4096."); the last two as floci's tests
// pin them, measured against AWS (floci-io/floci#3038).
const (
	plaintextTooLarge = "Algorithm %s and key spec %s cannot encrypt data larger than %d bytes."
	asymmetricContext = "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs."
	keyIDNull         = "%s must not be null"
)

// encryptionAlgorithm checks that ck's key spec supports alg (a request's
// EncryptionAlgorithm member; none means SYMMETRIC_DEFAULT) and returns
// alg, and for an RSA key its Decrypter. Any other pairing is
// InvalidKeyUsageException: a symmetric key takes only SYMMETRIC_DEFAULT,
// an RSA key only its RSAES_OAEP_* algorithms, so GenerateDataKey* and an
// Encrypt that names no algorithm refuse an RSA key. Call it after
// checkUse, which has checked the key usage.
func encryptionAlgorithm(ck *cachedKey, alg EncryptionAlgorithmSpec) (EncryptionAlgorithmSpec, crypto.Decrypter, error) {
	if alg == "" {
		alg = EncryptionAlgorithmSpecSymmetricDefault
	}
	if ck.current.aead != nil || ck.rec.CustomKeyStoreID != "" {
		if alg == EncryptionAlgorithmSpecSymmetricDefault {
			return alg, nil, nil
		}
	} else if d, ok := ck.current.prim.(crypto.Decrypter); ok && alg != EncryptionAlgorithmSpecSymmetricDefault && slices.Contains(d.EncryptionAlgorithms(), string(alg)) {
		return alg, d, nil
	}
	return "", nil, errIncompatibleAlgorithm(alg, ck)
}

// notApproved reports an algorithm this process may not use (FIPS 140-3
// only mode) as UnsupportedOperationException; any other err is internal.
func notApproved(alg EncryptionAlgorithmSpec, err error) error {
	if errors.Is(err, crypto.ErrNotApproved) {
		return newErr(ErrUnsupportedOperation, "Algorithm %s is not available: this process runs in FIPS 140-3 only mode (GODEBUG=fips140=only).", alg)
	}
	return internal(err)
}

// rsaEncrypt encrypts pt under an RSA key's public key for Encrypt and
// ReEncrypt: no encryption context, at most the OAEP limit of the key and
// algorithm. The ciphertext is the bare RSAES-OAEP output, as long as the
// modulus, with no header: it is what openssl or any OAEP implementation
// makes with the key's public key, and Decrypt needs KeyId and
// EncryptionAlgorithm to open it.
func rsaEncrypt(ck *cachedKey, d crypto.Decrypter, alg EncryptionAlgorithmSpec, ec map[string]string, pt []byte, dryRun bool) ([]byte, error) {
	if len(ec) != 0 {
		return nil, invalid(asymmetricContext)
	}
	if limit, err := d.MaxPlaintext(string(alg)); err != nil {
		return nil, notApproved(alg, err)
	} else if len(pt) > limit {
		return nil, invalid(plaintextTooLarge, alg, ck.rec.KeySpec, limit)
	}
	if len(pt) == 0 && alg == EncryptionAlgorithmSpecSm2pke {
		// Only ReEncrypt gets here with nothing (an RSA ciphertext of the
		// empty message): SM2PKE has no encryption of it. Wording ours.
		return nil, invalid("Algorithm SM2PKE cannot encrypt an empty plaintext.")
	}
	if dryRun {
		return nil, errDryRun()
	}
	ct, err := d.Encrypt(string(alg), pt)
	if err != nil {
		return nil, internal(err)
	}
	return ct, nil
}

// Encrypt encrypts up to 4096 bytes under a symmetric key, binding the
// encryption context. The blob names the key, so Decrypt needs no KeyId.
func (k *KMS) Encrypt(ctx context.Context, in *EncryptInput) (result *EncryptOutput, opErr error) {
	defer finish(k.audit(&ctx, "Encrypt", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
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
	x := authzExtra{encryptionContext: in.EncryptionContext, encryptionAlgorithm: in.EncryptionAlgorithm, grantTokens: in.GrantTokens, requestKeyID: in.KeyId}
	if err := k.checkUse(ctx, ck, opEncrypt, x); err != nil {
		return nil, err
	}
	alg, d, err := encryptionAlgorithm(ck, in.EncryptionAlgorithm)
	if err != nil {
		return nil, err
	}
	if d != nil {
		ct, err := rsaEncrypt(ck, d, alg, in.EncryptionContext, in.Plaintext, in.DryRun)
		if err != nil {
			return nil, err
		}
		k.used(ctx, KeyLastUsageTrackingOperationEncrypt, ck)
		return &EncryptOutput{CiphertextBlob: ct, KeyId: ck.arn, EncryptionAlgorithm: alg}, nil
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	blob, err := k.seal(ctx, opEncrypt, ck, in.EncryptionContext, in.Plaintext)
	if err != nil {
		return nil, err
	}
	k.used(ctx, KeyLastUsageTrackingOperationEncrypt, ck)
	return &EncryptOutput{CiphertextBlob: blob, KeyId: ck.arn, EncryptionAlgorithm: EncryptionAlgorithmSpecSymmetricDefault}, nil
}

// seal encrypts pt under ck's current material for o, or under its key in
// its custom key store.
func (k *KMS) seal(ctx context.Context, o keyOp, ck *cachedKey, ec map[string]string, pt []byte) ([]byte, error) {
	if ck.rec.CustomKeyStoreID != "" {
		return k.sealCustom(ctx, o, ck, ec, pt)
	}
	blob, err := crypto.SealBlob(ck.current.aead, &ck.hdr, ec, pt)
	if err != nil {
		return nil, internal(err)
	}
	return blob, nil
}

// opened is a decrypted ciphertext and the key that decrypted it.
type opened struct {
	ck         *cachedKey
	plaintext  []byte
	alg        EncryptionAlgorithmSpec
	materialID string // "" for an RSA key: AWS returns no KeyMaterialId then
}

// str returns b as a string, reusing s when equal (no allocation in the
// common case of a blob of the handle's own account and Region).
func str(b []byte, s string) string {
	if string(b) == s {
		return s
	}
	return string(b)
}

// open decrypts a ciphertext for Decrypt or ReEncrypt (as o).
//
// With x.encryptionAlgorithm absent or SYMMETRIC_DEFAULT the ciphertext is
// a blob, which names its key: keyID, if given, must name the same key
// (IncorrectKeyException otherwise), and any malformed or inauthentic blob
// gives InvalidCiphertextException with no detail. So an RSA ciphertext
// sent without EncryptionAlgorithm fails as a bad blob, whether or not
// KeyId names its key, as AWS does (floci-io/floci#3038, measured against
// AWS; aws/aws-sdk-java#2310).
//
// With any other algorithm the ciphertext is raw RSAES-OAEP under the key
// keyID names, which is then required, and takes no encryption context.
//
// With ignoreCiphertext (DryRun modifier IGNORE_CIPHERTEXT) the
// ciphertext is not examined: the named key is checked and nothing is
// decrypted.
func (k *KMS) open(ctx context.Context, o keyOp, blob []byte, keyID string, x authzExtra, ignoreCiphertext bool) (opened, error) {
	member := "KeyId"
	if o.action == opReEncryptFrom.action {
		member = "SourceKeyId"
	}
	asymmetric := x.encryptionAlgorithm != "" && x.encryptionAlgorithm != EncryptionAlgorithmSpecSymmetricDefault
	if asymmetric && keyID == "" {
		return opened{}, invalid(keyIDNull, member)
	}
	var named *cachedKey
	if keyID != "" {
		var err error
		if named, err = k.entry(ctx, keyID, o); err != nil {
			return opened{}, err
		}
	}
	if ignoreCiphertext || asymmetric {
		if named == nil {
			return opened{}, invalid("%s is required when DryRunModifiers contains IGNORE_CIPHERTEXT", member)
		}
		if err := k.checkUse(ctx, named, o, x); err != nil {
			return opened{}, err
		}
		alg, d, err := encryptionAlgorithm(named, x.encryptionAlgorithm)
		if err != nil {
			return opened{}, err
		}
		if d != nil && len(x.encryptionContext) != 0 {
			return opened{}, invalid(asymmetricContext)
		}
		if ignoreCiphertext {
			return opened{ck: named, alg: alg}, nil
		}
		pt, err := d.Decrypt(string(alg), blob)
		if errors.Is(err, crypto.ErrNotApproved) {
			return opened{}, notApproved(alg, err)
		}
		if err != nil {
			return opened{}, errInvalidCiphertext()
		}
		return opened{ck: named, plaintext: pt, alg: alg}, nil
	}
	if len(blob) > 0 && blob[0] == crypto.BlobVersion3 {
		return k.openCustom(ctx, o, blob, named, x)
	}
	hdr, err := crypto.ParseBlobHeader(blob)
	if err != nil {
		return opened{}, errInvalidCiphertext()
	}
	// A blob names the Region of the key that made it. Only a
	// multi-Region key's blob opens in another Region: with the copy of
	// the key in this one, which holds the same materials under the same
	// ids (mrk.go). The blob's header stays the authenticated data, so
	// nothing in the format depends on where it is opened.
	otherRegion := string(hdr.Region) != k.region
	if otherRegion && !isMRKBlobKey(hdr.KeyID) {
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
	if otherRegion && !ck.rec.MultiRegion {
		return opened{}, errInvalidCiphertext()
	}
	if err := k.checkUse(ctx, ck, o, x); err != nil {
		return opened{}, err
	}
	if ck.rec.CustomKeyStoreID != "" {
		// A version 1 or 2 blob naming a key in a custom key store, whose
		// blobs are all version 3.
		return opened{}, errInvalidCiphertext()
	}
	if ck.current.aead == nil {
		// A blob header naming an asymmetric key: no blob is ever sealed
		// under one.
		_, _, err := encryptionAlgorithm(ck, "")
		return opened{}, err
	}
	m, ok := ck.materials[hdr.MaterialID]
	if !ok {
		// Material this process has not seen: another process may have
		// rotated the key, its report not here yet (resolve.go).
		fresh, err := k.refreshed(ctx, ck, hdr.MaterialID)
		if err != nil {
			return opened{}, err
		}
		if fresh == nil {
			return opened{}, errInvalidCiphertext()
		}
		if err := k.checkUse(ctx, fresh, o, x); err != nil {
			return opened{}, err
		}
		ck, m = fresh, fresh.materials[hdr.MaterialID]
	}
	pt, err := crypto.OpenBlob(m.aead, blob, hdr.Len, x.encryptionContext)
	if err != nil {
		return opened{}, errInvalidCiphertext()
	}
	return opened{ck: ck, plaintext: pt, alg: EncryptionAlgorithmSpecSymmetricDefault, materialID: m.id}, nil
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
func (k *KMS) Decrypt(ctx context.Context, in *DecryptInput) (result *DecryptOutput, opErr error) {
	defer finish(k.audit(&ctx, "Decrypt", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
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
	x := authzExtra{encryptionContext: in.EncryptionContext, encryptionAlgorithm: in.EncryptionAlgorithm, grantTokens: in.GrantTokens, requestKeyID: in.KeyId}
	ignore := in.DryRun && hasModifier(in.DryRunModifiers, DryRunModifierTypeIgnoreCiphertext)
	res, err := k.open(ctx, opDecrypt, in.CiphertextBlob, in.KeyId, x, ignore)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	k.used(ctx, KeyLastUsageTrackingOperationDecrypt, res.ck)
	return &DecryptOutput{
		KeyId:               res.ck.arn,
		Plaintext:           res.plaintext,
		EncryptionAlgorithm: res.alg,
		KeyMaterialId:       res.materialID,
	}, nil
}

// ReEncrypt decrypts a blob and encrypts its plaintext under another key
// (or the same one) and encryption context, without exposing the
// plaintext.
func (k *KMS) ReEncrypt(ctx context.Context, in *ReEncryptInput) (result *ReEncryptOutput, opErr error) {
	defer finish(k.audit(&ctx, "ReEncrypt", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
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
	src := authzExtra{encryptionContext: in.SourceEncryptionContext, encryptionAlgorithm: in.SourceEncryptionAlgorithm, grantTokens: in.GrantTokens, requestKeyID: in.SourceKeyId}
	// kms:ReEncryptOnSameKey on the source key needs the destination
	// key; an unresolvable one fails below, after the source's errors.
	if dst, err := k.entry(ctx, in.DestinationKeyId, opReEncryptTo); err == nil {
		src.reEncryptOther = dst.arn
	}
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
	x := authzExtra{encryptionContext: in.DestinationEncryptionContext, encryptionAlgorithm: in.DestinationEncryptionAlgorithm, grantTokens: in.GrantTokens, requestKeyID: in.DestinationKeyId, reEncryptOther: res.ck.arn}
	if err := k.checkUse(ctx, dst, opReEncryptTo, x); err != nil {
		return nil, err
	}
	alg, d, err := encryptionAlgorithm(dst, x.encryptionAlgorithm)
	if err != nil {
		return nil, err
	}
	out := &ReEncryptOutput{
		SourceKeyId:               res.ck.arn,
		KeyId:                     dst.arn,
		SourceEncryptionAlgorithm: res.alg,
		SourceKeyMaterialId:       res.materialID,
		// AWS returns DestinationEncryptionAlgorithm even when the
		// request names none (localstack snapshot test_re_encrypt).
		DestinationEncryptionAlgorithm: alg,
	}
	if d != nil {
		if out.CiphertextBlob, err = rsaEncrypt(dst, d, alg, in.DestinationEncryptionContext, res.plaintext, in.DryRun); err != nil {
			return nil, err
		}
		k.usedBoth(ctx, res.ck, dst)
		return out, nil
	}
	if in.DryRun {
		return nil, errDryRun()
	}
	if out.CiphertextBlob, err = k.seal(ctx, opReEncryptTo, dst, in.DestinationEncryptionContext, res.plaintext); err != nil {
		return nil, err
	}
	out.DestinationKeyMaterialId = dst.current.id
	k.usedBoth(ctx, res.ck, dst)
	return out, nil
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
func (k *KMS) GenerateDataKey(ctx context.Context, in *GenerateDataKeyInput) (result *GenerateDataKeyOutput, opErr error) {
	defer finish(k.audit(&ctx, "GenerateDataKey", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GenerateDataKeyInput{}
	}
	pt, blob, ck, err := k.generateDataKey(ctx, opGenerateDataKey, in.KeyId, in.EncryptionContext, in.KeySpec, in.NumberOfBytes, in.GrantTokens, in.DryRun, in.Recipient != nil)
	if err != nil {
		return nil, err
	}
	k.used(ctx, KeyLastUsageTrackingOperationGenerateDataKey, ck)
	return &GenerateDataKeyOutput{CiphertextBlob: blob, Plaintext: pt, KeyId: ck.arn, KeyMaterialId: ck.current.id}, nil
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey that returns only the
// encrypted data key.
func (k *KMS) GenerateDataKeyWithoutPlaintext(ctx context.Context, in *GenerateDataKeyWithoutPlaintextInput) (result *GenerateDataKeyWithoutPlaintextOutput, opErr error) {
	defer finish(k.audit(&ctx, "GenerateDataKeyWithoutPlaintext", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GenerateDataKeyWithoutPlaintextInput{}
	}
	pt, blob, ck, err := k.generateDataKey(ctx, opGenerateDataKeyWithoutPlaintext, in.KeyId, in.EncryptionContext, in.KeySpec, in.NumberOfBytes, in.GrantTokens, in.DryRun, false)
	if err != nil {
		return nil, err
	}
	clear(pt)
	k.used(ctx, KeyLastUsageTrackingOperationGenerateDataKeyWithoutPlaintext, ck)
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
	if err := k.checkUse(ctx, ck, o, authzExtra{encryptionContext: ec, grantTokens: grantTokens, requestKeyID: keyID}); err != nil {
		return nil, nil, nil, err
	}
	// Only a symmetric key generates data keys: an RSA key gets "Algorithm
	// SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048." (floci's
	// test generateDataKeyWithRsaKeyThrowsInvalidKeyUsage, measured
	// against AWS).
	if _, _, err := encryptionAlgorithm(ck, ""); err != nil {
		return nil, nil, nil, err
	}
	if dryRun {
		return nil, nil, nil, errDryRun()
	}
	pt := crypto.Random(size)
	blob, err := k.seal(ctx, o, ck, ec, pt)
	if err != nil {
		return nil, nil, nil, err
	}
	return pt, blob, ck, nil
}
