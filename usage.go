package kms

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/internal/records"
)

// Last usage (GetKeyLastUsage). Every successful cryptographic operation
// notes its use of a key in memory, in a slot of the key on the state all
// handles over the backend share: no store write per operation. The notes
// are written to the key's lastused/ record by the maintenance pass, by
// Close, and by GetKeyLastUsage for its key; the latest timestamp wins
// over what other handles or processes wrote.

// GetKeyLastUsageInput is the input of GetKeyLastUsage.
type GetKeyLastUsageInput struct {
	// KeyId names the KMS key: key ID or key ARN, of this account and Region
	// (an alias gives NotFoundException). Required; 1 to 2048 characters.
	KeyId string
}

// GetKeyLastUsageOutput is the output of GetKeyLastUsage.
type GetKeyLastUsageOutput struct {
	KeyId string // the key ARN
	// KeyLastUsage is the last successful cryptographic operation with
	// the key since TrackingStartDate; nil if there was none.
	KeyLastUsage *KeyLastUsageData
	// TrackingStartDate is when the store began recording the key's use:
	// when a handle of this version first tracked use in the store, or
	// the key's creation, whichever is later.
	TrackingStartDate time.Time
	// KeyCreationDate is when the key was created.
	KeyCreationDate time.Time
}

// KeyLastUsageData is a key's last successful cryptographic use.
type KeyLastUsageData struct {
	// Operation is the cryptographic operation that last used the key
	// (Encrypt, Sign, ...).
	Operation KeyLastUsageTrackingOperation
	// Timestamp is when that operation ran, by Options.Clock.
	Timestamp time.Time
	// CloudTrailEventId is the eventID of the operation's AuditEvent.
	CloudTrailEventId string
	// KmsRequestId is the operation's request id (WithRequestID; over
	// the wire, the x-amzn-RequestId of its response).
	KmsRequestId string
}

// opGetKeyLastUsage: key id or key ARN only, of the caller's account
// ("Alias names are not supported", "Cross-account use: No", API
// reference GetKeyLastUsage).
var opGetKeyLastUsage = op("GetKeyLastUsage", false, false)

// keyUse is one successful cryptographic use of a key.
type keyUse struct {
	at        time.Time
	op        KeyLastUsageTrackingOperation
	seq       uint64 // the call's: its ids are callID(seq, ...)
	requestID string // "" for callID(seq, 1)
}

func (u keyUse) record() *records.LastUsed {
	id := u.requestID
	if id == "" {
		id = callID(u.seq, 1)
	}
	return &records.LastUsed{Operation: string(u.op), Timestamp: u.at, EventID: callID(u.seq, 0), RequestID: id}
}

// usageSlot holds the last use of one key noted in this process.
type usageSlot struct {
	mu    sync.Mutex
	last  keyUse
	set   bool // last holds a use
	dirty bool // last is not written yet
}

// note records u unless a later use is already noted.
func (s *usageSlot) note(u keyUse) {
	s.mu.Lock()
	if !s.set || !u.at.Before(s.last.at) {
		s.last, s.set, s.dirty = u, true, true
	}
	s.mu.Unlock()
}

// usageSlot returns the slot of the key r names, creating it.
func (sh *shared) usageSlot(r keyRef) *usageSlot {
	if v, ok := sh.usage.Load(r); ok {
		return v.(*usageSlot)
	}
	v, _ := sh.usage.LoadOrStore(r, &usageSlot{})
	return v.(*usageSlot)
}

// trackFrom lowers the time since when this process tracks use to t.
func (sh *shared) trackFrom(t time.Time) {
	sh.usageMu.Lock()
	if sh.trackingSince.IsZero() || t.Before(sh.trackingSince) {
		sh.trackingSince = t
	}
	sh.usageMu.Unlock()
}

// used notes a successful cryptographic operation op with the keys cks
// (ReEncrypt's two), under the ids of the operation's call (its audit
// event's, if audited): one call, one event id.
func (k *KMS) used(ctx context.Context, op KeyLastUsageTrackingOperation, cks ...*cachedKey) {
	u := keyUse{at: k.clock.Now(), op: op}
	var c *call
	if k.sink != nil {
		c = callFrom(ctx)
	}
	if c != nil {
		u.seq, u.requestID = c.seq, c.requestID
	} else {
		u.seq = callSeq.Add(1)
		u.requestID, _ = RequestIDFrom(ctx)
	}
	for _, ck := range cks {
		if c != nil {
			c.keys = append(c.keys, ck.arn)
		}
		ck.use.note(u)
	}
}

// pendingUse is a noted use to write.
type pendingUse struct {
	ref  keyRef
	slot *usageSlot
	use  keyUse
}

// flushUsage writes the uses noted and not yet written (only of key
// *only, if only is not nil) and the tracking start. For only it returns
// the key's record as stored after (nil: never used) and the tracking
// start. Uses of a key that no longer exists are dropped.
func (k *KMS) flushUsage(ctx context.Context, only *keyRef) (*records.LastUsed, time.Time, error) {
	var pending []pendingUse
	collect := func(r keyRef, s *usageSlot) {
		s.mu.Lock()
		if s.dirty {
			pending = append(pending, pendingUse{r, s, s.last})
		}
		s.mu.Unlock()
	}
	if only != nil {
		if v, ok := k.shared.usage.Load(*only); ok {
			collect(*only, v.(*usageSlot))
		}
	} else {
		k.shared.usage.Range(func(key, v any) bool {
			collect(key.(keyRef), v.(*usageSlot))
			return true
		})
	}
	if only == nil && len(pending) == 0 {
		// Nothing to write. The tracking start waits for the first use
		// or GetKeyLastUsage: a store no use reached tracked none.
		return nil, time.Time{}, nil
	}
	sh := k.shared
	sh.usageMu.Lock()
	since := sh.trackingSince
	sh.usageMu.Unlock()
	var gone []keyRef
	var stored *records.LastUsed
	var start time.Time
	err := k.store.Update(ctx, func(tx backend.Txn) error {
		gone, stored = gone[:0], nil
		ts, err := records.GetTrackingStart(tx)
		switch {
		case errors.Is(err, backend.ErrNotFound) || err == nil && since.Before(ts.Date):
			ts = &records.TrackingStart{Date: since}
			if err := records.PutTrackingStart(tx, ts); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		start = ts.Date
		for _, p := range pending {
			if _, err := records.GetKey(tx, p.ref.account, p.ref.region, p.ref.name); errors.Is(err, backend.ErrNotFound) {
				gone = append(gone, p.ref)
				continue
			} else if err != nil {
				return err
			}
			old, err := records.GetLastUsed(tx, p.ref.account, p.ref.region, p.ref.name)
			if err != nil && !errors.Is(err, backend.ErrNotFound) {
				return err
			}
			if old != nil && old.Timestamp.After(p.use.at) {
				continue // a later use, written by another handle or process
			}
			if err := records.PutLastUsed(tx, p.ref.account, p.ref.region, p.ref.name, p.use.record()); err != nil {
				return err
			}
		}
		if only == nil {
			return nil
		}
		stored, err = records.GetLastUsed(tx, only.account, only.region, only.name)
		if errors.Is(err, backend.ErrNotFound) {
			stored, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, time.Time{}, internal(err)
	}
	for _, p := range pending {
		p.slot.mu.Lock()
		if p.slot.last == p.use {
			p.slot.dirty = false
		}
		p.slot.mu.Unlock()
	}
	for _, r := range gone {
		sh.usage.Delete(r)
	}
	return stored, start, nil
}

// GetKeyLastUsage returns the last successful cryptographic operation
// (Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateDataKeyPair*,
// Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret, Encapsulate,
// Decapsulate; a DryRun or a failed call does not count) with a key, in
// any key state. KeyId is a key id or key ARN of the caller's account.
func (k *KMS) GetKeyLastUsage(ctx context.Context, in *GetKeyLastUsageInput) (result *GetKeyLastUsageOutput, opErr error) {
	defer finish(k.audit(&ctx, "GetKeyLastUsage", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GetKeyLastUsageInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opGetKeyLastUsage)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, opGetKeyLastUsage, authzExtra{requestKeyID: in.KeyId}, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	// Every key state is allowed: the model's error list for
	// GetKeyLastUsage has no DisabledException or KMSInvalidStateException.
	if err := opGetKeyLastUsage.checkState(KeyState(ck.rec.State), ck.arn); err != nil {
		return nil, err
	}
	ref := keyRef{ck.rec.Account, ck.rec.Region, ck.rec.KeyID}
	stored, start, err := k.flushUsage(ctx, &ref)
	if err != nil {
		return nil, err
	}
	out := &GetKeyLastUsageOutput{KeyId: ck.arn, KeyCreationDate: ck.rec.CreationDate, TrackingStartDate: start}
	// "The date from which KMS began recording cryptographic activity for
	// this key, or the date the KMS key was created, whichever is later."
	if ck.rec.CreationDate.After(start) {
		out.TrackingStartDate = ck.rec.CreationDate
	}
	if stored != nil {
		out.KeyLastUsage = &KeyLastUsageData{
			Operation:         KeyLastUsageTrackingOperation(stored.Operation),
			Timestamp:         stored.Timestamp,
			CloudTrailEventId: stored.EventID,
			KmsRequestId:      stored.RequestID,
		}
	}
	return out, nil
}

// usedBoth notes a ReEncrypt with source key src and destination key dst:
// "Usage information is recorded for both keys independently" (API
// reference, GetKeyLastUsage).
func (k *KMS) usedBoth(ctx context.Context, src, dst *cachedKey) {
	if dst == src {
		k.used(ctx, KeyLastUsageTrackingOperationReEncrypt, src)
		return
	}
	k.used(ctx, KeyLastUsageTrackingOperationReEncrypt, src, dst)
}
