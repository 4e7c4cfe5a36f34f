package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"

	kms "github.com/embedkms/kms"
	"github.com/embedkms/kms/keystore"
	"golang.org/x/term"
)

// The local subcommands do what only a tool next to the store can: move it
// to a new root key, back it up, restore a backup, seed it.

// newRootKeyEnv holds the new root key of rewrap-root-key when
// --new-root-key-file is not given (the standard base64 of 32 bytes).
const newRootKeyEnv = "EMBEDKMS_NEW_ROOT_KEY"

// localCommand is a local subcommand: its usage and what it runs.
type localCommand struct {
	usage string
	args  string // the positional arguments it takes, for the usage line
	run   func(env cliEnv, g globalOptions, newKeyFile string, pos []string) error
}

var localCommands = map[string]localCommand{
	"rewrap-root-key": {
		usage: "move --store DIR from its root key (--root-key-file, EMBEDKMS_ROOT_KEY or a passphrase) to a new one (--new-root-key-file FILE or EMBEDKMS_NEW_ROOT_KEY); every ciphertext still decrypts",
		run:   rewrapRootKey,
	},
	"backup": {
		usage: "write a consistent backup of --store DIR to FILE (or stdout); restoring it needs the same root key",
		args:  "[FILE]",
		run:   backupStore,
	},
	"restore": {
		usage: "restore a backup from FILE (or stdin) into --store DIR, which must be empty, under the root key the backup was made with",
		args:  "[FILE]",
		run:   restoreStore,
	},
	"seed": {
		usage: "load the keys, aliases and grants of a YAML seed file (the module's SEED.md) into --store, --account and --region",
		args:  "FILE",
		run:   seedStore,
	},
}

// runLocal runs the local subcommand name with args.
func runLocal(env cliEnv, name string, args []string) int {
	lc := localCommands[name]
	var g globalOptions
	var newKeyFile string
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "help" || a == "--help" || a == "-h" {
			fmt.Fprintf(env.stdout, "embedkms %s [options] %s\n\n%s.\n\nOptions: --store DIR, --engine badger|file, --root-key-file FILE, --account, --region\n", name, lc.args, lc.usage)
			return exitOK
		}
		if !strings.HasPrefix(a, "--") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flagName, val, hasVal := strings.Cut(a[2:], "=")
		if !hasVal {
			if i+1 >= len(args) {
				return report(env.stderr, &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: argument --%s: expected one argument\n", flagName)})
			}
			i++
			val = args[i]
		}
		switch {
		case flagName == "new-root-key-file" && name == "rewrap-root-key":
			newKeyFile = val
		case globalFlags[flagName] != nil && flagName != "output" && flagName != "max-items" && flagName != "starting-token" && flagName != "page-size" && flagName != "cli-input-json":
			if err := globalFlags[flagName](&g, val); err != nil {
				return report(env.stderr, err)
			}
		default:
			return report(env.stderr, &usageError{msg: cliUsage + "\nUnknown options: " + a + "\n"})
		}
	}
	maxPos := strings.Count(lc.args, "FILE")
	if len(pos) > maxPos || (lc.args == "FILE" && len(pos) == 0) {
		return report(env.stderr, &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: %s takes %s\n", name, firstOf(lc.args, "no arguments"))})
	}
	g.defaults(env.getenv)
	if g.store == "memory" {
		return report(env.stderr, &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: %s needs a durable store: give --store DIR or set %s\n", name, storeEnv)})
	}
	if err := lc.run(env, g, newKeyFile, pos); err != nil {
		return report(env.stderr, err)
	}
	return exitOK
}

// progress returns a progress callback drawing a bar on stderr when
// stdout is a terminal, else nil.
func progress(env cliEnv, label string) func(done, total int) {
	f, ok := env.stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressBar(env.stderr, label)
}

// progressBar returns a callback that draws "label [=====>    ] done/total"
// on w, on one line redrawn in place, ending it when done reaches total.
func progressBar(w io.Writer, label string) func(done, total int) {
	const width = 30
	last := -1
	return func(done, total int) {
		if total <= 0 {
			return
		}
		filled := done * width / total
		if filled == last && done != total {
			return // redraw only when the bar moves
		}
		last = filled
		bar := strings.Repeat("=", filled)
		if filled < width {
			bar += ">" + strings.Repeat(" ", width-filled-1)
		}
		fmt.Fprintf(w, "\r%s [%s] %d/%d", label, bar, done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// rewrapRootKey runs rewrap-root-key.
func rewrapRootKey(env cliEnv, g globalOptions, newKeyFile string, _ []string) error {
	var next keystore.RootKeySource
	newEnv := env.getenv(newRootKeyEnv)
	switch {
	case newKeyFile != "" && newEnv != "":
		return &configError{msg: fmt.Sprintf("both --new-root-key-file and %s are set: give the new root key once", newRootKeyEnv)}
	case newKeyFile != "":
		next = keystore.RootKeyFile(newKeyFile)
	case newEnv != "":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(newEnv))
		if err != nil || len(raw) != keystore.RootKeySize {
			return &configError{msg: fmt.Sprintf("%s is not the standard base64 of %d bytes", newRootKeyEnv, keystore.RootKeySize)}
		}
		next = keystore.RawRootKey(raw)
	default:
		return &usageError{msg: cliUsage + fmt.Sprintf("embedkms: error: rewrap-root-key needs the new root key: give --new-root-key-file FILE or set %s\n", newRootKeyEnv)}
	}
	old, err := cliRootKey(env, g)
	if err != nil {
		return err
	}
	store, err := openStore(env.ctx, config{store: g.store, engine: g.engine})
	if err != nil {
		return &configError{msg: err.Error()}
	}
	defer store.Close()
	err = kms.RewrapRootKeyWithOptions(env.ctx, store, old, next, kms.RewrapOptions{Progress: progress(env, "re-wrapping")})
	if err != nil {
		return fmt.Errorf("rewrap-root-key: %w", err)
	}
	return nil
}

// backupStore runs backup.
func backupStore(env cliEnv, g globalOptions, _ string, pos []string) error {
	h, err := openHandle(env, g)
	if err != nil {
		return err
	}
	defer h.close()
	w := env.stdout
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.OpenFile(pos[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if err := h.k.Backup(env.ctx, f); err != nil {
			f.Close()
			os.Remove(pos[0])
			return fmt.Errorf("backup: %w", err)
		}
		return f.Close()
	}
	if err := h.k.Backup(env.ctx, w); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// restoreStore runs restore.
func restoreStore(env cliEnv, g globalOptions, _ string, pos []string) error {
	r := env.stdin
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	source, err := cliRootKey(env, g)
	if err != nil {
		return err
	}
	store, err := openStore(env.ctx, config{store: g.store, engine: g.engine})
	if err != nil {
		return &configError{msg: err.Error()}
	}
	defer store.Close()
	return kms.Restore(env.ctx, r, kms.Options{Backend: store, RootKeySource: source})
}

// seedStore runs seed.
func seedStore(env cliEnv, g globalOptions, _ string, pos []string) error {
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	sf, err := kms.ParseSeed(f)
	if err != nil {
		return fmt.Errorf("seed %s: %w", pos[0], err)
	}
	h, err := openHandle(env, g)
	if err != nil {
		return err
	}
	defer h.close()
	if err := h.k.ApplySeedWithOptions(env.ctx, sf, kms.SeedOptions{Progress: progress(env, "seeding")}); err != nil {
		return fmt.Errorf("seed %s: %w", pos[0], err)
	}
	return nil
}
