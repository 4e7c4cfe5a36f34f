package kmstest_test

import (
	"fmt"
	"runtime"
	"testing"
)

// fatalTB is a testing.TB whose Fatal and Fatalf record their message
// and end the goroutine, so that a test can check a helper fails the test
// it is given, with what message. Its other methods are t's.
type fatalTB struct {
	testing.TB
	msg    string
	failed bool
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg, f.failed = fmt.Sprintf(format, args...), true
	runtime.Goexit()
}

func (f *fatalTB) Fatal(args ...any) {
	f.msg, f.failed = fmt.Sprint(args...), true
	runtime.Goexit()
}

// fatalOf runs fn with a fatalTB over t on another goroutine (as Fatal
// ends it) and returns the message of the Fatal call it made; it fails
// the test if fn returned without one.
func fatalOf(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	if !f.failed {
		t.Fatal("the helper returned without failing the test")
	}
	return f.msg
}

// exampleT stands in, in the examples, for the *testing.T a test has, so
// that they run (go test checks their output): it runs the cleanups at
// done and panics on Fatal.
type exampleT struct {
	testing.TB // nil: only the methods below are used
	cleanups   []func()
}

func (t *exampleT) Helper()          {}
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// done runs the cleanups, last first, as the testing package does.
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
