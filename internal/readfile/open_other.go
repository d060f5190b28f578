//go:build !unix

package readfile

import "os"

// open opens path for reading (no FIFO to wait on outside unix).
func open(path string) (*os.File, error) { return os.Open(path) }
