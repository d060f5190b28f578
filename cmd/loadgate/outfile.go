package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// checkOutDir reports, before a run, that the file the flag names could not
// be written: its directory is missing or not writable, or the path is a
// directory. It creates and removes a temporary file to find out.
func checkOutDir(flag, path string) error {
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("--%s %s: directory %s does not exist", flag, path, dir)
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return usagef("--%s %s: is a directory", flag, path)
	}
	probe, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return usagef("--%s %s: cannot write in %s: %v", flag, path, dir, err)
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
