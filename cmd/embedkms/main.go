// Command embedkms serves the AWS KMS API over HTTP from an embedkms
// handle, so any AWS SDK, the AWS CLI or Terraform can use it as its KMS
// endpoint.
//
// Install:
//
//	go install github.com/embedkms/kms/cmd/embedkms@latest
//
// Usage:
//
//	embedkms serve [flags]   serve the AWS KMS JSON protocol
//	embedkms version         print the version
//	embedkms help            print this help
//
// One server serves every Region of every AWS partition: the Region of a
// request is the one its SigV4 signature is scoped to, and each Region has
// its own key space, as in AWS. Signatures are not verified and every
// request acts as the root of the account given by -account, so keep -addr
// on a loopback or private address.
//
// Keys are kept in memory unless -store names a directory, which holds a
// durable store (Badger, or the single-file store with -engine file) whose
// key material is encrypted under a root key: from -root-key-file, or the
// EMBEDKMS_ROOT_KEY environment variable (the base64 of 32 bytes).
//
// -seed FILE loads keys with fixed ids (and, for tests, known key
// material), aliases and grants from a YAML seed file at every start; the
// module's SEED.md documents the format.
//
// Run `embedkms serve -h` for the flags.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, stop, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

const usage = `embedkms serves the AWS KMS API (the JSON protocol every AWS SDK and the
AWS CLI speak) from an embedded KMS.

Usage:

	embedkms serve [flags]   serve on -addr (default 127.0.0.1:4599)
	embedkms version         print the version
	embedkms help            print this help

Run "embedkms serve -h" for the flags of serve.
`

// run runs the command line args and returns the exit status: 0, 1 for a
// failure, 2 for a usage error. ctx is cancelled by SIGINT and SIGTERM;
// stopSignals restores their default action (so a second signal kills).
// getenv reads the environment.
func run(ctx context.Context, stopSignals func(), args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, stopSignals, args[1:], stderr, getenv)
	case "version":
		fmt.Fprintln(stdout, "embedkms", version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "embedkms: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// version is the module version the binary was built from (as go install
// records it), with the VCS revision when built from a checkout.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += " (modified)"
		}
	}
	return v + " " + bi.GoVersion
}
