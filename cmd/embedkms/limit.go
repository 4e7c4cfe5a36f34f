package main

import (
	"net"
	"sync"
)

// limitListener accepts at most n connections at once: Accept waits, with
// the next connection left in the kernel's backlog, until one of them is
// closed. With the server's read and idle timeouts closing connections
// that stall, slow or idle clients cannot hold every slot for long.
type limitListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{} // closed by Close, to end a waiting Accept
	once  sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back once, on the first Close.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
