package kms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/policy"
)

// Defaults for Options.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "111122223333"
	DefaultPartition = "aws"
)

// Clock tells the time. Scheduled key deletion, automatic key rotation and
// the expiry of imported key material happen when the clock says they are
// due.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Options configure a handle. The zero value is a working configuration:
// an in-memory backend, account 111122223333, Region us-east-1.
type Options struct {
	// Backend stores keys and aliases. Default: a new memory store, owned
	// (and closed) by the handle. Several handles, for different accounts
	// or Regions, may share one backend; the handle does not close a
	// backend it was given. All handles of a process over one backend
	// share one cache, so a change through one is seen at once by all; a
	// copy of a backend's contents opened beside the original must first
	// lose its meta/store-id entry, the backend's identity (a store made
	// by Restore never has it).
	//
	// Several processes may share a backend that implements
	// backend.Watcher (a database; it must be given as is, not wrapped,
	// for the handle to see it is one). The handles of a process then
	// subscribe once to its change reports, dropping from the cache the
	// keys and aliases another process changed (everything, when the
	// store reports it lost track), and, while the store is not Fresh, read
	// the store instead of the cache on every call. A change made in
	// another process is thus used by this one no later than the store's
	// staleness bound after its commit; the bound is the store's option.
	// Handles given different store values over one database (two Opens)
	// share one cache, subscribed to each, used only while every one is
	// Fresh: the smallest bound holds.
	// What is cached: key records with their unwrapped material, and
	// alias targets. Grants, custom key store state, key counts and last
	// use are read on each use, so a revoked grant is refused at once.
	Backend backend.Store
	// RootKey is the 32-byte key that wraps all key material at rest
	// (the same as RootKeySource: keystore.RawRootKey(RootKey)). At most
	// one of RootKey and RootKeySource may be set; both may be unset only
	// with a volatile (memory) backend, which then uses a random root key
	// that lives as long as the backend.
	RootKey []byte
	// RootKeySource yields the root key: raw bytes, a passphrase, a key
	// file or a key encrypted under a tink.AEAD (a cloud KMS, an HSM); see
	// package keystore. A backend is always used with the root key it was
	// first opened with: another one makes New fail with an error matching
	// keystore.ErrWrongRootKey, having changed nothing in the backend.
	// RewrapRootKey moves a backend to another root key.
	RootKeySource keystore.RootKeySource
	// AccountID is the 12-digit AWS account the handle acts as.
	AccountID string
	// Region is the AWS Region the handle acts in.
	Region string
	// Partition is the ARN partition ("aws", "aws-cn", "aws-us-gov").
	Partition string
	// Clock is the time source. Default: the system clock.
	Clock Clock
	// IdentityPolicies supplies the IAM policies of principals, evaluated
	// with key policies and grants as AWS KMS does. nil: IAM is not
	// modelled, as if every principal's IAM policies allowed every KMS
	// action; key policies and grants still decide (a key policy that
	// delegates to the account then allows every principal of it). Set it
	// (IdentityPolicies{} is a directory with no principal) to have
	// principals without an IAM policy denied, as in AWS. The account
	// root needs no IAM policy in its own account.
	IdentityPolicies IdentityPolicySource
	// MaxKeys is the quota of customer managed KMS keys per account and
	// Region: CreateKey beyond it is LimitExceededException. Default:
	// DefaultMaxKeys, AWS's default quota. AWS managed keys do not count.
	MaxKeys int
	// MaintenanceInterval is how often a background pass (see
	// KMS.Maintain) runs. Default: DefaultMaintenanceInterval. The pass
	// runs only on the system clock: a handle with its own Clock runs no
	// goroutine, and tests or tools call Maintain when they want.
	MaintenanceInterval time.Duration
	// CloudHsmClusters are the PKCS#11 tokens that AWS_CLOUDHSM custom
	// key stores can use, by the CloudHsmClusterId that names each one
	// (see CreateCustomKeyStore). nil: no cluster exists.
	CloudHsmClusters map[string]PKCS11Cluster
	// XksHTTPClient sends the requests of EXTERNAL_KEY_STORE custom key
	// stores to their proxies. Default: http.DefaultClient.
	XksHTTPClient *http.Client
	// Audit, if set, receives one CloudTrail-shaped event per operation
	// call, success or failure (see AuditEvent): NewJSONAudit writes JSON
	// lines, NewSlogAudit logs to a slog.Logger. Explain, Backup, Maintain
	// and Seed are no AWS operations and emit none. nil: no audit, at no
	// cost to the calls.
	Audit AuditSink
}

// DefaultMaxKeys is the default Options.MaxKeys: AWS's default quota of
// KMS keys per account and Region (AWS KMS Developer Guide, "Resource
// quotas": 100,000).
const DefaultMaxKeys = 100000

// DefaultMaintenanceInterval is the default Options.MaintenanceInterval.
// Keys past their deletion date are refused at once whatever it is; the
// pass is what removes them from storage when nothing touches them.
const DefaultMaintenanceInterval = 10 * time.Minute

// KMS is a handle to an embedded AWS KMS bound to one account and one
// Region. All methods are safe for concurrent use.
type KMS struct {
	account, region, partition string
	store                      backend.Store // authenticated view of the backend
	raw                        backend.Store // the backend as given; only Backup reads it
	storeID                    string        // the backend's identity (cache.go)
	ownsStore                  bool
	rootCaller                 *caller // the account root, the default caller
	shared                     *shared
	root                       *keystore.RootKey
	clock                      Clock
	iam                        IdentityPolicySource // nil: IAM not modelled
	sink                       AuditSink            // nil: no audit
	maxKeys                    int
	cks                        *customKeyStores  // connections of custom key stores
	tokenDeletes               tokenKeyDeletions // token keys of purged keys, destroyed after the purge
	// decide is the policy decision; policy.Evaluate except in tests
	// that need a caller allowed on some resources and not others.
	decide func(policy.Input) policy.Result

	closeOnce       sync.Once
	closed          atomic.Bool
	stopMaintenance context.CancelFunc // nil without a background pass
	maintenanceDone chan struct{}
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^([a-z]+-){2,3}\d+$`) // RegionType in the model
)

// New returns a handle configured by opts.
func New(opts Options) (*KMS, error) {
	k := &KMS{
		account:   opts.AccountID,
		region:    opts.Region,
		partition: opts.Partition,
		store:     opts.Backend,
		clock:     opts.Clock,
		iam:       opts.IdentityPolicies,
		sink:      opts.Audit,
		decide:    policy.Evaluate,
	}
	if k.account == "" {
		k.account = DefaultAccountID
	}
	if k.region == "" {
		k.region = DefaultRegion
	}
	if k.partition == "" {
		k.partition = DefaultPartition
	}
	if k.clock == nil {
		k.clock = systemClock{}
	}
	if !accountRE.MatchString(k.account) {
		return nil, fmt.Errorf("kms: AccountID %q is not a 12-digit AWS account id", k.account)
	}
	if !regionRE.MatchString(k.region) {
		return nil, fmt.Errorf("kms: Region %q is not an AWS Region name", k.region)
	}
	switch k.maxKeys = opts.MaxKeys; {
	case k.maxKeys < 0:
		return nil, fmt.Errorf("kms: MaxKeys %d is negative", opts.MaxKeys)
	case k.maxKeys == 0:
		k.maxKeys = DefaultMaxKeys
	}
	k.cks = newCustomKeyStores(opts.CloudHsmClusters, opts.XksHTTPClient)
	if opts.MaintenanceInterval < 0 {
		return nil, fmt.Errorf("kms: MaintenanceInterval %v is negative", opts.MaintenanceInterval)
	}
	root := CallerInfo{Principal: "arn:" + k.partition + ":iam::" + k.account + ":root"}
	rootInfo, err := policy.ParsePrincipal(policy.Principal{ARN: root.Principal})
	if err != nil {
		return nil, fmt.Errorf("kms: Partition %q: %w", k.partition, err)
	}
	k.rootCaller = &caller{CallerInfo: root, info: rootInfo}
	if m, ok := opts.IdentityPolicies.(IdentityPolicies); ok {
		if err := m.validate(); err != nil {
			return nil, err
		}
	}
	raw := opts.Backend
	if raw == nil {
		raw, k.ownsStore = memory.New(), true
	}
	source := opts.RootKeySource
	if opts.RootKey != nil {
		if source != nil {
			if k.ownsStore {
				raw.Close()
			}
			return nil, errors.New("kms: Options.RootKey and Options.RootKeySource are both set; set one")
		}
		source = keystore.RawRootKey(opts.RootKey)
	}
	id, err := k.openStore(raw, source)
	if err != nil {
		if k.ownsStore {
			raw.Close()
		}
		return nil, err
	}
	k.storeID = id
	k.shared = acquireShared(id, raw)
	k.shared.trackFrom(k.clock.Now())
	if opts.Clock == nil {
		every := opts.MaintenanceInterval
		if every == 0 {
			every = DefaultMaintenanceInterval
		}
		ctx, cancel := context.WithCancel(context.Background())
		k.stopMaintenance = cancel
		k.maintenanceDone = make(chan struct{})
		go k.maintainEvery(ctx, every)
	}
	return k, nil
}

// openStore sets up the root key for raw, checks it is the one raw was
// initialised with, and makes k.store the authenticated view of raw that
// every operation uses. It returns raw's identity.
func (k *KMS) openStore(raw backend.Store, source keystore.RootKeySource) (string, error) {
	ctx := context.Background()
	// Only the memory store itself may go without a root key: a store
	// that merely embeds one (a persisting wrapper, say) is not volatile,
	// and keeping a random root key in it would write the key in the clear.
	_, volatile := raw.(*memory.Store)
	var err error
	switch {
	case source != nil:
		k.root, err = source.RootKey(ctx, raw)
	case volatile:
		k.root, err = keystore.VolatileRootKey(ctx, raw)
	default:
		err = errors.New("kms: a durable backend needs Options.RootKey or Options.RootKeySource")
	}
	if err != nil {
		return "", err
	}
	if err := k.root.Verify(ctx, raw); err != nil {
		return "", err
	}
	k.raw = raw
	k.store = k.root.Authenticated(raw)
	return cacheID(ctx, k.root, k.store)
}

// Close releases the handle, and its backend if the handle created it.
// Every call after Close fails with one error: a KMSInternalException
// matching ErrClosed.
func (k *KMS) Close() error {
	var err error
	k.closeOnce.Do(func() {
		k.closed.Store(true)
		if k.stopMaintenance != nil {
			k.stopMaintenance() // also cancels a pass under way
			<-k.maintenanceDone
		}
		// The last uses noted and not yet written go to the store now.
		_, _, err = k.flushUsage(context.Background(), nil)
		releaseShared(k.storeID, k.raw)
		k.cks.closeAll()
		if k.ownsStore {
			err = errors.Join(err, k.store.Close())
		}
	})
	return err
}

// AccountID returns the account the handle acts as.
func (k *KMS) AccountID() string { return k.account }

// Region returns the Region the handle acts in.
func (k *KMS) Region() string { return k.region }

// Partition returns the ARN partition of the handle ("aws", "aws-cn" ...).
func (k *KMS) Partition() string { return k.partition }
