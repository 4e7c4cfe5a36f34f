package kms

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/records"
	"github.com/embedkms/kms/keystore"
)

// Imported key material.
//
// A key created with Origin EXTERNAL has no key material: it is
// PendingImport until ImportKeyMaterial gives it some.
// GetParametersForImport makes a fresh wrapping key pair and returns its
// public key with an import token; ImportKeyMaterial unwraps the material
// with the private key the token carries.
//
// The import token is the wrapping private key, the wrapping algorithm and
// the token's expiry, sealed (AES-256-GCM) under the root key with the key
// ARN as associated data: it cannot be forged or altered without the root
// key, it names the one key it was issued for, and no record stores the
// wrapping key. (A root-key rewrap ends the validity of earlier tokens, as
// of grant tokens.)
//
// Every material imported gets a KeyMaterialId computed "based on the KMS
// key ID and the imported key material" (ImportKeyMaterial, KeyMaterialId,
// in the API reference): an HMAC-SHA256 of the material under a random
// identity key of the key's own, kept wrapped under the root key in the key
// record. So re-importing the same material gives the same id, and the key
// remembers which material it had after the material itself is deleted,
// without keeping it in any form.
//
// Materials expire when their ValidTo passes on the handle's clock: the
// first time the key is used or looked at afterwards, or on a maintenance
// pass (Maintain), whichever comes first.

var (
	opGetParametersForImport    = op("GetParametersForImport", false, false)
	opImportKeyMaterial         = op("ImportKeyMaterial", false, false)
	opDeleteImportedKeyMaterial = op("DeleteImportedKeyMaterial", false, false)
)

// Limits of imported key material.
const (
	// ImportParametersValidity is how long a wrapping public key and its
	// import token are valid: "Each public key and import token set is
	// valid for 24 hours" (GetParametersForImport in the API reference).
	ImportParametersValidity = 24 * time.Hour
	// MaxImportValidity is the latest ValidTo of imported material, from
	// the request's time: "The maximum value is 365 days from the request
	// date" (ImportKeyMaterial, ValidTo, in the API reference).
	MaxImportValidity = 365 * day
)

// Import states of a material (ImportState).
const (
	importedState      = string(ImportStateImported)
	pendingImportState = string(ImportStatePendingImport)
)

// importIdentityID is the material id under which a key's identity key is
// wrapped (records.Key.ImportIdentity).
const importIdentityID = "import-identity"

var (
	materialDescriptionRE = newModelPattern(`^[a-zA-Z0-9:/_\s.-]+$`)
	backingKeyIDRE        = newModelPattern(`^[a-f0-9]+$`)
)

// externalSpecOK reports whether AWS lets a key of spec have imported key
// material: symmetric encryption, HMAC, RSA, ECC, SM2 and ML-DSA keys
// ("You can import key material for a symmetric encryption KMS key, HMAC
// KMS key, asymmetric encryption KMS key, or asymmetric signing KMS key",
// GetParametersForImport in the API reference; ML-DSA keys take imported
// material as a 32-byte seed, AWS KMS Developer Guide, "Requirements for
// imported key material"). ML-KEM keys do not.
func externalSpecOK(spec KeySpec) bool {
	switch spec {
	case KeySpecMlKem512, KeySpecMlKem768, KeySpecMlKem1024:
		return false
	}
	return true
}

// errOrigin is AWS's refusal of an operation for a key of the wrong
// origin: "<key ARN> origin is AWS_KMS which is not valid for this
// operation." (LocalStack's test_kms.snapshot.json, recorded from AWS:
// test_get_parameters_for_import_raises_for_non_external_kms_keys).
func errOrigin(keyARN, origin string) error {
	return newErr(ErrUnsupportedOperation, "%s origin is %s which is not valid for this operation.", keyARN, origin)
}

// newImportIdentity returns a fresh identity key for the key keyARN,
// wrapped under the root key.
func (k *KMS) newImportIdentity(keyARN string) (*keystore.Material, error) {
	secret := crypto.Random(32)
	w, err := k.root.Wrap(secret, keystore.MaterialOwner(keyARN, importIdentityID))
	clear(secret)
	if err != nil {
		return nil, err
	}
	return &keystore.Material{ID: importIdentityID, Wrapped: w}, nil
}

// errNoIdentity is the internal error of a key record of Origin EXTERNAL
// without its identity key.
func errNoIdentity(rec *records.Key) error {
	return errors.New("key record " + rec.KeyID + " of origin EXTERNAL has no import identity")
}

// importedMaterialID returns the KeyMaterialId of material (in its
// internal form) imported into rec: HMAC-SHA256 under rec's identity key.
func (k *KMS) importedMaterialID(rec *records.Key, material []byte) (string, error) {
	if rec.ImportIdentity == nil {
		return "", errNoIdentity(rec)
	}
	id, err := k.root.Open(k.recARN(rec), *rec.ImportIdentity)
	if err != nil {
		return "", err
	}
	defer clear(id)
	m := hmac.New(sha256.New, id)
	m.Write([]byte("embedkms/imported-material-id/v1\x00"))
	m.Write(material)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// Import tokens.
const importTokenVersion = 1

func importTokenOwner(keyARN string) string {
	return "embedkms/import-token/v1\x00" + keyARN
}

// importParams is what an import token carries.
type importParams struct {
	validTo   time.Time
	algorithm AlgorithmSpec
	private   []byte // the wrapping private key, PKCS #8 DER
}

// sealImportToken returns the import token of p for the key keyARN.
func (k *KMS) sealImportToken(keyARN string, p importParams) ([]byte, error) {
	b := binary.BigEndian.AppendUint64(nil, uint64(p.validTo.UnixNano()))
	b = append(b, byte(len(p.algorithm)))
	b = append(b, p.algorithm...)
	b = append(b, p.private...)
	defer clear(b)
	w, err := k.root.Wrap(b, importTokenOwner(keyARN))
	if err != nil {
		return nil, err
	}
	return append([]byte{importTokenVersion}, w...), nil
}

// openImportToken returns the parameters of an import token issued for
// the key keyARN: InvalidImportTokenException for anything else (a token
// of another key, altered, forged, or not a token), and
// ExpiredImportTokenException once its 24 hours have passed at now.
func (k *KMS) openImportToken(keyARN string, token []byte, now time.Time) (importParams, error) {
	invalidToken := newErr(ErrInvalidImportToken, "Import token is invalid or is associated with a different KMS key.")
	if len(token) < 1 || token[0] != importTokenVersion {
		return importParams{}, invalidToken
	}
	b, err := k.root.Unwrap(token[1:], importTokenOwner(keyARN))
	if err != nil || len(b) < 9 || len(b) < 9+int(b[8]) {
		return importParams{}, invalidToken
	}
	n := int(b[8])
	p := importParams{
		validTo:   time.Unix(0, int64(binary.BigEndian.Uint64(b))),
		algorithm: AlgorithmSpec(b[9 : 9+n]),
		private:   b[9+n:],
	}
	if !now.Before(p.validTo) {
		clear(b)
		return importParams{}, newErr(ErrExpiredImportToken, "Import token is expired. Use GetParametersForImport to get a new import token and public key, use the new public key to encrypt the key material, and then try the request again.")
	}
	return p, nil
}

// checkWrapping applies AWS's rules on which wrapping algorithm and
// wrapping key spec may import material of spec (GetParametersForImport,
// WrappingAlgorithm and WrappingKeySpec, in the API reference): an RSA
// private key needs an RSA_AES algorithm; RSAES_OAEP_* with an RSA_2048
// wrapping key cannot wrap an ECC_NIST_P521 key; RSAES_PKCS1_V1_5 is no
// longer offered ("As of October 10, 2023, KMS does not support the
// RSAES_PKCS1_V1_5 wrapping algorithm"); the SM2 wrapping key spec and
// SM2PKE are for China Regions only and go together.
func (k *KMS) checkWrapping(spec KeySpec, alg AlgorithmSpec, wspec WrappingKeySpec) error {
	sm2 := wspec == WrappingKeySpecSm2
	switch {
	case alg == AlgorithmSpecRsaesPkcs1V15:
		return newErr(ErrUnsupportedOperation, "The RSAES_PKCS1_V1_5 wrapping algorithm is not supported. Use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.")
	case (sm2 || alg == AlgorithmSpecSm2pke) && !k.isChinaPartition():
		return invalid("WrappingKeySpec SM2 and WrappingAlgorithm SM2PKE are supported only in China Regions")
	case sm2 != (alg == AlgorithmSpecSm2pke):
		return invalid("WrappingAlgorithm %s is not compatible with WrappingKeySpec %s", alg, wspec)
	}
	oaep := alg == AlgorithmSpecRsaesOaepSha1 || alg == AlgorithmSpecRsaesOaepSha256 || alg == AlgorithmSpecSm2pke
	switch {
	case oaep && (spec == KeySpecRsa2048 || spec == KeySpecRsa3072 || spec == KeySpecRsa4096):
		return invalid("WrappingAlgorithm %s cannot wrap %s key material: an RSA private key must be wrapped with RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256", alg, spec)
	case oaep && wspec == WrappingKeySpecRsa2048 && spec == KeySpecEccNistP521:
		return invalid("WrappingAlgorithm %s with WrappingKeySpec RSA_2048 cannot wrap ECC_NIST_P521 key material: use an RSA_AES wrapping algorithm or a longer wrapping key", alg)
	}
	return nil
}

// GetParametersForImport returns a wrapping public key (DER
// SubjectPublicKeyInfo) of WrappingKeySpec and an import token, valid
// ImportParametersValidity on the handle's clock, with which
// ImportKeyMaterial imports key material, wrapped with WrappingAlgorithm,
// into the key KeyId names (a key id or key ARN of a key of Origin
// EXTERNAL).
func (k *KMS) GetParametersForImport(ctx context.Context, in *GetParametersForImportInput) (result *GetParametersForImportOutput, opErr error) {
	defer finish(k.audit(&ctx, "GetParametersForImport", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &GetParametersForImportInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if v.required("wrappingAlgorithm", string(in.WrappingAlgorithm)) {
		enum(&v, "wrappingAlgorithm", in.WrappingAlgorithm, AlgorithmSpec("").Values())
	}
	if v.required("wrappingKeySpec", string(in.WrappingKeySpec)) {
		enum(&v, "wrappingKeySpec", in.WrappingKeySpec, WrappingKeySpec("").Values())
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	ck, err := k.entry(ctx, in.KeyId, opGetParametersForImport)
	if err != nil {
		return nil, err
	}
	x := authzExtra{wrappingAlgorithm: in.WrappingAlgorithm, wrappingKeySpec: in.WrappingKeySpec}
	if err := k.authorize(ctx, opGetParametersForImport, x, onKey(ck.rec, ck.arn)); err != nil {
		return nil, err
	}
	if err := opGetParametersForImport.checkOrigin(ck.rec, ck.arn); err != nil {
		return nil, err
	}
	if err := opGetParametersForImport.checkState(KeyState(ck.rec.State), ck.arn); err != nil {
		return nil, err
	}
	if err := k.checkWrapping(KeySpec(ck.rec.KeySpec), in.WrappingAlgorithm, in.WrappingKeySpec); err != nil {
		return nil, err
	}
	priv, pub, err := crypto.GenerateWrappingKey(string(in.WrappingKeySpec))
	if err != nil {
		return nil, internal(err)
	}
	defer clear(priv)
	validTo := k.clock.Now().UTC().Add(ImportParametersValidity)
	token, err := k.sealImportToken(ck.arn, importParams{validTo: validTo, algorithm: in.WrappingAlgorithm, private: priv})
	if err != nil {
		return nil, internal(err)
	}
	return &GetParametersForImportOutput{KeyId: ck.arn, ImportToken: token, PublicKey: pub, ParametersValidTo: validTo}, nil
}

// ImportKeyMaterial imports key material, wrapped under the public key of
// a GetParametersForImport response for the same key and sent with its
// import token, into a key of Origin EXTERNAL.
//
// The first import gives the key its material and makes it Enabled.
// After that, ImportType EXISTING_KEY_MATERIAL (the default then)
// re-imports material the key had (to restore it after it was deleted or
// expired, or to change its expiration): other material is
// IncorrectKeyMaterialException. A symmetric encryption key also takes
// new material (ImportType NEW_KEY_MATERIAL), which waits in state
// PENDING_ROTATION until RotateKeyOnDemand makes it current.
//
// ExpirationModel (default KEY_MATERIAL_EXPIRES) KEY_MATERIAL_EXPIRES
// needs ValidTo, later than now and at most MaxImportValidity from now;
// KEY_MATERIAL_DOES_NOT_EXPIRE forbids it. On any error nothing changes.
func (k *KMS) ImportKeyMaterial(ctx context.Context, in *ImportKeyMaterialInput) (result *ImportKeyMaterialOutput, opErr error) {
	defer finish(k.audit(&ctx, "ImportKeyMaterial", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &ImportKeyMaterialInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	v.blob("importToken", in.ImportToken, 1, MaxCiphertextSize, true, false)
	v.blob("encryptedKeyMaterial", in.EncryptedKeyMaterial, 1, MaxCiphertextSize, true, false)
	enum(&v, "expirationModel", in.ExpirationModel, ExpirationModelType("").Values())
	enum(&v, "importType", in.ImportType, ImportType("").Values())
	if in.KeyMaterialDescription != "" {
		v.length("keyMaterialDescription", in.KeyMaterialDescription, 0, 256)
		v.pattern("keyMaterialDescription", in.KeyMaterialDescription, materialDescriptionRE)
	}
	if in.KeyMaterialId != "" {
		v.length("keyMaterialId", in.KeyMaterialId, 64, 64)
		v.pattern("keyMaterialId", in.KeyMaterialId, backingKeyIDRE)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	model := in.ExpirationModel
	if model == "" {
		model = ExpirationModelTypeKeyMaterialExpires // the default (ImportKeyMaterial, ExpirationModel)
	}
	now := k.clock.Now()
	switch {
	case model == ExpirationModelTypeKeyMaterialExpires && in.ValidTo.IsZero():
		// As recorded from AWS in LocalStack's test_kms.snapshot.json
		// (test_import_key_symmetric).
		return nil, invalid("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	case model == ExpirationModelTypeKeyMaterialDoesNotExpire && !in.ValidTo.IsZero():
		return nil, invalid("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
	case !in.ValidTo.IsZero() && !in.ValidTo.After(now):
		return nil, invalid("The validTo date must be in the future")
	case in.ValidTo.After(now.Add(MaxImportValidity)):
		return nil, invalid("The validTo date must be at most 365 days from now")
	case in.ImportType == ImportTypeNewKeyMaterial && in.KeyMaterialId != "":
		return nil, invalid("KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL")
	}
	x := authzExtra{expirationModel: model, validTo: in.ValidTo}
	var materialID string
	rec, err := k.updateKeyTx(ctx, in.KeyId, opImportKeyMaterial, x, func(tx backend.Txn, rec *records.Key, now time.Time) error {
		keyARN := k.recARN(rec)
		if OriginType(rec.Origin) != OriginTypeExternal {
			return errOrigin(keyARN, rec.Origin)
		}
		symmetric := KeySpec(rec.KeySpec) == KeySpecSymmetricDefault
		if !symmetric && (in.KeyMaterialId != "" || in.KeyMaterialDescription != "") {
			return invalid("KeyMaterialId and KeyMaterialDescription can be specified only for symmetric encryption keys")
		}
		p, err := k.openImportToken(keyARN, in.ImportToken, now)
		if err != nil {
			return err
		}
		defer clear(p.private)
		raw, err := crypto.UnwrapKeyMaterial(string(p.algorithm), p.private, in.EncryptedKeyMaterial)
		if err != nil {
			// "KMS could not decrypt the encrypted (wrapped) key
			// material" (InvalidCiphertextException in the model).
			return errInvalidCiphertext()
		}
		defer clear(raw)
		secret, err := crypto.ImportedKeyMaterial(rec.KeySpec, raw)
		if err != nil {
			return newErr(ErrIncorrectKeyMaterial, "The key material is not valid for a key of key spec %s.", rec.KeySpec)
		}
		defer clear(secret)
		id, err := k.importedMaterialID(rec, secret)
		if err != nil {
			return err
		}
		materialID = id
		known := slices.ContainsFunc(rec.Imports, func(im records.Import) bool { return im.MaterialID == id })
		if err := k.importRecord(rec, id, secret, in, model, now); err != nil {
			return err
		}
		if !known && isPrimary(rec) {
			// Material new to a multi-Region key: every replica must
			// have it too (mrkimport.go).
			return k.shareImport(tx, rec, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ImportKeyMaterialOutput{KeyId: k.recARN(rec), KeyMaterialId: materialID}, nil
}

// importRecord records in rec the import of secret, whose material id is
// id, as in asks.
func (k *KMS) importRecord(rec *records.Key, id string, secret []byte, in *ImportKeyMaterialInput, model ExpirationModelType, now time.Time) error {
	keyARN := k.recARN(rec)
	known := -1
	for i, im := range rec.Imports {
		if subtle.ConstantTimeCompare([]byte(im.MaterialID), []byte(id)) == 1 {
			known = i
		}
	}
	typ := in.ImportType
	if rec.IsReplica() {
		// A replica takes only the material of its primary key, imported
		// there first (mrkimport.go), under either ImportType: it is new
		// to the replica, not to the multi-Region key.
		if known < 0 {
			// Wording ours: ImportKeyMaterial in the API reference ("You
			// cannot directly import new key material into the replica
			// Region keys").
			return newErr(ErrIncorrectKeyMaterial, "The key material is not key material of the primary key of %s: import new key material into the primary key, then the same key material into each replica key.", keyARN)
		}
		typ = ImportTypeExistingKeyMaterial
	}
	if typ == "" {
		// NEW_KEY_MATERIAL for the first import, EXISTING_KEY_MATERIAL
		// after (ImportKeyMaterial, ImportType).
		typ = ImportTypeExistingKeyMaterial
		if len(rec.Imports) == 0 {
			typ = ImportTypeNewKeyMaterial
		}
	}
	switch {
	case typ == ImportTypeExistingKeyMaterial && known < 0:
		if len(rec.Imports) == 0 {
			return newErr(ErrIncorrectKeyMaterial, "No key material was ever imported into %s: import it with ImportType NEW_KEY_MATERIAL.", keyARN)
		}
		return newErr(ErrIncorrectKeyMaterial, "The key material is not key material previously imported into %s.", keyARN)
	case typ == ImportTypeExistingKeyMaterial && in.KeyMaterialId != "" && subtle.ConstantTimeCompare([]byte(in.KeyMaterialId), []byte(id)) != 1:
		return newErr(ErrIncorrectKeyMaterial, "The key material does not match key material %s of %s.", in.KeyMaterialId, keyARN)
	case typ == ImportTypeNewKeyMaterial && known >= 0:
		return newErr(ErrIncorrectKeyMaterial, "The key material is already associated with %s: import it with ImportType EXISTING_KEY_MATERIAL.", keyARN)
	case typ == ImportTypeNewKeyMaterial && len(rec.Imports) > 0 && KeySpec(rec.KeySpec) != KeySpecSymmetricDefault:
		// "For asymmetric and HMAC keys, you cannot change the key
		// material after the initial import" (ImportKeyMaterial).
		return newErr(ErrIncorrectKeyMaterial, "The key material of %s, a key of key spec %s, cannot be changed after its first import.", keyARN, rec.KeySpec)
	}
	if typ == ImportTypeNewKeyMaterial && len(rec.Imports) > 0 {
		for _, im := range rec.Imports {
			if im.PendingRotation {
				// As recorded from AWS in LocalStack's
				// test_kms.snapshot.json
				// (test_import_key_material_raises_if_there_is_already_key_material_pending).
				return newErr(ErrKMSInvalidState, "New key material (id: %s) cannot be imported into KMS key %s, because another key material (id: %s) is pending rotation.", id, rec.KeyID, im.MaterialID)
			}
		}
	}
	w, err := k.root.Wrap(secret, keystore.MaterialOwner(keyARN, id))
	if err != nil {
		return err
	}
	mat := keystore.Material{ID: id, Wrapped: w}
	im := records.Import{MaterialID: id, State: importedState, ExpirationModel: string(model), Description: in.KeyMaterialDescription}
	if !in.ValidTo.IsZero() {
		im.ValidTo = in.ValidTo.UTC()
	}
	if known >= 0 {
		old := rec.Imports[known]
		im.PendingRotation = old.PendingRotation
		if im.Description == "" {
			// "If you do not specify a key material description, KMS
			// retains the value you specified when you last imported
			// the same key material" (KeyMaterialDescription).
			im.Description = old.Description
		}
		rec.Imports[known] = im
		rec.Materials = slices.DeleteFunc(rec.Materials, func(m keystore.Material) bool { return m.ID == id })
	} else {
		im.PendingRotation = len(rec.Imports) > 0
		rec.Imports = append(rec.Imports, im)
	}
	rec.Materials = append(rec.Materials, mat)
	if rec.CurrentMaterial == "" && !im.PendingRotation {
		rec.CurrentMaterial = id
	}
	settleImportState(rec)
	return nil
}

// settleImportState sets the key state of rec, a key of Origin EXTERNAL,
// from its materials: PendingImport while any material permanently
// associated with it (all but one pending rotation) is not imported ("you
// will need to import all of the key materials associated with the KMS
// key to change its state to Enabled": ImportKeyMaterial), else Enabled
// if it was PendingImport. A key pending deletion (or, a multi-Region
// primary, pending replica deletion) keeps its state
// (DeleteImportedKeyMaterial), and so does a disabled key whose material
// is all there.
func settleImportState(rec *records.Key) {
	missing := len(rec.Imports) == 0
	for _, im := range rec.Imports {
		if !im.PendingRotation && im.State != importedState {
			missing = true
		}
	}
	switch state := KeyState(rec.State); {
	case state == KeyStatePendingDeletion || state == KeyStatePendingReplicaDeletion:
	case missing:
		rec.State = string(KeyStatePendingImport)
	case state == KeyStatePendingImport:
		rec.State = string(KeyStateEnabled)
	}
}

// removeImported deletes material id from rec (its wrapped copy; its
// identity stays): a material pending rotation is forgotten altogether
// (it "is not permanently associated with the KMS key": RotationsListEntry,
// KeyMaterialState), except by a multi-Region replica, where it stays
// pending rotation as long as the primary key has it (mrkimport.go); any
// other becomes PENDING_IMPORT. It reports whether rec had the material
// imported.
func removeImported(rec *records.Key, id string) bool {
	i := slices.IndexFunc(rec.Imports, func(im records.Import) bool { return im.MaterialID == id })
	if i < 0 || rec.Imports[i].State != importedState {
		return false
	}
	rec.Materials = slices.DeleteFunc(rec.Materials, func(m keystore.Material) bool { return m.ID == id })
	if rec.Imports[i].PendingRotation && !rec.IsReplica() {
		rec.Imports = slices.Delete(rec.Imports, i, i+1)
	} else {
		rec.Imports[i] = records.Import{MaterialID: id, State: pendingImportState, PendingRotation: rec.Imports[i].PendingRotation, Description: rec.Imports[i].Description}
	}
	settleImportState(rec)
	return true
}

// DeleteImportedKeyMaterial deletes imported key material from a key of
// Origin EXTERNAL: KeyMaterialId, or by default the current material. The
// key becomes PendingImport (a key pending deletion keeps its state) and
// is unusable until the same material is imported again; ciphertexts made
// under it decrypt again then. Material imported for a rotation that has
// not happened (PENDING_ROTATION) is forgotten instead, and the key's
// state is unchanged.
func (k *KMS) DeleteImportedKeyMaterial(ctx context.Context, in *DeleteImportedKeyMaterialInput) (result *DeleteImportedKeyMaterialOutput, opErr error) {
	defer finish(k.audit(&ctx, "DeleteImportedKeyMaterial", in), &result, &opErr)
	if err := k.begin(ctx, in); err != nil {
		return nil, err
	}
	if in == nil {
		in = &DeleteImportedKeyMaterialInput{}
	}
	var v validator
	v.keyID("keyId", in.KeyId)
	if in.KeyMaterialId != "" {
		v.length("keyMaterialId", in.KeyMaterialId, 64, 64)
		v.pattern("keyMaterialId", in.KeyMaterialId, backingKeyIDRE)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	var deleted string
	rec, err := k.updateKeyTx(ctx, in.KeyId, opDeleteImportedKeyMaterial, authzExtra{}, func(tx backend.Txn, rec *records.Key, _ time.Time) error {
		keyARN := k.recARN(rec)
		if OriginType(rec.Origin) != OriginTypeExternal {
			return errOrigin(keyARN, rec.Origin)
		}
		id := in.KeyMaterialId
		if id == "" {
			id = rec.CurrentMaterial
		}
		if in.KeyMaterialId != "" && !slices.ContainsFunc(rec.Imports, func(im records.Import) bool { return im.MaterialID == id }) {
			return newErr(ErrNotFound, "Key material %s is not associated with %s.", id, keyARN)
		}
		pending := slices.ContainsFunc(rec.Imports, func(im records.Import) bool { return im.MaterialID == id && im.PendingRotation })
		deleted = id
		if pending && isPrimary(rec) {
			// A multi-Region primary's material pending rotation goes
			// from every copy, imported there or not (mrkimport.go).
			forgetPending(rec, func(m string) bool { return m == id })
			return k.dropPendingFromReplicas(tx, rec, []string{id})
		}
		removeImported(rec, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteImportedKeyMaterialOutput{KeyId: k.recARN(rec), KeyMaterialId: deleted}, nil
}

// importExpiryDue reports whether imported material of rec has expired at
// now.
func importExpiryDue(rec *records.Key, now time.Time) bool {
	if len(rec.Imports) == 0 {
		return false
	}
	at := rec.ImportExpiry()
	return !at.IsZero() && !now.Before(at)
}

// expireRecord deletes from rec every imported material whose ValidTo has
// passed at now, as DeleteImportedKeyMaterial would.
func expireRecord(rec *records.Key, now time.Time) {
	var due []string
	for _, im := range rec.Imports {
		if im.State == importedState && !im.ValidTo.IsZero() && !now.Before(im.ValidTo) {
			due = append(due, im.MaterialID)
		}
	}
	for _, id := range due {
		removeImported(rec, id)
	}
}

// expireIfDue deletes, in one transaction, the expired imported material
// of the key ref names (see applyIfDue).
func (k *KMS) expireIfDue(ctx context.Context, ref keyRef) error {
	return k.applyIfDue(ctx, ref, importExpiryDue, k.expireTx)
}

// expirySweep deletes every expired imported material in the handle's
// account and Region, reading only the index of keys whose material
// expires.
func (k *KMS) expirySweep(ctx context.Context) error {
	return k.sweepDue(ctx, records.DueForImportExpiry, k.expireIfDue)
}

// rotateImported makes rec's material pending rotation current, for
// RotateKeyOnDemand on a key of Origin EXTERNAL.
func rotateImported(rec *records.Key, keyARN string, now time.Time) error {
	i := slices.IndexFunc(rec.Imports, func(im records.Import) bool { return im.PendingRotation })
	if i < 0 {
		// As recorded from AWS in LocalStack's test_kms.snapshot.json
		// (test_rotate_key_on_demand_raises_for_no_pending_key_material).
		return newErr(ErrKMSInvalidState, "No available key material pending rotation for the key: %s.", keyARN)
	}
	id := rec.Imports[i].MaterialID
	rec.Imports[i].PendingRotation = false
	rec.CurrentMaterial = id
	rec.Rotations = append(rec.Rotations, records.Rotation{MaterialID: id, Date: now.UTC(), Type: string(RotationTypeOnDemand)})
	return nil
}

// importedExpiration returns the ExpirationModel and ValidTo DescribeKey
// shows for rec, a key of Origin EXTERNAL: the expiration model of its
// current material while that is imported, and the earliest ValidTo of
// the materials permanently associated with it ("The earliest time at
// which any imported key material permanently associated with this KMS
// key expires": KeyMetadata, ValidTo).
func importedExpiration(rec *records.Key) (ExpirationModelType, time.Time) {
	var model ExpirationModelType
	var validTo time.Time
	for _, im := range rec.Imports {
		if im.State != importedState || im.PendingRotation {
			continue
		}
		if im.MaterialID == rec.CurrentMaterial {
			model = ExpirationModelType(im.ExpirationModel)
		}
		if !im.ValidTo.IsZero() && (validTo.IsZero() || im.ValidTo.Before(validTo)) {
			validTo = im.ValidTo
		}
	}
	return model, validTo
}
