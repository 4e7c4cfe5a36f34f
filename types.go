package kms

import "time"

// Request and response shapes, named and shaped as in the AWS KMS API model
// (aws/aws-sdk-go-v2 codegen/sdk-codegen/aws-models/kms.json). Optional
// members use their zero value for "absent": an empty string, a nil slice or
// map, 0 for numbers whose valid range starts at 1, and the zero time.Time.

// Tag is a key-value pair attached to a KMS key.
type Tag struct {
	TagKey   string
	TagValue string
}

// MultiRegionKey names one key of a multi-Region key set.
type MultiRegionKey struct {
	Arn    string
	Region string
}

// MultiRegionConfiguration describes a multi-Region key's primary and
// replicas.
type MultiRegionConfiguration struct {
	MultiRegionKeyType MultiRegionKeyType
	PrimaryKey         *MultiRegionKey
	ReplicaKeys        []MultiRegionKey
}

// XksKeyConfigurationType names the external key of a key in an external
// key store.
type XksKeyConfigurationType struct {
	Id string
}

// KeyMetadata describes a KMS key.
type KeyMetadata struct {
	AWSAccountId                string
	KeyId                       string
	Arn                         string
	CreationDate                time.Time
	Enabled                     bool
	Description                 string
	KeyUsage                    KeyUsageType
	KeyState                    KeyState
	DeletionDate                time.Time
	ValidTo                     time.Time
	Origin                      OriginType
	CustomKeyStoreId            string
	CloudHsmClusterId           string
	ExpirationModel             ExpirationModelType
	KeyManager                  KeyManagerType
	CustomerMasterKeySpec       CustomerMasterKeySpec // Deprecated: use KeySpec.
	KeySpec                     KeySpec
	EncryptionAlgorithms        []EncryptionAlgorithmSpec
	SigningAlgorithms           []SigningAlgorithmSpec
	KeyAgreementAlgorithms      []KeyAgreementAlgorithmSpec
	EncapsulationAlgorithms     []EncapsulationAlgorithmSpec
	MultiRegion                 bool
	MultiRegionConfiguration    *MultiRegionConfiguration
	PendingDeletionWindowInDays int32
	MacAlgorithms               []MacAlgorithmSpec
	XksKeyConfiguration         *XksKeyConfigurationType
	CurrentKeyMaterialId        string
}

// KeyListEntry is one key in a ListKeys result.
type KeyListEntry struct {
	KeyId  string
	KeyArn string
}

// AliasListEntry is one alias in a ListAliases result.
type AliasListEntry struct {
	AliasName       string
	AliasArn        string
	TargetKeyId     string
	CreationDate    time.Time
	LastUpdatedDate time.Time
}

// RecipientInfo names a Nitro Enclave recipient (attested requests).
type RecipientInfo struct {
	KeyEncryptionAlgorithm KeyEncryptionMechanism
	AttestationDocument    []byte
}

// CreateKeyInput is the input of CreateKey.
type CreateKeyInput struct {
	Policy                         string
	Description                    string
	KeyUsage                       KeyUsageType
	CustomerMasterKeySpec          CustomerMasterKeySpec // Deprecated: use KeySpec.
	KeySpec                        KeySpec
	Origin                         OriginType
	CustomKeyStoreId               string
	BypassPolicyLockoutSafetyCheck bool
	Tags                           []Tag
	MultiRegion                    bool
	XksKeyId                       string
}

// CreateKeyOutput is the output of CreateKey.
type CreateKeyOutput struct {
	KeyMetadata *KeyMetadata
}

// DescribeKeyInput is the input of DescribeKey.
type DescribeKeyInput struct {
	KeyId       string
	GrantTokens []string
}

// DescribeKeyOutput is the output of DescribeKey.
type DescribeKeyOutput struct {
	KeyMetadata *KeyMetadata
}

// ListKeysInput is the input of ListKeys.
type ListKeysInput struct {
	Limit  int32
	Marker string
	// ResourceOwners says whose keys to list: SELF, the caller's account's;
	// OTHER_ACCOUNTS_VIA_RAM, those other accounts share with it through
	// AWS RAM, which the handle does not model: none. Omitted: SELF.
	ResourceOwners []ResourceOwner
}

// ListKeysOutput is the output of ListKeys.
type ListKeysOutput struct {
	Keys       []KeyListEntry
	NextMarker string
	Truncated  bool
}

// UpdateKeyDescriptionInput is the input of UpdateKeyDescription.
type UpdateKeyDescriptionInput struct {
	KeyId       string
	Description string
}

// UpdateKeyDescriptionOutput is the (empty) output of UpdateKeyDescription.
type UpdateKeyDescriptionOutput struct{}

// EnableKeyInput is the input of EnableKey.
type EnableKeyInput struct {
	KeyId string
}

// EnableKeyOutput is the (empty) output of EnableKey.
type EnableKeyOutput struct{}

// DisableKeyInput is the input of DisableKey.
type DisableKeyInput struct {
	KeyId string
}

// DisableKeyOutput is the (empty) output of DisableKey.
type DisableKeyOutput struct{}

// ScheduleKeyDeletionInput is the input of ScheduleKeyDeletion.
type ScheduleKeyDeletionInput struct {
	KeyId               string
	PendingWindowInDays int32
}

// ScheduleKeyDeletionOutput is the output of ScheduleKeyDeletion.
type ScheduleKeyDeletionOutput struct {
	KeyId               string
	DeletionDate        time.Time
	KeyState            KeyState
	PendingWindowInDays int32
}

// CancelKeyDeletionInput is the input of CancelKeyDeletion.
type CancelKeyDeletionInput struct {
	KeyId string
}

// CancelKeyDeletionOutput is the output of CancelKeyDeletion.
type CancelKeyDeletionOutput struct {
	KeyId string
}

// EncryptInput is the input of Encrypt.
type EncryptInput struct {
	KeyId               string
	Plaintext           []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	EncryptionAlgorithm EncryptionAlgorithmSpec
	DryRun              bool
}

// EncryptOutput is the output of Encrypt.
type EncryptOutput struct {
	CiphertextBlob      []byte
	KeyId               string
	EncryptionAlgorithm EncryptionAlgorithmSpec
}

// DecryptInput is the input of Decrypt.
type DecryptInput struct {
	CiphertextBlob      []byte
	EncryptionContext   map[string]string
	GrantTokens         []string
	KeyId               string
	EncryptionAlgorithm EncryptionAlgorithmSpec
	Recipient           *RecipientInfo
	DryRun              bool
	DryRunModifiers     []DryRunModifierType
}

// DecryptOutput is the output of Decrypt.
type DecryptOutput struct {
	KeyId                  string
	Plaintext              []byte
	EncryptionAlgorithm    EncryptionAlgorithmSpec
	CiphertextForRecipient []byte
	KeyMaterialId          string
}

// ReEncryptInput is the input of ReEncrypt.
type ReEncryptInput struct {
	CiphertextBlob                 []byte
	SourceEncryptionContext        map[string]string
	SourceKeyId                    string
	DestinationKeyId               string
	DestinationEncryptionContext   map[string]string
	SourceEncryptionAlgorithm      EncryptionAlgorithmSpec
	DestinationEncryptionAlgorithm EncryptionAlgorithmSpec
	GrantTokens                    []string
	DryRun                         bool
	DryRunModifiers                []DryRunModifierType
}

// ReEncryptOutput is the output of ReEncrypt.
type ReEncryptOutput struct {
	CiphertextBlob                 []byte
	SourceKeyId                    string
	KeyId                          string
	SourceEncryptionAlgorithm      EncryptionAlgorithmSpec
	DestinationEncryptionAlgorithm EncryptionAlgorithmSpec
	SourceKeyMaterialId            string
	DestinationKeyMaterialId       string
}

// GenerateDataKeyInput is the input of GenerateDataKey.
type GenerateDataKeyInput struct {
	KeyId             string
	EncryptionContext map[string]string
	NumberOfBytes     int32
	KeySpec           DataKeySpec
	GrantTokens       []string
	Recipient         *RecipientInfo
	DryRun            bool
}

// GenerateDataKeyOutput is the output of GenerateDataKey.
type GenerateDataKeyOutput struct {
	CiphertextBlob         []byte
	Plaintext              []byte
	KeyId                  string
	CiphertextForRecipient []byte
	KeyMaterialId          string
}

// GenerateDataKeyWithoutPlaintextInput is the input of
// GenerateDataKeyWithoutPlaintext.
type GenerateDataKeyWithoutPlaintextInput struct {
	KeyId             string
	EncryptionContext map[string]string
	KeySpec           DataKeySpec
	NumberOfBytes     int32
	GrantTokens       []string
	DryRun            bool
}

// GenerateDataKeyWithoutPlaintextOutput is the output of
// GenerateDataKeyWithoutPlaintext.
type GenerateDataKeyWithoutPlaintextOutput struct {
	CiphertextBlob []byte
	KeyId          string
	KeyMaterialId  string
}

// GenerateRandomInput is the input of GenerateRandom.
type GenerateRandomInput struct {
	NumberOfBytes    int32
	CustomKeyStoreId string
	Recipient        *RecipientInfo
}

// GenerateRandomOutput is the output of GenerateRandom.
type GenerateRandomOutput struct {
	Plaintext              []byte
	CiphertextForRecipient []byte
}

// CreateAliasInput is the input of CreateAlias.
type CreateAliasInput struct {
	AliasName   string
	TargetKeyId string
}

// CreateAliasOutput is the (empty) output of CreateAlias.
type CreateAliasOutput struct{}

// UpdateAliasInput is the input of UpdateAlias.
type UpdateAliasInput struct {
	AliasName   string
	TargetKeyId string
}

// UpdateAliasOutput is the (empty) output of UpdateAlias.
type UpdateAliasOutput struct{}

// DeleteAliasInput is the input of DeleteAlias.
type DeleteAliasInput struct {
	AliasName string
}

// DeleteAliasOutput is the (empty) output of DeleteAlias.
type DeleteAliasOutput struct{}

// ListAliasesInput is the input of ListAliases.
type ListAliasesInput struct {
	KeyId  string
	Limit  int32
	Marker string
}

// ListAliasesOutput is the output of ListAliases.
type ListAliasesOutput struct {
	Aliases    []AliasListEntry
	NextMarker string
	Truncated  bool
}

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	KeyId string
	Tags  []Tag
}

// TagResourceOutput is the (empty) output of TagResource.
type TagResourceOutput struct{}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	KeyId   string
	TagKeys []string
}

// UntagResourceOutput is the (empty) output of UntagResource.
type UntagResourceOutput struct{}

// ListResourceTagsInput is the input of ListResourceTags.
type ListResourceTagsInput struct {
	KeyId  string
	Limit  int32
	Marker string
}

// ListResourceTagsOutput is the output of ListResourceTags.
type ListResourceTagsOutput struct {
	Tags       []Tag
	NextMarker string
	Truncated  bool
}

// SignInput is the input of Sign.
type SignInput struct {
	KeyId            string
	Message          []byte
	MessageType      MessageType
	GrantTokens      []string
	SigningAlgorithm SigningAlgorithmSpec
	DryRun           bool
}

// SignOutput is the output of Sign.
type SignOutput struct {
	KeyId            string
	Signature        []byte
	SigningAlgorithm SigningAlgorithmSpec
}

// VerifyInput is the input of Verify.
type VerifyInput struct {
	KeyId            string
	Message          []byte
	MessageType      MessageType
	Signature        []byte
	SigningAlgorithm SigningAlgorithmSpec
	GrantTokens      []string
	DryRun           bool
}

// VerifyOutput is the output of Verify.
type VerifyOutput struct {
	KeyId            string
	SignatureValid   bool
	SigningAlgorithm SigningAlgorithmSpec
}

// GetPublicKeyInput is the input of GetPublicKey.
type GetPublicKeyInput struct {
	KeyId       string
	GrantTokens []string
}

// GetPublicKeyOutput is the output of GetPublicKey.
type GetPublicKeyOutput struct {
	KeyId                   string
	PublicKey               []byte
	CustomerMasterKeySpec   CustomerMasterKeySpec
	KeySpec                 KeySpec
	KeyUsage                KeyUsageType
	EncryptionAlgorithms    []EncryptionAlgorithmSpec
	SigningAlgorithms       []SigningAlgorithmSpec
	KeyAgreementAlgorithms  []KeyAgreementAlgorithmSpec
	EncapsulationAlgorithms []EncapsulationAlgorithmSpec
}

// GenerateMacInput is the input of GenerateMac.
type GenerateMacInput struct {
	Message      []byte
	KeyId        string
	MacAlgorithm MacAlgorithmSpec
	GrantTokens  []string
	DryRun       bool
}

// GenerateMacOutput is the output of GenerateMac.
type GenerateMacOutput struct {
	Mac          []byte
	MacAlgorithm MacAlgorithmSpec
	KeyId        string
}

// VerifyMacInput is the input of VerifyMac.
type VerifyMacInput struct {
	Message      []byte
	KeyId        string
	MacAlgorithm MacAlgorithmSpec
	Mac          []byte
	GrantTokens  []string
	DryRun       bool
}

// VerifyMacOutput is the output of VerifyMac.
type VerifyMacOutput struct {
	KeyId        string
	MacValid     bool
	MacAlgorithm MacAlgorithmSpec
}

// DeriveSharedSecretInput is the input of DeriveSharedSecret.
type DeriveSharedSecretInput struct {
	KeyId                 string
	KeyAgreementAlgorithm KeyAgreementAlgorithmSpec
	PublicKey             []byte
	GrantTokens           []string
	DryRun                bool
	Recipient             *RecipientInfo
}

// DeriveSharedSecretOutput is the output of DeriveSharedSecret.
type DeriveSharedSecretOutput struct {
	KeyId                  string
	SharedSecret           []byte
	CiphertextForRecipient []byte
	KeyAgreementAlgorithm  KeyAgreementAlgorithmSpec
	KeyOrigin              OriginType
}

// EncapsulateInput is the input of Encapsulate.
type EncapsulateInput struct {
	KeyId                  string
	EncapsulationAlgorithm EncapsulationAlgorithmSpec
	GrantTokens            []string
	DryRun                 bool
}

// EncapsulateOutput is the output of Encapsulate.
type EncapsulateOutput struct {
	KeyId                      string
	SharedSecret               []byte
	SharedSecretCiphertextBlob []byte
	EncapsulationAlgorithm     EncapsulationAlgorithmSpec
}

// DecapsulateInput is the input of Decapsulate.
type DecapsulateInput struct {
	KeyId                      string
	SharedSecretCiphertextBlob []byte
	EncapsulationAlgorithm     EncapsulationAlgorithmSpec
	GrantTokens                []string
	DryRun                     bool
}

// DecapsulateOutput is the output of Decapsulate.
type DecapsulateOutput struct {
	KeyId                  string
	SharedSecret           []byte
	EncapsulationAlgorithm EncapsulationAlgorithmSpec
}

// GenerateDataKeyPairInput is the input of GenerateDataKeyPair.
type GenerateDataKeyPairInput struct {
	EncryptionContext map[string]string
	KeyId             string
	KeyPairSpec       DataKeyPairSpec
	GrantTokens       []string
	Recipient         *RecipientInfo
	DryRun            bool
}

// GenerateDataKeyPairOutput is the output of GenerateDataKeyPair.
type GenerateDataKeyPairOutput struct {
	PrivateKeyCiphertextBlob []byte
	PrivateKeyPlaintext      []byte
	PublicKey                []byte
	KeyId                    string
	KeyPairSpec              DataKeyPairSpec
	CiphertextForRecipient   []byte
	KeyMaterialId            string
}

// GenerateDataKeyPairWithoutPlaintextInput is the input of
// GenerateDataKeyPairWithoutPlaintext.
type GenerateDataKeyPairWithoutPlaintextInput struct {
	EncryptionContext map[string]string
	KeyId             string
	KeyPairSpec       DataKeyPairSpec
	GrantTokens       []string
	DryRun            bool
}

// GenerateDataKeyPairWithoutPlaintextOutput is the output of
// GenerateDataKeyPairWithoutPlaintext.
type GenerateDataKeyPairWithoutPlaintextOutput struct {
	PrivateKeyCiphertextBlob []byte
	PublicKey                []byte
	KeyId                    string
	KeyPairSpec              DataKeyPairSpec
	KeyMaterialId            string
}

// GetKeyPolicyInput is the input of GetKeyPolicy.
type GetKeyPolicyInput struct {
	KeyId string
	// PolicyName is optional; the only key policy is "default".
	PolicyName string
}

// GetKeyPolicyOutput is the output of GetKeyPolicy.
type GetKeyPolicyOutput struct {
	Policy     string
	PolicyName string
}

// PutKeyPolicyInput is the input of PutKeyPolicy.
type PutKeyPolicyInput struct {
	KeyId string
	// PolicyName is optional; the only key policy is "default".
	PolicyName                     string
	Policy                         string
	BypassPolicyLockoutSafetyCheck bool
}

// PutKeyPolicyOutput is the (empty) output of PutKeyPolicy.
type PutKeyPolicyOutput struct{}

// ListKeyPoliciesInput is the input of ListKeyPolicies.
type ListKeyPoliciesInput struct {
	KeyId  string
	Limit  int32
	Marker string
}

// ListKeyPoliciesOutput is the output of ListKeyPolicies.
type ListKeyPoliciesOutput struct {
	PolicyNames []string
	NextMarker  string
	Truncated   bool
}

// GrantConstraints limit a grant to requests with a given encryption
// context, or made on behalf of a given AWS resource.
type GrantConstraints struct {
	// EncryptionContextSubset: the request's encryption context must
	// include every pair (it may have more).
	EncryptionContextSubset map[string]string
	// EncryptionContextEquals: the request's encryption context must be
	// exactly this one.
	EncryptionContextEquals map[string]string
	// SourceArn: the request must be made on behalf of this AWS resource
	// (CallerInfo.SourceArn, aws:SourceArn).
	SourceArn string
}

// CreateGrantInput is the input of CreateGrant.
type CreateGrantInput struct {
	KeyId                    string
	GranteePrincipal         string
	RetiringPrincipal        string
	Operations               []GrantOperation
	Constraints              *GrantConstraints
	GrantTokens              []string
	Name                     string
	DryRun                   bool
	GranteeServicePrincipal  string
	RetiringServicePrincipal string
}

// CreateGrantOutput is the output of CreateGrant.
type CreateGrantOutput struct {
	GrantToken string
	GrantId    string
}

// GrantListEntry describes a grant.
type GrantListEntry struct {
	KeyId                    string
	GrantId                  string
	Name                     string
	CreationDate             time.Time
	GranteePrincipal         string
	RetiringPrincipal        string
	IssuingAccount           string
	Operations               []GrantOperation
	Constraints              *GrantConstraints
	GranteeServicePrincipal  string
	RetiringServicePrincipal string
}

// ListGrantsInput is the input of ListGrants.
type ListGrantsInput struct {
	Limit                   int32
	Marker                  string
	KeyId                   string
	GrantId                 string
	GranteePrincipal        string
	GranteeServicePrincipal string
}

// ListGrantsOutput is the output of ListGrants.
type ListGrantsOutput struct {
	Grants     []GrantListEntry
	NextMarker string
	Truncated  bool
}

// ListRetirableGrantsInput is the input of ListRetirableGrants.
type ListRetirableGrantsInput struct {
	Limit                    int32
	Marker                   string
	RetiringPrincipal        string
	RetiringServicePrincipal string
}

// ListRetirableGrantsOutput is the output of ListRetirableGrants.
type ListRetirableGrantsOutput struct {
	Grants     []GrantListEntry
	NextMarker string
	Truncated  bool
}

// RetireGrantInput is the input of RetireGrant: a GrantToken, or KeyId and
// GrantId.
type RetireGrantInput struct {
	GrantToken string
	KeyId      string
	GrantId    string
	DryRun     bool
}

// RetireGrantOutput is the (empty) output of RetireGrant.
type RetireGrantOutput struct{}

// RevokeGrantInput is the input of RevokeGrant.
type RevokeGrantInput struct {
	KeyId   string
	GrantId string
	DryRun  bool
}

// RevokeGrantOutput is the (empty) output of RevokeGrant.
type RevokeGrantOutput struct{}

// EnableKeyRotationInput is the input of EnableKeyRotation.
type EnableKeyRotationInput struct {
	KeyId                string
	RotationPeriodInDays int32 // 90..2560; 0 means the default, 365
}

// EnableKeyRotationOutput is the (empty) output of EnableKeyRotation.
type EnableKeyRotationOutput struct{}

// DisableKeyRotationInput is the input of DisableKeyRotation.
type DisableKeyRotationInput struct {
	KeyId string
}

// DisableKeyRotationOutput is the (empty) output of DisableKeyRotation.
type DisableKeyRotationOutput struct{}

// GetKeyRotationStatusInput is the input of GetKeyRotationStatus.
type GetKeyRotationStatusInput struct {
	KeyId string
}

// GetKeyRotationStatusOutput is the output of GetKeyRotationStatus.
// RotationPeriodInDays and NextRotationDate are set only while automatic
// rotation is enabled. OnDemandRotationStartDate is never set: an
// on-demand rotation is complete when RotateKeyOnDemand returns.
type GetKeyRotationStatusOutput struct {
	KeyRotationEnabled        bool
	KeyId                     string
	RotationPeriodInDays      int32
	NextRotationDate          time.Time
	OnDemandRotationStartDate time.Time
}

// RotateKeyOnDemandInput is the input of RotateKeyOnDemand.
type RotateKeyOnDemandInput struct {
	KeyId string
}

// RotateKeyOnDemandOutput is the output of RotateKeyOnDemand.
type RotateKeyOnDemandOutput struct {
	KeyId string
}

// ListKeyRotationsInput is the input of ListKeyRotations.
type ListKeyRotationsInput struct {
	KeyId              string
	IncludeKeyMaterial IncludeKeyMaterial
	Limit              int32
	Marker             string
}

// ListKeyRotationsOutput is the output of ListKeyRotations.
type ListKeyRotationsOutput struct {
	Rotations  []RotationsListEntry
	NextMarker string
	Truncated  bool
}

// RotationsListEntry is one key material of a key in ListKeyRotations.
// KeyMaterialDescription, ImportState, ExpirationModel and ValidTo are set
// for keys of imported material (Origin EXTERNAL) only.
type RotationsListEntry struct {
	KeyId                  string
	KeyMaterialId          string
	KeyMaterialDescription string
	ImportState            ImportState
	KeyMaterialState       KeyMaterialState
	ExpirationModel        ExpirationModelType
	ValidTo                time.Time
	RotationDate           time.Time
	RotationType           RotationType
}

// ReplicateKeyInput is the input of ReplicateKey.
type ReplicateKeyInput struct {
	KeyId                          string
	ReplicaRegion                  string
	Policy                         string
	BypassPolicyLockoutSafetyCheck bool
	Description                    string
	Tags                           []Tag
}

// ReplicateKeyOutput is the output of ReplicateKey.
type ReplicateKeyOutput struct {
	ReplicaKeyMetadata *KeyMetadata
	ReplicaPolicy      string
	ReplicaTags        []Tag
}

// UpdatePrimaryRegionInput is the input of UpdatePrimaryRegion.
type UpdatePrimaryRegionInput struct {
	KeyId         string
	PrimaryRegion string
}

// UpdatePrimaryRegionOutput is the output of UpdatePrimaryRegion: empty.
type UpdatePrimaryRegionOutput struct{}

// GetParametersForImportInput is the input of GetParametersForImport.
type GetParametersForImportInput struct {
	KeyId             string
	WrappingAlgorithm AlgorithmSpec
	WrappingKeySpec   WrappingKeySpec
}

// GetParametersForImportOutput is the output of GetParametersForImport.
type GetParametersForImportOutput struct {
	KeyId             string
	ImportToken       []byte
	PublicKey         []byte
	ParametersValidTo time.Time
}

// ImportKeyMaterialInput is the input of ImportKeyMaterial.
type ImportKeyMaterialInput struct {
	KeyId                  string
	ImportToken            []byte
	EncryptedKeyMaterial   []byte
	ValidTo                time.Time
	ExpirationModel        ExpirationModelType
	ImportType             ImportType
	KeyMaterialDescription string
	KeyMaterialId          string
}

// ImportKeyMaterialOutput is the output of ImportKeyMaterial.
type ImportKeyMaterialOutput struct {
	KeyId         string
	KeyMaterialId string
}

// DeleteImportedKeyMaterialInput is the input of DeleteImportedKeyMaterial.
type DeleteImportedKeyMaterialInput struct {
	KeyId         string
	KeyMaterialId string
}

// DeleteImportedKeyMaterialOutput is the output of DeleteImportedKeyMaterial.
type DeleteImportedKeyMaterialOutput struct {
	KeyId         string
	KeyMaterialId string
}
