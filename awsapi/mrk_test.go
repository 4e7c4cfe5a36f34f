package awsapi_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
)

func testReplicateKey(t *testing.T) {
	e := newEnv(t)
	west := e.region("eu-west-1")
	md := e.key(&kms.CreateKeyInput{MultiRegion: true})
	// Between the two calls the replica is deleted again (its waiting
	// period passed), so the direct call replicates as the SDK's did.
	undo := func() {
		e.must(west.ScheduleKeyDeletion(e.ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: 7}))
		e.clock.Advance(7 * 24 * time.Hour)
		if err := west.Maintain(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	in := &awskms.ReplicateKeyInput{
		KeyId:                          aws.String(md.Arn),
		ReplicaRegion:                  aws.String("eu-west-1"),
		Policy:                         aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`),
		BypassPolicyLockoutSafetyCheck: true,
		Description:                    aws.String("replica"),
		Tags:                           sdkTags("team", "crypto"),
	}
	out, _, err := call(e, e.c.ReplicateKey, e.k.ReplicateKey, in, opt{undo: undo, ignore: []string{"ReplicaKeyMetadata.CreationDate"}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.ReplicaKeyMetadata
	if r.KeyState != types.KeyStateCreating || r.Enabled || aws.ToString(r.Arn) != "arn:aws:kms:eu-west-1:111122223333:key/"+md.KeyId ||
		r.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypeReplica || aws.ToString(r.MultiRegionConfiguration.PrimaryKey.Region) != "us-east-1" ||
		len(r.MultiRegionConfiguration.ReplicaKeys) != 1 || aws.ToString(r.MultiRegionConfiguration.ReplicaKeys[0].Region) != "eu-west-1" {
		t.Errorf("ReplicaKeyMetadata %+v", r)
	}
	if aws.ToString(out.ReplicaPolicy) != aws.ToString(in.Policy) || len(out.ReplicaTags) != 1 {
		t.Errorf("ReplicaPolicy %q ReplicaTags %v", aws.ToString(out.ReplicaPolicy), out.ReplicaTags)
	}
	_, _, err = call(e, e.c.ReplicateKey, e.k.ReplicateKey, &awskms.ReplicateKeyInput{KeyId: aws.String(md.KeyId), ReplicaRegion: aws.String("eu-west-1")})
	wantCode(t, err, "AlreadyExistsException")
	e.allMembersSent()
}

func testUpdatePrimaryRegion(t *testing.T) {
	e := newEnv(t)
	west := e.region("eu-west-1")
	md := e.key(&kms.CreateKeyInput{MultiRegion: true})
	e.must(e.k.ReplicateKey(e.ctx, &kms.ReplicateKeyInput{KeyId: md.KeyId, ReplicaRegion: "eu-west-1"}))
	undo := func() {
		e.must(west.UpdatePrimaryRegion(e.ctx, &kms.UpdatePrimaryRegionInput{KeyId: md.KeyId, PrimaryRegion: "us-east-1"}))
	}
	in := &awskms.UpdatePrimaryRegionInput{KeyId: aws.String(md.KeyId), PrimaryRegion: aws.String("eu-west-1")}
	if _, _, err := call(e, e.c.UpdatePrimaryRegion, e.k.UpdatePrimaryRegion, in, opt{undo: undo}); err != nil {
		t.Fatal(err)
	}
	if c := e.describe(md.KeyId).MultiRegionConfiguration; c.MultiRegionKeyType != kms.MultiRegionKeyTypeReplica || c.PrimaryKey.Region != "eu-west-1" {
		t.Errorf("after UpdatePrimaryRegion: %+v", c)
	}
	_, _, err := call(e, e.c.UpdatePrimaryRegion, e.k.UpdatePrimaryRegion, in)
	wantCode(t, err, "UnsupportedOperationException")
	e.allMembersSent()
}

// Two Regions served by one handler over awsapi.NewHandles (one backend):
// a multi-Region key made in us-east-1 and replicated to eu-west-1 through
// the SDK encrypts in one Region and decrypts in the other.
func TestMultiRegionKeyAcrossRegions(t *testing.T) {
	hs := awsapi.NewHandles(kms.Options{})
	defer hs.Close()
	east, err := hs.Handle(kms.DefaultAccountID, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	h := awsapi.NewHandler(east, awsapi.WithHandles(hs))
	ctx := context.Background()
	client := func(region string) *awskms.Client { return sdkClient(h, region, sigAliceKey, sigAliceSecret) }

	created, err := client("us-east-1").CreateKey(ctx, &awskms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.KeyMetadata.KeyId)
	rep, err := client("us-east-1").ReplicateKey(ctx, &awskms.ReplicateKeyInput{KeyId: aws.String(id), ReplicaRegion: aws.String("eu-west-1")})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ReplicaKeyMetadata.KeyState != types.KeyStateCreating {
		t.Errorf("replica state %s", rep.ReplicaKeyMetadata.KeyState)
	}
	d, err := client("eu-west-1").DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if d.KeyMetadata.KeyState != types.KeyStateEnabled || d.KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypeReplica {
		t.Errorf("replica %+v", d.KeyMetadata)
	}
	ec := map[string]string{"k": "v"}
	enc, err := client("eu-west-1").Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("from eu-west-1"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := client("us-east-1").Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if string(dec.Plaintext) != "from eu-west-1" || aws.ToString(dec.KeyId) != aws.ToString(created.KeyMetadata.Arn) {
		t.Errorf("Decrypt in us-east-1: %q by %s", dec.Plaintext, aws.ToString(dec.KeyId))
	}
	enc, err = client("us-east-1").Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("from us-east-1")})
	if err != nil {
		t.Fatal(err)
	}
	dec, err = client("eu-west-1").Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "from us-east-1" {
		t.Fatalf("Decrypt in eu-west-1: %v", err)
	}
	// A Region with no copy cannot.
	_, err = client("us-west-2").Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantCode(t, err, "InvalidCiphertextException")
}

// A multi-Region key of imported key material through the SDK, in two
// Regions served by one handler: the replica is PendingImport until the
// same material is imported into it, then ciphertexts cross Regions; new
// material imported into the primary only is listed
// PENDING_MULTI_REGION_IMPORT_AND_ROTATION, and RotateKeyOnDemand refuses
// until the replica has it too, then rotates both copies.
func TestMultiRegionImportedKeyAcrossRegions(t *testing.T) {
	hs := awsapi.NewHandles(kms.Options{})
	defer hs.Close()
	east, err := hs.Handle(kms.DefaultAccountID, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	h := awsapi.NewHandler(east, awsapi.WithHandles(hs))
	ctx := context.Background()
	client := func(region string) *awskms.Client { return sdkClient(h, region, sigAliceKey, sigAliceSecret) }
	importInto := func(region, id string, material []byte, typ types.ImportType) (*awskms.ImportKeyMaterialOutput, error) {
		t.Helper()
		p, err := client(region).GetParametersForImport(ctx, &awskms.GetParametersForImportInput{KeyId: aws.String(id), WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
		if err != nil {
			t.Fatal(err)
		}
		pub, err := x509.ParsePKIXPublicKey(p.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
		if err != nil {
			t.Fatal(err)
		}
		return client(region).ImportKeyMaterial(ctx, &awskms.ImportKeyMaterialInput{KeyId: aws.String(id), ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire, ImportType: typ})
	}
	state := func(region, id string) types.KeyState {
		t.Helper()
		d, err := client(region).DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return d.KeyMetadata.KeyState
	}
	pendingState := func(region, id string) types.KeyMaterialState {
		t.Helper()
		l, err := client(region).ListKeyRotations(ctx, &awskms.ListKeyRotationsInput{KeyId: aws.String(id), IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range l.Rotations {
			if r.KeyMaterialState != types.KeyMaterialStateCurrent && r.KeyMaterialState != types.KeyMaterialStateNonCurrent {
				return r.KeyMaterialState
			}
		}
		return ""
	}

	created, err := client("us-east-1").CreateKey(ctx, &awskms.CreateKeyInput{MultiRegion: aws.Bool(true), Origin: types.OriginTypeExternal})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.KeyMetadata.KeyId)
	m1, m2 := make([]byte, 32), make([]byte, 32)
	rand.Read(m1)
	rand.Read(m2)
	first, err := importInto("us-east-1", id, m1, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client("us-east-1").ReplicateKey(ctx, &awskms.ReplicateKeyInput{KeyId: aws.String(id), ReplicaRegion: aws.String("eu-west-1")}); err != nil {
		t.Fatal(err)
	}
	if st := state("eu-west-1", id); st != types.KeyStatePendingImport {
		t.Fatalf("replica %s, want PendingImport", st)
	}
	_, err = importInto("eu-west-1", id, m2, "")
	wantCode(t, err, "IncorrectKeyMaterialException")
	got, err := importInto("eu-west-1", id, m1, "")
	if err != nil || aws.ToString(got.KeyMaterialId) != aws.ToString(first.KeyMaterialId) {
		t.Fatalf("import into the replica: %v", err)
	}
	enc, err := client("us-east-1").Encrypt(ctx, &awskms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("from us-east-1")})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := client("eu-west-1").Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "from us-east-1" || aws.ToString(dec.KeyMaterialId) != aws.ToString(first.KeyMaterialId) {
		t.Fatalf("Decrypt in eu-west-1: %v", err)
	}

	second, err := importInto("us-east-1", id, m2, types.ImportTypeNewKeyMaterial)
	if err != nil {
		t.Fatal(err)
	}
	if st := pendingState("us-east-1", id); st != types.KeyMaterialStatePendingMultiRegionImportAndRotation {
		t.Fatalf("new material in the primary only: %s", st)
	}
	_, err = client("us-east-1").RotateKeyOnDemand(ctx, &awskms.RotateKeyOnDemandInput{KeyId: aws.String(id)})
	wantCode(t, err, "KMSInvalidStateException")
	if _, err := importInto("eu-west-1", id, m2, types.ImportTypeExistingKeyMaterial); err != nil {
		t.Fatal(err)
	}
	if st := pendingState("eu-west-1", id); st != types.KeyMaterialStatePendingRotation {
		t.Fatalf("new material in both: %s", st)
	}
	if _, err := client("us-east-1").RotateKeyOnDemand(ctx, &awskms.RotateKeyOnDemandInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	d, err := client("eu-west-1").DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil || aws.ToString(d.KeyMetadata.CurrentKeyMaterialId) != aws.ToString(second.KeyMaterialId) {
		t.Fatalf("replica after the rotation: %v", err)
	}
}
