package kms

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/keystore"
)

// Backup stream, format version 1.
//
// A backup is the whole content of a backend (every account and Region
// on it, not only the handle's) as one byte stream. All integers are
// big-endian; K_backup is the backup key of package keystore
// (RootKey.BackupMAC): HKDF-SHA256 of the root key, empty salt, info
// "embedkms/backup-authentication/v1", 32 bytes.
//
//	header
//	  15  magic, the ASCII bytes "EMBEDKMS-BACKUP"
//	  1   format version, 0x01
//	  16  root key identity: the 16 bytes whose lowercase hex is
//	      keystore.RootKey.ID() of the root key the store is under
//	entries, zero or more, keys in strictly ascending bytewise order
//	  1   0x01, "an entry follows"
//	  4   uint32 key length k, 1 <= k <= 65536
//	  k   the backend key
//	  4   uint32 value length v, v <= 16 MiB
//	  v   the value exactly as the backend holds it
//	trailer
//	  1   0x00, "no more entries"
//	  8   uint64 number of entries
//	  32  checksum: SHA-256 of every byte before it
//	  32  tag: HMAC-SHA256(K_backup, every byte before it, the checksum
//	      included)
//	and then the end of the stream.
//
// The values are the backend's bytes as stored: authenticated records
// (package keystore, records.go) whose key material is wrapped under the
// root key, and the root-key check value (meta/rootkey-check). Nothing in
// a backup is in the clear but metadata (key ids, alias names, dates,
// policies and tags, as in the store itself), and the root key is not in
// it: restoring needs the same root key, or the root-key source that
// yields it from the source metadata the backup carries (meta/rootkey/).
// Two entries are never written: meta/store-id, the backend's identity (a
// restored store gets a fresh one when first opened, so it never shares
// the original's cache), and meta/volatile-root-key, a volatile store's
// root key, which Backup refuses to copy.
//
// The checksum lets a tool without the root key tell a damaged file from
// a good one; the tag is what Restore trusts: a backup that is truncated,
// reordered, edited or was made under another root key is refused as a
// whole, before anything is written. A reader must refuse a stream whose
// version it does not know.

const (
	backupMagic    = "EMBEDKMS-BACKUP"
	backupVersion1 = 0x01
	backupIDSize   = 16

	backupEntryMark = 0x01
	backupEndMark   = 0x00

	maxBackupKey   = 1 << 16
	maxBackupValue = 16 << 20
)

// Errors of Backup and Restore. They are plain errors, not AWS error
// codes; match them with errors.Is.
var (
	// ErrInvalidBackup: the stream is not a whole, unaltered backup
	// written by Backup under the given root key (truncated, edited,
	// reordered, of an unknown version, or not a backup at all). A
	// backup made under another root key fails with
	// keystore.ErrWrongRootKey instead.
	ErrInvalidBackup = errors.New("kms: not a valid embedkms backup")
	// ErrRestoreTargetNotEmpty: Restore was given a store that holds
	// entries; it restores only into an empty store.
	ErrRestoreTargetNotEmpty = errors.New("kms: the store to restore into is not empty")
	// ErrVolatileBackup: Backup was called on a volatile store (a memory
	// store opened without Options.RootKey), whose root key is random and
	// kept in the store in the clear; a backup of it could only carry that
	// key along, so there is none. Open the store with Options.RootKey to
	// be able to back it up.
	ErrVolatileBackup = errors.New("kms: a store with a volatile root key (a memory store opened without Options.RootKey) cannot be backed up")
)

// Backup writes a consistent snapshot of the whole backend the handle
// uses to w, in the format above: every entry of every account and Region
// on it, not only the handle's. It reads the backend in one View
// transaction, so the snapshot is the state at one moment even while other
// handles keep writing; on a store whose View holds writers off (the
// memory store) they wait until Backup returns, so give it a fast w (a
// file, a buffer).
//
// Key material stays wrapped and every record stays as stored,
// authenticated under the root key, so restoring needs the same root key;
// the root key itself is never written. Backup refuses (ErrVolatileBackup)
// a store with a volatile root key, and a store holding an entry that does
// not authenticate under the handle's root key (an error matching
// backend.ErrCorrupt), so that what it writes always restores.
//
// On error, what was written to w is incomplete and Restore refuses it.
func (k *KMS) Backup(ctx context.Context, w io.Writer) error {
	if k.closed.Load() {
		return errClosed()
	}
	id, err := hex.DecodeString(k.root.ID())
	if err != nil || len(id) != backupIDSize {
		return fmt.Errorf("kms: backup: root key identity %q is not %d bytes of hex", k.root.ID(), backupIDSize)
	}
	err = k.raw.View(ctx, func(tx backend.Txn) error {
		// Refuse before writing anything.
		if _, err := tx.Get([]byte(keystore.VolatileRootKeyEntry)); err == nil {
			return ErrVolatileBackup
		} else if !errors.Is(err, backend.ErrNotFound) {
			return err
		}
		bw := newBackupWriter(w, k.root)
		bw.header(id)
		var bad error
		err := tx.Scan(nil, nil, func(key, value []byte) bool {
			if bw.n%1024 == 0 {
				if bad = ctx.Err(); bad != nil {
					return false
				}
			}
			if bytes.Equal(key, storeIDKey) {
				return true // a restored store gets a fresh identity
			}
			if bad = k.root.VerifyStored(key, value); bad != nil {
				return false
			}
			if len(key) == 0 || len(key) > maxBackupKey || len(value) > maxBackupValue {
				bad = fmt.Errorf("kms: backup: entry %q (%d bytes) is beyond the format's limits", key, len(value))
				return false
			}
			bw.entry(key, value)
			return bw.err == nil
		})
		if err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
		return bw.finish()
	})
	if err != nil {
		return fmt.Errorf("kms: backup: %w", err)
	}
	return nil
}

// backupWriter writes a backup stream, hashing it as it goes. The first
// write error sticks.
type backupWriter struct {
	w        *bufio.Writer
	sum, mac hash.Hash
	n        uint64 // entries written
	err      error
}

func newBackupWriter(w io.Writer, root *keystore.RootKey) *backupWriter {
	return &backupWriter{w: bufio.NewWriterSize(w, 64<<10), sum: sha256.New(), mac: root.BackupMAC()}
}

// write writes p and adds it to the checksum and the tag.
func (b *backupWriter) write(p []byte) {
	if b.err != nil {
		return
	}
	b.sum.Write(p)
	b.mac.Write(p)
	_, b.err = b.w.Write(p)
}

func (b *backupWriter) entry(key, value []byte) {
	var n [4]byte
	b.write([]byte{backupEntryMark})
	binary.BigEndian.PutUint32(n[:], uint32(len(key)))
	b.write(n[:])
	b.write(key)
	binary.BigEndian.PutUint32(n[:], uint32(len(value)))
	b.write(n[:])
	b.write(value)
	b.n++
}

// header writes the header, with the root key identity id.
func (b *backupWriter) header(id []byte) {
	b.write([]byte(backupMagic))
	b.write([]byte{backupVersion1})
	b.write(id)
}

// trailer writes the trailer up to the tag.
func (b *backupWriter) trailer() {
	var n [8]byte
	b.write([]byte{backupEndMark})
	binary.BigEndian.PutUint64(n[:], b.n)
	b.write(n[:])
	b.write(b.sum.Sum(nil)) // also hashed into sum, which is done with
}

// finish writes the trailer and the tag, and flushes.
func (b *backupWriter) finish() error {
	b.trailer()
	if b.err != nil {
		return b.err
	}
	if _, err := b.w.Write(b.mac.Sum(nil)); err != nil {
		return err
	}
	return b.w.Flush()
}

// Restore restores a backup written by Backup into opts.Backend, which
// must be empty. The root key the backed-up store was under is given by
// exactly one of opts.RootKey (its 32 raw bytes) and opts.RootKeySource
// (the source the store was opened with: a passphrase, an AEAD, a key
// file, raw bytes); both set, or neither, is an error. A source is
// resolved the way it would be on the restored store: against the
// backup's own root-key-source metadata (a passphrase's salt and Argon2id
// parameters, an AEAD's root key envelope, which a backup carries as
// stored), so the passphrase or the AEAD alone restores, without ever
// knowing the raw root key. The other fields of opts are not used (a
// backup holds every account and Region). Restore does not close the
// backend.
//
// It reads and verifies the whole stream first (format, order, count,
// checksum, then the root key: from opts.RootKey, or from the source
// given the backup's metadata, held in a temporary memory store; then the
// tag under the root key, and every entry on its own), so a truncated,
// edited or reordered backup (ErrInvalidBackup), one made under another
// root key or restored with a wrong passphrase or AEAD
// (keystore.ErrWrongRootKey) or a non-empty store
// (ErrRestoreTargetNotEmpty) is refused with nothing written. It then
// writes every entry in one Update transaction, so the store holds either
// the whole backup or nothing. It holds the backup in memory meanwhile.
//
// Afterwards New on the store, with the same root key or root-key source,
// finds every key (with its material, state, policy and tags) and every
// alias as they were when the backup was taken, and ciphertexts made
// before then decrypt. The restored store has a new identity, so a handle
// on it never shares the cache of a handle on the original in the same
// process.
func Restore(ctx context.Context, r io.Reader, opts Options) error {
	if opts.Backend == nil {
		return errors.New("kms: restore: Options.Backend, the store to restore into, is nil")
	}
	var root *keystore.RootKey
	switch {
	case opts.RootKey != nil && opts.RootKeySource != nil:
		return errors.New("kms: restore: Options.RootKey and Options.RootKeySource are both set; set one")
	case opts.RootKey != nil:
		var err error
		if root, err = keystore.NewRootKey(opts.RootKey); err != nil {
			return fmt.Errorf("kms: restore: %w", err)
		}
	case opts.RootKeySource == nil:
		return errors.New("kms: restore: Options.RootKey or Options.RootKeySource, the root key the backup was made under, is needed")
	}
	// Refuse a non-empty store before reading what may be a large stream;
	// the Update below checks again, atomically with its writes.
	if err := opts.Backend.View(ctx, checkEmpty); err != nil {
		return fmt.Errorf("kms: restore: %w", err)
	}
	b, err := readBackup(ctx, r, root)
	if err != nil {
		return fmt.Errorf("kms: restore: %w", err)
	}
	if root == nil {
		if root, err = b.resolve(ctx, opts.RootKeySource); err != nil {
			return fmt.Errorf("kms: restore: %w", err)
		}
	}
	if err := b.verify(root); err != nil {
		return fmt.Errorf("kms: restore: %w", err)
	}
	err = opts.Backend.Update(ctx, func(tx backend.Txn) error {
		if err := checkEmpty(tx); err != nil {
			return err
		}
		for i, e := range b.entries {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := tx.Set(e.key, e.value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("kms: restore: %w", err)
	}
	return nil
}

// checkEmpty fails with ErrRestoreTargetNotEmpty unless tx sees no entry.
func checkEmpty(tx backend.Txn) error {
	empty := true
	if err := tx.Scan(nil, nil, func(_, _ []byte) bool { empty = false; return false }); err != nil {
		return err
	}
	if !empty {
		return ErrRestoreTargetNotEmpty
	}
	return nil
}

type backupEntry struct{ key, value []byte }

// parsedBackup is a backup stream read whole, its format and checksum
// checked but not yet its tag: nothing in it is to be trusted before
// verify passes.
type parsedBackup struct {
	id      []byte // the root key identity of the header
	entries []backupEntry
	tag     []byte
}

// readBackup reads a whole backup stream from r and checks its format,
// order, count and checksum, which need no key. With root non-nil it
// also refuses, as soon as the header is read, a backup made under
// another root key. The result is to be trusted only after verify.
func readBackup(ctx context.Context, r io.Reader, root *keystore.RootKey) (*parsedBackup, error) {
	br := &backupReader{r: bufio.NewReaderSize(r, 64<<10), sum: sha256.New()}
	magic, err := br.read(len(backupMagic) + 1)
	if err != nil {
		return nil, err
	}
	if string(magic[:len(backupMagic)]) != backupMagic {
		return nil, fmt.Errorf("%w: it does not begin with %q", ErrInvalidBackup, backupMagic)
	}
	if v := magic[len(backupMagic)]; v != backupVersion1 {
		return nil, fmt.Errorf("%w: format version %d; this version of embedkms reads version %d", ErrInvalidBackup, v, backupVersion1)
	}
	id, err := br.read(backupIDSize)
	if err != nil {
		return nil, err
	}
	if root != nil {
		if err := checkBackupID(id, root); err != nil {
			return nil, err
		}
	}
	var entries []backupEntry
	var last []byte
	for {
		if len(entries)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		mark, err := br.read(1)
		if err != nil {
			return nil, err
		}
		if mark[0] == backupEndMark {
			break
		}
		if mark[0] != backupEntryMark {
			return nil, fmt.Errorf("%w: entry %d has marker 0x%02x", ErrInvalidBackup, len(entries), mark[0])
		}
		key, err := br.readLen(maxBackupKey)
		if err != nil {
			return nil, err
		}
		if len(key) == 0 {
			return nil, fmt.Errorf("%w: entry %d has an empty key", ErrInvalidBackup, len(entries))
		}
		if last != nil && bytes.Compare(key, last) <= 0 {
			return nil, fmt.Errorf("%w: entry %q is out of order", ErrInvalidBackup, key)
		}
		value, err := br.readLen(maxBackupValue)
		if err != nil {
			return nil, err
		}
		entries = append(entries, backupEntry{key, value})
		last = key
	}
	count, err := br.read(8)
	if err != nil {
		return nil, err
	}
	if n := binary.BigEndian.Uint64(count); n != uint64(len(entries)) {
		return nil, fmt.Errorf("%w: the trailer counts %d entries, the stream holds %d", ErrInvalidBackup, n, len(entries))
	}
	wantSum := br.sum.Sum(nil)
	sum, err := br.readRaw(sha256.Size)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(sum, wantSum) {
		return nil, fmt.Errorf("%w: checksum mismatch (the stream is damaged)", ErrInvalidBackup)
	}
	tag, err := br.readRaw(sha256.Size)
	if err != nil {
		return nil, err
	}
	if _, err := br.r.ReadByte(); err == nil {
		return nil, fmt.Errorf("%w: bytes follow the trailer", ErrInvalidBackup)
	} else if !errors.Is(err, io.EOF) {
		return nil, err
	}
	return &parsedBackup{id: id, entries: entries, tag: tag}, nil
}

// checkBackupID refuses a backup header identity that is not root's.
func checkBackupID(id []byte, root *keystore.RootKey) error {
	if hex.EncodeToString(id) != root.ID() {
		return fmt.Errorf("the backup was made under root key %x, not %s: %w", id, root.ID(), keystore.ErrWrongRootKey)
	}
	return nil
}

// resolve returns the root key source yields for the store the backup
// was taken of: source runs against a temporary memory store holding only
// the backup's root-key-source metadata and its root-key check value, as
// it would on the restored store. A source that finds no metadata of its
// kind there fails with keystore.ErrWrongRootKey (the check value marks
// the store as initialised); one that makes a new key anyway (a backup
// without a check value) yields a key that verify refuses. The entries are
// not yet authenticated, so the key is trusted only after verify.
func (b *parsedBackup) resolve(ctx context.Context, source keystore.RootKeySource) (*keystore.RootKey, error) {
	tmp := memory.New()
	defer tmp.Close()
	err := tmp.Update(ctx, func(tx backend.Txn) error {
		for _, e := range b.entries {
			if bytes.HasPrefix(e.key, []byte(keystore.SourceMetaPrefix)) || string(e.key) == keystore.RootKeyCheckEntry {
				if err := tx.Set(e.key, e.value); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return source.RootKey(ctx, tmp)
}

// verify checks the parsed backup under root: the identity in its header,
// its tag, and every entry on its own.
func (b *parsedBackup) verify(root *keystore.RootKey) error {
	if err := checkBackupID(b.id, root); err != nil {
		return err
	}
	// The tag is over the stream's bytes up to it, which the parse fixed
	// exactly (every field is determined by the entries), so writing the
	// entries again gives the same bytes.
	wantTag := backupTag(root, b.id, b.entries)
	tag := b.tag
	if !hmac.Equal(tag, wantTag) {
		return fmt.Errorf("%w: the stream does not authenticate under the root key", ErrInvalidBackup)
	}
	// The tag proves the writer had the root key; check each entry anyway,
	// so nothing that would not open is ever restored.
	for _, e := range b.entries {
		switch {
		case bytes.Equal(e.key, storeIDKey), string(e.key) == keystore.VolatileRootKeyEntry:
			return fmt.Errorf("%w: it holds %q, which no backup carries", ErrInvalidBackup, e.key)
		}
		if err := root.VerifyStored(e.key, e.value); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidBackup, err)
		}
	}
	return nil
}

// backupTag returns the tag Backup writes for a backup of entries under
// root, whose header identity is id.
func backupTag(root *keystore.RootKey, id []byte, entries []backupEntry) []byte {
	bw := newBackupWriter(io.Discard, root)
	bw.header(id)
	for _, e := range entries {
		bw.entry(e.key, e.value)
	}
	bw.trailer()
	return bw.mac.Sum(nil)
}

// backupReader reads a backup stream, adding what it reads to the
// checksum.
type backupReader struct {
	r   *bufio.Reader
	sum hash.Hash
}

// readRaw reads exactly n bytes, without hashing them. A stream that ends
// first is ErrInvalidBackup (truncated). Memory grows with what is
// actually read, not with n, so a forged length costs nothing.
func (b *backupReader) readRaw(n int) ([]byte, error) {
	buf, err := io.ReadAll(io.LimitReader(b.r, int64(n)))
	if err != nil {
		return nil, err
	}
	if len(buf) < n {
		return nil, fmt.Errorf("%w: the stream is truncated", ErrInvalidBackup)
	}
	return buf, nil
}

// read reads exactly n bytes and adds them to the checksum.
func (b *backupReader) read(n int) ([]byte, error) {
	buf, err := b.readRaw(n)
	if err != nil {
		return nil, err
	}
	b.sum.Write(buf)
	return buf, nil
}

// readLen reads a uint32 length, at most limit, and that many bytes.
func (b *backupReader) readLen(limit int) ([]byte, error) {
	n, err := b.read(4)
	if err != nil {
		return nil, err
	}
	l := binary.BigEndian.Uint32(n)
	if uint64(l) > uint64(limit) {
		return nil, fmt.Errorf("%w: a length of %d bytes is over the limit of %d", ErrInvalidBackup, l, limit)
	}
	return b.read(int(l))
}
