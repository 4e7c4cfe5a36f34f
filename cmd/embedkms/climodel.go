package main

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/awsapi"
)

// The operation subcommands are derived from the handle itself: every
// operation awsapi serves is a subcommand named as `aws kms` names it, and
// every member of its Go input shape (named as the API model names it) is a
// --kebab-case parameter, as the AWS CLI derives them from the model.

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

// opCommand is one operation subcommand.
type opCommand struct {
	name   string // kebab case: "re-encrypt"
	op     string // the API operation: "ReEncrypt"
	in     reflect.Type
	out    reflect.Type
	params []*param
	pager  *pager // nil: not paginated
}

// param is one input member of an operation, as a command-line parameter.
type param struct {
	member   string // "KeyId"
	flag     string // "key-id"
	typ      reflect.Type
	required bool
}

// pager is how the AWS CLI pages a list operation (botocore's
// paginators-1.json for KMS: every KMS paginator pages with Limit, Marker,
// NextMarker and Truncated; only the result key differs).
type pager struct {
	resultKey string
}

// paginated are the result keys of the operations the AWS CLI paginates.
var paginated = map[string]string{
	"DescribeCustomKeyStores": "CustomKeyStores",
	"ListAliases":             "Aliases",
	"ListGrants":              "Grants",
	"ListKeyPolicies":         "PolicyNames",
	"ListKeyRotations":        "Rotations",
	"ListKeys":                "Keys",
	"ListResourceTags":        "Tags",
	"ListRetirableGrants":     "Grants",
}

// requiredMembers are the members the API model marks required (the
// smithy.api#required trait of each input shape, and of the structures
// inputs nest), by shape name: the AWS CLI refuses a command without them
// before sending it. TestRequiredMembers checks the operations' entries
// against the AWS SDK's own validation of the same model.
var requiredMembers = map[string][]string{
	"CancelKeyDeletionInput":                   {"KeyId"},
	"ConnectCustomKeyStoreInput":               {"CustomKeyStoreId"},
	"CreateAliasInput":                         {"AliasName", "TargetKeyId"},
	"CreateCustomKeyStoreInput":                {"CustomKeyStoreName"},
	"CreateGrantInput":                         {"KeyId", "Operations"},
	"DecapsulateInput":                         {"KeyId", "SharedSecretCiphertextBlob", "EncapsulationAlgorithm"},
	"DeleteAliasInput":                         {"AliasName"},
	"DeleteCustomKeyStoreInput":                {"CustomKeyStoreId"},
	"DeleteImportedKeyMaterialInput":           {"KeyId"},
	"DeriveSharedSecretInput":                  {"KeyId", "KeyAgreementAlgorithm", "PublicKey"},
	"DescribeKeyInput":                         {"KeyId"},
	"DisableKeyInput":                          {"KeyId"},
	"DisableKeyRotationInput":                  {"KeyId"},
	"DisconnectCustomKeyStoreInput":            {"CustomKeyStoreId"},
	"EnableKeyInput":                           {"KeyId"},
	"EnableKeyRotationInput":                   {"KeyId"},
	"EncapsulateInput":                         {"KeyId", "EncapsulationAlgorithm"},
	"EncryptInput":                             {"KeyId", "Plaintext"},
	"GenerateDataKeyInput":                     {"KeyId"},
	"GenerateDataKeyPairInput":                 {"KeyId", "KeyPairSpec"},
	"GenerateDataKeyPairWithoutPlaintextInput": {"KeyId", "KeyPairSpec"},
	"GenerateDataKeyWithoutPlaintextInput":     {"KeyId"},
	"GenerateMacInput":                         {"Message", "KeyId", "MacAlgorithm"},
	"GetKeyLastUsageInput":                     {"KeyId"},
	"GetKeyPolicyInput":                        {"KeyId"},
	"GetKeyRotationStatusInput":                {"KeyId"},
	"GetParametersForImportInput":              {"KeyId", "WrappingAlgorithm", "WrappingKeySpec"},
	"GetPublicKeyInput":                        {"KeyId"},
	"ImportKeyMaterialInput":                   {"KeyId", "ImportToken", "EncryptedKeyMaterial"},
	"ListGrantsInput":                          {"KeyId"},
	"ListKeyPoliciesInput":                     {"KeyId"},
	"ListKeyRotationsInput":                    {"KeyId"},
	"ListResourceTagsInput":                    {"KeyId"},
	"PutKeyPolicyInput":                        {"KeyId", "Policy"},
	"ReEncryptInput":                           {"DestinationKeyId"},
	"ReplicateKeyInput":                        {"KeyId", "ReplicaRegion"},
	"RevokeGrantInput":                         {"KeyId", "GrantId"},
	"RotateKeyOnDemandInput":                   {"KeyId"},
	"ScheduleKeyDeletionInput":                 {"KeyId"},
	"SignInput":                                {"KeyId", "Message", "SigningAlgorithm"},
	"TagResourceInput":                         {"KeyId", "Tags"},
	"UntagResourceInput":                       {"KeyId", "TagKeys"},
	"UpdateAliasInput":                         {"AliasName", "TargetKeyId"},
	"UpdateCustomKeyStoreInput":                {"CustomKeyStoreId"},
	"UpdateKeyDescriptionInput":                {"KeyId", "Description"},
	"UpdatePrimaryRegionInput":                 {"KeyId", "PrimaryRegion"},
	"VerifyInput":                              {"KeyId", "Message", "Signature", "SigningAlgorithm"},
	"VerifyMacInput":                           {"Message", "KeyId", "MacAlgorithm", "Mac"},
	// Nested structures.
	"Tag":                                  {"TagKey", "TagValue"},
	"XksProxyAuthenticationCredentialType": {"AccessKeyId", "RawSecretAccessKey"},
}

// commands are the operation subcommands by name.
var commands = buildCommands()

func buildCommands() map[string]*opCommand {
	kt := reflect.TypeFor[*kms.KMS]()
	cmds := map[string]*opCommand{}
	for _, op := range awsapi.Operations() {
		m, ok := kt.MethodByName(op)
		if !ok {
			panic("embedkms: the handle has no method " + op)
		}
		c := &opCommand{name: kebab(op), op: op, in: m.Type.In(2).Elem(), out: m.Type.Out(0).Elem()}
		req := requiredMembers[c.in.Name()]
		for i := range c.in.NumField() {
			f := c.in.Field(i)
			if !f.IsExported() {
				continue
			}
			c.params = append(c.params, &param{member: f.Name, flag: kebab(f.Name), typ: f.Type, required: slices.Contains(req, f.Name)})
		}
		if rk, ok := paginated[op]; ok {
			c.pager = &pager{resultKey: rk}
		}
		cmds[c.name] = c
	}
	return cmds
}

// commandNames returns the operation subcommands' names, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// param returns the parameter of flag name, or nil.
func (c *opCommand) param(flag string) *param {
	for _, p := range c.params {
		if p.flag == flag {
			return p
		}
	}
	return nil
}

var (
	specialCaseRE = regexp.MustCompile(`[A-Z]{2,}s$`)
	firstCapRE    = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	endCapRE      = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// kebab turns a model name into the AWS CLI's name for it, as botocore's
// xform_name does with "-": "ReEncrypt" -> "re-encrypt",
// "CloudHsmClusterId" -> "cloud-hsm-cluster-id", "GrantARNs" -> "grant-arns".
func kebab(name string) string {
	if m := specialCaseRE.FindString(name); m != "" {
		name = name[:len(name)-len(m)] + "-" + strings.ToLower(m)
	}
	s := firstCapRE.ReplaceAllString(name, "${1}-${2}")
	return strings.ToLower(endCapRE.ReplaceAllString(s, "${1}-${2}"))
}

// kind classifies a member type as the AWS CLI's parameter parsing does.
type kind int

const (
	kindString kind = iota
	kindBlob
	kindInt
	kindBool
	kindTime
	kindStringList // a list of strings (or enums)
	kindMap        // string to string
	kindStruct
	kindStructList
)

func kindOf(t reflect.Type) kind {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return kindTime
	case t == bytesType:
		return kindBlob
	}
	switch t.Kind() {
	case reflect.String:
		return kindString
	case reflect.Bool:
		return kindBool
	case reflect.Int, reflect.Int32, reflect.Int64:
		return kindInt
	case reflect.Map:
		return kindMap
	case reflect.Struct:
		return kindStruct
	case reflect.Slice:
		if kindOf(t.Elem()) == kindStruct {
			return kindStructList
		}
		return kindStringList
	}
	panic("embedkms: no parameter kind for " + t.String())
}
