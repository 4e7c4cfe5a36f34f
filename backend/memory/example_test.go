package memory_test

import (
	"context"
	"fmt"
	"log"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/memory"
)

func Example() {
	s := memory.New()
	defer s.Close()
	ctx := context.Background()

	// Both writes commit together when the function returns nil.
	err := s.Update(ctx, func(txn backend.Txn) error {
		if err := txn.Set([]byte("greeting/en"), []byte("hello")); err != nil {
			return err
		}
		return txn.Set([]byte("greeting/fr"), []byte("bonjour"))
	})
	if err != nil {
		log.Fatal(err)
	}

	err = s.View(ctx, func(txn backend.Txn) error {
		return txn.Scan([]byte("greeting/"), nil, func(key, value []byte) bool {
			fmt.Printf("%s = %s\n", key, value)
			return true
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// greeting/en = hello
	// greeting/fr = bonjour
}
