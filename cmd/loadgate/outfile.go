package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"
)

// outputFile is a file a run writes, and what sets it, for messages: a
// flag ("--out") or an environment variable ("$GITHUB_STEP_SUMMARY").
type outputFile struct {
	name, path string
	appended   bool // added to, as the step summary is; else replaced
}

// checkOutputs reports, before a run, an output that could not be written
// (see checkWritable) or two outputs that name one file, where the second
// would replace the first. Files with an empty path are not asked for.
func checkOutputs(files []outputFile) error {
	var checked []outputFile
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if err := checkWritable(f); err != nil {
			return err
		}
		for _, other := range checked {
			if sameFile(f.path, other.path) {
				return usagef("%s %s and %s %s name the same file: give each output its own", other.name, other.path, f.name, f.path)
			}
		}
		checked = append(checked, f)
	}
	return nil
}

// sameFile reports whether paths a and b, both in existing directories,
// name one file: the same path once symbolic links in their directories
// are followed, or, when both exist, the same file on disk.
func sameFile(a, b string) bool {
	if canonical(a) == canonical(b) {
		return true
	}
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// canonical is path made absolute, its links followed.
func canonical(path string) string {
	path = followLinks(path)
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		dir = filepath.Dir(path)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Join(dir, filepath.Base(path))
}

// checkWritable reports that f could not be written: its directory is
// missing or not writable, the path is a directory, a file to append to
// exists and cannot be opened for writing, or the path is a device or a
// named pipe (written in place) that cannot be opened; a named pipe that
// nothing reads cannot. It creates and removes a temporary file to find
// out, and writes nothing to an existing file.
func checkWritable(f outputFile) error {
	dir := filepath.Dir(f.path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("%s %s: directory %s does not exist", f.name, f.path, dir)
	}
	info, err := os.Stat(f.path)
	if err == nil && info.IsDir() {
		return usagef("%s %s: is a directory", f.name, f.path)
	}
	if err == nil && (f.appended || !info.Mode().IsRegular()) {
		file, err := openOutput(f.path, os.O_WRONLY|os.O_APPEND)
		if err != nil {
			return usagef("%s %s: cannot write to it: %v", f.name, f.path, err)
		}
		return file.Close()
	}
	probe, err := os.CreateTemp(dir, "."+filepath.Base(f.path)+".*.tmp")
	if err != nil {
		return usagef("%s %s: cannot write in %s: %v", f.name, f.path, dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// outputStall bounds one write of an output written in place, to a pipe
// that may not be read.
const outputStall = 10 * time.Second

// openOutput opens path for writing with flag. A named pipe is opened
// without waiting for a reader: with none, opening it would block beyond the
// reach of an interrupt, so it is an error instead.
func openOutput(path string, flag int) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if errors.Is(err, syscall.ENXIO) {
			return nil, fmt.Errorf("%s is a named pipe that nothing reads", path)
		}
		return f, err
	}
	return os.OpenFile(path, flag, 0o644)
}

// writeOutput writes data to path: a regular file (or a new one) through a
// temporary file in the same directory and a rename, so that a reader never
// sees half a file and a failed write leaves any earlier file in place; a
// symbolic link's target the same way; a device or a named pipe (/dev/stdout,
// a FIFO) in place, since a rename would replace it with a file.
func writeOutput(path string, data []byte) error {
	path = followLinks(path)
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		return writeInPlace(path, os.O_WRONLY|os.O_TRUNC, data)
	}
	return writeFileAtomic(path, data)
}

// followLinks returns the file that path names once its symbolic links are
// followed, even to a file that does not exist yet.
func followLinks(path string) string {
	for range 40 { // as the kernel gives up on a loop
		info, err := os.Lstat(path)
		if err != nil || info.Mode()&os.ModeSymlink == 0 {
			return path
		}
		target, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path
}

// writeInPlace opens path with flag and writes data to it, each write
// bounded by outputStall where the file can wait (a pipe).
func writeInPlace(path string, flag int, data []byte) error {
	f, err := openOutput(path, flag)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	f.SetWriteDeadline(time.Now().Add(outputStall)) // an error here: a file that never waits
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename.
func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err = tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// startCPUProfile starts a CPU profile into path, unless path is empty; the
// returned function stops it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
