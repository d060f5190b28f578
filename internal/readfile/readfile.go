// Package readfile reads files a user names, within a size limit.
package readfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Limited reads the file at path, refusing one larger than limit bytes
// without reading more than limit+1 of it (a pipe or /dev/zero included).
// A FIFO that no process writes to reads as empty instead of blocking its
// open; one with a writer (the shell's <(...)) is read to its end.
// Its errors do not repeat the path, which the caller names.
func Limited(path string, limit int64) ([]byte, error) {
	f, err := open(path)
	if err != nil {
		return nil, withoutPath(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, withoutPath(err) // a directory opens, and fails here
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// withoutPath is err without the operation and path a *fs.PathError adds.
func withoutPath(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}
