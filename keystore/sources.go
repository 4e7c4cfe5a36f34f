package keystore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/tink-crypto/tink-go/v2/tink"
	"golang.org/x/crypto/argon2"
)

// RootKeySource yields the root key a store is used with.
//
// A source may keep what it needs to find the key again (a salt, an
// encrypted envelope) in the store itself, under SourceMetaPrefix and
// nowhere else, never holding the root key in the clear. It writes there
// only on a store that holds no root-key check value and no key records
// (one no root key was ever verified on); on any other store it only
// reads, so a wrong source changes nothing. Given the same inputs and the
// same store it yields the same key every time. The key it returns is not
// yet checked against the store: RootKey.Verify does that (kms.New calls
// both).
type RootKeySource interface {
	// RootKey returns the root key for store, creating what the source keeps
	// in the store on first use.
	RootKey(ctx context.Context, store backend.Store) (*RootKey, error)
}

// SourceMetaPrefix is the prefix of the backend keys where root-key
// sources keep their metadata.
const SourceMetaPrefix = "meta/rootkey/"

// IsSourceMeta reports whether the backend key key holds root-key-source
// metadata: SourceMetaPrefix, or the volatile root key of a memory store.
// RewrapRootKey replaces these with the new source's.
func IsSourceMeta(key []byte) bool {
	return bytes.HasPrefix(key, []byte(SourceMetaPrefix)) || bytes.Equal(key, volatileRootKey)
}

// ---- raw bytes ----

type rawSource struct{ raw []byte }

// RawRootKey returns the source of a root key given as 32 bytes (what
// kms.Options.RootKey holds). It keeps a copy of b, so the caller may
// zero b afterwards; a b of the wrong size is refused when the key is
// asked for. It stores nothing in the store.
func RawRootKey(b []byte) RootKeySource {
	return rawSource{raw: bytes.Clone(b)}
}

func (s rawSource) RootKey(context.Context, backend.Store) (*RootKey, error) {
	return NewRootKey(s.raw)
}

// ---- key file ----

type fileSource struct{ path string }

// RootKeyFile returns the source of a root key kept in a file that holds
// exactly the 32 raw bytes of the key, nothing else (no encoding, no
// newline); create one with, for example,
//
//	(umask 077; head -c 32 /dev/urandom > root.key)
//
// The file is refused, with an error naming it, if it is not a regular
// file, if its size is not 32 bytes, or (except on Windows, which has no
// such mode bits) if group or others may read or write it (mode & 0o077 !=
// 0: use 0600 or 0400). The file is read on every RootKey call; the source
// stores nothing in the store.
func RootKeyFile(path string) RootKeySource {
	return fileSource{path: path}
}

func (s fileSource) RootKey(context.Context, backend.Store) (*RootKey, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, fmt.Errorf("keystore: root key file: %w", err)
	}
	defer f.Close()
	// Checked on the open file, not the path, so what is read is what
	// was checked.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keystore: root key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("keystore: root key file %q is not a regular file", s.path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keystore: root key file %q has mode %#o: group and others must have no access (use 0600 or 0400)", s.path, fi.Mode().Perm())
	}
	if fi.Size() != RootKeySize {
		return nil, fmt.Errorf("keystore: root key file %q is %d bytes, want exactly %d raw bytes", s.path, fi.Size(), RootKeySize)
	}
	raw := make([]byte, RootKeySize+1)
	defer clear(raw)
	n, err := io.ReadFull(f, raw)
	if !errors.Is(err, io.ErrUnexpectedEOF) || n != RootKeySize {
		return nil, fmt.Errorf("keystore: root key file %q changed size while read", s.path)
	}
	return NewRootKey(raw[:RootKeySize])
}

// ---- passphrase ----

// Argon2Params are the Argon2id parameters a passphrase is stretched with
// (RFC 9106).
type Argon2Params struct {
	Time      uint32 // passes over memory, at least 1
	MemoryKiB uint32 // memory in KiB, at least 8*Threads
	Threads   uint8  // degree of parallelism, at least 1
}

// DefaultArgon2Params are RFC 9106's second recommended option (section
// 4): t=3, m=64 MiB, p=4.
var DefaultArgon2Params = Argon2Params{Time: 3, MemoryKiB: 64 << 10, Threads: 4}

// Limits on Argon2 parameters, given or read back from a store; the upper
// ones keep a tampered store from making an open take unbounded time or
// memory.
const (
	maxArgon2Time      = 1 << 10
	maxArgon2MemoryKiB = 4 << 20 // 4 GiB
	argon2SaltSize     = 16
)

func (p Argon2Params) check() error {
	if p.Time < 1 || p.Time > maxArgon2Time || p.Threads < 1 ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxArgon2MemoryKiB {
		return fmt.Errorf("keystore: Argon2id parameters t=%d m=%d KiB p=%d out of range (1 <= t <= %d, 8*p <= m <= %d, p >= 1)",
			p.Time, p.MemoryKiB, p.Threads, maxArgon2Time, maxArgon2MemoryKiB)
	}
	return nil
}

// PassphraseOption configures PassphraseRootKey.
type PassphraseOption func(*passphraseSource)

// WithArgon2Params sets the Argon2id parameters a store is initialised
// with (default DefaultArgon2Params). They matter only the first time: a
// store keeps its parameters and later opens use those.
func WithArgon2Params(p Argon2Params) PassphraseOption {
	return func(s *passphraseSource) { s.params = p }
}

type passphraseSource struct {
	passphrase []byte
	params     Argon2Params
}

// passphraseMeta holds the salt and parameters of a passphrase-derived
// root key, format version 1, as an authenticated record (records.go)
// under the derived root key:
//
//	offset  size  field
//	0       1     version, 0x01
//	1       4     Argon2id time, uint32 big endian
//	5       4     Argon2id memory in KiB, uint32 big endian
//	9       1     Argon2id threads
//	10      16    salt
//
// The root key is Argon2id(passphrase, salt, t, m, p, 32 bytes). Since the
// record's tag is under the key the record derives, a wrong passphrase and
// an edited salt or parameter are both refused with ErrWrongRootKey.
var passphraseMeta = []byte(SourceMetaPrefix + "passphrase")

const passphraseMetaSize = 1 + 4 + 4 + 1 + argon2SaltSize

// PassphraseRootKey returns the source of a root key derived from a
// passphrase with Argon2id (RFC 9106). The first use on a store draws a
// random 16-byte salt and keeps it, with the Argon2id parameters, in the
// store (under SourceMetaPrefix, authenticated under the derived key); later
// uses read them back, so the passphrase alone reopens the store. A wrong
// passphrase, or stored parameters that were edited, is refused with
// ErrWrongRootKey. The source keeps a copy of passphrase, so the caller
// may zero it afterwards. An empty passphrase is refused.
func PassphraseRootKey(passphrase []byte, opts ...PassphraseOption) RootKeySource {
	s := &passphraseSource{passphrase: bytes.Clone(passphrase), params: DefaultArgon2Params}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *passphraseSource) derive(p Argon2Params, salt []byte) (*RootKey, error) {
	raw := argon2.IDKey(s.passphrase, salt, p.Time, p.MemoryKiB, p.Threads, RootKeySize)
	defer clear(raw)
	return NewRootKey(raw)
}

func (s *passphraseSource) RootKey(ctx context.Context, store backend.Store) (*RootKey, error) {
	if len(s.passphrase) == 0 {
		return nil, errors.New("keystore: empty passphrase")
	}
	return sourceMeta(ctx, store, passphraseMeta, s.open, s.create)
}

func (s *passphraseSource) create() ([]byte, *RootKey, error) {
	if err := s.params.check(); err != nil {
		return nil, nil, err
	}
	salt := crypto.Random(argon2SaltSize)
	r, err := s.derive(s.params, salt)
	if err != nil {
		return nil, nil, err
	}
	v := make([]byte, 0, passphraseMetaSize)
	v = append(v, 1)
	v = binary.BigEndian.AppendUint32(v, s.params.Time)
	v = binary.BigEndian.AppendUint32(v, s.params.MemoryKiB)
	v = append(v, s.params.Threads)
	v = append(v, salt...)
	return r.records.seal(passphraseMeta, v), r, nil
}

func (s *passphraseSource) open(stored []byte) (*RootKey, error) {
	// The record is read before it can be authenticated (its contents
	// say how to derive the key that authenticates it): check bounds
	// first, authenticate after.
	if len(stored) != 1+passphraseMetaSize+recordTagSize || stored[0] != RecordVersion1 || stored[1] != 1 {
		return nil, fmt.Errorf("%w: passphrase parameters in the store are malformed", ErrWrongRootKey)
	}
	v := stored[1 : 1+passphraseMetaSize]
	p := Argon2Params{
		Time:      binary.BigEndian.Uint32(v[1:]),
		MemoryKiB: binary.BigEndian.Uint32(v[5:]),
		Threads:   v[9],
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%w: stored %w", ErrWrongRootKey, err)
	}
	r, err := s.derive(p, v[10:])
	if err != nil {
		return nil, err
	}
	if _, err := r.records.open(passphraseMeta, stored); err != nil {
		return nil, fmt.Errorf("%w: wrong passphrase, or the stored passphrase parameters were edited", ErrWrongRootKey)
	}
	return r, nil
}

// ---- AEAD envelope ----

// aeadMeta holds the root key encrypted under the source's AEAD with
// associated data aeadAD.
var aeadMeta = []byte(SourceMetaPrefix + "aead-envelope")

const aeadAD = "embedkms/root-key-envelope/v1\x00" + SourceMetaPrefix + "aead-envelope"

type aeadSource struct{ a tink.AEAD }

// AEADRootKey returns the source of a root key kept in the store encrypted
// under a (any tink.AEAD: a key in a cloud KMS or an HSM through its Tink
// integration, or a local keyset). The first use on a store generates a
// random 32-byte root key and stores only its encryption under a, with
// associated data that binds it to this purpose; later uses decrypt it, so
// every open needs a (one Decrypt call). An AEAD that does not decrypt the
// envelope is refused with an error matching ErrWrongRootKey and wrapping
// the AEAD's error (which may also be a transient failure of a remote KMS).
func AEADRootKey(a tink.AEAD) RootKeySource {
	return aeadSource{a: a}
}

func (s aeadSource) RootKey(ctx context.Context, store backend.Store) (*RootKey, error) {
	if s.a == nil {
		return nil, errors.New("keystore: AEADRootKey with a nil AEAD")
	}
	return sourceMeta(ctx, store, aeadMeta, s.open, s.create)
}

func (s aeadSource) create() ([]byte, *RootKey, error) {
	raw := crypto.Random(RootKeySize)
	defer clear(raw)
	r, err := NewRootKey(raw)
	if err != nil {
		return nil, nil, err
	}
	env, err := s.a.Encrypt(raw, []byte(aeadAD))
	if err != nil {
		return nil, nil, fmt.Errorf("keystore: encrypting the root key envelope: %w", err)
	}
	return env, r, nil
}

func (s aeadSource) open(stored []byte) (*RootKey, error) {
	raw, err := s.a.Decrypt(stored, []byte(aeadAD))
	if err != nil {
		return nil, fmt.Errorf("%w: the AEAD does not decrypt the stored root key envelope: %w", ErrWrongRootKey, err)
	}
	defer clear(raw)
	if len(raw) != RootKeySize {
		return nil, fmt.Errorf("%w: the root key envelope holds %d bytes, not a root key", ErrWrongRootKey, len(raw))
	}
	return NewRootKey(raw)
}

// ---- shared ----

// initialised reports whether a root key was ever verified on the store tx
// belongs to, or keys were stored in it.
func initialised(tx backend.Txn) (bool, error) {
	if _, err := tx.Get(checkKey); err == nil {
		return true, nil
	} else if !errors.Is(err, backend.ErrNotFound) {
		return false, err
	}
	hasKeys := false
	err := tx.Scan([]byte("key/"), nil, func(_, _ []byte) bool { hasKeys = true; return false })
	return hasKeys, err
}

// sourceMeta returns the root key of a source that keeps metadata at key:
// open(stored) if the store holds it; else, on a store no root key was
// verified on, create() makes a fresh key and its metadata, stored unless
// a concurrent open stored its own first (then that one is used). On an
// initialised store without the metadata it fails with ErrWrongRootKey,
// writing nothing. create and open run outside transactions: they may be
// slow (Argon2id) or remote (a cloud KMS).
func sourceMeta(ctx context.Context, store backend.Store, key []byte,
	open func(stored []byte) (*RootKey, error), create func() ([]byte, *RootKey, error)) (*RootKey, error) {
	errOther := fmt.Errorf("%w: the store was initialised under another kind of root key source (it holds no %s)", ErrWrongRootKey, key)
	var stored []byte
	err := store.View(ctx, func(tx backend.Txn) error {
		v, err := tx.Get(key)
		if errors.Is(err, backend.ErrNotFound) {
			init, err := initialised(tx)
			if err == nil && init {
				err = errOther
			}
			return err
		}
		stored = v
		return err
	})
	if err != nil {
		return nil, err
	}
	if stored != nil {
		return open(stored)
	}
	v, r, err := create()
	if err != nil {
		return nil, err
	}
	var theirs []byte
	err = store.Update(ctx, func(tx backend.Txn) error {
		theirs = nil
		got, err := tx.Get(key)
		if err == nil {
			theirs = got
			return nil
		}
		if !errors.Is(err, backend.ErrNotFound) {
			return err
		}
		if init, err := initialised(tx); err != nil || init {
			if err == nil {
				err = errOther
			}
			return err
		}
		return tx.Set(key, v)
	})
	if err != nil {
		return nil, err
	}
	if theirs != nil {
		return open(theirs)
	}
	return r, nil
}
