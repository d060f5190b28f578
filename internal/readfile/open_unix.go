//go:build unix

package readfile

import (
	"cmp"
	"os"
	"syscall"
)

// open opens path for reading without waiting for a writer, which a FIFO's
// open does, then makes reads block as usual: a FIFO without a writer reads
// as empty, one with a writer until the writer closes it (on darwin Go does
// not poll a FIFO, so a non-blocking read there would fail while it waits).
func open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	var blocking error
	conn, err := f.SyscallConn()
	if err == nil {
		err = conn.Control(func(fd uintptr) { blocking = syscall.SetNonblock(int(fd), false) })
	}
	if err = cmp.Or(err, blocking); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
