package awsapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	kms "github.com/embedkms/kms"
)

// fuzzOps are the operations whose input decoding FuzzHandlerDecode
// attacks: every kind of member (strings, blobs, integers, booleans, maps,
// lists of structures, nested structures).
var fuzzOps = []string{
	"Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateRandom",
	"CreateKey", "DescribeKey", "UpdateKeyDescription", "ListKeys",
	"CreateAlias", "ListAliases", "TagResource", "UntagResource",
	"ListResourceTags", "ScheduleKeyDeletion",
}

// FuzzHandlerDecode feeds arbitrary bodies to several operations. The
// placeholders $KEY, $ARN and $CT in a body become a real key id, its ARN
// and a ciphertext under it (context {"a":"b"}), so inputs reach the
// operations and not only the decoder. Whatever the body, the handler does
// not panic, answers valid JSON, and an error carries a __type and
// status 400 (a client error); no body causes an internal error.
func FuzzHandlerDecode(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `{}}`, `{"Limit":0}`, `{"Limit":"1"}`,
		`{"KeyId":"$KEY","Plaintext":"aGk=","EncryptionContext":{"a":"b"},"DryRun":false}`,
		`{"KeyId":"$ARN","Plaintext":"!!","GrantTokens":["t"]}`,
		`{"CiphertextBlob":"$CT","EncryptionContext":{"a":"b"},"DryRunModifiers":["IGNORE_CIPHERTEXT"]}`,
		`{"CiphertextBlob":"$CT","SourceEncryptionContext":{"a":"b"},"DestinationKeyId":"$KEY"}`,
		`{"KeyId":"$KEY","KeySpec":"AES_128","NumberOfBytes":64}`,
		`{"NumberOfBytes":32,"Recipient":{"KeyEncryptionAlgorithm":"RSAES_OAEP_SHA_256","AttestationDocument":"AAAA"}}`,
		`{"Description":"d","KeyUsage":"ENCRYPT_DECRYPT","KeySpec":"SYMMETRIC_DEFAULT","Tags":[{"TagKey":"a","TagValue":"b"}],"MultiRegion":false}`,
		`{"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}","BypassPolicyLockoutSafetyCheck":true}`,
		`{"AliasName":"alias/x","TargetKeyId":"$KEY"}`,
		`{"KeyId":"$KEY","Tags":[{"TagKey":"k","TagValue":"v"},null],"TagKeys":["k"]}`,
		`{"KeyId":"$KEY","Limit":2147483647,"Marker":"m"}`,
		`{"KeyId":"$KEY","PendingWindowInDays":7}`,
		`{"Limit":1e3,"Marker":null,"Unknown":{"x":[1,"2",{}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		k := newHandle(t)
		ctx := context.Background()
		ck, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		enc, err := k.Encrypt(ctx, &kms.EncryptInput{KeyId: ck.KeyMetadata.KeyId, Plaintext: []byte("p"), EncryptionContext: map[string]string{"a": "b"}})
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.ReplaceAll(body, []byte("$KEY"), []byte(ck.KeyMetadata.KeyId))
		body = bytes.ReplaceAll(body, []byte("$ARN"), []byte(ck.KeyMetadata.Arn))
		body = bytes.ReplaceAll(body, []byte("$CT"), []byte(base64.StdEncoding.EncodeToString(enc.CiphertextBlob)))

		h := NewHandler(k)
		for _, op := range fuzzOps {
			r := httptest.NewRequest(http.MethodPost, "https://kms.us-east-1.amazonaws.com/", bytes.NewReader(body))
			r.Header.Set("X-Amz-Target", targetPrefix+op)
			r.Header.Set("Content-Type", jsonType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			checkFuzzResponse(t, op, body, rec)
		}
	})
}

func checkFuzzResponse(t *testing.T, op string, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Header().Get("x-amzn-RequestId") == "" || rec.Header().Get("Content-Type") != jsonType {
		t.Fatalf("%s %q: headers %v", op, body, rec.Header())
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out == nil {
		t.Fatalf("%s %q: response %q is not a JSON object: %v", op, body, rec.Body, err)
	}
	if rec.Code == http.StatusOK {
		return
	}
	code, _ := out["__type"].(string)
	if code == "" || rec.Code != http.StatusBadRequest {
		t.Fatalf("%s %q: %d %s, want a client error: 400 with a __type", op, body, rec.Code, rec.Body)
	}
	if code == "KMSInternalException" {
		t.Fatalf("%s %q: internal error %s", op, body, rec.Body)
	}
}
