package badger

// RunGC runs one value-log garbage collection pass now, as the background
// goroutine does every interval, and returns the number of files rewritten.
func (s *Store) RunGC() int { return s.runGC() }
