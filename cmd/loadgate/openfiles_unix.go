//go:build unix

package main

import "syscall"

// openFilesLimit is the most files the process may have open (the Go
// runtime raises the soft limit to the hard one at start).
func openFilesLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	return uint64(lim.Cur), true
}
