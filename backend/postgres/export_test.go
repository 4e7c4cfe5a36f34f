package postgres

// ListenerPID returns the server process id of the listener's connection
// (for pg_terminate_backend).
func (s *Store) ListenerPID() uint32 { return s.listenPID.Load() }

// BlockListener makes the listener's connection attempts fail while block
// is true, as if the server were unreachable.
func (s *Store) BlockListener(block bool) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.blockListen = block
}

// SetScanBatch sets how many rows one query of Scan reads and returns a
// function that restores it.
func SetScanBatch(n int) (restore func()) {
	old := scanBatch
	scanBatch = n
	return func() { scanBatch = old }
}

// OnCatchUp makes fn run in every catch-up of the listener, after it took
// its snapshot (nil: none).
func (s *Store) OnCatchUp(fn func()) {
	if fn == nil {
		s.catchUpHook.Store(nil)
		return
	}
	s.catchUpHook.Store(&fn)
}
