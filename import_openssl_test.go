package kms_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/embedkms/kms"
	"github.com/embedkms/kms/kmstest"
)

// Importing key material with AWS's documented procedure, done with the
// openssl command (AWS KMS Developer Guide, "Encrypt the key material":
// RSAES_OAEP_SHA_256 with openssl pkeyutl; RSA_AES_KEY_WRAP_SHA_256 with
// a random AES key, openssl enc -id-aes256-wrap-pad, and that key wrapped
// with OAEP, the two concatenated), and checking that the imported key
// behaves as its material must, with openssl as the judge.

// osslFile reads a file of dir.
func osslFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func osslWrite(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// osslImport imports the material in file into keyID: it gets a wrapping
// key (RSA_4096) and token for alg, wraps the material with openssl as
// AWS's procedure does, and calls ImportKeyMaterial.
func osslImport(t *testing.T, k *kms.KMS, dir, keyID string, alg kms.AlgorithmSpec, file string) *kms.ImportKeyMaterialOutput {
	t.Helper()
	ctx := context.Background()
	p, err := k.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: keyID, WrappingAlgorithm: alg, WrappingKeySpec: kms.WrappingKeySpecRsa4096})
	lcNoErr(t, err)
	osslWrite(t, dir, "WrappingPublicKey.bin", p.PublicKey)
	oaep := func(in, out string) {
		runOpenSSL(t, dir, nil, "pkeyutl", "-encrypt", "-in", in, "-out", out,
			"-inkey", "WrappingPublicKey.bin", "-keyform", "DER", "-pubin",
			"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256")
	}
	var wrapped []byte
	switch alg {
	case kms.AlgorithmSpecRsaesOaepSha256:
		oaep(file, "EncryptedKeyMaterial.bin")
		wrapped = osslFile(t, dir, "EncryptedKeyMaterial.bin")
	case kms.AlgorithmSpecRsaAesKeyWrapSha256:
		runOpenSSL(t, dir, nil, "rand", "-out", "aes-key.bin", "32")
		aesHex := hex.EncodeToString(osslFile(t, dir, "aes-key.bin"))
		runOpenSSL(t, dir, nil, "enc", "-id-aes256-wrap-pad", "-K", aesHex, "-iv", "A65959A6", "-in", file, "-out", "key-material-wrapped.bin")
		oaep("aes-key.bin", "aes-key-wrapped.bin")
		wrapped = append(osslFile(t, dir, "aes-key-wrapped.bin"), osslFile(t, dir, "key-material-wrapped.bin")...)
	default:
		t.Fatalf("no openssl procedure for %s here", alg)
	}
	out, err := k.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: keyID, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: kms.ExpirationModelTypeKeyMaterialDoesNotExpire})
	lcNoErr(t, err)
	return out
}

// osslVerifies reports whether openssl pkeyutl -verify accepts sig over
// the digest md ("sha256", "sha384") of msg under the public key in
// pubFile (DER).
func osslVerifies(t *testing.T, dir, pubFile, md string, msg, sig []byte, rsaKey bool) bool {
	t.Helper()
	osslWrite(t, dir, "message.bin", msg)
	osslWrite(t, dir, "signature.bin", sig)
	runOpenSSL(t, dir, nil, "dgst", "-"+md, "-binary", "-out", "digest.bin", "message.bin")
	args := []string{"pkeyutl", "-verify", "-pubin", "-inkey", pubFile, "-keyform", "DER", "-in", "digest.bin", "-sigfile", "signature.bin"}
	if rsaKey {
		args = append(args, "-pkeyopt", "digest:"+md)
	}
	cmd := exec.Command(opensslBin(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	ok := err == nil && bytes.Contains(out, []byte("Signature Verified Successfully"))
	if err == nil && !ok {
		t.Fatalf("openssl pkeyutl -verify: %s", out)
	}
	return ok
}

func TestImportOpenSSLSymmetric(t *testing.T) {
	opensslBin(t)
	k, _ := kmstest.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	runOpenSSL(t, dir, nil, "rand", "-out", "PlaintextKeyMaterial.bin", "32")
	md := imExternal(t, k)
	first := osslImport(t, k, dir, md.KeyId, kms.AlgorithmSpecRsaesOaepSha256, "PlaintextKeyMaterial.bin")
	pt := []byte("sealed under material made by openssl")
	enc := imEncrypt(t, k, md.KeyId, pt)

	_, err := k.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId})
	lcNoErr(t, err)
	_, err = k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcWantErr(t, err, kms.ErrKMSInvalidState, md.Arn+" is pending import.")

	// The same material again, wrapped the other way.
	again := osslImport(t, k, dir, md.KeyId, kms.AlgorithmSpecRsaAesKeyWrapSha256, "PlaintextKeyMaterial.bin")
	if again.KeyMaterialId != first.KeyMaterialId {
		t.Fatalf("re-import: material %s, was %s", again.KeyMaterialId, first.KeyMaterialId)
	}
	dec, err := k.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	lcNoErr(t, err)
	if !bytes.Equal(dec.Plaintext, pt) || dec.KeyMaterialId != first.KeyMaterialId {
		t.Fatalf("after the re-import: %q under %s", dec.Plaintext, dec.KeyMaterialId)
	}
}

func TestImportOpenSSLSigningKeys(t *testing.T) {
	opensslBin(t)
	k, _ := kmstest.New(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		genpkey []string
		spec    kms.KeySpec
		alg     kms.AlgorithmSpec
		signing kms.SigningAlgorithmSpec
		md      string
		rsa     bool
	}{
		// An RSA private key must be wrapped with an RSA_AES algorithm.
		{"RSA_2048", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}, kms.KeySpecRsa2048, kms.AlgorithmSpecRsaAesKeyWrapSha256, kms.SigningAlgorithmSpecRsassaPkcs1V15Sha256, "sha256", true},
		{"ECC_NIST_P256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}, kms.KeySpecEccNistP256, kms.AlgorithmSpecRsaesOaepSha256, kms.SigningAlgorithmSpecEcdsaSha256, "sha256", false},
		{"ECC_NIST_P384, RSA_AES", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"}, kms.KeySpecEccNistP384, kms.AlgorithmSpecRsaAesKeyWrapSha256, kms.SigningAlgorithmSpecEcdsaSha384, "sha384", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// As AWS's procedure makes it: a PEM key, then PKCS #8 DER
			// (openssl genpkey -outform DER writes the traditional
			// SEC 1 / PKCS #1 form, which is refused).
			runOpenSSL(t, dir, nil, append([]string{"genpkey", "-out", "private.pem"}, tc.genpkey...)...)
			runOpenSSL(t, dir, nil, "pkcs8", "-topk8", "-nocrypt", "-inform", "PEM", "-in", "private.pem", "-outform", "DER", "-out", "private.der")
			runOpenSSL(t, dir, nil, "pkey", "-inform", "DER", "-in", "private.der", "-pubout", "-outform", "DER", "-out", "public.der")
			md := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: tc.spec, KeyUsage: kms.KeyUsageTypeSignVerify})
			osslImport(t, k, dir, md.KeyId, tc.alg, "private.der")

			pub, err := k.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
			lcNoErr(t, err)
			if !bytes.Equal(pub.PublicKey, osslFile(t, dir, "public.der")) {
				t.Error("GetPublicKey differs from the public key openssl derived")
			}
			msg := []byte("signed inside KMS, verified by openssl")
			sig, err := k.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: tc.signing})
			lcNoErr(t, err)
			if !osslVerifies(t, dir, "public.der", tc.md, msg, sig.Signature, tc.rsa) {
				t.Fatal("openssl does not verify the signature with the public key it derived")
			}
			if osslVerifies(t, dir, "public.der", tc.md, append(msg, '!'), sig.Signature, tc.rsa) {
				t.Fatal("openssl verifies the signature over another message")
			}
		})
	}
}

func TestImportOpenSSLHMAC(t *testing.T) {
	opensslBin(t)
	k, _ := kmstest.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	runOpenSSL(t, dir, nil, "rand", "-out", "hmac.key", "32")
	md := lcCreate(t, k, &kms.CreateKeyInput{Origin: kms.OriginTypeExternal, KeySpec: kms.KeySpecHmac256, KeyUsage: kms.KeyUsageTypeGenerateVerifyMac})
	osslImport(t, k, dir, md.KeyId, kms.AlgorithmSpecRsaesOaepSha256, "hmac.key")
	msg := []byte("authenticated with imported material")
	mac, err := k.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: msg, MacAlgorithm: kms.MacAlgorithmSpecHmacSha256})
	lcNoErr(t, err)
	osslWrite(t, dir, "message.bin", msg)
	want := runOpenSSL(t, dir, nil, "dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:"+hex.EncodeToString(osslFile(t, dir, "hmac.key")), "-binary", "message.bin")
	if !bytes.Equal(mac.Mac, want) {
		t.Fatalf("GenerateMac %x, openssl dgst -mac HMAC %x", mac.Mac, want)
	}
}
