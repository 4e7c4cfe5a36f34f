// Package kms is embedkms: the AWS Key Management Service API as an
// in-process Go library. One handle, created by New, exposes the KMS
// operations as methods with the request and response shapes of the AWS
// API model (EncryptInput, EncryptOutput, KeyMetadata, ...). There is no
// server and no network.
//
// A handle is bound to one AWS account and one Region and stores its keys
// in a backend (package backend; in memory by default). Key material is
// always wrapped under a root key at rest (package keystore) and used
// through AES-256-GCM (package crypto). Every record the handle stores is
// authenticated under a key derived from the root key and bound to its
// place: a record edited, moved or rolled back to another key's is refused
// as a corrupt store (KMSInternalException wrapping backend.ErrCorrupt),
// never used.
//
// # Three ways to use embedkms
//
// Embedded in a service. Open a handle once, over a durable backend and a
// root key, and call its methods where the service would call AWS KMS:
//
//	k, err := kms.New(kms.Options{
//		Backend:       store,                        // backend/badger or backend/file
//		RootKeySource: keystore.RootKeyFile(path),   // or RawRootKey, PassphraseRootKey, AEADRootKey
//		AccountID:     "111122223333",
//		Region:        "eu-west-1",
//	})
//	...
//	defer k.Close()
//	out, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/app", Plaintext: secret})
//
// The zero Options is a working configuration: an in-memory backend under
// a random root key, account 111122223333, Region us-east-1. Package
// tinkkms plugs a handle into Tink as a registry.KMSClient.
//
// As a test fake. kmstest.New gives a test an in-memory handle and a fake
// clock it moves forward (scheduled deletion, rotation and the expiry of
// imported material follow it); it is closed when the test ends. Code
// written against the AWS SDK for Go v2 takes awsapi.NewClient(k): a real
// *kms.Client of the SDK whose requests the handle serves in-process, with
// no socket, returning the SDK's typed errors. kmstest.SymmetricConformance
// checks that a key behaves as AWS KMS's symmetric keys do.
//
// As a server or a command. awsapi.NewHandler(k) is an http.Handler that
// speaks the AWS KMS JSON protocol (awsJson1_1), for any SDK, the AWS CLI
// or Terraform. The embedkms command (cmd/embedkms) runs it as a server,
// `embedkms serve`, over an in-memory or durable store; its package doc
// lists its commands and flags.
//
// # A call's path
//
// Every operation validates its input against the model's constraints
// (ValidationException), resolves the key from a key id, key ARN, alias
// name or alias ARN where AWS accepts each, authorizes the caller
// (WithCaller; by default the account root) in one place, checks the key
// state against AWS's key-state table, honours DryRun, and only then does
// the work. Errors are *Error values carrying the AWS error code; match
// them with errors.Is against the sentinels (ErrNotFound, ErrDisabled, ...).
//
// # Request and response fields
//
// Each field's doc comment says what it is, whether it is required, its
// limits, and the error a bad value gets. The rules they share:
//
//   - Optional members use their zero value for "absent": "", a nil slice
//     or map, a nil pointer, 0 and the zero time.Time. An optional field's
//     comment reads "Optional; zero value: absent, X", X being what AWS
//     does without it (its default). A boolean whose default is false is
//     simply false when absent.
//   - A required member left at its zero value, or any member outside its
//     limits or enum, gives ValidationException worded as AWS words it
//     ("1 validation error detected: Value null at 'keyId' failed to
//     satisfy constraint: Member must not be null").
//   - Lengths count characters (Unicode code points) for strings, bytes
//     for []byte, entries for slices and maps; ranges are inclusive.
//   - KeyId names a key by key ID, key ARN, alias name (alias/...) or
//     alias ARN where the operation takes aliases (the cryptographic
//     operations, DescribeKey, GetPublicKey), and by key ID or key ARN
//     elsewhere; another account's key only by ARN, and only in the
//     operations AWS allows across accounts. A key that does not exist, an
//     alias where none is taken, or a malformed key ID gives
//     NotFoundException; a malformed ARN gives InvalidArnException where
//     AWS lists it for the operation, else NotFoundException.
//   - GrantTokens (at most 10) are checked but add no permission: grants
//     take effect at once here.
//   - DryRun makes every check the call would make, then answers
//     DryRunOperationException instead of doing the work.
//   - Outputs name keys by key ARN and key material by its 64-hex-digit
//     KeyMaterialId.
//
// # Errors
//
// Every failed request returns an *Error whose Code is the AWS error code
// (the API's __type, the SDKs' ErrorCode()), with AWS's message where its
// wording is known:
//
//	_, err := k.Decrypt(ctx, in)
//	switch {
//	case errors.Is(err, kms.ErrInvalidCiphertext): // wrong context, tampered blob
//	case errors.Is(err, kms.ErrNotFound):
//	}
//	var e *kms.Error
//	if errors.As(err, &e) {
//		log.Print(e.ErrorCode(), ": ", e.ErrorMessage())
//	}
//
// A KMSInternalException wraps its cause: errors.Is(err, backend.ErrCorrupt)
// holds for a store that fails authentication. awsapi turns *Error into
// the wire's error shape, and its SDK client turns that back into the
// SDK's typed errors (*types.NotFoundException, ...).
//
// # Stores and root keys
//
// Options.Backend is where everything lives: backend/memory (the default,
// gone at Close), backend/file (one directory, no dependency) or
// backend/badger (Badger), or any backend.Store that passes
// backend/backendtest. Several handles, for different accounts or Regions,
// may share one backend; those of one process see each other's changes at
// once.
//
// The root key (Options.RootKey or Options.RootKeySource) wraps every key's
// material and authenticates every record. A durable store is bound to the
// root key it was first opened with: another one fails New with
// keystore.ErrWrongRootKey and changes nothing. keystore offers the key as
// raw bytes, a passphrase (Argon2id), a key file, or a key encrypted under
// a tink.AEAD (a cloud KMS, an HSM); RewrapRootKey moves a store to a new
// root key. Custom key stores keep material outside the backend altogether:
// AWS_CLOUDHSM on a PKCS#11 token (keystore/hsm), EXTERNAL_KEY_STORE
// behind an XKS proxy (keystore/xks).
//
// # Authorization
//
// Access is decided as AWS KMS decides it, from three sources evaluated
// together: the key policy (CreateKey's Policy, PutKeyPolicy; AWS's
// default key policy when none is given), the caller's IAM identity
// policies (Options.IdentityPolicies: a map of principal ARN to policy
// documents, or any IdentityPolicySource), and the key's grants
// (CreateGrant). An explicit Deny in a key or identity policy refuses; a
// key-policy statement naming the caller allows; one naming the account
// delegates to IAM, whose policies must then allow; a principal of
// another account needs both its own IAM policies and the key policy;
// otherwise a grant to the caller for the operation, its encryption
// context constraints met, allows. Every condition key AWS KMS documents
// is filled by the operations AWS fills it for. A refusal is
// AccessDeniedException worded as AWS words it. The caller is the
// context's (WithCaller, WithCallerInfo), the account root by default;
// without IdentityPolicies IAM is not modelled and every principal's IAM
// allows everything, so the key policy and grants alone decide.
//
// KMS.Explain, embedkms's own, answers "why was I denied": for a
// principal, an action, a key and request values it returns the decision,
// the AccessDeniedException message the call would get and the
// statements (key policy, identity policy, grant) that decided it,
// evaluated exactly as the call is.
//
// # Ciphertext
//
// Ciphertext blobs are self-describing (see package crypto for the format):
// they name their key and key material, so Decrypt needs no KeyId, and the
// encryption context is bound in a canonical, length-prefixed encoding.
//
// # Time
//
// Scheduled key deletion follows Options.Clock. Package kmstest provides a
// fake clock: advance it past a key's deletion date and the key is gone.
// A key past its date is refused at once; the maintenance pass (Maintain,
// run in the background on the system clock) removes it from storage.
//
// # Several processes on one store
//
// A handle caches keys (record and unwrapped material) and alias targets,
// so the hot path touches no storage; key policies are parsed once per
// text, while grants, custom key store state, key counts and last use
// are read from the store on every use. Over a store other processes
// write (a backend.Watcher, such as a database a fleet shares), a
// handle drops what the store reports another transaction changed, and
// while the store says it is not Fresh it uses nothing it cached: it
// reads the store on every call, and keeps nothing read. Another
// process's change (a disabled, rotated or scheduled key, a new policy, a
// re-pointed alias) is therefore seen within the store's staleness
// bound, an option of the store; until then the cache may serve what was
// true before it. A blob under key material the cached key lacks (a
// rotation elsewhere, not yet reported) makes the handle read the key.
//
// # Backup
//
// KMS.Backup writes a consistent snapshot of the whole backend (every
// account and Region on it) as one authenticated stream, key material
// still wrapped and the root key left out; Restore writes it into an empty
// store under the same root key, all or nothing. The stream format is
// documented in backup.go.
//
// # Examples
//
// Runnable examples, shown by go doc and pkg.go.dev beside what they use:
// ExampleKMS_Encrypt (encrypt and decrypt under an alias with an
// encryption context), ExampleKMS_GenerateDataKey (envelope encryption),
// ExampleKMS_Maintain (scheduled deletion on a fake clock),
// ExampleKMS_Explain (why a call is denied); in other packages,
// kmstest's ExampleClock, backend/memory's Example and tinkkms's Example.
// The module's examples directory holds whole programs: quickstart, the
// AWS SDK and the AWS CLI against embedkms, key policies, an XKS proxy.
package kms
