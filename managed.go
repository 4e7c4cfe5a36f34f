package kms

import (
	"context"
	"embed"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/arn"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
	"github.com/embedkms/kms/policy"
)

// AWS managed keys.
//
// An alias alias/aws/<service> of one of the services in managedServices
// names the AWS managed key of that service in the account and Region. AWS
// creates the key the first time the alias is used ("AWS services use
// DescribeKey to create AWS managed keys from a predefined AWS alias with no
// key ID": FogSecurity/aws-managed-kms-keys, README; AWS KMS Developer
// Guide, "Listing aliases": ListAliases returns "predefined aliases that AWS
// has created but has not yet associated with a KMS key"), and so does
// embedkms: any operation that resolves the alias (DescribeKey, Encrypt,
// GenerateDataKey ...) creates the key and points the alias at it, once,
// in one backend transaction.
//
// The key is what AWS makes: KeyManager AWS, a symmetric encryption key,
// Enabled, its service's own key policy, automatically rotated every year.
// Its key policy is what refuses every change: it allows the account only
// kms:Describe*, kms:Get*, kms:List* (and, for most services,
// kms:RevokeGrant), and cryptographic operations and CreateGrant only
// through the service (kms:ViaService) for callers of the account
// (kms:CallerAccount). So PutKeyPolicy, ScheduleKeyDeletion,
// DisableKey, EnableKey, UpdateKeyDescription, TagResource, UntagResource,
// and aliases made or moved to the key, are AccessDeniedException, as in
// AWS ("you cannot change any properties of AWS managed keys, rotate them,
// change their key policies, or schedule them for deletion. And, you
// cannot use AWS managed keys in cryptographic operations directly; the
// service that creates them uses them on your behalf": AWS KMS Developer
// Guide, "AWS managed keys"). A caller acting through the service
// (CallerInfo.ViaService "s3.us-east-1.amazonaws.com" for alias/aws/s3)
// may use it.

// ManagedKeyRotationPeriodInDays is the rotation period of AWS managed
// keys: "AWS KMS automatically rotates AWS managed keys every year
// (approximately 365 days)" (AWS KMS Developer Guide, "Rotating AWS KMS
// keys").
const ManagedKeyRotationPeriodInDays = 365

// managedAliasPrefix begins the alias names reserved for AWS managed keys.
const managedAliasPrefix = "alias/aws/"

// managedKeyPolicies holds the key policy of each service's AWS managed
// key, one file per service as managedkeys/<service>.json: the
// GetKeyPolicy output AWS gives in us-east-1, recorded in
// FogSecurity/aws-managed-kms-keys (reference_key_policies/), with the
// account, Region and partition replaced by <ACCOUNT>, <REGION> and
// <PARTITION>.
//
//go:embed managedkeys/*.json
var managedKeyPolicies embed.FS

// managedServices maps each service that has an AWS managed key (the
// services of FogSecurity/aws-managed-kms-keys, which lists every AWS
// managed key of us-east-1; AWS creates no new kinds since 2021: AWS KMS
// Developer Guide, "AWS managed keys") to what its key protects, the
// middle of its description "Default key that protects my ... when no
// other key is defined" (the wording of keys created since 2021; older
// ones read "Default master key that protects my ..."). Found in recorded
// DescribeKey outputs, CLI transcripts and imports of real keys in public
// repositories: EBS volumes, S3 objects, RDS database volumes, Lambda
// functions, SSM parameters, SQS messages, SNS data, Secrets Manager data,
// EFS filesystems, ACM private keys, Backup data, CodeCommit repositories,
// Lightsail signing keys, Glue data, DynamoDB data, DMS replication
// instance volumes, kinesis video data, X-Ray data, Elasticsearch data.
// The others follow the "<Service> data" form, which is assumed.
var managedServices = map[string]string{
	"acm":               "ACM private keys",
	"appflow":           "AppFlow data",
	"backup":            "Backup data",
	"cloud9":            "Cloud9 data",
	"codeartifact":      "CodeArtifact data",
	"codecommit":        "CodeCommit repositories",
	"connect":           "Connect data",
	"dax":               "DAX data",
	"dms":               "DMS replication instance volumes",
	"dynamodb":          "DynamoDB data",
	"ebs":               "EBS volumes",
	"ecr":               "ECR data",
	"eks":               "EKS data",
	"elasticache":       "ElastiCache data",
	"elasticfilesystem": "EFS filesystems",
	"es":                "Elasticsearch data",
	"fsx":               "FSx data",
	"glue":              "Glue data",
	"imagebuilder":      "Image Builder data",
	"kafka":             "Kafka data",
	"kendra":            "Kendra data",
	"kinesis":           "Kinesis data",
	"kinesisvideo":      "kinesis video data",
	"lambda":            "Lambda functions",
	"lex":               "Lex data",
	"lightsail":         "Lightsail signing keys",
	"mq":                "MQ data",
	"rds":               "RDS database volumes",
	"redshift":          "Redshift data",
	"s3":                "S3 objects",
	"secretsmanager":    "Secrets Manager data",
	"ses":               "SES data",
	"sns":               "SNS data",
	"sqs":               "SQS messages",
	"ssm":               "SSM parameters",
	"timestream":        "Timestream data",
	"translate":         "Translate data",
	"workspaces":        "WorkSpaces data",
	"xray":              "X-Ray data",
}

// managedAliasNames is every predefined alias name, sorted.
var managedAliasNames = func() []string {
	names := make([]string, 0, len(managedServices))
	for svc := range managedServices {
		names = append(names, managedAliasPrefix+svc)
	}
	slices.Sort(names)
	return names
}()

// ManagedKeyServices returns the services that have an AWS managed key,
// in name order: "acm", "appflow", ..., "xray". The predefined alias of
// each is "alias/aws/" + service.
func ManagedKeyServices() []string {
	svcs := make([]string, len(managedAliasNames))
	for i, n := range managedAliasNames {
		svcs[i] = n[len(managedAliasPrefix):]
	}
	return svcs
}

// ManagedKeyDescription returns the description of the AWS managed key of
// service (e.g. "s3"), and whether service has one.
func ManagedKeyDescription(service string) (string, bool) {
	what, ok := managedServices[service]
	if !ok {
		return "", false
	}
	return "Default key that protects my " + what + " when no other key is defined", true
}

// managedService returns the service of a predefined alias name
// ("alias/aws/s3" -> "s3"), or false for any other name, an unknown
// service under alias/aws/ included.
func managedService(aliasName string) (string, bool) {
	svc, ok := strings.CutPrefix(aliasName, managedAliasPrefix)
	if !ok {
		return "", false
	}
	_, known := managedServices[svc]
	return svc, known
}

// managedKeyPolicy returns the key policy of the handle's AWS managed key
// of svc.
func (k *KMS) managedKeyPolicy(svc string) (string, error) {
	b, err := managedKeyPolicies.ReadFile("managedkeys/" + svc + ".json")
	if err != nil {
		return "", err
	}
	return strings.NewReplacer("<PARTITION>", k.partition, "<ACCOUNT>", k.account, "<REGION>", k.region).Replace(string(b)), nil
}

// txManagedKey returns, inside tx, the id of the AWS managed key the
// predefined alias of svc points at, creating the key and the alias if
// the alias does not exist yet. Being in one transaction, two first
// references at once (through one handle or several on one backend)
// create one key: the backend serializes them, and the later one finds
// the alias.
func (k *KMS) txManagedKey(tx backend.Txn, svc string) (string, error) {
	name := managedAliasPrefix + svc
	a, err := records.GetAlias(tx, k.account, k.region, name)
	if err == nil {
		return a.TargetKeyID, nil
	}
	if !errors.Is(err, backend.ErrNotFound) {
		return "", err
	}
	pol, err := k.managedKeyPolicy(svc)
	if err != nil {
		return "", err
	}
	desc, _ := ManagedKeyDescription(svc)
	keyID := arn.NewUUID()
	secret := crypto.Random(crypto.AES256KeySize)
	mat, err := k.root.Seal(arn.Key(k.partition, k.region, k.account, keyID), secret)
	clear(secret)
	if err != nil {
		return "", err
	}
	now := k.clock.Now().UTC()
	rec := &records.Key{
		Account:              k.account,
		Region:               k.region,
		KeyID:                keyID,
		CreationDate:         now,
		Description:          desc,
		KeyUsage:             string(KeyUsageTypeEncryptDecrypt),
		KeySpec:              string(KeySpecSymmetricDefault),
		Origin:               string(OriginTypeAwsKms),
		State:                string(KeyStateEnabled),
		Policy:               pol,
		Materials:            []keystore.Material{mat},
		CurrentMaterial:      mat.ID,
		KeyManager:           string(KeyManagerTypeAws),
		RotationPeriodInDays: ManagedKeyRotationPeriodInDays,
		// "New AWS managed keys are automatically rotated one year after
		// they are created" (AWS KMS Developer Guide, "Rotating AWS KMS
		// keys").
		NextRotationDate: now.Add(ManagedKeyRotationPeriodInDays * 24 * time.Hour),
	}
	if err := records.PutKey(tx, rec); err != nil {
		return "", err
	}
	return keyID, records.PutAlias(tx, k.account, k.region, &records.Alias{
		Name: name, TargetKeyID: keyID, CreationDate: now, LastUpdatedDate: now,
	})
}

// managedTarget resolves ref, a predefined alias of the handle's account
// that does not exist yet, by creating its AWS managed key. ok is false
// for any other alias.
func (k *KMS) managedTarget(ctx context.Context, ref keyRef) (target keyRef, ok bool, err error) {
	svc, known := managedService(ref.name)
	if !known || ref.account != k.account || ref.region != k.region {
		return keyRef{}, false, nil
	}
	var id string
	err = k.store.Update(ctx, func(tx backend.Txn) error {
		var err error
		id, err = k.txManagedKey(tx, svc)
		return err
	})
	if err != nil {
		return keyRef{}, true, internal(err)
	}
	target = keyRef{k.account, k.region, id}
	k.shared.invalidate([]keyRef{target}, []keyRef{ref})
	return target, true, nil
}

// refuseManagedAlias refuses UpdateAlias and DeleteAlias on a predefined
// alias: "You cannot manage aliases for AWS managed keys" (AWS KMS
// Developer Guide, "Managing aliases"). The caller is not allowed o on
// the alias, worded as AWS words an AccessDeniedException that no key
// policy allows.
func (k *KMS) refuseManagedAlias(ctx context.Context, name string, o keyOp) error {
	if _, ok := managedService(name); !ok {
		return nil
	}
	c, err := k.callerOf(ctx)
	if err != nil {
		return err
	}
	res := policy.Result{Action: o.action, Decision: policy.ImplicitDeny, Reason: policy.ReasonNoResourcePolicy}
	return newErr(ErrAccessDenied, "%s", res.Message(c.Principal, k.aliasARN(keyRef{k.account, k.region, name})))
}

// keyManager is the KeyManager of a stored key.
func keyManager(rec *records.Key) KeyManagerType {
	if rec.KeyManager == string(KeyManagerTypeAws) {
		return KeyManagerTypeAws
	}
	return KeyManagerTypeCustomer
}
