package awsapi

import (
	"errors"
	"fmt"
	"regexp"
	"sync"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/internal/arn"
)

// Partition returns the AWS partition of region ("aws" for us-east-1,
// "aws-cn" for cn-north-1, "aws-us-gov" for us-gov-west-1, ...) and
// whether region is a Region name of any partition. Region names are
// matched by each partition's naming pattern (the AWS SDKs' partition
// metadata), not a fixed list, so Regions AWS opens later are served too.
func Partition(region string) (string, bool) {
	return arn.Partition(region)
}

// ErrUnknownRegion is wrapped by the error Handles.Handle returns for a
// name that is no AWS Region.
var ErrUnknownRegion = errors.New("awsapi: not an AWS Region")

// ErrInvalidAccount is wrapped by the error Handles.Handle returns for an
// account id that is not 12 digits.
var ErrInvalidAccount = errors.New("awsapi: not a 12-digit AWS account id")

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// handleKey indexes handles by account and Region.
type handleKey struct{ account, region string }

// Handles opens handles on one backend as they are needed, one for each
// (account, Region) pair, so that one handler serves every Region of every
// partition: a key created in us-east-1 is not found in us-west-2, as in
// AWS, and both live in the same store. Give it to NewHandler with
// WithHandles. It is safe for concurrent use.
type Handles struct {
	base  kms.Options
	owned interface{ Close() error } // the memory store NewHandles made, if it made one

	mu      sync.Mutex
	handles map[handleKey]*kms.KMS
	closed  bool
}

// NewHandles returns a Handles that opens each handle with base, its
// AccountID, Region and Partition set for the pair asked for. base.Backend
// is shared by every handle; when it is nil, NewHandles makes one memory
// store for all of them, closed by Close. Handles opened by Handle are
// closed by Close; base.Backend, when given, is not.
func NewHandles(base kms.Options) *Handles {
	h := &Handles{base: base, handles: make(map[handleKey]*kms.KMS)}
	if base.Backend == nil {
		m := memory.New()
		h.base.Backend, h.owned = m, m
	}
	return h
}

// Handle returns the handle for account in region, opening it the first
// time. region must be an AWS Region name (see Partition), account 12
// digits; the handle's partition is the Region's. An error opening the handle (a wrong root
// key, a closed backend) is returned, and the next call tries again.
func (h *Handles) Handle(account, region string) (*kms.KMS, error) {
	partition, ok := Partition(region)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownRegion, region)
	}
	if !accountRE.MatchString(account) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidAccount, account)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errors.New("awsapi: Handles is closed")
	}
	key := handleKey{account, region}
	if k, ok := h.handles[key]; ok {
		return k, nil
	}
	opts := h.base
	opts.AccountID, opts.Region, opts.Partition = account, region, partition
	k, err := kms.New(opts)
	if err != nil {
		return nil, err
	}
	h.handles[key] = k
	return k, nil
}

// Close closes every handle Handle opened, then the memory store
// NewHandles made, if any. Handle fails after Close.
func (h *Handles) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	var errs []error
	for _, k := range h.handles {
		errs = append(errs, k.Close())
	}
	if h.owned != nil {
		errs = append(errs, h.owned.Close())
	}
	return errors.Join(errs...)
}
