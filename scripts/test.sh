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

# backend/postgres and cmd/embedkms run against a real PostgreSQL server:
# the one EMBEDKMS_TEST_POSTGRES names, or else one started here, from the
# Debian postgresql package, for the whole run (a private cluster in a
# temporary directory on 127.0.0.1, stopped on exit). Installing the
# package must not leave Debian's own cluster running.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "${EMBEDKMS_TEST_POSTGRES:-}" ]; then
  if [ -z "$(pg_bin)" ]; then
    echo "installing postgresql (for backend/postgres)"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then # keep the package's service from starting
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
      $SUDO chmod 755 /usr/sbin/policy-rc.d
      policy=1
    fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null ||
      echo "warning: could not install postgresql; the tests that need it will skip" >&2
    [ -z "$policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
    if command -v pg_lsclusters >/dev/null; then # stop a default cluster that started anyway
      pg_lsclusters -h | while read -r ver name _ status _; do
        [ "$status" != online ] || $SUDO pg_ctlcluster "$ver" "$name" stop
      done
    fi
  fi
  if [ -n "$(pg_bin)" ]; then
    pgdir=$(mktemp -d /tmp/embedkms-test-pg.XXXXXX)
    pgrun() { "$(pg_bin)/$1" "${@:2}"; }
    if [ "$(id -u)" = 0 ]; then # PostgreSQL refuses to run as root
      chown postgres: "$pgdir"
      pgrun() { runuser -u postgres -- "$(pg_bin)/$1" "${@:2}"; }
    fi
    pgrun initdb -D "$pgdir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$pgdir/initdb.log"
    trap 'pgrun pg_ctl -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
    for try in 1 2 3 4 5; do
      pgport=$(shuf -i 20000-60000 -n 1)
      if pgrun pg_ctl -D "$pgdir/data" -l "$pgdir/log" -w -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null; then
        export EMBEDKMS_TEST_POSTGRES="postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable"
        break
      fi
    done
    [ -n "${EMBEDKMS_TEST_POSTGRES:-}" ] || { echo "could not start PostgreSQL:"; cat "$pgdir/log"; exit 1; }
  fi
fi

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
