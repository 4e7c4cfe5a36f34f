package kms

import (
	"context"

	"github.com/embedkms/kms/crypto"
)

var (
	opGenerateDataKeyPair                 = op("GenerateDataKeyPair", true, true)
	opGenerateDataKeyPairWithoutPlaintext = op("GenerateDataKeyPairWithoutPlaintext", true, true)
)

// GenerateDataKeyPair returns a fresh asymmetric data key pair of
// KeyPairSpec: the public key (DER SubjectPublicKeyInfo), the private key
// in plaintext (DER PKCS #8) and the private key encrypted under a
// symmetric encryption key exactly as Encrypt would encrypt it, so Decrypt
// with the same encryption context returns the PKCS #8. The KMS key must
// be a symmetric encryption key. The pair is generated outside any lock
// or transaction (RSA_4096 takes about a second).
func (k *KMS) GenerateDataKeyPair(ctx context.Context, in *GenerateDataKeyPairInput) (result *GenerateDataKeyPairOutput, opErr error) {
	defer finish(k.audit(&ctx, "GenerateDataKeyPair", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GenerateDataKeyPairInput{}
	}
	p, err := k.generateDataKeyPair(ctx, opGenerateDataKeyPair, in.KeyId, in.EncryptionContext, in.KeyPairSpec, in.GrantTokens, in.DryRun, in.Recipient != nil)
	if err != nil {
		return nil, err
	}
	k.used(ctx, KeyLastUsageTrackingOperationGenerateDataKeyPair, p.ck)
	return &GenerateDataKeyPairOutput{
		PrivateKeyCiphertextBlob: p.blob,
		PrivateKeyPlaintext:      p.private,
		PublicKey:                p.public,
		KeyId:                    p.ck.arn,
		KeyPairSpec:              in.KeyPairSpec,
		KeyMaterialId:            p.ck.current.id,
	}, nil
}

// GenerateDataKeyPairWithoutPlaintext is GenerateDataKeyPair that returns
// only the public key and the encrypted private key.
func (k *KMS) GenerateDataKeyPairWithoutPlaintext(ctx context.Context, in *GenerateDataKeyPairWithoutPlaintextInput) (result *GenerateDataKeyPairWithoutPlaintextOutput, opErr error) {
	defer finish(k.audit(&ctx, "GenerateDataKeyPairWithoutPlaintext", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GenerateDataKeyPairWithoutPlaintextInput{}
	}
	p, err := k.generateDataKeyPair(ctx, opGenerateDataKeyPairWithoutPlaintext, in.KeyId, in.EncryptionContext, in.KeyPairSpec, in.GrantTokens, in.DryRun, false)
	if err != nil {
		return nil, err
	}
	clear(p.private)
	k.used(ctx, KeyLastUsageTrackingOperationGenerateDataKeyPairWithoutPlaintext, p.ck)
	return &GenerateDataKeyPairWithoutPlaintextOutput{
		PrivateKeyCiphertextBlob: p.blob,
		PublicKey:                p.public,
		KeyId:                    p.ck.arn,
		KeyPairSpec:              in.KeyPairSpec,
		KeyMaterialId:            p.ck.current.id,
	}, nil
}

// dataKeyPair is a generated pair and the key its private key is sealed
// under.
type dataKeyPair struct {
	public, private, blob []byte
	ck                    *cachedKey
}

// generateDataKeyPair is GenerateDataKeyPair*. recipient says the request
// has a Recipient, refused after the members' constraints as
// GenerateDataKey refuses it.
func (k *KMS) generateDataKeyPair(ctx context.Context, o keyOp, keyID string, ec map[string]string, spec DataKeyPairSpec, grantTokens []string, dryRun, recipient bool) (dataKeyPair, error) {
	var v validator
	v.keyID("keyId", keyID)
	if v.required("keyPairSpec", string(spec)) {
		enum(&v, "keyPairSpec", spec, DataKeyPairSpec("").Values())
	}
	v.grantTokens(grantTokens)
	if err := v.err(); err != nil {
		return dataKeyPair{}, err
	}
	if recipient {
		return dataKeyPair{}, invalid(recipientUnsupported)
	}
	if spec == DataKeyPairSpecSm2 && !k.isChinaPartition() {
		// As CreateKey's KeySpec SM2: "SM2 (China Regions only)"
		// (GenerateDataKeyPair, KeyPairSpec).
		return dataKeyPair{}, invalid("KeyPairSpec SM2 is supported only in China Regions")
	}
	ck, err := k.entry(ctx, keyID, o)
	if err != nil {
		return dataKeyPair{}, err
	}
	if err := k.checkUse(ctx, ck, o, authzExtra{encryptionContext: ec, grantTokens: grantTokens, requestKeyID: keyID, dataKeyPairSpec: spec}); err != nil {
		return dataKeyPair{}, err
	}
	// A symmetric encryption key only, as GenerateDataKey: an RSA
	// ENCRYPT_DECRYPT key gets "Algorithm SYMMETRIC_DEFAULT is incompatible
	// with key spec RSA_2048."
	if _, _, err := encryptionAlgorithm(ck, ""); err != nil {
		return dataKeyPair{}, err
	}
	if ck.rec.CustomKeyStoreID != "" {
		// "You cannot use ... a KMS key in a custom key store"
		// (GenerateDataKeyPair in the API reference); wording ours.
		return dataKeyPair{}, newErr(ErrUnsupportedOperation, "%s is in a custom key store, which cannot generate data key pairs.", ck.arn)
	}
	if dryRun {
		return dataKeyPair{}, errDryRun()
	}
	pub, priv, err := crypto.GenerateKeyPair(string(spec))
	if err != nil {
		return dataKeyPair{}, internal(err)
	}
	blob, err := k.seal(ctx, o, ck, ec, priv)
	if err != nil {
		clear(priv)
		return dataKeyPair{}, err
	}
	return dataKeyPair{public: pub, private: priv, blob: blob, ck: ck}, nil
}
