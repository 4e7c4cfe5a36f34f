//go:build cgo

package hsmtest

// cgoEnabled: package hsm can load PKCS#11 modules in this build.
const cgoEnabled = true
