//go:build !unix

package main

// openFilesLimit is not known off Unix.
func openFilesLimit() (uint64, bool) { return 0, false }
