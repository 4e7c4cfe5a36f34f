//go:build cgo

package hsm

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// Available reports whether this build can load PKCS#11 modules: it
// needs cgo.
const Available = true

// Token is a logged-in PKCS#11 token. Its methods are safe for concurrent
// use.
type Token struct {
	mod  *module
	slot uint

	mu     sync.Mutex
	cond   *sync.Cond
	idle   []pkcs11.SessionHandle
	open   int // sessions open, idle or in use
	max    int
	closed bool

	handles sync.Map // key id -> pkcs11.ObjectHandle
}

// module is a loaded, initialised PKCS#11 library, shared by every Token
// of the process that names the same path: C_Initialize and C_Finalize act
// on the whole library, so it is finalised when its last Token closes.
type module struct {
	path string
	ctx  *pkcs11.Ctx
	refs int
	own  bool // this package called C_Initialize (and so calls C_Finalize)

	// A token's user login is shared by every session of the process, so
	// C_Login on a token already logged in answers
	// CKR_USER_ALREADY_LOGGED_IN whatever the PIN. loginMu serialises
	// logins; logins keeps, per slot this package logged in to, a salted
	// SHA-256 of the PIN that logged in and the Tokens still using it, so
	// that Open checks a PIN against it rather than accepting any.
	loginMu sync.Mutex
	salt    [32]byte
	logins  map[uint]*slotLogin
}

// slotLogin is the login of Tokens of this package on one slot.
type slotLogin struct {
	pin   [32]byte // salted SHA-256 of the PIN
	users int      // Tokens open on the slot
}

func (m *module) pinSum(pin string) [32]byte {
	return sha256.Sum256(append(m.salt[:], pin...))
}

// login logs in to slot through session s with pin. A slot already logged
// in by a Token of this package takes only the PIN that logged in
// (CKR_PIN_INCORRECT otherwise); one logged in by other code of the
// process cannot be checked and is taken as it is.
func (m *module) login(s pkcs11.SessionHandle, slot uint, pin string) error {
	m.loginMu.Lock()
	defer m.loginMu.Unlock()
	sum := m.pinSum(pin)
	if err := m.ctx.Login(s, pkcs11.CKU_USER, pin); err != nil {
		var rv pkcs11.Error
		if !errors.As(err, &rv) || rv != pkcs11.CKR_USER_ALREADY_LOGGED_IN {
			return err
		}
		if l := m.logins[slot]; l != nil && subtle.ConstantTimeCompare(l.pin[:], sum[:]) != 1 {
			return pkcs11.Error(pkcs11.CKR_PIN_INCORRECT)
		}
	}
	if l := m.logins[slot]; l != nil {
		l.users++
	} else {
		m.logins[slot] = &slotLogin{pin: sum, users: 1}
	}
	return nil
}

// logout forgets a Token's use of its slot's login, once its sessions are
// closed.
func (m *module) logout(slot uint) {
	m.loginMu.Lock()
	defer m.loginMu.Unlock()
	if l := m.logins[slot]; l != nil {
		if l.users--; l.users <= 0 {
			delete(m.logins, slot)
		}
	}
}

var modules = struct {
	sync.Mutex
	m map[string]*module
}{m: map[string]*module{}}

func acquireModule(path string) (*module, error) {
	modules.Lock()
	defer modules.Unlock()
	if m := modules.m[path]; m != nil {
		m.refs++
		return m, nil
	}
	ctx := pkcs11.New(path)
	if ctx == nil {
		return nil, errf("open", ErrModule, "cannot load %q", path)
	}
	own := true
	if err := ctx.Initialize(); err != nil {
		var rv pkcs11.Error
		if !errors.As(err, &rv) || rv != pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED {
			ctx.Destroy()
			return nil, &Error{Op: "initialize", Kind: ErrModule, Err: err}
		}
		own = false // initialised by other code of the process
	}
	m := &module{path: path, ctx: ctx, refs: 1, own: own, logins: map[uint]*slotLogin{}}
	rand.Read(m.salt[:])
	modules.m[path] = m
	return m, nil
}

func (m *module) release() {
	modules.Lock()
	defer modules.Unlock()
	m.refs--
	if m.refs > 0 {
		return
	}
	delete(modules.m, m.path)
	if m.own {
		m.ctx.Finalize()
	}
	m.ctx.Destroy()
}

// Open loads the module, finds the token by label and logs in as the user.
func Open(cfg Config) (*Token, error) {
	mod, err := acquireModule(cfg.Module)
	if err != nil {
		return nil, err
	}
	t := &Token{mod: mod, max: cfg.MaxSessions}
	if t.max <= 0 {
		t.max = DefaultMaxSessions
	}
	t.cond = sync.NewCond(&t.mu)
	if t.slot, err = findSlot(mod.ctx, cfg.TokenLabel); err != nil {
		mod.release()
		return nil, err
	}
	s, err := mod.ctx.OpenSession(t.slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		mod.release()
		return nil, newErr("open session", err, ErrInternal)
	}
	// The login holds for every session of the process on the token, until
	// the last one closes (PKCS#11 base specification, section 5.6).
	if err := mod.login(s, t.slot, cfg.PIN); err != nil {
		mod.ctx.CloseSession(s)
		mod.release()
		return nil, newErr("login", err, ErrInternal)
	}
	t.idle, t.open = []pkcs11.SessionHandle{s}, 1
	return t, nil
}

func findSlot(ctx *pkcs11.Ctx, label string) (uint, error) {
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return 0, newErr("list slots", err, ErrInternal)
	}
	want := strings.TrimRight(label, " ")
	for _, slot := range slots {
		info, err := ctx.GetTokenInfo(slot)
		if err != nil {
			continue // a token removed since the listing
		}
		if info.Flags&pkcs11.CKF_TOKEN_INITIALIZED != 0 && strings.TrimRight(info.Label, " ") == want {
			return slot, nil
		}
	}
	return 0, errf("find token", ErrTokenNotPresent, "no initialised token labelled %q", want)
}

// Close closes the token's sessions (sessions in use close when their
// operation ends) and, with the last Token of the process on the module,
// finalises the module. Later calls return ErrClosed.
func (t *Token) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return errf("close", ErrClosed, "already closed")
	}
	t.closed = true
	idle := t.idle
	t.idle = nil
	t.open -= len(idle)
	last := t.open == 0
	t.cond.Broadcast()
	t.mu.Unlock()
	for _, s := range idle {
		t.mod.ctx.CloseSession(s)
	}
	if last {
		t.mod.logout(t.slot)
		t.mod.release()
	}
	return nil
}

// session takes a session from the pool, opening one if fewer than the
// maximum are open, or waits for one.
func (t *Token) session() (pkcs11.SessionHandle, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		if t.closed {
			return 0, errf("session", ErrClosed, "token closed")
		}
		if n := len(t.idle); n > 0 {
			s := t.idle[n-1]
			t.idle = t.idle[:n-1]
			return s, nil
		}
		if t.open < t.max {
			t.open++
			t.mu.Unlock()
			s, err := t.mod.ctx.OpenSession(t.slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
			t.mu.Lock()
			if err != nil {
				t.open--
				t.cond.Signal()
				return 0, newErr("open session", err, ErrInternal)
			}
			return s, nil
		}
		t.cond.Wait()
	}
}

// done returns a session to the pool, or closes it when the token is
// closed or the session failed in a way that leaves it unusable.
func (t *Token) done(s pkcs11.SessionHandle, err error) {
	broken := false
	var rv pkcs11.Error
	if errors.As(err, &rv) {
		switch rv {
		case pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED, pkcs11.CKR_DEVICE_REMOVED,
			pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_OPERATION_ACTIVE:
			broken = true
		}
	}
	t.mu.Lock()
	if !t.closed && !broken {
		t.idle = append(t.idle, s)
		t.cond.Signal()
		t.mu.Unlock()
		return
	}
	t.open--
	last := t.closed && t.open == 0
	t.cond.Signal()
	t.mu.Unlock()
	t.mod.ctx.CloseSession(s)
	if last {
		t.mod.logout(t.slot)
		t.mod.release()
	}
}

// with runs f on a pooled session.
func (t *Token) with(f func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle) error) error {
	s, err := t.session()
	if err != nil {
		return err
	}
	err = f(t.mod.ctx, s)
	t.done(s, err)
	return err
}

// newID returns a random UUID (RFC 9562 version 4): the stable id of a
// generated key, made only of characters an XKS external key id allows.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// keyTemplate is the template of a generated key: an AES-256 token object,
// private, sensitive, never extractable, unmodifiable, usable only to
// encrypt and decrypt.
func keyTemplate(id, label string) []*pkcs11.Attribute {
	return []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_AES),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, KeyBytes),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_MODIFIABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, true),
		pkcs11.NewAttribute(pkcs11.CKA_DECRYPT, true),
		pkcs11.NewAttribute(pkcs11.CKA_WRAP, false),
		pkcs11.NewAttribute(pkcs11.CKA_UNWRAP, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, false),
		pkcs11.NewAttribute(pkcs11.CKA_DERIVE, false),
		pkcs11.NewAttribute(pkcs11.CKA_ID, []byte(id)),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
	}
}

// GenerateKey generates an AES-256 key on the token (see keyTemplate) with
// the label, and returns it with its new id.
func (t *Token) GenerateKey(label string) (Key, error) {
	id := newID()
	err := t.with(func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle) error {
		h, err := ctx.GenerateKey(s, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_KEY_GEN, nil)},
			keyTemplate(id, label))
		if err != nil {
			return err
		}
		t.handles.Store(id, h)
		return nil
	})
	if err != nil {
		return Key{}, newErr("generate key", err, ErrInternal)
	}
	return Key{ID: id, Label: label, Bits: KeyBytes * 8, Encrypt: true, Decrypt: true}, nil
}

// find returns the handle of the AES secret key with the id.
func find(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, id string) (pkcs11.ObjectHandle, error) {
	if err := ctx.FindObjectsInit(s, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_SECRET_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_AES),
		pkcs11.NewAttribute(pkcs11.CKA_ID, []byte(id)),
	}); err != nil {
		return 0, err
	}
	hs, _, err := ctx.FindObjects(s, 2)
	if ferr := ctx.FindObjectsFinal(s); err == nil {
		err = ferr
	}
	switch {
	case err != nil:
		return 0, err
	case len(hs) == 0:
		return 0, errf("find key", ErrKeyNotFound, "no AES key with id %q", id)
	case len(hs) > 1:
		return 0, errf("find key", ErrInternal, "more than one AES key with id %q", id)
	}
	return hs[0], nil
}

// handle returns the key's object handle, from the cache or the token.
func (t *Token) handle(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, id string) (pkcs11.ObjectHandle, error) {
	if h, ok := t.handles.Load(id); ok {
		return h.(pkcs11.ObjectHandle), nil
	}
	h, err := find(ctx, s, id)
	if err == nil {
		t.handles.Store(id, h)
	}
	return h, err
}

// withKey runs f with the key's handle, looking the key up again once if
// the cached handle has gone stale (the object was destroyed by other code).
func (t *Token) withKey(op, id string, f func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, h pkcs11.ObjectHandle) error) error {
	if id == "" {
		return errf(op, ErrKeyNotFound, "empty key id")
	}
	err := t.with(func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle) error {
		for try := 0; ; try++ {
			h, err := t.handle(ctx, s, id)
			if err != nil {
				return err
			}
			err = f(ctx, s, h)
			var rv pkcs11.Error
			if try == 0 && errors.As(err, &rv) &&
				(rv == pkcs11.CKR_KEY_HANDLE_INVALID || rv == pkcs11.CKR_OBJECT_HANDLE_INVALID) {
				t.handles.Delete(id)
				continue
			}
			return err
		}
	})
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		e.Op = op
		return e
	}
	return newErr(op, err, ErrInternal)
}

// FindKey returns the key with the id, or ErrKeyNotFound.
func (t *Token) FindKey(id string) (Key, error) {
	k := Key{ID: id}
	err := t.withKey("find key", id, func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, h pkcs11.ObjectHandle) error {
		attrs, err := ctx.GetAttributeValue(s, h, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, nil),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE_LEN, nil),
			pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, nil),
			pkcs11.NewAttribute(pkcs11.CKA_DECRYPT, nil),
		})
		if err != nil {
			return err
		}
		for _, a := range attrs {
			switch a.Type {
			case pkcs11.CKA_LABEL:
				k.Label = string(a.Value)
			case pkcs11.CKA_VALUE_LEN:
				n, err := bytesToUint(a.Value)
				if err != nil {
					return errf("find key", ErrInternal, "CKA_VALUE_LEN: %v", err)
				}
				k.Bits = int(n) * 8
			case pkcs11.CKA_ENCRYPT:
				k.Encrypt = isTrue(a.Value)
			case pkcs11.CKA_DECRYPT:
				k.Decrypt = isTrue(a.Value)
			}
		}
		return nil
	})
	if err != nil {
		return Key{}, err
	}
	return k, nil
}

func isTrue(v []byte) bool { return len(v) == 1 && v[0] != 0 }

// bytesToUint decodes a CK_ULONG attribute value (native byte order and
// size, as the module writes it).
func bytesToUint(v []byte) (uint, error) {
	switch len(v) {
	case 8:
		return uint(binary.NativeEndian.Uint64(v)), nil
	case 4:
		return uint(binary.NativeEndian.Uint32(v)), nil
	}
	return 0, fmt.Errorf("%d-byte CK_ULONG", len(v))
}

// DeleteKey destroys the key with the id on the token: whatever it
// encrypted can never be decrypted again.
func (t *Token) DeleteKey(id string) error {
	err := t.withKey("delete key", id, func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, h pkcs11.ObjectHandle) error {
		return ctx.DestroyObject(s, h)
	})
	t.handles.Delete(id)
	return err
}

// Encrypt encrypts plaintext with the key under AES-256-GCM on the token,
// with a fresh random 96-bit IV and aad as the additional authenticated
// data. SoftHSM2, like most tokens, takes the IV from the caller; a token
// that writes its own back into the parameters (CloudHSM) is honoured.
func (t *Token) Encrypt(id string, plaintext, aad []byte) (Sealed, error) {
	var out Sealed
	err := t.withKey("encrypt", id, func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, h pkcs11.ObjectHandle) error {
		iv := make([]byte, IVBytes)
		if _, err := rand.Read(iv); err != nil {
			return err
		}
		params := pkcs11.NewGCMParams(iv, aad, TagBytes*8)
		defer params.Free()
		if err := ctx.EncryptInit(s, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_GCM, params)}, h); err != nil {
			return err
		}
		ct, err := ctx.Encrypt(s, plaintext)
		if err != nil {
			return err
		}
		if len(ct) != len(plaintext)+TagBytes {
			return errf("encrypt", ErrInternal, "token returned %d bytes for %d bytes of plaintext", len(ct), len(plaintext))
		}
		n := len(plaintext)
		out = Sealed{IV: params.IV(), Ciphertext: ct[:n:n], Tag: ct[n:]}
		return nil
	})
	if err != nil {
		return Sealed{}, err
	}
	return out, nil
}

// Decrypt decrypts what Encrypt sealed with the key and the same aad. A
// wrong key, IV, tag, ciphertext or aad returns ErrDecrypt.
func (t *Token) Decrypt(id string, sealed Sealed, aad []byte) ([]byte, error) {
	if len(sealed.Tag) != TagBytes || (len(sealed.IV) != 12 && len(sealed.IV) != 16) {
		return nil, errf("decrypt", ErrDecrypt, "%d-byte IV and %d-byte tag (want 12 or 16, and 16)", len(sealed.IV), len(sealed.Tag))
	}
	var pt []byte
	err := t.withKey("decrypt", id, func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle, h pkcs11.ObjectHandle) error {
		params := pkcs11.NewGCMParams(sealed.IV, aad, TagBytes*8)
		defer params.Free()
		if err := ctx.DecryptInit(s, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_AES_GCM, params)}, h); err != nil {
			return err
		}
		in := make([]byte, 0, len(sealed.Ciphertext)+TagBytes)
		in = append(append(in, sealed.Ciphertext...), sealed.Tag...)
		var err error
		if pt, err = ctx.Decrypt(s, in); err != nil {
			return decryptErr(err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pt, nil
}

// Health checks that the token is still present and answers: it reads the
// token's information through a pooled session.
func (t *Token) Health() error {
	return t.with(func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle) error {
		if _, err := ctx.GetSessionInfo(s); err != nil {
			return newErr("health", err, ErrInternal)
		}
		if _, err := ctx.GetTokenInfo(t.slot); err != nil {
			return newErr("health", err, ErrTokenNotPresent)
		}
		return nil
	})
}

// decryptErr classifies a failed C_Decrypt. SoftHSM2 (2.6) reports a
// failed GCM tag check as CKR_GENERAL_ERROR, PKCS#11 3.0 tokens as
// CKR_AEAD_DECRYPT_FAILED and older ones as CKR_ENCRYPTED_DATA_INVALID:
// all are ErrDecrypt once the operation was initialised with a valid key.
func decryptErr(err error) error {
	e := newErr("decrypt", err, ErrInternal)
	if e.RV == pkcs11.CKR_GENERAL_ERROR {
		e.Kind = ErrDecrypt
	}
	return e
}

// GenerateRandom returns n random bytes from the token's generator
// (C_GenerateRandom).
func (t *Token) GenerateRandom(n int) ([]byte, error) {
	var out []byte
	err := t.with(func(ctx *pkcs11.Ctx, s pkcs11.SessionHandle) error {
		b, err := ctx.GenerateRandom(s, n)
		if err != nil {
			return err
		}
		if len(b) != n {
			return errf("generate random", ErrInternal, "token returned %d bytes, not %d", len(b), n)
		}
		out = b
		return nil
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, newErr("generate random", err, ErrInternal)
	}
	return out, nil
}

// newErr wraps a module error, classifying its return value; kind is the
// kind of any value not classified.
func newErr(op string, err error, kind error) *Error {
	var rv pkcs11.Error
	if !errors.As(err, &rv) {
		return &Error{Op: op, Kind: kind, Err: err}
	}
	return &Error{Op: op, Kind: classify(uint(rv), kind), RV: uint(rv), Err: err}
}
