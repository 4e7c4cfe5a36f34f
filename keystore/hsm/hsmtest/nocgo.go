//go:build !cgo

package hsmtest

// cgoEnabled: package hsm cannot load PKCS#11 modules in a build without
// cgo, so the tests that need a token skip.
const cgoEnabled = false
