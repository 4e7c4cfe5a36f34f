package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	kms "github.com/embedkms/kms"
)

func mustValue(t *testing.T, s string) *value {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTextFormat: --output text follows the AWS CLI's text.py; the
// expected strings are what awscli.text.format_text prints for the same
// documents (AWS CLI 1.45, whose text format version 2 shares).
func TestTextFormat(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{`{"Keys":[{"KeyId":"a","KeyArn":"arn:a"},{"KeyId":"b","KeyArn":"arn:b","Extra":true}],"Truncated":false,"Nested":{"List":["x","y"],"Deep":[["p","q"],["r"]],"Count":3,"Map":{"k":"v"}},"Empty":[]}`,
			"False\nKEYS\t\tarn:a\ta\nKEYS\tTrue\tarn:b\tb\nNESTED\t3\nDEEP\tp\nDEEP\tq\nDEEP\tr\nLIST\tx\nLIST\ty\nMAP\tv\n"},
		{`["a","b"]`, "a\tb\n"},
		{`"scalar"`, "scalar\n"},
	} {
		var b bytes.Buffer
		if err := writeText(&b, mustValue(t, tt.doc)); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("text of %s:\n%q\nwant\n%q", tt.doc, b.String(), tt.want)
		}
	}
}

// TestJSONFormat: --output json is Python's json.dumps(indent=4,
// ensure_ascii=False): four spaces, ", " never at line ends, only '"',
// '\\' and control characters escaped (not <, >, & or non-ASCII), empty
// lists and objects inline, and nothing at all for an empty response.
func TestJSONFormat(t *testing.T) {
	v := mustValue(t, `{"S":"a<b>&c\u00e9\u2028\"\\\n\u0001","N":3,"B":false,"L":[],"O":{},"A":[{"X":null}]}`)
	var b bytes.Buffer
	if err := writeJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	want := "{\n    \"S\": \"a<b>&c\u00e9\u2028\\\"\\\\\\n\\u0001\",\n    \"N\": 3,\n    \"B\": false,\n    \"L\": [],\n    \"O\": {},\n    \"A\": [\n        {\n            \"X\": null\n        }\n    ]\n}\n"
	if b.String() != want {
		t.Errorf("json:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := writeJSON(&b, mustValue(t, `{}`)); err != nil || b.Len() != 0 {
		t.Errorf("an empty response printed %q", b.String())
	}
}

// TestParseResponseShape: a response is printed in the output shape's
// member order whatever order the body has, timestamps become ISO 8601
// in the local zone, blobs stay base64, and map keys are sorted.
func TestParseResponseShape(t *testing.T) {
	saved := time.Local
	defer func() { time.Local = saved }()
	time.Local = time.FixedZone("X", 2*3600)
	body := `{"KeyMetadata":{"KeySpec":"SYMMETRIC_DEFAULT","CreationDate":1764583200.123,"KeyId":"k","DeletionDate":1764583200}}`
	v, err := parseResponse([]byte(body), reflect.TypeFor[kms.DescribeKeyOutput]())
	if err != nil {
		t.Fatal(err)
	}
	md := v.fields["KeyMetadata"]
	if got := strings.Join(md.keys, ","); got != "KeyId,CreationDate,DeletionDate,KeySpec" {
		t.Errorf("member order %s, want the model's", got)
	}
	if got := md.fields["CreationDate"].str; got != "2025-12-01T12:00:00.123000+02:00" {
		t.Errorf("CreationDate printed %q", got)
	}
	if got := md.fields["DeletionDate"].str; got != "2025-12-01T12:00:00+02:00" {
		t.Errorf("a whole-second DeletionDate printed %q (isoformat drops a zero fraction)", got)
	}
	dec, err := parseResponse([]byte(`{"Plaintext":"AAEC","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}`), reflect.TypeFor[kms.DecryptOutput]())
	if err != nil || dec.fields["Plaintext"].str != "AAEC" {
		t.Errorf("a blob printed %+v, %v; want its base64 as sent", dec.fields["Plaintext"], err)
	}
	g, _ := parseResponse([]byte(`{"Grants":[{"Constraints":{"EncryptionContextSubset":{"z":"1","a":"2"}}}]}`), reflect.TypeFor[kms.ListGrantsOutput]())
	if got := g.fields["Grants"].items[0].fields["Constraints"].fields["EncryptionContextSubset"].keys; strings.Join(got, ",") != "a,z" {
		t.Errorf("map keys printed in order %v, want sorted", got)
	}
}

// TestKebab: model names become the AWS CLI's names (botocore's
// xform_name with "-").
func TestKebab(t *testing.T) {
	for in, want := range map[string]string{
		"ReEncrypt":                           "re-encrypt",
		"GenerateDataKeyPairWithoutPlaintext": "generate-data-key-pair-without-plaintext",
		"CloudHsmClusterId":                   "cloud-hsm-cluster-id",
		"BypassPolicyLockoutSafetyCheck":      "bypass-policy-lockout-safety-check",
		"XksProxyUriEndpoint":                 "xks-proxy-uri-endpoint",
		"GrantARNs":                           "grant-arns",
		"KMSKey":                              "kms-key",
	} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%s) = %s, want %s", in, got, want)
		}
	}
	if commands["get-parameters-for-import"] == nil || commands["re-encrypt"].param("destination-encryption-context") == nil {
		t.Error("subcommands or parameters missing")
	}
}

// TestShorthand: the AWS CLI's shorthand syntax.
func TestShorthand(t *testing.T) {
	for in, want := range map[string]string{
		`a=b,c=d`:            `{"a":"b","c":"d"}`,
		`Key=x,Values=a,b,c`: `{"Key":"x","Values":["a","b","c"]}`,
		`EncryptionContextSubset={purpose=golden,team=kms},SourceArn=arn:aws:s3:::b`: `{"EncryptionContextSubset":{"purpose":"golden","team":"kms"},"SourceArn":"arn:aws:s3:::b"}`,
		`a=[x,y],b="q,r"`: `{"a":["x","y"],"b":"q,r"}`,
		` a = b `:         `{"a":"b"}`,
	} {
		got, err := parseShorthand("p", in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		b, _ := json.Marshal(got)
		if string(b) != want {
			t.Errorf("shorthand %s = %s, want %s", in, b, want)
		}
	}
	if got := splitCSV(`Encrypt,Decrypt,"a,b"`); !reflect.DeepEqual(got, []string{"Encrypt", "Decrypt", "a,b"}) {
		t.Errorf("splitCSV = %q", got)
	}
}

// TestBlobParameters: a blob is base64 text, or the raw bytes of a
// fileb:// file (sent base64-encoded on the wire), never the text itself.
func TestBlobParameters(t *testing.T) {
	dir := t.TempDir()
	raw := []byte("raw\x00\xffbytes")
	path := dir + "/f.bin"
	if err := writeFile(path, raw); err != nil {
		t.Fatal(err)
	}
	p := commands["encrypt"].param("plaintext")
	got, err := parseParam(p, []string{"fileb://" + path})
	if err != nil || got != base64.StdEncoding.EncodeToString(raw) {
		t.Errorf("fileb:// = %v, %v; want the file's bytes, base64-encoded", got, err)
	}
	got, err = parseParam(p, []string{"aGVsbG8="})
	if err != nil || got != "aGVsbG8=" {
		t.Errorf("base64 text = %v, %v", got, err)
	}
	if _, err := parseParam(p, []string{"hello world"}); err == nil || !strings.Contains(err.Error(), "Invalid base64") {
		t.Errorf("text that is not base64: %v", err)
	}
	pol := commands["put-key-policy"].param("policy")
	if err := writeFile(dir+"/p.json", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if got, err := parseParam(pol, []string{"file://" + dir + "/p.json"}); err != nil || got != `{"a":1}` {
		t.Errorf("file:// = %v, %v", got, err)
	}
}

// TestPaginationToken: the token is botocore's: base64 of the JSON
// {"Marker": ..., "boto_truncate_amount": n}, and reads back.
func TestPaginationToken(t *testing.T) {
	tok := encodeToken("m1", 2)
	raw, _ := base64.StdEncoding.DecodeString(tok)
	if string(raw) != `{"Marker": "m1", "boto_truncate_amount": 2}` {
		t.Errorf("token %s", raw)
	}
	m, n, err := decodeToken(tok)
	if err != nil || m != "m1" || n != 2 {
		t.Errorf("decodeToken = %v, %d, %v", m, n, err)
	}
	if raw, _ := base64.StdEncoding.DecodeString(encodeToken(nil, 3)); string(raw) != `{"Marker": null, "boto_truncate_amount": 3}` {
		t.Errorf("first-page token %s", raw)
	}
	if _, _, err := decodeToken("zzz"); err == nil {
		t.Error("a bad token was accepted")
	}
}

// TestMergePages: every page's results, in order.
func TestMergePages(t *testing.T) {
	p1 := mustValue(t, `{"Keys":[{"KeyId":"a"},{"KeyId":"b"}]}`)
	p2 := mustValue(t, `{"Keys":[{"KeyId":"c"}]}`)
	var b bytes.Buffer
	writeJSON(&b, mergePages("Keys", []*value{p1, p2}))
	var got struct{ Keys []struct{ KeyId string } }
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || len(got.Keys) != 3 || got.Keys[0].KeyId != "a" || got.Keys[2].KeyId != "c" {
		t.Errorf("merged %s", b.String())
	}
}

// TestReportExitStatus: the AWS CLI's exit statuses and error text.
func TestReportExitStatus(t *testing.T) {
	var b bytes.Buffer
	if code := report(&b, &serviceError{code: "NotFoundException", message: "gone", op: "Decrypt"}); code != 254 ||
		b.String() != "\nAn error occurred (NotFoundException) when calling the Decrypt operation: gone\n" {
		t.Errorf("service error: %d %q", code, b.String())
	}
	b.Reset()
	if code := report(&b, &usageError{msg: "x\n"}); code != 252 || b.String() != "x\n" {
		t.Errorf("usage error: %d %q", code, b.String())
	}
	if code := report(&b, &configError{msg: "bad store"}); code != 253 {
		t.Errorf("config error: %d", code)
	}
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }

// TestParseOpArgs: options and parameters in any order, --name=value,
// --no-flag for a boolean, a list taking every value up to the next
// option, and a required parameter given through --cli-input-json.
func TestParseOpArgs(t *testing.T) {
	c := commands["create-grant"]
	g, values, err := parseOpArgs(c, []string{"--output", "text", "--key-id=k", "--operations", "Encrypt", "Decrypt", "--no-dry-run", "--region", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if g.output != "text" || g.region != "eu-west-1" {
		t.Errorf("options: %+v", g)
	}
	if v := values[c.param("key-id")]; !reflect.DeepEqual(v, []string{"k"}) {
		t.Errorf("--key-id=k gave %q", v)
	}
	if v := values[c.param("operations")]; !reflect.DeepEqual(v, []string{"Encrypt", "Decrypt"}) {
		t.Errorf("--operations gave %q", v)
	}
	if v := values[c.param("dry-run")]; !reflect.DeepEqual(v, []string{"false"}) {
		t.Errorf("--no-dry-run gave %q", v)
	}
	in, err := buildInput(c, g, values)
	if err != nil || in["DryRun"] != false || !reflect.DeepEqual(in["Operations"], []any{"Encrypt", "Decrypt"}) {
		t.Errorf("input %v, %v", in, err)
	}
	if _, _, err := parseOpArgs(commands["describe-key"], []string{"--cli-input-json", `{"KeyId":"k"}`}); err != nil {
		t.Errorf("a required member from --cli-input-json: %v", err)
	}
	g, values, _ = parseOpArgs(commands["describe-key"], []string{"--cli-input-json", `{"KeyId":"k","Bogus":1}`})
	if _, err := buildInput(commands["describe-key"], g, values); err == nil || !strings.Contains(err.Error(), `Unknown parameter in input: "Bogus", must be one of: KeyId, GrantTokens`) {
		t.Errorf("an unknown member in --cli-input-json: %v", err)
	}
}
