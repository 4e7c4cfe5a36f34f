package tinkkms_test

import (
	"context"
	"fmt"
	"log"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/tinkkms"
	"github.com/tink-crypto/tink-go/v2/aead"
)

// Tink's envelope encryption with a key encryption key held by embedkms:
// each message gets a fresh AES-256-GCM data key, wrapped by the KMS key,
// so messages of any size can be encrypted.
func Example() {
	ctx := context.Background()
	k, err := kms.New(kms.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: "Tink KEK"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: "alias/tink", TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		log.Fatal(err)
	}

	kek, err := tinkkms.New(k).GetAEAD("embedkms://alias/tink")
	if err != nil {
		log.Fatal(err)
	}
	envelope := aead.NewKMSEnvelopeAEAD2(aead.AES256GCMKeyTemplate(), kek)

	ct, err := envelope.Encrypt([]byte("a large document"), []byte("doc-42"))
	if err != nil {
		log.Fatal(err)
	}
	pt, err := envelope.Decrypt(ct, []byte("doc-42"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(pt))
	_, err = envelope.Decrypt(ct, []byte("doc-43"))
	fmt.Println(err != nil)
	// Output:
	// a large document
	// true
}
