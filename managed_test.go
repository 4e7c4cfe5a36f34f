package kms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/backend/memory"
	"github.com/embedkms/kms/kmstest"
)

// The key policy of the AWS managed key for Amazon S3 as GetKeyPolicy
// returns it in us-east-1 (FogSecurity/aws-managed-kms-keys,
// reference_key_policies/s3.json), for account 111122223333.
const mgS3Policy = `{
  "Version" : "2012-10-17",
  "Id" : "auto-s3-2",
  "Statement" : [ {
    "Sid" : "Allow access through S3 for all principals in the account that are authorized to use S3",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "111122223333",
        "kms:ViaService" : "s3.us-east-1.amazonaws.com"
      }
    }
  }, {
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*" ],
    "Resource" : "*"
  } ]
}`

// The same for Amazon EBS (reference_key_policies/ebs.json; also the
// statement quoted in the AWS KMS Developer Guide, "kms:CallerAccount").
const mgEBSPolicy = `{
  "Version" : "2012-10-17",
  "Id" : "auto-ebs-2",
  "Statement" : [ {
    "Sid" : "Allow access through EBS for all principals in the account that are authorized to use EBS",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "111122223333",
        "kms:ViaService" : "ec2.us-east-1.amazonaws.com"
      }
    }
  }, {
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant" ],
    "Resource" : "*"
  } ]
}`

// mgVia is a caller of the account acting through service.
func mgVia(ctx context.Context, service string) context.Context {
	return kms.WithCallerInfo(ctx, kms.CallerInfo{
		Principal:  "arn:aws:iam::111122223333:role/app",
		ViaService: service + ".us-east-1.amazonaws.com",
	})
}

func mgDescribe(t *testing.T, k *kms.KMS, keyID string) *kms.KeyMetadata {
	t.Helper()
	out, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: keyID})
	if err != nil {
		t.Fatalf("DescribeKey(%s): %v", keyID, err)
	}
	return out.KeyMetadata
}

func mgKeyIDs(t *testing.T, k *kms.KMS) []string {
	t.Helper()
	out, err := k.ListKeys(t.Context(), &kms.ListKeysInput{})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	var ids []string
	for _, e := range out.Keys {
		ids = append(ids, e.KeyId)
	}
	return ids
}

// The first reference to alias/aws/s3, by any operation that takes an
// alias, creates the AWS managed key: even one the key policy then
// refuses (a direct Encrypt), as AWS services create the key by
// referencing the alias.
func TestManagedKeyCreatedOnFirstUse(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		use  func(k *kms.KMS) error
		want kms.Code // "" for success
	}{
		{"DescribeKey", func(k *kms.KMS) error {
			_, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/aws/s3"})
			return err
		}, ""},
		{"DescribeKey by alias ARN", func(k *kms.KMS) error {
			_, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "arn:aws:kms:us-east-1:111122223333:alias/aws/s3"})
			return err
		}, ""},
		{"Encrypt through S3", func(k *kms.KMS) error {
			_, err := k.Encrypt(mgVia(ctx, "s3"), &kms.EncryptInput{KeyId: "alias/aws/s3", Plaintext: []byte("x")})
			return err
		}, ""},
		{"GenerateDataKey through S3", func(k *kms.KMS) error {
			_, err := k.GenerateDataKey(mgVia(ctx, "s3"), &kms.GenerateDataKeyInput{KeyId: "alias/aws/s3", KeySpec: kms.DataKeySpecAes256})
			return err
		}, ""},
		{"GenerateDataKeyWithoutPlaintext through S3", func(k *kms.KMS) error {
			_, err := k.GenerateDataKeyWithoutPlaintext(mgVia(ctx, "s3"), &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: "alias/aws/s3", NumberOfBytes: 32})
			return err
		}, ""},
		{"direct Encrypt, refused", func(k *kms.KMS) error {
			_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/aws/s3", Plaintext: []byte("x")})
			return err
		}, kms.ErrAccessDenied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, clock := kmstest.New(t)
			if ids := mgKeyIDs(t, k); len(ids) != 0 {
				t.Fatalf("a new account lists keys %v", ids)
			}
			clock.Advance(time.Hour)
			err := tc.use(k)
			if tc.want == "" && err != nil || tc.want != "" && !errors.Is(err, tc.want) {
				t.Fatalf("first use: %v, want %q", err, tc.want)
			}
			ids := mgKeyIDs(t, k)
			if len(ids) != 1 {
				t.Fatalf("after first use ListKeys = %v, want the managed key", ids)
			}
			md := mgDescribe(t, k, ids[0])
			want := kms.KeyMetadata{
				AWSAccountId:          "111122223333",
				KeyId:                 ids[0],
				Arn:                   "arn:aws:kms:us-east-1:111122223333:key/" + ids[0],
				CreationDate:          kmstest.Start.Add(time.Hour),
				Enabled:               true,
				Description:           "Default key that protects my S3 objects when no other key is defined",
				KeyUsage:              kms.KeyUsageTypeEncryptDecrypt,
				KeyState:              kms.KeyStateEnabled,
				Origin:                kms.OriginTypeAwsKms,
				KeyManager:            kms.KeyManagerTypeAws,
				CustomerMasterKeySpec: kms.CustomerMasterKeySpecSymmetricDefault,
				KeySpec:               kms.KeySpecSymmetricDefault,
				EncryptionAlgorithms:  []kms.EncryptionAlgorithmSpec{kms.EncryptionAlgorithmSpecSymmetricDefault},
				CurrentKeyMaterialId:  md.CurrentKeyMaterialId,
			}
			if md.CurrentKeyMaterialId == "" || !mgEqualMetadata(md, &want) {
				t.Errorf("DescribeKey = %+v\nwant %+v", *md, want)
			}
			a, ok := atAlias(t, k, "alias/aws/s3")
			if !ok || a.TargetKeyId != ids[0] || !a.CreationDate.Equal(want.CreationDate) || !a.LastUpdatedDate.Equal(want.CreationDate) {
				t.Errorf("alias/aws/s3 = %+v, %v; want it on %s, created at %v", a, ok, ids[0], want.CreationDate)
			}
			if got := mgDescribe(t, k, "alias/aws/s3"); got.KeyId != ids[0] {
				t.Errorf("alias/aws/s3 now names %s, want %s", got.KeyId, ids[0])
			}
		})
	}
}

func mgEqualMetadata(a, b *kms.KeyMetadata) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// Every service's managed key: its description, its policy (parsed as
// the key policy, the handle's account, Region and partition in it), and
// only the referenced one created.
func TestManagedKeyOfEveryService(t *testing.T) {
	k, _ := kmstest.NewWithOptions(t, kms.Options{AccountID: "444455556666", Region: "eu-west-3"})
	svcs := kms.ManagedKeyServices()
	if len(svcs) != 39 || !slices.IsSorted(svcs) {
		t.Fatalf("ManagedKeyServices = %v, want the 39 services in name order", svcs)
	}
	for i, svc := range svcs {
		md := mgDescribe(t, k, "alias/aws/"+svc)
		desc, ok := kms.ManagedKeyDescription(svc)
		if !ok || md.Description != desc || !strings.HasPrefix(desc, "Default key that protects my ") || !strings.HasSuffix(desc, " when no other key is defined") {
			t.Errorf("%s: Description %q, ManagedKeyDescription %q, %v", svc, md.Description, desc, ok)
		}
		if md.KeyManager != kms.KeyManagerTypeAws || md.KeyState != kms.KeyStateEnabled {
			t.Errorf("%s: KeyManager %s, KeyState %s", svc, md.KeyManager, md.KeyState)
		}
		pol, err := k.GetKeyPolicy(t.Context(), &kms.GetKeyPolicyInput{KeyId: md.KeyId})
		if err != nil {
			t.Fatalf("%s: GetKeyPolicy: %v", svc, err)
		}
		// Every policy names the account (kms:CallerAccount), all but
		// ACM's its root, all but DynamoDB's (dynamodb.*.amazonaws.com)
		// the Region.
		if !json.Valid([]byte(pol.Policy)) || strings.Contains(pol.Policy, "<") ||
			!strings.Contains(pol.Policy, `"arn:aws:iam::444455556666:root"`) && svc != "acm" ||
			!strings.Contains(pol.Policy, `"444455556666"`) || !strings.Contains(pol.Policy, ".eu-west-3.amazonaws.com") && svc != "dynamodb" {
			t.Errorf("%s: policy\n%s", svc, pol.Policy)
		}
		// Reading it back as the key policy it is: the policy package
		// must parse every condition the services use.
		if _, err := k.PutKeyPolicy(t.Context(), &kms.PutKeyPolicyInput{KeyId: mgCustomerKey(t, k), Policy: pol.Policy, BypassPolicyLockoutSafetyCheck: true}); err != nil {
			t.Errorf("%s: the policy does not parse as a key policy: %v", svc, err)
		}
		if n := len(mgManagedIDs(t, k)); n != i+1 {
			t.Fatalf("after %d services, %d managed keys", i+1, n)
		}
	}
	if ok := func() bool { _, ok := kms.ManagedKeyDescription("nosuchservice"); return ok }(); ok {
		t.Error("ManagedKeyDescription(nosuchservice) is ok")
	}
}

func mgCustomerKey(t *testing.T, k *kms.KMS) string {
	t.Helper()
	out, err := k.CreateKey(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata.KeyId
}

// mgManagedIDs returns the ids of the AWS managed keys of k.
func mgManagedIDs(t *testing.T, k *kms.KMS) []string {
	t.Helper()
	var ids []string
	for _, id := range mgKeyIDs(t, k) {
		if mgDescribe(t, k, id).KeyManager == kms.KeyManagerTypeAws {
			ids = append(ids, id)
		}
	}
	return ids
}

// GetKeyPolicy returns the service's own policy, byte for byte as AWS
// does (ListKeyPolicies: "default").
func TestManagedKeyPolicy(t *testing.T) {
	k, _ := kmstest.New(t)
	for alias, want := range map[string]string{"alias/aws/s3": mgS3Policy, "alias/aws/ebs": mgEBSPolicy} {
		id := mgDescribe(t, k, alias).KeyId
		out, err := k.GetKeyPolicy(t.Context(), &kms.GetKeyPolicyInput{KeyId: id})
		if err != nil {
			t.Fatalf("GetKeyPolicy(%s): %v", alias, err)
		}
		if out.Policy != want || out.PolicyName != "default" {
			t.Errorf("GetKeyPolicy(%s) = %q\n%s\nwant\n%s", alias, out.PolicyName, out.Policy, want)
		}
	}
	// The partition and Region of the handle.
	cn, _ := kmstest.NewWithOptions(t, kms.Options{Partition: "aws-cn", Region: "cn-north-1"})
	out, err := cn.GetKeyPolicy(t.Context(), &kms.GetKeyPolicyInput{KeyId: mgDescribe(t, cn, "alias/aws/s3").KeyId})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer("arn:aws:", "arn:aws-cn:", "us-east-1", "cn-north-1").Replace(mgS3Policy)
	if out.Policy != want {
		t.Errorf("aws-cn policy\n%s\nwant\n%s", out.Policy, want)
	}
}

// Referencing the alias again, through the same or another handle on the
// same backend, finds the same key; another Region has its own.
func TestManagedKeyIdempotent(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	root := make([]byte, 32)
	h1, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root})
	h2, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root})
	west, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root, Region: "us-west-2"})
	first := mgDescribe(t, h1, "alias/aws/ebs")
	for i, h := range []*kms.KMS{h1, h2, h1} {
		if got := mgDescribe(t, h, "alias/aws/ebs"); got.KeyId != first.KeyId || !got.CreationDate.Equal(first.CreationDate) {
			t.Fatalf("reference %d: %s created %v, want %s created %v", i+2, got.KeyId, got.CreationDate, first.KeyId, first.CreationDate)
		}
	}
	if ids := mgKeyIDs(t, h2); !slices.Equal(ids, []string{first.KeyId}) {
		t.Errorf("ListKeys = %v, want only %s", ids, first.KeyId)
	}
	w := mgDescribe(t, west, "alias/aws/ebs")
	if w.KeyId == first.KeyId || !strings.HasPrefix(w.Arn, "arn:aws:kms:us-west-2:") {
		t.Errorf("us-west-2's alias/aws/ebs = %s, want its own key", w.Arn)
	}
}

// Two first references at once, through two handles on one backend,
// create one key: every caller sees it, and ListKeys lists one.
func TestManagedKeyConcurrentFirstUse(t *testing.T) {
	store := memory.New()
	t.Cleanup(func() { store.Close() })
	root := make([]byte, 32)
	hs := []*kms.KMS{}
	for range 2 {
		h, _ := kmstest.NewWithOptions(t, kms.Options{Backend: store, RootKey: root})
		hs = append(hs, h)
	}
	const n = 16
	ids := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			h := hs[i%2]
			var out *kms.DescribeKeyOutput
			out, errs[i] = h.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: "alias/aws/s3"})
			if errs[i] == nil {
				ids[i] = out.KeyMetadata.KeyId
			}
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("caller %d got key %s, caller 0 %s", i, ids[i], ids[0])
		}
	}
	for _, h := range hs {
		if got := mgKeyIDs(t, h); !slices.Equal(got, []string{ids[0]}) {
			t.Errorf("ListKeys = %v, want only %s", got, ids[0])
		}
	}
}

// A name under alias/aws/ that is no AWS service's is an alias like any
// other that does not exist: NotFoundException, and no key is created.
func TestManagedUnknownService(t *testing.T) {
	k, _ := kmstest.New(t)
	for _, name := range []string{"alias/aws/nosuchservice", "alias/aws/S3", "alias/aws/", "alias/aws/s3/x"} {
		_, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: name})
		atWantErr(t, err, kms.ErrNotFound, "Alias arn:aws:kms:us-east-1:111122223333:"+name+" is not found.")
	}
	// Another account's predefined alias is not created through this one.
	_, err := k.DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: "arn:aws:kms:us-east-1:444455556666:alias/aws/s3"})
	atWantErr(t, err, kms.ErrNotFound, "Alias arn:aws:kms:us-east-1:444455556666:alias/aws/s3 is not found.")
	if ids := mgKeyIDs(t, k); len(ids) != 0 {
		t.Errorf("ListKeys = %v, want none", ids)
	}
}

// ListAliases lists every predefined alias, without TargetKeyId or dates
// before its key exists, and once, with its key, after; across pages too.
func TestManagedAliasesListed(t *testing.T) {
	k, clock := kmstest.New(t)
	pre := atPredefinedAliases()
	list := func(limit int32, keyID string) []kms.AliasListEntry {
		t.Helper()
		var all []kms.AliasListEntry
		for marker := ""; ; {
			out, err := k.ListAliases(t.Context(), &kms.ListAliasesInput{Limit: limit, Marker: marker, KeyId: keyID})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, out.Aliases...)
			if marker = out.NextMarker; marker == "" {
				return all
			}
			// Listing that never ends (a page that starts over) fails
			// here, not at the test binary's timeout.
			if len(all) > 10*len(pre)+100 {
				t.Fatalf("ListAliases (Limit %d) returned %d aliases and goes on", limit, len(all))
			}
		}
	}
	before := list(0, "")
	if got := atAliasNames(before); !slices.Equal(got, pre) {
		t.Fatalf("before any use ListAliases = %v, want %v", got, pre)
	}
	for _, a := range before {
		if a.TargetKeyId != "" || !a.CreationDate.IsZero() || !a.LastUpdatedDate.IsZero() || a.AliasArn != "arn:aws:kms:us-east-1:111122223333:"+a.AliasName {
			t.Errorf("before any use: %+v", a)
		}
	}
	clock.Advance(time.Minute)
	s3 := mgDescribe(t, k, "alias/aws/s3").KeyId
	customer := mgCustomerKey(t, k)
	kmstest.Alias(t, k, "alias/app", customer)
	kmstest.Alias(t, k, "alias/zzz", customer)
	want := append(append([]string{"alias/app"}, pre...), "alias/zzz")
	for _, limit := range []int32{1, 7, 38, 39, 40, 100} {
		got := list(limit, "")
		if names := atAliasNames(got); !slices.Equal(names, want) {
			t.Fatalf("Limit %d: %v\nwant %v", limit, names, want)
		}
		for _, a := range got {
			created := a.AliasName == "alias/aws/s3" || !strings.HasPrefix(a.AliasName, "alias/aws/")
			if created != (a.TargetKeyId != "") || created != !a.CreationDate.IsZero() {
				t.Errorf("Limit %d: %+v", limit, a)
			}
			if a.AliasName == "alias/aws/s3" && (a.TargetKeyId != s3 || !a.CreationDate.Equal(kmstest.Start.Add(time.Minute))) {
				t.Errorf("alias/aws/s3 = %+v, want on %s", a, s3)
			}
		}
	}
	if got := atAliasNames(list(0, s3)); !slices.Equal(got, []string{"alias/aws/s3"}) {
		t.Errorf("ListAliases of the managed key = %v", got)
	}
	if got := atAliasNames(list(0, customer)); !slices.Equal(got, []string{"alias/app", "alias/zzz"}) {
		t.Errorf("ListAliases of a customer key = %v", got)
	}
}

// mgDenied is the AccessDeniedException AWS sends when no key policy
// statement allows the account root the action on the resource.
func mgDenied(action, resource string) string {
	return fmt.Sprintf("User: arn:aws:iam::111122223333:root is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action", action, resource, action)
}

// Changes to an AWS managed key are refused: its key policy allows the
// account only to read it ("You cannot change any properties of AWS
// managed keys, rotate them, change their key policies, or schedule them
// for deletion": AWS KMS Developer Guide, "AWS managed keys"; "You cannot
// enable or disable AWS managed keys": "Enabling and disabling keys";
// "You cannot tag AWS managed keys": "Managing tags"; "You don't have
// permission to associate an alias with an AWS managed key": API
// reference, UpdateAlias; "You cannot manage aliases for AWS managed
// keys": "Managing aliases"), and it is not used directly.
func TestManagedKeyRefusals(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	md := mgDescribe(t, k, "alias/aws/ebs")
	id, keyARN := md.KeyId, md.Arn
	customer := mgCustomerKey(t, k)
	kmstest.Alias(t, k, "alias/app", customer)
	aliasARN := "arn:aws:kms:us-east-1:111122223333:alias/aws/ebs"

	tests := []struct {
		name string
		call func() error
		code kms.Code
		msg  string
	}{
		{"PutKeyPolicy", func() error {
			_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: mgEBSPolicy})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:PutKeyPolicy", keyARN)},
		{"PutKeyPolicy bypassing the lockout check", func() error {
			_, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: mgEBSPolicy, BypassPolicyLockoutSafetyCheck: true})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:PutKeyPolicy", keyARN)},
		{"ScheduleKeyDeletion", func() error {
			_, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: 7})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:ScheduleKeyDeletion", keyARN)},
		{"CancelKeyDeletion", func() error {
			_, err := k.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:CancelKeyDeletion", keyARN)},
		{"DisableKey", func() error {
			_, err := k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:DisableKey", keyARN)},
		{"EnableKey", func() error {
			_, err := k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: keyARN})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:EnableKey", keyARN)},
		{"UpdateKeyDescription", func() error {
			_, err := k.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: "mine"})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:UpdateKeyDescription", keyARN)},
		{"TagResource", func() error {
			_, err := k.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []kms.Tag{{TagKey: "k", TagValue: "v"}}})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:TagResource", keyARN)},
		{"UntagResource", func() error {
			_, err := k.UntagResource(ctx, &kms.UntagResourceInput{KeyId: id, TagKeys: []string{"k"}})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:UntagResource", keyARN)},
		{"CreateAlias for the key", func() error {
			_, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/mine", TargetKeyId: id})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:CreateAlias", keyARN)},
		{"UpdateAlias to the key", func() error {
			_, err := k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/app", TargetKeyId: id})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:UpdateAlias", keyARN)},
		{"UpdateAlias of the predefined alias", func() error {
			_, err := k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/aws/ebs", TargetKeyId: customer})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:UpdateAlias", aliasARN)},
		{"UpdateAlias of a predefined alias not used yet", func() error {
			_, err := k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: "alias/aws/rds", TargetKeyId: customer})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:UpdateAlias", "arn:aws:kms:us-east-1:111122223333:alias/aws/rds")},
		{"DeleteAlias of the predefined alias", func() error {
			_, err := k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: "alias/aws/ebs"})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:DeleteAlias", aliasARN)},
		{"DeleteAlias of a predefined alias not used yet", func() error {
			_, err := k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: "alias/aws/rds"})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:DeleteAlias", "arn:aws:kms:us-east-1:111122223333:alias/aws/rds")},
		// API reference, CreateAlias: "The alias name cannot begin with
		// alias/aws/. The alias/aws/ prefix is reserved for Amazon Web
		// Services managed keys."
		{"CreateAlias of a predefined name", func() error {
			_, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/aws/rds", TargetKeyId: customer})
			return err
		}, kms.ErrInvalidAliasName, "Alias names that begin with alias/aws/ are reserved for AWS managed keys"},
		// "you cannot use AWS managed keys in cryptographic operations
		// directly" (AWS KMS Developer Guide, "AWS managed keys").
		{"direct Encrypt", func() error {
			_, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/aws/ebs", Plaintext: []byte("x")})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:Encrypt", keyARN)},
		{"direct GenerateDataKey", func() error {
			_, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, NumberOfBytes: 32})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:GenerateDataKey", keyARN)},
		{"direct CreateGrant", func() error {
			_, err := k.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: "arn:aws:iam::111122223333:role/app", Operations: []kms.GrantOperation{kms.GrantOperationDecrypt}})
			return err
		}, kms.ErrAccessDenied, mgDenied("kms:CreateGrant", keyARN)},
		{"Encrypt through another service", func() error {
			_, err := k.Encrypt(mgVia(ctx, "s3"), &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
			return err
		}, kms.ErrAccessDenied, "User: arn:aws:iam::111122223333:role/app is not authorized to perform: kms:Encrypt on resource: " + keyARN + " because no resource-based policy allows the kms:Encrypt action"},
		{"Encrypt through EBS from another account", func() error {
			c := kms.WithCallerInfo(ctx, kms.CallerInfo{Principal: "arn:aws:iam::444455556666:root", ViaService: "ec2.us-east-1.amazonaws.com"})
			_, err := k.Encrypt(c, &kms.EncryptInput{KeyId: keyARN, Plaintext: []byte("x")})
			return err
		}, kms.ErrAccessDenied, "User: arn:aws:iam::444455556666:root is not authorized to perform: kms:Encrypt on resource: " + keyARN + " because no resource-based policy allows the kms:Encrypt action"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			atWantErr(t, tc.call(), tc.code, tc.msg)
		})
	}
	// Nothing changed.
	after := mgDescribe(t, k, id)
	if !mgEqualMetadata(after, md) {
		t.Errorf("after refusals DescribeKey = %+v\nwant %+v", *after, *md)
	}
	if pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id}); err != nil || pol.Policy != mgEBSPolicy {
		t.Errorf("after refusals the policy is %v, %v", pol, err)
	}
	if a, ok := atAlias(t, k, "alias/aws/ebs"); !ok || a.TargetKeyId != id {
		t.Errorf("alias/aws/ebs = %+v, %v", a, ok)
	}
	if a, ok := atAlias(t, k, "alias/app"); !ok || a.TargetKeyId != customer {
		t.Errorf("alias/app = %+v, %v", a, ok)
	}
	if _, ok := atAlias(t, k, "alias/mine"); ok {
		t.Error("alias/mine was created")
	}
	if _, ok := atAlias(t, k, "alias/aws/rds"); ok {
		t.Error("alias/aws/rds got a key")
	}
	tags, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id})
	if err != nil || len(tags.Tags) != 0 {
		t.Errorf("ListResourceTags = %v, %v", tags, err)
	}
}

// What the key policy allows: the account reads the key directly, and
// callers of the account use it through the service, grants included
// (the EBS key's policy allows kms:CreateGrant through EC2, and the
// account kms:RevokeGrant).
func TestManagedKeyAllowed(t *testing.T) {
	k, _ := kmstest.New(t)
	ctx := t.Context()
	id := mgDescribe(t, k, "alias/aws/ebs").KeyId
	via := mgVia(ctx, "ec2")
	ec := map[string]string{"aws:ebs:id": "vol-1"}
	enc, err := k.Encrypt(via, &kms.EncryptInput{KeyId: "alias/aws/ebs", Plaintext: []byte("block"), EncryptionContext: ec})
	if err != nil {
		t.Fatalf("Encrypt through EC2: %v", err)
	}
	dec, err := k.Decrypt(via, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	if err != nil || string(dec.Plaintext) != "block" {
		t.Fatalf("Decrypt through EC2: %v, %v", dec, err)
	}
	if _, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}); err == nil {
		t.Error("direct Decrypt allowed")
	}
	if _, err := k.GenerateDataKey(via, &kms.GenerateDataKeyInput{KeyId: id, KeySpec: kms.DataKeySpecAes128}); err != nil {
		t.Errorf("GenerateDataKey through EC2: %v", err)
	}
	g, err := k.CreateGrant(via, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: "arn:aws:iam::111122223333:role/app", Operations: []kms.GrantOperation{kms.GrantOperationDecrypt}})
	if err != nil {
		t.Fatalf("CreateGrant through EC2: %v", err)
	}
	for _, read := range []func() error{
		func() error {
			_, err := k.ListGrants(ctx, &kms.ListGrantsInput{KeyId: id})
			return err
		},
		func() error { _, err := k.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id}); return err },
		func() error { _, err := k.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: id}); return err },
		func() error {
			_, err := k.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: id, GrantId: g.GrantId})
			return err
		},
	} {
		if err := read(); err != nil {
			t.Errorf("the account reading the key: %v", err)
		}
	}
}

// kms:KeyManager is AWS for an AWS managed key, CUSTOMER for others (AWS
// KMS Developer Guide, "Condition keys for AWS KMS", kms:KeyManager): an
// IAM policy allowing DescribeKey only on AWS managed keys lets its
// principal describe those and no other.
func TestManagedKeyManagerCondition(t *testing.T) {
	const alice = "arn:aws:iam::111122223333:user/alice"
	k, _ := kmstest.NewWithOptions(t, kms.Options{IdentityPolicies: kms.IdentityPolicies{alice: {`{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*",
    "Condition": {"StringEquals": {"kms:KeyManager": "AWS"}}}]
}`}}})
	ctx := kms.WithCaller(t.Context(), alice)
	customer := mgCustomerKey(t, k)
	if _, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: "alias/aws/sqs"}); err != nil {
		t.Errorf("DescribeKey of the AWS managed key: %v", err)
	}
	_, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: customer})
	atWantErr(t, err, kms.ErrAccessDenied, "User: "+alice+" is not authorized to perform: kms:DescribeKey on resource: "+atKeyARN(customer)+" because no identity-based policy allows the kms:DescribeKey action")
}

// TestManagedKeysOutsideTheKeyQuota: "AWS managed keys ... do not count
// against this quota" (AWS KMS Developer Guide, "Resource quotas").
func TestManagedKeysOutsideTheKeyQuota(t *testing.T) {
	k, _ := kmstest.NewWithOptions(t, kms.Options{MaxKeys: 1})
	mgDescribe(t, k, "alias/aws/s3")
	customer := mgCustomerKey(t, k)
	mgDescribe(t, k, "alias/aws/ebs")
	if _, err := k.CreateKey(t.Context(), nil); !errors.Is(err, kms.ErrLimitExceeded) {
		t.Errorf("second customer key: %v, want LimitExceededException", err)
	}
	if ids := mgKeyIDs(t, k); len(ids) != 3 || !slices.Contains(ids, customer) {
		t.Errorf("ListKeys = %v, want the customer key and two AWS managed keys", ids)
	}
}
