package awsapi

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	kms "github.com/embedkms/kms"
)

// TestInternalErrorsStayInside: a KMSInternalException's details (storage
// errors, record keys) never reach the wire, and an error that is not a
// *kms.Error is an internal failure too.
func TestInternalErrorsStayInside(t *testing.T) {
	secret := "records: corrupt record at key/111122223333/us-east-1/x"
	for _, err := range []error{
		&kms.Error{Code: kms.ErrKMSInternal, Message: secret},
		fmt.Errorf("wrapped: %w", &kms.Error{Code: kms.ErrKMSInternal, Message: secret}),
		errors.New(secret),
	} {
		w := toWire(err)
		if w.code != "KMSInternalException" || w.status != http.StatusInternalServerError || w.message != "An internal error occurred." {
			t.Errorf("toWire(%v) = %+v", err, w)
		}
	}
	w := toWire(&kms.Error{Code: kms.ErrNotFound, Message: "Key 'x' does not exist"})
	if w.code != "NotFoundException" || w.status != http.StatusBadRequest || w.message != "Key 'x' does not exist" {
		t.Errorf("NotFoundException on the wire: %+v", w)
	}
}
