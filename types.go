package kms

import "time"

// Request and response shapes, named and shaped as in the AWS KMS API model
// (aws/aws-sdk-go-v2 codegen/sdk-codegen/aws-models/kms.json). Optional
// members use their zero value for "absent": an empty string, a nil slice or
// map, 0 for numbers whose valid range starts at 1, and the zero time.Time.

// Tag is a key-value pair attached to a KMS key.
type Tag struct {
	// TagKey is the tag's name, case-sensitive and unique on a key. Required;
	// 1 to 128 characters (ValidationException) of Unicode letters, digits,
	// white space and _ . : / = + - @; the reserved prefix aws: or other
	// characters give TagException.
	TagKey string
	// TagValue is the tag's value: 0 to 256 characters (ValidationException)
	// of the set TagKey allows (TagException). The empty string is a valid
	// value.
	TagValue string
}

// MultiRegionKey names one key of a multi-Region key set.
type MultiRegionKey struct {
	// Arn is the key ARN of this multi-Region key.
	Arn string
	// Region is the AWS Region the key is in.
	Region string
}

// MultiRegionConfiguration describes a multi-Region key's primary and
// replicas.
type MultiRegionConfiguration struct {
	// MultiRegionKeyType says whether this key is the PRIMARY or a REPLICA.
	MultiRegionKeyType MultiRegionKeyType
	// PrimaryKey is the primary key of the set.
	PrimaryKey *MultiRegionKey
	// ReplicaKeys are the replicas of the set, in every Region but the
	// primary's.
	ReplicaKeys []MultiRegionKey
}

// XksKeyConfigurationType names the external key of a key in an external
// key store.
type XksKeyConfigurationType struct {
	// Id is the external key's id in the external key manager, as given to
	// CreateKey's XksKeyId.
	Id string
}

// KeyMetadata describes a KMS key.
type KeyMetadata struct {
	// AWSAccountId is the 12-digit account that owns the key.
	AWSAccountId string
	// KeyId is the key's id, a UUID (mrk- and 32 hex digits for a multi-Region
	// key).
	KeyId string
	// Arn is the key ARN: arn:<partition>:kms:<region>:<account>:key/<key-id>.
	Arn string
	// CreationDate is when the key was created.
	CreationDate time.Time
	// Enabled is true when KeyState is Enabled.
	Enabled bool
	// Description is the key's description, empty when it has none.
	Description string
	// KeyUsage is what the key may do: ENCRYPT_DECRYPT, SIGN_VERIFY,
	// GENERATE_VERIFY_MAC, KEY_AGREEMENT or KEY_ENCAPSULATION.
	KeyUsage KeyUsageType
	// KeyState is the key's state (Enabled, Disabled, PendingDeletion,
	// PendingImport, ...), which decides what operations may use it.
	KeyState KeyState
	// DeletionDate is when a key in PendingDeletion will be deleted; the zero
	// time otherwise.
	DeletionDate time.Time
	// ValidTo is when a key's imported material expires, for imported material
	// with ExpirationModel KEY_MATERIAL_EXPIRES; the zero time otherwise.
	ValidTo time.Time
	// Origin is where the key material came from: AWS_KMS (generated),
	// EXTERNAL (imported), AWS_CLOUDHSM or EXTERNAL_KEY_STORE (a custom key
	// store).
	Origin OriginType
	// CustomKeyStoreId is the custom key store that holds the key; empty for
	// other keys.
	CustomKeyStoreId string
	// CloudHsmClusterId is the CloudHSM cluster of the key's custom key store;
	// empty for other keys.
	CloudHsmClusterId string
	// ExpirationModel says whether imported key material expires
	// (KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE); empty unless
	// Origin is EXTERNAL.
	ExpirationModel ExpirationModelType
	// KeyManager is CUSTOMER for keys created by CreateKey and AWS for AWS
	// managed keys (alias/aws/<service>).
	KeyManager KeyManagerType
	// CustomerMasterKeySpec is KeySpec under its old name, for old
	// clients.
	//
	// Deprecated: use KeySpec.
	CustomerMasterKeySpec CustomerMasterKeySpec
	// KeySpec is the key's type: SYMMETRIC_DEFAULT, an RSA, elliptic-curve,
	// HMAC, ML-DSA, ML-KEM or SM2 spec.
	KeySpec KeySpec
	// EncryptionAlgorithms lists the encryption algorithms the key supports;
	// empty unless KeyUsage is ENCRYPT_DECRYPT.
	EncryptionAlgorithms []EncryptionAlgorithmSpec
	// SigningAlgorithms lists the signing algorithms the key supports; empty
	// unless KeyUsage is SIGN_VERIFY.
	SigningAlgorithms []SigningAlgorithmSpec
	// KeyAgreementAlgorithms lists the key agreement algorithms (ECDH) the key
	// supports; empty unless KeyUsage is KEY_AGREEMENT.
	KeyAgreementAlgorithms []KeyAgreementAlgorithmSpec
	// EncapsulationAlgorithms lists the key encapsulation algorithms the key
	// supports; empty unless KeyUsage is KEY_ENCAPSULATION.
	EncapsulationAlgorithms []EncapsulationAlgorithmSpec
	// MultiRegion is true for a multi-Region key (primary or replica).
	MultiRegion bool
	// MultiRegionConfiguration describes a multi-Region key's set; nil for
	// other keys.
	MultiRegionConfiguration *MultiRegionConfiguration
	// PendingDeletionWindowInDays is the waiting period, in days, of a
	// multi-Region primary key in PendingReplicaDeletion (it is deleted that
	// long after its last replica); 0 in any other state.
	PendingDeletionWindowInDays int32
	// MacAlgorithms lists the MAC algorithms the key supports; empty unless
	// KeyUsage is GENERATE_VERIFY_MAC.
	MacAlgorithms []MacAlgorithmSpec
	// XksKeyConfiguration names the external key of a key in an external key
	// store; nil for other keys.
	XksKeyConfiguration *XksKeyConfigurationType
	// CurrentKeyMaterialId is the hex id of the key material that encrypts,
	// signs or computes MACs now; empty when the key has none (PendingImport).
	CurrentKeyMaterialId string
}

// KeyListEntry is one key in a ListKeys result.
type KeyListEntry struct {
	// KeyId is the key's id.
	KeyId string
	// KeyArn is the key ARN.
	KeyArn string
}

// AliasListEntry is one alias in a ListAliases result.
type AliasListEntry struct {
	// AliasName is the alias name, alias/ followed by the name.
	AliasName string
	// AliasArn is the alias ARN:
	// arn:<partition>:kms:<region>:<account>:alias/<name>.
	AliasArn string
	// TargetKeyId is the id of the key the alias points at; empty for a
	// predefined AWS managed alias whose key does not exist yet.
	TargetKeyId string
	// CreationDate is when the alias was created; the zero time for a
	// predefined AWS managed alias not yet used.
	CreationDate time.Time
	// LastUpdatedDate is when the alias was last pointed at a key (CreateAlias
	// or UpdateAlias).
	LastUpdatedDate time.Time
}

// RecipientInfo names a Nitro Enclave recipient (attested requests).
type RecipientInfo struct {
	// KeyEncryptionAlgorithm is how the result is encrypted to the enclave's
	// public key: RSAES_OAEP_SHA_256, the only value. Optional; zero value:
	// absent, RSAES_OAEP_SHA_256.
	KeyEncryptionAlgorithm KeyEncryptionMechanism
	// AttestationDocument is the Nitro Enclave's signed attestation document,
	// carrying the public key. Required within a RecipientInfo; 1 to 262144
	// bytes.
	AttestationDocument []byte
}

// CreateKeyInput is the input of CreateKey.
type CreateKeyInput struct {
	// Policy is the key policy, a JSON policy document. Optional; zero value:
	// absent, AWS's default key policy (the account root may do everything)
	// applies. 1 to 32768 bytes (LimitExceededException over it) of tab,
	// newline and printable Latin-1 characters; a malformed document, or one
	// that would lock the caller out, gives MalformedPolicyDocumentException.
	Policy string
	// Description describes the key. Optional; zero value: absent, no
	// description; 0 to 8192 characters (ValidationException).
	Description string
	// KeyUsage is what the key will do: ENCRYPT_DECRYPT, SIGN_VERIFY,
	// GENERATE_VERIFY_MAC, KEY_AGREEMENT or KEY_ENCAPSULATION. Optional; zero
	// value: absent, ENCRYPT_DECRYPT; a usage the KeySpec does not allow gives
	// ValidationException.
	KeyUsage KeyUsageType
	// CustomerMasterKeySpec is KeySpec under its old name, taken when
	// KeySpec is absent; both together give ValidationException.
	//
	// Deprecated: use KeySpec.
	CustomerMasterKeySpec CustomerMasterKeySpec
	// KeySpec is the key's type. Optional; zero value: absent,
	// SYMMETRIC_DEFAULT (AES-256-GCM). The others are the RSA_*, ECC_*,
	// ML_DSA_*, ML_KEM_* and HMAC_* specs and SM2 (China Regions only); each
	// allows only the KeyUsage values AWS allows for it (ValidationException).
	KeySpec KeySpec
	// Origin is where the key material comes from: AWS_KMS (generated now),
	// EXTERNAL (imported later with ImportKeyMaterial; the key starts in
	// PendingImport), AWS_CLOUDHSM or EXTERNAL_KEY_STORE (in the custom key
	// store CustomKeyStoreId). Optional; zero value: absent, AWS_KMS.
	Origin OriginType
	// CustomKeyStoreId is the custom key store to create the key in. Origin
	// AWS_CLOUDHSM and EXTERNAL_KEY_STORE need it
	// (UnsupportedOperationException without), and keys there are
	// single-Region symmetric encryption keys (UnsupportedOperationException
	// otherwise). Optional; zero value: absent, a key outside any custom key
	// store; 1 to 64 characters. An unknown store gives
	// CustomKeyStoreNotFoundException, one not CONNECTED
	// CustomKeyStoreInvalidStateException.
	CustomKeyStoreId string
	// BypassPolicyLockoutSafetyCheck skips the check that Policy lets the
	// caller call PutKeyPolicy on the key later. Optional; zero value: absent,
	// false; use with care.
	BypassPolicyLockoutSafetyCheck bool
	// Tags are tags to attach to the key. Optional; zero value: absent, no
	// tags; at most 50, with the rules of Tag (TagException).
	Tags []Tag
	// MultiRegion creates a multi-Region primary key (its id starts with
	// mrk-), which ReplicateKey can copy to other Regions. Optional; zero
	// value: absent, false (a single-Region key); in a custom key store it
	// gives UnsupportedOperationException.
	MultiRegion bool
	// XksKeyId is the id of the external key, in the external key manager,
	// that backs a key in an external key store; required with Origin
	// EXTERNAL_KEY_STORE (ValidationException). 1 to 128 characters of
	// letters, digits and - _ . (ValidationException).
	XksKeyId string
}

// CreateKeyOutput is the output of CreateKey.
type CreateKeyOutput struct {
	// KeyMetadata describes the new key.
	KeyMetadata *KeyMetadata
}

// DescribeKeyInput is the input of DescribeKey.
type DescribeKeyInput struct {
	// KeyId names the KMS key: key ID, key ARN, alias name (alias/...) or
	// alias ARN; a key or alias ARN may name another account's key. Required;
	// 1 to 2048 characters.
	KeyId string
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
}

// DescribeKeyOutput is the output of DescribeKey.
type DescribeKeyOutput struct {
	// KeyMetadata describes the key.
	KeyMetadata *KeyMetadata
}

// ListKeysInput is the input of ListKeys.
type ListKeysInput struct {
	// Limit caps how many entries one page returns: 1 to 1000
	// (ValidationException); above 1000 counts as 1000. Optional; zero value:
	// absent, 100.
	Limit int32
	// Marker continues a listing from a previous page's NextMarker. Optional;
	// zero value: absent, the first page; 1 to 1024 characters
	// (ValidationException), and one not issued by this listing gives
	// InvalidMarkerException.
	Marker string
	// ResourceOwners says whose keys to list: SELF, the caller's account's;
	// OTHER_ACCOUNTS_VIA_RAM, those other accounts share with it through
	// AWS RAM, which the handle does not model: none. Optional; zero value:
	// absent, SELF; an unknown value gives ValidationException.
	ResourceOwners []ResourceOwner
}

// ListKeysOutput is the output of ListKeys.
type ListKeysOutput struct {
	// Keys are the keys of this page, in key id order.
	Keys []KeyListEntry
	// NextMarker, when Truncated, is the Marker that fetches the next page.
	NextMarker string
	// Truncated reports that more entries follow; fetch them with NextMarker.
	Truncated bool
}

// UpdateKeyDescriptionInput is the input of UpdateKeyDescription.
type UpdateKeyDescriptionInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// Description replaces the key's description; the empty string removes it.
	// 0 to 8192 characters (ValidationException).
	Description string
}

// UpdateKeyDescriptionOutput is the (empty) output of UpdateKeyDescription.
type UpdateKeyDescriptionOutput struct{}

// EnableKeyInput is the input of EnableKey.
type EnableKeyInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
}

// EnableKeyOutput is the (empty) output of EnableKey.
type EnableKeyOutput struct{}

// DisableKeyInput is the input of DisableKey.
type DisableKeyInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
}

// DisableKeyOutput is the (empty) output of DisableKey.
type DisableKeyOutput struct{}

// ScheduleKeyDeletionInput is the input of ScheduleKeyDeletion.
type ScheduleKeyDeletionInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// PendingWindowInDays is the waiting period, in days, before the key is
	// deleted: 7 to 30 (ValidationException). Optional; zero value: absent,
	// 30.
	PendingWindowInDays int32
}

// ScheduleKeyDeletionOutput is the output of ScheduleKeyDeletion.
type ScheduleKeyDeletionOutput struct {
	// KeyId is the key ARN of the key.
	KeyId string
	// DeletionDate is when the key will be deleted, by Options.Clock; the zero
	// time for a primary key that waits for its replicas (KeyState
	// PendingReplicaDeletion).
	DeletionDate time.Time
	// KeyState is the key's state now: PendingDeletion, or
	// PendingReplicaDeletion for a multi-Region primary with replicas.
	KeyState KeyState
	// PendingWindowInDays is the waiting period that applies, in days.
	PendingWindowInDays int32
}

// CancelKeyDeletionInput is the input of CancelKeyDeletion.
type CancelKeyDeletionInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
}

// CancelKeyDeletionOutput is the output of CancelKeyDeletion.
type CancelKeyDeletionOutput struct {
	// KeyId is the key ARN of the key, now Disabled.
	KeyId string
}

// EncryptInput is the input of Encrypt.
type EncryptInput struct {
	// KeyId names the key to encrypt under: key ID, key ARN, alias name
	// (alias/...) or alias ARN; a key or alias ARN may name another account's
	// key. Required; 1 to 2048 characters.
	KeyId string
	// Plaintext is the data to encrypt. Required; 1 to 4096 bytes
	// (ValidationException); RSA keys take less (the OAEP limit of the key
	// size and hash; ValidationException over it).
	Plaintext []byte
	// EncryptionContext is non-secret key-value data bound to the ciphertext
	// as additional authenticated data: the same context must be given to
	// decrypt. Symmetric keys only (an asymmetric key gives
	// ValidationException). Optional; zero value: absent, no context.
	EncryptionContext map[string]string
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// EncryptionAlgorithm is the algorithm to encrypt with: SYMMETRIC_DEFAULT
	// for symmetric keys, RSAES_OAEP_SHA_1/SHA_256 for RSA keys, SM2PKE for
	// SM2 keys (China Regions). Optional; zero value: absent,
	// SYMMETRIC_DEFAULT; one the key does not support gives
	// InvalidKeyUsageException.
	EncryptionAlgorithm EncryptionAlgorithmSpec
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// EncryptOutput is the output of Encrypt.
type EncryptOutput struct {
	// CiphertextBlob is the encrypted data. For a symmetric key it is a
	// self-describing blob that names its key and key material (see package
	// crypto), so Decrypt needs no KeyId.
	CiphertextBlob []byte
	// KeyId is the key ARN of the KMS key that encrypted the data.
	KeyId string
	// EncryptionAlgorithm is the algorithm used.
	EncryptionAlgorithm EncryptionAlgorithmSpec
}

// DecryptInput is the input of Decrypt.
type DecryptInput struct {
	// CiphertextBlob is the ciphertext to decrypt, from Encrypt,
	// GenerateDataKey, GenerateDataKeyPair or ReEncrypt. Required; 1 to 6144
	// bytes (ValidationException); a blob that does not open gives
	// InvalidCiphertextException.
	CiphertextBlob []byte
	// EncryptionContext is the encryption context the ciphertext was sealed
	// with, exactly (InvalidCiphertextException otherwise). Optional; zero
	// value: absent, no context.
	EncryptionContext map[string]string
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// KeyId names the key expected to have encrypted the ciphertext, in any of
	// the forms Encrypt takes; a ciphertext of another key gives
	// IncorrectKeyException. Optional; zero value: absent for symmetric keys
	// (the blob names its key); required with an asymmetric
	// EncryptionAlgorithm (ValidationException). 1 to 2048 characters.
	KeyId string
	// EncryptionAlgorithm is the algorithm the ciphertext was encrypted with:
	// SYMMETRIC_DEFAULT for symmetric keys, RSAES_OAEP_SHA_1/SHA_256 for RSA
	// keys, SM2PKE for SM2 keys (China Regions). Optional; zero value: absent,
	// SYMMETRIC_DEFAULT; one the key does not support gives
	// InvalidKeyUsageException.
	EncryptionAlgorithm EncryptionAlgorithmSpec
	// Recipient would have the result encrypted to a Nitro Enclave's public
	// key from its attestation document. embedkms has no enclave to attest, so
	// a request with a Recipient gives ValidationException. Optional; zero
	// value: absent (nil), the result in plaintext.
	Recipient *RecipientInfo
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
	// DryRunModifiers tunes DryRun: IGNORE_CIPHERTEXT checks permissions
	// without the ciphertext being valid. Optional; zero value: absent; an
	// unknown value gives ValidationException.
	DryRunModifiers []DryRunModifierType
}

// DecryptOutput is the output of Decrypt.
type DecryptOutput struct {
	// KeyId is the key ARN of the KMS key that decrypted the ciphertext.
	KeyId string
	// Plaintext is the decrypted data.
	Plaintext []byte
	// EncryptionAlgorithm is the algorithm used.
	EncryptionAlgorithm EncryptionAlgorithmSpec
	// CiphertextForRecipient is, in AWS, the result encrypted to the input's
	// Recipient; never set here, where a Recipient is refused.
	CiphertextForRecipient []byte
	// KeyMaterialId is the hex id of the key material that decrypted the
	// ciphertext (symmetric keys).
	KeyMaterialId string
}

// ReEncryptInput is the input of ReEncrypt.
type ReEncryptInput struct {
	// CiphertextBlob is the ciphertext to re-encrypt. Required; 1 to 6144
	// bytes (ValidationException); one that does not open gives
	// InvalidCiphertextException.
	CiphertextBlob []byte
	// SourceEncryptionContext is the encryption context CiphertextBlob was
	// sealed with. Optional; zero value: absent, no context.
	SourceEncryptionContext map[string]string
	// SourceKeyId names the key expected to have encrypted CiphertextBlob
	// (IncorrectKeyException otherwise), in any form Decrypt's KeyId takes.
	// Optional; zero value: absent for symmetric keys; required with an
	// asymmetric SourceEncryptionAlgorithm (ValidationException).
	SourceKeyId string
	// DestinationKeyId names the key to re-encrypt under: key ID, key ARN,
	// alias name (alias/...) or alias ARN; a key or alias ARN may name another
	// account's key. Required; 1 to 2048 characters.
	DestinationKeyId string
	// DestinationEncryptionContext is the encryption context to seal the new
	// ciphertext with; symmetric destination keys only. Optional; zero value:
	// absent, no context.
	DestinationEncryptionContext map[string]string
	// SourceEncryptionAlgorithm is the algorithm CiphertextBlob was encrypted
	// with. Optional; zero value: absent, SYMMETRIC_DEFAULT.
	SourceEncryptionAlgorithm EncryptionAlgorithmSpec
	// DestinationEncryptionAlgorithm is the algorithm to re-encrypt with.
	// Optional; zero value: absent, SYMMETRIC_DEFAULT.
	DestinationEncryptionAlgorithm EncryptionAlgorithmSpec
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
	// DryRunModifiers tunes DryRun: IGNORE_CIPHERTEXT checks permissions
	// without the ciphertext being valid. Optional; zero value: absent; an
	// unknown value gives ValidationException.
	DryRunModifiers []DryRunModifierType
}

// ReEncryptOutput is the output of ReEncrypt.
type ReEncryptOutput struct {
	// CiphertextBlob is the data re-encrypted under the destination key.
	CiphertextBlob []byte
	// SourceKeyId is the key ARN of the key that decrypted the input.
	SourceKeyId string
	// KeyId is the key ARN of the destination key.
	KeyId string
	// SourceEncryptionAlgorithm is the algorithm that decrypted the input.
	SourceEncryptionAlgorithm EncryptionAlgorithmSpec
	// DestinationEncryptionAlgorithm is the algorithm that re-encrypted it.
	DestinationEncryptionAlgorithm EncryptionAlgorithmSpec
	// SourceKeyMaterialId is the hex id of the source key material (symmetric
	// source keys).
	SourceKeyMaterialId string
	// DestinationKeyMaterialId is the hex id of the destination key material
	// (symmetric destination keys).
	DestinationKeyMaterialId string
}

// GenerateDataKeyInput is the input of GenerateDataKey.
type GenerateDataKeyInput struct {
	// KeyId names the symmetric encryption key that encrypts the data key: key
	// ID, key ARN, alias name (alias/...) or alias ARN; a key or alias ARN may
	// name another account's key. Required; 1 to 2048 characters. Another kind
	// of key gives InvalidKeyUsageException.
	KeyId string
	// EncryptionContext is non-secret key-value data bound to the encrypted
	// result as additional authenticated data: Decrypt needs the same context.
	// Optional; zero value: absent, no context.
	EncryptionContext map[string]string
	// NumberOfBytes is the data key's length in bytes: 1 to 1024
	// (ValidationException). Optional; zero value: absent; exactly one of
	// NumberOfBytes and KeySpec must be given (ValidationException). Use
	// KeySpec where it fits.
	NumberOfBytes int32
	// KeySpec is the data key's length: AES_256 (32 bytes) or AES_128 (16
	// bytes). Optional; zero value: absent; exactly one of KeySpec and
	// NumberOfBytes must be given (ValidationException).
	KeySpec DataKeySpec
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// Recipient would have the result encrypted to a Nitro Enclave's public
	// key from its attestation document. embedkms has no enclave to attest, so
	// a request with a Recipient gives ValidationException. Optional; zero
	// value: absent (nil), the result in plaintext.
	Recipient *RecipientInfo
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// GenerateDataKeyOutput is the output of GenerateDataKey.
type GenerateDataKeyOutput struct {
	// CiphertextBlob is the data key encrypted under the KMS key; store it
	// with the data and Decrypt it to use the data key again.
	CiphertextBlob []byte
	// Plaintext is the data key; use it, then forget it.
	Plaintext []byte
	// KeyId is the key ARN of the KMS key that encrypted the data key.
	KeyId string
	// CiphertextForRecipient is, in AWS, the result encrypted to the input's
	// Recipient; never set here, where a Recipient is refused.
	CiphertextForRecipient []byte
	// KeyMaterialId is the hex id (64 characters) of the key material that did
	// the work.
	KeyMaterialId string
}

// GenerateDataKeyWithoutPlaintextInput is the input of
// GenerateDataKeyWithoutPlaintext.
type GenerateDataKeyWithoutPlaintextInput struct {
	// KeyId names the symmetric encryption key that encrypts the data key: key
	// ID, key ARN, alias name (alias/...) or alias ARN; a key or alias ARN may
	// name another account's key. Required; 1 to 2048 characters. Another kind
	// of key gives InvalidKeyUsageException.
	KeyId string
	// EncryptionContext is non-secret key-value data bound to the encrypted
	// result as additional authenticated data: Decrypt needs the same context.
	// Optional; zero value: absent, no context.
	EncryptionContext map[string]string
	// KeySpec is the data key's length: AES_256 (32 bytes) or AES_128 (16
	// bytes). Optional; zero value: absent; exactly one of KeySpec and
	// NumberOfBytes must be given (ValidationException).
	KeySpec DataKeySpec
	// NumberOfBytes is the data key's length in bytes: 1 to 1024
	// (ValidationException). Optional; zero value: absent; exactly one of
	// NumberOfBytes and KeySpec must be given (ValidationException). Use
	// KeySpec where it fits.
	NumberOfBytes int32
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// GenerateDataKeyWithoutPlaintextOutput is the output of
// GenerateDataKeyWithoutPlaintext.
type GenerateDataKeyWithoutPlaintextOutput struct {
	// CiphertextBlob is the data key encrypted under the KMS key; Decrypt it
	// when the data key is needed.
	CiphertextBlob []byte
	// KeyId is the key ARN of the KMS key that encrypted the data key.
	KeyId string
	// KeyMaterialId is the hex id (64 characters) of the key material that did
	// the work.
	KeyMaterialId string
}

// GenerateRandomInput is the input of GenerateRandom.
type GenerateRandomInput struct {
	// NumberOfBytes is how many random bytes to return: 1 to 1024
	// (ValidationException). Optional in the model, but absent (0) gives
	// ValidationException, as in AWS.
	NumberOfBytes int32
	// CustomKeyStoreId asks for the bytes from an AWS_CLOUDHSM key store's
	// token. Optional; zero value: absent, the handle's own random source; 1
	// to 64 characters. An unknown store gives
	// CustomKeyStoreNotFoundException, an external key store
	// UnsupportedOperationException.
	CustomKeyStoreId string
	// Recipient would have the result encrypted to a Nitro Enclave's public
	// key from its attestation document. embedkms has no enclave to attest, so
	// a request with a Recipient gives ValidationException. Optional; zero
	// value: absent (nil), the result in plaintext.
	Recipient *RecipientInfo
}

// GenerateRandomOutput is the output of GenerateRandom.
type GenerateRandomOutput struct {
	// Plaintext is the random bytes.
	Plaintext []byte
	// CiphertextForRecipient is, in AWS, the result encrypted to the input's
	// Recipient; never set here, where a Recipient is refused.
	CiphertextForRecipient []byte
}

// CreateAliasInput is the input of CreateAlias.
type CreateAliasInput struct {
	// AliasName is the new alias: alias/ followed by a name of letters,
	// digits, colons, slashes, underscores and hyphens. Required; 1 to 256
	// characters of that set, starting with alias/ (ValidationException);
	// alias/ alone or a name under alias/aws/ (reserved for AWS managed keys)
	// gives InvalidAliasNameException, an existing alias
	// AlreadyExistsException.
	AliasName string
	// TargetKeyId is the key the alias points at: key ID or key ARN of this
	// account and Region (not an alias), a customer managed key (an AWS
	// managed key gives AccessDeniedException). Required; 1 to 2048
	// characters. A key with the most aliases a key may have gives
	// LimitExceededException.
	TargetKeyId string
}

// CreateAliasOutput is the (empty) output of CreateAlias.
type CreateAliasOutput struct{}

// UpdateAliasInput is the input of UpdateAlias.
type UpdateAliasInput struct {
	// AliasName is the alias to repoint, alias/ and its name. Required; 1 to
	// 256 characters; an unknown alias gives NotFoundException, an AWS managed
	// key's alias (alias/aws/...) AccessDeniedException.
	AliasName string
	// TargetKeyId is the key the alias will point at: key ID or key ARN, a
	// customer managed key (AccessDeniedException otherwise) of the same key
	// type and usage as the current target (ValidationException otherwise).
	// Required; 1 to 2048 characters.
	TargetKeyId string
}

// UpdateAliasOutput is the (empty) output of UpdateAlias.
type UpdateAliasOutput struct{}

// DeleteAliasInput is the input of DeleteAlias.
type DeleteAliasInput struct {
	// AliasName is the alias to delete, alias/ and its name. Required; 1 to
	// 256 characters; an unknown alias gives NotFoundException.
	AliasName string
}

// DeleteAliasOutput is the (empty) output of DeleteAlias.
type DeleteAliasOutput struct{}

// ListAliasesInput is the input of ListAliases.
type ListAliasesInput struct {
	// KeyId lists only the aliases that point at this key: key ID or key ARN.
	// Optional; zero value: absent, every alias of the account and Region; 1
	// to 2048 characters.
	KeyId string
	// Limit caps how many entries one page returns: 1 to 1000
	// (ValidationException); above 100 counts as 100. Optional; zero value:
	// absent, 50.
	Limit int32
	// Marker continues a listing from a previous page's NextMarker. Optional;
	// zero value: absent, the first page; 1 to 1024 characters
	// (ValidationException), and one not issued by this listing gives
	// InvalidMarkerException.
	Marker string
}

// ListAliasesOutput is the output of ListAliases.
type ListAliasesOutput struct {
	// Aliases are the aliases of this page, in name order.
	Aliases []AliasListEntry
	// NextMarker, when Truncated, is the Marker that fetches the next page.
	NextMarker string
	// Truncated reports that more entries follow; fetch them with NextMarker.
	Truncated bool
}

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// Tags are the tags to add; a tag with a key the key already has replaces
	// its value. Required; the rules of Tag apply, and a key may carry at most
	// 50 tags (LimitExceededException).
	Tags []Tag
}

// TagResourceOutput is the (empty) output of TagResource.
type TagResourceOutput struct{}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// TagKeys are the keys of the tags to remove; a key the KMS key does not
	// have is ignored. Required; each 1 to 128 characters
	// (ValidationException).
	TagKeys []string
}

// UntagResourceOutput is the (empty) output of UntagResource.
type UntagResourceOutput struct{}

// ListResourceTagsInput is the input of ListResourceTags.
type ListResourceTagsInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// Limit caps how many entries one page returns: 1 to 1000
	// (ValidationException); above 50 counts as 50. Optional; zero value:
	// absent, 50.
	Limit int32
	// Marker continues a listing from a previous page's NextMarker. Optional;
	// zero value: absent, the first page; 1 to 1024 characters
	// (ValidationException), and one not issued by this listing gives
	// InvalidMarkerException.
	Marker string
}

// ListResourceTagsOutput is the output of ListResourceTags.
type ListResourceTagsOutput struct {
	// Tags are the key's tags of this page, in tag key order.
	Tags []Tag
	// NextMarker, when Truncated, is the Marker that fetches the next page.
	NextMarker string
	// Truncated reports that more entries follow; fetch them with NextMarker.
	Truncated bool
}

// SignInput is the input of Sign.
type SignInput struct {
	// KeyId names the asymmetric key with KeyUsage SIGN_VERIFY to sign with:
	// key ID, key ARN, alias name (alias/...) or alias ARN; a key or alias ARN
	// may name another account's key. Required; 1 to 2048 characters.
	KeyId string
	// Message is the message, or its digest when MessageType is DIGEST.
	// Required; 1 to 4096 bytes; a digest must be as long as the signing
	// algorithm's hash (ValidationException).
	Message []byte
	// MessageType says what Message is: RAW (the message; KMS hashes it),
	// DIGEST (its hash, computed by the caller), or EXTERNAL_MU (the ML-DSA mu
	// value). Optional; zero value: absent, RAW.
	MessageType MessageType
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// SigningAlgorithm is the signature algorithm; it must be one the key's
	// SigningAlgorithms lists (InvalidKeyUsageException otherwise). Required.
	SigningAlgorithm SigningAlgorithmSpec
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// SignOutput is the output of Sign.
type SignOutput struct {
	// KeyId is the key ARN of the KMS key that signed the message.
	KeyId string
	// Signature is the signature: DER-encoded for ECDSA and SM2 (RFC 3279),
	// the raw signature for RSA, EdDSA and ML-DSA.
	Signature []byte
	// SigningAlgorithm is the algorithm used.
	SigningAlgorithm SigningAlgorithmSpec
}

// VerifyInput is the input of Verify.
type VerifyInput struct {
	// KeyId names the asymmetric key with KeyUsage SIGN_VERIFY that signed the
	// message: key ID, key ARN, alias name (alias/...) or alias ARN; a key or
	// alias ARN may name another account's key. Required; 1 to 2048
	// characters.
	KeyId string
	// Message is the message, or its digest when MessageType is DIGEST.
	// Required; 1 to 4096 bytes; a digest must be as long as the signing
	// algorithm's hash (ValidationException).
	Message []byte
	// MessageType says what Message is: RAW (the message; KMS hashes it),
	// DIGEST (its hash, computed by the caller), or EXTERNAL_MU (the ML-DSA mu
	// value). Optional; zero value: absent, RAW.
	MessageType MessageType
	// Signature is the signature to check, as Sign returns it. Required; 1 to
	// 6144 bytes (ValidationException).
	Signature []byte
	// SigningAlgorithm is the algorithm the signature was made with; it must
	// be one the key's SigningAlgorithms lists (InvalidKeyUsageException
	// otherwise). Required.
	SigningAlgorithm SigningAlgorithmSpec
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// VerifyOutput is the output of Verify.
type VerifyOutput struct {
	// KeyId is the key ARN of the KMS key that verified the signature.
	KeyId string
	// SignatureValid is true when the signature is valid. An invalid signature
	// is not reported here: Verify returns KMSInvalidSignatureException, as
	// AWS does.
	SignatureValid bool
	// SigningAlgorithm is the algorithm used.
	SigningAlgorithm SigningAlgorithmSpec
}

// GetPublicKeyInput is the input of GetPublicKey.
type GetPublicKeyInput struct {
	// KeyId names the asymmetric key: key ID, key ARN, alias name (alias/...)
	// or alias ARN; a key or alias ARN may name another account's key.
	// Required; 1 to 2048 characters.
	KeyId string
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
}

// GetPublicKeyOutput is the output of GetPublicKey.
type GetPublicKeyOutput struct {
	// KeyId is the key ARN of the KMS key that the public key belongs to.
	KeyId string
	// PublicKey is the public key in DER-encoded X.509 SubjectPublicKeyInfo
	// (RFC 5280).
	PublicKey []byte
	// CustomerMasterKeySpec is KeySpec under its deprecated name, for old
	// clients.
	CustomerMasterKeySpec CustomerMasterKeySpec
	// KeySpec is the key's type.
	KeySpec KeySpec
	// KeyUsage is what the key may do: ENCRYPT_DECRYPT, SIGN_VERIFY,
	// KEY_AGREEMENT or KEY_ENCAPSULATION.
	KeyUsage KeyUsageType
	// EncryptionAlgorithms lists the encryption algorithms the key supports,
	// for ENCRYPT_DECRYPT keys.
	EncryptionAlgorithms []EncryptionAlgorithmSpec
	// SigningAlgorithms lists the signing algorithms the key supports, for
	// SIGN_VERIFY keys.
	SigningAlgorithms []SigningAlgorithmSpec
	// KeyAgreementAlgorithms lists the key agreement algorithms the key
	// supports, for KEY_AGREEMENT keys.
	KeyAgreementAlgorithms []KeyAgreementAlgorithmSpec
	// EncapsulationAlgorithms lists the key encapsulation algorithms the key
	// supports, for KEY_ENCAPSULATION keys.
	EncapsulationAlgorithms []EncapsulationAlgorithmSpec
}

// GenerateMacInput is the input of GenerateMac.
type GenerateMacInput struct {
	// Message is the message to authenticate. Required; 1 to 4096 bytes
	// (ValidationException).
	Message []byte
	// KeyId names the HMAC key: key ID, key ARN, alias name (alias/...) or
	// alias ARN; a key or alias ARN may name another account's key. Required;
	// 1 to 2048 characters.
	KeyId string
	// MacAlgorithm is the HMAC algorithm, which must be the key's
	// (HMAC_SHA_224/256/384/512 by KeySpec; InvalidKeyUsageException
	// otherwise). Required.
	MacAlgorithm MacAlgorithmSpec
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// GenerateMacOutput is the output of GenerateMac.
type GenerateMacOutput struct {
	// Mac is the HMAC tag of the message.
	Mac []byte
	// MacAlgorithm is the algorithm used.
	MacAlgorithm MacAlgorithmSpec
	// KeyId is the key ARN of the KMS key that computed the MAC.
	KeyId string
}

// VerifyMacInput is the input of VerifyMac.
type VerifyMacInput struct {
	// Message is the message the MAC was computed over. Required; 1 to 4096
	// bytes (ValidationException).
	Message []byte
	// KeyId names the HMAC key: key ID, key ARN, alias name (alias/...) or
	// alias ARN; a key or alias ARN may name another account's key. Required;
	// 1 to 2048 characters.
	KeyId string
	// MacAlgorithm is the HMAC algorithm, which must be the key's
	// (HMAC_SHA_224/256/384/512 by KeySpec; InvalidKeyUsageException
	// otherwise). Required.
	MacAlgorithm MacAlgorithmSpec
	// Mac is the tag to check, as GenerateMac returned it. Required; 1 to 6144
	// bytes (ValidationException).
	Mac []byte
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// VerifyMacOutput is the output of VerifyMac.
type VerifyMacOutput struct {
	// KeyId is the key ARN of the KMS key that verified the MAC.
	KeyId string
	// MacValid is true when the MAC is valid. A wrong MAC is not reported
	// here: VerifyMac returns KMSInvalidMacException, as AWS does.
	MacValid bool
	// MacAlgorithm is the algorithm used.
	MacAlgorithm MacAlgorithmSpec
}

// DeriveSharedSecretInput is the input of DeriveSharedSecret.
type DeriveSharedSecretInput struct {
	// KeyId names the key pair with KeyUsage KEY_AGREEMENT whose private key
	// is used: key ID, key ARN, alias name (alias/...) or alias ARN; a key or
	// alias ARN may name another account's key. Required; 1 to 2048
	// characters.
	KeyId string
	// KeyAgreementAlgorithm is the key agreement algorithm: ECDH, the only
	// one. Required (ValidationException).
	KeyAgreementAlgorithm KeyAgreementAlgorithmSpec
	// PublicKey is the other party's public key, DER-encoded
	// SubjectPublicKeyInfo on the key's curve. Required; 1 to 8192 bytes
	// (ValidationException); a key that does not parse or is on another curve
	// gives ValidationException.
	PublicKey []byte
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
	// Recipient would have the result encrypted to a Nitro Enclave's public
	// key from its attestation document. embedkms has no enclave to attest, so
	// a request with a Recipient gives ValidationException. Optional; zero
	// value: absent (nil), the result in plaintext.
	Recipient *RecipientInfo
}

// DeriveSharedSecretOutput is the output of DeriveSharedSecret.
type DeriveSharedSecretOutput struct {
	// KeyId is the key ARN of the KMS key that derived the secret.
	KeyId string
	// SharedSecret is the raw ECDH shared secret (the x coordinate). Feed it
	// to a key derivation function before use.
	SharedSecret []byte
	// CiphertextForRecipient is, in AWS, the result encrypted to the input's
	// Recipient; never set here, where a Recipient is refused.
	CiphertextForRecipient []byte
	// KeyAgreementAlgorithm is the algorithm used.
	KeyAgreementAlgorithm KeyAgreementAlgorithmSpec
	// KeyOrigin is the key's Origin (AWS_KMS or EXTERNAL).
	KeyOrigin OriginType
}

// EncapsulateInput is the input of Encapsulate.
type EncapsulateInput struct {
	// KeyId names the ML-KEM key with KeyUsage KEY_ENCAPSULATION: key ID, key
	// ARN, alias name (alias/...) or alias ARN; a key or alias ARN may name
	// another account's key. Required; 1 to 2048 characters.
	KeyId string
	// EncapsulationAlgorithm is the key encapsulation algorithm: ML_KEM, the
	// only one. Required (ValidationException).
	EncapsulationAlgorithm EncapsulationAlgorithmSpec
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// EncapsulateOutput is the output of Encapsulate.
type EncapsulateOutput struct {
	// KeyId is the key ARN of the KMS key that encapsulated the secret.
	KeyId string
	// SharedSecret is the 32-byte shared secret.
	SharedSecret []byte
	// SharedSecretCiphertextBlob is the ML-KEM ciphertext; Decapsulate turns
	// it back into SharedSecret.
	SharedSecretCiphertextBlob []byte
	// EncapsulationAlgorithm is the algorithm used.
	EncapsulationAlgorithm EncapsulationAlgorithmSpec
}

// DecapsulateInput is the input of Decapsulate.
type DecapsulateInput struct {
	// KeyId names the ML-KEM key with KeyUsage KEY_ENCAPSULATION: key ID, key
	// ARN, alias name (alias/...) or alias ARN; a key or alias ARN may name
	// another account's key. Required; 1 to 2048 characters.
	KeyId string
	// SharedSecretCiphertextBlob is the ML-KEM ciphertext from Encapsulate or
	// another encapsulator of the key's public key. Required; 1 to 6144 bytes
	// (ValidationException), and a length other than the key spec's gives
	// InvalidCiphertextException.
	SharedSecretCiphertextBlob []byte
	// EncapsulationAlgorithm is the key encapsulation algorithm: ML_KEM, the
	// only one. Required (ValidationException).
	EncapsulationAlgorithm EncapsulationAlgorithmSpec
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// DecapsulateOutput is the output of Decapsulate.
type DecapsulateOutput struct {
	// KeyId is the key ARN of the KMS key that decapsulated the secret.
	KeyId string
	// SharedSecret is the 32-byte shared secret (ML-KEM's implicit rejection
	// gives a pseudorandom one for a ciphertext of another key).
	SharedSecret []byte
	// EncapsulationAlgorithm is the algorithm used.
	EncapsulationAlgorithm EncapsulationAlgorithmSpec
}

// GenerateDataKeyPairInput is the input of GenerateDataKeyPair.
type GenerateDataKeyPairInput struct {
	// EncryptionContext is non-secret key-value data bound to the encrypted
	// result as additional authenticated data: Decrypt needs the same context.
	// Optional; zero value: absent, no context.
	EncryptionContext map[string]string
	// KeyId names the symmetric encryption key that encrypts the private key:
	// key ID, key ARN, alias name (alias/...) or alias ARN; a key or alias ARN
	// may name another account's key. Required; 1 to 2048 characters. Another
	// kind of key gives InvalidKeyUsageException.
	KeyId string
	// KeyPairSpec is the type of key pair: an RSA_*, ECC_* or SM2 spec.
	// Required (ValidationException); SM2 outside China Regions gives
	// ValidationException.
	KeyPairSpec DataKeyPairSpec
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// Recipient would have the result encrypted to a Nitro Enclave's public
	// key from its attestation document. embedkms has no enclave to attest, so
	// a request with a Recipient gives ValidationException. Optional; zero
	// value: absent (nil), the result in plaintext.
	Recipient *RecipientInfo
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// GenerateDataKeyPairOutput is the output of GenerateDataKeyPair.
type GenerateDataKeyPairOutput struct {
	// PrivateKeyCiphertextBlob is the private key encrypted under the KMS key;
	// Decrypt gives back its DER encoding.
	PrivateKeyCiphertextBlob []byte
	// PrivateKeyPlaintext is the private key, DER-encoded PKCS #8 (RFC 5958).
	PrivateKeyPlaintext []byte
	// PublicKey is the public key in DER-encoded X.509 SubjectPublicKeyInfo
	// (RFC 5280).
	PublicKey []byte
	// KeyId is the key ARN of the KMS key that encrypted the private key.
	KeyId string
	// KeyPairSpec is the type of the key pair.
	KeyPairSpec DataKeyPairSpec
	// CiphertextForRecipient is, in AWS, the result encrypted to the input's
	// Recipient; never set here, where a Recipient is refused.
	CiphertextForRecipient []byte
	// KeyMaterialId is the hex id (64 characters) of the key material that did
	// the work.
	KeyMaterialId string
}

// GenerateDataKeyPairWithoutPlaintextInput is the input of
// GenerateDataKeyPairWithoutPlaintext.
type GenerateDataKeyPairWithoutPlaintextInput struct {
	// EncryptionContext is non-secret key-value data bound to the encrypted
	// result as additional authenticated data: Decrypt needs the same context.
	// Optional; zero value: absent, no context.
	EncryptionContext map[string]string
	// KeyId names the symmetric encryption key that encrypts the private key:
	// key ID, key ARN, alias name (alias/...) or alias ARN; a key or alias ARN
	// may name another account's key. Required; 1 to 2048 characters. Another
	// kind of key gives InvalidKeyUsageException.
	KeyId string
	// KeyPairSpec is the type of key pair: an RSA_*, ECC_* or SM2 spec.
	// Required (ValidationException); SM2 outside China Regions gives
	// ValidationException.
	KeyPairSpec DataKeyPairSpec
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// GenerateDataKeyPairWithoutPlaintextOutput is the output of
// GenerateDataKeyPairWithoutPlaintext.
type GenerateDataKeyPairWithoutPlaintextOutput struct {
	// PrivateKeyCiphertextBlob is the private key encrypted under the KMS key;
	// Decrypt gives back its DER encoding.
	PrivateKeyCiphertextBlob []byte
	// PublicKey is the public key in DER-encoded X.509 SubjectPublicKeyInfo
	// (RFC 5280).
	PublicKey []byte
	// KeyId is the key ARN of the KMS key that encrypted the private key.
	KeyId string
	// KeyPairSpec is the type of the key pair.
	KeyPairSpec DataKeyPairSpec
	// KeyMaterialId is the hex id (64 characters) of the key material that did
	// the work.
	KeyMaterialId string
}

// GetKeyPolicyInput is the input of GetKeyPolicy.
type GetKeyPolicyInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// PolicyName names the policy. Optional; zero value: absent, "default",
	// the only key policy; another name gives NotFoundException. 1 to 128
	// characters of letters, digits and _ (ValidationException).
	PolicyName string
}

// GetKeyPolicyOutput is the output of GetKeyPolicy.
type GetKeyPolicyOutput struct {
	// Policy is the key policy document, as it was set.
	Policy string
	// PolicyName is the policy's name, always "default".
	PolicyName string
}

// PutKeyPolicyInput is the input of PutKeyPolicy.
type PutKeyPolicyInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// PolicyName names the policy. Optional; zero value: absent, "default",
	// the only key policy; another name gives UnsupportedOperationException.
	// 1 to 128 characters of letters, digits and _ (ValidationException).
	PolicyName string
	// Policy is the new key policy document. Required; 1 to 32768 bytes
	// (LimitExceededException over it) of tab, newline and printable Latin-1
	// characters (ValidationException); a malformed document, or one that
	// would lock the caller out, gives MalformedPolicyDocumentException.
	Policy string
	// BypassPolicyLockoutSafetyCheck skips the check that Policy still lets
	// the caller call PutKeyPolicy. Optional; zero value: absent, false; use
	// with care.
	BypassPolicyLockoutSafetyCheck bool
}

// PutKeyPolicyOutput is the (empty) output of PutKeyPolicy.
type PutKeyPolicyOutput struct{}

// ListKeyPoliciesInput is the input of ListKeyPolicies.
type ListKeyPoliciesInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// Limit caps how many entries one page returns: 1 to 1000
	// (ValidationException); above 1000 counts as 1000. Optional; zero value:
	// absent, 100.
	Limit int32
	// Marker continues a listing from a previous page's NextMarker. Optional;
	// zero value: absent, the first page; 1 to 1024 characters
	// (ValidationException), and one not issued by this listing gives
	// InvalidMarkerException.
	Marker string
}

// ListKeyPoliciesOutput is the output of ListKeyPolicies.
type ListKeyPoliciesOutput struct {
	// PolicyNames are the key's policy names: always ["default"].
	PolicyNames []string
	// NextMarker, when Truncated, is the Marker that fetches the next page.
	NextMarker string
	// Truncated reports that more entries follow; fetch them with NextMarker.
	Truncated bool
}

// GrantConstraints limit a grant to requests with a given encryption
// context, or made on behalf of a given AWS resource.
type GrantConstraints struct {
	// EncryptionContextSubset: the request's encryption context must
	// include every pair (it may have more). Optional; zero value: absent,
	// no such constraint.
	EncryptionContextSubset map[string]string
	// EncryptionContextEquals: the request's encryption context must be
	// exactly this one. Optional; zero value: absent, no such constraint.
	EncryptionContextEquals map[string]string
	// SourceArn: the request must be made on behalf of this AWS resource
	// (CallerInfo.SourceArn, aws:SourceArn). Optional; zero value: absent,
	// no such constraint; required for a grant to a service principal.
	SourceArn string
}

// CreateGrantInput is the input of CreateGrant.
type CreateGrantInput struct {
	// KeyId names the key the grant is for: key ID or key ARN; a key ARN may
	// name another account's key (an alias gives NotFoundException). Required;
	// 1 to 2048 characters.
	KeyId string
	// GranteePrincipal is the principal (an IAM ARN) the grant gives
	// permissions to. Give it or GranteeServicePrincipal, exactly one
	// (ValidationException); 1 to 256 characters of letters, digits and the
	// symbols _+=,.@:/- (ValidationException); an ARN that is no principal
	// gives InvalidArnException.
	GranteePrincipal string
	// RetiringPrincipal is a principal (an IAM ARN) that may retire the grant;
	// not with RetiringServicePrincipal (ValidationException). Optional; zero
	// value: absent: then the grantee, if Operations include RetireGrant, and
	// the key's account may retire it. 1 to 256 characters, the pattern of
	// GranteePrincipal.
	RetiringPrincipal string
	// Operations are the operations the grant allows. Required: at least one,
	// not CreateGrant alone, and each one the key's spec and usage allow (a
	// symmetric key's grant may not allow Sign, ...); ValidationException
	// otherwise.
	Operations []GrantOperation
	// Constraints limit the grant to requests with a given encryption context
	// or source ARN. Optional; zero value: absent, none. At most 8 encryption
	// context pairs, values up to 384 characters, and no encryption context
	// constraint with an operation that takes no encryption context on the key
	// (ValidationException).
	Constraints *GrantConstraints
	// GrantTokens are grant tokens from CreateGrant. Grants take effect at
	// once here, so a valid token adds no permission, but each is checked: an
	// invalid one gives InvalidGrantTokenException. Optional; zero value:
	// absent; at most 10 tokens of 1 to 8192 characters each
	// (ValidationException).
	GrantTokens []string
	// Name is a friendly name for the grant. A CreateGrant with the same Name,
	// grantee, operations and constraints as an existing grant returns that
	// grant instead of a new one. Optional; zero value: absent, no name; 1 to
	// 256 characters of letters, digits and the symbols :/_-
	// (ValidationException).
	Name string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
	// GranteeServicePrincipal is an AWS service principal (such as
	// logs.amazonaws.com) the grant gives permissions to, instead of
	// GranteePrincipal; such a grant needs a SourceArn constraint and a
	// retiring principal (ValidationException). Optional; zero value: absent;
	// 1 to 128 characters, a dot-separated name.
	GranteeServicePrincipal string
	// RetiringServicePrincipal is an AWS service principal that may retire the
	// grant; not with RetiringPrincipal (ValidationException). Optional; zero
	// value: absent; 1 to 128 characters, a dot-separated name.
	RetiringServicePrincipal string
}

// CreateGrantOutput is the output of CreateGrant.
type CreateGrantOutput struct {
	// GrantToken is the grant's token: give it in GrantTokens, or to
	// RetireGrant.
	GrantToken string
	// GrantId is the grant's id, 64 hex digits; RevokeGrant and RetireGrant
	// take it with the key.
	GrantId string
}

// GrantListEntry describes a grant.
type GrantListEntry struct {
	// KeyId is the key ARN of the key the grant is for.
	KeyId string
	// GrantId is the grant's id.
	GrantId string
	// Name is the grant's friendly name; empty when it has none.
	Name string
	// CreationDate is when the grant was created.
	CreationDate time.Time
	// GranteePrincipal is the principal the grant is to; empty for a grant to
	// a service principal.
	GranteePrincipal string
	// RetiringPrincipal is the principal that may retire the grant; empty when
	// none was given.
	RetiringPrincipal string
	// IssuingAccount is the account that created the grant, as the ARN of its
	// root (arn:aws:iam::<account>:root).
	IssuingAccount string
	// Operations are the operations the grant allows.
	Operations []GrantOperation
	// Constraints are the grant's constraints; nil when it has none.
	Constraints *GrantConstraints
	// GranteeServicePrincipal is the service principal the grant is to; empty
	// for a grant to an IAM principal.
	GranteeServicePrincipal string
	// RetiringServicePrincipal is the service principal that may retire the
	// grant; empty when none was given.
	RetiringServicePrincipal string
}

// ListGrantsInput is the input of ListGrants.
type ListGrantsInput struct {
	// Limit caps how many entries one page returns: 1 to 1000
	// (ValidationException); above 100 counts as 100. Optional; zero value:
	// absent, 50.
	Limit int32
	// Marker continues a listing from a previous page's NextMarker. Optional;
	// zero value: absent, the first page; 1 to 1024 characters
	// (ValidationException), and one not issued by this listing gives
	// InvalidMarkerException.
	Marker string
	// KeyId names the key whose grants to list: key ID or key ARN; a key ARN
	// may name another account's key (an alias gives NotFoundException).
	// Required; 1 to 2048 characters.
	KeyId string
	// GrantId lists only the grant with this id. Optional; zero value: absent,
	// every grant; 1 to 128 characters, and a malformed id gives
	// InvalidGrantIdException.
	GrantId string
	// GranteePrincipal lists only grants to this principal. Optional; zero
	// value: absent, every grant; 1 to 256 characters.
	GranteePrincipal string
	// GranteeServicePrincipal lists only grants to this service principal.
	// Optional; zero value: absent, every grant; 1 to 128 characters.
	GranteeServicePrincipal string
}

// ListGrantsOutput is the output of ListGrants.
type ListGrantsOutput struct {
	// Grants are the grants of this page, in grant id order.
	Grants []GrantListEntry
	// NextMarker, when Truncated, is the Marker that fetches the next page.
	NextMarker string
	// Truncated reports that more entries follow; fetch them with NextMarker.
	Truncated bool
}

// ListRetirableGrantsInput is the input of ListRetirableGrants.
type ListRetirableGrantsInput struct {
	// Limit caps how many entries one page returns: 1 to 1000
	// (ValidationException); above 100 counts as 100. Optional; zero value:
	// absent, 50.
	Limit int32
	// Marker continues a listing from a previous page's NextMarker. Optional;
	// zero value: absent, the first page; 1 to 1024 characters
	// (ValidationException), and one not issued by this listing gives
	// InvalidMarkerException.
	Marker string
	// RetiringPrincipal lists the grants this principal (an IAM ARN) may
	// retire. Give it or RetiringServicePrincipal, exactly one
	// (ValidationException); 1 to 256 characters; an ARN that is no principal
	// gives InvalidArnException.
	RetiringPrincipal string
	// RetiringServicePrincipal lists the grants this service principal may
	// retire, instead of RetiringPrincipal. Optional; zero value: absent; 1 to
	// 128 characters.
	RetiringServicePrincipal string
}

// ListRetirableGrantsOutput is the output of ListRetirableGrants.
type ListRetirableGrantsOutput struct {
	// Grants are the retirable grants of this page, of every key in the
	// account and Region.
	Grants []GrantListEntry
	// NextMarker, when Truncated, is the Marker that fetches the next page.
	NextMarker string
	// Truncated reports that more entries follow; fetch them with NextMarker.
	Truncated bool
}

// RetireGrantInput is the input of RetireGrant: a GrantToken, or KeyId and
// GrantId.
type RetireGrantInput struct {
	// GrantToken is the token of the grant to retire. Give it, or KeyId and
	// GrantId (ValidationException otherwise); 1 to 8192 characters; an
	// invalid token gives InvalidGrantTokenException.
	GrantToken string
	// KeyId names the key the grant is for, with GrantId: key ID or key ARN
	// (another account's by ARN). 1 to 2048 characters.
	KeyId string
	// GrantId is the id of the grant to retire, with KeyId (or checked against
	// GrantToken's). 1 to 128 characters; a malformed id gives
	// InvalidGrantIdException, an unknown grant NotFoundException.
	GrantId string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// RetireGrantOutput is the (empty) output of RetireGrant.
type RetireGrantOutput struct{}

// RevokeGrantInput is the input of RevokeGrant.
type RevokeGrantInput struct {
	// KeyId names the key the grant is for: key ID or key ARN; a key ARN may
	// name another account's key (an alias gives NotFoundException). Required;
	// 1 to 2048 characters.
	KeyId string
	// GrantId is the id of the grant to revoke. Required; 1 to 128 characters;
	// an unknown grant gives NotFoundException.
	GrantId string
	// DryRun, when true, checks the request (validation, key state,
	// authorization) without doing the work: a request that would succeed
	// gives DryRunOperationException instead of a result. Optional; zero
	// value: absent, false.
	DryRun bool
}

// RevokeGrantOutput is the (empty) output of RevokeGrant.
type RevokeGrantOutput struct{}

// EnableKeyRotationInput is the input of EnableKeyRotation.
type EnableKeyRotationInput struct {
	// KeyId names the symmetric encryption key: key ID or key ARN, of this
	// account and Region (an alias gives NotFoundException). Required; 1 to
	// 2048 characters.
	KeyId string
	// RotationPeriodInDays is the number of days between automatic
	// rotations: 90 to 2560 (ValidationException). Optional; zero value:
	// absent, 365.
	RotationPeriodInDays int32
}

// EnableKeyRotationOutput is the (empty) output of EnableKeyRotation.
type EnableKeyRotationOutput struct{}

// DisableKeyRotationInput is the input of DisableKeyRotation.
type DisableKeyRotationInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
}

// DisableKeyRotationOutput is the (empty) output of DisableKeyRotation.
type DisableKeyRotationOutput struct{}

// GetKeyRotationStatusInput is the input of GetKeyRotationStatus.
type GetKeyRotationStatusInput struct {
	// KeyId names the KMS key: key ID or key ARN; a key ARN may name another
	// account's key (an alias gives NotFoundException). Required; 1 to 2048
	// characters.
	KeyId string
}

// GetKeyRotationStatusOutput is the output of GetKeyRotationStatus.
// RotationPeriodInDays and NextRotationDate are set only while automatic
// rotation is enabled. OnDemandRotationStartDate is never set: an
// on-demand rotation is complete when RotateKeyOnDemand returns.
type GetKeyRotationStatusOutput struct {
	// KeyRotationEnabled is true while automatic rotation is enabled.
	KeyRotationEnabled bool
	// KeyId is the key ARN of the key.
	KeyId string
	// RotationPeriodInDays is the number of days between automatic rotations.
	RotationPeriodInDays int32
	// NextRotationDate is when the next automatic rotation is due, by
	// Options.Clock (Maintain performs it).
	NextRotationDate time.Time
	// OnDemandRotationStartDate is when an on-demand rotation in progress
	// started; never set here.
	OnDemandRotationStartDate time.Time
}

// RotateKeyOnDemandInput is the input of RotateKeyOnDemand.
type RotateKeyOnDemandInput struct {
	// KeyId names the key to rotate now: key ID or key ARN, of this account
	// and Region (an alias gives NotFoundException). Required; 1 to 2048
	// characters.
	KeyId string
}

// RotateKeyOnDemandOutput is the output of RotateKeyOnDemand.
type RotateKeyOnDemandOutput struct {
	// KeyId is the key ARN of the rotated key.
	KeyId string
}

// ListKeyRotationsInput is the input of ListKeyRotations.
type ListKeyRotationsInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
	// IncludeKeyMaterial is ROTATIONS_ONLY (the rotations) or ALL_KEY_MATERIAL
	// (the key's first material too). Optional; zero value: absent,
	// ROTATIONS_ONLY.
	IncludeKeyMaterial IncludeKeyMaterial
	// Limit caps how many entries one page returns: 1 to 1000
	// (ValidationException); above 1000 counts as 1000. Optional; zero value:
	// absent, 100.
	Limit int32
	// Marker continues a listing from a previous page's NextMarker. Optional;
	// zero value: absent, the first page; 1 to 1024 characters
	// (ValidationException), and one not issued by this listing gives
	// InvalidMarkerException.
	Marker string
}

// ListKeyRotationsOutput is the output of ListKeyRotations.
type ListKeyRotationsOutput struct {
	// Rotations are the key's rotations (and materials) of this page, oldest
	// first.
	Rotations []RotationsListEntry
	// NextMarker, when Truncated, is the Marker that fetches the next page.
	NextMarker string
	// Truncated reports that more entries follow; fetch them with NextMarker.
	Truncated bool
}

// RotationsListEntry is one key material of a key in ListKeyRotations.
// KeyMaterialDescription, ImportState, ExpirationModel and ValidTo are set
// for keys of imported material (Origin EXTERNAL) only.
type RotationsListEntry struct {
	// KeyId is the key's id.
	KeyId string
	// KeyMaterialId is the hex id of this key material.
	KeyMaterialId string
	// KeyMaterialDescription is the description given when the material was
	// imported.
	KeyMaterialDescription string
	// ImportState is IMPORTED or PENDING_IMPORT, for imported material.
	ImportState ImportState
	// KeyMaterialState is CURRENT for the material in use, NON_CURRENT for
	// older material, PENDING_ROTATION for imported material not yet rotated
	// to.
	KeyMaterialState KeyMaterialState
	// ExpirationModel says whether this imported material expires.
	ExpirationModel ExpirationModelType
	// ValidTo is when this imported material expires; the zero time when it
	// does not.
	ValidTo time.Time
	// RotationDate is when the key rotated to this material; the zero time for
	// the first material.
	RotationDate time.Time
	// RotationType is AUTOMATIC or ON_DEMAND; empty for the first material.
	RotationType RotationType
}

// ReplicateKeyInput is the input of ReplicateKey.
type ReplicateKeyInput struct {
	// KeyId names the multi-Region primary key to replicate: key ID or key
	// ARN, of this account and Region (an alias gives NotFoundException).
	// Required; 1 to 2048 characters.
	KeyId string
	// ReplicaRegion is the Region to create the replica in, on the same
	// backend. Required; 1 to 32 characters such as us-west-2; the key's own
	// Region or one outside its partition gives ValidationException, a Region
	// that holds a replica already AlreadyExistsException.
	ReplicaRegion string
	// Policy is the replica's key policy. Optional; zero value: absent, AWS's
	// default key policy; the rules of CreateKeyInput.Policy apply.
	Policy string
	// BypassPolicyLockoutSafetyCheck skips the policy lockout check for the
	// replica's Policy. Optional; zero value: absent, false.
	BypassPolicyLockoutSafetyCheck bool
	// Description describes the replica; descriptions are not shared between
	// the keys of a multi-Region set. Optional; zero value: absent, no
	// description; 0 to 8192 characters (ValidationException).
	Description string
	// Tags are the replica's tags; tags are not shared between the keys of a
	// multi-Region set. Optional; zero value: absent, no tags; the rules of
	// Tag apply.
	Tags []Tag
}

// ReplicateKeyOutput is the output of ReplicateKey.
type ReplicateKeyOutput struct {
	// ReplicaKeyMetadata describes the new replica key.
	ReplicaKeyMetadata *KeyMetadata
	// ReplicaPolicy is the replica's key policy.
	ReplicaPolicy string
	// ReplicaTags are the replica's tags.
	ReplicaTags []Tag
}

// UpdatePrimaryRegionInput is the input of UpdatePrimaryRegion.
type UpdatePrimaryRegionInput struct {
	// KeyId names the current primary key: key ID or key ARN, of this account
	// and Region (an alias gives NotFoundException). Required; 1 to 2048
	// characters.
	KeyId string
	// PrimaryRegion is the Region of the replica that becomes the primary.
	// Required; 1 to 32 characters (ValidationException); a Region with no
	// replica gives NotFoundException.
	PrimaryRegion string
}

// UpdatePrimaryRegionOutput is the output of UpdatePrimaryRegion: empty.
type UpdatePrimaryRegionOutput struct{}

// GetParametersForImportInput is the input of GetParametersForImport.
type GetParametersForImportInput struct {
	// KeyId names the key with Origin EXTERNAL to import into: key ID or key
	// ARN, of this account and Region (an alias gives NotFoundException).
	// Required; 1 to 2048 characters. A key of another Origin gives
	// UnsupportedOperationException.
	KeyId string
	// WrappingAlgorithm is how the key material will be wrapped:
	// RSAES_OAEP_SHA_1/SHA_256, RSA_AES_KEY_WRAP_SHA_1/SHA_256 or SM2PKE
	// (China Regions). Required (ValidationException). RSAES_PKCS1_V1_5 gives
	// UnsupportedOperationException; an algorithm that does not fit
	// WrappingKeySpec, or cannot wrap the key's material (an RSA private key
	// needs RSA_AES_KEY_WRAP_*), ValidationException.
	WrappingAlgorithm AlgorithmSpec
	// WrappingKeySpec is the type of the wrapping public key: RSA_2048,
	// RSA_3072, RSA_4096 or SM2. Required (ValidationException).
	WrappingKeySpec WrappingKeySpec
}

// GetParametersForImportOutput is the output of GetParametersForImport.
type GetParametersForImportOutput struct {
	// KeyId is the key ARN of the key.
	KeyId string
	// ImportToken goes with the wrapped material to ImportKeyMaterial.
	ImportToken []byte
	// PublicKey is the wrapping public key, DER-encoded SubjectPublicKeyInfo.
	PublicKey []byte
	// ParametersValidTo is when ImportToken and PublicKey expire: 24 hours
	// from now, by Options.Clock.
	ParametersValidTo time.Time
}

// ImportKeyMaterialInput is the input of ImportKeyMaterial.
type ImportKeyMaterialInput struct {
	// KeyId names the key with Origin EXTERNAL to import into: key ID or key
	// ARN, of this account and Region (an alias gives NotFoundException).
	// Required; 1 to 2048 characters. A key of another Origin gives
	// UnsupportedOperationException.
	KeyId string
	// ImportToken is the token from the GetParametersForImport whose public
	// key wrapped the material. Required; 1 to 6144 bytes
	// (ValidationException); an expired token gives
	// ExpiredImportTokenException, one of another key
	// InvalidImportTokenException.
	ImportToken []byte
	// EncryptedKeyMaterial is the key material wrapped under that public key
	// with the WrappingAlgorithm. Required; 1 to 6144 bytes; material that
	// does not unwrap gives InvalidCiphertextException, material that is not
	// the key's (when reimporting) IncorrectKeyMaterialException.
	EncryptedKeyMaterial []byte
	// ValidTo is when the material expires, by Options.Clock: later than now
	// and at most 365 days from now. Required with ExpirationModel
	// KEY_MATERIAL_EXPIRES and refused with KEY_MATERIAL_DOES_NOT_EXPIRE
	// (ValidationException).
	ValidTo time.Time
	// ExpirationModel is KEY_MATERIAL_EXPIRES (ValidTo required) or
	// KEY_MATERIAL_DOES_NOT_EXPIRE (ValidTo refused). Optional; zero value:
	// absent, KEY_MATERIAL_EXPIRES, AWS's default.
	ExpirationModel ExpirationModelType
	// ImportType is NEW_KEY_MATERIAL (new material for a symmetric key,
	// current after RotateKeyOnDemand) or EXISTING_KEY_MATERIAL (material the
	// key had before). Optional; zero value: absent; the first import sets the
	// key's material, later ones default to EXISTING_KEY_MATERIAL.
	ImportType ImportType
	// KeyMaterialDescription describes the material; symmetric encryption keys
	// only (ValidationException). Optional; zero value: absent; 0 to 256
	// characters of letters, digits, white space and the symbols :/_.-
	// (ValidationException).
	KeyMaterialDescription string
	// KeyMaterialId names the material being reimported, with ImportType
	// EXISTING_KEY_MATERIAL (with NEW_KEY_MATERIAL, or for a key that is not a
	// symmetric encryption key, it gives ValidationException). Optional; zero
	// value: absent, the key's current material; 64 hex digits
	// (ValidationException).
	KeyMaterialId string
}

// ImportKeyMaterialOutput is the output of ImportKeyMaterial.
type ImportKeyMaterialOutput struct {
	// KeyId is the key ARN of the key.
	KeyId string
	// KeyMaterialId is the hex id of the imported material.
	KeyMaterialId string
}

// DeleteImportedKeyMaterialInput is the input of DeleteImportedKeyMaterial.
type DeleteImportedKeyMaterialInput struct {
	// KeyId names the key with Origin EXTERNAL: key ID or key ARN, of this
	// account and Region (an alias gives NotFoundException). Required; 1 to
	// 2048 characters. A key of another Origin gives
	// UnsupportedOperationException.
	KeyId string
	// KeyMaterialId names the material to delete. Optional; zero value:
	// absent, the current material; 64 hex digits (ValidationException), and
	// material the key does not have gives NotFoundException.
	KeyMaterialId string
}

// DeleteImportedKeyMaterialOutput is the output of DeleteImportedKeyMaterial.
type DeleteImportedKeyMaterialOutput struct {
	// KeyId is the key ARN of the key, now PendingImport if its current
	// material was deleted.
	KeyId string
	// KeyMaterialId is the hex id of the deleted material.
	KeyMaterialId string
}
