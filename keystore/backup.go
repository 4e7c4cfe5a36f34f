package keystore

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
	"strings"

	"github.com/embedkms/kms/backend"
)

// Backups.
//
// A backup (package kms: KMS.Backup and Restore) carries the backend's
// entries exactly as stored, so it needs nothing from this package to be
// written but two things to be trusted:
//
//   - a key to authenticate the whole stream: K_backup, HKDF-SHA256 (RFC
//     5869) of the root key with an empty salt and the info string
//     "embedkms/backup-authentication/v1", 32 bytes. It is used for
//     nothing else, so a backup tag can never be confused with a record
//     tag or a wrapped key.
//   - a way to check each entry on its own (VerifyStored), so that a
//     store whose records do not authenticate is never backed up, and a
//     backup is never restored into entries that would not open.
const backupInfo = "embedkms/backup-authentication/v1"

// VolatileRootKeyEntry is the backend key under which VolatileRootKey
// keeps a volatile store's root key, in the clear. It must never leave the
// store: a backup refuses a store that holds it.
const VolatileRootKeyEntry = "meta/volatile-root-key"

// RootKeyCheckEntry is the backend key of the root-key check value that
// Verify writes: a known plaintext wrapped under the root key, not an
// authenticated record.
const RootKeyCheckEntry = "meta/rootkey-check"

func newBackupKey(raw []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, raw, nil, backupInfo, 32)
}

// BackupMAC returns a new HMAC-SHA256 keyed with K_backup (above), the key
// that authenticates a whole backup stream. Only a holder of the root key
// can compute it, and it is different for every root key.
func (r *RootKey) BackupMAC() hash.Hash {
	return hmac.New(sha256.New, r.backup)
}

// VerifyStored checks that stored, the bytes a backend holds under key,
// were written under r: the root-key check value must unwrap under r to
// the check plaintext (else the error is ErrWrongRootKey), and every other
// entry must be an authenticated record that authenticates at key (else
// the error matches backend.ErrCorrupt). The volatile root key is neither
// and is refused with an error matching backend.ErrCorrupt: it is never
// to be copied anywhere.
func (r *RootKey) VerifyStored(key, stored []byte) error {
	switch string(key) {
	case VolatileRootKeyEntry:
		return fmt.Errorf("%w: %q holds a root key in the clear and is not a record", backend.ErrCorrupt, key)
	case RootKeyCheckEntry:
		return r.check(stored)
	}
	if strings.HasPrefix(string(key), SourceMetaPrefix) {
		// A root-key source's own metadata (a passphrase's salt and
		// parameters, an AEAD envelope): authenticated by the source
		// itself when the store is opened, and by the backup's MAC here.
		return nil
	}
	_, err := r.records.open(key, stored)
	return err
}
