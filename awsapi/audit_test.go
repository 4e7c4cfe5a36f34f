package awsapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
	"github.com/embedkms/kms/kmstest"
)

// TestListKeysResourceOwnersOnTheWire: ListKeysRequest's ResourceOwners
// (aws-sdk-go-v2/service/kms v1.63, which the SDK this module uses cannot
// send) is accepted on the wire. SELF lists the account's keys, as an
// omitted member does; OTHER_ACCOUNTS_VIA_RAM alone lists the keys other
// accounts share through AWS RAM: none, an empty list, as AWS answers
// when nothing is shared (API reference, ListKeys); with SELF too, the
// account's keys. Another value is a ValidationException naming the item.
func TestListKeysResourceOwnersOnTheWire(t *testing.T) {
	k, _ := kmstest.New(t)
	h := awsapi.NewHandler(k)
	var ids []string
	for range 3 {
		out, err := k.CreateKey(t.Context(), &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.KeyMetadata.KeyId)
	}
	keysOf := func(body string) int {
		t.Helper()
		res := serveRaw(t, h, rawRequest("ListKeys", body))
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", body, res.status, res.raw)
		}
		keys, ok := res.body["Keys"].([]any)
		if !ok || res.body["Truncated"] != false {
			t.Fatalf("%s: %s", body, res.raw)
		}
		return len(keys)
	}
	for body, want := range map[string]int{
		`{}`:                          3,
		`{"ResourceOwners":["SELF"]}`: 3,
		`{"ResourceOwners":["OTHER_ACCOUNTS_VIA_RAM"]}`:        0,
		`{"ResourceOwners":["OTHER_ACCOUNTS_VIA_RAM","SELF"]}`: 3,
		`{"ResourceOwners":["SELF"],"Limit":2}`:                -1,
	} {
		if want < 0 {
			res := serveRaw(t, h, rawRequest("ListKeys", body))
			if keys, _ := res.body["Keys"].([]any); len(keys) != 2 || res.body["Truncated"] != true {
				t.Errorf("%s: %s", body, res.raw)
			}
			continue
		}
		if got := keysOf(body); got != want {
			t.Errorf("%s: %d keys, want %d", body, got, want)
		}
	}
	res := serveRaw(t, h, rawRequest("ListKeys", `{"ResourceOwners":["SELF","OTHER_ACCOUNTS"]}`))
	want := "1 validation error detected: Value 'OTHER_ACCOUNTS' at 'resourceOwners.2.member' failed to satisfy constraint: Member must satisfy enum value set: [SELF, OTHER_ACCOUNTS_VIA_RAM]"
	if res.status != http.StatusBadRequest || res.body["__type"] != "ValidationException" || res.body["message"] != want {
		t.Errorf("invalid owner: %d %s", res.status, res.raw)
	}
}

// TestAuditRequestIDMatchesResponse: the audit event of a request served
// over the wire carries the x-amzn-RequestId of its response, its caller's
// source address and user agent; a refused request's event has the error.
func TestAuditRequestIDMatchesResponse(t *testing.T) {
	var mu sync.Mutex
	var events []*kms.AuditEvent
	sink := kms.AuditFunc(func(_ context.Context, e *kms.AuditEvent) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	k, _ := kmstest.NewWithOptions(t, kms.Options{Audit: sink})
	h := awsapi.NewHandler(k)
	for _, c := range []struct{ op, body, code string }{
		{"CreateKey", `{"Description":"d"}`, ""},
		{"DescribeKey", `{"KeyId":"alias/missing"}`, "NotFoundException"},
	} {
		r := rawRequest(c.op, c.body)
		r.Header.Set("User-Agent", "audit-test/1.0")
		res := serveRaw(t, h, r)
		mu.Lock()
		e := events[len(events)-1]
		mu.Unlock()
		if e.EventName != c.op || e.RequestID != res.header.Get("x-amzn-RequestId") || e.ErrorCode != c.code {
			b, _ := json.Marshal(e)
			t.Errorf("%s: response id %s, event %s", c.op, res.header.Get("x-amzn-RequestId"), b)
		}
		if e.UserAgent != "audit-test/1.0" || e.SourceIPAddress != "192.0.2.1" {
			t.Errorf("%s: userAgent %q, sourceIPAddress %q", c.op, e.UserAgent, e.SourceIPAddress)
		}
	}
	if len(events) != 2 {
		t.Errorf("%d events for 2 requests", len(events))
	}
}
