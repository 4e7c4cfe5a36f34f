package kms_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// Encrypt a secret under a key named by its alias, bound to an encryption
// context, and decrypt it. Decrypt needs no KeyId: the blob names its key.
func ExampleKMS_Encrypt() {
	ctx := context.Background()
	k, err := kms.New(kms.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()

	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: "app secrets"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/app", TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		log.Fatal(err)
	}

	ec := map[string]string{"app": "billing"}
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/app", Plaintext: []byte("db-password"), EncryptionContext: ec})
	if err != nil {
		log.Fatal(err)
	}
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(dec.Plaintext), dec.KeyId == key.KeyMetadata.Arn)

	// Another encryption context does not decrypt it.
	_, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"app": "other"}})
	fmt.Println(errors.Is(err, kms.ErrInvalidCiphertext))
	// Output:
	// db-password true
	// true
}

// Envelope encryption: GenerateDataKey returns a data key twice, in
// plaintext to encrypt data locally and encrypted under the KMS key to
// store beside the data. Later, Decrypt recovers the data key.
func ExampleKMS_GenerateDataKey() {
	ctx := context.Background()
	k, err := kms.New(kms.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		log.Fatal(err)
	}

	// Encrypt: a fresh data key per object.
	dk, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key.KeyMetadata.KeyId, KeySpec: kms.DataKeySpecAes256})
	if err != nil {
		log.Fatal(err)
	}
	document := []byte("a large document")
	sealed := sealLocally(dk.Plaintext, document)
	stored := struct{ EncryptedKey, Data []byte }{dk.CiphertextBlob, sealed}
	clear(dk.Plaintext) // forget the plaintext key

	// Decrypt: recover the data key, then the data.
	back, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: stored.EncryptedKey})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(openLocally(back.Plaintext, stored.Data)))
	// Output: a large document
}

func sealLocally(key, plaintext []byte) []byte {
	gcm := newGCM(key)
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return gcm.Seal(nonce, nonce, plaintext, nil)
}

func openLocally(key, sealed []byte) []byte {
	gcm := newGCM(key)
	pt, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], nil)
	if err != nil {
		log.Fatal(err)
	}
	return pt
}

func newGCM(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		log.Fatal(err)
	}
	gcm, err := cipher.NewGCM(b)
	if err != nil {
		log.Fatal(err)
	}
	return gcm
}

// Schedule a key's deletion and watch it go: the handle follows its clock,
// and Maintain removes keys past their deletion date from storage (a
// handle on the system clock runs it in the background).
func ExampleKMS_Maintain() {
	ctx := context.Background()
	clock := kmstest.NewClock(kmstest.Start)
	k, err := kms.New(kms.Options{Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()

	key, err := k.CreateKey(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	del, err := k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyMetadata.KeyId, PendingWindowInDays: 7})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deletion date:", del.DeletionDate.Format("2006-01-02"))

	clock.Advance(7 * 24 * time.Hour)
	if err := k.Maintain(ctx); err != nil {
		log.Fatal(err)
	}
	keys, err := k.ListKeys(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("keys left:", len(keys.Keys))
	// Output:
	// deletion date: 2026-01-08
	// keys left: 0
}

// Ask why a call is denied. A key policy allows a role to Encrypt only
// with the encryption context app=billing and denies Bob everything;
// Explain gives the decision, AccessDeniedException's message and the
// statements that decided it.
func ExampleKMS_Explain() {
	ctx := context.Background()
	const role = "arn:aws:iam::111122223333:role/App"
	const bob = "arn:aws:iam::111122223333:user/Bob"
	k, err := kms.New(kms.Options{IdentityPolicies: kms.IdentityPolicies{role: nil, bob: nil}})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()

	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Policy: `{"Version":"2012-10-17","Statement":[
		{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"AppEncrypts","Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":"kms:Encrypt","Resource":"*",
		 "Condition":{"StringEquals":{"kms:EncryptionContext:app":"billing"}}},
		{"Sid":"NotBob","Effect":"Deny","Principal":{"AWS":"` + bob + `"},"Action":"kms:*","Resource":"*"}]}`})
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range []struct {
		caller string
		ec     map[string]string
	}{
		{role, map[string]string{"app": "billing"}},
		{role, map[string]string{"app": "hr"}},
		{bob, nil},
	} {
		ex, err := k.Explain(ctx, &kms.ExplainInput{
			Caller: kms.CallerInfo{Principal: q.caller}, Action: "kms:Encrypt",
			KeyId: key.KeyMetadata.KeyId, EncryptionContext: q.ec,
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(strings.TrimSpace(ex.Decision.String() + " " + strings.ReplaceAll(ex.Message, key.KeyMetadata.Arn, "<key ARN>")))
		for _, s := range ex.Statements {
			fmt.Printf("  %v statement %d %q %s\n", s.Source, s.Statement, s.Sid, s.Effect)
		}
	}
	// Output:
	// Allow
	//   KeyPolicy statement 1 "AppEncrypts" Allow
	// ImplicitDeny User: arn:aws:iam::111122223333:role/App is not authorized to perform: kms:Encrypt on resource: <key ARN> because no identity-based policy allows the kms:Encrypt action
	// ExplicitDeny User: arn:aws:iam::111122223333:user/Bob is not authorized to perform: kms:Encrypt on resource: <key ARN> with an explicit deny in a resource-based policy
	//   KeyPolicy statement 2 "NotBob" Deny
}
