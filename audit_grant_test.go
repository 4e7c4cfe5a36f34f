package kms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// A CreateGrant event's responseElements are the grant id and the key ARN,
// not the grant token, as AWS logs it: "CloudTrail log entries for this
// operation recorded on or after December 2022 include the key ARN of the
// affected KMS key in the responseElements.keyId value, even though this
// operation does not return the key ARN", and the example's
// responseElements hold grantId and keyId only (AWS KMS Developer Guide,
// "CreateGrant" under "Logging AWS KMS API calls with AWS CloudTrail").
func TestAuditCreateGrantResponseElements(t *testing.T) {
	var log bytes.Buffer
	k, _ := kmstest.NewWithOptions(t, kms.Options{Audit: kms.NewJSONAudit(&log)})
	md := lcCreate(t, k, nil)
	g, err := k.CreateGrant(context.Background(), &kms.CreateGrantInput{KeyId: md.KeyId, GranteePrincipal: "arn:aws:iam::111122223333:role/alice", Operations: []kms.GrantOperation{kms.GrantOperationEncrypt}})
	lcNoErr(t, err)
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	var e struct {
		EventName        string
		ResponseElements map[string]any
	}
	lcNoErr(t, json.Unmarshal([]byte(lines[len(lines)-1]), &e))
	want := map[string]any{"grantId": g.GrantId, "keyId": md.Arn}
	if e.EventName != "CreateGrant" || len(e.ResponseElements) != len(want) || e.ResponseElements["grantId"] != want["grantId"] || e.ResponseElements["keyId"] != want["keyId"] {
		t.Fatalf("%s responseElements %v, want %v", e.EventName, e.ResponseElements, want)
	}
	if strings.Contains(log.String(), g.GrantToken) {
		t.Fatal("the grant token is in the audit log")
	}
}
