// Command embedkms serves the AWS KMS API over HTTP from an embedkms
// handle, so any AWS SDK, the AWS CLI or Terraform can use it as its KMS
// endpoint, and runs every KMS operation offline on a durable store, with
// the subcommands, parameters, output and errors of `aws kms`.
//
// Install:
//
//	go install github.com/embedkms/kms/cmd/embedkms@latest
//
// Usage:
//
//	embedkms serve [flags]   serve the AWS KMS JSON protocol
//	embedkms <operation> ... run one KMS operation on --store DIR, as
//	                         `aws kms <operation> ...` runs it on AWS KMS
//	                         (encrypt, decrypt, create-key, list-keys, ...)
//	embedkms rewrap-root-key, backup, restore, seed
//	                         local maintenance of a store
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
// The operation subcommands take the AWS CLI's parameters (--key-id,
// --plaintext fileb://FILE, --encryption-context k=v, --tags
// TagKey=a,TagValue=b, --cli-input-json) and print what the AWS CLI v2
// prints (--output json or text, list operations paginated), with its
// error text and exit statuses (252 usage, 253 store or root key, 254 a
// service error). The store is --store DIR (or EMBEDKMS_STORE; Badger, or
// --engine file), its root key from --root-key-file, EMBEDKMS_ROOT_KEY or
// a passphrase typed on the terminal.
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
	"maps"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, stop, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

const usage = `embedkms serves the AWS KMS API (the JSON protocol every AWS SDK and the
AWS CLI speak) from an embedded KMS, and runs its operations offline.

Usage:

	embedkms serve [flags]             serve on -addr (default 127.0.0.1:4599)
	embedkms <operation> [parameters]  run one operation, as aws kms <operation>
	embedkms rewrap-root-key | backup [FILE] | restore [FILE] | seed FILE
	embedkms version                   print the version
	embedkms help                      print this help

Run "embedkms serve -h" for the flags of serve, "embedkms <subcommand> help"
for the parameters of a subcommand.

Operations take the AWS CLI's parameters and print what it prints; they
run on --store DIR (or EMBEDKMS_STORE; --engine badger or file), whose
root key comes from --root-key-file FILE, EMBEDKMS_ROOT_KEY (the base64
of 32 bytes) or a passphrase typed on the terminal. Other options:
--region, --account, --output json|text, --cli-input-json, and for list
operations --no-paginate, --max-items, --starting-token, --page-size.

Operations:
%s
Local subcommands:
%s`

// run runs the command line args and returns the exit status: 0, 1 for a
// failure, 2 for a usage error. ctx is cancelled by SIGINT and SIGTERM;
// stopSignals restores their default action (so a second signal kills).
// getenv reads the environment.
func run(ctx context.Context, stopSignals func(), args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return 2
	}
	env := cliEnv{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if c, ok := commands[args[0]]; ok {
		return runOperation(env, c, args[1:])
	}
	if _, ok := localCommands[args[0]]; ok {
		return runLocal(env, args[0], args[1:])
	}
	switch args[0] {
	case "serve":
		return serve(ctx, stopSignals, args[1:], stderr, getenv)
	case "version":
		fmt.Fprintln(stdout, "embedkms", version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText())
		return 0
	default:
		fmt.Fprintf(stderr, "embedkms: unknown command %q\n\n%s", args[0], usageText())
		return 2
	}
}

// usageText is the usage with the subcommands listed.
func usageText() string {
	var ops, local strings.Builder
	for _, n := range commandNames() {
		fmt.Fprintf(&ops, "\t%s\n", n)
	}
	for _, n := range slices.Sorted(maps.Keys(localCommands)) {
		fmt.Fprintf(&local, "\t%-16s %s\n", n, localCommands[n].usage)
	}
	return fmt.Sprintf(usage, ops.String(), local.String())
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
