// The enums of the AWS KMS API model, as published in aws/aws-sdk-go-v2
// codegen/sdk-codegen/aws-models/kms.json; the ML-KEM values arrived in
// aws-sdk-go-v2/service/kms v1.62.0 (its CHANGELOG). Names follow the SDK.

package kms

// KeySpec is the AWS KMS enum KeySpec.
type KeySpec string

// Values of KeySpec.
const (
	KeySpecRsa2048             KeySpec = "RSA_2048"
	KeySpecRsa3072             KeySpec = "RSA_3072"
	KeySpecRsa4096             KeySpec = "RSA_4096"
	KeySpecEccNistP256         KeySpec = "ECC_NIST_P256"
	KeySpecEccNistP384         KeySpec = "ECC_NIST_P384"
	KeySpecEccNistP521         KeySpec = "ECC_NIST_P521"
	KeySpecEccSecgP256k1       KeySpec = "ECC_SECG_P256K1"
	KeySpecSymmetricDefault    KeySpec = "SYMMETRIC_DEFAULT"
	KeySpecHmac224             KeySpec = "HMAC_224"
	KeySpecHmac256             KeySpec = "HMAC_256"
	KeySpecHmac384             KeySpec = "HMAC_384"
	KeySpecHmac512             KeySpec = "HMAC_512"
	KeySpecSm2                 KeySpec = "SM2"
	KeySpecMlDsa44             KeySpec = "ML_DSA_44"
	KeySpecMlDsa65             KeySpec = "ML_DSA_65"
	KeySpecMlDsa87             KeySpec = "ML_DSA_87"
	KeySpecEccNistEdwards25519 KeySpec = "ECC_NIST_EDWARDS25519"
	KeySpecMlKem512            KeySpec = "ML_KEM_512"
	KeySpecMlKem768            KeySpec = "ML_KEM_768"
	KeySpecMlKem1024           KeySpec = "ML_KEM_1024"
)

// Values returns every value of KeySpec, in the model's order.
func (KeySpec) Values() []KeySpec {
	return []KeySpec{KeySpecRsa2048, KeySpecRsa3072, KeySpecRsa4096, KeySpecEccNistP256, KeySpecEccNistP384, KeySpecEccNistP521, KeySpecEccSecgP256k1, KeySpecSymmetricDefault, KeySpecHmac224, KeySpecHmac256, KeySpecHmac384, KeySpecHmac512, KeySpecSm2, KeySpecMlDsa44, KeySpecMlDsa65, KeySpecMlDsa87, KeySpecEccNistEdwards25519, KeySpecMlKem512, KeySpecMlKem768, KeySpecMlKem1024}
}

// KeyUsageType is the AWS KMS enum KeyUsageType.
type KeyUsageType string

// Values of KeyUsageType.
const (
	KeyUsageTypeSignVerify             KeyUsageType = "SIGN_VERIFY"
	KeyUsageTypeEncryptDecrypt         KeyUsageType = "ENCRYPT_DECRYPT"
	KeyUsageTypeGenerateVerifyMac      KeyUsageType = "GENERATE_VERIFY_MAC"
	KeyUsageTypeKeyAgreement           KeyUsageType = "KEY_AGREEMENT"
	KeyUsageTypeEncapsulateDecapsulate KeyUsageType = "ENCAPSULATE_DECAPSULATE"
)

// Values returns every value of KeyUsageType, in the model's order.
func (KeyUsageType) Values() []KeyUsageType {
	return []KeyUsageType{KeyUsageTypeSignVerify, KeyUsageTypeEncryptDecrypt, KeyUsageTypeGenerateVerifyMac, KeyUsageTypeKeyAgreement, KeyUsageTypeEncapsulateDecapsulate}
}

// EncryptionAlgorithmSpec is the AWS KMS enum EncryptionAlgorithmSpec.
type EncryptionAlgorithmSpec string

// Values of EncryptionAlgorithmSpec.
const (
	EncryptionAlgorithmSpecSymmetricDefault EncryptionAlgorithmSpec = "SYMMETRIC_DEFAULT"
	EncryptionAlgorithmSpecRsaesOaepSha1    EncryptionAlgorithmSpec = "RSAES_OAEP_SHA_1"
	EncryptionAlgorithmSpecRsaesOaepSha256  EncryptionAlgorithmSpec = "RSAES_OAEP_SHA_256"
	EncryptionAlgorithmSpecSm2pke           EncryptionAlgorithmSpec = "SM2PKE"
)

// Values returns every value of EncryptionAlgorithmSpec, in the model's order.
func (EncryptionAlgorithmSpec) Values() []EncryptionAlgorithmSpec {
	return []EncryptionAlgorithmSpec{EncryptionAlgorithmSpecSymmetricDefault, EncryptionAlgorithmSpecRsaesOaepSha1, EncryptionAlgorithmSpecRsaesOaepSha256, EncryptionAlgorithmSpecSm2pke}
}

// SigningAlgorithmSpec is the AWS KMS enum SigningAlgorithmSpec.
type SigningAlgorithmSpec string

// Values of SigningAlgorithmSpec.
const (
	SigningAlgorithmSpecRsassaPssSha256      SigningAlgorithmSpec = "RSASSA_PSS_SHA_256"
	SigningAlgorithmSpecRsassaPssSha384      SigningAlgorithmSpec = "RSASSA_PSS_SHA_384"
	SigningAlgorithmSpecRsassaPssSha512      SigningAlgorithmSpec = "RSASSA_PSS_SHA_512"
	SigningAlgorithmSpecRsassaPkcs1V15Sha256 SigningAlgorithmSpec = "RSASSA_PKCS1_V1_5_SHA_256"
	SigningAlgorithmSpecRsassaPkcs1V15Sha384 SigningAlgorithmSpec = "RSASSA_PKCS1_V1_5_SHA_384"
	SigningAlgorithmSpecRsassaPkcs1V15Sha512 SigningAlgorithmSpec = "RSASSA_PKCS1_V1_5_SHA_512"
	SigningAlgorithmSpecEcdsaSha256          SigningAlgorithmSpec = "ECDSA_SHA_256"
	SigningAlgorithmSpecEcdsaSha384          SigningAlgorithmSpec = "ECDSA_SHA_384"
	SigningAlgorithmSpecEcdsaSha512          SigningAlgorithmSpec = "ECDSA_SHA_512"
	SigningAlgorithmSpecSm2dsa               SigningAlgorithmSpec = "SM2DSA"
	SigningAlgorithmSpecMlDsaShake256        SigningAlgorithmSpec = "ML_DSA_SHAKE_256"
	SigningAlgorithmSpecEd25519Sha512        SigningAlgorithmSpec = "ED25519_SHA_512"
	SigningAlgorithmSpecEd25519PhSha512      SigningAlgorithmSpec = "ED25519_PH_SHA_512"
)

// Values returns every value of SigningAlgorithmSpec, in the model's order.
func (SigningAlgorithmSpec) Values() []SigningAlgorithmSpec {
	return []SigningAlgorithmSpec{SigningAlgorithmSpecRsassaPssSha256, SigningAlgorithmSpecRsassaPssSha384, SigningAlgorithmSpecRsassaPssSha512, SigningAlgorithmSpecRsassaPkcs1V15Sha256, SigningAlgorithmSpecRsassaPkcs1V15Sha384, SigningAlgorithmSpecRsassaPkcs1V15Sha512, SigningAlgorithmSpecEcdsaSha256, SigningAlgorithmSpecEcdsaSha384, SigningAlgorithmSpecEcdsaSha512, SigningAlgorithmSpecSm2dsa, SigningAlgorithmSpecMlDsaShake256, SigningAlgorithmSpecEd25519Sha512, SigningAlgorithmSpecEd25519PhSha512}
}

// MacAlgorithmSpec is the AWS KMS enum MacAlgorithmSpec.
type MacAlgorithmSpec string

// Values of MacAlgorithmSpec.
const (
	MacAlgorithmSpecHmacSha224 MacAlgorithmSpec = "HMAC_SHA_224"
	MacAlgorithmSpecHmacSha256 MacAlgorithmSpec = "HMAC_SHA_256"
	MacAlgorithmSpecHmacSha384 MacAlgorithmSpec = "HMAC_SHA_384"
	MacAlgorithmSpecHmacSha512 MacAlgorithmSpec = "HMAC_SHA_512"
)

// Values returns every value of MacAlgorithmSpec, in the model's order.
func (MacAlgorithmSpec) Values() []MacAlgorithmSpec {
	return []MacAlgorithmSpec{MacAlgorithmSpecHmacSha224, MacAlgorithmSpecHmacSha256, MacAlgorithmSpecHmacSha384, MacAlgorithmSpecHmacSha512}
}

// KeyAgreementAlgorithmSpec is the AWS KMS enum KeyAgreementAlgorithmSpec.
type KeyAgreementAlgorithmSpec string

// Values of KeyAgreementAlgorithmSpec.
const (
	KeyAgreementAlgorithmSpecEcdh KeyAgreementAlgorithmSpec = "ECDH"
)

// Values returns every value of KeyAgreementAlgorithmSpec, in the model's order.
func (KeyAgreementAlgorithmSpec) Values() []KeyAgreementAlgorithmSpec {
	return []KeyAgreementAlgorithmSpec{KeyAgreementAlgorithmSpecEcdh}
}

// AlgorithmSpec is the AWS KMS enum AlgorithmSpec.
type AlgorithmSpec string

// Values of AlgorithmSpec.
const (
	AlgorithmSpecRsaesPkcs1V15       AlgorithmSpec = "RSAES_PKCS1_V1_5"
	AlgorithmSpecRsaesOaepSha1       AlgorithmSpec = "RSAES_OAEP_SHA_1"
	AlgorithmSpecRsaesOaepSha256     AlgorithmSpec = "RSAES_OAEP_SHA_256"
	AlgorithmSpecRsaAesKeyWrapSha1   AlgorithmSpec = "RSA_AES_KEY_WRAP_SHA_1"
	AlgorithmSpecRsaAesKeyWrapSha256 AlgorithmSpec = "RSA_AES_KEY_WRAP_SHA_256"
	AlgorithmSpecSm2pke              AlgorithmSpec = "SM2PKE"
)

// Values returns every value of AlgorithmSpec, in the model's order.
func (AlgorithmSpec) Values() []AlgorithmSpec {
	return []AlgorithmSpec{AlgorithmSpecRsaesPkcs1V15, AlgorithmSpecRsaesOaepSha1, AlgorithmSpecRsaesOaepSha256, AlgorithmSpecRsaAesKeyWrapSha1, AlgorithmSpecRsaAesKeyWrapSha256, AlgorithmSpecSm2pke}
}

// WrappingKeySpec is the AWS KMS enum WrappingKeySpec.
type WrappingKeySpec string

// Values of WrappingKeySpec.
const (
	WrappingKeySpecRsa2048 WrappingKeySpec = "RSA_2048"
	WrappingKeySpecRsa3072 WrappingKeySpec = "RSA_3072"
	WrappingKeySpecRsa4096 WrappingKeySpec = "RSA_4096"
	WrappingKeySpecSm2     WrappingKeySpec = "SM2"
)

// Values returns every value of WrappingKeySpec, in the model's order.
func (WrappingKeySpec) Values() []WrappingKeySpec {
	return []WrappingKeySpec{WrappingKeySpecRsa2048, WrappingKeySpecRsa3072, WrappingKeySpecRsa4096, WrappingKeySpecSm2}
}

// KeyState is the AWS KMS enum KeyState.
type KeyState string

// Values of KeyState.
const (
	KeyStateCreating               KeyState = "Creating"
	KeyStateEnabled                KeyState = "Enabled"
	KeyStateDisabled               KeyState = "Disabled"
	KeyStatePendingDeletion        KeyState = "PendingDeletion"
	KeyStatePendingImport          KeyState = "PendingImport"
	KeyStatePendingReplicaDeletion KeyState = "PendingReplicaDeletion"
	KeyStateUnavailable            KeyState = "Unavailable"
	KeyStateUpdating               KeyState = "Updating"
)

// Values returns every value of KeyState, in the model's order.
func (KeyState) Values() []KeyState {
	return []KeyState{KeyStateCreating, KeyStateEnabled, KeyStateDisabled, KeyStatePendingDeletion, KeyStatePendingImport, KeyStatePendingReplicaDeletion, KeyStateUnavailable, KeyStateUpdating}
}

// OriginType is the AWS KMS enum OriginType.
type OriginType string

// Values of OriginType.
const (
	OriginTypeAwsKms           OriginType = "AWS_KMS"
	OriginTypeExternal         OriginType = "EXTERNAL"
	OriginTypeAwsCloudhsm      OriginType = "AWS_CLOUDHSM"
	OriginTypeExternalKeyStore OriginType = "EXTERNAL_KEY_STORE"
)

// Values returns every value of OriginType, in the model's order.
func (OriginType) Values() []OriginType {
	return []OriginType{OriginTypeAwsKms, OriginTypeExternal, OriginTypeAwsCloudhsm, OriginTypeExternalKeyStore}
}

// MessageType is the AWS KMS enum MessageType.
type MessageType string

// Values of MessageType.
const (
	MessageTypeRaw        MessageType = "RAW"
	MessageTypeDigest     MessageType = "DIGEST"
	MessageTypeExternalMu MessageType = "EXTERNAL_MU"
)

// Values returns every value of MessageType, in the model's order.
func (MessageType) Values() []MessageType {
	return []MessageType{MessageTypeRaw, MessageTypeDigest, MessageTypeExternalMu}
}

// DataKeySpec is the AWS KMS enum DataKeySpec.
type DataKeySpec string

// Values of DataKeySpec.
const (
	DataKeySpecAes256 DataKeySpec = "AES_256"
	DataKeySpecAes128 DataKeySpec = "AES_128"
)

// Values returns every value of DataKeySpec, in the model's order.
func (DataKeySpec) Values() []DataKeySpec {
	return []DataKeySpec{DataKeySpecAes256, DataKeySpecAes128}
}

// DataKeyPairSpec is the AWS KMS enum DataKeyPairSpec.
type DataKeyPairSpec string

// Values of DataKeyPairSpec.
const (
	DataKeyPairSpecRsa2048             DataKeyPairSpec = "RSA_2048"
	DataKeyPairSpecRsa3072             DataKeyPairSpec = "RSA_3072"
	DataKeyPairSpecRsa4096             DataKeyPairSpec = "RSA_4096"
	DataKeyPairSpecEccNistP256         DataKeyPairSpec = "ECC_NIST_P256"
	DataKeyPairSpecEccNistP384         DataKeyPairSpec = "ECC_NIST_P384"
	DataKeyPairSpecEccNistP521         DataKeyPairSpec = "ECC_NIST_P521"
	DataKeyPairSpecEccSecgP256k1       DataKeyPairSpec = "ECC_SECG_P256K1"
	DataKeyPairSpecSm2                 DataKeyPairSpec = "SM2"
	DataKeyPairSpecEccNistEdwards25519 DataKeyPairSpec = "ECC_NIST_EDWARDS25519"
	DataKeyPairSpecMlKem512            DataKeyPairSpec = "ML_KEM_512"
	DataKeyPairSpecMlKem768            DataKeyPairSpec = "ML_KEM_768"
	DataKeyPairSpecMlKem1024           DataKeyPairSpec = "ML_KEM_1024"
)

// Values returns every value of DataKeyPairSpec, in the model's order.
func (DataKeyPairSpec) Values() []DataKeyPairSpec {
	return []DataKeyPairSpec{DataKeyPairSpecRsa2048, DataKeyPairSpecRsa3072, DataKeyPairSpecRsa4096, DataKeyPairSpecEccNistP256, DataKeyPairSpecEccNistP384, DataKeyPairSpecEccNistP521, DataKeyPairSpecEccSecgP256k1, DataKeyPairSpecSm2, DataKeyPairSpecEccNistEdwards25519, DataKeyPairSpecMlKem512, DataKeyPairSpecMlKem768, DataKeyPairSpecMlKem1024}
}

// CustomerMasterKeySpec is the AWS KMS enum CustomerMasterKeySpec.
type CustomerMasterKeySpec string

// Values of CustomerMasterKeySpec.
const (
	CustomerMasterKeySpecRsa2048          CustomerMasterKeySpec = "RSA_2048"
	CustomerMasterKeySpecRsa3072          CustomerMasterKeySpec = "RSA_3072"
	CustomerMasterKeySpecRsa4096          CustomerMasterKeySpec = "RSA_4096"
	CustomerMasterKeySpecEccNistP256      CustomerMasterKeySpec = "ECC_NIST_P256"
	CustomerMasterKeySpecEccNistP384      CustomerMasterKeySpec = "ECC_NIST_P384"
	CustomerMasterKeySpecEccNistP521      CustomerMasterKeySpec = "ECC_NIST_P521"
	CustomerMasterKeySpecEccSecgP256k1    CustomerMasterKeySpec = "ECC_SECG_P256K1"
	CustomerMasterKeySpecSymmetricDefault CustomerMasterKeySpec = "SYMMETRIC_DEFAULT"
	CustomerMasterKeySpecHmac224          CustomerMasterKeySpec = "HMAC_224"
	CustomerMasterKeySpecHmac256          CustomerMasterKeySpec = "HMAC_256"
	CustomerMasterKeySpecHmac384          CustomerMasterKeySpec = "HMAC_384"
	CustomerMasterKeySpecHmac512          CustomerMasterKeySpec = "HMAC_512"
	CustomerMasterKeySpecSm2              CustomerMasterKeySpec = "SM2"
)

// Values returns every value of CustomerMasterKeySpec, in the model's order.
func (CustomerMasterKeySpec) Values() []CustomerMasterKeySpec {
	return []CustomerMasterKeySpec{CustomerMasterKeySpecRsa2048, CustomerMasterKeySpecRsa3072, CustomerMasterKeySpecRsa4096, CustomerMasterKeySpecEccNistP256, CustomerMasterKeySpecEccNistP384, CustomerMasterKeySpecEccNistP521, CustomerMasterKeySpecEccSecgP256k1, CustomerMasterKeySpecSymmetricDefault, CustomerMasterKeySpecHmac224, CustomerMasterKeySpecHmac256, CustomerMasterKeySpecHmac384, CustomerMasterKeySpecHmac512, CustomerMasterKeySpecSm2}
}

// KeyManagerType is the AWS KMS enum KeyManagerType.
type KeyManagerType string

// Values of KeyManagerType.
const (
	KeyManagerTypeAws      KeyManagerType = "AWS"
	KeyManagerTypeCustomer KeyManagerType = "CUSTOMER"
)

// Values returns every value of KeyManagerType, in the model's order.
func (KeyManagerType) Values() []KeyManagerType {
	return []KeyManagerType{KeyManagerTypeAws, KeyManagerTypeCustomer}
}

// ExpirationModelType is the AWS KMS enum ExpirationModelType.
type ExpirationModelType string

// Values of ExpirationModelType.
const (
	ExpirationModelTypeKeyMaterialExpires       ExpirationModelType = "KEY_MATERIAL_EXPIRES"
	ExpirationModelTypeKeyMaterialDoesNotExpire ExpirationModelType = "KEY_MATERIAL_DOES_NOT_EXPIRE"
)

// Values returns every value of ExpirationModelType, in the model's order.
func (ExpirationModelType) Values() []ExpirationModelType {
	return []ExpirationModelType{ExpirationModelTypeKeyMaterialExpires, ExpirationModelTypeKeyMaterialDoesNotExpire}
}

// GrantOperation is the AWS KMS enum GrantOperation.
type GrantOperation string

// Values of GrantOperation.
const (
	GrantOperationDecrypt                             GrantOperation = "Decrypt"
	GrantOperationEncrypt                             GrantOperation = "Encrypt"
	GrantOperationGenerateDataKey                     GrantOperation = "GenerateDataKey"
	GrantOperationGenerateDataKeyWithoutPlaintext     GrantOperation = "GenerateDataKeyWithoutPlaintext"
	GrantOperationReEncryptFrom                       GrantOperation = "ReEncryptFrom"
	GrantOperationReEncryptTo                         GrantOperation = "ReEncryptTo"
	GrantOperationSign                                GrantOperation = "Sign"
	GrantOperationVerify                              GrantOperation = "Verify"
	GrantOperationGetPublicKey                        GrantOperation = "GetPublicKey"
	GrantOperationCreateGrant                         GrantOperation = "CreateGrant"
	GrantOperationRetireGrant                         GrantOperation = "RetireGrant"
	GrantOperationDescribeKey                         GrantOperation = "DescribeKey"
	GrantOperationGenerateDataKeyPair                 GrantOperation = "GenerateDataKeyPair"
	GrantOperationGenerateDataKeyPairWithoutPlaintext GrantOperation = "GenerateDataKeyPairWithoutPlaintext"
	GrantOperationGenerateMac                         GrantOperation = "GenerateMac"
	GrantOperationVerifyMac                           GrantOperation = "VerifyMac"
	GrantOperationDeriveSharedSecret                  GrantOperation = "DeriveSharedSecret"
	GrantOperationEncapsulate                         GrantOperation = "Encapsulate"
	GrantOperationDecapsulate                         GrantOperation = "Decapsulate"
)

// Values returns every value of GrantOperation, in the model's order.
func (GrantOperation) Values() []GrantOperation {
	return []GrantOperation{GrantOperationDecrypt, GrantOperationEncrypt, GrantOperationGenerateDataKey, GrantOperationGenerateDataKeyWithoutPlaintext, GrantOperationReEncryptFrom, GrantOperationReEncryptTo, GrantOperationSign, GrantOperationVerify, GrantOperationGetPublicKey, GrantOperationCreateGrant, GrantOperationRetireGrant, GrantOperationDescribeKey, GrantOperationGenerateDataKeyPair, GrantOperationGenerateDataKeyPairWithoutPlaintext, GrantOperationGenerateMac, GrantOperationVerifyMac, GrantOperationDeriveSharedSecret, GrantOperationEncapsulate, GrantOperationDecapsulate}
}

// KeyEncryptionMechanism is the AWS KMS enum KeyEncryptionMechanism.
type KeyEncryptionMechanism string

// Values of KeyEncryptionMechanism.
const (
	KeyEncryptionMechanismRsaesOaepSha256 KeyEncryptionMechanism = "RSAES_OAEP_SHA_256"
)

// Values returns every value of KeyEncryptionMechanism, in the model's order.
func (KeyEncryptionMechanism) Values() []KeyEncryptionMechanism {
	return []KeyEncryptionMechanism{KeyEncryptionMechanismRsaesOaepSha256}
}

// ConnectionErrorCodeType is the AWS KMS enum ConnectionErrorCodeType.
type ConnectionErrorCodeType string

// Values of ConnectionErrorCodeType.
const (
	ConnectionErrorCodeTypeInvalidCredentials                        ConnectionErrorCodeType = "INVALID_CREDENTIALS"
	ConnectionErrorCodeTypeClusterNotFound                           ConnectionErrorCodeType = "CLUSTER_NOT_FOUND"
	ConnectionErrorCodeTypeNetworkErrors                             ConnectionErrorCodeType = "NETWORK_ERRORS"
	ConnectionErrorCodeTypeInternalError                             ConnectionErrorCodeType = "INTERNAL_ERROR"
	ConnectionErrorCodeTypeInsufficientCloudhsmHsms                  ConnectionErrorCodeType = "INSUFFICIENT_CLOUDHSM_HSMS"
	ConnectionErrorCodeTypeUserLockedOut                             ConnectionErrorCodeType = "USER_LOCKED_OUT"
	ConnectionErrorCodeTypeUserNotFound                              ConnectionErrorCodeType = "USER_NOT_FOUND"
	ConnectionErrorCodeTypeUserLoggedIn                              ConnectionErrorCodeType = "USER_LOGGED_IN"
	ConnectionErrorCodeTypeSubnetNotFound                            ConnectionErrorCodeType = "SUBNET_NOT_FOUND"
	ConnectionErrorCodeTypeInsufficientFreeAddressesInSubnet         ConnectionErrorCodeType = "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET"
	ConnectionErrorCodeTypeXksProxyAccessDenied                      ConnectionErrorCodeType = "XKS_PROXY_ACCESS_DENIED"
	ConnectionErrorCodeTypeXksProxyNotReachable                      ConnectionErrorCodeType = "XKS_PROXY_NOT_REACHABLE"
	ConnectionErrorCodeTypeXksVpcEndpointServiceNotFound             ConnectionErrorCodeType = "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"
	ConnectionErrorCodeTypeXksProxyInvalidResponse                   ConnectionErrorCodeType = "XKS_PROXY_INVALID_RESPONSE"
	ConnectionErrorCodeTypeXksProxyInvalidConfiguration              ConnectionErrorCodeType = "XKS_PROXY_INVALID_CONFIGURATION"
	ConnectionErrorCodeTypeXksVpcEndpointServiceInvalidConfiguration ConnectionErrorCodeType = "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION"
	ConnectionErrorCodeTypeXksProxyTimedOut                          ConnectionErrorCodeType = "XKS_PROXY_TIMED_OUT"
	ConnectionErrorCodeTypeXksProxyInvalidTlsConfiguration           ConnectionErrorCodeType = "XKS_PROXY_INVALID_TLS_CONFIGURATION"
)

// Values returns every value of ConnectionErrorCodeType, in the model's order.
func (ConnectionErrorCodeType) Values() []ConnectionErrorCodeType {
	return []ConnectionErrorCodeType{ConnectionErrorCodeTypeInvalidCredentials, ConnectionErrorCodeTypeClusterNotFound, ConnectionErrorCodeTypeNetworkErrors, ConnectionErrorCodeTypeInternalError, ConnectionErrorCodeTypeInsufficientCloudhsmHsms, ConnectionErrorCodeTypeUserLockedOut, ConnectionErrorCodeTypeUserNotFound, ConnectionErrorCodeTypeUserLoggedIn, ConnectionErrorCodeTypeSubnetNotFound, ConnectionErrorCodeTypeInsufficientFreeAddressesInSubnet, ConnectionErrorCodeTypeXksProxyAccessDenied, ConnectionErrorCodeTypeXksProxyNotReachable, ConnectionErrorCodeTypeXksVpcEndpointServiceNotFound, ConnectionErrorCodeTypeXksProxyInvalidResponse, ConnectionErrorCodeTypeXksProxyInvalidConfiguration, ConnectionErrorCodeTypeXksVpcEndpointServiceInvalidConfiguration, ConnectionErrorCodeTypeXksProxyTimedOut, ConnectionErrorCodeTypeXksProxyInvalidTlsConfiguration}
}

// ConnectionStateType is the AWS KMS enum ConnectionStateType.
type ConnectionStateType string

// Values of ConnectionStateType.
const (
	ConnectionStateTypeConnected     ConnectionStateType = "CONNECTED"
	ConnectionStateTypeConnecting    ConnectionStateType = "CONNECTING"
	ConnectionStateTypeFailed        ConnectionStateType = "FAILED"
	ConnectionStateTypeDisconnected  ConnectionStateType = "DISCONNECTED"
	ConnectionStateTypeDisconnecting ConnectionStateType = "DISCONNECTING"
)

// Values returns every value of ConnectionStateType, in the model's order.
func (ConnectionStateType) Values() []ConnectionStateType {
	return []ConnectionStateType{ConnectionStateTypeConnected, ConnectionStateTypeConnecting, ConnectionStateTypeFailed, ConnectionStateTypeDisconnected, ConnectionStateTypeDisconnecting}
}

// CustomKeyStoreType is the AWS KMS enum CustomKeyStoreType.
type CustomKeyStoreType string

// Values of CustomKeyStoreType.
const (
	CustomKeyStoreTypeAwsCloudhsm      CustomKeyStoreType = "AWS_CLOUDHSM"
	CustomKeyStoreTypeExternalKeyStore CustomKeyStoreType = "EXTERNAL_KEY_STORE"
)

// Values returns every value of CustomKeyStoreType, in the model's order.
func (CustomKeyStoreType) Values() []CustomKeyStoreType {
	return []CustomKeyStoreType{CustomKeyStoreTypeAwsCloudhsm, CustomKeyStoreTypeExternalKeyStore}
}

// DryRunModifierType is the AWS KMS enum DryRunModifierType.
type DryRunModifierType string

// Values of DryRunModifierType.
const (
	DryRunModifierTypeIgnoreCiphertext DryRunModifierType = "IGNORE_CIPHERTEXT"
)

// Values returns every value of DryRunModifierType, in the model's order.
func (DryRunModifierType) Values() []DryRunModifierType {
	return []DryRunModifierType{DryRunModifierTypeIgnoreCiphertext}
}

// ImportState is the AWS KMS enum ImportState.
type ImportState string

// Values of ImportState.
const (
	ImportStateImported      ImportState = "IMPORTED"
	ImportStatePendingImport ImportState = "PENDING_IMPORT"
)

// Values returns every value of ImportState, in the model's order.
func (ImportState) Values() []ImportState {
	return []ImportState{ImportStateImported, ImportStatePendingImport}
}

// ImportType is the AWS KMS enum ImportType.
type ImportType string

// Values of ImportType.
const (
	ImportTypeNewKeyMaterial      ImportType = "NEW_KEY_MATERIAL"
	ImportTypeExistingKeyMaterial ImportType = "EXISTING_KEY_MATERIAL"
)

// Values returns every value of ImportType, in the model's order.
func (ImportType) Values() []ImportType {
	return []ImportType{ImportTypeNewKeyMaterial, ImportTypeExistingKeyMaterial}
}

// IncludeKeyMaterial is the AWS KMS enum IncludeKeyMaterial.
type IncludeKeyMaterial string

// Values of IncludeKeyMaterial.
const (
	IncludeKeyMaterialAllKeyMaterial IncludeKeyMaterial = "ALL_KEY_MATERIAL"
	IncludeKeyMaterialRotationsOnly  IncludeKeyMaterial = "ROTATIONS_ONLY"
)

// Values returns every value of IncludeKeyMaterial, in the model's order.
func (IncludeKeyMaterial) Values() []IncludeKeyMaterial {
	return []IncludeKeyMaterial{IncludeKeyMaterialAllKeyMaterial, IncludeKeyMaterialRotationsOnly}
}

// KeyLastUsageTrackingOperation is the AWS KMS enum KeyLastUsageTrackingOperation.
type KeyLastUsageTrackingOperation string

// Values of KeyLastUsageTrackingOperation.
const (
	KeyLastUsageTrackingOperationDecrypt                             KeyLastUsageTrackingOperation = "Decrypt"
	KeyLastUsageTrackingOperationDeriveSharedSecret                  KeyLastUsageTrackingOperation = "DeriveSharedSecret"
	KeyLastUsageTrackingOperationEncrypt                             KeyLastUsageTrackingOperation = "Encrypt"
	KeyLastUsageTrackingOperationGenerateDataKey                     KeyLastUsageTrackingOperation = "GenerateDataKey"
	KeyLastUsageTrackingOperationGenerateDataKeyPair                 KeyLastUsageTrackingOperation = "GenerateDataKeyPair"
	KeyLastUsageTrackingOperationGenerateDataKeyPairWithoutPlaintext KeyLastUsageTrackingOperation = "GenerateDataKeyPairWithoutPlaintext"
	KeyLastUsageTrackingOperationGenerateDataKeyWithoutPlaintext     KeyLastUsageTrackingOperation = "GenerateDataKeyWithoutPlaintext"
	KeyLastUsageTrackingOperationGenerateMac                         KeyLastUsageTrackingOperation = "GenerateMac"
	KeyLastUsageTrackingOperationReEncrypt                           KeyLastUsageTrackingOperation = "ReEncrypt"
	KeyLastUsageTrackingOperationSign                                KeyLastUsageTrackingOperation = "Sign"
	KeyLastUsageTrackingOperationVerify                              KeyLastUsageTrackingOperation = "Verify"
	KeyLastUsageTrackingOperationVerifyMac                           KeyLastUsageTrackingOperation = "VerifyMac"
	KeyLastUsageTrackingOperationEncapsulate                         KeyLastUsageTrackingOperation = "Encapsulate"
	KeyLastUsageTrackingOperationDecapsulate                         KeyLastUsageTrackingOperation = "Decapsulate"
)

// Values returns every value of KeyLastUsageTrackingOperation, in the model's order.
func (KeyLastUsageTrackingOperation) Values() []KeyLastUsageTrackingOperation {
	return []KeyLastUsageTrackingOperation{KeyLastUsageTrackingOperationDecrypt, KeyLastUsageTrackingOperationDeriveSharedSecret, KeyLastUsageTrackingOperationEncrypt, KeyLastUsageTrackingOperationGenerateDataKey, KeyLastUsageTrackingOperationGenerateDataKeyPair, KeyLastUsageTrackingOperationGenerateDataKeyPairWithoutPlaintext, KeyLastUsageTrackingOperationGenerateDataKeyWithoutPlaintext, KeyLastUsageTrackingOperationGenerateMac, KeyLastUsageTrackingOperationReEncrypt, KeyLastUsageTrackingOperationSign, KeyLastUsageTrackingOperationVerify, KeyLastUsageTrackingOperationVerifyMac, KeyLastUsageTrackingOperationEncapsulate, KeyLastUsageTrackingOperationDecapsulate}
}

// KeyMaterialState is the AWS KMS enum KeyMaterialState.
type KeyMaterialState string

// Values of KeyMaterialState.
const (
	KeyMaterialStateNonCurrent                          KeyMaterialState = "NON_CURRENT"
	KeyMaterialStateCurrent                             KeyMaterialState = "CURRENT"
	KeyMaterialStatePendingRotation                     KeyMaterialState = "PENDING_ROTATION"
	KeyMaterialStatePendingMultiRegionImportAndRotation KeyMaterialState = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
)

// Values returns every value of KeyMaterialState, in the model's order.
func (KeyMaterialState) Values() []KeyMaterialState {
	return []KeyMaterialState{KeyMaterialStateNonCurrent, KeyMaterialStateCurrent, KeyMaterialStatePendingRotation, KeyMaterialStatePendingMultiRegionImportAndRotation}
}

// MultiRegionKeyType is the AWS KMS enum MultiRegionKeyType.
type MultiRegionKeyType string

// Values of MultiRegionKeyType.
const (
	MultiRegionKeyTypePrimary MultiRegionKeyType = "PRIMARY"
	MultiRegionKeyTypeReplica MultiRegionKeyType = "REPLICA"
)

// Values returns every value of MultiRegionKeyType, in the model's order.
func (MultiRegionKeyType) Values() []MultiRegionKeyType {
	return []MultiRegionKeyType{MultiRegionKeyTypePrimary, MultiRegionKeyTypeReplica}
}

// RotationType is the AWS KMS enum RotationType.
type RotationType string

// Values of RotationType.
const (
	RotationTypeAutomatic RotationType = "AUTOMATIC"
	RotationTypeOnDemand  RotationType = "ON_DEMAND"
)

// Values returns every value of RotationType, in the model's order.
func (RotationType) Values() []RotationType {
	return []RotationType{RotationTypeAutomatic, RotationTypeOnDemand}
}

// XksProxyConnectivityType is the AWS KMS enum XksProxyConnectivityType.
type XksProxyConnectivityType string

// Values of XksProxyConnectivityType.
const (
	XksProxyConnectivityTypePublicEndpoint     XksProxyConnectivityType = "PUBLIC_ENDPOINT"
	XksProxyConnectivityTypeVpcEndpointService XksProxyConnectivityType = "VPC_ENDPOINT_SERVICE"
)

// Values returns every value of XksProxyConnectivityType, in the model's order.
func (XksProxyConnectivityType) Values() []XksProxyConnectivityType {
	return []XksProxyConnectivityType{XksProxyConnectivityTypePublicEndpoint, XksProxyConnectivityTypeVpcEndpointService}
}

// EncapsulationAlgorithmSpec is the AWS KMS enum EncapsulationAlgorithmSpec.
type EncapsulationAlgorithmSpec string

// Values of EncapsulationAlgorithmSpec.
const (
	EncapsulationAlgorithmSpecMlKem EncapsulationAlgorithmSpec = "ML_KEM"
)

// Values returns every value of EncapsulationAlgorithmSpec, in the model's order.
func (EncapsulationAlgorithmSpec) Values() []EncapsulationAlgorithmSpec {
	return []EncapsulationAlgorithmSpec{EncapsulationAlgorithmSpecMlKem}
}

// ResourceOwner is the item of ListKeysRequest's ResourceOwners member,
// which AWS added to ListKeys after this package's model
// (aws-sdk-go-v2/service/kms v1.63; API reference, ListKeys: "When
// ResourceOwners includes OTHER_ACCOUNTS_VIA_RAM, ListKeys returns the KMS
// keys that other AWS accounts currently share with the caller's AWS
// account through AWS RAM").
type ResourceOwner string

// Values of ResourceOwner.
const (
	ResourceOwnerSelf                ResourceOwner = "SELF"
	ResourceOwnerOtherAccountsViaRam ResourceOwner = "OTHER_ACCOUNTS_VIA_RAM"
)

// Values returns every value of ResourceOwner.
func (ResourceOwner) Values() []ResourceOwner {
	return []ResourceOwner{ResourceOwnerSelf, ResourceOwnerOtherAccountsViaRam}
}
