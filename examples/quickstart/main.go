// Command quickstart shows embedkms end to end on the default, in-memory
// configuration: it creates a key and an alias, encrypts and decrypts with
// an encryption context, and generates a data key for envelope encryption.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/embedkms/kms"
)

func main() {
	ctx := context.Background()
	k, err := kms.New(kms.Options{}) // in memory; account 111122223333, us-east-1
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()

	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: "quickstart key"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created key   %s (%s, %s)\n", key.KeyMetadata.Arn, key.KeyMetadata.KeySpec, key.KeyMetadata.KeyState)

	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/quickstart", TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("created alias alias/quickstart")

	ec := map[string]string{"purpose": "quickstart", "tenant": "acme"}
	secret := []byte("the launch code is 0000")
	enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: "alias/quickstart", Plaintext: secret, EncryptionContext: ec})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("encrypted     %d bytes -> %d-byte ciphertext blob\n", len(secret), len(enc.CiphertextBlob))

	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("decrypted     %q (round trip ok: %v)\n", dec.Plaintext, bytes.Equal(dec.Plaintext, secret))

	_, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"tenant": "other"}})
	fmt.Printf("wrong context %v (InvalidCiphertextException: %v)\n", err, errors.Is(err, kms.ErrInvalidCiphertext))

	dk, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: "alias/quickstart", KeySpec: kms.DataKeySpecAes256, EncryptionContext: ec})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("data key      %d-byte plaintext key, %d-byte encrypted copy, material %s\n", len(dk.Plaintext), len(dk.CiphertextBlob), dk.KeyMaterialId[:16]+"...")

	back, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("data key back from its encrypted copy: %v\n", bytes.Equal(back.Plaintext, dk.Plaintext))
}
