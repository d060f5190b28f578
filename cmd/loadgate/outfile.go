package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
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

// canonical is path made absolute, its directory's links followed.
func canonical(path string) string {
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
// missing or not writable, the path is a directory, or a file to append to
// exists and cannot be opened for writing. It creates and removes a
// temporary file to find out, and writes nothing to an existing file.
func checkWritable(f outputFile) error {
	dir := filepath.Dir(f.path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("%s %s: directory %s does not exist", f.name, f.path, dir)
	}
	info, err := os.Stat(f.path)
	if err == nil && info.IsDir() {
		return usagef("%s %s: is a directory", f.name, f.path)
	}
	if err == nil && f.appended {
		file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return usagef("%s %s: cannot append to it: %v", f.name, f.path, err)
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

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so that a reader never sees half a file and a
// failed write leaves any earlier file in place.
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
