// Package mod is documented.
package mod

func UndocRoot() {}
