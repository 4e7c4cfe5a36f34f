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
package kms
