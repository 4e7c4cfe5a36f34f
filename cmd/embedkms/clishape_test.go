package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

// jsonShape describes a JSON value's shape: member names, nesting and
// types, not values.
func jsonShape(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = jsonShape(e)
		}
		return out
	case []any:
		if len(v) == 0 {
			return []any{}
		}
		return []any{jsonShape(v[0])}
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// sameShape reports where the shape of ours differs from the shape of
// the AWS example doc: every member the example shows must be in ours,
// with the same type, recursively, except the members of maps (keys are
// data) and members listed in absent (which this run's key does not
// have, with the reason).
func sameShape(path string, doc, ours any, isMap bool, absent map[string]string) []string {
	switch d := doc.(type) {
	case map[string]any:
		o, ok := ours.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: the example has an object, ours %v", path, ours)}
		}
		if isMap {
			return nil
		}
		var diffs []string
		for k, dv := range d {
			p := strings.TrimPrefix(path+"."+k, ".")
			ov, ok := o[k]
			if !ok {
				if _, skip := absent[p]; !skip {
					diffs = append(diffs, p+": in the AWS example, not in ours")
				}
				continue
			}
			diffs = append(diffs, sameShape(p, dv, ov, mapMembers[k], absent)...)
		}
		return diffs
	case []any:
		o, ok := ours.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: the example has a list, ours %v", path, ours)}
		}
		if len(d) == 0 || len(o) == 0 {
			return nil
		}
		return sameShape(path+"[]", d[0], o[0], false, absent)
	}
	if _, skip := absent[path]; !skip && !reflect.DeepEqual(doc, ours) {
		return []string{fmt.Sprintf("%s: the example has a %v, ours a %v", path, doc, ours)}
	}
	return nil
}

// mapMembers are members whose value is a map (its keys are data).
var mapMembers = map[string]bool{"EncryptionContextSubset": true, "EncryptionContextEquals": true}

// truncatedReason: the AWS CLI pages list commands and prints the merged
// result without Truncated (botocore's build_full_result keeps only the
// result key; the installed AWS CLI prints list-keys that way); some
// examples show a single raw response.
const truncatedReason = "the AWS CLI's paginated output has no Truncated; the example shows a raw page"

// absentFromGolden are members the AWS CLI's examples show that the golden
// run's keys do not have, and why.
var absentFromGolden = map[string]map[string]string{
	"create-key": {
		"KeyMetadata.SigningAlgorithms":        "the golden create-key is a symmetric key; examples show other specs too",
		"KeyMetadata.MacAlgorithms":            "an HMAC key example",
		"KeyMetadata.KeyAgreementAlgorithms":   "an ECDH key example",
		"KeyMetadata.MultiRegionConfiguration": "a multi-Region key example",
		"KeyMetadata.CustomKeyStoreId":         "a custom key store key example",
		"KeyMetadata.CloudHsmClusterId":        "a CloudHSM key store key example",
		"KeyMetadata.XksKeyConfiguration":      "an external key store key example",
		"KeyMetadata.ExpirationModel":          "an imported key material example",
	},
	"describe-key": {
		"KeyMetadata.SigningAlgorithms":           "an asymmetric key example",
		"KeyMetadata.MultiRegionConfiguration":    "a multi-Region key example",
		"KeyMetadata.PendingDeletionWindowInDays": "a key pending deletion example",
		"KeyMetadata.DeletionDate":                "a key pending deletion example",
		"KeyMetadata.MacAlgorithms":               "an HMAC key example",
	},
	"describe-custom-key-stores": {
		"CustomKeyStores[].CloudHsmClusterId":                            "a CloudHSM key store example",
		"CustomKeyStores[].TrustAnchorCertificate":                       "a CloudHSM key store example",
		"CustomKeyStores[].ConnectionErrorCode":                          "a failed connection example",
		"CustomKeyStores[].XksProxyConfiguration.VpcEndpointServiceName": "a VPC endpoint service store example",
	},
	"list-grants": {
		"Grants[].Constraints": "the golden key's grant was retired before",
	},
	"get-parameters-for-import": {
		"ParametersValidTo": "the example shows epoch seconds (AWS CLI v1's default timestamp format); AWS CLI v2 prints ISO 8601 strings, as the golden does",
	},
	"get-public-key": {
		"EncryptionAlgorithms": "an RSA encryption key example; the golden key signs",
	},
	"list-resource-tags":    {"Truncated": truncatedReason},
	"list-retirable-grants": {"Truncated": truncatedReason},
	"list-key-rotations": {
		"Truncated":                          truncatedReason,
		"Rotations[].ExpirationModel":        "an imported key material example",
		"Rotations[].ValidTo":                "an imported key material example",
		"Rotations[].ImportState":            "an imported key material example",
		"Rotations[].KeyMaterialDescription": "an imported key material example",
	},
}

// TestCLIShapesMatchAWSExamples compares the JSON each golden step prints
// with the example output the AWS CLI documents for the same command
// (testdata/cli/aws-examples, each naming its source): the member names,
// their nesting and JSON types must agree. Commands whose documentation
// shows no JSON output (it pipes --query ... --output text, or the command
// prints nothing) are compared with the real AWS CLI instead
// (TestCLIMatchesAWSCLI).
func TestCLIShapesMatchAWSExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cli", "aws-examples", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no AWS examples: %v", err)
	}
	for _, f := range files {
		cmd := strings.TrimSuffix(filepath.Base(f), ".json")
		if commands[cmd] == nil {
			t.Errorf("%s: no subcommand %s", f, cmd)
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ex struct {
			Source  string
			Outputs []map[string]any
		}
		if err := json.Unmarshal(raw, &ex); err != nil || !strings.Contains(ex.Source, "aws kms "+cmd) {
			t.Fatalf("%s: %v (source %q)", f, err, ex.Source)
		}
		golden, err := os.ReadFile(filepath.Join("testdata", "cli", "golden", cmd+".txt"))
		if err != nil {
			t.Errorf("%s: no golden output: %v", cmd, err)
			continue
		}
		_, out, _ := strings.Cut(string(golden), "--- stdout\n")
		out, _, _ = strings.Cut(out, "--- stderr\n")
		var ours map[string]any
		if err := json.Unmarshal([]byte(out), &ours); err != nil {
			t.Errorf("%s: golden output is not JSON: %v", cmd, err)
			continue
		}
		// The union of the examples' shapes: each example shows some
		// members; together they show the command's output.
		for i, doc := range ex.Outputs {
			for _, d := range sameShape("", jsonShape(doc), jsonShape(ours), false, absentFromGolden[cmd]) {
				t.Errorf("%s (example %d of %s): %s", cmd, i+1, ex.Source, d)
			}
		}
	}
}

// TestRequiredMembers checks the required members of every operation
// against the AWS SDK's validation of the same API model: an empty input
// must be refused for exactly those members.
func TestRequiredMembers(t *testing.T) {
	client := awskms.New(awskms.Options{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}})
	cv := reflect.ValueOf(client)
	for _, name := range commandNames() {
		c := commands[name]
		m := cv.MethodByName(c.op)
		if !m.IsValid() {
			t.Errorf("the SDK has no %s", c.op)
			continue
		}
		in := reflect.New(m.Type().In(1).Elem())
		res := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
		err, _ := res[1].Interface().(error)
		var sdkMissing []string
		var ip smithy.InvalidParamsError
		if errors.As(err, &ip) {
			for _, line := range strings.Split(ip.Error(), "\n") {
				if _, f, ok := strings.Cut(line, "missing required field, "); ok {
					sdkMissing = append(sdkMissing, strings.TrimSuffix(strings.TrimPrefix(f, c.op+"Input."), "."))
				}
			}
		}
		var ours []string
		for _, p := range c.params {
			if p.required {
				ours = append(ours, p.member)
			}
		}
		sort.Strings(sdkMissing)
		sort.Strings(ours)
		if !slices.Equal(ours, sdkMissing) {
			t.Errorf("%s: required %v, the SDK requires %v", name, ours, sdkMissing)
		}
	}
}

// TestMinConstraintsNameMembers: every entry of minConstraints names a
// member of an input shape or a structure one nests, so none is dead.
func TestMinConstraintsNameMembers(t *testing.T) {
	shapes := map[string]reflect.Type{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == timeType || shapes[t.Name()] != nil {
			return
		}
		shapes[t.Name()] = t
		for i := range t.NumField() {
			walk(t.Field(i).Type)
		}
	}
	for _, c := range commands {
		walk(c.in)
	}
	for key := range minConstraints {
		shape, field, _ := strings.Cut(key, ".")
		st, ok := shapes[shape]
		if !ok {
			t.Errorf("%s: no input shape %s", key, shape)
			continue
		}
		if _, ok := st.FieldByName(field); !ok {
			t.Errorf("%s: %s has no member %s", key, shape, field)
		}
	}
}
