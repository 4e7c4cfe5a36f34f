package file_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/embedkms/kms/backend"
	"github.com/embedkms/kms/backend/file"
)

const killChildEnv = "EMBEDKMS_FILE_KILL_CHILD" // "dir round" in the child

// killValue is the value the child writes at key n of round r.
func killValue(r, n int) string {
	return strings.Repeat(fmt.Sprintf("%d.%d;", r, n), 1+n%40)
}

// TestKillChild is the child of TestSIGKILLKeepsEveryAcknowledgedWrite:
// it loops Updates and, after each returns, journals its number to a
// second fsync'd file. Run alone it does nothing.
func TestKillChild(t *testing.T) {
	arg := os.Getenv(killChildEnv)
	if arg == "" {
		t.Skip("run by TestSIGKILLKeepsEveryAcknowledgedWrite")
	}
	var dir string
	var round int
	if _, err := fmt.Sscan(arg, &dir, &round); err != nil {
		t.Fatal(err)
	}
	// Small compaction settings, so that kills also land in compactions.
	s, err := file.Open(context.Background(), dir, file.Options{CompactRatio: 0.5, CompactMinSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	journal, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("journal-%d", round)), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; ; n++ {
		if err := s.Update(context.Background(), func(tx backend.Txn) error {
			if err := tx.Set(fmt.Appendf(nil, "r%02d/%06d", round, n), []byte(killValue(round, n))); err != nil {
				return err
			}
			return tx.Set([]byte("hot"), []byte(killValue(round, n))) // dead bytes for compaction
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Fprintf(journal, "%d\n", n); err != nil {
			t.Fatal(err)
		}
		if err := journal.Sync(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSIGKILLKeepsEveryAcknowledgedWrite kills a child process writing to
// the store at random moments and checks, after each kill, that the store
// opens and holds every write the child journalled as acknowledged.
func TestSIGKILLKeepsEveryAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	const rounds = 24
	total, withWrites := 0, 0
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d", killChildEnv, dir, round))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+r.IntN(250)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL
		if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("round %d: the child ended before the kill: %v\n%s", round, err, out.Bytes())
		}

		var acked []int
		// No journal: the kill came before the first acknowledged write.
		if f, err := os.Open(filepath.Join(dir, fmt.Sprintf("journal-%d", round))); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				var n int
				if _, err := fmt.Sscan(sc.Text(), &n); err == nil {
					acked = append(acked, n)
				}
			}
			f.Close()
		}
		if len(acked) > 0 {
			withWrites++
		}

		s, err := file.Open(context.Background(), dir, file.Options{})
		if err != nil {
			t.Fatalf("round %d: reopening after SIGKILL: %v", round, err)
		}
		err = s.View(context.Background(), func(tx backend.Txn) error {
			for _, n := range acked {
				v, err := tx.Get(fmt.Appendf(nil, "r%02d/%06d", round, n))
				if err != nil || string(v) != killValue(round, n) {
					return fmt.Errorf("acknowledged write %d of round %d: %q, %v", n, round, v, err)
				}
			}
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		total += len(acked)
	}
	if withWrites < rounds/2 {
		t.Fatalf("only %d of %d rounds acknowledged a write before the kill", withWrites, rounds)
	}
	t.Logf("%d rounds (%d with writes), %d acknowledged writes checked", rounds, withWrites, total)
}
