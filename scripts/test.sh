#!/usr/bin/env bash
# The whole test suite: formatting, go vet, and every test with the race
# detector. README.md and .ci/run both call this. It installs what the tests
# need beyond Go when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { # need COMMAND DEBIAN-PACKAGE: install it if missing and possible
  command -v "$1" >/dev/null 2>&1 && return
  echo "installing $2 (for $1)"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "$2" >/dev/null; }; then
    echo "warning: could not install $2; the tests that need $1 will skip" >&2
  fi
}
need aws awscli        # cmd/embedkms runs the real AWS CLI against embedkms serve
need openssl openssl   # crypto/openssl_test.go checks interop with the openssl command
need softhsm2-util softhsm2 # keystore/hsm and examples/xksproxy run against a SoftHSM2 token

unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
# The library builds and vets without cgo too (CGO_ENABLED=0, static
# binaries): only PKCS#11 custom key stores need it, and without it a token
# fails to open with an error saying so (keystore/hsm/nocgo.go).
CGO_ENABLED=0 go vet ./...
CGO_ENABLED=0 go test -count=1 ./keystore/hsm/
go test -race -count=1 -timeout 10m ./...
# The symmetric path must also run in FIPS 140-3 only mode (Go's
# GODEBUG=fips140=only refuses AES-GCM with caller-chosen IVs, so this
# catches a regression to them); tests that check it with non-FIPS code of
# their own are left out here.
GODEBUG=fips140=only go test -count=1 -run 'TestEncrypt|TestDecrypt|TestReEncrypt|TestGenerateDataKey|TestEvery|TestCreateKey|TestVolatile|TestSeed' .
# GenerateMac, VerifyMac and DeriveSharedSecret through the handle, whose
# primitives (HMAC, ECDH) are the standard library's, in the same mode.
GODEBUG=fips140=only go test -count=1 -run 'TestGenerateMac|TestVerifyMac|TestMacAlgorithm|TestMacValidation|TestMacNeeds|TestDeriveSharedSecret' .
# The key-spec primitives built on the standard library alone (HMAC, ECDH,
# Ed25519) also run in FIPS 140-3 only mode. RSAES_OAEP_SHA_1 is refused
# there (SHA-1), and circl, Tink and decred are not FIPS modules.
GODEBUG=fips140=only go test -count=1 -run 'TestMAC$|TestAgreement$|TestEd25519RFC8032$|TestEd25519phHashesTheDigestAgain$|TestOpenSSLECDHMatches$|TestOpenSSLHMAC$' ./crypto/
# The blob format (v2 sealing, v1 and v2 opening) and XAES-256-GCM in the
# same mode; their reference implementations opt out of enforcement for
# their fixed-IV GCM, the code under test does not.
GODEBUG=fips140=only go test -count=1 -run 'TestBlob|TestOpenBlob|TestParseBlob|TestSealBlob|TestXAES' ./crypto
# The tests must catch the mutants of scripts/mutants.txt. All of them
# take about 30 minutes on 2 CPUs, so by default a run takes one slice of
# about 100, a different slice each UTC day (every mutant within a week);
# MUTANTS_SAMPLE=0 runs them all, as a change to the tests or the list
# should before it lands.
MUTANTS_SAMPLE=${MUTANTS_SAMPLE-100} bash scripts/mutants.sh
