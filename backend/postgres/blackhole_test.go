package postgres_test

import (
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/embedkms/kms/backend/postgres"
	"github.com/embedkms/kms/internal/pgtest"
)

// freezer is a TCP proxy to a PostgreSQL server whose connections can be
// frozen: bytes stop flowing both ways and nothing is closed, as when a
// firewall or NAT silently drops an idle connection's state.
type freezer struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	frozen []chan struct{} // one per connection open; closed to thaw at the end
	gates  []*gate
}

// gate blocks a connection's copying while it is frozen.
type gate struct {
	mu     sync.Mutex
	frozen bool
}

func (g *gate) wait() {
	for {
		g.mu.Lock()
		f := g.frozen
		g.mu.Unlock()
		if !f {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newFreezer(t *testing.T, target string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			g := &gate{}
			f.mu.Lock()
			f.gates = append(f.gates, g)
			f.mu.Unlock()
			pipe := func(dst, src net.Conn) {
				buf := make([]byte, 32<<10)
				for {
					n, err := src.Read(buf)
					g.wait()
					if n > 0 {
						if _, werr := dst.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				dst.Close()
				src.Close()
			}
			go pipe(s, c)
			go pipe(c, s)
		}
	}()
	t.Cleanup(func() { f.thaw() })
	return f
}

// freezeAll freezes every connection open now; later ones flow.
func (f *freezer) freezeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.gates {
		g.mu.Lock()
		g.frozen = true
		g.mu.Unlock()
	}
}

func (f *freezer) thaw() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.gates {
		g.mu.Lock()
		g.frozen = false
		g.mu.Unlock()
	}
}

// TestListenerSilentlyDroppedConnection: the listener's connection stops
// carrying bytes without being closed (a firewall dropped it while idle).
// The listener gives up on a catch-up that does not answer within the
// bound and reconnects, so the store is Fresh again soon, rather than
// after the kernel's TCP retransmission timeout (minutes), during which
// every handle would read the database for every call.
func TestListenerSilentlyDroppedConnection(t *testing.T) {
	const staleness = 400 * time.Millisecond
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Skipf("needs a URL DSN: %v", err)
	}
	f := newFreezer(t, u.Host)
	u.Host = f.ln.Addr().String()
	s := open(t, postgres.Options{DSN: u.String(), Staleness: staleness})
	f.freezeAll()
	frozen := time.Now()
	for s.Fresh() {
		if time.Since(frozen) > staleness+200*time.Millisecond {
			t.Fatalf("Fresh() still true %v after the listener's connection froze (bound %v)", time.Since(frozen), staleness)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for !s.Fresh() {
		if time.Since(frozen) > 10*staleness {
			t.Fatalf("Fresh() still false %v after the listener's connection froze: the listener waits on a connection that will not answer", time.Since(frozen))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
