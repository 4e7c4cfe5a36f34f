package kms

// The key-state table: which key states each operation refuses, and with
// which error. Source: AWS KMS Developer Guide, "Key states of AWS KMS keys"
// (key-state.html). A state an operation does not list is allowed.
//
// Where the guide allows either DisabledException or KMSInvalidStateException
// for a key pending deletion in cryptographic operations, we return
// KMSInvalidStateException, as AWS does today.

type stateErr struct {
	err    Code
	suffix string // appended to the key ARN to form the message
}

var (
	isDisabled          = stateErr{ErrDisabled, " is disabled."}
	isPendingDeletion   = stateErr{ErrKMSInvalidState, " is pending deletion."}
	isPendingImport     = stateErr{ErrKMSInvalidState, " is pending import."}
	isUnavailable       = stateErr{ErrKMSInvalidState, " is unavailable."}
	isNotPendingDeleted = stateErr{ErrKMSInvalidState, " is not pending deletion."}
	// A multi-Region primary key scheduled for deletion while it has
	// replicas (key-state.html: "PendingReplicaDeletion ... it cannot be
	// replicated or used in cryptographic operations"); the wording is
	// ours, after the PendingDeletion one.
	isPendingReplicaDeletion = stateErr{ErrKMSInvalidState, " is pending replica deletion."}
)

var cryptoStates = map[KeyState]stateErr{
	KeyStateDisabled:               isDisabled,
	KeyStatePendingDeletion:        isPendingDeletion,
	KeyStatePendingReplicaDeletion: isPendingReplicaDeletion,
	KeyStatePendingImport:          isPendingImport,
	KeyStateUnavailable:            isUnavailable,
}

var rotationStates = map[KeyState]stateErr{
	KeyStateDisabled:               isDisabled,
	KeyStatePendingDeletion:        isPendingDeletion,
	KeyStatePendingReplicaDeletion: isPendingReplicaDeletion,
	KeyStatePendingImport:          isPendingImport,
	KeyStateUnavailable:            isUnavailable,
}

var onlyNotPendingDeletion = map[KeyState]stateErr{
	KeyStatePendingDeletion:        isPendingDeletion,
	KeyStatePendingReplicaDeletion: isPendingReplicaDeletion,
}

var keyStateTable = map[string]map[KeyState]stateErr{
	"Encrypt":                             cryptoStates,
	"Decrypt":                             cryptoStates,
	"ReEncrypt":                           cryptoStates,
	"GenerateDataKey":                     cryptoStates,
	"GenerateDataKeyWithoutPlaintext":     cryptoStates,
	"GenerateDataKeyPair":                 cryptoStates,
	"GenerateDataKeyPairWithoutPlaintext": cryptoStates,
	"Sign":                                cryptoStates,
	"Verify":                              cryptoStates,
	"GetPublicKey":                        cryptoStates,
	"GenerateMac":                         cryptoStates,
	"VerifyMac":                           cryptoStates,
	"DeriveSharedSecret":                  cryptoStates,
	"Encapsulate":                         cryptoStates,
	"Decapsulate":                         cryptoStates,
	"EnableKey": {
		KeyStatePendingDeletion:        isPendingDeletion,
		KeyStatePendingReplicaDeletion: isPendingReplicaDeletion,
		KeyStatePendingImport:          isPendingImport,
	},
	"DisableKey": {
		KeyStatePendingDeletion:        isPendingDeletion,
		KeyStatePendingReplicaDeletion: isPendingReplicaDeletion,
		KeyStatePendingImport:          isPendingImport,
	},
	"CancelKeyDeletion": {
		KeyStateEnabled:       isNotPendingDeleted,
		KeyStateDisabled:      isNotPendingDeleted,
		KeyStatePendingImport: isNotPendingDeleted,
		KeyStateUnavailable:   isNotPendingDeleted,
	},
	// Rotation (key-state.html rows EnableKeyRotation, DisableKeyRotation,
	// RotateKeyOnDemand: a disabled key DisabledException, as recorded
	// from AWS for RotateKeyOnDemand in LocalStack's test_kms.snapshot.json,
	// test_rotate_key_on_demand_raises_error_given_key_is_disabled; a key
	// pending import "is pending import.", as recorded there in
	// test_rotate_key_on_demand_on_external_key_with_no_key_material).
	"EnableKeyRotation":  rotationStates,
	"DisableKeyRotation": rotationStates,
	"RotateKeyOnDemand":  rotationStates,
	// GetKeyRotationStatus reports any state (a key pending deletion as
	// not rotating: GetKeyRotationStatus in the API reference), and so
	// does ListKeyRotations.
	"GetKeyRotationStatus": nil,
	"ListKeyRotations":     nil,
	// Imported key material (key-state.html rows GetParametersForImport,
	// ImportKeyMaterial, DeleteImportedKeyMaterial): a key pending
	// deletion takes no import, but may lose its material, keeping its
	// state (DeleteImportedKeyMaterial in the API reference).
	// A multi-Region primary of imported material pending replica
	// deletion is refused as one pending deletion (the guide's column
	// "Pending deletion / Pending replica deletion", note [8]).
	"GetParametersForImport": {
		KeyStatePendingDeletion:        isPendingDeletion,
		KeyStatePendingReplicaDeletion: isPendingReplicaDeletion,
		KeyStateUnavailable:            isUnavailable,
	},
	"ImportKeyMaterial": {
		KeyStatePendingDeletion:        isPendingDeletion,
		KeyStatePendingReplicaDeletion: isPendingReplicaDeletion,
		KeyStateUnavailable:            isUnavailable,
	},
	"DeleteImportedKeyMaterial": {
		KeyStateUnavailable: isUnavailable,
	},
	"ScheduleKeyDeletion":  onlyNotPendingDeletion,
	"CreateAlias":          onlyNotPendingDeletion,
	"UpdateAlias":          onlyNotPendingDeletion, // the new target key
	"TagResource":          onlyNotPendingDeletion,
	"UntagResource":        onlyNotPendingDeletion,
	"UpdateKeyDescription": onlyNotPendingDeletion,
	// Allowed in every key state.
	// CreateGrant: key-state.html, rows CreateGrant (notes [1], [3], [5]).
	"CreateGrant": {
		KeyStateDisabled:               isDisabled,
		KeyStatePendingDeletion:        isPendingDeletion,
		KeyStatePendingReplicaDeletion: isPendingReplicaDeletion,
		KeyStatePendingImport:          isPendingImport,
	},
	// Multi-Region keys (mrk.go). ReplicateKey replicates an Enabled
	// primary; the model lists DisabledException for a disabled one, and
	// a primary pending (replica) deletion "cannot be replicated"
	// (ScheduleKeyDeletion in the API reference). UpdatePrimaryRegion
	// needs both keys Enabled ("Both the primary key and the replica key
	// must be in the Enabled key state when the operation starts":
	// Developer Guide, "Change the primary key in a set of multi-Region
	// keys"); each is checked with this row, under its own ARN.
	"ReplicateKey":        cryptoStates,
	"UpdatePrimaryRegion": cryptoStates,
	"DescribeKey":         nil,
	// GetKeyLastUsage: every state (its error list in the model has no
	// DisabledException or KMSInvalidStateException).
	"GetKeyLastUsage":  nil,
	"ListGrants":       nil,
	"RetireGrant":      nil,
	"RevokeGrant":      nil,
	"GetKeyPolicy":     nil,
	"PutKeyPolicy":     nil,
	"ListKeyPolicies":  nil,
	"DeleteAlias":      nil,
	"ListAliases":      nil,
	"ListResourceTags": nil,
	// Operations on no key (in the table so that every operation has a
	// row and a misspelt name fails at start-up).
	"CreateKey":           nil,
	"ListRetirableGrants": nil,
	"ListKeys":            nil,
	"GenerateRandom":      nil,
}

// checkState returns the error o gives for a key in state, or nil.
func (o keyOp) checkState(state KeyState, keyARN string) error {
	if state == KeyStateEnabled && o.enabledOK {
		return nil // the hot path: no map lookup
	}
	if se, ok := o.states[state]; ok {
		return &Error{Code: se.err, Message: keyARN + se.suffix}
	}
	return nil
}
