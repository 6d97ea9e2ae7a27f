package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix starts the names of the temporary files WriteFileAtomic writes:
// hidden (a leading dot) and marked, so that readers never mistake one for a
// result and cleaners can find the leftovers of a killed process.
const TempPrefix = "."

// TempMarker is part of every temporary file name WriteFileAtomic uses.
const TempMarker = ".tmp-"

// IsTempName reports whether a file name is one of WriteFileAtomic's
// temporary files (left behind only if a process was killed mid-write).
func IsTempName(name string) bool {
	return strings.HasPrefix(name, TempPrefix) && strings.Contains(name, TempMarker)
}

// WriteFileAtomic writes a file so that it appears complete or not at all,
// even if the process is killed at any moment: the content goes to a hidden
// temporary file in the same folder, which is flushed to disk and then
// renamed over path; the folder is synced so the rename is durable.
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, TempPrefix+base+TempMarker+"*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// RemoveTemps deletes the temporary files WriteFileAtomic left in dir when a
// process was killed, keeping those for which keep returns true (nil keeps
// none). It returns how many it removed.
func RemoveTemps(dir string, keep func(name string) bool) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return 0, nil
		}
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if e.IsDir() || !IsTempName(e.Name()) || (keep != nil && keep(e.Name())) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}
